from __future__ import annotations

import pytest

from iaclint.engine.operators import OPERATORS, argument_fits
from iaclint.graph.values import PartialString, Unknown


def run(name: str, subject: object, /, **arguments: object) -> tuple[bool | None, dict[str, str]]:
    operator = OPERATORS[name]
    full = {key: spec.default for key, spec in operator.arguments.items()}
    full.update(arguments)
    verdict = operator.function(subject, full)
    return verdict.truth, dict(verdict.facts)


@pytest.mark.parametrize(
    "cidr", ["0.0.0.0/0", "1.2.3.4/0", "::/0", "::0/0", "0:0:0:0:0:0:0:0/0", " 0.0.0.0/0 "]
)
def test_cidr_is_world_in_every_spelling(cidr: str) -> None:
    assert run("cidr_is_world", cidr)[0] is True


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "0.0.0.0/1", "::/1", "not a cidr", "", 5])
def test_cidr_that_is_not_the_world(cidr: object) -> None:
    assert run("cidr_is_world", cidr)[0] is False


def test_cidr_partly_known() -> None:
    assert run("cidr_is_world", PartialString((Unknown("x"), "/0")))[0] is True
    assert run("cidr_is_world", PartialString((Unknown("x"), "/16")))[0] is None


def rule(protocol: object, low: object = None, high: object = None) -> dict[str, object]:
    out: dict[str, object] = {"protocol": protocol}
    if low is not None:
        out["from_port"] = low
    if high is not None:
        out["to_port"] = high
    return out


@pytest.mark.parametrize(
    ("value", "truth", "ports"),
    [
        (rule("tcp", 22, 22), True, "22"),
        (rule("tcp", 20, 4000), True, "22, 3389"),
        (rule("udp", 3389, 3389), True, "3389"),
        (rule("tcp", 23, 3388), False, None),
        (rule("all", 443, 443), True, "all ports (all protocols)"),
        (rule("tcp"), True, "all ports"),
        (rule("icmp"), False, None),
        (rule("50"), False, None),
        (rule("tcp", 30, 20), True, "22"),
    ],
)
def test_opens_ports(value: dict[str, object], truth: bool, ports: str | None) -> None:
    result, facts = run("opens_ports", value, ports=[22, 3389])
    assert result is truth
    assert facts.get("ports") == ports


def test_opens_ports_unknown_parts() -> None:
    assert run("opens_ports", rule(Unknown("p"), 22, 22), ports=[22])[0] is None
    assert run("opens_ports", rule("tcp", Unknown("p"), 22), ports=[22])[0] is None


@pytest.mark.parametrize(
    ("value", "truth", "ports"),
    [
        (rule("tcp", 80, 80), False, None),
        (rule("tcp", 80, 443), True, "80-443"),
        (rule("tcp", 8080, 8080), True, "8080"),
        (rule("all"), True, "all ports (all protocols)"),
        (rule("icmp", 8, 0), False, None),
    ],
)
def test_opens_ports_except(value: dict[str, object], truth: bool, ports: str | None) -> None:
    result, facts = run("opens_ports_except", value, ports=[80, 443])
    assert result is truth
    assert facts.get("ports") == ports


@pytest.mark.parametrize(
    ("value", "expected", "truth"),
    [
        ("required", "required", True),
        ("Required", "required", True),
        ("optional", "required", False),
        (22, "22", True),
        ("22", 22, True),
        (True, "true", True),
        ("True", True, True),
        ("yes", True, False),
        (None, "x", False),
    ],
)
def test_equals_looks_through_spellings(value: object, expected: object, truth: bool) -> None:
    assert run("equals", value, value=expected)[0] is truth


def test_case_sensitive_equals() -> None:
    assert run("equals", "Required", value="required", ignore_case=False)[0] is False


def test_booleans_and_numbers() -> None:
    assert run("is_true", "TRUE")[0] is True
    assert run("is_true", "yes")[0] is False
    assert run("is_false", False)[0] is True
    assert run("greater_than", "2", value=1)[0] is True
    assert run("at_most", 1, value=1)[0] is True
    assert run("less_than", "many", value=1)[0] is None
    assert run("one_of", "B", values=["a", "b"])[0] is True
    assert run("matches", "AKIAABCDEFGHIJKLMNOP", pattern=r"^AKIA")[0] is True
    assert run("matches", 5, pattern="5")[0] is False


def test_matches_text_known_in_part() -> None:
    user_data = PartialString(("echo ECS_CLUSTER=", Unknown("stack", "AWS::StackName"), "\n"))
    assert run("matches", user_data, pattern="ECS_CLUSTER")[0] is True
    assert run("matches", user_data, pattern="kubelet")[0] is None
    assert run("matches", Unknown("imported"), pattern="x")[0] is None


def test_argument_types() -> None:
    assert argument_fits("list[int]", [1, 2])
    assert not argument_fits("list[int]", [1, "2"])
    assert not argument_fits("int", True)
    assert argument_fits("number", 1.5)
    assert argument_fits("any", None)


def _statement(**fields: object) -> dict[str, object]:
    return {"statements": [{"effect": "allow", "resources": ["*"], **fields}]}


@pytest.mark.parametrize(
    ("document", "truth"),
    [
        (_statement(actions=["iam:PassRole"]), True),
        (_statement(actions=["IAM:pass*"]), True),
        (_statement(actions=["*"]), True),
        (_statement(not_actions=["s3:*"]), True),  # every action but S3's
        (_statement(not_actions=["iam:*"]), False),
        (_statement(actions=["iam:GetRole"]), False),
        (_statement(actions=["iam:PassRole"], resources=["arn:aws:iam::1:role/x"]), False),
        ({"statements": [{"effect": "deny", "actions": ["*"], "resources": ["*"]}]}, False),
        (_statement(actions=[Unknown("a parameter")]), None),
    ],
)
def test_iam_grants_action(document: dict[str, object], truth: bool | None) -> None:
    operator = OPERATORS["iam_grants_action"]
    assert operator.function(document, {"action": "iam:PassRole"}).truth is truth

from __future__ import annotations

from typing import Any

import pytest

from iaclint.engine.evaluate import Evaluation, display, evaluate
from iaclint.engine.policy import Policy, compile_policy
from iaclint.graph.model import Graph, Location, Resource, SensitiveValue
from iaclint.graph.values import Input, Reference, Unknown
from iaclint.parse.yaml_reader import read_yaml
from iaclint.span import Span

HEADER = """\
id: TST001
title: t
description: d
category: imds
severity: medium
rationale: r
remediation: r
references: []
"""


def policy(body: str, message: str = "bad {value}") -> Policy:
    document = read_yaml(HEADER + f"message: {message!r}\n" + body, "p.yaml")
    return compile_policy(document.data, document.spans, "p.yaml")


def resource(
    address: str,
    kind: str,
    properties: dict[str, Any],
    conditions: tuple[tuple[str, bool], ...] = (),
    lines: dict[tuple[object, ...], int] | None = None,
) -> Resource:
    header = Location("", Span("t.yaml", 1, 1, 1, 2))
    locations = {
        path: Location(".".join(map(str, path)), Span("t.yaml", line, 1, line, 2))
        for path, line in (lines or {}).items()
    }
    return Resource(address, kind, "Native", properties, header, locations, conditions)


def run(graph: Graph, *policies: Policy) -> Evaluation:
    return evaluate(graph, list(policies), lambda span: f"line {span.line}")


TOKENS = """\
check:
  targets: [{kind: ec2.instance}]
  when:
    not:
      op: equals
      value: required
      first_of:
        - path: $.metadata_options.http_tokens
        - {via: $.launch_template, to: ec2.launch_template, path: $.metadata_options.http_tokens}
"""


def test_missing_value_is_reported_where_it_must_be_added() -> None:
    graph = Graph(
        [resource("I", "ec2.instance", {"metadata_options": {}}, lines={("metadata_options",): 7})]
    )
    (finding,) = run(graph, policy(TOKENS)).findings
    assert finding.span.line == 7
    assert finding.message == "bad not set"
    assert finding.snippet == "line 7"


def test_via_follows_the_reference() -> None:
    template = resource(
        "LT", "ec2.launch_template", {"metadata_options": {"http_tokens": "required"}}
    )
    good = resource("Good", "ec2.instance", {"launch_template": Reference("LT")})
    bad_template = resource(
        "Bad", "ec2.launch_template", {"metadata_options": {"http_tokens": "optional"}}
    )
    bad = resource(
        "UsesBad",
        "ec2.instance",
        {"launch_template": Reference("Bad")},
        lines={("launch_template",): 9},
    )
    result = run(Graph([template, good, bad_template, bad]), policy(TOKENS))
    assert [(f.resource, f.span.line, f.message) for f in result.findings] == [
        ("UsesBad", 9, "bad optional")
    ]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("lt-0123", "'lt-0123' is not defined in the linted files"),
        (Reference("Elsewhere"), "Elsewhere is not defined in the linted files"),
        (Input("T"), "parameter T has no default"),
        (Unknown("imported from another stack's outputs"), "imported from another stack's outputs"),
    ],
)
def test_reference_leading_outside_is_unknown(value: object, reason: str) -> None:
    graph = Graph([resource("I", "ec2.instance", {"launch_template": value})])
    result = run(graph, policy(TOKENS))
    assert result.findings == []
    (undetermined,) = result.undetermined
    assert undetermined.reason == reason


def test_three_valued_logic() -> None:
    check = """\
check:
  targets: [{kind: ec2.instance}]
  when:
    {kind}:
      - {path: $.image_id, op: equals, value: bad}
      - {path: $.user_data, op: equals, value: bad}
"""
    cases = {
        ("all", "bad", Unknown("u")): None,
        ("all", "good", Unknown("u")): False,
        ("all", "bad", "bad"): True,
        ("any", "bad", Unknown("u")): True,
        ("any", "good", Unknown("u")): None,
        ("any", "good", "good"): False,
    }
    for (kind, image, data), truth in cases.items():
        graph = Graph([resource("I", "ec2.instance", {"image_id": image, "user_data": data})])
        result = run(graph, policy(check.replace("{kind}", kind)))
        assert (len(result.findings), len(result.undetermined)) == {
            True: (1, 0),
            False: (0, 0),
            None: (0, 1),
        }[truth], (kind, image, data)


def test_not_of_unknown_is_unknown() -> None:
    graph = Graph(
        [resource("I", "ec2.instance", {"metadata_options": {"http_tokens": Unknown("u")}})]
    )
    result = run(graph, policy(TOKENS))
    assert result.findings == [] and len(result.undetermined) == 1


def test_input_with_allowed_values_decides_only_when_all_agree() -> None:
    check = """\
check:
  targets: [{kind: ec2.instance}]
  when: {path: $.image_id, op: equals, value: bad}
"""
    agreeing = Input("P", allowed_values=("bad", "BAD"))
    mixed = Input("Q", allowed_values=("bad", "good"))
    graph = Graph(
        [
            resource("A", "ec2.instance", {"image_id": agreeing}),
            resource("B", "ec2.instance", {"image_id": mixed}),
        ]
    )
    result = run(graph, policy(check))
    assert [f.resource for f in result.findings] == ["A"]
    assert [u.reason for u in result.undetermined] == [
        "depends on which allowed value parameter Q gets"
    ]


def test_locate_pins_the_reported_place() -> None:
    check = """\
check:
  targets: [{kind: ec2.instance}]
  when:
    all:
      - {path: $.image_id, op: equals, value: x, locate: true}
      - {path: $.metadata_options.http_endpoint, op: equals, value: enabled}
"""
    props = {"image_id": "x", "metadata_options": {"http_endpoint": "enabled"}}
    lines = {("image_id",): 3, ("metadata_options", "http_endpoint"): 5}
    graph = Graph([resource("I", "ec2.instance", props, lines=lines)])
    assert run(graph, policy(check)).findings[0].span.line == 3
    unpinned = check.replace(", locate: true", "")
    assert run(graph, policy(unpinned)).findings[0].span.line == 5


def test_each_subject_is_reported_once() -> None:
    check = """\
check:
  targets: [{kind: ec2.security_group, each: "$.ingress[*]"}]
  when: {path: "$.cidrs[*]", op: cidr_is_world}
"""
    rules = [{"cidrs": ["0.0.0.0/0", "::/0"]}, {"cidrs": ["10.0.0.0/8"]}, {"cidrs": ["::/0"]}]
    lines = {("ingress", 0, "cidrs", 0): 4, ("ingress", 2, "cidrs", 0): 8}
    graph = Graph([resource("G", "ec2.security_group", {"ingress": rules}, lines=lines)])
    assert [f.span.line for f in run(graph, policy(check)).findings] == [4, 8]


def test_variants_merge_and_name_their_condition() -> None:
    def variant(prod: bool, tokens: str) -> Resource:
        return resource(
            "I",
            "ec2.instance",
            {"metadata_options": {"http_tokens": tokens}},
            conditions=(("Prod", prod),),
            lines={("metadata_options", "http_tokens"): 4},
        )

    only_dev = run(Graph([variant(True, "required"), variant(False, "optional")]), policy(TOKENS))
    (finding,) = only_dev.findings
    assert finding.conditions == ("condition Prod is false",)
    assert finding.message.endswith("(when condition Prod is false)")
    both = run(Graph([variant(True, "optional"), variant(False, "optional")]), policy(TOKENS))
    (finding,) = both.findings
    assert finding.conditions == ()


def test_hops_and_reverse_hops() -> None:
    forward = """\
check:
  targets: [{kind: ec2.instance}]
  when:
    hop: $.iam_instance_profile
    to: iam.instance_profile
    then: {path: $.name, op: equals, value: admin}
"""
    backward = """\
check:
  targets: [{kind: ec2.launch_template}]
  when:
    from: ec2.instance
    through: $.launch_template
    then: {path: $.image_id, op: equals, value: bad}
"""
    profile = resource("P", "iam.instance_profile", {"name": "admin"})
    instance = resource(
        "I",
        "ec2.instance",
        {
            "iam_instance_profile": Reference("P"),
            "launch_template": Reference("LT"),
            "image_id": "bad",
        },
        lines={("iam_instance_profile",): 6},
    )
    template = resource("LT", "ec2.launch_template", {})
    from iaclint.graph.model import Edge

    graph = Graph(
        [profile, instance, template],
        [Edge("I", "P", "iam_instance_profile"), Edge("I", "LT", "launch_template")],
    )
    (found,) = run(graph, policy(forward)).findings
    assert (found.resource, found.span.line) == ("I", 6)
    (found,) = run(graph, policy(backward)).findings
    assert found.resource == "LT"


def test_a_defect_in_one_resource_is_an_error_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    from iaclint.engine import evaluate as module

    original = module._PolicyRun.apply

    def explode_on_a(self: Any, predicate: Any, value: object, arguments: Any) -> Any:
        if value == "a":
            raise ZeroDivisionError("boom")
        return original(self, predicate, value, arguments)

    monkeypatch.setattr(module._PolicyRun, "apply", explode_on_a)
    monkeypatch.delenv("IACLINT_DEBUG", raising=False)
    check = """\
check:
  targets: [{kind: ec2.instance}]
  when: {path: $.image_id, op: equals, value: b}
"""
    graph = Graph(
        [
            resource("A", "ec2.instance", {"image_id": "a"}),
            resource("B", "ec2.instance", {"image_id": "b"}),
        ]
    )
    result = run(graph, policy(check))
    assert [f.resource for f in result.findings] == ["B"]
    assert result.errors[0][2] == (
        "A: a defect in iaclint on this resource (ZeroDivisionError); "
        "set IACLINT_DEBUG=1 to see where, and please report it"
    )


def test_message_fact_missing_on_a_path_reads_unknown() -> None:
    check = """\
check:
  targets: [{kind: ec2.security_group, each: "$.ingress[*]"}]
  when:
    any:
      - {path: $, op: opens_ports, ports: [22]}
      - {path: $.description, op: equals, value: open}
"""
    graph = Graph(
        [
            resource(
                "G",
                "ec2.security_group",
                {"ingress": [{"protocol": "icmp", "description": "open"}]},
            )
        ]
    )
    (finding,) = run(graph, policy(check, message="ports {ports}")).findings
    assert finding.message == "ports unknown"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("x" * 100, "x" * 79 + "…"),
        (Input("P", "0.0.0.0/0", has_default=True), "0.0.0.0/0 (default of parameter P)"),
        (Input("P"), "parameter P"),
        (True, "true"),
        (["a", 1], "a, 1"),
        ({"b": 1}, '{"b": 1}'),
        ("two\nlines", "two lines"),
    ],
)
def test_display(value: object, shown: str) -> None:
    assert display(value) == shown


def test_a_defect_in_one_resource_is_raised_where_it_happened_when_debugging(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from iaclint.engine import evaluate as module

    def explode(self: Any, predicate: Any, value: object, arguments: Any) -> Any:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(module._PolicyRun, "apply", explode)
    monkeypatch.setenv("IACLINT_DEBUG", "1")
    check = """\
check:
  targets: [{kind: ec2.instance}]
  when: {path: $.image_id, op: equals, value: b}
"""
    with pytest.raises(ZeroDivisionError, match="boom"):
        run(Graph([resource("A", "ec2.instance", {"image_id": "a"})]), policy(check))


def test_an_any_that_is_false_throughout_names_its_deepest_witness() -> None:
    """`not any` over two ways of writing a setting: the one written (wrong) is where
    the finding points, not where the other way would be added."""
    body = """\
check:
  targets: [{kind: ec2.instance}]
  when:
    not:
      any:
        - {path: $.metadata_options.http_endpoint, op: equals, value: disabled}
        - {path: $.metadata_options.http_tokens, op: equals, value: required}
"""
    lines = {("metadata_options",): 3, ("metadata_options", "http_tokens"): 4}
    graph = Graph(
        [
            resource(
                "I", "ec2.instance", {"metadata_options": {"http_tokens": "optional"}}, lines=lines
            )
        ]
    )
    (finding,) = run(graph, policy(body)).findings
    assert finding.span.line == 4


def test_a_native_type_target_reads_the_native_properties() -> None:
    body = """\
check:
  targets: [{type: AWS::Lambda::Function, each: $.Runtime}]
  when: {op: one_of, values: [python3.8]}
"""
    header = Location("", Span("t.yaml", 1, 1, 1, 2))
    place = {("Runtime",): Location("Properties.Runtime", Span("t.yaml", 5, 1, 5, 2))}
    old = Resource("Old", "unmodelled", "AWS::Lambda::Function", {}, header)
    old = old._replace(native={"Runtime": "python3.8"}, native_locations=place)
    new = old._replace(address="New", native={"Runtime": "python3.13"})
    other = old._replace(address="Other", native_type="AWS::Lambda::LayerVersion")
    (finding,) = run(Graph([old, new, other]), policy(body)).findings
    assert (finding.resource, finding.span.line, finding.attribute) == (
        "Old",
        5,
        "Properties.Runtime",
    )
    assert finding.resource_type == "AWS::Lambda::Function"
    assert finding.message == "bad python3.8"


SERVICES = """\
check:
  targets: [{kind: iam.managed_policy, each: "$.document.statements[*]"}]
  when: {path: "$.actions[*]", op: action_matches_service}
"""


def test_a_finding_names_every_value_that_satisfied_its_predicate() -> None:
    actions = ["ec2:*", "s3:GetObject", "S3:*", "ec2:*", "lambda:*"]
    graph = Graph(
        [
            resource(
                "P",
                "iam.managed_policy",
                {"document": {"statements": [{"actions": actions}]}},
                lines={("document", "statements", 0, "actions", 0): 4},
            )
        ]
    )
    (finding,) = run(graph, policy(SERVICES, "{service}: {values} (first {value})")).findings
    assert finding.message == "ec2, s3, lambda: ec2:*, S3:*, lambda:* (first ec2:*)"
    assert finding.span.line == 4


def test_values_are_masked_and_cut() -> None:
    secret = "s3cr3t-token-value"
    actions = [f"{secret}:*", *[f"svc{n}:*" for n in range(60)]]
    graph = Graph(
        [resource("P", "iam.managed_policy", {"document": {"statements": [{"actions": actions}]}})],
        sensitive=[SensitiveValue(secret)],
    )
    (finding,) = run(graph, policy(SERVICES, "{values}")).findings
    assert secret not in finding.message
    assert finding.message.startswith("****:*, svc0:*")
    assert len(finding.message) == 240 and finding.message.endswith("…")

"""Property tests: readers and the whole file pipeline never raise, and a template
gives the same findings whether written in JSON or in YAML."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from cfn_flip import to_json, to_yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iaclint.discover import Candidate
from iaclint.engine.policy import Policy
from iaclint.file_work import lint_file
from iaclint.parse.cloudformation import read_template
from iaclint.parse.document import ParseError
from iaclint.parse.json_reader import read_json
from iaclint.run import Options, prepare

from .conftest import FIXTURES

POLICIES: list[Policy] = prepare(Options()).policies

PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROFILE
@given(st.text())
def test_reading_arbitrary_text_raises_only_parse_errors(text: str) -> None:
    for reader in (read_template, read_json):
        error = None
        try:
            reader(text, "fuzz")
        except ParseError as raised:
            error = raised
        if error is not None:
            assert error.message
            assert error.line is None or error.line >= 1


YAML_PIECES = st.sampled_from(
    [
        "Resources:",
        "  G:",
        "    Type: AWS::EC2::SecurityGroup",
        "    Properties:",
        "      - a",
        "  !Ref x",
        "!GetAtt",
        "!If [a, b]",
        "&a [*a]",
        "*a",
        "? [x]",
        ": y",
        "- !Sub",
        "{",
        "}",
        "[",
        "]",
        "'",
        '"',
        "\t",
        "key: value",
        "AWSTemplateFormatVersion: 2010-09-09",
        "!!python/object:x {}",
        "!!binary aGVsbG8=",
        "<<: *a",
        "---",
        "...",
        "%YAML 1.1",
        "!Rain::Embed f",
        "x: 0o17",
        "y: 1e3",
    ]
)


@PROFILE
@given(st.lists(YAML_PIECES, max_size=25))
def test_reading_yaml_like_text_raises_only_parse_errors(pieces: list[str]) -> None:
    with contextlib.suppress(ParseError):
        read_template("\n".join(pieces), "fuzz.yaml")


@PROFILE
@given(st.binary(max_size=300))
def test_linting_arbitrary_bytes_never_raises(
    tmp_path_factory: pytest.TempPathFactory, raw: bytes
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.yaml"
    path.write_bytes(b"AWSTemplateFormatVersion: x\n" + raw)
    result = lint_file(Candidate(path, "fuzz.yaml"), POLICIES)
    for diagnostic in result.diagnostics:
        assert diagnostic.file == "fuzz.yaml"


# -- structurally plausible templates -------------------------------------------

CIDRS = ["0.0.0.0/0", "10.0.0.0/8", "::/0", "::0/0", "1.2.3.4/0", "2001:db8::/32", "192.168.1.0/24"]
PORTS = st.one_of(
    st.sampled_from([-1, 0, 22, 80, 443, 3389, 5432, 65535]), st.sampled_from(["22", "443"])
)
PROTOCOLS = st.sampled_from(["tcp", "udp", "icmp", "-1", "6", "17", "all", "TCP", -1, 6])


def value_of(base: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A literal, or the same literal reached through an intrinsic function."""
    return st.one_of(
        base,
        base.map(lambda v: {"Fn::If": ["Prod", v, "10.0.0.0/8"]}),
        st.just({"Ref": "Cidr"}),
        st.just({"Ref": "NoDefault"}),
        st.just({"Fn::Sub": "${Prefix}/0"}),
        base.map(lambda v: {"Fn::Select": [0, [v]]}),
    )


@st.composite
def rule(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {"IpProtocol": draw(PROTOCOLS)}
    if draw(st.booleans()):
        out["FromPort"] = draw(PORTS)
        out["ToPort"] = draw(PORTS)
    source = draw(
        st.sampled_from(["CidrIp", "CidrIpv6", "SourceSecurityGroupId", "SourcePrefixListId"])
    )
    out[source] = draw(value_of(st.sampled_from(CIDRS))) if source.startswith("Cidr") else "sg-1"
    return out


@st.composite
def resource(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            [
                "AWS::EC2::SecurityGroup",
                "AWS::EC2::SecurityGroupIngress",
                "AWS::EC2::NetworkAclEntry",
                "AWS::EC2::Instance",
                "AWS::EC2::LaunchTemplate",
                "AWS::AutoScaling::LaunchConfiguration",
            ]
        )
    )
    if kind == "AWS::EC2::SecurityGroup":
        properties: dict[str, Any] = {
            "GroupDescription": "g",
            "SecurityGroupIngress": draw(st.lists(rule(), max_size=4)),
        }
    elif kind == "AWS::EC2::SecurityGroupIngress":
        properties = {"GroupId": "sg-1", **draw(rule())}
    elif kind == "AWS::EC2::NetworkAclEntry":
        properties = {
            "NetworkAclId": "acl-1",
            "RuleNumber": 100,
            "Protocol": draw(st.sampled_from([-1, 6, 17, 1])),
            "RuleAction": draw(st.sampled_from(["allow", "deny"])),
            "Egress": draw(st.booleans()),
            "PortRange": {"From": draw(PORTS), "To": draw(PORTS)},
            "CidrBlock": draw(value_of(st.sampled_from(CIDRS))),
        }
    else:
        tokens = draw(
            st.sampled_from(
                [
                    None,
                    "required",
                    "optional",
                    "Required",
                    {"Fn::If": ["Prod", "required", "optional"]},
                ]
            )
        )
        options = {} if tokens is None else {"MetadataOptions": {"HttpTokens": tokens}}
        properties = (
            {"LaunchTemplateData": options} if kind == "AWS::EC2::LaunchTemplate" else options
        )
    body: dict[str, Any] = {"Type": kind, "Properties": properties}
    if draw(st.booleans()):
        body["Condition"] = "Prod"
    return body


@st.composite
def template(draw: st.DrawFn) -> dict[str, Any]:
    resources = draw(
        st.dictionaries(
            st.from_regex(r"[A-Z][a-zA-Z0-9]{0,8}", fullmatch=True),
            resource(),
            min_size=1,
            max_size=5,
        )
    )
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {
            "Cidr": {"Type": "String", "Default": draw(st.sampled_from(CIDRS))},
            "NoDefault": {"Type": "String"},
            "Prefix": {"Type": "String", "Default": "0.0.0.0"},
            "Stage": {"Type": "String", "Default": "dev"},
        },
        "Conditions": {"Prod": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
        "Resources": resources,
    }


def findings(path: Path) -> set[tuple[str, str, str, tuple[str, ...], str]]:
    result = lint_file(Candidate(path, "t"), POLICIES)
    assert result.diagnostics == []
    return {
        (f.policy_id, f.resource, f.attribute, f.conditions, f.message) for f in result.findings
    }


def undecided(path: Path) -> set[tuple[str, str, str]]:
    result = lint_file(Candidate(path, "t"), POLICIES)
    return {(u.policy_id, u.resource, u.attribute) for u in result.undetermined}


@PROFILE
@given(template())
def test_json_and_yaml_give_the_same_findings(
    tmp_path_factory: pytest.TempPathFactory, body: dict[str, Any]
) -> None:
    folder = tmp_path_factory.mktemp("same")
    as_json = json.dumps(body, indent=2)
    (folder / "t.json").write_text(as_json, encoding="utf-8")
    (folder / "t.yaml").write_text(to_yaml(as_json), encoding="utf-8")
    assert findings(folder / "t.json") == findings(folder / "t.yaml")
    assert undecided(folder / "t.json") == undecided(folder / "t.yaml")


YAML_FIXTURES = sorted((FIXTURES / "policies").rglob("*.yaml"))


@pytest.mark.parametrize("path", YAML_FIXTURES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_yaml_fixtures_converted_to_json_give_the_same_findings(tmp_path: Path, path: Path) -> None:
    converted = tmp_path / "t.json"
    converted.write_text(to_json(path.read_text(encoding="utf-8")), encoding="utf-8")
    original = findings(path)
    assert original == findings(converted)

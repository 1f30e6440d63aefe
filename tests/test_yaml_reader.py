from __future__ import annotations

import pytest

from iaclint.diagnostics import Level
from iaclint.parse.cloudformation import CLOUDFORMATION_TAGS, read_template
from iaclint.parse.document import MAX_DEPTH, ParseError, Tagged
from iaclint.parse.yaml_reader import read_yaml


def cfn(text: str):
    return read_yaml(text, "t.yaml", CLOUDFORMATION_TAGS)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("!Ref Name", {"Ref": "Name"}),
        ("!Sub 'a-${B}'", {"Fn::Sub": "a-${B}"}),
        ("!GetAtt Res.Attr", {"Fn::GetAtt": ["Res", "Attr"]}),
        ("!GetAtt Res.Outputs.Name", {"Fn::GetAtt": ["Res", "Outputs.Name"]}),
        ("!GetAtt [Res, Attr]", {"Fn::GetAtt": ["Res", "Attr"]}),
        ("!If [C, 1, 2]", {"Fn::If": ["C", 1, 2]}),
        ("!Join ['', [a, b]]", {"Fn::Join": ["", ["a", "b"]]}),
        ("!Select [0, !GetAZs '']", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
        ("!Split [',', 'a,b']", {"Fn::Split": [",", "a,b"]}),
        ("!FindInMap [M, K, V]", {"Fn::FindInMap": ["M", "K", "V"]}),
        ("!Base64 x", {"Fn::Base64": "x"}),
        ("!Cidr [10.0.0.0/16, 4, 8]", {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}),
        ("!ImportValue Shared", {"Fn::ImportValue": "Shared"}),
        ("!GetAZs ''", {"Fn::GetAZs": ""}),
        ("!Equals [a, b]", {"Fn::Equals": ["a", "b"]}),
        (
            "!And [!Condition A, !Condition B]",
            {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]},
        ),
        ("!Or [!Condition A, !Condition B]", {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
        ("!Not [!Condition A]", {"Fn::Not": [{"Condition": "A"}]}),
        ("!Transform {Name: M}", {"Fn::Transform": {"Name": "M"}}),
        ("!ValueOf [P, VpcId]", {"Fn::ValueOf": ["P", "VpcId"]}),
    ],
)
def test_short_forms_read_as_long_forms(source: str, expected: object) -> None:
    assert cfn(f"Value: {source}\n").data == {"Value": expected}


def test_spans_are_one_based_and_beside_the_data() -> None:
    document = cfn(
        "Resources:\n"
        "  Group:\n"
        "    Type: AWS::EC2::SecurityGroup\n"
        "    Properties:\n"
        "      Ingress:\n"
        "        - CidrIp: 0.0.0.0/0\n"
        "          FromPort: !Ref Port\n"
    )
    spans = document.spans
    assert spans[("Resources", "Group", "Properties", "Ingress", 0, "CidrIp")][1:] == (6, 11, 6, 28)
    port = ("Resources", "Group", "Properties", "Ingress", 0, "FromPort")
    assert spans[port][1:] == (7, 11, 7, 30)
    assert spans[(*port, "Ref")][1:3] == (7, 21)
    # A block mapping ends with its last child, not at the next sibling.
    assert spans[("Resources", "Group")][1:] == (2, 3, 7, 30)
    assert document.data["Resources"]["Group"]["Properties"]["Ingress"][0]["FromPort"] == {
        "Ref": "Port"
    }


def test_block_scalar_ends_on_its_own_last_line() -> None:
    document = cfn("A: |\n  one\n  two\nB: x\n")
    assert document.spans[("A",)][1:] == (1, 1, 3, 6)


def test_yaml_11_scalars_as_cloudformation_reads_them() -> None:
    data = cfn(
        "Version: 2010-09-09\nYes: yes\nOff: off\nOctal: 010\nHex: 0x1F\nFloat: 1.5\n"
        "Exp: 1e3\nNull: ~\nQuoted: 'yes'\nSexagesimal: 1:30\n"
    ).data
    assert data == {
        "Version": "2010-09-09",
        "Yes": True,
        "Off": False,
        "Octal": 8,
        "Hex": 31,
        "Float": 1.5,
        "Exp": "1e3",
        "Null": None,
        "Quoted": "yes",
        "Sexagesimal": 90,
    }


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    document = cfn("A: 1\nB: 2\nA: 3\n")
    assert document.data == {"A": 3, "B": 2}
    (problem,) = document.diagnostics
    assert problem.level is Level.ERROR
    assert (problem.line, problem.column) == (3, 1)
    assert "duplicate key 'A' (first at line 1)" in problem.message


@pytest.mark.parametrize(
    "source",
    [
        "a: !!python/object:os.system {}\n",
        "a: !!python/name:os.system ''\n",
        "a: !!python/object/apply:os.system [ls]\n",
    ],
)
def test_unsafe_tags_are_refused(source: str) -> None:
    with pytest.raises(ParseError, match="unsafe YAML tag") as caught:
        cfn(source)
    assert caught.value.line == 1


def test_unknown_cloudformation_tag_is_kept_opaque_with_a_warning() -> None:
    document = cfn("A: !Rain::Embed file.txt\nB: !Rain::Embed other.txt\n")
    assert document.data == {
        "A": Tagged("!Rain::Embed", "file.txt"),
        "B": Tagged("!Rain::Embed", "other.txt"),
    }
    (warning,) = document.diagnostics  # once per tag and file
    assert warning.level is Level.WARNING
    assert warning.line == 1


def test_generic_yaml_refuses_local_tags() -> None:
    with pytest.raises(ParseError, match="unknown YAML tag '!Ref'"):
        read_yaml("a: !Ref b\n", "policy.yaml")


def test_invalid_yaml_is_located() -> None:
    with pytest.raises(ParseError) as caught:
        cfn("A:\n  - b\n c: d\n")
    assert caught.value.line == 3
    assert caught.value.message.startswith("invalid YAML")


def test_short_form_chain_on_one_line_is_invalid_yaml() -> None:
    with pytest.raises(ParseError):
        cfn("A: !Base64 !Sub 'x'\n")


def test_aliases_share_instead_of_copying() -> None:
    # 9 levels of 9 aliases would be 387 million strings if copied.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 9)}]")
    document = cfn("\n".join(lines) + "\n")
    data = document.data
    assert data["a9"][0] is data["a8"]
    assert len(document.spans) < 200


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(ParseError, match="recursive alias"):
        cfn("a: &x [*x]\n")


def test_nesting_is_bounded() -> None:
    deep = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    with pytest.raises(ParseError, match="nesting deeper"):
        cfn(f"a: {deep}\n")


def test_complex_keys_are_refused() -> None:
    with pytest.raises(ParseError, match="mapping key"):
        cfn("? [a, b]\n: c\n")


def test_empty_document_is_none() -> None:
    assert cfn("").data is None
    assert cfn("# only a comment\n").data is None


def test_read_template_picks_json_or_yaml() -> None:
    assert read_template('{"A": 1}', "t.json").data == {"A": 1}
    assert read_template("A: 1\n", "t.yaml").data == {"A": 1}
    assert read_template('  \n{"A": [1]}', "t.template").data == {"A": [1]}

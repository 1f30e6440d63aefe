"""The AWS::LanguageExtensions transform: Fn::ForEach expanded at the document level."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from cfnlint.decode import decode_str
from cfnlint.template import Template
from cfnlint.template.transforms import Transform
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iaclint.adapt.cloudformation.language_extensions import MAX_GENERATED, expand
from iaclint.adapt.cloudformation.template import adapt_template
from iaclint.diagnostics import Diagnostic, Level
from iaclint.discover import Candidate
from iaclint.engine.policy import Policy
from iaclint.file_work import lint_file
from iaclint.parse.cloudformation import read_template
from iaclint.parse.document import Document

from .conftest import FIXTURES

LANGEXT = FIXTURES / "langext"
HEADER = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::LanguageExtensions\n"
_MARK = re.compile(r"#\s*expect:((?:\s+[A-Z]+[0-9]+@\S+)+)")


def expanded(text: str, name: str = "t.yaml") -> tuple[Document, list[Diagnostic]]:
    return expand(read_template(text, name))


def messages(diagnostics: list[Diagnostic]) -> list[tuple[Level, int | None, str]]:
    return [(d.level, d.line, d.message) for d in diagnostics]


# -- the fixtures -------------------------------------------------------------------

Expected = set[tuple[str, str, int]]


def _expected(path: Path) -> Expected:
    """(policy, resource, line) from `# expect: ID@Resource ...` markers, or from the
    `<file>.expect` beside a JSON file."""
    expected: Expected = set()
    if path.suffix == ".json":
        beside = path.with_name(path.name + ".expect")
        if not beside.exists():
            return expected
        for line in beside.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                number, policy, resource = line.split()
                expected.add((policy, resource, int(number)))
        return expected
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        found = _MARK.search(line)
        for mark in found.group(1).split() if found else ():
            policy, resource = mark.split("@")
            expected.add((policy, resource, number))
    return expected


FIXTURE_FILES = sorted(LANGEXT.glob("*.yaml")) + sorted(LANGEXT.glob("*.json"))
# The policies the fixtures are about: a pass fixture must give none of their findings.
JUDGED = {"IAC001", "IAC026", "IAC030"}


def test_the_fixtures_come_in_both_formats_and_both_verdicts() -> None:
    names = {path.name for path in FIXTURE_FILES}
    assert {"loops.yaml", "loops.json", "pass-loops.yaml", "pass-loops.json"} <= names
    assert {policy for policy, _, _ in _expected(LANGEXT / "loops.yaml")} == JUDGED


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda path: path.name)
def test_findings_in_loops_point_at_the_loop(path: Path, catalogue: list[Policy]) -> None:
    result = lint_file(Candidate(path, path.name), catalogue)
    assert result.linted
    assert [d for d in result.diagnostics if d.level is Level.ERROR] == []
    found = {
        (f.policy_id, f.resource, f.span.line) for f in result.findings if f.policy_id in JUDGED
    }
    expected = _expected(path)
    assert found == expected
    assert bool(expected) != path.name.startswith("pass")


def test_yaml_and_json_fixtures_expand_to_the_same_template() -> None:
    for stem in ("loops", "pass-loops"):
        yaml_doc, yaml_problems = expand(
            read_template((LANGEXT / f"{stem}.yaml").read_text(encoding="utf-8"), "y")
        )
        json_doc, json_problems = expand(
            read_template((LANGEXT / f"{stem}.json").read_text(encoding="utf-8"), "j")
        )
        assert yaml_problems == json_problems == []
        assert yaml_doc.data == json_doc.data


# -- cfn-lint's implementation of the transform as an oracle -----------------------

ORACLE_TEMPLATES = {
    "nested-and-sub": HEADER
    + """\
Parameters:
  Envs: {Type: CommaDelimitedList, Default: "dev,prod"}
Mappings:
  Sizes:
    dev: {Names: [small]}
    prod: {Names: [large, xlarge]}
Conditions:
  Fn::ForEach::IsEnv:
    - Env
    - !Ref Envs
    - Is${Env}: !Equals [!Ref AWS::Region, !Ref Env]
Resources:
  Fn::ForEach::Envs:
    - Env
    - !Ref Envs
    - Fn::ForEach::Sizes:
        - Size
        - !FindInMap [Sizes, !Ref Env, Names]
        - Queue${Env}${Size}:
            Type: AWS::SQS::Queue
            Properties:
              QueueName: !Sub "${Env}-${Size}-${AWS::Region}"
              Tags:
                - Key: size
                  Value: !Ref Size
  Fn::ForEach::Splits:
    - Part
    - [a-b, c_d]
    - Topic&{Part}:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !Join ["-", [!Ref Part, !Ref AWS::StackName]]
          Fn::ForEach::Attributes:
            - Attribute
            - [DisplayName, FifoTopic]
            - ${Attribute}: !Sub "&{Part}"
Outputs:
  Fn::ForEach::Out:
    - Env
    - !Ref Envs
    - Queue${Env}:
        Value: !Sub "${Env} queues"
""",
}


def _oracle(text: str) -> dict[str, object]:
    """The template as cfn-lint's transform expands it, as plain data."""
    template, problems = decode_str(text)
    assert not problems
    cfn = Template("oracle.yaml", template, ["us-east-1"])
    assert Transform().transform(cfn) == []
    plain: dict[str, object] = json.loads(json.dumps(cfn.template))
    return plain


def _resolve_maps(value: object, mappings: dict[str, object]) -> object:
    """Literal Fn::FindInMap replaced by the value (cfn-lint does it while expanding;
    iaclint leaves it to the resolver, which locates the value in Mappings)."""
    if isinstance(value, list):
        return [_resolve_maps(item, mappings) for item in value]
    if not isinstance(value, dict):
        return value
    keys = value.get("Fn::FindInMap") if len(value) == 1 else None
    if isinstance(keys, list) and all(isinstance(key, str) for key in keys):
        found: object = mappings
        for key in keys:
            found = found.get(key) if isinstance(found, dict) else None
        if found is not None:
            return found
    return {key: _resolve_maps(item, mappings) for key, item in value.items()}


ORACLE_TEMPLATES["conditions-and-attributes"] = (
    HEADER
    + """\
Parameters:
  Stage: {Type: String, Default: prod}
Conditions:
  Fn::ForEach::Stages:
    - Name
    - [dev, prod]
    - Is${Name}: !Equals [!Ref Stage, !Ref Name]
Resources:
  Fn::ForEach::Buckets:
    - Identifier
    - [A, B]
    - S3Bucket${Identifier}:
        Type: AWS::S3::Bucket
        Condition: !Sub Isprod
        DependsOn: !Sub Queue${Identifier}
        Properties:
          Tags:
            - {Key: name, Value: !Sub "bucket-${Identifier}-${AWS::Region}"}
  Fn::ForEach::Queues:
    - Identifier
    - [A, B]
    - Queue${Identifier}: {Type: AWS::SQS::Queue}
Outputs:
  Fn::ForEach::BucketOutputs:
    - Identifier
    - [A, B]
    - Fn::ForEach::GetAttLoop:
        - Property
        - [Arn, DomainName]
        - S3Bucket${Identifier}${Property}:
            Condition: Isprod
            Value: !GetAtt [!Sub "S3Bucket${Identifier}", !Ref Property]
"""
)
ORACLE_TEMPLATES.update({path.name: path.read_text(encoding="utf-8") for path in FIXTURE_FILES})


def _equals_sorted(value: object) -> object:
    """Fn::Equals with its operands in one order (cfn-lint reorders them)."""
    if isinstance(value, list):
        return [_equals_sorted(item) for item in value]
    if not isinstance(value, dict):
        return value
    operands = value.get("Fn::Equals") if len(value) == 1 else None
    if isinstance(operands, list):
        return {"Fn::Equals": sorted((_equals_sorted(o) for o in operands), key=json.dumps)}
    return {key: _equals_sorted(item) for key, item in value.items()}


@pytest.mark.parametrize("name", sorted(ORACLE_TEMPLATES))
def test_expansion_matches_cfn_lint(name: str) -> None:
    text = ORACLE_TEMPLATES[name]
    document, problems = expanded(text)
    assert problems == []
    ours = document.data
    assert isinstance(ours, dict)
    theirs = _oracle(text)
    mappings = ours.get("Mappings", {})
    assert isinstance(mappings, dict)
    for section in ("Resources", "Outputs", "Conditions"):
        mine = _resolve_maps(ours.get(section), mappings)
        other = _resolve_maps(theirs.get(section), mappings)
        if mine is None:
            assert other is None
            continue
        assert isinstance(mine, dict) and isinstance(other, dict)
        assert sorted(mine) == sorted(other)  # the names
        assert _equals_sorted(mine) == _equals_sorted(other)


# -- names, substitution and places ---------------------------------------------------


def test_generated_resources_keep_their_conditions_and_dependencies() -> None:
    graph, problems = adapt_template(
        read_template(ORACLE_TEMPLATES["conditions-and-attributes"], "t.yaml")
    )
    assert problems == []
    buckets = [r for r in graph.resources if r.native_type == "AWS::S3::Bucket"]
    assert [(r.address, r.conditions) for r in buckets] == [
        ("S3BucketA", (("Isprod", True),)),
        ("S3BucketB", (("Isprod", True),)),
    ]
    edges = {(e.source, e.target, e.label) for e in graph.edges}
    assert ("S3BucketA", "QueueA", "depends_on") in edges
    outputs = sorted(r.address for r in graph.resources if r.kind == "output")
    assert outputs == [
        "Outputs.S3BucketAArn",
        "Outputs.S3BucketADomainName",
        "Outputs.S3BucketBArn",
        "Outputs.S3BucketBDomainName",
    ]


def test_generated_resources_are_named_as_cloudformation_names_them() -> None:
    document, problems = expanded(
        HEADER + "Resources:\n"
        "  Fn::ForEach::Topics:\n"  # line 4
        "    - Name\n"
        "    - [Orders-Eu, Orders_Us]\n"
        "    - Topic&{Name}:\n"  # line 7
        "        Type: AWS::SNS::Topic\n"
        "        Properties:\n"
        "          TopicName: !Ref Name\n"  # line 10
        "          DisplayName: !Sub '${Name} in ${AWS::Region}'\n"
        "  Plain:\n"
        "    Type: AWS::SNS::Topic\n"
    )
    assert problems == []
    resources = document.data["Resources"]  # type: ignore[index]
    assert list(resources) == ["TopicOrdersEu", "TopicOrdersUs", "Plain"]
    assert resources["TopicOrdersEu"]["Properties"] == {
        "TopicName": "Orders-Eu",
        "DisplayName": {"Fn::Sub": "Orders-Eu in ${AWS::Region}"},
    }
    span = document.span_of
    assert span(("Resources", "TopicOrdersUs")).line == 7
    assert span(("Resources", "TopicOrdersUs", "Properties", "TopicName")).line == 10
    assert span(("Resources", "TopicOrdersUs", "Properties", "DisplayName", "Fn::Sub")).line == 11
    assert span(("Resources", "Plain")).line == 12


def test_an_escaped_placeholder_keeps_its_fn_sub() -> None:
    # `${!Name}` is Fn::Sub's escape for the text `${Name}`: the Fn::Sub must stay to
    # remove the `!` (cfn-lint's expansion drops it, and with it that step).
    document, problems = expanded(
        HEADER + "Resources:\n"
        "  Fn::ForEach::T:\n    - N\n    - [a]\n"
        "    - T${N}:\n        Type: AWS::SNS::Topic\n"
        "        Properties: {TopicName: !Sub '${N}-${!N}'}\n"
    )
    assert problems == []
    topic = document.data["Resources"]["Ta"]  # type: ignore[index]
    assert topic["Properties"] == {"TopicName": {"Fn::Sub": "a-${!N}"}}
    graph, _ = adapt_template(document)
    assert graph.resources[0].native["TopicName"] == "a-${N}"


def test_a_template_without_the_transform_or_loops_is_left_as_it_is() -> None:
    text = "Resources:\n  A:\n    Type: AWS::SNS::Topic\n"
    document = read_template(text, "t.yaml")
    assert expand(document) == (document, [])
    document = read_template(HEADER + text, "t.yaml")
    result, problems = expand(document)
    assert result is document and problems == []


def test_the_transform_in_a_list_with_sam_is_recognised() -> None:
    text = (
        "Transform: [AWS::Serverless-2016-10-31, AWS::LanguageExtensions]\n"
        "Resources:\n  Fn::ForEach::T:\n    - N\n    - [a]\n    - T${N}: {Type: AWS::SNS::Topic}\n"
    )
    document, problems = expanded(text)
    assert list(document.data["Resources"]) == ["Ta"]  # type: ignore[index]
    assert problems == []


def test_collections_resolved_from_the_files() -> None:
    document, problems = expanded(
        HEADER + "Parameters:\n"
        "  Names: {Type: 'List<String>', Default: 'x, y'}\n"
        "Mappings:\n"
        "  M: {K: {L: [m1, m2]}}\n"
        "Resources:\n"
        "  Fn::ForEach::FromParameter: [N, !Ref Names, {'P${N}': {Type: AWS::SNS::Topic}}]\n"
        "  Fn::ForEach::FromMap: [N, !FindInMap [M, K, L], {'M${N}': {Type: AWS::SNS::Topic}}]\n"
        "  Fn::ForEach::FromSplit: [N, !Split ['/', 'p/q'], {'S${N}': {Type: AWS::SNS::Topic}}]\n"
        "  Fn::ForEach::FromSelect:\n"
        "    - N\n"
        "    - [!Select [1, [a, b]], 7, yes]\n"
        "    - E${N}: {Type: AWS::SNS::Topic}\n"
    )
    assert problems == []
    assert list(document.data["Resources"]) == [  # type: ignore[index]
        "Px",
        "Py",
        "Mm1",
        "Mm2",
        "Sp",
        "Sq",
        "Eb",
        "E7",
        "Etrue",
    ]


def test_a_collection_known_only_at_deployment_is_one_warning() -> None:
    document, problems = expanded(
        HEADER + "Parameters:\n"
        "  Names: {Type: CommaDelimitedList}\n"
        "Resources:\n"
        "  Fn::ForEach::Outer:\n"
        "    - Outer\n"
        "    - [a, b, c]\n"
        "    - Fn::ForEach::Inner:\n"
        "        - Inner\n"
        "        - !Ref Names\n"  # line 11
        "        - T${Outer}${Inner}: {Type: AWS::SNS::Topic}\n"
        "  Fn::ForEach::Zones: [Z, !GetAZs '', {'S${Z}': {Type: AWS::EC2::Subnet}}]\n"
        "  Kept: {Type: AWS::SNS::Topic}\n"
    )
    assert document.data["Resources"] == {"Kept": {"Type": "AWS::SNS::Topic"}}  # type: ignore[index]
    assert messages(problems) == [
        (
            Level.WARNING,
            11,
            "'Fn::ForEach::Inner' loops over a collection known only at deployment "
            "(parameter Names has no default): what it generates is not linted",
        ),
        (
            Level.WARNING,
            13,
            "'Fn::ForEach::Zones' loops over a collection known only at deployment "
            "(availability zones are known only at deployment): what it generates is not linted",
        ),
    ]


def test_references_to_generated_resources_resolve(tmp_path: Path) -> None:
    graph, problems = adapt_template(
        read_template(
            HEADER + "Resources:\n"
            "  Fn::ForEach::Buckets:\n"
            "    - Name\n"
            "    - [a, b]\n"
            "    - Bucket${Name}: {Type: AWS::S3::Bucket}\n"
            "  Fn::ForEach::Policies:\n"
            "    - Name\n"
            "    - [a, b]\n"
            "    - Policy${Name}:\n"
            "        Type: AWS::S3::BucketPolicy\n"
            "        Properties:\n"
            "          Bucket: !Ref\n"
            "            Fn::Sub: Bucket${Name}\n"
            "          PolicyDocument: {Statement: []}\n",
            "t.yaml",
        )
    )
    assert problems == []
    edges = {(edge.source, edge.target) for edge in graph.edges}
    assert {("Policya", "Bucketa"), ("Policyb", "Bucketb")} <= edges


# -- malformed loops -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("loop", "line", "message"),
    [
        (
            "  Fn::ForEach::T: [N, [a]]\n",
            4,
            "'Fn::ForEach::T' must be a list of 3: [identifier, collection, output]",
        ),
        (
            "  Fn::ForEach::T-1: [N, [a], {'T${N}': {Type: AWS::SNS::Topic}}]\n",
            4,
            "'Fn::ForEach::T-1': a loop's name must be letters and digits only",
        ),
        (
            "  Fn::ForEach::T:\n    - '${N}'\n    - [a]\n    - {'T${N}': {Type: AWS::SNS::Topic}}\n",
            5,
            "'Fn::ForEach::T': the identifier must be letters, digits and underscores, got '${N}'",
        ),
        (
            "  Fn::ForEach::T:\n    - N\n    - a\n    - {'T${N}': {Type: AWS::SNS::Topic}}\n",
            6,
            "'Fn::ForEach::T': the collection must be a list or a function returning one, got 'a'",
        ),
        (
            "  Fn::ForEach::T:\n    - N\n    - [a, null]\n    - {'T${N}': {Type: AWS::SNS::Topic}}\n",
            6,
            "'Fn::ForEach::T': item 2 of the collection must be text, got nothing",
        ),
        (
            "  Fn::ForEach::T:\n    - N\n    - [a]\n    - [T]\n",
            7,
            "'Fn::ForEach::T': the output must be a mapping of keys to what they hold",
        ),
        (
            "  Fn::ForEach::T:\n    - N\n    - [a, b]\n    - {Same: {Type: AWS::SNS::Topic}}\n",
            7,
            "'Same' is generated by 'Fn::ForEach::T' where it is already defined; "
            "CloudFormation refuses the template (the first one is linted)",
        ),
        (
            "  Fn::ForEach::T:\n    - N\n    - [a]\n    - {'T${N}': {Type: AWS::SNS::Topic}}\n"
            "  Ta: {Type: AWS::SNS::Topic}\n",
            8,
            "'Ta' is generated where it is already defined; "
            "CloudFormation refuses the template (the first one is linted)",
        ),
        (
            "  Fn::ForEach::T:\n    - N\n    - [a-b]\n    - {'T${N}': {Type: AWS::SNS::Topic}}\n",
            7,
            "'Fn::ForEach::T' generates the logical id 'Ta-b', which is not letters and "
            "digits only (`&{N}` drops the others)",
        ),
        (
            "  Fn::ForEach::T:\n    - N\n    - [a]\n"
            "    - Fn::ForEach::U: [N, [b], {'T${N}': {Type: AWS::SNS::Topic}}]\n",
            7,
            "'Fn::ForEach::U': identifier 'N' is already used by an enclosing loop",
        ),
        (
            "  Fn::ForEach::T: [N, [a], {'A${N}': {Type: AWS::SNS::Topic}}]\n"
            "  B:\n    Type: AWS::SNS::Topic\n    Properties:\n"
            "      Fn::ForEach::T: [M, [b], {'${M}': x}]\n",
            8,
            "'Fn::ForEach::T': another loop of the template has this name",
        ),
    ],
    ids=[
        "shape",
        "loop name",
        "identifier",
        "collection",
        "empty item",
        "output",
        "same name every item",
        "name of a sibling",
        "logical id",
        "identifier reused",
        "loop name reused",
    ],
)
def test_malformed_loops_are_located_errors(loop: str, line: int, message: str) -> None:
    _, problems = expanded(HEADER + "Resources:\n" + loop)
    assert messages(problems) == [(Level.ERROR, line, message)]


def test_a_collection_that_is_not_a_list_is_an_error() -> None:
    _, problems = expanded(
        HEADER + "Parameters:\n  Name: {Type: String, Default: 'a,b'}\nResources:\n"
        "  Fn::ForEach::T: [N, !Ref Name, {'T${N}': {Type: AWS::SNS::Topic}}]\n"
    )
    assert messages(problems) == [
        (Level.ERROR, 6, "'Fn::ForEach::T': the collection must be a list, got 'a,b'")
    ]


# -- bounds ---------------------------------------------------------------------------


def test_a_loop_bomb_is_refused_quickly() -> None:
    items = "[" + ", ".join(f"v{i}" for i in range(40)) + "]"
    text = (
        HEADER + "Resources:\n"
        f"  Fn::ForEach::A:\n    - A\n    - {items}\n"
        f"    - Fn::ForEach::B:\n        - B\n        - {items}\n"
        f"        - Fn::ForEach::C:\n            - C\n            - {items}\n"
        f"            - Fn::ForEach::D:\n                - D\n                - {items}\n"
        "                - T${A}${B}${C}${D}: {Type: AWS::SNS::Topic}\n"
        "  Kept: {Type: AWS::SNS::Topic}\n"
    )
    document = read_template(text, "t.yaml")
    started = time.perf_counter()
    result, problems = expand(document)
    assert time.perf_counter() - started < 10
    assert result is document  # nothing expanded: the rest of the template is linted
    assert messages(problems) == [
        (
            Level.ERROR,
            13,
            f"'Fn::ForEach::D' and the loops around it would generate more than "
            f"{MAX_GENERATED:,} values (nested loops multiply); no loop of the template is "
            "expanded",
        )
    ]
    graph, _ = adapt_template(document)
    assert [resource.address for resource in graph.resources] == ["Kept"]


def test_yaml_aliases_inside_a_loop_count_against_the_bound() -> None:
    lines = ["Body0: &b0 [x, x, x, x, x, x, x, x]"]
    for level in range(1, 7):
        previous = f"*b{level - 1}"
        lines.append(f"Body{level}: &b{level} [{', '.join([previous] * 8)}]")
    text = (
        HEADER + "Metadata:\n" + "".join(f"  {line}\n" for line in lines) + "Resources:\n"
        "  Fn::ForEach::T:\n    - N\n    - [a]\n"
        "    - T${N}:\n        Type: AWS::SNS::Topic\n        Metadata: {Big: *b6}\n"
    )
    _, problems = expanded(text)
    assert [problem.level for problem in problems] == [Level.ERROR]
    assert "would generate more than" in problems[0].message


# -- DeletionPolicy and UpdateReplacePolicy --------------------------------------------


def test_policy_attributes_may_be_a_parameter_or_a_condition() -> None:
    _, problems = expanded(
        HEADER + "Parameters:\n"
        "  Keep: {Type: String, Default: Retain, AllowedValues: [Retain, Delete]}\n"
        "  Bad: {Type: String, Default: Keep}\n"
        "Conditions:\n  IsProd: !Equals [!Ref Keep, Retain]\n"
        "Resources:\n"
        "  Fine:\n"
        "    Type: AWS::SNS::Topic\n"
        "    DeletionPolicy: !Ref Keep\n"
        "    UpdateReplacePolicy: !If [IsProd, Retain, Delete]\n"
        "  Wrong:\n"  # line 13
        "    Type: AWS::SNS::Topic\n"
        "    DeletionPolicy: !Ref Bad\n"
        "    UpdateReplacePolicy: !If [Missing, RetainExceptOnCreate, !Sub x]\n"
    )
    assert messages(problems) == [
        (
            Level.ERROR,
            15,
            "DeletionPolicy 'Keep' (default of parameter Bad) is not one of Delete, Retain, "
            "RetainExceptOnCreate, Snapshot",
        ),
        (
            Level.ERROR,
            16,
            "UpdateReplacePolicy: Fn::If names 'Missing', which is not a condition",
        ),
        (
            Level.ERROR,
            16,
            "UpdateReplacePolicy 'RetainExceptOnCreate' is not one of Delete, Retain, Snapshot",
        ),
        (
            Level.ERROR,
            16,
            "UpdateReplacePolicy must be one of Delete, Retain, Snapshot, a Ref to a parameter "
            "or an Fn::If between them",
        ),
    ]


# -- any shape of loop: located problems, never a crash ---------------------------------

_KEYS = st.sampled_from(
    [
        "Fn::ForEach::A",
        "Fn::ForEach::B",
        "Fn::ForEach::Bad-Name",
        "T${N}",
        "T&{M}",
        "${N}",
        "Fixed",
        "Type",
        "Properties",
        "Ref",
        "Fn::Sub",
    ]
)
_LEAVES = st.one_of(
    st.sampled_from(
        ["N", "M", "a", "b-c", "", "${N}", "T${N}", "AWS::SNS::Topic", "Names", "Text"]
    ),
    st.integers(-2, 2),
    st.booleans(),
    st.none(),
)
_COLLECTIONS = st.one_of(
    st.lists(_LEAVES, max_size=3),
    st.sampled_from(
        [
            {"Ref": "Names"},
            {"Ref": "N"},
            {"Fn::Split": [",", "x,y"]},
            {"Fn::GetAZs": ""},
            {"Fn::FindInMap": ["Nowhere", "a", "b"]},
            {"Fn::Sub": "${N}"},
        ]
    ),
)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(_KEYS, inner, max_size=4),
        # A loop's argument, well formed or nearly: [identifier, collection, output].
        st.tuples(
            st.sampled_from(["N", "M", "${N}", "N"]),
            _COLLECTIONS,
            st.dictionaries(_KEYS, inner, max_size=3),
        ).map(list),
    ),
    max_leaves=30,
)


_BODIES = st.dictionaries(
    st.sampled_from(["Type", "Properties", "P${N}", "Name&{M}"]),
    st.one_of(
        _LEAVES,
        st.sampled_from([{"Ref": "N"}, {"Fn::Sub": "x-${N}-&{M}"}, {"Fn::Sub": ["${N}", {}]}]),
    ),
    max_size=3,
)
# Loops mostly well formed, nested, over lists of names: [identifier, collection, output].
_LOOPS = st.deferred(
    lambda: st.tuples(
        st.sampled_from(["N", "M", "N", "M", "${N}"]),
        st.one_of(st.lists(st.sampled_from(["a", "b", "c1", "d-e", ""]), max_size=3), _COLLECTIONS),
        st.dictionaries(
            st.sampled_from(["T${N}", "T&{N}${M}", "Fn::ForEach::B", "Fn::ForEach::A", "Fixed"]),
            st.one_of(_BODIES, _LOOPS),
            min_size=1,
            max_size=3,
        ),
    ).map(list)
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    resources=st.one_of(
        st.dictionaries(
            st.sampled_from(["Fn::ForEach::C", "Fn::ForEach::D", "Topic"]), _LOOPS, max_size=3
        ),
        st.dictionaries(_KEYS, st.one_of(_LOOPS, _VALUES), max_size=4),
    )
)
def test_any_loop_shape_gives_located_problems_not_a_crash(resources: dict[str, object]) -> None:
    template = {
        "Transform": "AWS::LanguageExtensions",
        "Parameters": {"Names": {"Type": "CommaDelimitedList", "Default": "a,b"}},
        "Resources": resources,
    }
    document = read_template(json.dumps(template, indent=1), "t.json")
    result, problems = expand(document)
    assert all(problem.line is not None for problem in problems)
    assert all(result.spans.get(path) is not None for path in _paths(result.data))
    adapt_template(document)


def _paths(value: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path of a document's data (each must have its span)."""
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*path, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*path, index)))
    return found

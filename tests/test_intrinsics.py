from __future__ import annotations

import json
from typing import Any

import pytest

from iaclint.adapt.cloudformation.conditions import MAX_ATOMS, ConditionModel, Variant
from iaclint.adapt.cloudformation.intrinsics import NO_VALUE, Resolver, TooLarge
from iaclint.adapt.sourced import Src
from iaclint.graph.values import Input, PartialString, Reference, Unknown
from iaclint.parse.cloudformation import read_template

TEMPLATE = """
Parameters:
  Cidr: {Type: String, Default: 10.0.0.0/8}
  Secret: {Type: String, NoEcho: true}
  Choice: {Type: String, AllowedValues: [a, b]}
  Names: {Type: CommaDelimitedList, Default: "x, y,z"}
Mappings:
  Regions:
    us-east-1: {Ami: ami-1}
    prod: {Port: 22}
Resources:
  Role: {Type: AWS::IAM::Role}
  Thing:
    Type: AWS::S3::Bucket
    Properties:
      Ref: !Ref Cidr
"""


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    document = read_template(TEMPLATE, "t.yaml")
    assert isinstance(document.data, dict)
    return Resolver(document.data, document)


def plain(node: Any) -> Any:
    if node is NO_VALUE:
        return NO_VALUE
    assert isinstance(node, Src)
    if isinstance(node.value, dict):
        return {key: plain(child) for key, child in node.value.items()}
    if isinstance(node.value, list):
        return [plain(child) for child in node.value]
    return node.value


NO_CONDITIONS = Variant(())


def resolve(resolver: Resolver, value: object, variant: Variant = NO_CONDITIONS) -> Any:
    return plain(resolver.resolve(value, ("X",), variant))


def test_ref_to_parameter_is_an_input_with_its_default(resolver: Resolver) -> None:
    value = resolve(resolver, {"Ref": "Cidr"})
    assert isinstance(value, Input)
    assert (value.name, value.value, value.has_default, value.secret) == (
        "Cidr",
        "10.0.0.0/8",
        True,
        False,
    )
    assert value.declared_at is not None and value.declared_at.line == 3


def test_parameter_facts_are_kept(resolver: Resolver) -> None:
    secret = resolve(resolver, {"Ref": "Secret"})
    assert secret.secret and not secret.has_default
    assert isinstance(secret.value, Unknown)
    assert resolve(resolver, {"Ref": "Choice"}).allowed_values == ("a", "b")
    assert resolve(resolver, {"Ref": "Names"}).value == ["x", "y", "z"]


def test_pseudo_parameters_are_named_symbols(resolver: Resolver) -> None:
    value = resolve(resolver, {"Ref": "AWS::Partition"})
    assert value == Unknown("AWS::Partition is known only at deployment", symbol="AWS::Partition")


def test_ref_to_resource_and_getatt_are_references(resolver: Resolver) -> None:
    assert resolve(resolver, {"Ref": "Role"}) == Reference("Role")
    assert resolve(resolver, {"Fn::GetAtt": ["Role", "Arn"]}) == Reference("Role", "Arn")
    assert resolve(resolver, {"Fn::GetAtt": "Role.Arn"}) == Reference("Role", "Arn")
    undefined = resolve(resolver, {"Ref": "Nope"})
    assert isinstance(undefined, Unknown) and "does not define" in undefined.reason


ECHOING = """
Parameters:
  VpcCidr: {Type: String, Default: 10.20.0.0/16}
  Unset: {Type: String}
Conditions:
  Wide: !Equals [!Ref Unset, wide]
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !Ref VpcCidr
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [1, !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]]
  Pooled:
    Type: AWS::EC2::VPC
    Properties:
      Ipv4IpamPoolId: ipam-pool-0123456789abcdef0
      Ipv4NetmaskLength: 16
  Either:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !If [Wide, 10.0.0.0/8, 10.1.0.0/16]
  Loop:
    Type: AWS::EC2::Subnet
    Properties:
      CidrBlock: !GetAtt Loop.CidrBlock
"""


def test_getatt_of_an_attribute_returned_as_written_is_that_property() -> None:
    document = read_template(ECHOING, "t.yaml")
    assert isinstance(document.data, dict)
    resolver = Resolver(document.data, document)
    cidr = resolver.resolve({"Fn::GetAtt": ["Vpc", "CidrBlock"]}, ("X",), NO_CONDITIONS)
    assert isinstance(cidr, Src) and isinstance(cidr.value, Input)
    assert (cidr.value.name, cidr.value.value) == ("VpcCidr", "10.20.0.0/16")
    assert cidr.origin == ("Resources", "Vpc", "Properties", "CidrBlock")
    assert resolve(resolver, {"Fn::GetAtt": "Subnet.CidrBlock"}) == "10.20.1.0/24"
    assert resolve(resolver, {"Fn::Sub": "${Subnet.CidrBlock}"}) == "10.20.1.0/24"
    # Other attributes, and CIDRs chosen at deployment, stay references.
    assert resolve(resolver, {"Fn::GetAtt": "Vpc.DefaultSecurityGroup"}) == Reference(
        "Vpc", "DefaultSecurityGroup"
    )
    assert resolve(resolver, {"Fn::GetAtt": "Pooled.CidrBlock"}) == Reference("Pooled", "CidrBlock")
    # The property is resolved in the variant asking for it.
    either = {"Fn::GetAtt": "Either.CidrBlock"}
    assert resolve(resolver, either, Variant((("Wide", True),))) == "10.0.0.0/8"
    assert resolve(resolver, either, Variant((("Wide", False),))) == "10.1.0.0/16"
    assert resolve(resolver, either) == Unknown("depends on condition Wide")
    assert resolve(resolver, {"Fn::GetAtt": "Loop.CidrBlock"}) == Reference("Loop", "CidrBlock")


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        (["10.0.0.0/16", 3, 8], ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]),
        (["192.168.0.0/24", "2", "5"], ["192.168.0.0/27", "192.168.0.32/27"]),
        (["2001:db8::/56", 2, 64], ["2001:db8::/64", "2001:db8:0:1::/64"]),
    ],
)
def test_cidr_of_known_values_is_computed(
    resolver: Resolver, argument: list[object], expected: list[str]
) -> None:
    assert resolve(resolver, {"Fn::Cidr": argument}) == expected


@pytest.mark.parametrize(
    ("argument", "reason"),
    [
        (["10.0.0.0/24", 4, 8], "Fn::Cidr cannot make 4 subnets of 10.0.0.0/24"),
        (["10.0.0.0/16", 0, 8], "Fn::Cidr cannot make 0 subnets of 10.0.0.0/16"),
        (["not-a-cidr", 2, 8], "Fn::Cidr of 'not-a-cidr', which is not a CIDR block"),
        ([{"Ref": "Role"}, 2, 8], "Fn::Cidr of values known only at deployment"),
        (["10.0.0.0/16", 2], "malformed Fn::Cidr"),
    ],
)
def test_cidr_of_unknown_or_impossible_values_is_unknown(
    resolver: Resolver, argument: list[object], reason: str
) -> None:
    assert resolve(resolver, {"Fn::Cidr": argument}) == Unknown(reason)


def test_no_value_removes_properties_and_items(resolver: Resolver) -> None:
    value = resolve(resolver, {"A": {"Ref": "AWS::NoValue"}, "B": [1, {"Ref": "AWS::NoValue"}, 2]})
    assert value == {"B": [1, 2]}


def test_sub_and_join_of_known_parts_are_strings(resolver: Resolver) -> None:
    assert resolve(resolver, {"Fn::Sub": "net-${Cidr}"}) == "net-10.0.0.0/8"
    assert resolve(resolver, {"Fn::Sub": ["${A}-${!Literal}", {"A": "x"}]}) == "x-${Literal}"
    assert resolve(resolver, {"Fn::Join": ["-", ["a", 1, True, {"Ref": "Cidr"}]]}) == (
        "a-1-true-10.0.0.0/8"
    )


def test_sub_and_join_with_unknown_parts_are_partial(resolver: Resolver) -> None:
    value = resolve(resolver, {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/${Role}"})
    assert isinstance(value, PartialString)
    assert value.parts[0] == "arn:"
    assert value.parts[1].symbol == "AWS::Partition"
    assert value.parts[2] == ":iam::aws:policy/"
    assert value.parts[3] == Reference("Role")
    joined = resolve(resolver, {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3"]]})
    assert isinstance(joined, PartialString)
    assert joined.describe() == "arn:${AWS::Partition}:s3"


def test_find_in_map_with_literal_keys(resolver: Resolver) -> None:
    node = resolver.resolve({"Fn::FindInMap": ["Regions", "prod", "Port"]}, ("X",), Variant(()))
    assert isinstance(node, Src)
    assert node.value == 22
    assert node.origin == ("Mappings", "Regions", "prod", "Port")
    by_region = resolve(resolver, {"Fn::FindInMap": ["Regions", {"Ref": "AWS::Region"}, "Ami"]})
    assert isinstance(by_region, Unknown)
    missing = resolve(resolver, {"Fn::FindInMap": ["Regions", "eu-west-1", "Ami"]})
    assert isinstance(missing, Unknown) and "no entry" in missing.reason


BY_PARTITION = """
Mappings:
  Policies:
    aws: {Admin: "arn:aws:iam::aws:policy/AdministratorAccess", Same: x, Other: a}
    aws-cn: {Admin: "arn:aws-cn:iam::aws:policy/AdministratorAccess", Same: x, Other: b}
  ByRegion:
    us-east-1: {Ami: ami-1, Arn: "arn:aws:iam::aws:policy/A"}
    eu-west-1: {Ami: ami-2, Arn: "arn:aws:iam::aws:policy/B"}
  Nested:
    Top: {aws: x, aws-cn: x}
Resources:
  Role: {Type: AWS::IAM::Role}
"""


def test_find_in_map_with_the_partition_or_another_key_unknown() -> None:
    document = read_template(BY_PARTITION, "t.yaml")
    assert isinstance(document.data, dict)
    resolver = Resolver(document.data, document)
    partition = {"Ref": "AWS::Partition"}
    admin = resolve(resolver, {"Fn::FindInMap": ["Policies", partition, "Admin"]})
    assert isinstance(admin, PartialString)
    assert admin.describe() == "arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess"
    # The same value in every entry is that value, located at the first entry.
    node = resolver.resolve(
        {"Fn::FindInMap": ["Policies", partition, "Same"]}, ("X",), NO_CONDITIONS
    )
    assert isinstance(node, Src)
    assert (node.value, node.origin) == ("x", ("Mappings", "Policies", "aws", "Same"))
    assert resolve(resolver, {"Fn::FindInMap": ["Nested", "Top", partition]}) == "x"
    # Values that differ otherwise, or ARNs of a map keyed by something else, stay unknown.
    unknown = Unknown("Fn::FindInMap with a key known only at deployment")
    assert resolve(resolver, {"Fn::FindInMap": ["Policies", partition, "Other"]}) == unknown
    region = {"Ref": "AWS::Region"}
    assert resolve(resolver, {"Fn::FindInMap": ["ByRegion", region, "Arn"]}) == unknown
    assert resolve(resolver, {"Fn::FindInMap": ["ByRegion", region, "Missing"]}) == unknown
    assert resolve(resolver, {"Fn::FindInMap": [region, "aws", "Same"]}) == unknown
    assert resolve(resolver, {"Fn::FindInMap": ["Policies", partition, region]}) == unknown


def test_find_in_map_with_an_unknown_key_walks_each_mapping_once() -> None:
    entries = "\n".join(f"    r{index}: {{Ami: ami-1}}" for index in range(2000))
    uses = "\n".join(
        f"      P{index}: !FindInMap [ByRegion, !Ref AWS::Region, Ami]" for index in range(2000)
    )
    text = f"Mappings:\n  ByRegion:\n{entries}\nResources:\n  R:\n    Type: X\n"
    text += f"    Properties:\n{uses}\n"
    document = read_template(text, "t.yaml")
    assert isinstance(document.data, dict)
    resolver = Resolver(document.data, document)
    before = resolver.budget
    properties = document.data["Resources"]["R"]["Properties"]
    resolved = resolve(resolver, properties)
    assert set(resolved.values()) == {"ami-1"}
    # About one step per FindInMap and its keys, plus one walk of the mapping.
    assert before - resolver.budget < 10 * 2000


def test_select_split_length_tojsonstring(resolver: Resolver) -> None:
    assert resolve(resolver, {"Fn::Select": [1, ["a", "b"]]}) == "b"
    assert resolve(resolver, {"Fn::Select": ["0", {"Ref": "Names"}]}) == "x"
    assert resolve(resolver, {"Fn::Split": [",", "a,b"]}) == ["a", "b"]
    assert resolve(resolver, {"Fn::Length": [1, 2, 3]}) == 3
    assert resolve(resolver, {"Fn::ToJsonString": {"a": [1]}}) == '{"a":[1]}'
    assert isinstance(resolve(resolver, {"Fn::Select": [5, ["a"]]}), Unknown)
    assert isinstance(resolve(resolver, {"Fn::Select": [0, {"Fn::GetAZs": ""}]}), Unknown)


def test_length_of_a_list_parameter_is_its_defaults(resolver: Resolver) -> None:
    assert resolve(resolver, {"Fn::Length": {"Ref": "Names"}}) == 3
    assert resolve(resolver, {"Fn::Length": [{"Ref": "Role"}, {"Ref": "Secret"}]}) == 2
    assert isinstance(resolve(resolver, {"Fn::Length": {"Fn::GetAZs": ""}}), Unknown)


def test_tojsonstring_keeps_what_is_known_around_what_is_not(resolver: Resolver) -> None:
    value = resolve(
        resolver,
        {
            "Fn::ToJsonString": {
                "Resource": {"Fn::Sub": 'arn:${AWS::Partition}:s3:::"${Thing}"/*'},
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Cidr": {"Ref": "Cidr"},
                "Secret": {"Ref": "Secret"},
                "Flags": [True, None, 1.5],
            }
        },
    )
    assert isinstance(value, PartialString)
    partition, thing, role, secret = (p for p in value.parts if not isinstance(p, str))
    assert isinstance(partition, Unknown) and partition.symbol == "AWS::Partition"
    assert thing == Reference("Thing") and role == Reference("Role", "Arn")
    assert isinstance(secret, Unknown) and "Secret" in secret.reason
    text = "".join(p if isinstance(p, str) else "X" for p in value.parts)
    assert json.loads(text) == {
        "Resource": 'arn:X:s3:::"X"/*',
        "Role": "X",
        "Cidr": "10.0.0.0/8",
        "Secret": "X",
        "Flags": [True, None, 1.5],
    }


def test_findinmap_default_value_stands_for_a_missing_entry(resolver: Resolver) -> None:
    default = {"DefaultValue": ["d1", "d2"]}
    assert resolve(resolver, {"Fn::FindInMap": ["Regions", "nowhere", "Ami", default]}) == [
        "d1",
        "d2",
    ]
    assert resolve(resolver, {"Fn::FindInMap": ["Nothing", "a", "b", {"DefaultValue": 0}]}) == 0


def test_base64_is_transparent(resolver: Resolver) -> None:
    assert resolve(resolver, {"Fn::Base64": {"Fn::Sub": "echo ${Cidr}"}}) == "echo 10.0.0.0/8"


@pytest.mark.parametrize(
    ("function", "words"),
    [
        ({"Fn::ImportValue": "x"}, "another stack"),
        ({"Fn::GetAZs": ""}, "availability zones"),
        ({"Fn::Transform": {"Name": "M"}}, "macro"),
    ],
)
def test_unknowable_functions_say_why(resolver: Resolver, function: object, words: str) -> None:
    value = resolve(resolver, function)
    assert isinstance(value, Unknown)
    assert words in value.reason


def test_if_takes_the_variant_branch(resolver: Resolver) -> None:
    node = {"Fn::If": ["IsProd", "a", {"Ref": "AWS::NoValue"}]}
    assert resolve(resolver, node, Variant((("IsProd", True),))) == "a"
    assert resolver.resolve(node, ("X",), Variant((("IsProd", False),))) is NO_VALUE
    undecided = resolve(resolver, node)
    assert isinstance(undecided, Unknown) and "condition IsProd" in undecided.reason


def test_resolution_is_bounded() -> None:
    document = read_template("Resources: {}\n", "t.yaml")
    assert isinstance(document.data, dict)
    resolver = Resolver(document.data, document)
    resolver.budget = 100
    with pytest.raises(TooLarge):
        resolver.resolve({"a": list(range(200))}, (), Variant(()))


def conditions(definitions: dict[str, object]) -> ConditionModel:
    return ConditionModel(definitions, budget=200_000)


def equals(parameter: str, value: str) -> dict[str, object]:
    return {"Fn::Equals": [{"Ref": parameter}, value]}


def test_negated_conditions_are_never_both_true() -> None:
    model = conditions(
        {"IsProd": equals("Stage", "prod"), "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]}}
    )
    variants = model.variants(["IsProd", "IsDev"], None)
    assert sorted(v.conditions for v in variants) == [
        (("IsProd", False), ("IsDev", True)),
        (("IsProd", True), ("IsDev", False)),
    ]


def test_one_parameter_cannot_equal_two_literals() -> None:
    model = conditions({"A": equals("Stage", "prod"), "B": equals("Stage", "dev")})
    assert (("A", True), ("B", True)) not in {
        v.conditions for v in model.variants(["A", "B"], None)
    }


def test_resource_condition_excludes_variants_where_it_is_false() -> None:
    model = conditions({"Create": equals("Stage", "prod"), "Big": equals("Size", "l")})
    variants = model.variants(["Big"], "Create")
    assert all(dict(v.conditions)["Create"] for v in variants)
    assert len(variants) == 2


def test_constant_conditions_are_decided() -> None:
    model = conditions({"Always": {"Fn::Equals": ["a", "a"]}, "Never": {"Fn::Equals": ["a", 1]}})
    assert model.variants(["Always", "Never"], None) == [
        Variant((("Always", True), ("Never", False)))
    ]


def test_hundreds_of_conditions_stay_bounded() -> None:
    definitions = {f"C{i}": equals(f"P{i}", "yes") for i in range(300)}
    definitions["All"] = {"Fn::And": [{"Condition": f"C{i}"} for i in range(300)]}
    model = conditions(definitions)
    variants = model.variants([f"C{i}" for i in range(300)], None)
    assert len(variants) <= 2**MAX_ATOMS
    # Conditions beyond the explored atoms stay undecided.
    assert all(len(v.conditions) == MAX_ATOMS for v in variants)


def test_self_referencing_condition_does_not_loop() -> None:
    model = conditions({"A": {"Fn::Not": [{"Condition": "A"}]}})
    assert model.variants(["A"], None) == [Variant(())]


def test_conditions_built_on_each_other_many_times_over_are_evaluated_once_each() -> None:
    # Each level uses the one below four times: evaluated naively, level 20 costs 4**20 steps.
    definitions: dict[str, Any] = {"C0": equals("Stage", "prod")}
    for level in range(1, 21):
        below = {"Condition": f"C{level - 1}"}
        definitions[f"C{level}"] = {"Fn::Or": [below] * 4}
    model = conditions(definitions)
    variants = model.variants(["C20"], None)
    assert sorted(v.conditions for v in variants) == [(("C20", False),), (("C20", True),)]


def test_condition_cycles_are_named() -> None:
    model = conditions(
        {
            "A": {"Fn::Or": [{"Condition": "B"}, equals("Stage", "x")]},
            "B": {"Fn::Not": [{"Condition": "A"}]},
            "C": {"Fn::Not": [{"Condition": "C"}]},
            "D": {"Condition": "A"},
        }
    )
    assert model.cycles() == [("A", "B", "A"), ("C", "C")]

from __future__ import annotations

import pytest

from iaclint.adapt.iam_document import (
    bus_permission,
    document,
    in_public_repository,
    single_statement,
    within_vpc,
)
from iaclint.adapt.sourced import Src, freeze
from iaclint.engine.operators import OPERATORS
from iaclint.graph.values import Input, PartialString, Reference, Unknown

PARTITION = Unknown("AWS::Partition is known only at deployment", symbol="AWS::Partition")
ACCOUNT = Unknown("AWS::AccountId is known only at deployment", symbol="AWS::AccountId")


def src(value: object, origin: tuple[str | int, ...] = ("Doc",)) -> Src:
    if isinstance(value, dict):
        return Src({k: src(v, (*origin, k)) for k, v in value.items()}, origin)
    if isinstance(value, list):
        return Src([src(v, (*origin, i)) for i, v in enumerate(value)], origin)
    return Src(value, origin)


def normalized(value: object) -> tuple[object, dict[tuple[object, ...], tuple[object, ...]]]:
    built = document(src(value))
    assert built is not None
    data, origins = freeze(Src({"document": built}, ()))
    return data["document"], origins


def test_single_statement_and_string_action_become_lists() -> None:
    data, origins = normalized(
        {"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}
    )
    assert data == {"statements": [{"effect": "allow", "actions": ["s3:*"], "resources": ["*"]}]}
    assert origins[("document", "statements", 0, "actions", 0)] == ("Doc", "Statement", "Action")


def test_principals() -> None:
    data, _ = normalized(
        {
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"},
                {
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": ["arn:aws:iam::1:root", "*"],
                        "Service": "ec2.amazonaws.com",
                    },
                },
            ]
        }
    )
    assert data["statements"][0]["principals"] == [{"type": "*", "value": "*"}]
    assert data["statements"][1]["principals"] == [
        {"type": "AWS", "value": "arn:aws:iam::1:root"},
        {"type": "AWS", "value": "*"},
        {"type": "Service", "value": "ec2.amazonaws.com"},
    ]


def test_json_text_documents() -> None:
    data, origins = normalized(
        '{"Statement": [{"Effect": "Deny", "NotAction": ["iam:*"], "NotResource": "x"}]}'
    )
    assert data == {
        "statements": [{"effect": "deny", "not_actions": ["iam:*"], "not_resources": ["x"]}]
    }
    # Values inside the text are located at the text itself.
    assert origins[("document", "statements", 0, "not_actions", 0)] == ("Doc",)


def test_partly_known_json_text_keeps_its_unknown_parts() -> None:
    text = PartialString(
        (
            '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:',
            PARTITION,
            ":s3:::",
            Reference("Bucket"),
            '/*"}]}',
        )
    )
    data, _ = normalized(text)
    (statement,) = data["statements"]
    assert statement["resources"] == [
        PartialString(("arn:", PARTITION, ":s3:::", Reference("Bucket"), "/*"))
    ]


def test_unknown_parts_outside_strings_make_the_document_unknown() -> None:
    data, _ = normalized(PartialString(('{"Statement": ', Unknown("x"), "}")))
    assert isinstance(data, Unknown)
    assert "not valid JSON" in data.reason


def test_invalid_and_opaque_documents() -> None:
    assert isinstance(normalized("{not json")[0], Unknown)
    assert normalized(Unknown("imported"))[0] == Unknown("imported")


def run(name: str, subject: object, /, **arguments: object) -> bool | None:
    return OPERATORS[name].function(subject, arguments).truth


@pytest.mark.parametrize(
    ("pattern", "truth"),
    [
        ("*", True),
        ("*:*", True),
        ("**", True),
        ("s3:*", False),
        ("*:Get*", False),
        ("iam:PassRole", False),
        (5, False),
    ],
)
def test_action_matches_all(pattern: object, truth: bool) -> None:
    assert run("action_matches_all", pattern) is truth


@pytest.mark.parametrize(
    ("pattern", "truth"),
    [
        ("s3:*", True),
        ("IAM:*", True),
        ("s*:*", True),
        ("*", False),
        ("*:*", False),
        ("ec2:Describe*", False),
        ("s3:Get*", False),
    ],
)
def test_action_matches_service(pattern: object, truth: bool) -> None:
    assert run("action_matches_service", pattern) is truth


@pytest.mark.parametrize(
    ("pattern", "truth"),
    [("iam:*", False), ("IAM:?*", False), ("i*:*", False), ("s3:*", True), ("Iam:Get*", False)],
)
def test_action_matches_service_leaves_excluded_services_out(pattern: str, truth: bool) -> None:
    assert run("action_matches_service", pattern, excluding=["iam"]) is truth


@pytest.mark.parametrize(
    ("pattern", "truth"),
    [
        ("iam:*", True),
        ("IAM:*", True),
        ("iam:?*", True),
        ("i*:*", True),
        ("*", True),
        ("iam:Get*", False),
        ("iam:PassRole", False),
        ("s3:*", False),
        ("ia:*", False),
        (PartialString(("iam:", Unknown("x"))), None),
        (PartialString(("s3:", Unknown("x"))), False),
        (Unknown("x"), None),
    ],
)
def test_action_covers_service(pattern: object, truth: bool | None) -> None:
    assert run("action_covers_service", pattern, service="iam") is truth


@pytest.mark.parametrize(
    ("pattern", "truth"),
    [
        ("*", True),
        ("arn:*", True),
        ("arn:aws:*:*:*:*", True),
        ("arn:aws-cn:*", True),
        ("arn:aws:s3:::*", False),
        ("arn:aws:iam::123456789012:*", False),
        (Reference("Bucket", "Arn"), False),
        (PartialString((Reference("Bucket", "Arn"), "/*")), False),
        (PartialString(("arn:", PARTITION, ":*")), True),
        (PartialString(("arn:aws:", Unknown("x"), ":*:*:*")), None),
        (PartialString(("arn:aws:s3:::", Unknown("x"))), False),
        (Unknown("x"), None),
    ],
)
def test_resource_matches_all(pattern: object, truth: bool | None) -> None:
    assert run("resource_matches_all", pattern) is truth


ADMIN = ["AdministratorAccess", "IAMFullAccess"]


@pytest.mark.parametrize(
    ("arn", "truth"),
    [
        ("arn:aws:iam::aws:policy/AdministratorAccess", True),
        ("arn:aws-us-gov:iam::aws:policy/IAMFullAccess", True),
        ("arn:aws-iso-b:iam::aws:policy/AdministratorAccess", True),
        (PartialString(("arn:", PARTITION, ":iam::aws:policy/AdministratorAccess")), True),
        ("arn:aws:iam::aws:policy/ReadOnlyAccess", False),
        ("arn:aws:iam::aws:policy/AdministratorAccess-Amplify", False),
        ("arn:aws:iam::123456789012:policy/AdministratorAccess", False),
        (Reference("CustomerPolicy"), False),
        (PartialString(("arn:aws:iam::", Unknown("x"), ":policy/AdministratorAccess")), None),
    ],
)
def test_is_aws_managed_policy(arn: object, truth: bool | None) -> None:
    assert run("is_aws_managed_policy", arn, names=ADMIN) is truth


def test_managed_policy_grants_is_unknown_for_customer_policies_elsewhere() -> None:
    assert run("managed_policy_grants", "arn:aws:iam::123456789012:policy/x", names=ADMIN) is None
    assert (
        run("managed_policy_grants", "arn:aws:iam::aws:policy/ReadOnlyAccess", names=ADMIN) is False
    )
    assert run("managed_policy_grants", Reference("P"), names=ADMIN) is False


def statement(**fields: object) -> dict[str, object]:
    return {"effect": "allow", **fields}


@pytest.mark.parametrize(
    ("statements", "truth"),
    [
        ([statement(actions=["*"], resources=["*"])], True),
        ([statement(not_actions=["iam:*"], resources=["*"])], True),
        ([statement(actions=["*"], not_resources=["arn:aws:s3:::x"])], True),
        ([{"effect": "deny", "actions": ["*"], "resources": ["*"]}], False),
        ([statement(actions=["s3:*"], resources=["*"])], False),
        ([statement(actions=["iam:*"], resources=["*"])], True),
        ([statement(actions=["iam:*"], resources=["arn:aws:iam::123456789012:role/x"])], False),
        ([statement(actions=["*"], resources=["arn:aws:s3:::x/*"])], False),
        ([statement(actions=["s3:*"]), statement(actions=["*"], resources=["*"])], True),
        ([statement(actions=[Unknown("p")], resources=["*"])], None),
        ([{"effect": Unknown("p"), "actions": ["*"], "resources": ["*"]}], None),
        (Unknown("doc"), None),
    ],
)
def test_iam_grants_admin(statements: object, truth: bool | None) -> None:
    assert run("iam_grants_admin", {"statements": statements}) is truth


@pytest.mark.parametrize(
    ("principal", "truth"),
    [
        ({"type": "*", "value": "*"}, True),
        ({"type": "AWS", "value": "*"}, True),
        ({"type": "AWS", "value": " * "}, True),
        ({"type": "AWS", "value": "arn:aws:iam::123456789012:root"}, False),
        ({"type": "Service", "value": "*"}, False),
        ({"type": "AWS", "value": PartialString(("arn:aws:iam::", ACCOUNT, ":root"))}, False),
        ({"type": "AWS", "value": Reference("Role", "Arn")}, False),
        ({"type": "AWS", "value": Unknown("var.principal")}, None),
        ({"type": "AWS", "value": Input("Who")}, None),
        ({"type": "AWS", "value": Input("Who", "*", has_default=True)}, True),
        (Unknown("principals"), None),
        # The root of every account is every account.
        ({"type": "AWS", "value": "arn:aws:iam::*:root"}, True),
        ({"type": "AWS", "value": "arn:aws-cn:iam::*:*"}, True),
        ({"type": "AWS", "value": PartialString(("arn:", PARTITION, ":iam::*:root"))}, True),
        ({"type": "AWS", "value": "arn:aws:iam::1234*:root"}, False),
        ({"type": "AWS", "value": "arn:aws:iam::*:role/deployer"}, False),
        ({"type": "AWS", "value": "arn:aws:sts::*:root"}, False),
        (
            {"type": "AWS", "value": PartialString(("arn:aws:iam::", Unknown("var.a"), ":root"))},
            False,
        ),
    ],
)
def test_principal_allows_everyone(principal: object, truth: bool | None) -> None:
    assert run("principal_allows_everyone", principal) is truth


def test_any_not_principal_allows_everyone_else() -> None:
    entry = {"type": "AWS", "value": "arn:aws:iam::123456789012:root"}
    assert run("principal_allows_everyone", entry, not_principal=True) is True


@pytest.mark.parametrize(
    ("conditions", "truth"),
    [
        ({"StringEquals": {"aws:SourceAccount": "123456789012"}}, True),
        ({"StringEquals": {"AWS:SourceOwner": ACCOUNT}}, True),
        ({"stringequals": {"aws:principalorgid": ["o-a1b2c3d4e5"]}}, True),
        ({"ArnLike": {"aws:SourceArn": Reference("Topic")}}, True),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}}, True),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::reports"}}, True),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}, False),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}, False),
        ({"StringLike": {"aws:SourceVpce": "*"}}, False),
        ({"StringEquals": {"aws:SourceVpce": ["vpce-1", "*"]}}, False),
        ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, True),
        ({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "0.0.0.0/0"]}}, False),
        ({"ForAnyValue:StringEquals": {"aws:PrincipalOrgPaths": ["o-a/r-b/ou-c/"]}}, True),
        ({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5"]}}, False),
        ({"StringEqualsIfExists": {"aws:SourceAccount": "123456789012"}}, False),
        ({"StringNotEquals": {"aws:SourceAccount": "123456789012"}}, False),
        ({"Bool": {"aws:SecureTransport": "true"}}, False),
        ({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}, False),
        ({"StringEquals": {"aws:SourceAccount": Unknown("var.account")}}, None),
        ({"StringEquals": {"aws:SourceAccount": Input("Account")}}, None),
        (
            {"StringEquals": {"aws:SourceAccount": Input("A", "123456789012", has_default=True)}},
            True,
        ),
        (
            {
                "StringEquals": {"aws:PrincipalOrgID": Unknown("var.org")},
                "ArnEquals": {"aws:SourceArn": "arn:aws:sns:eu-west-1:123456789012:t"},
            },
            True,
        ),
        (Unknown("a condition known only after deployment"), None),
        # Through an EFS mount target only: from the file system's VPC.
        ({"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}}, True),
        ({"Bool": {"ElasticFileSystem:AccessedViaMountTarget": [True]}}, True),
        ({"Bool": {"elasticfilesystem:AccessedViaMountTarget": "false"}}, False),
        ({"BoolIfExists": {"elasticfilesystem:AccessedViaMountTarget": "true"}}, False),
        ({"Bool": {"elasticfilesystem:AccessedViaMountTarget": Unknown("var.via")}}, None),
        ({"Bool": {"aws:ViaAWSService": "true"}}, False),
    ],
)
def test_conditions_narrow_principal(conditions: object, truth: bool | None) -> None:
    assert run("conditions_narrow_principal", conditions) is truth


@pytest.mark.parametrize(
    ("statement_", "truth"),
    [
        ({"effect": "allow", "principals": [{"type": "*", "value": "*"}]}, True),
        ({"effect": "deny", "principals": [{"type": "*", "value": "*"}]}, False),
        ({"effect": "allow", "not_principals": [{"type": "AWS", "value": "x"}]}, True),
        (
            {
                "effect": "allow",
                "principals": [{"type": "AWS", "value": "*"}],
                "conditions": {"Bool": {"aws:SecureTransport": "true"}},
            },
            True,
        ),
        (
            {
                "effect": "allow",
                "principals": [{"type": "AWS", "value": "*"}],
                "conditions": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
            },
            False,
        ),
        (
            {
                "effect": "allow",
                "principals": [{"type": "AWS", "value": "*"}],
                "conditions": {"StringEquals": {"aws:PrincipalOrgID": Unknown("var.org")}},
            },
            None,
        ),
    ],
)
def test_iam_allows_anyone(statement_: object, truth: bool | None) -> None:
    assert run("iam_allows_anyone", {"statements": [statement_]}) is truth


@pytest.mark.parametrize(
    ("statement_", "truth"),
    [
        ({"actions": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}, True),
        ({"actions": ["ECR-PUBLIC:DescribeImages", "ecr-public:BatchCheck*"]}, True),
        ({"actions": ["ecr-public:Describe*"]}, True),
        ({"actions": ["ecr:BatchGetImage", "ecr:PutImage"]}, False),
        ({"actions": ["ecr:*"]}, False),
        ({"actions": ["*"]}, False),
        ({"actions": ["ecr:Batch*"]}, False),  # BatchDeleteImage
        ({"actions": ["ecr:Get*"]}, False),  # GetAuthorizationToken, GetRepositoryPolicy
        ({"actions": ["ecr:PullImage"]}, False),  # no such action: not a known read
        ({"actions": []}, False),
        ({"not_actions": ["ecr:PutImage"]}, False),
        ({"actions": ["ecr:BatchGetImage"], "not_actions": ["ecr:PutImage"]}, False),
        ({"actions": Unknown("var.actions")}, None),
        ({"actions": [PartialString(("ecr:", Unknown("var.action")))]}, None),
    ],
)
def test_actions_only_read_images(statement_: object, truth: bool | None) -> None:
    assert run("actions_only_read_images", statement_) is truth


def _frozen(built: Src | None) -> tuple[object, dict[tuple[object, ...], tuple[object, ...]]]:
    assert built is not None
    data, origins = freeze(Src({"document": built}, ()))
    return data["document"], origins


_OPEN_POLICY = {
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Condition": {"StringEquals": {"s3:ExistingObjectTag/public": "yes"}},
        },
        {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject"},
    ]
}


def test_an_access_point_in_a_vpc_carries_the_restriction_s3_enforces() -> None:
    data, origins = _frozen(within_vpc(document(src(_OPEN_POLICY)), Src("vpc-1", ("Vpc",))))
    assert isinstance(data, dict)
    allow, deny = data["statements"]
    assert allow["conditions"] == {
        "StringEquals": {"s3:ExistingObjectTag/public": "yes", "aws:SourceVpc": "vpc-1"}
    }
    where = ("document", "statements", 0, "conditions", "StringEquals", "aws:SourceVpc")
    assert origins[where] == ("Vpc",)
    assert "conditions" not in deny  # a Deny holds whatever the network
    assert run("conditions_narrow_principal", allow["conditions"]) is True


def test_an_access_point_in_a_vpc_known_at_deployment_is_still_in_a_vpc() -> None:
    data, _ = _frozen(within_vpc(document(src(_OPEN_POLICY)), Src(Unknown("var.vpc"), ("V",))))
    assert isinstance(data, dict)
    assert data["statements"][0]["conditions"]["StringEquals"]["aws:SourceVpc"] == "vpc-*"
    assert run("conditions_narrow_principal", data["statements"][0]["conditions"]) is True


def test_an_access_point_open_to_the_internet_is_judged_as_written() -> None:
    written = document(src(_OPEN_POLICY))
    assert within_vpc(written, None) is written


def test_an_event_bus_permission_is_the_statement_eventbridge_writes() -> None:
    props = src(
        {
            "Principal": "*",
            "Condition": {"Type": "StringEquals", "Key": "aws:PrincipalOrgID", "Value": "o-1"},
        },
        ("Bus",),
    )
    data, origins = _frozen(
        bus_permission(
            props, action=None, principal=props.get("Principal"), condition=props.get("Condition")
        )
    )
    assert data == {
        "statements": [
            {
                "effect": "allow",
                "actions": ["events:PutEvents"],
                "principals": [{"type": "*", "value": "*"}],
                "conditions": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}},
            }
        ]
    }
    where = ("document", "statements", 0, "conditions", "StringEquals", "aws:PrincipalOrgID")
    assert origins[where] == ("Bus", "Condition", "Value")


def test_an_event_bus_permission_with_a_condition_unknown_stays_unknown() -> None:
    props = src({"principal": "*"}, ("Bus",))
    condition = Src(Unknown("dynamic block"), ("Bus", "condition"))
    data, _ = _frozen(
        bus_permission(props, action=None, principal=props.get("principal"), condition=condition)
    )
    assert isinstance(data, dict)
    assert run("conditions_narrow_principal", data["statements"][0]["conditions"]) is None


def test_a_single_statement_is_a_document() -> None:
    data, _ = _frozen(single_statement(src({"Effect": "Allow", "Principal": "*"})))
    assert data == {
        "statements": [{"effect": "allow", "principals": [{"type": "*", "value": "*"}]}]
    }
    text = '{"Effect": "Allow", "Action": "events:PutEvents"}'
    data, _ = _frozen(single_statement(Src(text, ("S",))))
    assert data == {"statements": [{"effect": "allow", "actions": ["events:PutEvents"]}]}


def test_an_ecr_public_repository_marks_its_statements() -> None:
    data, _ = _frozen(in_public_repository(document(src(_OPEN_POLICY))))
    assert isinstance(data, dict)
    assert [item["public_repository"] for item in data["statements"]] == [True, True]


def _fence_case(deny: dict[str, object], **allow: object) -> dict[str, object]:
    """An Allow for everyone on invoking one API path, with one Deny beside it."""
    statement = {
        "effect": "allow",
        "principals": [{"type": "*", "value": "*"}],
        "actions": ["execute-api:Invoke"],
        "resources": ["execute-api:/v1/GET/orders"],
        **allow,
    }
    fence = {
        "effect": "deny",
        "principals": [{"type": "*", "value": "*"}],
        "actions": ["execute-api:Invoke"],
        "resources": ["execute-api:/v1/GET/orders"],
        **deny,
    }
    return {**statement, "denials": [fence]}


OUTSIDE_RANGE = {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}}


@pytest.mark.parametrize(
    ("statement_", "truth"),
    [
        (_fence_case({"conditions": OUTSIDE_RANGE}), True),
        (_fence_case({"conditions": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b"}}}), True),
        # Several keys: a caller passing any one of them is spared, and each narrows.
        (
            _fence_case(
                {
                    "conditions": {
                        "StringNotEquals": {"aws:SourceVpc": "vpc-1", "aws:SourceVpce": "vpce-2"},
                        "NotIpAddressIfExists": {"aws:SourceIp": "192.0.2.0/24"},
                    }
                }
            ),
            True,
        ),
        (_fence_case({"conditions": {"StringNotLike": {"aws:PrincipalOrgID": "o-abc"}}}), True),
        # A broader Deny covers the Allow.
        (_fence_case({"actions": ["execute-api:*"], "conditions": OUTSIDE_RANGE}), True),
        (_fence_case({"resources": ["*"], "conditions": OUTSIDE_RANGE}), True),
        (
            _fence_case(
                {"principals": [{"type": "AWS", "value": "*"}], "conditions": OUTSIDE_RANGE}
            ),
            True,
        ),
        # No Deny, or one that spares somebody the allow-list does not name.
        ({"effect": "allow", "principals": [{"type": "*", "value": "*"}]}, False),
        (_fence_case({}), False),  # denies every caller: not a fence, and not our concern
        (_fence_case({"conditions": {"NotIpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}), False),
        (_fence_case({"conditions": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}), False),
        (
            _fence_case(
                {"conditions": {**OUTSIDE_RANGE, "Bool": {"aws:SecureTransport": "false"}}}
            ),
            False,
        ),
        (_fence_case({"conditions": {"StringNotEquals": {"aws:UserAgent": "x"}}}), False),
        (
            _fence_case({"conditions": {"ForAllValues:StringNotEquals": {"aws:SourceVpc": "v"}}}),
            False,
        ),
        (
            _fence_case(
                {
                    "principals": [{"type": "AWS", "value": "123456789012"}],
                    "conditions": OUTSIDE_RANGE,
                }
            ),
            False,
        ),
        (
            _fence_case(
                {"not_principals": [{"type": "AWS", "value": "1"}], "conditions": OUTSIDE_RANGE}
            ),
            False,
        ),
        (
            _fence_case(
                {"actions": ["execute-api:ManageConnections"], "conditions": OUTSIDE_RANGE}
            ),
            False,
        ),
        (
            _fence_case({"resources": ["execute-api:/v1/GET/other"], "conditions": OUTSIDE_RANGE}),
            False,
        ),
        (
            _fence_case({"not_resources": ["execute-api:/v1/GET/x"], "conditions": OUTSIDE_RANGE}),
            False,
        ),
        # An Allow for every action but some is covered only by a Deny of every action.
        (_fence_case({"conditions": OUTSIDE_RANGE}, actions=[], not_actions=["s3:Get*"]), False),
        (
            _fence_case(
                {"actions": ["*"], "conditions": OUTSIDE_RANGE}, actions=[], not_actions=["x:Y"]
            ),
            True,
        ),
        # `?` is one character: it does not cover all that the Allow's `*` stands for.
        (
            _fence_case(
                {"actions": ["execute-api:?"], "conditions": OUTSIDE_RANGE},
                actions=["execute-api:*"],
            ),
            False,
        ),
        # Values known only at deployment.
        (
            _fence_case({"conditions": {"NotIpAddress": {"aws:SourceIp": Unknown("var.ranges")}}}),
            None,
        ),
        (_fence_case({"conditions": Unknown("var.conditions")}), None),
        (
            _fence_case(
                {
                    "conditions": {
                        "NotIpAddress": {
                            "aws:SourceIp": Input("Ranges", "10.0.0.0/8", has_default=True)
                        }
                    }
                }
            ),
            True,
        ),
        (_fence_case({"conditions": OUTSIDE_RANGE}, resources=[Unknown("var.arn")]), None),
        # Written alike, even when known only at deployment.
        (
            _fence_case(
                {"resources": [Reference("Api")], "conditions": OUTSIDE_RANGE},
                resources=[Reference("Api")],
            ),
            True,
        ),
    ],
)
def test_fenced_by_denials(statement_: object, truth: bool | None) -> None:
    assert run("fenced_by_denials", statement_) is truth
    # A resource policy lets anyone in only when no Deny fences it.
    expected = None if truth is None else not truth
    if isinstance(statement_, dict) and "denials" not in statement_:
        expected = True
    assert run("iam_allows_anyone", {"statements": [statement_]}) is expected


def test_allow_statements_carry_the_deny_statements_of_their_document() -> None:
    data, _ = normalized(
        {
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke"},
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "execute-api:Invoke",
                    "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
                },
            ]
        }
    )
    allow, deny = data["statements"]  # type: ignore[index]
    assert [d["effect"] for d in allow["denials"]] == ["deny"]
    assert allow["denials"][0]["conditions"] == deny["conditions"]
    assert "denials" not in deny


def test_a_document_without_deny_statements_is_as_written() -> None:
    data, _ = normalized({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*"}]})
    assert "denials" not in data["statements"][0]  # type: ignore[index]

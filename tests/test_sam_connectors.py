"""SAM connectors: the managed policies they attach to the source's role, located
at the `Permissions` that ask for them; a connector that cannot be expanded is
said with its reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iaclint.adapt.cloudformation.sam import expand_serverless
from iaclint.adapt.cloudformation.template import adapt_template
from iaclint.diagnostics import SAM_TRANSFORM
from iaclint.engine.policy import Policy
from iaclint.graph.values import PartialString
from iaclint.parse.cloudformation import read_template

from .conftest import FIXTURES, lint_text
from .test_sam import expanded

CONNECTORS = FIXTURES / "sam" / "connectors.yaml"


def test_a_connector_attaches_its_profile_to_the_sources_role() -> None:
    resources, problems = expanded(CONNECTORS.read_text(encoding="utf-8"), "connectors.yaml")
    assert problems == []
    table = resources["OrdersDataPolicyDestination0"]
    assert isinstance(table, dict) and table["Type"] == "AWS::IAM::ManagedPolicy"
    properties = table["Properties"]
    assert properties["Roles"] == [{"Ref": "OrdersRole"}]
    read, write = properties["PolicyDocument"]["Statement"]
    assert "dynamodb:Query" in read["Action"] and "dynamodb:PutItem" in write["Action"]
    assert read["Resource"] == [
        {"Fn::GetAtt": ["OrdersTable", "Arn"]},
        {
            "Fn::Sub": [
                "${DestinationArn}/index/*",
                {"DestinationArn": {"Fn::GetAtt": ["OrdersTable", "Arn"]}},
            ]
        },
    ]
    # A role named by Fn::GetAtt gets the policy; a topic's ARN is its Ref.
    topic = resources["NotifierTopicPolicy"]["Properties"]  # type: ignore[index]
    assert topic["Roles"] == [{"Ref": "NotifierRole"}]
    assert topic["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [{"Ref": "Alerts"}]}
    ]
    # Written in the function's Connectors: named after both, from the function.
    embedded = resources["OrdersWorkflowPolicy"]["Properties"]  # type: ignore[index]
    assert embedded["Roles"] == [{"Ref": "OrdersRole"}]
    assert embedded["PolicyDocument"]["Statement"][0]["Action"] == [
        "states:StartExecution",
        "states:StartSyncExecution",
    ]
    external = resources["ExternalRolePolicy"]["Properties"]  # type: ignore[index]
    assert external["Roles"] == ["legacy-role"]


def test_statements_are_located_at_the_permission_asking_for_them() -> None:
    document, _ = expand_serverless(read_template(CONNECTORS.read_text(encoding="utf-8"), "c.yaml"))
    statements = ("Resources", "OrdersDataPolicyDestination0", "Properties", "PolicyDocument")
    assert document.span_of((*statements, "Statement", 0, "Action")).line == 55  # - Read
    assert document.span_of((*statements, "Statement", 1, "Action")).line == 56  # - Write
    assert document.span_of(("Resources", "OrdersDataPolicyDestination1")).line == 46


@pytest.mark.parametrize(
    ("connector", "reason"),
    [
        (
            "Source: {Id: Jobs}\n      Destination: {Id: Alerts}\n      Permissions: [Write]",
            "connectors from AWS::SQS::Queue to AWS::SNS::Topic are not expanded by iaclint",
        ),
        (
            "Source: {Id: Fn}\n      Destination: {Id: Alerts}\n      Permissions: [Read]",
            "the transform refuses Permissions 'Read' from AWS::Lambda::Function to "
            "AWS::SNS::Topic (valid: Write)",
        ),
        (
            "Source: {Id: Fn}\n      Destination: {Id: Missing}\n      Permissions: [Read]",
            "it names 'Missing', which the template does not declare",
        ),
        (
            "Source: {Id: Fn}\n      Destination: {Id: Key}\n      Permissions: [Read]",
            "connectors from AWS::Lambda::Function to AWS::KMS::Key are not expanded by iaclint",
        ),
        (
            "Source: {Id: Fn}\n      Destination: {Id: Jobs}\n      Permissions: Read",
            "its Permissions must be a list of Read and Write",
        ),
        (
            "Source: {Id: Byo}\n      Destination: {Id: Jobs}\n      Permissions: [Read]",
            "the role of its source cannot be told from the template",
        ),
        (
            "Source: {Id: Rest}\n      Destination: {Id: Jobs}\n      Permissions: [Write]",
            "connectors from AWS::ApiGateway::RestApi to AWS::SQS::Queue are not expanded "
            "by iaclint",
        ),
        (
            "Source: {Id: Rest}\n      Destination: {Id: Fn}\n      Permissions: [Read]",
            "the transform refuses Permissions 'Read' from AWS::ApiGateway::RestApi to "
            "AWS::Lambda::Function (valid: Write)",
        ),
        (
            "Source: {Type: AWS::Serverless::GraphQLApi, ResourceId: abc}\n"
            "      Destination: {Id: Fn}\n      Permissions: [Write]",
            "connectors from AWS::Serverless::GraphQLApi to AWS::Lambda::Function are not "
            "expanded by iaclint",
        ),
        (
            "Source: {Type: AWS::Serverless::Api, ResourceId: abc}\n"
            "      Destination: {Id: Fn}\n      Permissions: [Write]",
            "its Source has no Qualifier",
        ),
        (
            "Source: {Type: AWS::AppSync::GraphQLApi, Arn: abc}\n"
            "      Destination: {Id: Fn}\n      Permissions: [Write]",
            "its Source has no ResourceId",
        ),
        (
            "Source: {Id: Rest}\n      Destination: {Type: AWS::Lambda::Function}\n"
            "      Permissions: [Write]",
            "its Destination has no Arn",
        ),
    ],
)
def test_a_connector_not_expanded_says_why(
    tmp_path: Path, policies: list[Policy], connector: str, reason: str
) -> None:
    text = f"""\
Transform: AWS::Serverless-2016-10-31
Resources:
  Conn:
    Type: AWS::Serverless::Connector
    Properties:
      {connector}
  Fn:
    Type: AWS::Serverless::Function
    Properties: {{Runtime: python3.12, Handler: a.h, CodeUri: s3://b/k.zip}}
  Byo:
    Type: AWS::Serverless::Function
    Properties: {{Role: arn:aws:iam::123456789012:role/own, CodeUri: s3://b/k.zip}}
  Alerts: {{Type: AWS::SNS::Topic}}
  Jobs: {{Type: AWS::SQS::Queue}}
  Key: {{Type: AWS::KMS::Key}}
  Rest:
    Type: AWS::Serverless::Api
    Properties: {{StageName: prod}}
"""
    result = lint_text(tmp_path, text, policies)
    said = [d for d in result.diagnostics if d.kind == SAM_TRANSFORM]
    assert [(d.line, d.subject) for d in said] == [(4, "Conn")]
    assert said[0].message.endswith(f"the resources it generates are not linted: {reason}")
    resources, _ = expanded(text)
    assert not any(rid.startswith("Conn") for rid in resources)


def test_a_services_connector_writes_the_destinations_policy() -> None:
    path = FIXTURES / "sam" / "connectors-services.yaml"
    resources, problems = expanded(path.read_text(encoding="utf-8"), "s.yaml")
    assert problems == []
    queue = resources["FanoutQueuePolicyDestination0"]["Properties"]  # type: ignore[index]
    assert queue["Queues"] == [{"Ref": "Backlog"}]
    (statement,) = queue["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Ref": "Announcements"}}}
    upload = resources["OnUploadWriteLambdaPermission"]["Properties"]  # type: ignore[index]
    assert upload["SourceAccount"] == {"Fn::Sub": "${AWS::AccountId}"}
    topic = resources["TickTopicPolicyDestination0"]["Properties"]  # type: ignore[index]
    assert topic["Topics"] == [{"Ref": "Announcements"}]
    # From a state machine: a managed policy on its role.
    steps = resources["PipelineStepsPolicyDestination1"]["Properties"]  # type: ignore[index]
    assert steps["Roles"] == [{"Ref": "PipelineRole"}]


APIS = FIXTURES / "sam" / "connectors-apis.yaml"
_EXECUTE_API = (
    "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
    "${SourceResourceId}/${SourceQualifier}"
)


def _permission(resources: dict[str, object], logical_id: str) -> dict[str, object]:
    resource = resources[logical_id]
    assert isinstance(resource, dict) and resource["Type"] == "AWS::Lambda::Permission"
    properties = resource["Properties"]
    assert isinstance(properties, dict)
    return properties


def test_an_apis_connector_lets_only_that_api_invoke_the_function() -> None:
    resources, problems = expanded(APIS.read_text(encoding="utf-8"), "a.yaml")
    assert problems == []
    # Embedded in a SAM API: every stage, method and path of that API.
    shop = _permission(resources, "ShopInvokeOrdersWriteLambdaPermission")
    assert shop == {
        "Action": "lambda:InvokeFunction",
        "FunctionName": {"Fn::GetAtt": ["Orders", "Arn"]},
        "Principal": "apigateway.amazonaws.com",
        "SourceArn": {
            "Fn::Sub": [_EXECUTE_API, {"SourceResourceId": {"Ref": "Shop"}, "SourceQualifier": "*"}]
        },
    }
    # The SourceReference's Qualifier narrows it; a Type and Arn destination is its Arn.
    narrowed = _permission(resources, "StorefrontInvokeOrdersWriteLambdaPermissionDestination1")
    assert narrowed["FunctionName"] == {"Fn::GetAtt": ["Resolver", "Arn"]}
    assert narrowed["SourceArn"] == {
        "Fn::Sub": [
            _EXECUTE_API,
            {"SourceResourceId": {"Ref": "Storefront"}, "SourceQualifier": "$default/GET/orders"},
        ]
    }
    qualified = _permission(resources, "ShopToResolverWriteLambdaPermission")
    assert qualified["SourceArn"]["Fn::Sub"][1]["SourceQualifier"] == "prod/POST/resolve"  # type: ignore[index]
    # AppSync: the API's id in its ARN, whatever the API is written as.
    for logical_id, api in (
        ("CatalogInvokeResolverWriteLambdaPermission", "Catalog"),
        ("CatalogToOrdersWriteLambdaPermission", "Catalog"),
        ("PartnerGraphToResolverWriteLambdaPermission", "Reports"),
    ):
        graph = _permission(resources, logical_id)
        assert graph["Principal"] == "appsync.amazonaws.com"
        assert graph["SourceArn"] == {
            "Fn::Sub": [
                "arn:${AWS::Partition}:appsync:${AWS::Region}:${AWS::AccountId}:apis/"
                "${SourceResourceId}",
                {"SourceResourceId": {"Fn::GetAtt": [api, "ApiId"]}},
            ]
        }
    # Written out: the API's id and qualifier as given.
    partner = _permission(resources, "PartnerApiToOrdersWriteLambdaPermission")
    assert partner["SourceArn"] == {
        "Fn::Sub": [
            _EXECUTE_API,
            {"SourceResourceId": "a1b2c3d4e5", "SourceQualifier": "live/GET/*"},
        ]
    }
    listed = [rid for rid in resources if rid.startswith("GatewayToFunctions")]
    assert listed == [
        "GatewayToFunctionsWriteLambdaPermissionDestination0",
        "GatewayToFunctionsWriteLambdaPermissionDestination1",
    ]


def test_an_apis_permission_is_located_at_its_permissions_and_judged(
    tmp_path: Path, policies: list[Policy]
) -> None:
    document, _ = expand_serverless(read_template(APIS.read_text(encoding="utf-8"), "a.yaml"))
    path = ("Resources", "ReportsToResolverWriteLambdaPermission", "Properties", "SourceArn")
    assert document.span_of(path).line == 106  # Permissions: [Write]
    assert document.span_of(("Resources", "ReportsToResolverWriteLambdaPermission")).line == 98
    # Read as the statement Lambda adds to the function's policy, the API's ARN its
    # condition: narrowed, no policy finds it open to everyone.
    graph, _ = adapt_template(read_template(APIS.read_text(encoding="utf-8"), "a.yaml"))
    (partner,) = [
        r for r in graph.resources if r.address == "PartnerApiToOrdersWriteLambdaPermission"
    ]
    assert partner.kind == "lambda.permission"
    (statement,) = partner.properties["document"]["statements"]  # type: ignore[index]
    source_arn = statement["conditions"]["ArnLike"]["aws:SourceArn"]
    assert isinstance(source_arn, PartialString)
    assert source_arn.parts[-1] == ":a1b2c3d4e5/live/GET/*"
    result = lint_text(tmp_path, APIS.read_text(encoding="utf-8"), policies, "a.yaml")
    assert [d.message for d in result.diagnostics] == []
    assert not [f for f in result.findings if f.resource.endswith("LambdaPermission")]


def test_a_source_reference_may_only_narrow_the_source(
    tmp_path: Path, policies: list[Policy]
) -> None:
    text = APIS.read_text(encoding="utf-8").replace(
        "          SourceReference:\n", "          SourceReference:\n            Arn: x\n"
    )
    result = lint_text(tmp_path, text, policies)
    said = [d for d in result.diagnostics if d.kind == SAM_TRANSFORM]
    assert [(d.line, d.subject) for d in said] == [(29, "StorefrontInvokeOrders")]
    assert said[0].message.endswith("its SourceReference may hold only a Qualifier, not Arn")


POLLERS = FIXTURES / "sam" / "connectors-pollers.yaml"
_SYNC_RULE = (
    "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:"
    "rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"
)


def _managed_policy(resources: dict[str, object], logical_id: str) -> dict[str, object]:
    resource = resources[logical_id]
    assert isinstance(resource, dict) and resource["Type"] == "AWS::IAM::ManagedPolicy"
    properties = resource["Properties"]
    assert isinstance(properties, dict)
    return properties


def test_a_polled_queue_or_stream_is_read_by_the_functions_role() -> None:
    resources, problems = expanded(POLLERS.read_text(encoding="utf-8"), "p.yaml")
    assert problems == []
    queue = {"Fn::GetAtt": ["Jobs", "Arn"]}
    assert _managed_policy(resources, "JobsFeedWorkerPolicy") == {
        "PolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["sqs:DeleteMessage"], "Resource": [queue]},
                {
                    "Effect": "Allow",
                    "Action": ["sqs:ReceiveMessage", "sqs:GetQueueAttributes"],
                    "Resource": [queue],
                },
            ],
        },
        "Roles": [{"Ref": "WorkerRole"}],
    }
    partner = _managed_policy(resources, "PartnerQueueToWorkerPolicy")
    assert partner["PolicyDocument"]["Statement"][0]["Resource"] == [  # type: ignore[index]
        "arn:aws:sqs:us-east-1:123456789012:partner-jobs"
    ]
    stream = _managed_policy(resources, "OrdersStreamToWorkerPolicy")
    assert stream["PolicyDocument"]["Statement"] == [  # type: ignore[index]
        {
            "Effect": "Allow",
            "Action": [
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            ],
            "Resource": [
                {
                    "Fn::Sub": [
                        "${SourceArn}/stream/*",
                        {"SourceArn": {"Fn::GetAtt": ["Orders", "Arn"]}},
                    ]
                }
            ],
        }
    ]
    # A function written out gets it on the role named beside it.
    legacy = _managed_policy(resources, "OrdersToLegacyPolicyDestination1")
    assert legacy["Roles"] == ["legacy-role"]


def test_a_rule_acts_with_the_role_of_its_target() -> None:
    resources, _ = expanded(POLLERS.read_text(encoding="utf-8"), "p.yaml")
    bus = _managed_policy(resources, "ForwardToBusPolicy")
    assert bus == {
        "PolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["events:PutEvents"],
                    "Resource": [{"Fn::GetAtt": ["Bus", "Arn"]}],
                }
            ],
        },
        "Roles": [{"Ref": "ForwardRole"}],
    }
    child = _managed_policy(resources, "ForwardToTargetsPolicyDestination0")
    assert child["PolicyDocument"]["Statement"] == [  # type: ignore[index]
        {"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [{"Ref": "Child"}]}
    ]
    # A bus written out is matched to the target with the same Arn.
    partner_bus = _managed_policy(resources, "ForwardToTargetsPolicyDestination1")
    assert partner_bus["Roles"] == [{"Ref": "ForwardRole"}]
    partner = _managed_policy(resources, "PartnerRuleToChildPolicy")
    assert partner["Roles"] == ["partner-rule-role"]


def test_a_state_machine_running_another_may_manage_the_sync_rule() -> None:
    resources, _ = expanded(POLLERS.read_text(encoding="utf-8"), "p.yaml")
    parent = _managed_policy(resources, "ParentRunChildPolicy")
    assert parent["Roles"] == [{"Ref": "ParentRole"}]
    statements = parent["PolicyDocument"]["Statement"]  # type: ignore[index]
    assert [statement["Action"] for statement in statements] == [
        ["states:DescribeExecution"],
        ["events:DescribeRule"],
        ["states:StartExecution"],
        ["states:StopExecution"],
        ["events:PutTargets", "events:PutRule"],
    ]
    assert statements[1]["Resource"] == [{"Fn::Sub": _SYNC_RULE}]
    assert statements[3]["Resource"] == [
        {
            "Fn::Sub": [
                "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:"
                "${DestinationName}:*",
                {"DestinationName": {"Fn::GetAtt": ["Child", "Name"]}},
            ]
        }
    ]
    watcher = _managed_policy(resources, "PartnerFlowWatchesChildPolicy")
    assert watcher["Roles"] == ["partner-flow-role"]
    assert len(watcher["PolicyDocument"]["Statement"]) == 2  # type: ignore[index]


@pytest.mark.parametrize(
    ("logical_id", "index", "line"),
    [
        ("JobsFeedWorkerPolicy", 0, 17),  # Write, in [Read, Write]
        ("PartnerQueueToWorkerPolicy", 1, 39),  # Read, in [Write, Read]
        ("OrdersStreamToWorkerPolicy", 0, 30),
        ("ForwardToBusPolicy", 0, 103),
        ("ForwardToTargetsPolicyDestination0", 0, 113),
        ("ParentRunChildPolicy", 4, 83),
    ],
)
def test_a_new_pairs_statement_is_located_at_its_permissions(
    logical_id: str, index: int, line: int
) -> None:
    document, _ = expand_serverless(read_template(POLLERS.read_text(encoding="utf-8"), "p.yaml"))
    path = ("Resources", logical_id, "Properties", "PolicyDocument", "Statement", index, "Action")
    assert document.span_of(path).line == line


def test_the_new_pairs_policies_are_judged(tmp_path: Path, policies: list[Policy]) -> None:
    """The generated policies are on the roles the graph holds: a state machine's
    role grants what its connector asks, nothing more."""
    graph, _ = adapt_template(read_template(POLLERS.read_text(encoding="utf-8"), "p.yaml"))
    attached = {
        r.address
        for r in graph.resources
        if r.native_type == "AWS::IAM::ManagedPolicy" and r.address.startswith("Parent")
    }
    assert attached == {"ParentRunChildPolicy"}
    result = lint_text(tmp_path, POLLERS.read_text(encoding="utf-8"), policies, "p.yaml")
    assert [d.message for d in result.diagnostics] == []


_NEW_PAIRS_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Conn:
    Type: AWS::Serverless::Connector
    Properties:
      {connector}
  Fn:
    Type: AWS::Serverless::Function
    Properties: {{Runtime: python3.12, Handler: a.h, CodeUri: s3://b/k.zip}}
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties: {{Definition: {{StartAt: D, States: {{D: {{Type: Succeed}}}}}}}}
  Byo:
    Type: AWS::Serverless::StateMachine
    Properties:
      Role: arn:aws:iam::123456789012:role/own
      Definition: {{StartAt: D, States: {{D: {{Type: Succeed}}}}}}
  Jobs: {{Type: AWS::SQS::Queue}}
  Orders: {{Type: AWS::DynamoDB::Table}}
  Bus: {{Type: AWS::Events::EventBus, Properties: {{Name: b}}}}
  Nightly:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 day)
      Targets: [{{Id: a, Arn: !GetAtt Bus.Arn}}]
"""


@pytest.mark.parametrize(
    ("connector", "reason"),
    [
        (
            "Source: {Id: Jobs}\n      Destination: {Id: Fn}\n      Permissions: [Read]",
            "the transform refuses Permissions Read from AWS::SQS::Queue to "
            "AWS::Lambda::Function (valid: Read + Write)",
        ),
        (
            "Source: {Id: Flow}\n      Destination: {Id: Byo}\n      Permissions: [Write]",
            "the transform refuses Permissions Write from AWS::StepFunctions::StateMachine to "
            "AWS::StepFunctions::StateMachine (valid: Read or Read + Write)",
        ),
        (
            "Source: {Id: Orders}\n      Destination: {Id: Fn}\n      Permissions: [Write]",
            "the transform refuses Permissions 'Write' from AWS::DynamoDB::Table to "
            "AWS::Lambda::Function (valid: Read)",
        ),
        (
            "Source: {Id: Flow}\n"
            "      Destination: {Type: AWS::StepFunctions::StateMachine, Arn: x}\n"
            "      Permissions: [Read]",
            "its Destination has no Name",
        ),
        (
            "Source: {Type: AWS::SQS::Queue}\n      Destination: {Id: Fn}\n"
            "      Permissions: [Read, Write]",
            "its Source has no Arn",
        ),
        (
            "Source: {Id: Jobs}\n      Destination: {Type: AWS::Lambda::Function, Arn: x}\n"
            "      Permissions: [Read, Write]",
            "the role of its destination cannot be told from the template",
        ),
        (
            "Source: {Id: Nightly}\n      Destination: {Id: Bus}\n      Permissions: [Write]",
            "the role of its source cannot be told from the template",
        ),
        (
            "Source: {Type: AWS::Events::Rule, Arn: x}\n      Destination: {Id: Flow}\n"
            "      Permissions: [Write]",
            "the role of its source cannot be told from the template",
        ),
        (
            "Source: {Id: Byo}\n      Destination: {Id: Flow}\n      Permissions: [Read]",
            "the role of its source cannot be told from the template",
        ),
    ],
)
def test_a_new_pair_the_transform_refuses_says_why(
    tmp_path: Path, policies: list[Policy], connector: str, reason: str
) -> None:
    text = _NEW_PAIRS_TEMPLATE.format(connector=connector)
    result = lint_text(tmp_path, text, policies)
    said = [d for d in result.diagnostics if d.kind == SAM_TRANSFORM]
    assert [(d.line, d.subject) for d in said] == [(4, "Conn")]
    assert said[0].message.endswith(f"the resources it generates are not linted: {reason}")
    resources, _ = expanded(text)
    assert not any(rid.startswith("Conn") for rid in resources)


def test_every_pair_of_the_translators_profiles_is_expanded() -> None:
    """No pair the transform knows is left to a "not expanded" warning: a connector
    for each, with every access it accepts, generates something."""
    samtranslator = pytest.importorskip("samtranslator")
    path = Path(samtranslator.__file__).parent / "model/connector_profiles/profiles.json"
    profiles = json.loads(path.read_text(encoding="utf-8"))["Permissions"]
    pairs = [(source, target) for source, targets in profiles.items() for target in targets]
    assert len(pairs) >= 31
    for source, target in pairs:
        properties = profiles[source][target]["Properties"]
        combinations = properties.get("ValidAccessCategories") or [
            list(properties["AccessCategories"])
        ]
        endpoint = (
            "{{Type: {kind}, Arn: arn:x, Name: n, RoleName: r, ResourceId: i, "
            "Qualifier: q, QueueUrl: u}}"
        )
        text = (
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Conn:\n"
            "    Type: AWS::Serverless::Connector\n    Properties:\n"
            f"      Source: {endpoint.format(kind=source)}\n"
            f"      Destination: {endpoint.format(kind=target)}\n"
            f"      Permissions: [{', '.join(combinations[-1])}]\n"
        )
        resources, problems = expanded(text)
        assert problems == [], (source, target)
        assert any(rid.startswith("Conn") for rid in resources), (source, target)

"""SAM templates: serverless resources expanded at the document level, then
linted like any template; findings located at what the person wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iaclint.adapt.cloudformation.sam import expand_serverless, is_serverless
from iaclint.cli import main
from iaclint.engine.policy import Policy
from iaclint.parse.cloudformation import read_template

from .conftest import FIXTURES, lint_text

APP = FIXTURES / "sam" / "app.yaml"


def expanded(text: str, name: str = "t.yaml") -> tuple[dict[str, object], list[str]]:
    document, problems = expand_serverless(read_template(text, name))
    assert isinstance(document.data, dict)
    resources = document.data["Resources"]
    assert isinstance(resources, dict)
    return resources, [f"{p.line}:{p.column}: {p.message}" for p in problems]


def findings_of(path: Path, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str, int]]:
    main(["--no-cache", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr().out)
    return sorted((f["policy_id"], f["resource"], f["line"]) for f in report["findings"])


def test_the_app_shows_its_admin_role_wildcard_template_and_secrets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert findings_of(APP, capsys) == sorted(
        [
            ("IAC025", "OrderQueue", 26),  # a plain resource beside the SAM ones
            ("IAC013", "AdminFunctionRole", 34),  # Policies: [AdministratorAccess]
            ("IAC030", "AdminFunction", 37),  # API_SECRET written in Environment
            ("IAC010", "OrderFunctionRole", 51),  # the inline statement's Action: "*"
            ("IAC037", "OrderFunction", 56),  # a NoEcho parameter in Environment
            ("IAC011", "WebhookFunctionRole", 78),  # the TextractPolicy template
            ("IAC016", "WebhookFunctionURLInvokeAllowPublicAccess", 80),  # AuthType: NONE
            ("IAC017", "WebhookFunctionUrl", 80),  # the URL itself, unauthenticated
            ("IAC050", "ServerlessRestApiProdStage", 38),  # implicit API, no access logs
            ("IAC050", "ServerlessHttpApiApiGatewayDefaultStage", 72),
            ("IAC016", "WebhookFunctionUrlPublicPermissions", 80),
        ]
    )


def test_the_app_in_json_has_the_same_findings(capsys: pytest.CaptureFixture[str]) -> None:
    as_yaml = [(policy, resource) for policy, resource, _ in findings_of(APP, capsys)]
    as_json = findings_of(FIXTURES / "sam" / "app.json", capsys)
    assert sorted((policy, resource) for policy, resource, _ in as_json) == sorted(as_yaml)


def test_the_text_report_shows_the_sam_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--no-cache", str(APP)]) == 1
    out = capsys.readouterr().out
    assert "app.yaml:34:11: IAC013 high" in out and "- AdministratorAccess" in out
    assert "[AdminFunctionRole]" in out
    assert "8fJ2kLq9ZxR4tW7vY1pN" not in out  # the secret itself is never printed


def test_a_template_without_the_transform_is_left_alone() -> None:
    text = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
    document = read_template(text, "t.yaml")
    assert expand_serverless(document) == (document, [])
    assert not is_serverless({"Transform": "AWS::LanguageExtensions"})
    assert is_serverless({"Transform": ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]})


FUNCTION = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Layers: [arn:aws:lambda:us-east-1:1:layer:a:1]
    Environment:
      Variables:
        SHARED: global
        MODE: global
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      CodeUri: s3://bucket/key.zip
      Layers: [arn:aws:lambda:us-east-1:1:layer:b:1]
      Environment:
        Variables:
          MODE: local
      Policies:
        - AmazonS3ReadOnlyAccess
        - S3ReadPolicy:
            BucketName: reports
        - Statement:
            - Effect: Allow
              Action: sqs:SendMessage
              Resource: "*"
"""


def test_a_function_becomes_a_function_and_its_role() -> None:
    resources, problems = expanded(FUNCTION)
    assert problems == []
    function, role = resources["Fn"], resources["FnRole"]
    assert isinstance(function, dict) and isinstance(role, dict)
    assert function["Type"] == "AWS::Lambda::Function"
    props = function["Properties"]
    assert props["Role"] == {"Fn::GetAtt": ["FnRole", "Arn"]}
    assert props["Code"] == {"S3Bucket": "bucket", "S3Key": "key.zip"}
    # Globals: mappings merged key by key (the function wins), lists joined.
    assert props["Environment"] == {"Variables": {"SHARED": "global", "MODE": "local"}}
    assert props["Layers"] == [
        "arn:aws:lambda:us-east-1:1:layer:a:1",
        "arn:aws:lambda:us-east-1:1:layer:b:1",
    ]
    role_props = role["Properties"]
    assert role_props["ManagedPolicyArns"] == [
        {
            "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
        },
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    ]
    names = [policy["PolicyName"] for policy in role_props["Policies"]]
    assert names == ["FnRolePolicy1", "FnRolePolicy2"]
    statement = role_props["Policies"][1]["PolicyDocument"]["Statement"][0]
    assert statement["Action"] == "sqs:SendMessage"


def test_generated_values_are_placed_where_they_were_written() -> None:
    document, _ = expand_serverless(read_template(FUNCTION, "t.yaml"))
    role = ("Resources", "FnRole")
    assert document.span_of(role).line == 11  # the function's logical id
    managed = document.span_of((*role, "Properties", "ManagedPolicyArns", 1))
    assert managed.line == 21  # - AmazonS3ReadOnlyAccess
    template = document.span_of((*role, "Properties", "Policies", 0, "PolicyDocument"))
    assert template.line == 22  # - S3ReadPolicy:
    action = ("Properties", "Policies", 1, "PolicyDocument", "Statement", 0, "Action")
    assert document.span_of((*role, *action)).line == 26
    variables = ("Resources", "Fn", "Properties", "Environment", "Variables")
    assert document.span_of((*variables, "SHARED")).line == 8  # in Globals
    assert document.span_of((*variables, "MODE")).line == 19  # the function's own


def test_ignore_globals() -> None:
    text = FUNCTION.replace(
        "    Type: AWS::Serverless::Function\n",
        "    Type: AWS::Serverless::Function\n    IgnoreGlobals: [Layers]\n",
    )
    props = expanded(text)[0]["Fn"]["Properties"]  # type: ignore[index]
    assert props["Layers"] == ["arn:aws:lambda:us-east-1:1:layer:b:1"]
    assert props["Environment"]["Variables"]["SHARED"] == "global"
    everything = text.replace("IgnoreGlobals: [Layers]", 'IgnoreGlobals: "*"')
    props = expanded(everything)[0]["Fn"]["Properties"]  # type: ignore[index]
    assert "Runtime" not in props and props["Environment"] == {"Variables": {"MODE": "local"}}


def test_a_role_named_by_the_function_is_used_and_none_generated() -> None:
    text = FUNCTION.replace(
        "      Policies:\n", "      Role: arn:aws:iam::1:role/own\n      Policies:\n"
    )
    resources, _ = expanded(text)
    assert "FnRole" not in resources
    assert resources["Fn"]["Properties"]["Role"] == "arn:aws:iam::1:role/own"  # type: ignore[index]


def test_policies_that_cannot_be_read_are_located_warnings() -> None:
    text = FUNCTION.replace(
        "        - AmazonS3ReadOnlyAccess\n",
        "        - NoSuchTemplate: {}\n        - SQSPollerPolicy: {}\n        - 42\n",
    )
    resources, problems = expanded(text)
    assert problems == [
        "21:11: unknown SAM policy template 'NoSuchTemplate': its permissions are not linted",
        "22:11: policy template 'SQSPollerPolicy' needs QueueName; its permissions are not linted",
        "23:11: a Policies entry is a managed policy (name or ARN), a policy document "
        "(with 'Statement') or a policy template ({Name: {parameters}}); this one is not linted",
    ]
    role = resources["FnRole"]
    assert [p["PolicyName"] for p in role["Properties"]["Policies"]] == [  # type: ignore[index]
        "FnRolePolicy3",
        "FnRolePolicy4",
    ]


def test_events_give_permissions_mappings_and_the_role_what_it_needs() -> None:
    text = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Events:
        Jobs: {Type: SQS, Properties: {Queue: arn:aws:sqs:us-east-1:1:jobs}}
        Get: {Type: Api, Properties: {Path: /items/, Method: any}}
        Every: {Type: Schedule, Properties: {Schedule: rate(1 hour), Enabled: false}}
        Odd: {Type: Unheard}
"""
    resources, problems = expanded(text)
    assert problems == [
        "13:15: event 'Odd' of type 'Unheard' is not expanded; what it creates is not linted"
    ]
    assert resources["FnJobs"] == {
        "Type": "AWS::Lambda::EventSourceMapping",
        "Properties": {
            "EventSourceArn": "arn:aws:sqs:us-east-1:1:jobs",
            "FunctionName": {"Ref": "Fn"},
        },
    }
    permission = resources["FnGetPermissionProd"]["Properties"]  # type: ignore[index]
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert permission["SourceArn"]["Fn::Sub"][0].endswith("/${__Stage__}/*/items")
    assert resources["ServerlessRestApi"]["Type"] == "AWS::ApiGateway::RestApi"  # type: ignore[index]
    assert "ServerlessRestApiProdStage" in resources
    rule = resources["FnEvery"]["Properties"]  # type: ignore[index]
    assert rule["State"] == "DISABLED" and rule["ScheduleExpression"] == "rate(1 hour)"
    managed = resources["FnRole"]["Properties"]["ManagedPolicyArns"]  # type: ignore[index]
    assert managed[-1] == {
        "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
    }


def test_other_serverless_resources() -> None:
    text = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Table:
    Type: AWS::Serverless::SimpleTable
    Condition: Never
    Properties:
      PrimaryKey: {Name: pk, Type: Number}
      SSESpecification: {SSEEnabled: true}
  Http:
    Type: AWS::Serverless::HttpApi
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: s3://bucket/layer.zip
  Remote:
    Type: AWS::Serverless::Application
    Properties:
      Location: {ApplicationId: arn:aws:serverlessrepo:us-east-1:1:applications/x, SemanticVersion: 1.0.0}
  Local:
    Type: AWS::Serverless::Application
    Properties:
      Location: nested/template.yaml
  Graph:
    Type: AWS::Serverless::GraphQLApi
    Properties:
      DataSources: {Http: {Site: {Endpoint: "https://example.com"}}}
Conditions:
  Never: !Equals [a, b]
"""
    resources, problems = expanded(text)
    table = resources["Table"]
    assert table == {
        "Type": "AWS::DynamoDB::Table",
        "Properties": {
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "N"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
            "SSESpecification": {"SSEEnabled": True},
        },
        "Condition": "Never",
    }
    assert resources["Http"]["Type"] == "AWS::ApiGatewayV2::Api"  # type: ignore[index]
    assert resources["HttpApiGatewayDefaultStage"]["Type"] == "AWS::ApiGatewayV2::Stage"  # type: ignore[index]
    assert resources["Layer"]["Properties"]["Content"] == {  # type: ignore[index]
        "S3Bucket": "bucket",
        "S3Key": "layer.zip",
    }
    assert resources["Local"]["Properties"] == {"TemplateURL": "nested/template.yaml"}  # type: ignore[index]
    assert resources["Graph"]["Type"] == "AWS::AppSync::GraphQLApi"  # type: ignore[index]
    assert resources["GraphCloudWatchRole"]["Type"] == "AWS::IAM::Role"  # type: ignore[index]
    assert problems == [
        "18:7: application 'Remote' is deployed from the Serverless Application Repository; "
        "its resources are not linted (lint its template where it is kept)",
        "26:21: data sources of kind 'Http' are not expanded; what they create is not linted",
    ]


def test_a_generated_name_the_template_already_uses_is_a_warning() -> None:
    text = FUNCTION + "  FnRole:\n    Type: AWS::SNS::Topic\n"
    resources, problems = expanded(text)
    assert resources["FnRole"] == {"Type": "AWS::SNS::Topic"}
    assert problems == [
        "11:3: 'Fn' generates 'FnRole', which the template also declares; "
        "the generated one is not linted"
    ]


@pytest.mark.parametrize(
    "body",
    [
        "    Properties: 7\n",
        "    Properties:\n      Policies: {Statement: 3}\n      Events: [a]\n",
        "    Properties:\n      Events: {E: {Type: SQS, Properties: 5}}\n      Tags: [x]\n",
        "    Properties:\n      Policies: [{S3ReadPolicy: [1]}, {Fn::If: [c]}, null]\n",
        "    Properties:\n      Environment: 5\n      FunctionUrlConfig: {AuthType: [x]}\n",
        "    IgnoreGlobals: 3\n    Properties:\n      CodeUri: {Bucket: {Ref: B}}\n",
    ],
)
def test_broken_sam_is_linted_without_a_traceback(
    tmp_path: Path, policies: list[Policy], body: str
) -> None:
    text = (
        "Transform: AWS::Serverless-2016-10-31\nGlobals: {Function: [1], Api: {Nope: 1}}\n"
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n" + body
    )
    result = lint_text(tmp_path, text, policies)
    assert not any("defect" in d.message for d in result.diagnostics)


def test_suppressions_on_the_sam_resource_cover_what_it_generates(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "t.yaml").write_text(
        """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Admin:
    Type: AWS::Serverless::Function
    Metadata:
      iaclint:
        ignore: [{id: IAC013, reason: "break-glass function, reviewed"}]
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: s3://bucket/key.zip
      Policies: AdministratorAccess
  Wild:  # iaclint: ignore[IAC010] reason="sandbox account"
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: s3://bucket/key.zip
      Policies: [{Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}]
  Unsuppressed:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: s3://bucket/key.zip
      Policies: AdministratorAccess
""",
        encoding="utf-8",
    )
    assert main(["--no-cache", "--format", "json", "t.yaml"]) == 1
    report = json.loads(capsys.readouterr().out)
    found = sorted(
        (f["policy_id"], f["resource"], (f["suppression"] or {}).get("reason"))
        for f in report["findings"]
    )
    assert found == [
        ("IAC010", "WildRole", "sandbox account"),
        ("IAC013", "AdminRole", "break-glass function, reviewed"),
        ("IAC013", "UnsuppressedRole", None),
    ]


def test_an_alias_bomb_in_a_sam_resource_is_refused_not_copied(
    tmp_path: Path, policies: list[Policy]
) -> None:
    lines = [
        "Transform: AWS::Serverless-2016-10-31",
        "Resources:",
        "  Fn:",
        "    Type: AWS::Serverless::Function",
        "    Properties:",
        "      Tags:",
        '        a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]',
        *(f"        a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)),
    ]
    result = lint_text(tmp_path, "\n".join(lines) + "\n", policies)
    messages = [d.message for d in result.diagnostics]
    assert "stopped expanding the serverless resources: more than 200,000 values to copy" in (
        messages
    )

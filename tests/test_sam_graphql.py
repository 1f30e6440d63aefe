"""SAM GraphQL APIs: the AppSync API, the roles AppSync assumes and what they may do."""

from __future__ import annotations

from .conftest import FIXTURES
from .test_sam import expanded

GRAPHQL = FIXTURES / "sam" / "graphql.yaml"


def test_the_api_its_roles_and_their_policies() -> None:
    resources, problems = expanded(GRAPHQL.read_text(encoding="utf-8"), "graphql.yaml")
    assert problems == []
    api = resources["NotesApi"]
    assert isinstance(api, dict) and api["Type"] == "AWS::AppSync::GraphQLApi"
    assert api["Properties"]["AuthenticationType"] == "AWS_LAMBDA"
    assert api["Properties"]["AdditionalAuthenticationProviders"] == [
        {"AuthenticationType": "API_KEY"}
    ]
    assert api["Properties"]["LogConfig"] == {
        "FieldLogLevel": "ERROR",
        "CloudWatchLogsRoleArn": {"Fn::GetAtt": ["NotesApiCloudWatchRole", "Arn"]},
    }
    logs = resources["NotesApiCloudWatchRole"]["Properties"]  # type: ignore[index]
    assert logs["ManagedPolicyArns"] == [
        {
            "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/"
            "AWSAppSyncPushToCloudWatchLogs"
        }
    ]
    # Permissions: [Read] on the table; Read and Write when not said.
    read_only = resources["NotesApiNotesTableDynamoDBDataSourceToTableConnectorPolicy"]
    statements = read_only["Properties"]["PolicyDocument"]["Statement"]  # type: ignore[index]
    assert [s["Action"][0] for s in statements] == ["dynamodb:GetItem"]
    archive = resources["NotesApiArchiveDynamoDBDataSourceToTableConnectorPolicy"]
    assert len(archive["Properties"]["PolicyDocument"]["Statement"]) == 2  # type: ignore[index]
    invoke = resources["NotesApiResolverLambdaDataSourceToLambdaConnectorPolicy"]
    assert invoke["Properties"]["Roles"] == [  # type: ignore[index]
        {"Ref": "NotesApiResolverLambdaDataSourceRole"}
    ]
    permission = resources["NotesApiToLambdaAuthConnector1WriteLambdaPermission"]
    assert permission["Properties"]["Principal"] == "appsync.amazonaws.com"  # type: ignore[index]
    # One NONE data source, whatever the number of functions using it.
    none = [rid for rid in resources if rid.endswith("NoneDataSource")]
    assert none == ["NotesApiNoneDataSource"]
    resolver = resources["NotesApiQuerygetNote"]["Properties"]  # type: ignore[index]
    assert resolver["PipelineConfig"]["Functions"][0] == {
        "Fn::GetAtt": ["NotesApigetNote", "FunctionId"]
    }


def test_no_log_role_when_logging_is_off_or_names_its_role() -> None:
    text = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Off:
    Type: AWS::Serverless::GraphQLApi
    Properties: {SchemaInline: "type Query { a: String }", Logging: false, Auth: {Type: AWS_IAM}}
  Own:
    Type: AWS::Serverless::GraphQLApi
    Properties:
      SchemaInline: "type Query { a: String }"
      Auth: {Type: AWS_IAM}
      Logging: {CloudWatchLogsRoleArn: arn:aws:iam::123456789012:role/logs}
      DataSources:
        Lambda:
          Fn: {FunctionArn: arn:aws:lambda:us-east-1:123456789012:function:f, ServiceRoleArn: arn:aws:iam::123456789012:role/ds}
"""
    resources, problems = expanded(text)
    assert problems == []
    assert "OffCloudWatchRole" not in resources and "OwnCloudWatchRole" not in resources
    assert "LogConfig" not in resources["Off"]["Properties"]  # type: ignore[index]
    assert not [
        rid
        for rid in resources
        if rid.startswith("OwnFnLambdaDataSource") and rid != "OwnFnLambdaDataSource"
    ]

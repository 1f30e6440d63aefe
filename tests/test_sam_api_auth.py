"""A SAM API's `Auth`: the resource policy, authorizers and usage plans the
transform writes, judged like a REST API's policy written by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iaclint.cli import main

from .conftest import FIXTURES
from .test_sam import expanded

AUTH = FIXTURES / "sam" / "auth.yaml"


def findings(path: str, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str, int]]:
    main(["--no-cache", "--format", "json", path])
    report = json.loads(capsys.readouterr().out)
    return sorted((f["policy_id"], f["resource"], f["line"]) for f in report["findings"])


def test_a_resource_policy_open_to_everyone_is_found_where_it_is_written(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert findings(str(AUTH), capsys) == [
        # IpRangeWhitelist and SourceVpcWhitelist are each an Allow for everyone and a
        # Deny for everyone outside the list: the Deny fences the Allow, as it would
        # written by hand. The custom statement has no such Deny.
        ("IAC016", "OrdersApi", 31),  # CustomStatements: Principal "*"
    ]


def test_the_policy_goes_into_the_body_statement_by_statement() -> None:
    resources, problems = expanded(AUTH.read_text(encoding="utf-8"), "auth.yaml")
    assert problems == []
    body = resources["OrdersApi"]["Properties"]["Body"]  # type: ignore[index]
    statements = body["x-amazon-apigateway-policy"]["Statement"]
    health = {"Fn::Sub": ["execute-api:/${__Stage__}/*/health/", {"__Stage__": "live"}]}
    # The event's own ResourcePolicy first, for its path only.
    assert statements[0] == {
        "Action": "execute-api:Invoke",
        "Resource": [health],
        "Effect": "Allow",
        "Principal": {"AWS": ["123456789012"]},
    }
    effects = [(s["Effect"], s["Principal"]) for s in statements]
    assert effects.count(("Deny", {"AWS": ["111122223333"]})) == 2  # one per path
    assert statements[-1]["Resource"] == "execute-api:/*"  # the custom statement, once
    orders = body["paths"]["/orders"]
    assert orders["get"]["security"] == [{"Users": []}, {"api_key": []}]  # the defaults
    assert orders["post"]["security"] == [{"Tokens": []}, {"api_key": []}]
    assert body["paths"]["/health/"]["x-amazon-apigateway-any-method"]["security"] == []
    assert body["securityDefinitions"]["Users"]["x-amazon-apigateway-authtype"] == (
        "cognito_user_pools"
    )


def test_lambda_authorizers_get_the_permission_to_be_called() -> None:
    resources, _ = expanded(AUTH.read_text(encoding="utf-8"), "auth.yaml")
    permission = resources["OrdersApiTokensAuthorizerPermission"]["Properties"]  # type: ignore[index]
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert permission["SourceArn"]["Fn::Sub"][0].endswith(":${__ApiId__}/authorizers/*")
    assert "OrdersApiRequestsAuthorizerPermission" in resources
    assert "OrdersApiUsersAuthorizerPermission" not in resources  # a user pool
    # An HTTP API's only when asked for.
    assert "ChatApiLambdaAuthorizerPermission" in resources
    assert "ChatApiJwtAuthorizerPermission" not in resources
    for kind in ("UsagePlan", "ApiKey", "UsagePlanKey"):
        assert resources[f"OrdersApi{kind}"]["Type"] == f"AWS::ApiGateway::{kind}"  # type: ignore[index]


def test_a_policy_narrowed_to_accounts_and_endpoints_is_not_open(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Accounts by name are narrowed; the endpoint list is an Allow for everyone that
    # a Deny outside the endpoint (a parameter's default) fences.
    found = findings(str(FIXTURES / "sam" / "auth-implicit.json"), capsys)
    assert found == []
    resources, _ = expanded(
        (FIXTURES / "sam" / "auth-implicit.json").read_text(encoding="utf-8"), "t.json"
    )
    # One usage plan for every API that shares it.
    plans = [
        rid
        for rid, body in resources.items()
        if isinstance(body, dict) and body["Type"] == "AWS::ApiGateway::UsagePlan"
    ]
    assert plans == ["ServerlessUsagePlan"]


def test_auth_the_transform_cannot_apply_is_a_located_warning() -> None:
    text = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      DefinitionUri: s3://bucket/openapi.yaml
      Auth:
        ResourcePolicy: {CustomStatements: [{Effect: Allow, Principal: "*"}]}
  Included:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      DefinitionBody: {Fn::Transform: {Name: AWS::Include, Parameters: {Location: s3://b/k}}}
      Auth:
        ApiKeyRequired: true
"""
    resources, problems = expanded(text)
    assert problems == [
        "8:7: the transform refuses Auth on API 'Api' whose definition is DefinitionUri "
        "(Auth needs DefinitionBody); it is not linted",
        "15:7: the definition of API 'Included' is not written in the template; "
        "the resource policy and authorizers of its Auth are not linted",
    ]
    assert "Body" not in resources["Api"]["Properties"]  # type: ignore[index]
    assert "Fn::Transform" in resources["Included"]["Properties"]["Body"]  # type: ignore[index]


def test_a_written_body_keeps_its_policy_and_gets_no_event_methods(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = FIXTURES / "sam" / "auth-definition.yaml"
    assert ("IAC016", "Api", 19) in findings(str(path), capsys)  # its own Principal "*"
    resources, _ = expanded(path.read_text(encoding="utf-8"))
    body = resources["Api"]["Properties"]["Body"]  # type: ignore[index]
    assert list(body["paths"]) == ["/own"]
    statements = body["x-amazon-apigateway-policy"]["Statement"]
    assert [s["Principal"] for s in statements] == ["*", {"AWS": ["123456789012"]}]


FENCED = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Ranges: {Type: CommaDelimitedList}
  Everywhere: {Type: String, Default: 0.0.0.0/0}
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        ResourcePolicy:
          IpRangeWhitelist: !Ref Ranges
  Open:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        ResourcePolicy:
          IpRangeWhitelist: [!Ref Everywhere]
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: s3://artifacts/app.zip
      Events:
        Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /a, Method: get}}
        Put: {Type: Api, Properties: {RestApiId: !Ref Open, Path: /a, Method: put}}
"""


def test_an_allow_list_known_only_at_deployment_is_unknown_and_one_open_to_all_is_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(FENCED, encoding="utf-8")
    main(["--no-cache", "--show-unknown", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr().out)
    found = sorted((f["policy_id"], f["resource"], f["line"]) for f in report["findings"])
    assert ("IAC016", "Open", 19) in found  # a Deny outside 0.0.0.0/0 spares nobody
    assert ("IAC016", "Api", 12) not in found
    undetermined = [(u["policy_id"], u["resource"]) for u in report["undetermined"]]
    assert ("IAC016", "Api") in undetermined  # Ranges has no default

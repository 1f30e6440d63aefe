"""SAM functions published under an alias, and their gradual deployments."""

from __future__ import annotations

import json

import pytest

from iaclint.cli import main

from .conftest import FIXTURES
from .test_sam import expanded

DEPLOYMENTS = FIXTURES / "sam" / "deployments.json"


def test_events_and_the_url_invoke_the_alias() -> None:
    resources, problems = expanded(DEPLOYMENTS.read_text(encoding="utf-8"), "d.json")
    assert problems == []
    alias = resources["CheckoutAliaslive"]
    assert isinstance(alias, dict) and alias["Type"] == "AWS::Lambda::Alias"
    assert alias["Properties"] == {
        "Name": "live",
        "FunctionName": {"Ref": "Checkout"},
        "FunctionVersion": {"Fn::GetAtt": ["CheckoutVersion", "Version"]},
        "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 2},
    }
    assert resources["CheckoutVersion"]["DeletionPolicy"] == "Retain"  # type: ignore[index]
    for permission in ("CheckoutPayPermissionProd", "CheckoutUrlPublicPermissions"):
        props = resources[permission]["Properties"]  # type: ignore[index]
        assert props["FunctionName"] == {"Ref": "CheckoutAliaslive"}
    assert resources["CheckoutUrl"]["Properties"]["TargetFunctionArn"] == {  # type: ignore[index]
        "Ref": "CheckoutAliaslive"
    }
    mapping = resources["CheckoutOrders"]["Properties"]  # type: ignore[index]
    assert mapping["FunctionName"] == {"Ref": "CheckoutAliaslive"}
    rule = resources["CheckoutNightly"]["Properties"]  # type: ignore[index]
    assert rule["Targets"][0]["Arn"] == {"Ref": "CheckoutAliaslive"}


def test_a_deployment_preference_gives_codedeploy_its_group_and_role() -> None:
    resources, _ = expanded(DEPLOYMENTS.read_text(encoding="utf-8"), "d.json")
    role = resources["CodeDeployServiceRole"]["Properties"]  # type: ignore[index]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": ["codedeploy.amazonaws.com"]
    }
    assert role["ManagedPolicyArns"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSCodeDeployRoleForLambda"}
    ]
    canary = resources["CheckoutDeploymentGroup"]["Properties"]  # type: ignore[index]
    assert canary["ServiceRoleArn"] == {"Fn::GetAtt": ["CodeDeployServiceRole", "Arn"]}
    assert canary["AlarmConfiguration"] == {
        "Enabled": True,
        "Alarms": [{"Name": {"Ref": "Errors"}}],
    }
    linear = resources["RefundsDeploymentGroup"]["Properties"]  # type: ignore[index]
    assert linear["ServiceRoleArn"] == "arn:aws:iam::123456789012:role/codedeploy"
    update = resources["CheckoutAliaslive"]["UpdatePolicy"]  # type: ignore[index]
    assert update["CodeDeployLambdaAliasUpdate"]["BeforeAllowTrafficHook"] == {"Ref": "PreTraffic"}
    applications = [r for r in resources if r == "ServerlessDeploymentApplication"]
    assert applications == ["ServerlessDeploymentApplication"]


def test_the_public_url_on_the_alias_is_found_where_it_is_asked_for(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["--no-cache", "--format", "json", str(DEPLOYMENTS)])
    report = json.loads(capsys.readouterr().out)
    found = sorted(
        (f["policy_id"], f["resource"], f["line"])
        for f in report["findings"]
        if f["policy_id"] in ("IAC016", "IAC017")
    )
    assert found == [
        ("IAC016", "CheckoutURLInvokeAllowPublicAccess", 13),
        ("IAC016", "CheckoutUrlPublicPermissions", 13),
        ("IAC017", "CheckoutUrl", 13),
    ]


def test_a_deployment_preference_without_an_alias_is_a_located_warning() -> None:
    text = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k.zip
      DeploymentPreference: {Type: AllAtOnce}
"""
    resources, problems = expanded(text)
    assert problems == [
        "7:7: the transform refuses DeploymentPreference without AutoPublishAlias; it is not linted"
    ]
    assert "FnDeploymentGroup" not in resources

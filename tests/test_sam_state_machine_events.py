"""A SAM state machine's events, and EventBridge Scheduler schedules: the rules,
schedules and roles the transform writes, located at the event."""

from __future__ import annotations

from iaclint.adapt.cloudformation.sam import expand_serverless
from iaclint.parse.cloudformation import read_template

from .conftest import FIXTURES
from .test_sam import expanded

EVENTS = FIXTURES / "sam" / "state-machine-events.yaml"


def test_rules_start_the_state_machine_through_a_role() -> None:
    resources, problems = expanded(EVENTS.read_text(encoding="utf-8"), "e.yaml")
    assert problems == []
    hourly = resources["ReconcileHourly"]["Properties"]  # type: ignore[index]
    assert hourly["ScheduleExpression"] == "rate(1 hour)" and hourly["State"] == "DISABLED"
    assert hourly["Targets"] == [
        {
            "Arn": {"Ref": "Reconcile"},
            "Id": "ReconcileHourlyStepFunctionsTarget",
            "RoleArn": {"Fn::GetAtt": ["ReconcileHourlyRole", "Arn"]},
        }
    ]
    role = resources["ReconcileInstancesRole"]["Properties"]  # type: ignore[index]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": ["events.amazonaws.com"]
    }
    assert role["Policies"] == [
        {
            "PolicyName": "ReconcileInstancesRoleStartExecutionPolicy",
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": "states:StartExecution",
                        "Effect": "Allow",
                        "Resource": {"Ref": "Reconcile"},
                    }
                ]
            },
        }
    ]
    # An API method: API Gateway's role, and the implicit API.
    start = resources["ReconcileStartRole"]["Properties"]  # type: ignore[index]
    assert start["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": ["apigateway.amazonaws.com"]
    }
    body = resources["ServerlessRestApi"]["Properties"]["Body"]  # type: ignore[index]
    assert list(body["paths"]) == ["/reconcile"]


def test_scheduler_schedules_and_their_roles() -> None:
    resources, _ = expanded(EVENTS.read_text(encoding="utf-8"), "e.yaml")
    nightly = resources["ReconcileNightly"]
    assert isinstance(nightly, dict) and nightly["Type"] == "AWS::Scheduler::Schedule"
    assert nightly["Properties"]["Name"] == "ReconcileNightly"
    assert nightly["Properties"]["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert nightly["Properties"]["Target"] == {
        "Arn": {"Ref": "Reconcile"},
        "RoleArn": {"Fn::GetAtt": ["ReconcileNightlyRole", "Arn"]},
    }
    daily = resources["CleanupDaily"]["Properties"]  # type: ignore[index]
    assert "Name" not in daily  # OmitName
    role = resources["CleanupDailyRole"]["Properties"]  # type: ignore[index]
    assert role["Policies"][0]["PolicyName"] == "CleanupDailyLambdaPolicy"
    assert role["Policies"][0]["PolicyDocument"]["Statement"][0] == {
        "Action": "lambda:InvokeFunction",
        "Effect": "Allow",
        "Resource": {"Fn::GetAtt": ["Cleanup", "Arn"]},
    }


def test_what_an_event_generates_is_located_at_the_event() -> None:
    document, _ = expand_serverless(read_template(EVENTS.read_text(encoding="utf-8"), "e.yaml"))
    role = ("Resources", "ReconcileBucketsRole", "Properties", "Policies", 0)
    assert document.span_of(role).line == 27  # Buckets:
    schedule = ("Resources", "CleanupDaily", "Properties", "FlexibleTimeWindow", "Mode")
    assert document.span_of(schedule).line == 55  # Mode: FLEXIBLE


def test_an_event_type_not_expanded_is_a_located_warning() -> None:
    text = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: s3://b/flow.json
      Events:
        Odd:
          Type: Carrier
"""
    _, problems = expanded(text)
    assert problems == [
        "9:11: event 'Odd' of type 'Carrier' is not expanded; what it creates is not linted"
    ]

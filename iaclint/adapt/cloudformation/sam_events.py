"""A serverless function's `Events`: the resources and permissions they create.

A push source (an API, a bucket, a topic, a rule) may invoke the function: the
transform writes an `AWS::Lambda::Permission` for it, `<Function><Event>Permission`,
which the resource-policy checks judge like any other. A pull source (a queue, a
stream, a table's stream) becomes an event source mapping `<Function><Event>` and
the managed policy the function's role needs to read it. An EventBridge Scheduler
event (`ScheduleV2`) is a schedule and the role the scheduler assumes to invoke
the function. A state machine's events (rules, schedules, API methods) each get
the role their service assumes to start an execution. Everything generated is
located at the event that caused it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import NamedTuple

from iaclint.adapt.cloudformation.sam_api_auth import Route
from iaclint.adapt.cloudformation.sam_roles import aws_managed, trust
from iaclint.adapt.cloudformation.sam_values import field, plain, text
from iaclint.adapt.sourced import Src
from iaclint.span import DocPath

# (logical id, type, properties, origin) of a generated resource.
Add = Callable[[str, str, Src, DocPath], None]


class EventContext(NamedTuple):
    function_id: str
    add: Add
    # Asks for the implicit API of a kind ("rest" or "http"), located at an event.
    implicit_api: Callable[[str, DocPath], None]
    # A located warning.
    warn: Callable[[DocPath, str], None]
    # The stage an API event's `RestApiId` deploys to, named as the permission's suffix.
    rest_api_stage: Callable[[object], str]
    # Tells the REST API (its logical id) of a method an `Api` event adds to it.
    route: Callable[[str, Route], None]
    # The alias events invoke (`AutoPublishAlias`), if any: its logical id.
    alias: str | None = None


# Pull sources: the managed policy the role needs, and the property naming the source.
_PULL: dict[str, tuple[str | None, str]] = {
    "SQS": ("service-role/AWSLambdaSQSQueueExecutionRole", "Queue"),
    "Kinesis": ("service-role/AWSLambdaKinesisExecutionRole", "Stream"),
    "DynamoDB": ("service-role/AWSLambdaDynamoDBExecutionRole", "Stream"),
    "MSK": ("service-role/AWSLambdaMSKExecutionRole", "Stream"),
    "DocumentDB": (None, "Cluster"),
    "MQ": (None, "Broker"),
}
# What an event source mapping keeps of a pull event, as written.
_MAPPING_PROPERTIES = (
    "BatchSize",
    "Enabled",
    "FilterCriteria",
    "FunctionResponseTypes",
    "MaximumBatchingWindowInSeconds",
    "MaximumRecordAgeInSeconds",
    "MaximumRetryAttempts",
    "ParallelizationFactor",
    "StartingPosition",
    "StartingPositionTimestamp",
    "DestinationConfig",
    "BisectBatchOnFunctionError",
    "TumblingWindowInSeconds",
    "ScalingConfig",
    "Topics",
    "Queues",
    "SourceAccessConfigurations",
    "KmsKeyArn",
)
_RULE_PROPERTIES = ("Description", "Name", "State", "EventBusName", "RoleArn")
# Push sources whose permission is all they make here: principal and source property.
_SIMPLE_PUSH = {
    "AlexaSkill": "alexa-appkit.amazon.com",
    "Cognito": "cognito-idp.amazonaws.com",
    "IoTRule": "iot.amazonaws.com",
    "CloudWatchLogs": "logs.amazonaws.com",
}


def function_events(events: Src | None, context: EventContext) -> list[Src]:
    """Generate every event's resources; the managed policies the role needs."""
    managed: list[Src] = []
    if events is None or not isinstance(events.value, dict):
        return managed
    for name, event in events.value.items():
        if not isinstance(event, Src) or not isinstance(event.value, dict):
            continue
        kind = text(field(event, "Type"))
        properties = field(event, "Properties") or Src({}, (*event.origin, "Properties"))
        event_id = f"{context.function_id}{name}"
        if kind in _PULL:
            policy, source = _PULL[kind]
            _mapping(event_id, kind, source, properties, event.origin, context)
            if policy is not None:
                managed.append(aws_managed(policy, event.origin))
        elif kind == "Api":
            _rest_api(event_id, properties, event.origin, context)
        elif kind == "HttpApi":
            _http_api(event_id, properties, event.origin, context)
        elif kind in ("Schedule", "CloudWatchEvent", "EventBridgeRule"):
            _rule(event_id, kind, properties, event.origin, context)
        elif kind == "ScheduleV2":
            _schedule_v2(event_id, properties, event.origin, context, state_machine=False)
        elif kind == "S3":
            _permission(
                f"{event_id}Permission",
                "s3.amazonaws.com",
                event.origin,
                context,
                SourceAccount=Src({"Ref": "AWS::AccountId"}, event.origin),
            )
        elif kind == "SNS":
            managed.extend(_sns(event_id, properties, event.origin, context))
        elif kind in _SIMPLE_PUSH:
            _permission(f"{event_id}Permission", _SIMPLE_PUSH[kind], event.origin, context)
        else:
            context.warn(
                (*event.origin, "Type"),
                f"event '{name}' of type '{kind}' is not expanded; what it creates is not linted",
            )
    return managed


def _sns(event_id: str, properties: Src, origin: DocPath, context: EventContext) -> list[Src]:
    """A topic invoking the function, or (`SqsSubscription`) feeding a queue the
    function reads: a new queue `<Event>Queue`, or the one named; the queue's
    policy lets the topic send to it. The managed policies the role needs."""
    topic = field(properties, "Topic")
    subscription: dict[str, Src | None] = {
        "Protocol": Src("lambda", origin),
        "Endpoint": _function_arn(context, origin),
        "TopicArn": topic,
        "FilterPolicy": field(properties, "FilterPolicy"),
        "FilterPolicyScope": field(properties, "FilterPolicyScope"),
        "RedrivePolicy": field(properties, "RedrivePolicy"),
        "Region": field(properties, "Region"),
    }
    through = field(properties, "SqsSubscription")
    if through is None or through.value is False:
        _permission(f"{event_id}Permission", "sns.amazonaws.com", origin, context, SourceArn=topic)
        context.add(event_id, "AWS::SNS::Subscription", _object(subscription, origin), origin)
        return []
    where = through.origin
    if through.value is True:
        context.add(f"{event_id}Queue", "AWS::SQS::Queue", Src({}, where), where)
        queue_arn = Src({"Fn::GetAtt": [f"{event_id}Queue", "Arn"]}, where)
        queue_url = Src({"Ref": f"{event_id}Queue"}, where)
        policy_id, batch_size, enabled = f"{event_id}QueuePolicy", None, None
    else:
        queue_arn = field(through, "QueueArn") or Src(None, where)
        queue_url = field(through, "QueueUrl") or Src(None, where)
        policy_id = text(field(through, "QueuePolicyLogicalId")) or f"{event_id}QueuePolicy"
        batch_size, enabled = field(through, "BatchSize"), field(through, "Enabled")
    statement = {
        "Action": "sqs:SendMessage",
        "Effect": "Allow",
        "Principal": "*",
        "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
    }
    queue_policy = {
        "PolicyDocument": Src({"Version": "2012-10-17", "Statement": [statement]}, where),
        "Queues": Src([queue_url], where),
    }
    context.add(policy_id, "AWS::SQS::QueuePolicy", _object(queue_policy, where), where)
    subscription["Protocol"] = Src("sqs", where)
    subscription["Endpoint"] = queue_arn
    context.add(event_id, "AWS::SNS::Subscription", _object(subscription, origin), origin)
    mapping = {
        "EventSourceArn": queue_arn,
        "FunctionName": _function_ref(context, where),
        "BatchSize": batch_size or Src(10, where),
        "Enabled": enabled or Src(True, where),
    }
    context.add(
        f"{event_id}EventSourceMapping",
        "AWS::Lambda::EventSourceMapping",
        _object(mapping, where),
        where,
    )
    return [aws_managed("service-role/AWSLambdaSQSQueueExecutionRole", where)]


def _object(fields: Mapping[str, Src | None], origin: DocPath) -> Src:
    return Src({key: value for key, value in fields.items() if value is not None}, origin)


def _function_arn(context: EventContext, origin: DocPath) -> Src:
    """The ARN events invoke: the alias's (its `Ref`), else the function's."""
    if context.alias is not None:
        return Src({"Ref": context.alias}, origin)
    return Src({"Fn::GetAtt": [context.function_id, "Arn"]}, origin)


def _function_ref(context: EventContext, origin: DocPath) -> Src:
    return Src({"Ref": context.alias or context.function_id}, origin)


def _permission(
    logical_id: str, principal: str, origin: DocPath, context: EventContext, **extra: Src | None
) -> None:
    fields: dict[str, Src | None] = {
        "Action": Src("lambda:InvokeFunction", origin),
        "FunctionName": _function_ref(context, origin),
        "Principal": Src(principal, origin),
        **extra,
    }
    context.add(logical_id, "AWS::Lambda::Permission", _object(fields, origin), origin)


def _mapping(
    event_id: str, kind: str, source: str, properties: Src, origin: DocPath, context: EventContext
) -> None:
    fields: dict[str, Src | None] = {
        "EventSourceArn": field(properties, source),
        "FunctionName": _function_ref(context, origin),
    }
    for key in _MAPPING_PROPERTIES:
        fields[key] = field(properties, key)
    context.add(event_id, "AWS::Lambda::EventSourceMapping", _object(fields, origin), origin)


_PATH_PARAMETER = re.compile(r"\{[A-Za-z0-9_.-]+\+?\}")


def _path_and_method(properties: Src, default_path: str) -> tuple[str, str]:
    path = text(field(properties, "Path")) or default_path
    path = re.sub(r"^(.+)/$", r"\1", path)
    # The permission's ARN names a path parameter (`{id}`, `{proxy+}`) as `*`.
    path = _PATH_PARAMETER.sub("*", path)
    method = text(field(properties, "Method")) or "any"
    lowered = method.lower()
    return path, "*" if lowered in ("any", "x-amazon-apigateway-any-method") else method.upper()


def _api_source_arn(api: Src, resource: str, origin: DocPath) -> Src:
    arn = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:" + resource
    return Src({"Fn::Sub": [arn, {"__ApiId__": api, "__Stage__": "*"}]}, origin)


def _rest_api(event_id: str, properties: Src, origin: DocPath, context: EventContext) -> None:
    api = field(properties, "RestApiId")
    stage = "Prod"
    if api is None:
        context.implicit_api("rest", origin)
        api = Src({"Ref": "ServerlessRestApi"}, origin)
    else:
        stage = context.rest_api_stage(plain(api))
    target = plain(api)
    api_id = target.get("Ref") if isinstance(target, dict) else None
    written_path = text(field(properties, "Path"))
    if isinstance(api_id, str) and written_path is not None:
        method = text(field(properties, "Method")) or "any"
        auth = field(properties, "Auth")
        context.route(api_id, Route(context.function_id, written_path, method, auth, origin))
    path, method = _path_and_method(properties, "/")
    source = _api_source_arn(api, f"${{__ApiId__}}/${{__Stage__}}/{method}{path}", origin)
    _permission(
        f"{event_id}Permission{stage}",
        "apigateway.amazonaws.com",
        origin,
        context,
        SourceArn=source,
    )


def _http_api(event_id: str, properties: Src, origin: DocPath, context: EventContext) -> None:
    api = field(properties, "ApiId")
    if api is None:
        context.implicit_api("http", origin)
        api = Src({"Ref": "ServerlessHttpApi"}, origin)
    path, method = _path_and_method(properties, "$default")
    resource = "${__ApiId__}/${__Stage__}/" + ("*" if path == "$default" else f"{method}{path}")
    source = _api_source_arn(api, resource, origin)
    _permission(
        f"{event_id}Permission", "apigateway.amazonaws.com", origin, context, SourceArn=source
    )


def state_machine_events(events: Src | None, context: EventContext) -> None:
    """Generate a state machine's events: rules, schedules and API methods, each with
    the role that lets its service start an execution."""
    if events is None or not isinstance(events.value, dict):
        return
    for name, event in events.value.items():
        if not isinstance(event, Src) or not isinstance(event.value, dict):
            continue
        kind = text(field(event, "Type"))
        properties = field(event, "Properties") or Src({}, (*event.origin, "Properties"))
        event_id = f"{context.function_id}{name}"
        origin = event.origin
        if kind in ("Schedule", "CloudWatchEvent", "EventBridgeRule"):
            role_id = f"{event_id}Role"
            _start_execution_role(
                role_id,
                "events.amazonaws.com",
                f"{role_id}StartExecutionPolicy",
                None,
                origin,
                context,
            )
            target: dict[str, Src | None] = {
                "Arn": Src({"Ref": context.function_id}, origin),
                "Id": Src(f"{event_id}StepFunctionsTarget", origin),
                "RoleArn": Src({"Fn::GetAtt": [role_id, "Arn"]}, origin),
                "Input": field(properties, "Input"),
                "InputPath": field(properties, "InputPath"),
                "RetryPolicy": field(properties, "RetryPolicy"),
            }
            _write_rule(event_id, kind, properties, _object(target, origin), origin, context)
        elif kind == "ScheduleV2":
            _schedule_v2(event_id, properties, origin, context, state_machine=True)
        elif kind == "Api":
            role_id = f"{event_id}Role"
            _start_execution_role(
                role_id,
                "apigateway.amazonaws.com",
                f"{role_id}StartExecutionPolicy",
                None,
                origin,
                context,
            )
            api = field(properties, "RestApiId")
            if api is None:
                context.implicit_api("rest", origin)
                api = Src({"Ref": "ServerlessRestApi"}, origin)
            target_api = plain(api)
            api_id = target_api.get("Ref") if isinstance(target_api, dict) else None
            written_path = text(field(properties, "Path"))
            if isinstance(api_id, str) and written_path is not None:
                method = text(field(properties, "Method")) or "any"
                auth = field(properties, "Auth")
                route = Route(context.function_id, written_path, method, auth, origin)
                context.route(api_id, route)
        else:
            context.warn(
                (*origin, "Type"),
                f"event '{name}' of type '{kind}' is not expanded; what it creates is not linted",
            )


def _start_execution_role(
    role_id: str,
    service: str,
    policy_name: str,
    boundary: Src | None,
    origin: DocPath,
    context: EventContext,
    action: str = "states:StartExecution",
    resource: Src | None = None,
) -> None:
    """The role a service assumes to start the state machine (or call the function)."""
    statement = {
        "Action": action,
        "Effect": "Allow",
        "Resource": resource or Src({"Ref": context.function_id}, origin),
    }
    policy = {
        "PolicyName": policy_name,
        "PolicyDocument": {"Statement": [statement]},
    }
    role: dict[str, Src | None] = {
        "AssumeRolePolicyDocument": trust(service, origin),
        "Policies": Src([Src(policy, origin)], origin),
        "PermissionsBoundary": boundary,
    }
    context.add(role_id, "AWS::IAM::Role", _object(role, origin), origin)


def _schedule_v2(
    event_id: str, properties: Src, origin: DocPath, context: EventContext, state_machine: bool
) -> None:
    """An EventBridge Scheduler schedule, and the role the scheduler assumes to start
    the state machine or invoke the function (unless the event names its `RoleArn`)."""
    target_arn = (
        Src({"Ref": context.function_id}, origin)
        if state_machine
        else _function_arn(context, origin)
    )
    role = field(properties, "RoleArn")
    if role is None:
        role_id = f"{event_id}Role"
        if state_machine:
            _start_execution_role(
                role_id,
                "scheduler.amazonaws.com",
                f"{event_id}StartExecutionPolicy",
                field(properties, "PermissionsBoundary"),
                origin,
                context,
            )
        else:
            _start_execution_role(
                role_id,
                "scheduler.amazonaws.com",
                f"{event_id}LambdaPolicy",
                field(properties, "PermissionsBoundary"),
                origin,
                context,
                action="lambda:InvokeFunction",
                resource=target_arn,
            )
        role = Src({"Fn::GetAtt": [role_id, "Arn"]}, origin)
    omit = field(properties, "OmitName")
    name = None if omit is not None and omit.value is True else field(properties, "Name")
    if name is None and not (omit is not None and omit.value is True):
        name = Src(event_id, origin)
    target: dict[str, Src | None] = {
        "Arn": target_arn,
        "RoleArn": role,
        "Input": field(properties, "Input"),
        "RetryPolicy": field(properties, "RetryPolicy"),
    }
    schedule: dict[str, Src | None] = {
        "ScheduleExpression": field(properties, "ScheduleExpression"),
        "State": field(properties, "State"),
        "Name": name,
        "Description": field(properties, "Description"),
        "FlexibleTimeWindow": field(properties, "FlexibleTimeWindow")
        or Src({"Mode": "OFF"}, origin),
        "StartDate": field(properties, "StartDate"),
        "EndDate": field(properties, "EndDate"),
        "ScheduleExpressionTimezone": field(properties, "ScheduleExpressionTimezone"),
        "GroupName": field(properties, "GroupName"),
        "KmsKeyArn": field(properties, "KmsKeyArn"),
        "Target": _object(target, origin),
    }
    context.add(event_id, "AWS::Scheduler::Schedule", _object(schedule, origin), origin)
    if field(properties, "DeadLetterConfig") is not None:
        context.warn(
            (*properties.origin, "DeadLetterConfig"),
            f"the dead-letter queue of schedule '{event_id}' is not expanded; "
            "what it creates is not linted",
        )


def _rule(
    event_id: str, kind: str, properties: Src, origin: DocPath, context: EventContext
) -> None:
    target: dict[str, Src | None] = {
        "Arn": _function_arn(context, origin),
        "Id": Src(f"{event_id}LambdaTarget", origin),
        "Input": field(properties, "Input"),
        "InputPath": field(properties, "InputPath"),
        "DeadLetterConfig": None,
        "RetryPolicy": field(properties, "RetryPolicy"),
    }
    _write_rule(event_id, kind, properties, _object(target, origin), origin, context)
    rule_arn = Src({"Fn::GetAtt": [event_id, "Arn"]}, origin)
    _permission(
        f"{event_id}Permission", "events.amazonaws.com", origin, context, SourceArn=rule_arn
    )


def _write_rule(
    event_id: str, kind: str, properties: Src, target: Src, origin: DocPath, context: EventContext
) -> None:
    fields: dict[str, Src | None] = {key: field(properties, key) for key in _RULE_PROPERTIES}
    if kind == "Schedule":
        fields["ScheduleExpression"] = field(properties, "Schedule")
        enabled = field(properties, "Enabled")
        if enabled is not None and fields["State"] is None and isinstance(enabled.value, bool):
            fields["State"] = enabled.with_value("ENABLED" if enabled.value else "DISABLED")
    else:
        fields["EventPattern"] = field(properties, "Pattern")
    fields["Targets"] = Src([target], origin)
    context.add(event_id, "AWS::Events::Rule", _object(fields, origin), origin)

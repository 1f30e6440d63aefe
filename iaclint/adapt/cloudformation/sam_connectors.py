"""`AWS::Serverless::Connector`: the permissions a connector gives its source.

A connector names a source and one or more destinations (`Id` of a resource of
the template, or `Type` and `Arn`, with the source's `RoleName`, an API's
`ResourceId` and `Qualifier`; a SAM type is read as the type it deploys as) and
the access it needs (`Read`, `Write`). For a function the transform writes, per
destination, an `AWS::IAM::ManagedPolicy` attached to the function's role,
`<Connector>Policy` (`<Connector>PolicyDestination<index>` when `Destination` is
a list), holding the statements of its connector profile for that pair of
types. The profiles here are those of a function reaching a table, a bucket, a
queue, a topic, a state machine, another function, an event bus or a place
index (and an AppSync data source reaching a table, a function or an event
bus, for `AWS::Serverless::GraphQLApi`), of a state machine's role (running
another state machine adds the rule Step Functions manages for synchronous runs),
and of a rule reaching an event bus or a state machine: the role of the rule's
first target naming the destination (by `Id`, or the same `Arn`). A queue or a
table's stream reaching a function gives the policy to the function's role, the
one that polls it (a queue's `Read` and `Write` together, a stream `Read`). A topic,
a rule or a bucket reaching a function, a queue or a topic gets instead what the
destination holds: a Lambda permission (`<Connector>WriteLambdaPermission`), a
queue policy or a topic policy; so does a REST, HTTP or GraphQL API reaching a
function: the permission, its source ARN the API's (`execute-api` with the API's
id and its `Qualifier`, `*` by default; `appsync` with the API's id). These are
all the transform's pairs; a connector it refuses (another pair, an access or a
set of accesses it does not accept, a value its profile needs, a role it cannot
find) is said, with the reason, and not linted. A connector written in a
resource's `Connectors` is
`<Resource><Name>`, its source that resource, which its `SourceReference` may
narrow with a `Qualifier`. Every statement is located at the `Permissions`
entry that asks for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from iaclint.adapt.cloudformation.sam_values import field, is_intrinsic, plain, text
from iaclint.adapt.sourced import Src
from iaclint.span import DocPath

# (action list, resource templates) of each statement, by access category.
Statements = tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]

_EXECUTION = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:"
# A function's connector profiles, by destination type: the AWS actions each access
# needs, in the order of the transform's own tables.
_FUNCTION_PROFILES: dict[str, dict[str, Statements]] = {
    "AWS::DynamoDB::Table": {
        "Read": (
            (
                (
                    "dynamodb:GetItem",
                    "dynamodb:Query",
                    "dynamodb:Scan",
                    "dynamodb:BatchGetItem",
                    "dynamodb:ConditionCheckItem",
                    "dynamodb:PartiQLSelect",
                ),
                ("%{Destination.Arn}", "%{Destination.Arn}/index/*"),
            ),
        ),
        "Write": (
            (
                (
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:BatchWriteItem",
                    "dynamodb:PartiQLDelete",
                    "dynamodb:PartiQLInsert",
                    "dynamodb:PartiQLUpdate",
                ),
                ("%{Destination.Arn}", "%{Destination.Arn}/index/*"),
            ),
        ),
    },
    "AWS::S3::Bucket": {
        "Read": (
            (
                (
                    "s3:GetObject",
                    "s3:GetObjectAcl",
                    "s3:GetObjectLegalHold",
                    "s3:GetObjectRetention",
                    "s3:GetObjectTorrent",
                    "s3:GetObjectVersion",
                    "s3:GetObjectVersionAcl",
                    "s3:GetObjectVersionForReplication",
                    "s3:GetObjectVersionTorrent",
                    "s3:ListBucket",
                    "s3:ListBucketMultipartUploads",
                    "s3:ListBucketVersions",
                    "s3:ListMultipartUploadParts",
                ),
                ("%{Destination.Arn}", "%{Destination.Arn}/*"),
            ),
        ),
        "Write": (
            (
                (
                    "s3:AbortMultipartUpload",
                    "s3:DeleteObject",
                    "s3:DeleteObjectVersion",
                    "s3:PutObject",
                    "s3:PutObjectLegalHold",
                    "s3:PutObjectRetention",
                    "s3:RestoreObject",
                ),
                ("%{Destination.Arn}", "%{Destination.Arn}/*"),
            ),
        ),
    },
    "AWS::SQS::Queue": {
        "Read": ((("sqs:ReceiveMessage", "sqs:GetQueueAttributes"), ("%{Destination.Arn}",)),),
        "Write": (
            (
                (
                    "sqs:DeleteMessage",
                    "sqs:SendMessage",
                    "sqs:ChangeMessageVisibility",
                    "sqs:PurgeQueue",
                ),
                ("%{Destination.Arn}",),
            ),
        ),
    },
    "AWS::SNS::Topic": {"Write": ((("sns:Publish",), ("%{Destination.Arn}",)),)},
    "AWS::StepFunctions::StateMachine": {
        "Write": (
            (("states:StartExecution", "states:StartSyncExecution"), ("%{Destination.Arn}",)),
            (("states:StopExecution",), (_EXECUTION + "%{Destination.Name}:*",)),
        ),
        "Read": (
            (("states:DescribeStateMachine", "states:ListExecutions"), ("%{Destination.Arn}",)),
            (
                (
                    "states:DescribeExecution",
                    "states:DescribeStateMachineForExecution",
                    "states:GetExecutionHistory",
                ),
                (_EXECUTION + "%{Destination.Name}:*",),
            ),
        ),
    },
    "AWS::Lambda::Function": {
        "Write": ((("lambda:InvokeAsync", "lambda:InvokeFunction"), ("%{Destination.Arn}",)),)
    },
    "AWS::Events::EventBus": {"Write": ((("events:PutEvents",), ("%{Destination.Arn}",)),)},
    "AWS::Location::PlaceIndex": {
        "Read": (
            (
                (
                    "geo:DescribePlaceIndex",
                    "geo:GetPlace",
                    "geo:SearchPlaceIndexForPosition",
                    "geo:SearchPlaceIndexForSuggestions",
                    "geo:SearchPlaceIndexForText",
                ),
                ("%{Destination.Arn}",),
            ),
        )
    },
}


_TABLE = _FUNCTION_PROFILES["AWS::DynamoDB::Table"]
# The profiles of each source type covered.
_PROFILES: dict[str, dict[str, dict[str, Statements]]] = {
    "AWS::Lambda::Function": _FUNCTION_PROFILES,
    "AWS::AppSync::DataSource": {
        "AWS::DynamoDB::Table": _TABLE,
        "AWS::Lambda::Function": {
            "Write": (
                (
                    ("lambda:InvokeAsync", "lambda:InvokeFunction"),
                    ("%{Destination.Arn}", "%{Destination.Arn}:*"),
                ),
            )
        },
        "AWS::Events::EventBus": _FUNCTION_PROFILES["AWS::Events::EventBus"],
    },
}


_PROFILES["AWS::StepFunctions::StateMachine"] = {
    destination: _FUNCTION_PROFILES[destination]
    for destination in (
        "AWS::Lambda::Function",
        "AWS::SNS::Topic",
        "AWS::S3::Bucket",
        "AWS::DynamoDB::Table",
        "AWS::Events::EventBus",
    )
}
_PROFILES["AWS::StepFunctions::StateMachine"]["AWS::SQS::Queue"] = {
    "Write": ((("sqs:SendMessage",), ("%{Destination.Arn}",)),)
}
# Running another state machine synchronously, a state machine waits on the rule
# Step Functions manages for it in EventBridge.
_SYNC_RULE = (
    "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:"
    "rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"
)
_PROFILES["AWS::StepFunctions::StateMachine"]["AWS::StepFunctions::StateMachine"] = {
    "Read": (
        (("states:DescribeExecution",), (_EXECUTION + "%{Destination.Name}:*",)),
        (("events:DescribeRule",), (_SYNC_RULE,)),
    ),
    "Write": (
        (("states:StartExecution",), ("%{Destination.Arn}",)),
        (("states:StopExecution",), (_EXECUTION + "%{Destination.Name}:*",)),
        (("events:PutTargets", "events:PutRule"), (_SYNC_RULE,)),
    ),
}
_PROFILES["AWS::Events::Rule"] = {
    "AWS::Events::EventBus": _FUNCTION_PROFILES["AWS::Events::EventBus"],
    "AWS::StepFunctions::StateMachine": {
        "Write": ((("states:StartExecution",), ("%{Destination.Arn}",)),)
    },
}
# A function polling a queue or a table's stream: its role reads the source.
_PROFILES["AWS::SQS::Queue"] = {
    "AWS::Lambda::Function": {
        "Write": ((("sqs:DeleteMessage",), ("%{Source.Arn}",)),),
        "Read": ((("sqs:ReceiveMessage", "sqs:GetQueueAttributes"), ("%{Source.Arn}",)),),
    }
}
_PROFILES["AWS::DynamoDB::Table"] = {
    "AWS::Lambda::Function": {
        "Read": (
            (
                (
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                    "dynamodb:ListStreams",
                ),
                ("%{Source.Arn}/stream/*",),
            ),
        )
    }
}
# Pairs whose policy goes to the destination's role (the function polling the source).
_DESTINATION_ROLE = frozenset(
    {
        ("AWS::SQS::Queue", "AWS::Lambda::Function"),
        ("AWS::DynamoDB::Table", "AWS::Lambda::Function"),
    }
)
# The only sets of accesses the transform accepts for some pairs: a queue's
# messages are read and deleted together, and a state machine started
# synchronously is also described.
_COMBINATIONS: dict[tuple[str, str], tuple[frozenset[str], ...]] = {
    ("AWS::SQS::Queue", "AWS::Lambda::Function"): (frozenset({"Read", "Write"}),),
    ("AWS::StepFunctions::StateMachine", "AWS::StepFunctions::StateMachine"): (
        frozenset({"Read"}),
        frozenset({"Read", "Write"}),
    ),
}


class DestinationGrant(NamedTuple):
    """What a pair whose permission the destination holds writes there (Write only)."""

    # The service the source acts through, and the action it is allowed.
    service: str
    action: str
    # The source's ARN as the permission's `SourceArn` or the statement's condition.
    source_arn: str = "%{Source.Arn}"


_EXECUTE_API = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
_INVOKE = "lambda:InvokeFunction"
# Pairs whose permission the destination holds.
_DESTINATION_POLICIES: dict[tuple[str, str], DestinationGrant] = {
    ("AWS::SNS::Topic", "AWS::Lambda::Function"): DestinationGrant("sns.amazonaws.com", _INVOKE),
    ("AWS::SNS::Topic", "AWS::SQS::Queue"): DestinationGrant(
        "sns.amazonaws.com", "sqs:SendMessage"
    ),
    ("AWS::Events::Rule", "AWS::Lambda::Function"): DestinationGrant(
        "events.amazonaws.com", _INVOKE
    ),
    ("AWS::Events::Rule", "AWS::SQS::Queue"): DestinationGrant(
        "events.amazonaws.com", "sqs:SendMessage"
    ),
    ("AWS::Events::Rule", "AWS::SNS::Topic"): DestinationGrant(
        "events.amazonaws.com", "sns:Publish"
    ),
    ("AWS::S3::Bucket", "AWS::Lambda::Function"): DestinationGrant("s3.amazonaws.com", _INVOKE),
    # An API reaches a function through every stage, method and path of the API
    # unless the reference to it narrows them with a `Qualifier`.
    ("AWS::ApiGateway::RestApi", "AWS::Lambda::Function"): DestinationGrant(
        "apigateway.amazonaws.com",
        _INVOKE,
        _EXECUTE_API + "%{Source.ResourceId}/%{Source.Qualifier}",
    ),
    ("AWS::ApiGatewayV2::Api", "AWS::Lambda::Function"): DestinationGrant(
        "apigateway.amazonaws.com",
        _INVOKE,
        _EXECUTE_API + "%{Source.ResourceId}/%{Source.Qualifier}",
    ),
    ("AWS::AppSync::GraphQLApi", "AWS::Lambda::Function"): DestinationGrant(
        "appsync.amazonaws.com",
        _INVOKE,
        "arn:${AWS::Partition}:appsync:${AWS::Region}:${AWS::AccountId}:apis/%{Source.ResourceId}",
    ),
}
# A SAM type written as an endpoint's `Type`, as the transform reads it (a GraphQL
# API is not among them: the transform refuses it there).
_SAM_TYPES = {
    "AWS::Serverless::Function": "AWS::Lambda::Function",
    "AWS::Serverless::StateMachine": "AWS::StepFunctions::StateMachine",
    "AWS::Serverless::Api": "AWS::ApiGateway::RestApi",
    "AWS::Serverless::HttpApi": "AWS::ApiGatewayV2::Api",
    "AWS::Serverless::SimpleTable": "AWS::DynamoDB::Table",
}


class Endpoint(NamedTuple):
    """A connector's source or destination, as the transform sees it."""

    type: str
    arn: object
    name: object
    # The role a source's permissions go to (its name or a `Ref` to it), if known.
    role: object
    # A queue's URL.
    url: object = None
    # An API's id, and the part of its execute-api ARN after it (stage, method, path).
    resource_id: object = None
    qualifier: object = None
    # A rule named by its `Id`: the `Arn` and `RoleArn` of each of its targets, the
    # role it acts with towards that target (`None` for any other endpoint).
    targets: tuple[tuple[object, object], ...] | None = None


# The endpoint a resource's logical id names, or why it cannot be used.
Resolve = Callable[[str], "Endpoint | str"]
# (logical id, type, properties) of a generated resource.
Add = Callable[[str, str, Src], None]
# A connector not expanded, and why.
Refuse = Callable[[str], None]


def connector(
    logical_id: str,
    props: dict[str, Src],
    source: Endpoint | str,
    resolve: Resolve,
    add: Add,
    refuse: Refuse,
) -> None:
    """Write a connector's policies, or refuse it with the reason."""
    if isinstance(source, str):
        refuse(source)
        return
    destinations = props.get("Destination")
    permissions = props.get("Permissions")
    if destinations is None:
        refuse("it has no Destination")
        return
    if permissions is None or not isinstance(permissions.value, list) or not permissions.value:
        refuse("its Permissions must be a list of Read and Write")
        return
    listed = isinstance(destinations.value, list)
    items = destinations.value if isinstance(destinations.value, list) else [destinations]
    written: list[tuple[str, str, Src]] = []
    for index, item in enumerate(items):
        if not isinstance(item, Src):
            continue
        destination = endpoint(item, resolve)
        if isinstance(destination, str):
            refuse(destination)
            return
        pair = (source.type, destination.type)
        profile = _PROFILES.get(source.type, {}).get(destination.type)
        valid = sorted(profile) if profile is not None else ["Write"]
        if profile is None and pair not in _DESTINATION_POLICIES:
            refuse(
                f"connectors from {source.type} to {destination.type} are not expanded by iaclint"
            )
            return
        requested: dict[str, DocPath] = {}
        for access in permissions.value:
            name = text(access) if isinstance(access, Src) else None
            if name is None or name not in valid:
                shown = plain(access) if isinstance(access, Src) else access
                refuse(
                    f"the transform refuses Permissions '{shown}' from {source.type} "
                    f"to {destination.type} (valid: {', '.join(valid)})"
                )
                return
            requested.setdefault(name, access.origin)
        combinations = _COMBINATIONS.get(pair)
        if combinations is not None and frozenset(requested) not in combinations:
            shown = " or ".join(" + ".join(sorted(allowed)) for allowed in combinations)
            refuse(
                f"the transform refuses Permissions {' + '.join(sorted(requested))} from "
                f"{source.type} to {destination.type} (valid: {shown})"
            )
            return
        suffix = f"Destination{index}" if listed else ""
        if profile is None:
            held = _destination_policy(logical_id, suffix, pair, source, destination, requested)
            if isinstance(held, str):
                refuse(held)
                return
            written.append(held)
            continue
        missing = _missing(profile, _profile_fills(source, destination))
        if missing is not None:
            refuse(missing)
            return
        holder, role = (
            ("destination", destination.role)
            if pair in _DESTINATION_ROLE
            else ("source", role_towards(source, item))
        )
        if role is None:
            refuse(f"the role of its {holder} cannot be told from the template")
            return
        # In the profile's order, each located at the entry asking for it.
        statements = [
            _statement(actions, resources, source, destination, requested[name])
            for name, category in profile.items()
            if name in requested
            for actions, resources in category
        ]
        document = {"Version": "2012-10-17", "Statement": Src(statements, permissions.origin)}
        properties = {
            "PolicyDocument": Src(document, permissions.origin),
            "Roles": Src([role], item.origin),
        }
        policy = Src(properties, item.origin)
        written.append((f"{logical_id}Policy{suffix}", "AWS::IAM::ManagedPolicy", policy))
    for policy_id, kind, generated in written:
        add(policy_id, kind, generated)


def _destination_policy(
    logical_id: str,
    suffix: str,
    pair: tuple[str, str],
    source: Endpoint,
    destination: Endpoint,
    requested: dict[str, DocPath],
) -> tuple[str, str, Src] | str:
    """What a connector writes on its destination: the permission letting the source's
    service invoke a function, or the statement of a queue's or topic's policy; or
    why the transform refuses it (a value the permission needs is missing)."""
    origin = requested["Write"]
    grant = _DESTINATION_POLICIES[pair]
    fills = {
        "%{Source.Arn}": ("SourceArn", source.arn),
        "%{Source.ResourceId}": ("SourceResourceId", source.resource_id),
        "%{Source.Qualifier}": ("SourceQualifier", source.qualifier),
    }
    unfilled = _unfilled(grant.source_arn, fills)
    if unfilled is not None:
        return unfilled
    if destination.arn is None:
        return "its Destination has no Arn"
    source_arn = _filled(grant.source_arn, fills)
    service, action = grant.service, grant.action
    if destination.type == "AWS::Lambda::Function":
        permission: dict[str, object] = {
            "Action": action,
            "FunctionName": destination.arn,
            "Principal": service,
            "SourceArn": source_arn,
        }
        if source.type == "AWS::S3::Bucket":
            permission["SourceAccount"] = {"Fn::Sub": "${AWS::AccountId}"}
        return (
            f"{logical_id}WriteLambdaPermission{suffix}",
            "AWS::Lambda::Permission",
            Src(permission, origin),
        )
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Resource": destination.arn,
        "Action": action,
        "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}},
    }
    document = {"Version": "2012-10-17", "Statement": [statement]}
    if destination.type == "AWS::SQS::Queue":
        queue = {"PolicyDocument": document, "Queues": [destination.url]}
        return (f"{logical_id}QueuePolicy{suffix}", "AWS::SQS::QueuePolicy", Src(queue, origin))
    topic = {"PolicyDocument": document, "Topics": [destination.arn]}
    return (f"{logical_id}TopicPolicy{suffix}", "AWS::SNS::TopicPolicy", Src(topic, origin))


def explicit_endpoint(node: Src) -> Endpoint | str:
    """An endpoint written as its `Type` and `Arn` (a source's `RoleName`, an API's
    `ResourceId` and `Qualifier`); a SAM type is read as the type it deploys as."""
    kind = text(field(node, "Type"))
    if kind is None:
        return "an endpoint needs an Id or a Type"
    return Endpoint(
        _SAM_TYPES.get(kind, kind),
        field(node, "Arn"),
        field(node, "Name"),
        field(node, "RoleName"),
        field(node, "QueueUrl"),
        field(node, "ResourceId"),
        field(node, "Qualifier"),
    )


def endpoint(node: Src, resolve: Resolve) -> Endpoint | str:
    """A connector's `Source` or `Destination`: the resource its `Id` names (with the
    `Qualifier` written beside it, if any), or the endpoint written out."""
    target = text(field(node, "Id"))
    if target is None:
        return explicit_endpoint(node)
    return qualified(resolve(target), field(node, "Qualifier"))


def qualified(resolved: Endpoint | str, qualifier: Src | None) -> Endpoint | str:
    """An endpoint whose execute-api ARN ends with the `Qualifier` given, if any."""
    if isinstance(resolved, str) or qualifier is None:
        return resolved
    return resolved._replace(qualifier=qualifier)


def embedded_source(owner: Endpoint | str, reference: Src | None) -> Endpoint | str:
    """The source of a connector written in a resource's `Connectors`: the resource,
    narrowed by the `Qualifier` of its `SourceReference`, the only key it may hold."""
    if reference is None:
        return owner
    if not isinstance(reference.value, dict):
        return "its SourceReference must be a mapping"
    others = sorted(str(key) for key in reference.value if key != "Qualifier")
    if others:
        return f"its SourceReference may hold only a Qualifier, not {', '.join(others)}"
    return qualified(owner, field(reference, "Qualifier"))


def role_towards(source: Endpoint, destination: Src) -> object:
    """The role a source's policy goes to. A rule has none of its own: it acts with
    the `RoleArn` of the first of its targets whose `Arn` names the destination's
    `Id`, or is the destination's `Arn` as written."""
    if source.targets is None:
        return source.role
    wanted_id = plain(field(destination, "Id"))
    wanted_arn = plain(field(destination, "Arn"))
    for arn, role in source.targets:
        named = _logical_id(arn)
        if (named and named == wanted_id) or (wanted_arn and arn == wanted_arn):
            role_id = _logical_id(role)
            return {"Ref": role_id} if role_id else None
    return None


def _logical_id(value: object) -> str | None:
    """The resource a `Ref` or an `Fn::GetAtt` names, as the transform reads it."""
    if not isinstance(value, dict) or not is_intrinsic(value):
        return None
    target = value.get("Ref")
    if isinstance(target, str):
        return target
    target = value.get("Fn::GetAtt")
    if isinstance(target, list) and len(target) == 2 and isinstance(target[0], str):
        return target[0]
    if isinstance(target, str) and len(target.split(".")) == 2:
        return target.split(".")[0]
    return None


def _statement(
    actions: tuple[str, ...],
    resources: tuple[str, ...],
    source: Endpoint,
    destination: Endpoint,
    origin: DocPath,
) -> Src:
    fills = _profile_fills(source, destination)
    return Src(
        {
            "Effect": "Allow",
            "Action": list(actions),
            "Resource": [_filled(resource, fills) for resource in resources],
        },
        origin,
    )


def _profile_fills(source: Endpoint, destination: Endpoint) -> dict[str, tuple[str, object]]:
    """The variables of a managed policy's profile, with the `Fn::Sub` name of each."""
    return {
        "%{Source.Arn}": ("SourceArn", source.arn),
        "%{Destination.Arn}": ("DestinationArn", destination.arn),
        "%{Destination.Name}": ("DestinationName", destination.name),
    }


def _missing(profile: dict[str, Statements], fills: dict[str, tuple[str, object]]) -> str | None:
    """Why the transform refuses a profile: a value one of its statements needs, for
    any access (not only those asked for), is not known."""
    for category in profile.values():
        for _, resources in category:
            for resource in resources:
                unfilled = _unfilled(resource, fills)
                if unfilled is not None:
                    return unfilled
    return None


def _unfilled(written: str, fills: dict[str, tuple[str, object]]) -> str | None:
    """The first variable of a profile's string whose value is not known, said."""
    for marker, (_, value) in fills.items():
        if marker in written and value is None:
            side, name = marker.removeprefix("%{").removesuffix("}").split(".")
            return f"its {side} has no {name}"
    return None


def _filled(written: str, fills: dict[str, tuple[str, object]]) -> object:
    """A profile's string with its `%{...}` variables filled in as the transform
    does: the value itself when it is the whole string, an `Fn::Sub` otherwise (with
    no variables when the string names only the stack's own, such as its region)."""
    if written in fills:
        return fills[written][1]
    variables: dict[str, object] = {}
    out = written
    for marker, (name, value) in fills.items():
        if marker in out:
            out = out.replace(marker, f"${{{name}}}")
            variables[name] = value
    if variables:
        return {"Fn::Sub": [out, variables]}
    return {"Fn::Sub": out} if "${" in out else out


def role_of(role: Src | None, generated: str | None) -> object:
    """The role a function's permissions go to: the generated one, or the role its
    `Role` names by `Fn::GetAtt` (`None` when it is only an ARN)."""
    if role is None:
        return {"Ref": generated} if generated is not None else None
    value = plain(role)
    if isinstance(value, dict) and is_intrinsic(value):
        target = value.get("Fn::GetAtt")
        if isinstance(target, list) and len(target) == 2 and target[1] == "Arn":
            return {"Ref": target[0]}
        if isinstance(target, str) and target.endswith(".Arn"):
            return {"Ref": target[: -len(".Arn")]}
    return None

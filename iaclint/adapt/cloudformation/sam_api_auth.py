"""A SAM REST API's `Auth`, and what its events' `Auth` adds, as the transform builds it.

The transform writes the API's OpenAPI body itself: a method per `Api` event
(its path and method, the function's integration), the `security` each method
asks for (the event's `Authorizer` or the API's `DefaultAuthorizer`, an API key
when `ApiKeyRequired`), the authorizers as `securityDefinitions`, and the
resource policy as `x-amazon-apigateway-policy`, which API Gateway applies as
the REST API's policy. The resource policy comes from `ResourcePolicy` (the
API's, for every path; an event's, for its own path): accounts allowed or
denied by name, source IPs and VPCs or endpoints as an `Allow` for everyone
followed by a `Deny` for everyone outside them, and `CustomStatements` as
written. A Lambda authorizer gets the permission letting API Gateway call it
(`<Api><Authorizer>AuthorizerPermission`), and a `UsagePlan` its plan, key and
key binding. Every statement is located at the entry that caused it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import NamedTuple

from iaclint.adapt.cloudformation.sam_values import field, is_intrinsic, plain, text
from iaclint.adapt.sourced import Src
from iaclint.span import DocPath

_ANY = "x-amazon-apigateway-any-method"
_PARAMETER = re.compile(r"{([a-zA-Z0-9._-]+|[a-zA-Z0-9._-]+\+|proxy\+)}")
# (logical id, type, properties) of a generated resource.
Add = Callable[[str, str, Src], None]


class Route(NamedTuple):
    """An `Api` event of a function: the method it adds to its API's body."""

    function_id: str
    path: str
    method: str
    auth: Src | None
    origin: DocPath


def swagger_method(method: str) -> str:
    lowered = method.lower()
    return _ANY if lowered in ("any", _ANY) else lowered


class _Policy:
    """The resource policy being built, statement by statement."""

    def __init__(self) -> None:
        self.statements: list[Src] = []
        self.seen: list[object] = []

    def add(self, statement: Src, once: bool) -> None:
        data = plain(statement)
        if once and data in self.seen:
            return
        self.seen.append(data)
        self.statements.append(statement)


def rest_api_body(
    api_id: str,
    props: Mapping[str, Src],
    routes: list[Route],
    stage: Src,
    header: DocPath,
) -> Src:
    """The API's OpenAPI body: the user's `DefinitionBody`, or one holding the events'
    methods and their security; with the authorizers and the resource policy."""
    written = props.get("DefinitionBody")
    base = (
        written
        if written is not None
        and isinstance(written.value, dict)
        and not is_intrinsic(written.value)
        else Src({"swagger": "2.0", "info": {"version": "1.0"}, "paths": {}}, header)
    )
    assert isinstance(base.value, dict)
    if base is written:
        # The transform leaves a body the user wrote without the events' methods.
        routes = []
    body: dict[str, object] = dict(base.value)
    written_paths = field(base, "paths")
    paths: dict[str, dict[str, object]] = {}
    if written_paths is not None and isinstance(written_paths.value, dict):
        for path, item in written_paths.value.items():
            methods = item.value if isinstance(item, Src) else None
            paths[str(path)] = dict(methods) if isinstance(methods, dict) else {}
    auth = props.get("Auth")
    default_authorizer = text(field(auth, "DefaultAuthorizer"))
    api_key_required = plain(field(auth, "ApiKeyRequired")) is True
    policy = _Policy()
    # Statements of a policy the body already holds come first, kept as written.
    existing = field(field(base, "x-amazon-apigateway-policy"), "Statement")
    if existing is not None:
        listed = existing.value if isinstance(existing.value, list) else [existing]
        for statement in listed:
            if isinstance(statement, Src):
                policy.add(statement, once=False)
    written_count = len(policy.statements)
    for route in routes:
        methods = paths.setdefault(route.path, {})
        key = swagger_method(route.method)
        if key not in methods:
            methods[key] = _method(route, default_authorizer, api_key_required)
        event_policy = field(route.auth, "ResourcePolicy")
        if event_policy is not None:
            _resource_policy(policy, event_policy, route.path, methods, stage)
    api_policy = field(auth, "ResourcePolicy")
    if api_policy is not None:
        for path, methods in paths.items():
            _resource_policy(policy, api_policy, path, methods, stage, custom=False)
        _custom(policy, api_policy)
    body["paths"] = Src(
        {path: Src(methods, header) for path, methods in paths.items()},
        written_paths.origin if written_paths is not None else header,
    )
    definitions = _security_definitions(auth, api_key_required or _event_api_keys(routes))
    if definitions is not None:
        body["securityDefinitions"] = definitions
    if len(policy.statements) > written_count:
        origin = api_policy.origin if api_policy is not None else header
        body["x-amazon-apigateway-policy"] = Src(
            {"Version": "2012-10-17", "Statement": Src(policy.statements, origin)}, origin
        )
    return Src(body, base.origin)


def _event_api_keys(routes: list[Route]) -> bool:
    return any(plain(field(route.auth, "ApiKeyRequired")) is True for route in routes)


def _method(route: Route, default_authorizer: str | None, api_key_required: bool) -> Src:
    origin = route.origin
    uri = (
        "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
        f"${{{route.function_id}.Arn}}/invocations"
    )
    method: dict[str, object] = {
        "x-amazon-apigateway-integration": Src(
            {"httpMethod": "POST", "type": "aws_proxy", "uri": {"Fn::Sub": uri}}, origin
        ),
        "responses": Src({}, origin),
    }
    authorizer = text(field(route.auth, "Authorizer")) or default_authorizer
    explicit_key = plain(field(route.auth, "ApiKeyRequired"))
    api_key = explicit_key if explicit_key is not None else api_key_required
    if authorizer is not None or api_key is True or explicit_key is not None:
        security: list[object] = []
        if authorizer is not None and authorizer != "NONE":
            scopes = plain(field(route.auth, "AuthorizationScopes")) or []
            security.append({authorizer: scopes})
        if api_key is True:
            security.append({"api_key": []})
        method["security"] = Src(security, origin)
    return Src(method, origin)


def _security_definitions(auth: Src | None, api_keys: bool) -> Src | None:
    authorizers = field(auth, "Authorizers")
    out: dict[str, object] = {}
    if authorizers is not None and isinstance(authorizers.value, dict):
        for name, authorizer in authorizers.value.items():
            if isinstance(authorizer, Src):
                out[str(name)] = _authorizer_definition(authorizer)
    if auth is None:
        return None
    if api_keys:
        out["api_key"] = Src({"type": "apiKey", "name": "x-api-key", "in": "header"}, auth.origin)
    return Src(out, auth.origin) if out else None


def _authorizer_definition(authorizer: Src) -> Src:
    origin = authorizer.origin
    pools = field(authorizer, "UserPoolArn")
    function = field(authorizer, "FunctionArn")
    identity = field(authorizer, "Identity")
    header = text(field(identity, "Header")) or "Authorization"
    settings: dict[str, object]
    if pools is not None:
        arns = pools if isinstance(pools.value, list) else Src([pools], pools.origin)
        settings = {"type": "cognito_user_pools", "providerARNs": arns}
        auth_type = "cognito_user_pools"
    else:
        payload = text(field(authorizer, "FunctionPayloadType")) or "TOKEN"
        uri = {
            "Fn::Sub": [
                "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/"
                "functions/${__FunctionArn__}/invocations",
                {"__FunctionArn__": function},
            ]
        }
        settings = {"type": payload.lower(), "authorizerUri": Src(uri, origin)}
        role = field(authorizer, "FunctionInvokeRole")
        if role is not None:
            settings["authorizerCredentials"] = role
        auth_type = "custom"
        if payload == "REQUEST":
            header = "Unused"
    return Src(
        {
            "in": "header",
            "type": "apiKey",
            "name": header,
            "x-amazon-apigateway-authorizer": Src(settings, origin),
            "x-amazon-apigateway-authtype": auth_type,
        },
        origin,
    )


def _method_resources(path: str, methods: Mapping[str, object], stage: Src) -> list[object]:
    # A greedy or named parameter ({proxy+}, {id}) matches anything: "*".
    trimmed = _PARAMETER.sub("*", path)
    out: list[object] = []
    for method in methods:
        verb = "*" if method.lower() in ("any", _ANY) else method.upper()
        out.append(
            Src(
                {"Fn::Sub": [f"execute-api:/${{__Stage__}}/{verb}{trimmed}", {"__Stage__": stage}]},
                stage.origin,
            )
        )
    return out


def _statement(
    effect: str,
    resources: list[object],
    principal: object,
    origin: DocPath,
    condition: object = None,
) -> Src:
    statement: dict[str, object] = {
        "Action": "execute-api:Invoke",
        "Resource": Src(resources, origin),
        "Effect": effect,
        "Principal": principal,
    }
    if condition is not None:
        statement["Condition"] = condition
    return Src(statement, origin)


def _resource_policy(
    policy: _Policy,
    written: Src,
    path: str,
    methods: Mapping[str, object],
    stage: Src,
    custom: bool = True,
) -> None:
    """The statements `ResourcePolicy` adds for one path (its custom statements too,
    unless the caller adds them once for every path)."""
    resources = _method_resources(path, methods, stage)
    for key, effect in (("AwsAccountWhitelist", "Allow"), ("AwsAccountBlacklist", "Deny")):
        accounts = field(written, key)
        if accounts is not None and accounts.value:
            listed = (
                accounts if isinstance(accounts.value, list) else Src([accounts], accounts.origin)
            )
            principal = Src({"AWS": listed}, accounts.origin)
            policy.add(_statement(effect, resources, principal, accounts.origin), once=False)
    for key, operator in (("IpRangeWhitelist", "NotIpAddress"), ("IpRangeBlacklist", "IpAddress")):
        ranges = field(written, key)
        if ranges is not None and ranges.value:
            listed = ranges if isinstance(ranges.value, list) else Src([ranges], ranges.origin)
            condition = {operator: {"aws:SourceIp": listed}}
            _allow_then_deny(policy, resources, condition, ranges.origin)
    for suffix, operator in (("Blacklist", "StringEquals"), ("Whitelist", "StringNotEquals")):
        condition_values: dict[str, list[object]] = {}
        origin: DocPath | None = None
        endpoints = field(written, f"SourceVpc{suffix}")
        if endpoints is not None and isinstance(endpoints.value, list):
            origin = endpoints.origin
            for endpoint in endpoints.value:
                name = text(endpoint) if isinstance(endpoint, Src) else None
                if name is not None and name.startswith("vpce-"):
                    condition_values.setdefault("aws:SourceVpce", []).append(endpoint)
                elif name is not None and name.startswith("vpc-"):
                    condition_values.setdefault("aws:SourceVpc", []).append(endpoint)
        for kind, key in (("Vpc", "aws:SourceVpc"), ("Vpce", "aws:SourceVpce")):
            intrinsic = field(written, f"Intrinsic{kind}{suffix}")
            if intrinsic is not None and isinstance(intrinsic.value, list):
                origin = origin or intrinsic.origin
                condition_values.setdefault(key, []).extend(intrinsic.value)
        if origin is not None and any(condition_values.values()):
            ordered = {
                key: condition_values[key]
                for key in ("aws:SourceVpc", "aws:SourceVpce")
                if key in condition_values
            }
            _allow_then_deny(policy, resources, {operator: ordered}, origin)
    if custom:
        _custom(policy, written)


def _allow_then_deny(
    policy: _Policy, resources: list[object], condition: object, origin: DocPath
) -> None:
    policy.add(_statement("Allow", resources, "*", origin), once=True)
    policy.add(_statement("Deny", resources, "*", origin, Src(condition, origin)), once=True)


def _custom(policy: _Policy, written: Src) -> None:
    statements = field(written, "CustomStatements")
    if statements is None:
        return
    items = statements.value if isinstance(statements.value, list) else [statements]
    for item in items:
        if isinstance(item, Src):
            policy.add(item, once=True)


def authorizer_permissions(api_id: str, auth: Src | None, add: Add, http: bool = False) -> None:
    """The permission letting API Gateway call each Lambda authorizer (a REST API's
    unless `DisableFunctionDefaultPermissions`; an HTTP API's only with
    `EnableFunctionDefaultPermissions`)."""
    authorizers = field(auth, "Authorizers")
    if authorizers is None or not isinstance(authorizers.value, dict):
        return
    for name, authorizer in authorizers.value.items():
        if not isinstance(authorizer, Src):
            continue
        function = field(authorizer, "FunctionArn")
        if function is None:
            continue
        if http:
            if plain(field(authorizer, "EnableFunctionDefaultPermissions")) is not True:
                continue
        elif plain(field(authorizer, "DisableFunctionDefaultPermissions")) is True:
            continue
        origin = authorizer.origin
        arn = (
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
            "${__ApiId__}/authorizers/*"
        )
        permission = {
            "Action": Src("lambda:InvokeFunction", origin),
            "FunctionName": function,
            "Principal": Src("apigateway.amazonaws.com", origin),
            "SourceArn": Src({"Fn::Sub": [arn, {"__ApiId__": {"Ref": api_id}}]}, origin),
        }
        add(
            f"{api_id}{name}AuthorizerPermission",
            "AWS::Lambda::Permission",
            Src(permission, origin),
        )


def usage_plan(api_id: str, stage_id: str, auth: Src | None, add: Add, shared: set[str]) -> None:
    """A `UsagePlan`'s plan, API key and key binding: the API's own (`PER_API`), or
    one set for every API of the template (`SHARED`)."""
    plan = field(auth, "UsagePlan")
    create = text(field(plan, "CreateUsagePlan"))
    if plan is None or create not in ("PER_API", "SHARED"):
        return
    origin = plan.origin
    stage_ref = {"ApiId": {"Ref": api_id}, "Stage": {"Ref": stage_id}}
    prefix = api_id if create == "PER_API" else "Serverless"
    if create == "SHARED":
        if "plan" in shared:
            return
        shared.add("plan")
    fields: dict[str, object] = {"ApiStages": Src([stage_ref], origin)}
    for key in ("Description", "Quota", "Throttle", "UsagePlanName", "Tags"):
        value = field(plan, key)
        if value is not None:
            fields[key] = value
    add(f"{prefix}UsagePlan", "AWS::ApiGateway::UsagePlan", Src(fields, origin))
    api_key: dict[str, object] = {
        "Enabled": True,
        "StageKeys": [{"RestApiId": {"Ref": api_id}, "StageName": {"Ref": stage_id}}],
    }
    add(f"{prefix}ApiKey", "AWS::ApiGateway::ApiKey", Src(api_key, origin))
    binding = {
        "KeyId": {"Ref": f"{prefix}ApiKey"},
        "KeyType": "API_KEY",
        "UsagePlanId": {"Ref": f"{prefix}UsagePlan"},
    }
    add(f"{prefix}UsagePlanKey", "AWS::ApiGateway::UsagePlanKey", Src(binding, origin))

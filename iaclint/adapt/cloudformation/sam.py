"""SAM templates (`Transform: AWS::Serverless-2016-10-31`) into plain CloudFormation.

The serverless transform runs at deployment and turns each `AWS::Serverless::*`
resource into the resources CloudFormation deploys: a function into a
`AWS::Lambda::Function`, its execution role, permissions, event source mappings
and rules; an API into an API, a deployment and a stage; a simple table into a
DynamoDB table. The expansion here builds those resources as the transform
names and shapes them, into a new `Document`, so the template adapter and every
policy judge them as they judge resources written by hand. Every generated path
is given the span of what the person wrote that caused it (a statement the
`Policies` entry it comes from, an environment variable its own line), and every
generated resource's header is the SAM resource's. `generated_by` names the SAM
resource each generated one comes from, so that suppressions written on the SAM
resource cover what it generates.

The transform itself is not imported: it costs more than a run of iaclint, and
its managed policy lookup calls AWS. What it does that cannot matter to a check
(Swagger bodies, deployment hashes) is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from iaclint.adapt.cloudformation.conditions import TooLarge
from iaclint.adapt.cloudformation.intrinsics import budget_for
from iaclint.adapt.cloudformation.sam_api_auth import (
    Route,
    authorizer_permissions,
    rest_api_body,
    usage_plan,
)
from iaclint.adapt.cloudformation.sam_connectors import (
    Endpoint,
    connector,
    embedded_source,
    endpoint,
    role_of,
)
from iaclint.adapt.cloudformation.sam_events import (
    EventContext,
    function_events,
    state_machine_events,
)
from iaclint.adapt.cloudformation.sam_graphql import graphql_api
from iaclint.adapt.cloudformation.sam_roles import (
    aws_managed,
    execution_role,
    read_policies,
    trust,
)
from iaclint.adapt.cloudformation.sam_values import (
    Budget,
    copied,
    field,
    is_intrinsic,
    merged,
    place,
    plain,
    text,
)
from iaclint.adapt.sourced import Src
from iaclint.diagnostics import SAM_TRANSFORM, Diagnostic
from iaclint.parse.document import Document
from iaclint.span import DocPath, Span

TRANSFORM = "AWS::Serverless-2016-10-31"

# What `Globals` may set, by section (the transform refuses anything else).
_GLOBALS = {
    "Function": frozenset(
        {
            "Handler",
            "Runtime",
            "CodeUri",
            "DeadLetterQueue",
            "Description",
            "MemorySize",
            "Timeout",
            "VpcConfig",
            "Environment",
            "Tags",
            "PropagateTags",
            "Tracing",
            "KmsKeyArn",
            "AutoPublishAlias",
            "AutoPublishAliasAllProperties",
            "Layers",
            "DeploymentPreference",
            "RolePath",
            "PermissionsBoundary",
            "ReservedConcurrentExecutions",
            "ProvisionedConcurrencyConfig",
            "AssumeRolePolicyDocument",
            "EventInvokeConfig",
            "FileSystemConfigs",
            "CodeSigningConfigArn",
            "Architectures",
            "SnapStart",
            "EphemeralStorage",
            "FunctionUrlConfig",
            "RuntimeManagementConfig",
            "LoggingConfig",
            "RecursiveLoop",
            "SourceKMSKeyArn",
            "TenancyConfig",
        }
    ),
    "Api": frozenset(
        {
            "Auth",
            "Name",
            "DefinitionUri",
            "CacheClusterEnabled",
            "CacheClusterSize",
            "MergeDefinitions",
            "Variables",
            "EndpointConfiguration",
            "MethodSettings",
            "BinaryMediaTypes",
            "MinimumCompressionSize",
            "Cors",
            "GatewayResponses",
            "AccessLogSetting",
            "CanarySetting",
            "TracingEnabled",
            "OpenApiVersion",
            "Domain",
            "AlwaysDeploy",
            "PropagateTags",
        }
    ),
    "HttpApi": frozenset(
        {
            "Auth",
            "AccessLogSettings",
            "StageVariables",
            "Tags",
            "CorsConfiguration",
            "DefaultRouteSettings",
            "Domain",
            "RouteSettings",
            "FailOnWarnings",
            "PropagateTags",
        }
    ),
    "SimpleTable": frozenset({"SSESpecification"}),
    "StateMachine": frozenset({"PropagateTags"}),
    "LayerVersion": frozenset({"PublishLambdaVersion"}),
}
# Lists a resource's value replaces rather than extends.
_REPLACED = frozenset({("Function", "Architectures")})

# Function properties that are the Lambda function's own, as written.
_FUNCTION_COPIED = (
    "Architectures",
    "CodeSigningConfigArn",
    "Description",
    "Environment",
    "EphemeralStorage",
    "FileSystemConfigs",
    "FunctionName",
    "Handler",
    "ImageConfig",
    "KmsKeyArn",
    "Layers",
    "LoggingConfig",
    "MemorySize",
    "PackageType",
    "RecursiveLoop",
    "ReservedConcurrentExecutions",
    "Runtime",
    "RuntimeManagementConfig",
    "SnapStart",
    "Timeout",
    "VpcConfig",
)
# The deployment types CodeDeploy predefines for Lambda, by their SAM names.
_DEPLOYMENT_TYPES = frozenset(
    {
        "Canary10Percent5Minutes",
        "Canary10Percent10Minutes",
        "Canary10Percent15Minutes",
        "Canary10Percent30Minutes",
        "Linear10PercentEvery1Minute",
        "Linear10PercentEvery2Minutes",
        "Linear10PercentEvery3Minutes",
        "Linear10PercentEvery10Minutes",
        "AllAtOnce",
    }
)
# What a SAM resource deploys as, for a connector naming it.
_DEPLOYED_AS = {
    "AWS::Serverless::Function": "AWS::Lambda::Function",
    "AWS::Serverless::SimpleTable": "AWS::DynamoDB::Table",
    "AWS::Serverless::StateMachine": "AWS::StepFunctions::StateMachine",
    "AWS::Serverless::Api": "AWS::ApiGateway::RestApi",
    "AWS::Serverless::HttpApi": "AWS::ApiGatewayV2::Api",
    "AWS::Serverless::GraphQLApi": "AWS::AppSync::GraphQLApi",
}
# Resources whose ARN is their `Ref` (the others': `Fn::GetAtt <Id>.Arn`).
_ARN_BY_REF = frozenset(
    {"AWS::SNS::Topic", "AWS::StepFunctions::StateMachine", "AWS::AppSync::GraphQLApi"}
)
# An API's id, as a connector's permission names it in the API's ARN.
_API_ID = {
    "AWS::ApiGateway::RestApi": "Ref",
    "AWS::ApiGatewayV2::Api": "Ref",
    "AWS::AppSync::GraphQLApi": "ApiId",
}
_S3_URI = re.compile(r"^s3://(?P<bucket>[^/]+)/(?P<key>[^?]+)(?:\?versionId=(?P<version>.+))?$")


def _rule_targets(properties: dict[str, object]) -> tuple[tuple[object, object], ...]:
    """The `Arn` and `RoleArn` of each of a rule's targets, as written."""
    targets = properties.get("Targets")
    if not isinstance(targets, list):
        return ()
    return tuple(
        (target.get("Arn"), target.get("RoleArn")) for target in targets if isinstance(target, dict)
    )


def is_serverless(data: object) -> bool:
    """Whether a template asks for the serverless transform (alone or in a list)."""
    if not isinstance(data, dict):
        return False
    transform = data.get("Transform")
    if isinstance(transform, list):
        return TRANSFORM in transform
    return transform == TRANSFORM


def expand_serverless(document: Document) -> tuple[Document, list[Diagnostic]]:
    """The document with its SAM resources expanded (itself, when it has none)."""
    if not is_serverless(document.data):
        return document, []
    try:
        return _Expansion(document).run()
    except TooLarge as exc:
        problem = Diagnostic.error(
            document.file, f"stopped expanding the serverless resources: {exc}"
        )
        return document, [problem]


def generated_by(document: Document) -> dict[str, str]:
    """The logical id of each resource the serverless transform generates, mapped to
    the SAM resource it comes from (empty for a template without the transform)."""
    if not is_serverless(document.data):
        return {}
    expansion = _Expansion(document)
    try:
        expansion.run()
    except TooLarge:
        return {}  # the run reports why the template was not expanded
    return expansion.owners


class _Expansion:
    def __init__(self, document: Document) -> None:
        self.document = document
        assert isinstance(document.data, dict)
        self.template: dict[str, object] = document.data
        self.spans: dict[DocPath, Span] = dict(document.spans)
        self.diagnostics: list[Diagnostic] = []
        self.resources: dict[str, object] = {}
        section = self.template.get("Resources")
        self.written: set[str] = set(section) if isinstance(section, dict) else set()
        self.budget = Budget(budget_for(document))
        self.globals = self._read_globals()
        self.implicit: dict[str, DocPath] = {}
        # Each generated resource's logical id, mapped to the SAM resource it comes from.
        self.owners: dict[str, str] = {}
        # The methods `Api` events add to each REST API, by the API's logical id.
        self.routes: dict[str, list[Route]] = {}
        # REST APIs are written once every function has told its methods.
        self.pending_apis: list[tuple[str, dict[str, object]]] = []
        self.shared_usage_plan: set[str] = set()

    def run(self) -> tuple[Document, list[Diagnostic]]:
        section = self.template.get("Resources")
        if not isinstance(section, dict):
            return self.document, []
        handlers: dict[str, Callable[[str, dict[str, object]], None]] = {
            "AWS::Serverless::Function": self._function,
            "AWS::Serverless::StateMachine": self._state_machine,
            "AWS::Serverless::Api": self._rest_api,
            "AWS::Serverless::HttpApi": self._http_api,
            "AWS::Serverless::SimpleTable": self._simple_table,
            "AWS::Serverless::LayerVersion": self._layer,
            "AWS::Serverless::Application": self._application,
            "AWS::Serverless::Connector": self._connector,
            "AWS::Serverless::GraphQLApi": self._graphql_api,
        }
        for logical_id, body in section.items():
            handler = (
                handlers.get(str(body.get("Type")))
                if isinstance(body, dict) and isinstance(body.get("Properties", {}), dict | None)
                else None
            )
            if handler is None or not isinstance(body, dict):
                self.resources[logical_id] = body
                continue
            handler(logical_id, body)
        for logical_id, body in section.items():
            if isinstance(body, dict) and isinstance(body.get("Connectors"), dict):
                self._embedded_connectors(logical_id, body)
        for logical_id, body in self.pending_apis:
            props = self._properties(logical_id, body, "Api")
            self._write_rest_api(logical_id, logical_id, props, ("Resources", logical_id), body)
        for kind, origin in self.implicit.items():
            if kind == "rest":
                self._implicit_rest_api(origin)
            else:
                self._implicit_http_api(origin)
        data = {key: value for key, value in self.template.items() if key != "Globals"}
        data["Resources"] = self.resources
        expanded = self.document._replace(data=data, spans=self.spans)
        return expanded, self.diagnostics

    # -- reading ---------------------------------------------------------------

    def _read_globals(self) -> dict[str, dict[str, Src]]:
        section = self.template.get("Globals")
        out: dict[str, dict[str, Src]] = {}
        if not isinstance(section, dict):
            return out
        for kind, properties in section.items():
            allowed = _GLOBALS.get(str(kind))
            path: DocPath = ("Globals", kind)
            if allowed is None:
                self._warn(path, f"Globals has no section '{kind}'; the transform refuses it")
                continue
            if not isinstance(properties, dict):
                self._warn(path, f"Globals '{kind}' must be a mapping of properties")
                continue
            for name, value in properties.items():
                if name not in allowed:
                    self._warn(
                        (*path, name),
                        f"'{name}' cannot be set in Globals for {kind}; the transform refuses it",
                    )
                    continue
                out.setdefault(str(kind), {})[str(name)] = copied(value, (*path, name), self.budget)
        return out

    def _properties(
        self, logical_id: str, body: dict[str, object], kind: str | None
    ) -> dict[str, Src]:
        """The resource's properties, with the template's Globals merged in."""
        path: DocPath = ("Resources", logical_id, "Properties")
        raw = body.get("Properties")
        own = {
            str(key): copied(value, (*path, key), self.budget)
            for key, value in (raw.items() if isinstance(raw, dict) else ())
        }
        applied = dict(self.globals.get(kind, {})) if kind is not None else {}
        ignore = body.get("IgnoreGlobals")
        if ignore == "*":
            applied = {}
        elif isinstance(ignore, list):
            for name in ignore:
                applied.pop(str(name), None)
        out = dict(applied)
        for key, value in own.items():
            outer = applied.get(key)
            out[key] = (
                merged(outer, value, (kind, key) in _REPLACED) if outer is not None else value
            )
        return out

    # -- writing ---------------------------------------------------------------

    def _add(
        self,
        owner: str,
        logical_id: str,
        native_type: str,
        properties: Src,
        attributes: dict[str, object] | None = None,
    ) -> None:
        """Write a generated resource, its header at the SAM resource `owner`."""
        if logical_id in self.written and logical_id != owner:
            self._warn(
                ("Resources", owner),
                f"'{owner}' generates '{logical_id}', which the template also declares; "
                "the generated one is not linted",
            )
            return
        path: DocPath = ("Resources", logical_id)
        source: DocPath = ("Resources", owner)
        span_of = self.document.span_of
        self.spans[path] = span_of(source)
        self.spans[(*path, "Type")] = span_of((*source, "Type"))
        resource: dict[str, object] = {"Type": native_type}
        resource["Properties"] = place(
            properties, (*path, "Properties"), properties.origin, span_of, self.spans
        )
        owner_body = self._body(owner)
        condition = owner_body.get("Condition") if owner_body else None
        if condition is not None:
            resource["Condition"] = condition
            self.spans[(*path, "Condition")] = span_of((*source, "Condition"))
        for key, value in (attributes or {}).items():
            resource[key] = value
            self.spans[(*path, key)] = span_of((*source, key))
        self.resources[logical_id] = resource
        if logical_id != owner:
            self.owners[logical_id] = owner

    def _body(self, logical_id: str) -> dict[str, object] | None:
        section = self.template.get("Resources")
        body = section.get(logical_id) if isinstance(section, dict) else None
        return body if isinstance(body, dict) else None

    def _warn(self, path: DocPath, message: str) -> None:
        span = self.document.spans.get(path) or self.document.span_of(path)
        self.diagnostics.append(
            Diagnostic.warning(self.document.file, message, span.line, span.column)
        )

    def _error(self, path: DocPath, message: str) -> None:
        span = self.document.spans.get(path) or self.document.span_of(path)
        self.diagnostics.append(
            Diagnostic.error(self.document.file, message, span.line, span.column)
        )

    def _main_attributes(self, body: dict[str, object]) -> dict[str, object]:
        """The attributes the transform keeps on the main generated resource."""
        keys = ("DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy")
        return {key: body[key] for key in keys if key in body}

    # -- functions -------------------------------------------------------------

    def _function(self, logical_id: str, body: dict[str, object]) -> None:
        props = self._properties(logical_id, body, "Function")
        header: DocPath = ("Resources", logical_id)
        fields: dict[str, Src | None] = {key: props.get(key) for key in _FUNCTION_COPIED}
        fields["Code"] = _code(props)
        dead_letters = props.get("DeadLetterQueue")
        target = field(dead_letters, "TargetArn")
        if dead_letters is not None:
            fields["DeadLetterConfig"] = Src({"TargetArn": target}, dead_letters.origin)
        tracing = props.get("Tracing")
        if tracing is not None:
            fields["TracingConfig"] = Src({"Mode": tracing}, tracing.origin)
        fields["Tags"] = _tags(props.get("Tags"), "lambda:createdBy", header)

        managed: list[Src] = []
        alias = self._alias(logical_id, props)
        events = function_events(
            props.get("Events"),
            EventContext(
                logical_id,
                lambda rid, rtype, rprops, _origin: self._add(logical_id, rid, rtype, rprops),
                self._need_api,
                self._warn,
                self._rest_api_stage,
                lambda api, route: self.routes.setdefault(api, []).append(route),
                alias,
            ),
        )
        role = props.get("Role")
        if role is not None:
            fields["Role"] = role
        else:
            role_id = f"{logical_id}Role"
            fields["Role"] = Src({"Fn::GetAtt": [role_id, "Arn"]}, header)
            managed.append(aws_managed("service-role/AWSLambdaBasicExecutionRole", header))
            if tracing is not None and tracing.value != "Disabled":
                managed.append(aws_managed("AWSXrayWriteOnlyAccess", tracing.origin))
            vpc = props.get("VpcConfig")
            if vpc is not None:
                managed.append(
                    aws_managed("service-role/AWSLambdaVPCAccessExecutionRole", vpc.origin)
                )
            inline: list[Src] = []
            if dead_letters is not None and target is not None:
                action = {"SQS": "sqs:SendMessage", "SNS": "sns:Publish"}.get(
                    text(field(dead_letters, "Type")) or ""
                )
                if action is not None:
                    statement = {"Action": action, "Resource": target, "Effect": "Allow"}
                    document = {"Version": "2012-10-17", "Statement": [statement]}
                    inline.append(
                        Src(
                            {"PolicyName": "DeadLetterQueuePolicy", "PolicyDocument": document},
                            dead_letters.origin,
                        )
                    )
            policies = read_policies(props.get("Policies"), role_id, self._warn, self._error)
            managed.extend(policies.managed)
            managed.extend(events)
            inline.extend(policies.inline)
            assume = props.get("AssumeRolePolicyDocument") or trust("lambda.amazonaws.com", header)
            role_properties = execution_role(
                header,
                assume,
                managed,
                inline,
                {
                    "PermissionsBoundary": props.get("PermissionsBoundary"),
                    "Path": props.get("RolePath"),
                    "Tags": _tags(props.get("Tags"), "lambda:createdBy", header),
                },
            )
            self._add(logical_id, role_id, "AWS::IAM::Role", role_properties)
        self._add(
            logical_id,
            logical_id,
            "AWS::Lambda::Function",
            _object(fields, header),
            self._main_attributes(body),
        )
        self._function_url(logical_id, props.get("FunctionUrlConfig"), alias)

    def _alias(self, logical_id: str, props: dict[str, Src]) -> str | None:
        """`AutoPublishAlias`: a version and the alias pointing at it (what events,
        the URL and their permissions then name), and with a `DeploymentPreference`
        CodeDeploy's application, the function's deployment group and CodeDeploy's
        role. The alias's logical id, if there is one."""
        written = props.get("AutoPublishAlias")
        preference = props.get("DeploymentPreference")
        name = text(written)
        if written is None or name is None:
            if written is not None:
                self._warn(
                    written.origin,
                    f"the alias of function '{logical_id}' is not written as text; "
                    "its version and alias are not linted",
                )
            elif preference is not None:
                self._warn(
                    preference.origin,
                    "the transform refuses DeploymentPreference without AutoPublishAlias; "
                    "it is not linted",
                )
            return None
        origin = written.origin
        alias_id = f"{logical_id}Alias{re.sub(r'[^A-Za-z0-9]', '', name)}"
        # The transform adds a hash of the code to the version's id: left out.
        version_id = f"{logical_id}Version"
        version = {
            "FunctionName": Src({"Ref": logical_id}, origin),
            "Description": props.get("VersionDescription"),
        }
        self._add(
            logical_id,
            version_id,
            "AWS::Lambda::Version",
            _object(version, origin),
            {"DeletionPolicy": "Retain"},
        )
        alias_props: dict[str, Src | None] = {
            "Name": written,
            "FunctionName": Src({"Ref": logical_id}, origin),
            "FunctionVersion": Src({"Fn::GetAtt": [version_id, "Version"]}, origin),
            "ProvisionedConcurrencyConfig": props.get("ProvisionedConcurrencyConfig"),
        }
        attributes: dict[str, object] = {}
        enabled = field(preference, "Enabled")
        if preference is not None and (enabled is None or enabled.value is not False):
            attributes["UpdatePolicy"] = self._deployment(logical_id, preference)
        self._add(logical_id, alias_id, "AWS::Lambda::Alias", _object(alias_props, origin))
        if attributes:
            resource = self.resources[alias_id]
            assert isinstance(resource, dict)
            resource.update(attributes)
            self.spans[("Resources", alias_id, "UpdatePolicy")] = self.document.span_of(
                preference.origin if preference is not None else origin
            )
        return alias_id

    def _deployment(self, logical_id: str, preference: Src) -> dict[str, object]:
        """CodeDeploy's resources for a function's gradual deployment; the alias's
        update policy."""
        origin = preference.origin
        application = "ServerlessDeploymentApplication"
        if application not in self.resources:
            self._add(
                logical_id,
                application,
                "AWS::CodeDeploy::Application",
                Src({"ComputePlatform": "Lambda"}, origin),
            )
        role = field(preference, "Role")
        if role is None and "CodeDeployServiceRole" not in self.resources:
            service_role = {
                "AssumeRolePolicyDocument": trust("codedeploy.amazonaws.com", origin),
                "ManagedPolicyArns": Src(
                    [aws_managed("service-role/AWSCodeDeployRoleForLambda", origin)], origin
                ),
            }
            self._add(
                logical_id, "CodeDeployServiceRole", "AWS::IAM::Role", Src(service_role, origin)
            )
        kind = field(preference, "Type")
        alarms = field(preference, "Alarms")
        group: dict[str, Src | None] = {
            "ApplicationName": Src({"Ref": application}, origin),
            "AutoRollbackConfiguration": Src(
                {
                    "Enabled": True,
                    "Events": [
                        "DEPLOYMENT_FAILURE",
                        "DEPLOYMENT_STOP_ON_ALARM",
                        "DEPLOYMENT_STOP_ON_REQUEST",
                    ],
                },
                origin,
            ),
            "DeploymentConfigName": Src(
                {"Fn::Sub": ["CodeDeployDefault.Lambda${ConfigName}", {"ConfigName": plain(kind)}]},
                kind.origin,
            )
            if text(kind) in _DEPLOYMENT_TYPES and kind is not None
            else kind,
            "DeploymentStyle": Src(
                {"DeploymentType": "BLUE_GREEN", "DeploymentOption": "WITH_TRAFFIC_CONTROL"}, origin
            ),
            "ServiceRoleArn": role or Src({"Fn::GetAtt": ["CodeDeployServiceRole", "Arn"]}, origin),
            "TriggerConfigurations": field(preference, "TriggerConfigurations"),
        }
        if alarms is not None and isinstance(alarms.value, list) and alarms.value:
            group["AlarmConfiguration"] = Src(
                {
                    "Enabled": True,
                    "Alarms": [Src({"Name": alarm}, alarm.origin) for alarm in alarms.value],
                },
                alarms.origin,
            )
        group_id = f"{logical_id}DeploymentGroup"
        self._add(logical_id, group_id, "AWS::CodeDeploy::DeploymentGroup", _object(group, origin))
        update: dict[str, object] = {
            "ApplicationName": {"Ref": application},
            "DeploymentGroupName": {"Ref": group_id},
        }
        hooks = plain(field(preference, "Hooks"))
        if isinstance(hooks, dict):
            for hook, key in (
                ("PreTraffic", "BeforeAllowTrafficHook"),
                ("PostTraffic", "AfterAllowTrafficHook"),
            ):
                if hook in hooks:
                    update[key] = hooks[hook]
        return {"CodeDeployLambdaAliasUpdate": update}

    def _function_url(self, logical_id: str, config: Src | None, alias: str | None) -> None:
        if config is None or not isinstance(config.value, dict):
            return
        origin = config.origin
        target = alias or logical_id
        auth = field(config, "AuthType")
        url = {
            "TargetFunctionArn": Src({"Ref": target}, origin),
            "AuthType": auth,
            "Cors": field(config, "Cors"),
            "InvokeMode": field(config, "InvokeMode"),
        }
        self._add(logical_id, f"{logical_id}Url", "AWS::Lambda::Url", _object(url, origin))
        if auth is None or auth.value != "NONE":
            return
        public = {
            "Action": Src("lambda:InvokeFunctionUrl", origin),
            "FunctionName": Src({"Ref": target}, origin),
            "Principal": Src("*", auth.origin),
            "FunctionUrlAuthType": auth,
        }
        self._add(
            logical_id,
            f"{logical_id}UrlPublicPermissions",
            "AWS::Lambda::Permission",
            _object(public, origin),
        )
        invoke = {
            "Action": Src("lambda:InvokeFunction", origin),
            "FunctionName": Src({"Ref": target}, origin),
            "Principal": Src("*", auth.origin),
            "InvokedViaFunctionUrl": Src(True, origin),
        }
        self._add(
            logical_id,
            f"{logical_id}URLInvokeAllowPublicAccess",
            "AWS::Lambda::Permission",
            _object(invoke, origin),
        )

    # -- state machines --------------------------------------------------------

    def _state_machine(self, logical_id: str, body: dict[str, object]) -> None:
        props = self._properties(logical_id, body, "StateMachine")
        header: DocPath = ("Resources", logical_id)
        fields: dict[str, Src | None] = {
            "StateMachineName": props.get("Name"),
            "StateMachineType": props.get("Type"),
            "LoggingConfiguration": props.get("Logging"),
            "TracingConfiguration": props.get("Tracing"),
            "Definition": props.get("Definition"),
            "DefinitionSubstitutions": props.get("DefinitionSubstitutions"),
            "DefinitionS3Location": _s3_location(
                props.get("DefinitionUri"), ("Bucket", "Key", "Version")
            ),
            "Tags": _tags(props.get("Tags"), "stateMachine:createdBy", header),
        }
        role = props.get("Role")
        if role is not None:
            fields["RoleArn"] = role
        else:
            role_id = f"{logical_id}Role"
            fields["RoleArn"] = Src({"Fn::GetAtt": [role_id, "Arn"]}, header)
            policies = read_policies(props.get("Policies"), role_id, self._warn, self._error)
            managed = list(policies.managed)
            tracing = props.get("Tracing")
            enabled = field(tracing, "Enabled")
            if enabled is not None and enabled.value is True:
                managed.append(aws_managed("AWSXrayWriteOnlyAccess", enabled.origin))
            role_properties = execution_role(
                header,
                trust("states.amazonaws.com", header),
                managed,
                policies.inline,
                {
                    "PermissionsBoundary": props.get("PermissionsBoundary"),
                    "Path": props.get("RolePath"),
                    "Tags": _tags(props.get("Tags"), "stateMachine:createdBy", header),
                },
            )
            self._add(logical_id, role_id, "AWS::IAM::Role", role_properties)
        state_machine_events(
            props.get("Events"),
            EventContext(
                logical_id,
                lambda rid, rtype, rprops, _origin: self._add(logical_id, rid, rtype, rprops),
                self._need_api,
                self._warn,
                self._rest_api_stage,
                lambda api, route: self.routes.setdefault(api, []).append(route),
            ),
        )
        self._add(
            logical_id,
            logical_id,
            "AWS::StepFunctions::StateMachine",
            _object(fields, header),
            self._main_attributes(body),
        )

    # -- APIs ------------------------------------------------------------------

    def _rest_api_stage(self, api: object) -> str:
        """The stage of the API an event names (`Ref` to an `AWS::Serverless::Api`),
        as the permission's suffix: "Prod" when it cannot be told."""
        target = api.get("Ref") if isinstance(api, dict) else None
        body = self._body(target) if isinstance(target, str) else None
        properties = body.get("Properties") if body is not None else None
        stage = properties.get("StageName") if isinstance(properties, dict) else None
        return stage if isinstance(stage, str) and stage.isalnum() else "Prod"

    def _need_api(self, kind: str, origin: DocPath) -> None:
        self.implicit.setdefault(kind, origin)

    def _rest_api(self, logical_id: str, body: dict[str, object]) -> None:
        # Written at the end (see `run`), in its place among the resources.
        self.resources[logical_id] = None
        self.pending_apis.append((logical_id, body))

    def _implicit_rest_api(self, origin: DocPath) -> None:
        props = dict(self.globals.get("Api", {}))
        owner = str(origin[1])
        self._write_rest_api(owner, "ServerlessRestApi", props, origin, None)

    def _write_rest_api(
        self,
        owner: str,
        api_id: str,
        props: dict[str, Src],
        header: DocPath,
        body: dict[str, object] | None,
    ) -> None:
        endpoint = props.get("EndpointConfiguration")
        endpoint_types = field(endpoint, "Type") if endpoint is not None else None
        if endpoint is not None and isinstance(endpoint.value, str):
            endpoint_types = endpoint
        stage_name = props.get("StageName") or Src("Prod", header)
        auth = props.get("Auth")
        definition = props.get("DefinitionBody")
        body_value: Src | None = definition
        if definition is None or (
            isinstance(definition.value, dict) and not is_intrinsic(definition.value)
        ):
            routes = self.routes.get(api_id, [])
            body_value = rest_api_body(api_id, props, routes, stage_name, header)
        elif auth is not None:
            self._warn(
                auth.origin,
                f"the definition of API '{api_id}' is not written in the template; "
                "the resource policy and authorizers of its Auth are not linted",
            )
        api: dict[str, Src | None] = {
            "Name": props.get("Name"),
            "Body": body_value,
            "BodyS3Location": _s3_location(
                props.get("DefinitionUri"), ("Bucket", "Key", "Version")
            ),
            "EndpointConfiguration": Src(
                {
                    "Types": Src([endpoint_types], endpoint_types.origin),
                    "VpcEndpointIds": field(endpoint, "VPCEndpointIds"),
                },
                endpoint_types.origin,
            )
            if endpoint_types is not None
            else None,
            "BinaryMediaTypes": props.get("BinaryMediaTypes"),
            "MinimumCompressionSize": props.get("MinimumCompressionSize"),
            "DisableExecuteApiEndpoint": props.get("DisableExecuteApiEndpoint"),
        }
        if "DefinitionUri" in props:
            api["Body"] = None
            if auth is not None:
                self._warn(
                    auth.origin,
                    f"the transform refuses Auth on API '{api_id}' whose definition is "
                    "DefinitionUri (Auth needs DefinitionBody); it is not linted",
                )
        attributes = self._main_attributes(body) if body is not None else None
        self._add(owner, api_id, "AWS::ApiGateway::RestApi", _object(api, header), attributes)
        authorizer_permissions(
            api_id, auth, lambda rid, rtype, rprops: self._add(owner, rid, rtype, rprops)
        )
        deployment_id = f"{api_id}Deployment"
        deployment = {
            "RestApiId": Src({"Ref": api_id}, header),
            "Description": Src(f"RestApi deployment of {api_id}", header),
        }
        self._add(owner, deployment_id, "AWS::ApiGateway::Deployment", _object(deployment, header))
        stage: dict[str, Src | None] = {
            "DeploymentId": Src({"Ref": deployment_id}, header),
            "RestApiId": Src({"Ref": api_id}, header),
            "StageName": stage_name,
            "AccessLogSetting": props.get("AccessLogSetting"),
            "CacheClusterEnabled": props.get("CacheClusterEnabled"),
            "CacheClusterSize": props.get("CacheClusterSize"),
            "CanarySetting": props.get("CanarySetting"),
            "MethodSettings": props.get("MethodSettings"),
            "TracingEnabled": props.get("TracingEnabled"),
            "Variables": props.get("Variables"),
            "Tags": _tags(props.get("Tags"), None, header),
        }
        stage_text = text(stage_name)
        suffix = stage_text if stage_text is not None and stage_text.isalnum() else "Stage"
        stage_id = f"{api_id}{suffix}Stage"
        self._add(owner, stage_id, "AWS::ApiGateway::Stage", _object(stage, header))
        usage_plan(
            api_id,
            stage_id,
            auth,
            lambda rid, rtype, rprops: self._add(owner, rid, rtype, rprops),
            self.shared_usage_plan,
        )

    def _http_api(self, logical_id: str, body: dict[str, object]) -> None:
        props = self._properties(logical_id, body, "HttpApi")
        self._write_http_api(logical_id, logical_id, props, ("Resources", logical_id), body)

    def _implicit_http_api(self, origin: DocPath) -> None:
        props = dict(self.globals.get("HttpApi", {}))
        self._write_http_api(str(origin[1]), "ServerlessHttpApi", props, origin, None)

    def _write_http_api(
        self,
        owner: str,
        api_id: str,
        props: dict[str, Src],
        header: DocPath,
        body: dict[str, object] | None,
    ) -> None:
        api: dict[str, Src | None] = {
            "Name": props.get("Name"),
            "Body": props.get("DefinitionBody")
            or Src({"openapi": "3.0.1", "info": {"version": "1.0"}, "paths": {}}, header),
            "BodyS3Location": _s3_location(
                props.get("DefinitionUri"), ("Bucket", "Key", "Version")
            ),
            "FailOnWarnings": props.get("FailOnWarnings"),
            "DisableExecuteApiEndpoint": props.get("DisableExecuteApiEndpoint"),
            "Tags": _map_tags(props.get("Tags"), "httpapi:createdBy", header),
        }
        if "DefinitionUri" in props:
            api["Body"] = None
        attributes = self._main_attributes(body) if body is not None else None
        self._add(owner, api_id, "AWS::ApiGatewayV2::Api", _object(api, header), attributes)
        authorizer_permissions(
            api_id,
            props.get("Auth"),
            lambda rid, rtype, rprops: self._add(owner, rid, rtype, rprops),
            http=True,
        )
        stage_name = props.get("StageName")
        stage_text = text(stage_name)
        stage: dict[str, Src | None] = {
            "ApiId": Src({"Ref": api_id}, header),
            "StageName": stage_name or Src("$default", header),
            "AutoDeploy": Src(True, header),
            "AccessLogSettings": props.get("AccessLogSettings"),
            "DefaultRouteSettings": props.get("DefaultRouteSettings"),
            "RouteSettings": props.get("RouteSettings"),
            "StageVariables": props.get("StageVariables"),
            "Tags": _map_tags(props.get("Tags"), "httpapi:createdBy", header),
        }
        if stage_name is None or stage_text == "$default":
            stage_id = f"{api_id}ApiGatewayDefaultStage"
        else:
            suffix = stage_text if stage_text is not None and stage_text.isalnum() else ""
            stage_id = f"{api_id}{suffix}Stage"
        self._add(owner, stage_id, "AWS::ApiGatewayV2::Stage", _object(stage, header))

    def _graphql_api(self, logical_id: str, body: dict[str, object]) -> None:
        props = self._properties(logical_id, body, None)
        header: DocPath = ("Resources", logical_id)
        attributes = self._main_attributes(body)

        def add(rid: str, rtype: str, rprops: Src) -> None:
            self._add(logical_id, rid, rtype, rprops, attributes if rid == logical_id else None)

        graphql_api(
            logical_id,
            props,
            header,
            _tags(props.get("Tags"), "graphqlapi:createdBy", header),
            add,
            self._warn,
        )

    # -- connectors ------------------------------------------------------------

    def _connector(self, logical_id: str, body: dict[str, object]) -> None:
        props = self._properties(logical_id, body, None)
        written = props.get("Source")
        source: Endpoint | str = "it has no Source"
        if written is not None:
            source = endpoint(written, self._endpoint)
        connector(
            logical_id,
            props,
            source,
            self._endpoint,
            lambda rid, rtype, rprops: self._add(logical_id, rid, rtype, rprops),
            lambda reason: self._not_expanded(
                ("Resources", logical_id, "Type"), logical_id, reason
            ),
        )

    def _embedded_connectors(self, owner: str, body: dict[str, object]) -> None:
        """The `Connectors` written in a resource: `<Resource><Name>`, from it."""
        section = body["Connectors"]
        assert isinstance(section, dict)
        for name, entry in section.items():
            path: DocPath = ("Resources", owner, "Connectors", name)
            logical_id = f"{owner}{name}"
            raw = entry.get("Properties") if isinstance(entry, dict) else None
            props = {
                str(key): copied(value, (*path, "Properties", key), self.budget)
                for key, value in (raw.items() if isinstance(raw, dict) else ())
            }

            def refuse(reason: str, at: DocPath = path, cid: str = logical_id) -> None:
                self._not_expanded(at, cid, reason)

            connector(
                logical_id,
                props,
                embedded_source(self._endpoint(owner), props.get("SourceReference")),
                self._endpoint,
                lambda rid, rtype, rprops: self._add(owner, rid, rtype, rprops),
                refuse,
            )

    def _endpoint(self, logical_id: str) -> Endpoint | str:
        """What a connector's `Id` names, as deployed; or why it cannot be used."""
        body = self._body(logical_id)
        if body is None:
            return f"it names '{logical_id}', which the template does not declare"
        written_type = str(body.get("Type"))
        native = _DEPLOYED_AS.get(written_type, written_type)
        arn = {"Ref": logical_id} if native in _ARN_BY_REF else {"Fn::GetAtt": [logical_id, "Arn"]}
        name = {"Fn::GetAtt": [logical_id, "Name"]}
        raw = body.get("Properties")
        properties = raw if isinstance(raw, dict) else {}
        role_property = "RoleArn" if native == "AWS::StepFunctions::StateMachine" else "Role"
        if written_type.startswith("AWS::Serverless::"):
            role_property = "Role"
        written_role = properties.get(role_property)
        role_src = (
            copied(
                written_role, ("Resources", logical_id, "Properties", role_property), self.budget
            )
            if written_role is not None
            else None
        )
        generated = (
            f"{logical_id}Role"
            if written_type in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")
            else None
        )
        url = {"Ref": logical_id} if native == "AWS::SQS::Queue" else None
        api_id = _API_ID.get(native)
        resource_id = (
            None
            if api_id is None
            else {"Ref": logical_id}
            if api_id == "Ref"
            else {"Fn::GetAtt": [logical_id, api_id]}
        )
        # A GraphQL API's ARN names no stage or path: only API Gateway's take one.
        qualifier = "*" if api_id == "Ref" else None
        return Endpoint(
            native,
            arn,
            name,
            role_of(role_src, generated),
            url,
            resource_id,
            qualifier,
            _rule_targets(properties) if native == "AWS::Events::Rule" else None,
        )

    def _not_expanded(self, path: DocPath, logical_id: str, reason: str) -> None:
        span = self.document.spans.get(path) or self.document.span_of(path)
        self.diagnostics.append(
            Diagnostic.warning(
                self.document.file,
                f"'{logical_id}' (AWS::Serverless::Connector) is expanded by the "
                "AWS::Serverless transform at deployment; the resources it generates are "
                f"not linted: {reason}",
                span.line,
                span.column,
                kind=SAM_TRANSFORM,
                subject=logical_id,
            )
        )

    # -- the rest --------------------------------------------------------------

    def _simple_table(self, logical_id: str, body: dict[str, object]) -> None:
        props = self._properties(logical_id, body, "SimpleTable")
        header: DocPath = ("Resources", logical_id)
        key = props.get("PrimaryKey")
        name = field(key, "Name") or Src("id", header)
        key_type = field(key, "Type")
        types = {"String": "S", "Number": "N", "Binary": "B"}
        attribute_type = (
            key_type.with_value(types.get(str(key_type.value), key_type.value))
            if key_type is not None
            else Src("S", header)
        )
        origin = key.origin if key is not None else header
        throughput = props.get("ProvisionedThroughput")
        table: dict[str, Src | None] = {
            "TableName": props.get("TableName"),
            "AttributeDefinitions": Src(
                [Src({"AttributeName": name, "AttributeType": attribute_type}, origin)], origin
            ),
            "KeySchema": Src([Src({"AttributeName": name, "KeyType": "HASH"}, origin)], origin),
            "ProvisionedThroughput": throughput,
            "BillingMode": None if throughput is not None else Src("PAY_PER_REQUEST", header),
            "SSESpecification": props.get("SSESpecification"),
            "PointInTimeRecoverySpecification": props.get("PointInTimeRecoverySpecification"),
            "Tags": _tags(props.get("Tags"), None, header),
        }
        self._add(
            logical_id,
            logical_id,
            "AWS::DynamoDB::Table",
            _object(table, header),
            self._main_attributes(body),
        )

    def _layer(self, logical_id: str, body: dict[str, object]) -> None:
        # The transform adds a hash of the content to the logical id; the id as
        # written is kept, so references to it still name the layer.
        props = self._properties(logical_id, body, "LayerVersion")
        header: DocPath = ("Resources", logical_id)
        layer = {
            "LayerName": props.get("LayerName") or Src(logical_id, header),
            "Description": props.get("Description"),
            "Content": _s3_location(
                props.get("ContentUri"), ("S3Bucket", "S3Key", "S3ObjectVersion")
            ),
            "CompatibleRuntimes": props.get("CompatibleRuntimes"),
            "CompatibleArchitectures": props.get("CompatibleArchitectures"),
            "LicenseInfo": props.get("LicenseInfo"),
        }
        self._add(
            logical_id,
            logical_id,
            "AWS::Lambda::LayerVersion",
            _object(layer, header),
            self._main_attributes(body),
        )

    def _application(self, logical_id: str, body: dict[str, object]) -> None:
        props = self._properties(logical_id, body, None)
        header: DocPath = ("Resources", logical_id)
        location = props.get("Location")
        stack: dict[str, Src | None] = {
            "TemplateURL": location
            if location is not None and isinstance(location.value, str)
            else None,
            "Parameters": props.get("Parameters"),
            "NotificationARNs": props.get("NotificationARNs"),
            "TimeoutInMinutes": props.get("TimeoutInMinutes"),
            "Tags": _tags(props.get("Tags"), None, header),
        }
        url = text(location)
        if url is None or re.match(r"^(https?|s3)://", url):
            self._warn(
                location.origin if location is not None else header,
                f"application '{logical_id}' is deployed from "
                + ("the Serverless Application Repository" if url is None else url)
                + "; its resources are not linted (lint its template where it is kept)",
            )
        self._add(
            logical_id,
            logical_id,
            "AWS::CloudFormation::Stack",
            _object(stack, header),
            self._main_attributes(body),
        )


def _object(fields: Mapping[str, Src | None], origin: DocPath) -> Src:
    return Src({key: value for key, value in fields.items() if value is not None}, origin)


def _code(props: dict[str, Src]) -> Src | None:
    inline = props.get("InlineCode")
    if inline is not None:
        return Src({"ZipFile": inline}, inline.origin)
    image = props.get("ImageUri")
    if image is not None:
        return Src({"ImageUri": image}, image.origin)
    return _s3_location(props.get("CodeUri"), ("S3Bucket", "S3Key", "S3ObjectVersion"))


def _s3_location(uri: Src | None, names: tuple[str, str, str]) -> Src | None:
    """An `s3://bucket/key` URI or a `{Bucket, Key, Version}` mapping as CloudFormation
    names them; a local path (packaged at deployment) is not known here."""
    if uri is None:
        return None
    if isinstance(uri.value, str):
        found = _S3_URI.match(uri.value)
        if found is None:
            return None
        parts = (found["bucket"], found["key"], found["version"])
        return Src(
            {name: part for name, part in zip(names, parts, strict=True) if part is not None},
            uri.origin,
        )
    if isinstance(uri.value, dict) and not is_intrinsic(uri.value):
        fields = (field(uri, "Bucket"), field(uri, "Key"), field(uri, "Version"))
        return _object(dict(zip(names, fields, strict=True)), uri.origin)
    return None


def _tags(tags: Src | None, created_by: str | None, origin: DocPath) -> Src | None:
    """A SAM tag mapping as CloudFormation's list of `{Key, Value}`."""
    items: list[Src] = []
    if created_by is not None:
        items.append(Src({"Key": created_by, "Value": "SAM"}, origin))
    if tags is not None and isinstance(tags.value, dict) and not is_intrinsic(tags.value):
        for key, value in tags.value.items():
            items.append(Src({"Key": Src(key, value.origin), "Value": value}, value.origin))
    elif tags is not None:
        return tags
    return Src(items, tags.origin if tags is not None else origin) if items else None


def _map_tags(tags: Src | None, created_by: str, origin: DocPath) -> Src:
    out: dict[str, object] = {created_by: "SAM"}
    if tags is not None and isinstance(tags.value, dict) and not is_intrinsic(tags.value):
        out.update(tags.value)
    return Src(out, tags.origin if tags is not None else origin)

"""`AWS::Serverless::GraphQLApi`: an AppSync API and what it needs to run.

The transform writes the `AWS::AppSync::GraphQLApi` (its authentication, with
the permission letting AppSync call each Lambda authorizer,
`<Api>ToLambdaAuthConnector<n>WriteLambdaPermission`), its schema, a role AppSync
assumes to write its logs (`<Api>CloudWatchRole`, unless `Logging` is false or
names its own role), its API keys, and its data sources: a DynamoDB or Lambda
data source gets a role AppSync assumes (`<DataSource>Role`, unless it names its
`ServiceRoleArn`) and the managed policy of the connector from the data source
to its table or function. Functions and resolvers are written with their data
sources; a `none` data source is written once. Caches and domain names are
written as they are asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from iaclint.adapt.cloudformation.sam_connectors import Endpoint, connector
from iaclint.adapt.cloudformation.sam_roles import aws_managed, trust
from iaclint.adapt.cloudformation.sam_values import field, plain, text
from iaclint.adapt.sourced import Src
from iaclint.span import DocPath

# (logical id, type, properties) of a generated resource.
Add = Callable[[str, str, Src], None]
# A located warning.
Warn = Callable[[DocPath, str], None]

_AUTH_CONFIG = {
    "AWS_LAMBDA": ("LambdaAuthorizer", "LambdaAuthorizerConfig"),
    "OPENID_CONNECT": ("OpenIDConnect", "OpenIDConnectConfig"),
    "AMAZON_COGNITO_USER_POOLS": ("UserPool", "UserPoolConfig"),
}
_APPSYNC_ARN = "arn:${AWS::Partition}:appsync:${AWS::Region}:${AWS::AccountId}:apis/"


def graphql_api(
    api_id: str,
    props: Mapping[str, Src],
    header: DocPath,
    tags: Src | None,
    add: Add,
    warn: Warn,
) -> None:
    """Write a GraphQL API's resources."""
    api: dict[str, object] = {"Name": props.get("Name") or Src(api_id, header), "Tags": tags}
    for key in (
        "Visibility",
        "OwnerContact",
        "XrayEnabled",
        "IntrospectionConfig",
        "QueryDepthLimit",
        "ResolverCountLimit",
    ):
        api[key] = props.get(key)
    authorizers = _auth(api, props.get("Auth"))
    logging = props.get("Logging")
    log_role: Src | None = None
    if logging is None or logging.value is not False:
        own_role = field(logging, "CloudWatchLogsRoleArn")
        config: dict[str, object] = {
            "FieldLogLevel": field(logging, "FieldLogLevel") or Src("ALL", header),
            "ExcludeVerboseContent": field(logging, "ExcludeVerboseContent"),
        }
        if own_role is not None:
            config["CloudWatchLogsRoleArn"] = own_role
        else:
            origin = logging.origin if logging is not None else header
            config["CloudWatchLogsRoleArn"] = Src(
                {"Fn::GetAtt": [f"{api_id}CloudWatchRole", "Arn"]}, origin
            )
            log_role = Src(
                {
                    "AssumeRolePolicyDocument": trust("appsync.amazonaws.com", origin),
                    "ManagedPolicyArns": Src(
                        [aws_managed("service-role/AWSAppSyncPushToCloudWatchLogs", origin)],
                        origin,
                    ),
                },
                origin,
            )
        api["LogConfig"] = _object(config, logging.origin if logging is not None else header)
    add(api_id, "AWS::AppSync::GraphQLApi", _object(api, header))
    api_ref = Src({"Fn::GetAtt": [api_id, "ApiId"]}, header)
    schema = {
        "ApiId": api_ref,
        "Definition": props.get("SchemaInline"),
        "DefinitionS3Location": props.get("SchemaUri"),
    }
    add(f"{api_id}Schema", "AWS::AppSync::GraphQLSchema", _object(schema, header))
    for number, (function, origin) in enumerate(authorizers, 1):
        source_arn = {
            "Fn::Sub": [_APPSYNC_ARN + "${SourceResourceId}", {"SourceResourceId": plain(api_ref)}]
        }
        permission = {
            "Action": Src("lambda:InvokeFunction", origin),
            "FunctionName": function,
            "Principal": Src("appsync.amazonaws.com", origin),
            "SourceArn": Src(source_arn, origin),
        }
        add(
            f"{api_id}ToLambdaAuthConnector{number}WriteLambdaPermission",
            "AWS::Lambda::Permission",
            Src(permission, origin),
        )
    if log_role is not None:
        add(f"{api_id}CloudWatchRole", "AWS::IAM::Role", log_role)
    keys = props.get("ApiKeys")
    if keys is not None and isinstance(keys.value, dict):
        for name, key in keys.value.items():
            if not isinstance(key, Src):
                continue
            fields = {
                "ApiId": api_ref,
                "Description": field(key, "Description"),
                "Expires": field(key, "ExpiresOn"),
            }
            add(
                f"{api_id}{text(field(key, 'ApiKeyId')) or name}",
                "AWS::AppSync::ApiKey",
                _object(fields, key.origin),
            )
    cache = props.get("Cache")
    if cache is not None and isinstance(cache.value, dict):
        add(
            f"{api_id}ApiCache",
            "AWS::AppSync::ApiCache",
            Src({**cache.value, "ApiId": api_ref}, cache.origin),
        )
    domain = props.get("DomainName")
    if domain is not None and isinstance(domain.value, dict):
        add(f"{api_id}DomainName", "AWS::AppSync::DomainName", domain)
        association = {"ApiId": api_ref, "DomainName": field(domain, "DomainName")}
        add(
            f"{api_id}DomainNameApiAssociation",
            "AWS::AppSync::DomainNameApiAssociation",
            _object(association, domain.origin),
        )
    names = _data_sources(api_id, api_ref, props.get("DataSources"), add, warn)
    none_source: list[bool] = []

    def source_name(written: Src | None) -> object:
        name = text(written)
        if name is not None and name.lower() == "none":
            none_source.append(True)
            return {"Fn::GetAtt": [f"{api_id}NoneDataSource", "Name"]}
        if name is not None and name in names:
            return names[name]
        return plain(written)

    functions = props.get("Functions")
    function_ids: dict[str, object] = {}
    if functions is not None and isinstance(functions.value, dict):
        for name, function in functions.value.items():
            if not isinstance(function, Src):
                continue
            function_id = f"{api_id}{name}"
            function_ids[str(name)] = {"Fn::GetAtt": [function_id, "FunctionId"]}
            configuration = {
                "ApiId": api_ref,
                "Name": field(function, "Name") or Src(name, function.origin),
                "DataSourceName": Src(source_name(field(function, "DataSource")), function.origin),
                "Description": field(function, "Description"),
                "Runtime": field(function, "Runtime"),
                "Code": field(function, "InlineCode"),
                "CodeS3Location": field(function, "CodeUri"),
                "MaxBatchSize": field(function, "MaxBatchSize"),
                "SyncConfig": field(function, "Sync"),
            }
            add(
                function_id,
                "AWS::AppSync::FunctionConfiguration",
                _object(configuration, function.origin),
            )
    resolvers = props.get("Resolvers")
    if resolvers is not None and isinstance(resolvers.value, dict):
        for type_name, fields in resolvers.value.items():
            if not isinstance(fields, Src) or not isinstance(fields.value, dict):
                continue
            for field_name, resolver in fields.value.items():
                if not isinstance(resolver, Src):
                    continue
                pipeline = field(resolver, "Pipeline")
                steps = [
                    function_ids.get(str(plain(step)), plain(step))
                    for step in (
                        pipeline.value
                        if pipeline is not None and isinstance(pipeline.value, list)
                        else []
                    )
                ]
                written = {
                    "ApiId": api_ref,
                    "TypeName": Src(type_name, resolver.origin),
                    "FieldName": field(resolver, "FieldName") or Src(field_name, resolver.origin),
                    "Kind": Src("PIPELINE", resolver.origin),
                    "PipelineConfig": Src({"Functions": steps}, resolver.origin),
                    "Runtime": field(resolver, "Runtime"),
                    "Code": field(resolver, "InlineCode"),
                    "CodeS3Location": field(resolver, "CodeUri"),
                    "MaxBatchSize": field(resolver, "MaxBatchSize"),
                    "CachingConfig": field(resolver, "Caching"),
                    "SyncConfig": field(resolver, "Sync"),
                }
                add(
                    f"{api_id}{type_name}{field_name}",
                    "AWS::AppSync::Resolver",
                    _object(written, resolver.origin),
                )
    if none_source:
        none_id = f"{api_id}NoneDataSource"
        data = {"ApiId": api_ref, "Name": Src(none_id, header), "Type": Src("NONE", header)}
        add(none_id, "AWS::AppSync::DataSource", _object(data, header))


def _auth(api: dict[str, object], auth: Src | None) -> list[tuple[Src, DocPath]]:
    """Set the API's authentication; the Lambda authorizers' functions, in order."""
    authorizers: list[tuple[Src, DocPath]] = []
    if auth is None:
        return authorizers

    def provider(entry: Src, out: dict[str, object]) -> None:
        kind = field(entry, "Type")
        out["AuthenticationType"] = kind
        written, native = _AUTH_CONFIG.get(text(kind) or "", (None, None))
        config = field(entry, written) if written is not None else None
        if native is not None and config is not None:
            out[native] = config
            if native == "LambdaAuthorizerConfig":
                function = field(config, "AuthorizerUri")
                if function is not None:
                    authorizers.append((function, config.origin))

    provider(auth, api)
    additional = field(auth, "Additional")
    if additional is not None and isinstance(additional.value, list):
        providers: list[Src] = []
        for entry in additional.value:
            if isinstance(entry, Src):
                out: dict[str, object] = {}
                provider(entry, out)
                pool = out.get("UserPoolConfig")
                # Only the primary provider's user pool has a default action.
                if isinstance(pool, Src) and isinstance(pool.value, dict):
                    kept = {k: v for k, v in pool.value.items() if k != "DefaultAction"}
                    out["UserPoolConfig"] = Src(kept, pool.origin)
                providers.append(_object(out, entry.origin))
        api["AdditionalAuthenticationProviders"] = Src(providers, additional.origin)
    return authorizers


def _data_sources(
    api_id: str, api_ref: Src, sources: Src | None, add: Add, warn: Warn
) -> dict[str, object]:
    """Write the DynamoDB and Lambda data sources, their roles and policies; the
    name each is known by to functions and resolvers."""
    names: dict[str, object] = {}
    if sources is None or not isinstance(sources.value, dict):
        return names
    for kind, entries in sources.value.items():
        if kind not in ("DynamoDb", "Lambda"):
            warn(
                entries.origin if isinstance(entries, Src) else sources.origin,
                f"data sources of kind '{kind}' are not expanded; what they create is not linted",
            )
            continue
        if not isinstance(entries, Src) or not isinstance(entries.value, dict):
            continue
        for name, entry in entries.value.items():
            if not isinstance(entry, Src) or not isinstance(entry.value, dict):
                continue
            origin = entry.origin
            suffix = "DynamoDBDataSource" if kind == "DynamoDb" else "LambdaDataSource"
            source_id = f"{api_id}{name}{suffix}"
            names[str(name)] = {"Fn::GetAtt": [source_id, "Name"]}
            role_arn = field(entry, "ServiceRoleArn")
            data: dict[str, object] = {
                "ApiId": api_ref,
                "Name": field(entry, "Name") or Src(name, origin),
                "Description": field(entry, "Description"),
            }
            if kind == "DynamoDb":
                table_name = field(entry, "TableName")
                table_arn = field(entry, "TableArn")
                data["Type"] = Src("AMAZON_DYNAMODB", origin)
                data["DynamoDBConfig"] = _object(
                    {
                        "AwsRegion": field(entry, "Region") or Src({"Ref": "AWS::Region"}, origin),
                        "TableName": table_name,
                        "UseCallerCredentials": field(entry, "UseCallerCredentials"),
                        "DeltaSyncConfig": field(entry, "DeltaSync"),
                        "Versioned": field(entry, "Versioned"),
                    },
                    origin,
                )
                destination_type = "AWS::DynamoDB::Table"
                if table_arn is None:
                    table_arn = Src(
                        {
                            "Fn::Sub": [
                                "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}",
                                {"TableName": plain(table_name)},
                            ]
                        },
                        origin,
                    )
                destination_arn: Src = table_arn
                permissions = field(entry, "Permissions") or Src(
                    [Src("Read", origin), Src("Write", origin)], origin
                )
                connector_id = f"{source_id}ToTableConnector"
            else:
                function_arn = field(entry, "FunctionArn")
                data["Type"] = Src("AWS_LAMBDA", origin)
                data["LambdaConfig"] = Src({"LambdaFunctionArn": function_arn}, origin)
                destination_type = "AWS::Lambda::Function"
                destination_arn = function_arn or Src(None, origin)
                permissions = Src([Src("Write", origin)], origin)
                connector_id = f"{source_id}ToLambdaConnector"
            if role_arn is not None:
                data["ServiceRoleArn"] = role_arn
            else:
                role_id = f"{source_id}Role"
                data["ServiceRoleArn"] = Src({"Fn::GetAtt": [role_id, "Arn"]}, origin)
            add(source_id, "AWS::AppSync::DataSource", _object(data, origin))
            if role_arn is not None:
                continue
            add(
                role_id,
                "AWS::IAM::Role",
                Src({"AssumeRolePolicyDocument": trust("appsync.amazonaws.com", origin)}, origin),
            )
            source = Endpoint(
                "AWS::AppSync::DataSource",
                {"Fn::GetAtt": [source_id, "DataSourceArn"]},
                None,
                {"Ref": role_id},
            )
            destination = Src(
                {"Type": Src(destination_type, origin), "Arn": destination_arn}, origin
            )

            def refuse(reason: str, at: DocPath = origin, called: str = str(name)) -> None:
                warn(at, f"data source '{called}' is not linted: {reason}")

            connector(
                connector_id,
                {"Destination": destination, "Permissions": permissions},
                source,
                lambda target: f"'{target}' cannot be named here",
                add,
                refuse,
            )
    return names


def _object(fields: Mapping[str, object], origin: DocPath) -> Src:
    return Src({key: value for key, value in fields.items() if value is not None}, origin)

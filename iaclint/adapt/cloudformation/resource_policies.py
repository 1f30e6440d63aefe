"""CloudFormation resource-based policies into the common model: who, outside the
account's own principals, may use a queue, a topic, a key, a function...

Resources that carry their policy (`AWS::KMS::Key`'s `KeyPolicy`, a domain's
`AccessPolicies`) get it as `policy`; policies declared as their own resources
(`AWS::SQS::QueuePolicy`, `AWS::SNS::TopicPolicy`, their `...InlinePolicy` forms,
`AWS::SecretsManager::ResourcePolicy`, `AWS::Events::EventBusPolicy`,
`AWS::Logs::ResourcePolicy`) are `resource_policy`, linked to what they govern. A
Lambda permission is the statement Lambda writes for it (`iam_document.permission`),
an event bus permission given as principal and condition the statement EventBridge
writes (`iam_document.bus_permission`). An S3 access point restricted to a VPC
carries the restriction in its statements (`iam_document.within_vpc`). A REST API's
policy may be written in its OpenAPI body (`x-amazon-apigateway-policy`).
"""

from __future__ import annotations

# OpenSearch and Elasticsearch domains carry their `AccessPolicies` too: read with
# their encryption settings (databases.py), so one mapper builds the domain.
from iaclint.adapt.cloudformation.context import Context, Mapper
from iaclint.adapt.iam_document import (
    bus_permission,
    document,
    in_public_repository,
    permission,
    single_statement,
    within_vpc,
)
from iaclint.adapt.normalize import lower
from iaclint.adapt.sourced import Src, convert, each, obj


def _carrying(kind: str, policy_property: str) -> Mapper:
    """A resource with its resource policy inside it."""

    def build(props: Src, context: Context) -> Src:
        return obj(props, {"policy": document(props.get(policy_property))})

    return (kind, build)


def _separate(service: str, governed: str, kind: str | None, policy_property: str) -> Mapper:
    """A policy declared as its own resource, for the resources named in `governed`."""

    def build(props: Src, context: Context) -> Src:
        def link(item: Src) -> Src:
            return (context.link(item, kind) if kind else None) or item

        return obj(
            props,
            {
                "service": props.with_value(service),
                "resources": each(props.get(governed), link),
                "document": document(props.get(policy_property)),
            },
        )

    return ("resource_policy", build)


def lambda_permission(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "function": props.get("FunctionName"),
            "document": permission(
                props,
                action=props.get("Action"),
                principal=props.get("Principal"),
                source_account=props.get("SourceAccount"),
                source_arn=props.get("SourceArn"),
                organization=props.get("PrincipalOrgID"),
            ),
        },
    )


def rest_api(props: Src, context: Context) -> Src:
    """`Policy`, or the `x-amazon-apigateway-policy` of the OpenAPI `Body`, which API
    Gateway applies as the API's policy when it imports the body."""
    written = props.get("Policy")
    body = props.get("Body")
    if written is None and body is not None:
        written = body.get("x-amazon-apigateway-policy")
    return obj(props, {"policy": document(written)})


def public_repository(props: Src, context: Context) -> Src:
    return obj(props, {"policy": in_public_repository(document(props.get("RepositoryPolicyText")))})


def access_point(props: Src, context: Context) -> Src:
    vpc_configuration = props.get("VpcConfiguration")
    vpc = vpc_configuration.get("VpcId") if vpc_configuration is not None else None
    # An empty VpcConfiguration still makes a VPC access point (the VPC is required).
    vpc = vpc or vpc_configuration
    return obj(
        props,
        {
            "bucket": context.link(props.get("Bucket"), "s3.bucket"),
            "vpc": vpc,
            "policy": within_vpc(document(props.get("Policy")), vpc),
        },
    )


def event_bus_policy(props: Src, context: Context) -> Src:
    """`Statement` (one statement), or the older principal, action and condition."""
    written = props.get("Statement")
    return obj(
        props,
        {
            "service": props.with_value("events"),
            "resources": each(props.get("EventBusName"), lambda item: item),
            "document": single_statement(written)
            if written is not None
            else bus_permission(
                props,
                action=props.get("Action"),
                principal=props.get("Principal"),
                condition=props.get("Condition"),
            ),
        },
    )


def logs_resource_policy(props: Src, context: Context) -> Src:
    """The account's CloudWatch Logs resource policy: its statements name the log groups."""
    return obj(
        props,
        {
            "service": props.with_value("logs"),
            "document": document(props.get("PolicyDocument")),
        },
    )


def function_url(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "function": props.get("TargetFunctionArn"),
            "auth_type": convert(props.get("AuthType"), lower),
        },
    )


MAPPERS: dict[str, Mapper] = {
    "AWS::KMS::Key": _carrying("kms.key", "KeyPolicy"),
    "AWS::ECR::Repository": _carrying("ecr.repository", "RepositoryPolicyText"),
    "AWS::ApiGateway::RestApi": ("apigateway.rest_api", rest_api),
    "AWS::Glacier::Vault": _carrying("glacier.vault", "AccessPolicy"),
    "AWS::KMS::ReplicaKey": _carrying("kms.key", "KeyPolicy"),
    "AWS::SQS::QueuePolicy": _separate("sqs", "Queues", "sqs.queue", "PolicyDocument"),
    "AWS::SQS::QueueInlinePolicy": _separate("sqs", "Queue", "sqs.queue", "PolicyDocument"),
    "AWS::SNS::TopicPolicy": _separate("sns", "Topics", "sns.topic", "PolicyDocument"),
    "AWS::SNS::TopicInlinePolicy": _separate("sns", "TopicArn", "sns.topic", "PolicyDocument"),
    "AWS::SecretsManager::ResourcePolicy": _separate(
        "secretsmanager", "SecretId", None, "ResourcePolicy"
    ),
    "AWS::Lambda::Permission": ("lambda.permission", lambda_permission),
    "AWS::ECR::PublicRepository": ("ecr.repository", public_repository),
    "AWS::S3::AccessPoint": ("s3.access_point", access_point),
    "AWS::Events::EventBusPolicy": ("resource_policy", event_bus_policy),
    "AWS::Logs::ResourcePolicy": ("resource_policy", logs_resource_policy),
    "AWS::Lambda::Url": ("lambda.function_url", function_url),
}

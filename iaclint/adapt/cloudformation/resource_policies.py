"""CloudFormation resource-based policies into the common model: who, outside the
account's own principals, may use a queue, a topic, a key, a function...

Resources that carry their policy (`AWS::KMS::Key`'s `KeyPolicy`, a domain's
`AccessPolicies`) get it as `policy`; policies declared as their own resources
(`AWS::SQS::QueuePolicy`, `AWS::SNS::TopicPolicy`, their `...InlinePolicy` forms,
`AWS::SecretsManager::ResourcePolicy`) are `resource_policy`, linked to what they
govern. A Lambda permission is the
statement Lambda writes for it (`iam_document.permission`).
"""

from __future__ import annotations

# OpenSearch and Elasticsearch domains carry their `AccessPolicies` too: read with
# their encryption settings (databases.py), so one mapper builds the domain.
from iaclint.adapt.cloudformation.context import Context, Mapper
from iaclint.adapt.iam_document import document, permission
from iaclint.adapt.sourced import Src, each, obj


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


MAPPERS: dict[str, Mapper] = {
    "AWS::KMS::Key": _carrying("kms.key", "KeyPolicy"),
    "AWS::ECR::Repository": _carrying("ecr.repository", "RepositoryPolicyText"),
    "AWS::ApiGateway::RestApi": _carrying("apigateway.rest_api", "Policy"),
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
}

"""Terraform resource-based policies into the common model, as CloudFormation's are
(`adapt/cloudformation/resource_policies.py`): a resource's own policy argument is
its `policy`; a separate policy resource (`aws_sqs_queue_policy`,
`aws_kms_key_policy`, ...) is a `resource_policy` naming what it governs, judged
where it is written even when that resource is not in the files; a Lambda
permission is the statement Lambda writes for it.
"""

from __future__ import annotations

# OpenSearch and Elasticsearch domains carry `access_policies` too: read with their
# encryption settings (databases.py), so one family builds the domain.
from iaclint.adapt.iam_document import document, permission
from iaclint.adapt.sourced import Src, obj
from iaclint.adapt.terraform.documents import json_document
from iaclint.adapt.terraform.family import Context, Family


def _policy_document(source: Src | None) -> Src | None:
    return document(json_document(source))


def _carrying(kind: str, argument: str) -> Family:
    """A resource with its resource policy as one of its arguments."""

    def build(props: Src, context: Context) -> Src:
        return obj(props, {"policy": _policy_document(props.get(argument))})

    return Family(kind, build)


def _separate(service: str, governed: str, argument: str = "policy") -> Family:
    """A policy declared as its own resource, for the one resource `governed` names."""

    def build(props: Src, context: Context) -> Src:
        target = props.get(governed)
        return obj(
            props,
            {
                "service": props.with_value(service),
                "resources": target.with_value([target]) if target is not None else None,
                "document": _policy_document(props.get(argument)),
            },
        )

    return Family("resource_policy", build)


def lambda_permission(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "function": props.get("function_name"),
            "document": permission(
                props,
                action=props.get("action"),
                principal=props.get("principal"),
                source_account=props.get("source_account"),
                source_arn=props.get("source_arn"),
                organization=props.get("principal_org_id"),
            ),
        },
    )


FAMILIES: dict[str, Family] = {
    "aws_kms_key": _carrying("kms.key", "policy"),
    "aws_kms_replica_key": _carrying("kms.key", "policy"),
    "aws_secretsmanager_secret": _carrying("secretsmanager.secret", "policy"),
    "aws_api_gateway_rest_api": _carrying("apigateway.rest_api", "policy"),
    "aws_glacier_vault": _carrying("glacier.vault", "access_policy"),
    "aws_sqs_queue_policy": _separate("sqs", "queue_url"),
    "aws_sns_topic_policy": _separate("sns", "arn"),
    "aws_kms_key_policy": _separate("kms", "key_id"),
    "aws_ecr_repository_policy": _separate("ecr", "repository"),
    "aws_secretsmanager_secret_policy": _separate("secretsmanager", "secret_arn"),
    "aws_opensearch_domain_policy": _separate("opensearch", "domain_name", "access_policies"),
    "aws_elasticsearch_domain_policy": _separate("opensearch", "domain_name", "access_policies"),
    "aws_api_gateway_rest_api_policy": _separate("apigateway", "rest_api_id"),
    "aws_lambda_permission": Family("lambda.permission", lambda_permission),
}

"""Terraform resource-based policies into the common model, as CloudFormation's are
(`adapt/cloudformation/resource_policies.py`): a resource's own policy argument is
its `policy`; a separate policy resource (`aws_sqs_queue_policy`,
`aws_kms_key_policy`, ...) is a `resource_policy` naming what it governs, judged
where it is written even when that resource is not in the files; a Lambda
permission is the statement Lambda writes for it, an event bus permission the
statement EventBridge writes. An S3 access point restricted to a VPC carries the
restriction in its statements (`iam_document.within_vpc`); a policy set apart from
its access point (`aws_s3control_access_point_policy`) is judged on its own.
"""

from __future__ import annotations

from collections.abc import Callable

# OpenSearch and Elasticsearch domains carry `access_policies` too: read with their
# encryption settings (databases.py), so one family builds the domain.
from iaclint.adapt.iam_document import (
    bus_permission,
    document,
    in_public_repository,
    permission,
    within_vpc,
)
from iaclint.adapt.normalize import lower
from iaclint.adapt.sourced import Src, convert, obj
from iaclint.adapt.terraform.documents import json_document
from iaclint.adapt.terraform.family import Context, Family, first_block


def _policy_document(source: Src | None) -> Src | None:
    return document(json_document(source))


def _carrying(kind: str, argument: str) -> Family:
    """A resource with its resource policy as one of its arguments."""

    def build(props: Src, context: Context) -> Src:
        return obj(props, {"policy": _policy_document(props.get(argument))})

    return Family(kind, build)


def _separate(
    service: str,
    governed: str | None,
    argument: str = "policy",
    reading: Callable[[Src | None], Src | None] = lambda policy: policy,
) -> Family:
    """A policy declared as its own resource, for the one resource `governed` names
    (none: the statements name what they govern)."""

    def build(props: Src, context: Context) -> Src:
        target = props.get(governed) if governed is not None else None
        return obj(
            props,
            {
                "service": props.with_value(service),
                "resources": target.with_value([target]) if target is not None else None,
                "document": reading(_policy_document(props.get(argument))),
            },
        )

    return Family("resource_policy", build)


def access_point(props: Src, context: Context) -> Src:
    configuration = first_block(props.get("vpc_configuration"))
    vpc = configuration.get("vpc_id") if configuration is not None else None
    return obj(
        props,
        {
            "bucket": context.link(props.get("bucket"), "s3.bucket"),
            "vpc": vpc,
            "policy": within_vpc(_policy_document(props.get("policy")), vpc),
        },
    )


def event_permission(props: Src, context: Context) -> Src:
    """A statement of an event bus's policy, as EventBridge writes it."""
    bus = props.get("event_bus_name")
    return obj(
        props,
        {
            "service": props.with_value("events"),
            "resources": bus.with_value([bus]) if bus is not None else None,
            "document": bus_permission(
                props,
                action=props.get("action"),
                principal=props.get("principal"),
                condition=first_block(props.get("condition")),
            ),
        },
    )


def function_url(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "function": props.get("function_name"),
            "auth_type": convert(props.get("authorization_type"), lower),
        },
    )


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
    "aws_ecrpublic_repository_policy": _separate(
        "ecr-public", "repository_name", reading=in_public_repository
    ),
    "aws_efs_file_system_policy": _separate("elasticfilesystem", "file_system_id"),
    "aws_s3_access_point": Family("s3.access_point", access_point),
    "aws_s3control_access_point_policy": _separate("s3", "access_point_arn"),
    "aws_cloudwatch_event_bus_policy": _separate("events", "event_bus_name"),
    "aws_cloudwatch_event_permission": Family("resource_policy", event_permission),
    "aws_cloudwatch_log_resource_policy": _separate("logs", None, "policy_document"),
    "aws_backup_vault_policy": _separate("backup", "backup_vault_name"),
    "aws_lambda_function_url": Family("lambda.function_url", function_url),
}

"""Terraform data stores into the common model: databases, file systems, buckets,
topics and queues, with what says whether their data is encrypted.

A bucket's configuration is written either inside `aws_s3_bucket` (provider 3
and older) or in separate `aws_s3_bucket_*` resources (provider 4 on). The
separate ones contribute to the bucket they name, located in themselves, so the
same policy judges both spellings and points at the line to change.
"""

from __future__ import annotations

from collections.abc import Callable

from iaclint.adapt.iam_document import document
from iaclint.adapt.normalize import canned_acl, inherited, lower, to_bool
from iaclint.adapt.secrets import holds_secret
from iaclint.adapt.sourced import Src, convert, each, obj
from iaclint.adapt.terraform.documents import json_document
from iaclint.adapt.terraform.family import Context, Contribution, Family, first, first_block

_RESTORED = "a replica or restored database takes the encryption of its source"


def db_instance(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "engine": convert(props.get("engine"), lower),
            "storage_encrypted": inherited(
                props.get("storage_encrypted"),
                [
                    props.get("replicate_source_db"),
                    props.get("snapshot_identifier"),
                    first_block(props.get("restore_to_point_in_time")),
                ],
                _RESTORED,
            ),
            "kms_key": props.get("kms_key_id"),
            "master_password": props.get("password"),
            "manage_master_password": convert(props.get("manage_master_user_password"), to_bool),
        },
    )


def cluster_instance(props: Src, context: Context) -> Src:
    """`aws_rds_cluster_instance`: its storage is its cluster's."""
    return obj(
        props,
        {
            "engine": convert(props.get("engine"), lower),
            "cluster": context.link(props.get("cluster_identifier"), "rds.db_cluster"),
        },
    )


def db_cluster(props: Src, context: Context) -> Src:
    encrypted = inherited(
        props.get("storage_encrypted"),
        [
            props.get("snapshot_identifier"),
            props.get("replication_source_identifier"),
            first_block(props.get("restore_to_point_in_time")),
        ],
        _RESTORED,
    )
    mode = props.get("engine_mode")
    if encrypted is None and mode is not None and lower(mode.value) == "serverless":
        # Aurora Serverless v1 clusters are always encrypted.
        encrypted = mode.with_value(True)
    return obj(
        props,
        {
            "engine": convert(props.get("engine"), lower),
            "storage_encrypted": encrypted,
            "kms_key": props.get("kms_key_id"),
            "master_password": props.get("master_password"),
            "manage_master_password": convert(props.get("manage_master_user_password"), to_bool),
        },
    )


def file_system(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "encrypted": convert(props.get("encrypted"), to_bool),
            "kms_key": props.get("kms_key_id"),
        },
    )


def topic(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "kms_key": props.get("kms_master_key_id"),
            "policy": document(json_document(props.get("policy"))),
        },
    )


def parameter(props: Src, context: Context) -> Src:
    name = props.get("name")
    value = first(props.get("value"), props.get("insecure_value"), props.get("value_wo"))
    return obj(
        props,
        {
            "name": name,
            "type": props.get("type"),
            "value": value,
            "holds_secret": holds_secret(name, value),
        },
    )


def queue(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "kms_key": props.get("kms_master_key_id"),
            "sqs_managed_sse": convert(props.get("sqs_managed_sse_enabled"), to_bool),
            "policy": document(json_document(props.get("policy"))),
        },
    )


def _encryption(configuration: Src | None, context: Context | None = None) -> Src | None:
    """`rule { apply_server_side_encryption_by_default { ... } }` blocks as rules."""
    if configuration is None:
        return None

    def rule(block: Src) -> Src | None:
        default = first_block(block.get("apply_server_side_encryption_by_default"))
        if default is None:
            return None
        return obj(
            default,
            {
                "algorithm": default.get("sse_algorithm"),
                "kms_key": default.get("kms_master_key_id"),
            },
        )

    return each(configuration.get("rule"), rule)


def _logging(block: Src | None, context: Context) -> Src | None:
    if block is None:
        return None
    return obj(
        block,
        {
            "target_bucket": context.link(block.get("target_bucket"), "s3.bucket"),
            "prefix": block.get("target_prefix"),
        },
    )


def _inline_versioning(block: Src | None) -> Src | None:
    if block is None:
        return None
    enabled = block.get("enabled")
    if enabled is None:
        return None
    return convert(enabled, lambda value: "enabled" if to_bool(value) is True else "suspended")


_PUBLIC_ACCESS_BLOCK = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


def bucket(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "name": first(props.get("bucket"), props.get("bucket_prefix")),
            "encryption": _encryption(
                first_block(props.get("server_side_encryption_configuration"))
            ),
            "logging": _logging(first_block(props.get("logging")), context),
            "versioning": _inline_versioning(first_block(props.get("versioning"))),
            "acl": convert(props.get("acl"), canned_acl),
            "policy": document(json_document(props.get("policy"))),
        },
    )


def _configuration(property_name: str, read: Callable[[Src, Context], Src | None]) -> Family:
    """A separate `aws_s3_bucket_*` resource setting one property of its bucket."""

    def contribute(props: Src, context: Context) -> list[Contribution]:
        target = props.get("bucket")
        value = read(props, context)
        if target is None or value is None:
            return []
        return [Contribution(target, ("s3.bucket",), property_name, value, mode="set")]

    return Family("unmodelled", contribute=contribute)


def _versioning_resource(props: Src, context: Context | None = None) -> Src | None:
    configuration = first_block(props.get("versioning_configuration"))
    if configuration is None:
        return None
    return convert(configuration.get("status"), lower)


def _public_access_block(props: Src, context: Context | None = None) -> Src:
    return obj(
        props,
        {name: convert(props.get(name), to_bool) for name in _PUBLIC_ACCESS_BLOCK},
    )


def _acl(props: Src, context: Context | None = None) -> Src | None:
    return convert(props.get("acl"), canned_acl)


def bucket_policy(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "bucket": context.link(props.get("bucket"), "s3.bucket"),
            "document": document(json_document(props.get("policy"))),
        },
    )


FAMILIES: dict[str, Family] = {
    "aws_db_instance": Family("rds.db_instance", db_instance),
    "aws_rds_cluster_instance": Family("rds.db_instance", cluster_instance),
    "aws_rds_cluster": Family("rds.db_cluster", db_cluster),
    "aws_efs_file_system": Family("efs.file_system", file_system),
    "aws_sns_topic": Family("sns.topic", topic),
    "aws_sqs_queue": Family("sqs.queue", queue),
    "aws_ssm_parameter": Family("ssm.parameter", parameter),
    "aws_s3_bucket": Family("s3.bucket", bucket),
    "aws_s3_bucket_policy": Family("s3.bucket_policy", bucket_policy),
    "aws_s3_bucket_server_side_encryption_configuration": _configuration("encryption", _encryption),
    "aws_s3_bucket_logging": _configuration("logging", _logging),
    "aws_s3_bucket_versioning": _configuration("versioning", _versioning_resource),
    "aws_s3_bucket_public_access_block": _configuration(
        "public_access_block", _public_access_block
    ),
    "aws_s3_bucket_acl": _configuration("acl", _acl),
}

# Resources other resources may name literally: type -> (kind, argument holding the name).
NAMED = {
    "aws_s3_bucket": ("s3.bucket", "bucket"),
    "aws_rds_cluster": ("rds.db_cluster", "cluster_identifier"),
}

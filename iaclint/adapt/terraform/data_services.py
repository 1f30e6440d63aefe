"""Terraform data services into the common model: the account's EBS default
encryption, DynamoDB tables, log groups, EKS clusters, CodeBuild projects, Glue, Athena, EMR,
WorkSpaces, SageMaker, Backup and FSx, with what says whether (and with whose
key) their data is encrypted at rest."""

from __future__ import annotations

from collections.abc import Callable

from iaclint.adapt.normalize import lower, to_bool
from iaclint.adapt.sourced import Src, convert, each, is_opaque, obj
from iaclint.adapt.terraform.documents import json_document
from iaclint.adapt.terraform.family import Context, Family, first_block, joined


def ebs_encryption_default(props: Src, context: Context) -> Src:
    # `enabled` defaults to true: the resource exists to turn the default on.
    return obj(props, {"enabled": convert(props.get("enabled"), to_bool)})


def dynamodb_table(props: Src, context: Context) -> Src:
    # Without `server_side_encryption { enabled = true }` a table is encrypted with a
    # key AWS owns; with it, with `aws/dynamodb` or the key `kms_key_arn` names.
    sse = first_block(props.get("server_side_encryption"))
    return obj(
        props,
        {
            "kms": convert(sse.get("enabled"), to_bool) if sse is not None else None,
            "kms_key": sse.get("kms_key_arn") if sse is not None else None,
        },
    )


def log_group(props: Src, context: Context) -> Src:
    return obj(props, {"kms_key": props.get("kms_key_id")})


def eks_cluster(props: Src, context: Context) -> Src:
    def encryption(block: Src) -> Src:
        provider = first_block(block.get("provider"))
        return obj(
            block,
            {
                "resources": each(block.get("resources"), lambda resource: resource),
                "kms_key": provider.get("key_arn") if provider is not None else None,
            },
        )

    return obj(props, {"encryption": each(props.get("encryption_config"), encryption)})


def _artifact(block: Src) -> Src:
    return obj(
        block,
        {
            "type": convert(block.get("type"), lower),
            "encryption_disabled": convert(block.get("encryption_disabled"), to_bool),
        },
    )


def codebuild_project(props: Src, context: Context) -> Src:
    logs = first_block(props.get("logs_config"))
    s3_logs = first_block(logs.get("s3_logs")) if logs is not None else None
    if s3_logs is not None and not is_opaque(s3_logs.value):
        s3_logs = obj(
            s3_logs,
            {
                "status": convert(s3_logs.get("status"), lower),
                "encryption_disabled": convert(s3_logs.get("encryption_disabled"), to_bool),
            },
        )
    return obj(
        props,
        {
            "artifacts": joined(
                each(props.get("artifacts"), _artifact),
                each(props.get("secondary_artifacts"), _artifact),
                origin=props,
            ),
            "s3_logs": s3_logs,
        },
    )


_GLUE_TARGETS = (
    ("s3", "s3_encryption", "s3_encryption_mode"),
    ("cloudwatch", "cloudwatch_encryption", "cloudwatch_encryption_mode"),
    ("job_bookmarks", "job_bookmarks_encryption", "job_bookmarks_encryption_mode"),
)


def glue_security_configuration(props: Src, context: Context) -> Src:
    configuration = first_block(props.get("encryption_configuration"))
    anchor = configuration if configuration is not None else props
    if is_opaque(anchor.value):
        return obj(props, {"encryption": anchor})
    entries: list[Src] = []
    for target, native, mode in _GLUE_TARGETS:
        # A block or mode left out is DISABLED.
        written = anchor.get(native)
        blocks = (written.items() or [written]) if written is not None else []
        for block in blocks or [anchor]:
            own = block is not anchor
            entries.append(
                obj(
                    block,
                    {
                        "target": block.with_value(target),
                        "mode": convert(block.get(mode), lower) if own else None,
                        "kms_key": block.get("kms_key_arn") if own else None,
                    },
                )
            )
    return obj(props, {"encryption": Src(entries, anchor.origin)})


def _enabled(block: Src | None) -> Src | None:
    """The `enabled` argument of a nested block."""
    if block is None or is_opaque(block.value):
        return block
    return convert(block.get("enabled"), to_bool)


def athena_workgroup(props: Src, context: Context) -> Src:
    configuration = first_block(props.get("configuration"))
    if configuration is None or is_opaque(configuration.value):
        return obj(props, {"result_encryption": configuration})
    result = first_block(configuration.get("result_configuration"))
    encryption = first_block(result.get("encryption_configuration")) if result else None
    option = encryption.get("encryption_option") if encryption is not None else None
    return obj(
        props,
        {
            "result_encryption": convert(option, lower),
            "enforce_configuration": convert(
                configuration.get("enforce_workgroup_configuration"), to_bool
            ),
            "managed_results": _enabled(
                first_block(configuration.get("managed_query_results_configuration"))
            ),
        },
    )


def emr_security_configuration(props: Src, context: Context) -> Src:
    data = json_document(props.get("configuration"))
    if data is None or is_opaque(data.value):
        return obj(props, {"at_rest_encryption": data})
    encryption = data.get("EncryptionConfiguration")
    enabled = encryption.get("EnableAtRestEncryption") if encryption is not None else None
    return obj(props, {"at_rest_encryption": convert(enabled, to_bool)})


def workspace(props: Src, context: Context) -> Src:
    volumes = [
        obj(
            written or props,
            {
                "volume": Src(name, (written or props).origin),
                "encrypted": convert(written, to_bool),
            },
        )
        for name, written in (
            ("root", props.get("root_volume_encryption_enabled")),
            ("user", props.get("user_volume_encryption_enabled")),
        )
    ]
    return obj(
        props,
        {"volumes": Src(volumes, props.origin), "kms_key": props.get("volume_encryption_key")},
    )


def _kms_key(argument: str) -> Callable[[Src, Context], Src]:
    def build(props: Src, context: Context) -> Src:
        return obj(props, {"kms_key": props.get(argument)})

    return build


def endpoint_config(props: Src, context: Context) -> Src:
    def variant(block: Src) -> Src:
        return obj(block, {"instance_type": convert(block.get("instance_type"), lower)})

    return obj(
        props,
        {
            "kms_key": props.get("kms_key_arn"),
            "variants": each(props.get("production_variants"), variant),
        },
    )


def _fsx(kind: str) -> Callable[[Src, Context], Src]:
    def build(props: Src, context: Context) -> Src:
        deployment = None
        if kind == "lustre":
            # FSx for Lustre's default deployment type is SCRATCH_1.
            deployment = convert(props.get("deployment_type"), lower) or props.with_value(
                "scratch_1"
            )
        return obj(
            props,
            {
                "type": props.with_value(kind),
                "deployment_type": deployment,
                "kms_key": props.get("kms_key_id"),
            },
        )

    return build


FAMILIES: dict[str, Family] = {
    "aws_ebs_encryption_by_default": Family("ec2.ebs_encryption_default", ebs_encryption_default),
    "aws_dynamodb_table": Family("dynamodb.table", dynamodb_table),
    "aws_cloudwatch_log_group": Family("logs.log_group", log_group),
    "aws_eks_cluster": Family("eks.cluster", eks_cluster),
    "aws_codebuild_project": Family("codebuild.project", codebuild_project),
    "aws_glue_security_configuration": Family(
        "glue.security_configuration", glue_security_configuration
    ),
    "aws_athena_workgroup": Family("athena.workgroup", athena_workgroup),
    "aws_emr_security_configuration": Family(
        "emr.security_configuration", emr_security_configuration
    ),
    "aws_workspaces_workspace": Family("workspaces.workspace", workspace),
    "aws_sagemaker_notebook_instance": Family(
        "sagemaker.notebook_instance", _kms_key("kms_key_id")
    ),
    "aws_sagemaker_endpoint_configuration": Family("sagemaker.endpoint_config", endpoint_config),
    "aws_sagemaker_domain": Family("sagemaker.domain", _kms_key("kms_key_id")),
    "aws_backup_vault": Family("backup.vault", _kms_key("kms_key_arn")),
    "aws_fsx_windows_file_system": Family("fsx.file_system", _fsx("windows")),
    "aws_fsx_lustre_file_system": Family("fsx.file_system", _fsx("lustre")),
    "aws_fsx_ontap_file_system": Family("fsx.file_system", _fsx("ontap")),
    "aws_fsx_openzfs_file_system": Family("fsx.file_system", _fsx("openzfs")),
}

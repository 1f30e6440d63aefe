"""CloudFormation data services into the common model: DynamoDB tables, log groups, EKS clusters,
CodeBuild projects, Glue, Athena, EMR, WorkSpaces, SageMaker, Backup and FSx,
with what says whether (and with whose key) their data is encrypted at rest."""

from __future__ import annotations

from iaclint.adapt.cloudformation.context import Context, Mapper
from iaclint.adapt.iam_document import document, json_data
from iaclint.adapt.normalize import lower, to_bool
from iaclint.adapt.sourced import Src, convert, each, is_opaque, obj


def _header(props: Src) -> Src:
    """A place on the resource's first line (its logical id), for a setting it lacks."""
    return Src(None, props.origin[:2])


def log_group(props: Src, context: Context) -> Src:
    return obj(props, {"kms_key": props.get("KmsKeyId")})


def _eks_encryption(written: Src | None, names: tuple[str, str, str]) -> Src | None:
    """An EKS cluster's encryption configuration, by its (resources, provider, key ARN) names."""
    resources, provider_name, key_arn = names

    def encryption(item: Src) -> Src:
        provider = item.get(provider_name)
        return obj(
            item,
            {
                "resources": each(item.get(resources), lambda resource: resource),
                "kms_key": provider.get(key_arn) if provider is not None else None,
            },
        )

    return each(written, encryption)


def eks_cluster(props: Src, context: Context) -> Src:
    names = ("Resources", "Provider", "KeyArn")
    return obj(props, {"encryption": _eks_encryption(props.get("EncryptionConfig"), names)})


def cdk_eks_cluster(props: Src, context: Context) -> Src:
    """The CDK's EKS construct: a custom resource whose `Config` is the EKS
    CreateCluster request, written with the API's camel-case names."""
    config = props.get("Config")
    if config is None or is_opaque(config.value):
        return obj(props, {"encryption": config})
    names = ("resources", "provider", "keyArn")
    return obj(props, {"encryption": _eks_encryption(config.get("encryptionConfig"), names)})


def _artifact(item: Src) -> Src:
    return obj(
        item,
        {
            "type": convert(item.get("Type"), lower),
            "encryption_disabled": convert(item.get("EncryptionDisabled"), to_bool),
        },
    )


def codebuild_project(props: Src, context: Context) -> Src:
    artifacts = [
        built
        for built in (
            each(props.get("Artifacts"), _artifact),
            each(props.get("SecondaryArtifacts"), _artifact),
        )
        if built is not None
    ]
    items: list[Src] = []
    for built in artifacts:
        items.extend(built.items() or [built])
    logs = props.get("LogsConfig")
    s3_logs = logs.get("S3Logs") if logs is not None else None
    return obj(
        props,
        {
            "artifacts": Src(items, props.origin) if items else None,
            "s3_logs": obj(
                s3_logs,
                {
                    "status": convert(s3_logs.get("Status"), lower),
                    "encryption_disabled": convert(s3_logs.get("EncryptionDisabled"), to_bool),
                },
            )
            if s3_logs is not None and not is_opaque(s3_logs.value)
            else s3_logs,
        },
    )


# Glue: (common name, native block, its mode property). An absent block is DISABLED.
_GLUE_TARGETS = (
    ("s3", "S3Encryptions", "S3EncryptionMode"),
    ("cloudwatch", "CloudWatchEncryption", "CloudWatchEncryptionMode"),
    ("job_bookmarks", "JobBookmarksEncryption", "JobBookmarksEncryptionMode"),
)


def glue_security_configuration(props: Src, context: Context) -> Src:
    configuration = props.get("EncryptionConfiguration")
    anchor = configuration if configuration is not None else _header(props)
    if is_opaque(anchor.value):
        return obj(props, {"encryption": anchor})
    entries: list[Src] = []
    for target, native, mode in _GLUE_TARGETS:
        written = anchor.get(native)
        blocks = (written.items() or [written]) if written is not None else [None]
        for block in blocks:
            place = block if block is not None else anchor
            entries.append(
                obj(
                    place,
                    {
                        "target": place.with_value(target),
                        "mode": convert(block.get(mode), lower) if block is not None else None,
                        "kms_key": block.get("KmsKeyArn") if block is not None else None,
                    },
                )
            )
    return obj(props, {"encryption": Src(entries, anchor.origin)})


def _enabled(block: Src | None) -> Src | None:
    """The `Enabled` flag of a configuration block."""
    if block is None or is_opaque(block.value):
        return block
    return convert(block.get("Enabled"), to_bool)


def athena_workgroup(props: Src, context: Context) -> Src:
    configuration = props.get("WorkGroupConfiguration")
    if configuration is None or is_opaque(configuration.value):
        return obj(props, {"result_encryption": configuration})
    result = configuration.get("ResultConfiguration")
    encryption = result.get("EncryptionConfiguration") if result is not None else None
    option = encryption.get("EncryptionOption") if encryption is not None else None
    return obj(
        props,
        {
            "result_encryption": convert(option, lower),
            "enforce_configuration": convert(
                configuration.get("EnforceWorkGroupConfiguration"), to_bool
            ),
            "managed_results": _enabled(configuration.get("ManagedQueryResultsConfiguration")),
        },
    )


def emr_security_configuration(props: Src, context: Context) -> Src:
    data = json_data(props.get("SecurityConfiguration"))
    if data is None or is_opaque(data.value):
        return obj(props, {"at_rest_encryption": data})
    encryption = data.get("EncryptionConfiguration")
    enabled = encryption.get("EnableAtRestEncryption") if encryption is not None else None
    return obj(props, {"at_rest_encryption": convert(enabled, to_bool)})


def workspace(props: Src, context: Context) -> Src:
    header = _header(props)
    volumes = [
        obj(
            written or header,
            {
                "volume": Src(name, (written or header).origin),
                "encrypted": convert(written, to_bool),
            },
        )
        for name, written in (
            ("root", props.get("RootVolumeEncryptionEnabled")),
            ("user", props.get("UserVolumeEncryptionEnabled")),
        )
    ]
    return obj(
        props,
        {"volumes": Src(volumes, props.origin), "kms_key": props.get("VolumeEncryptionKey")},
    )


def kms_key_only(props: Src, context: Context) -> Src:
    return obj(props, {"kms_key": props.get("KmsKeyId")})


def endpoint_config(props: Src, context: Context) -> Src:
    def variant(item: Src) -> Src:
        return obj(item, {"instance_type": convert(item.get("InstanceType"), lower)})

    return obj(
        props,
        {
            "kms_key": props.get("KmsKeyId"),
            "variants": each(props.get("ProductionVariants"), variant),
        },
    )


def backup_vault(props: Src, context: Context) -> Src:
    return obj(
        props,
        {"kms_key": props.get("EncryptionKeyArn"), "policy": document(props.get("AccessPolicy"))},
    )


def fsx_file_system(props: Src, context: Context) -> Src:
    kind = convert(props.get("FileSystemType"), lower)
    deployment = None
    if kind is not None and kind.value == "lustre":
        lustre = props.get("LustreConfiguration")
        deployment = lustre.get("DeploymentType") if lustre is not None else None
        # FSx for Lustre's default deployment type is SCRATCH_1.
        deployment = convert(deployment, lower) or kind.with_value("scratch_1")
    return obj(
        props, {"type": kind, "deployment_type": deployment, "kms_key": props.get("KmsKeyId")}
    )


def dynamodb_table(props: Src, context: Context) -> Src:
    # Without `SSEEnabled: true` a table is encrypted with a key AWS owns; with it,
    # with the AWS managed key `aws/dynamodb` or the key `KMSMasterKeyId` names.
    # A global table names its keys per replica.
    sse = props.get("SSESpecification")
    return obj(
        props,
        {
            "kms": convert(sse.get("SSEEnabled"), to_bool) if sse is not None else None,
            "kms_key": sse.get("KMSMasterKeyId") if sse is not None else None,
        },
    )


MAPPERS: dict[str, Mapper] = {
    "AWS::DynamoDB::Table": ("dynamodb.table", dynamodb_table),
    "AWS::DynamoDB::GlobalTable": ("dynamodb.table", dynamodb_table),
    "AWS::Logs::LogGroup": ("logs.log_group", log_group),
    "AWS::EKS::Cluster": ("eks.cluster", eks_cluster),
    "Custom::AWSCDK-EKS-Cluster": ("eks.cluster", cdk_eks_cluster),
    "AWS::CodeBuild::Project": ("codebuild.project", codebuild_project),
    "AWS::Glue::SecurityConfiguration": (
        "glue.security_configuration",
        glue_security_configuration,
    ),
    "AWS::Athena::WorkGroup": ("athena.workgroup", athena_workgroup),
    "AWS::EMR::SecurityConfiguration": ("emr.security_configuration", emr_security_configuration),
    "AWS::WorkSpaces::Workspace": ("workspaces.workspace", workspace),
    "AWS::SageMaker::NotebookInstance": ("sagemaker.notebook_instance", kms_key_only),
    "AWS::SageMaker::EndpointConfig": ("sagemaker.endpoint_config", endpoint_config),
    "AWS::SageMaker::Domain": ("sagemaker.domain", kms_key_only),
    "AWS::Backup::BackupVault": ("backup.vault", backup_vault),
    "AWS::FSx::FileSystem": ("fsx.file_system", fsx_file_system),
}

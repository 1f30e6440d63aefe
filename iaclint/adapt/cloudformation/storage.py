"""CloudFormation data stores into the common model: databases, file systems,
buckets, topics and queues, with what says whether their data is encrypted."""

from __future__ import annotations

from iaclint.adapt.cloudformation.context import Context, Mapper
from iaclint.adapt.iam_document import document
from iaclint.adapt.normalize import canned_acl, inherited, lower, to_bool
from iaclint.adapt.secrets import holds_secret
from iaclint.adapt.sourced import Src, convert, each, obj
from iaclint.graph.values import Unknown


def _first(*candidates: Src | None) -> Src | None:
    for candidate in candidates:
        if candidate is not None:
            return candidate
    return None


def db_instance(props: Src, context: Context) -> Src:
    cluster = props.get("DBClusterIdentifier")
    source = _first(
        props.get("SourceDBInstanceIdentifier"),
        props.get("DBSnapshotIdentifier"),
        props.get("SourceDBClusterIdentifier"),
        props.get("SourceDbiResourceId"),
    )
    encrypted = props.get("StorageEncrypted")
    if encrypted is None and cluster is None:
        encrypted = inherited(
            None, [source], "a replica or restored database takes the encryption of its source"
        )
    else:
        encrypted = convert(encrypted, to_bool)
    return obj(
        props,
        {
            "engine": convert(props.get("Engine"), lower),
            "storage_encrypted": encrypted,
            "kms_key": props.get("KmsKeyId"),
            "cluster": context.link(cluster, "rds.db_cluster"),
            "master_password": props.get("MasterUserPassword"),
            "manage_master_password": convert(props.get("ManageMasterUserPassword"), to_bool),
        },
    )


def db_cluster(props: Src, context: Context) -> Src:
    mode = props.get("EngineMode")
    encrypted = inherited(
        props.get("StorageEncrypted"),
        [
            props.get("SnapshotIdentifier"),
            props.get("SourceDBClusterIdentifier"),
            props.get("ReplicationSourceIdentifier"),
        ],
        "a restored or replica cluster takes the encryption of its source",
    )
    if encrypted is None and mode is not None and lower(mode.value) == "serverless":
        # Aurora Serverless v1 clusters are always encrypted.
        encrypted = mode.with_value(True)
    return obj(
        props,
        {
            "engine": convert(props.get("Engine"), lower),
            "storage_encrypted": encrypted,
            "kms_key": props.get("KmsKeyId"),
            "master_password": props.get("MasterUserPassword"),
            "manage_master_password": convert(props.get("ManageMasterUserPassword"), to_bool),
        },
    )


def file_system(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "encrypted": convert(props.get("Encrypted"), to_bool),
            "kms_key": props.get("KmsKeyId"),
            "policy": document(props.get("FileSystemPolicy")),
        },
    )


def topic(props: Src, context: Context) -> Src:
    return obj(props, {"kms_key": props.get("KmsMasterKeyId")})


def parameter(props: Src, context: Context) -> Src:
    name, value = props.get("Name"), props.get("Value")
    return obj(
        props,
        {
            "name": name,
            "type": props.get("Type"),
            "value": value,
            "holds_secret": holds_secret(name, value),
        },
    )


def queue(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "kms_key": props.get("KmsMasterKeyId"),
            "sqs_managed_sse": convert(props.get("SqsManagedSseEnabled"), to_bool),
        },
    )


def _encryption_rule(rule: Src) -> Src | None:
    default = rule.get("ServerSideEncryptionByDefault")
    if default is None:
        return None
    return obj(
        default,
        {
            "algorithm": default.get("SSEAlgorithm"),
            "kms_key": default.get("KMSMasterKeyID"),
        },
    )


def _versioning(props: Src) -> Src | None:
    configuration = props.get("VersioningConfiguration")
    if configuration is None:
        return None
    return convert(configuration.get("Status"), lower)


def _logging(props: Src, context: Context) -> Src | None:
    configuration = props.get("LoggingConfiguration")
    if configuration is None:
        return None
    return obj(
        configuration,
        {
            # Without a destination, logs go to the bucket itself.
            "target_bucket": context.link(configuration.get("DestinationBucketName"), "s3.bucket")
            or configuration.with_value(Unknown("the bucket logs to itself")),
            "prefix": configuration.get("LogFilePrefix"),
        },
    )


def _public_access_block(props: Src) -> Src | None:
    block = props.get("PublicAccessBlockConfiguration")
    if block is None:
        return None
    fields = {
        "block_public_acls": "BlockPublicAcls",
        "block_public_policy": "BlockPublicPolicy",
        "ignore_public_acls": "IgnorePublicAcls",
        "restrict_public_buckets": "RestrictPublicBuckets",
    }
    return obj(
        block,
        {name: convert(block.get(native), to_bool) for name, native in fields.items()},
    )


def bucket(props: Src, context: Context) -> Src:
    encryption = props.get("BucketEncryption")
    rules = encryption.get("ServerSideEncryptionConfiguration") if encryption else None
    return obj(
        props,
        {
            "name": props.get("BucketName"),
            "encryption": each(rules, _encryption_rule),
            "logging": _logging(props, context),
            "versioning": _versioning(props),
            "acl": convert(props.get("AccessControl"), canned_acl),
            "public_access_block": _public_access_block(props),
        },
    )


def bucket_policy(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "bucket": context.link(props.get("Bucket"), "s3.bucket"),
            "document": document(props.get("PolicyDocument")),
        },
    )


MAPPERS: dict[str, Mapper] = {
    "AWS::RDS::DBInstance": ("rds.db_instance", db_instance),
    "AWS::RDS::DBCluster": ("rds.db_cluster", db_cluster),
    "AWS::EFS::FileSystem": ("efs.file_system", file_system),
    "AWS::SNS::Topic": ("sns.topic", topic),
    "AWS::SQS::Queue": ("sqs.queue", queue),
    "AWS::SSM::Parameter": ("ssm.parameter", parameter),
    "AWS::S3::Bucket": ("s3.bucket", bucket),
    "AWS::S3::BucketPolicy": ("s3.bucket_policy", bucket_policy),
}

# Resources other resources may name literally: type -> (kind, name property).
NAMED = {
    "AWS::S3::Bucket": ("s3.bucket", "BucketName"),
    "AWS::RDS::DBCluster": ("rds.db_cluster", "DBClusterIdentifier"),
}

"""CloudFormation databases and streams into the common model: Neptune,
DocumentDB, Redshift, global databases, ElastiCache, OpenSearch, Kinesis,
Firehose and MSK, with what says whether their data is encrypted at rest and
on the wire.

Where the service decides when the template does not say, the mapper writes
what the service does; where that depends on something the template cannot
show (when the resource was created, a snapshot, a source database), the value
is unknown with the reason.
"""

from __future__ import annotations

from iaclint.adapt.cloudformation.context import Context, Mapper
from iaclint.adapt.iam_document import document
from iaclint.adapt.normalize import lower, replication_group_encryption, restored, to_bool
from iaclint.adapt.sourced import Src, convert, is_opaque, obj
from iaclint.graph.values import Unknown

_RESTORED = "a restored cluster takes the encryption of its snapshot or source cluster"


def _cluster(props: Src, context: Context) -> Src:
    """Neptune and DocumentDB clusters: storage not encrypted unless they say so."""
    return obj(
        props,
        {
            "storage_encrypted": restored(
                props.get("StorageEncrypted"),
                [props.get("SnapshotIdentifier"), props.get("SourceDBClusterIdentifier")],
                _RESTORED,
            ),
            "kms_key": props.get("KmsKeyId"),
        },
    )


def global_cluster(props: Src, context: Context) -> Src:
    source = props.get("SourceDBClusterIdentifier")
    return obj(
        props,
        {
            "storage_encrypted": restored(
                props.get("StorageEncrypted"),
                [source],
                "a global database made from a cluster has that cluster's encryption",
            ),
            "source_cluster": context.link(source, "rds.db_cluster"),
        },
    )


def redshift_cluster(props: Src, context: Context) -> Src:
    encrypted = restored(
        props.get("Encrypted"),
        [props.get("SnapshotIdentifier")],
        "a restored cluster takes the encryption of its snapshot",
    )
    if encrypted is None:
        # Redshift encrypts new clusters by default since January 2025; a cluster
        # this template created before then is not encrypted.
        # Located at the resource's header (`Properties` sits one level below), where
        # `Encrypted` would be added.
        encrypted = Src(
            Unknown("Redshift encrypts clusters created since January 2025 by default only"),
            props.origin[:-1],
        )
    return obj(props, {"storage_encrypted": encrypted, "kms_key": props.get("KmsKeyId")})


def replication_group(props: Src, context: Context) -> Src:
    engine = convert(props.get("Engine"), lower)
    at_rest, transit = replication_group_encryption(
        engine,
        props.get("GlobalReplicationGroupId"),
        props.get("AtRestEncryptionEnabled"),
        props.get("TransitEncryptionEnabled"),
    )
    return obj(
        props,
        {
            "engine": engine,
            "at_rest_encryption": at_rest,
            "transit_encryption": transit,
            "transit_encryption_mode": convert(props.get("TransitEncryptionMode"), lower),
            "kms_key": props.get("KmsKeyId"),
        },
    )


def _enabled(block: Src | None) -> Src | None:
    """An options block's `Enabled`: off when the block leaves it out, located at the block."""
    if block is None:
        return None
    enabled = block.get("Enabled")
    return block.with_value(False) if enabled is None else convert(enabled, to_bool)


def domain(props: Src, context: Context) -> Src:
    at_rest = props.get("EncryptionAtRestOptions")
    return obj(
        props,
        {
            "encrypted": _enabled(at_rest),
            "kms_key": at_rest.get("KmsKeyId") if at_rest is not None else None,
            "node_to_node_encryption": _enabled(props.get("NodeToNodeEncryptionOptions")),
            # Its access policy, as other resource policies are (resource_policies.py).
            "policy": document(props.get("AccessPolicies")),
        },
    )


def stream(props: Src, context: Context) -> Src:
    encryption = props.get("StreamEncryption")
    if encryption is None:
        return obj(props, {})
    return obj(
        props,
        {
            "encryption_type": convert(encryption.get("EncryptionType"), lower),
            "kms_key": encryption.get("KeyId"),
        },
    )


_SOURCE_TYPES = {
    "directput": "direct_put",
    "kinesisstreamassource": "kinesis_stream",
    "mskassource": "msk",
    "databaseassource": "database",
}


def _source_type(value: object) -> object:
    return _SOURCE_TYPES.get(value.strip().lower(), value) if isinstance(value, str) else value


def _turned_on(configuration: Src | None) -> Src | None:
    """A configuration that exists only to turn a feature on: on where it is written,
    unknown when it is itself unknown (a preprocessor's directive)."""
    if configuration is None or is_opaque(configuration.value):
        return configuration
    return configuration.with_value(True)


def delivery_stream(props: Src, context: Context) -> Src:
    encryption = props.get("DeliveryStreamEncryptionConfigurationInput")
    kinesis = props.get("KinesisStreamSourceConfiguration")
    return obj(
        props,
        {
            "source_type": convert(props.get("DeliveryStreamType"), _source_type),
            "source_stream": kinesis.get("KinesisStreamARN") if kinesis is not None else None,
            "encrypted": _turned_on(encryption),
            "key_type": convert(encryption.get("KeyType"), lower)
            if encryption is not None
            else None,
            "kms_key": encryption.get("KeyARN") if encryption is not None else None,
        },
    )


def kafka_cluster(props: Src, context: Context) -> Src:
    info = props.get("EncryptionInfo")
    in_transit = info.get("EncryptionInTransit") if info is not None else None
    at_rest = info.get("EncryptionAtRest") if info is not None else None
    return obj(
        props,
        {
            "client_broker": convert(in_transit.get("ClientBroker"), lower)
            if in_transit is not None
            else None,
            "in_cluster": convert(in_transit.get("InCluster"), to_bool)
            if in_transit is not None
            else None,
            "kms_key": at_rest.get("DataVolumeKMSKeyId") if at_rest is not None else None,
        },
    )


MAPPERS: dict[str, Mapper] = {
    "AWS::Neptune::DBCluster": ("neptune.db_cluster", _cluster),
    "AWS::DocDB::DBCluster": ("docdb.db_cluster", _cluster),
    "AWS::RDS::GlobalCluster": ("rds.global_cluster", global_cluster),
    "AWS::Redshift::Cluster": ("redshift.cluster", redshift_cluster),
    "AWS::ElastiCache::ReplicationGroup": ("elasticache.replication_group", replication_group),
    "AWS::OpenSearchService::Domain": ("opensearch.domain", domain),
    "AWS::Elasticsearch::Domain": ("opensearch.domain", domain),
    "AWS::Kinesis::Stream": ("kinesis.stream", stream),
    "AWS::KinesisFirehose::DeliveryStream": ("firehose.delivery_stream", delivery_stream),
    "AWS::MSK::Cluster": ("msk.cluster", kafka_cluster),
}

"""Terraform databases and streams into the common model: Neptune, DocumentDB,
Redshift, global databases, ElastiCache, OpenSearch, Kinesis, Firehose and
MSK, with what says whether their data is encrypted at rest and on the wire.

An argument left out takes the provider's default, which for these resources
is the service's own; where that depends on something the configuration cannot
show (the provider version, a snapshot, a source database), the value is
unknown with the reason.
"""

from __future__ import annotations

from iaclint.adapt.iam_document import document
from iaclint.adapt.normalize import lower, replication_group_encryption, restored, to_bool
from iaclint.adapt.sourced import Src, convert, obj
from iaclint.adapt.terraform.documents import json_document
from iaclint.adapt.terraform.family import Build, Context, Family, first_block
from iaclint.graph.values import Reference, Unknown

_RESTORED = "a restored or replica cluster takes the encryption of its source"


def _cluster(service: str, kms_argument: str) -> Build:
    """Neptune and DocumentDB clusters: storage not encrypted unless they say so.

    A cluster restored from a snapshot of the linted files (by reference or by
    name) has the encryption of that snapshot's cluster, which the policy reads
    through `snapshot`; any other source leaves it unknown.
    """

    def build(props: Src, context: Context) -> Src:
        snapshot = context.link(props.get("snapshot_identifier"), f"{service}.cluster_snapshot")
        in_files = snapshot is not None and isinstance(snapshot.value, Reference)
        encrypted = restored(
            props.get("storage_encrypted"),
            [
                snapshot,
                props.get("replication_source_identifier"),
                first_block(props.get("restore_to_point_in_time")),
            ],
            _RESTORED,
        )
        judged_through_snapshot = (
            in_files
            and encrypted is not None
            and snapshot is not None
            and encrypted.origin == snapshot.origin
        )
        if judged_through_snapshot:
            encrypted = None  # the snapshot's cluster decides, read through `snapshot`
        return obj(
            props,
            {
                "storage_encrypted": encrypted,
                "kms_key": props.get(kms_argument),
                "snapshot": snapshot if in_files else None,
            },
        )

    return build


def _snapshot(service: str) -> Build:
    def build(props: Src, context: Context) -> Src:
        cluster = context.link(props.get("db_cluster_identifier"), f"{service}.db_cluster")
        return obj(props, {"cluster": cluster})

    return build


def _global_cluster(member_kind: str) -> Build:
    def build(props: Src, context: Context) -> Src:
        source = props.get("source_db_cluster_identifier")
        return obj(
            props,
            {
                "storage_encrypted": restored(
                    props.get("storage_encrypted"),
                    [source],
                    "a global database made from a cluster has that cluster's encryption",
                ),
                "source_cluster": context.link(source, member_kind),
            },
        )

    return build


def redshift_cluster(props: Src, context: Context) -> Src:
    encrypted = restored(
        props.get("encrypted"),
        [props.get("snapshot_identifier")],
        "a restored cluster takes the encryption of its snapshot",
    )
    if encrypted is None:
        # The provider's default for `encrypted` has changed across its versions,
        # and Redshift encrypts only clusters created since January 2025 by default.
        encrypted = props.with_value(
            Unknown(
                "encrypted is not set: its default depends on the AWS provider version "
                "and on when the cluster was created"
            )
        )
    return obj(props, {"storage_encrypted": encrypted, "kms_key": props.get("kms_key_id")})


def replication_group(props: Src, context: Context) -> Src:
    engine = convert(props.get("engine"), lower)
    at_rest, transit = replication_group_encryption(
        engine,
        props.get("global_replication_group_id"),
        props.get("at_rest_encryption_enabled"),
        props.get("transit_encryption_enabled"),
    )
    return obj(
        props,
        {
            "engine": engine,
            "at_rest_encryption": at_rest,
            "transit_encryption": transit,
            "transit_encryption_mode": convert(props.get("transit_encryption_mode"), lower),
            "kms_key": props.get("kms_key_id"),
        },
    )


def domain(props: Src, context: Context) -> Src:
    at_rest = first_block(props.get("encrypt_at_rest"))
    node_to_node = first_block(props.get("node_to_node_encryption"))
    return obj(
        props,
        {
            "encrypted": convert(at_rest.get("enabled"), to_bool) if at_rest is not None else None,
            "kms_key": at_rest.get("kms_key_id") if at_rest is not None else None,
            "node_to_node_encryption": convert(node_to_node.get("enabled"), to_bool)
            if node_to_node is not None
            else None,
            # Its access policy, as other resource policies are (resource_policies.py).
            "policy": document(json_document(props.get("access_policies"))),
        },
    )


def stream(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "encryption_type": convert(props.get("encryption_type"), lower),
            "kms_key": props.get("kms_key_id"),
        },
    )


def delivery_stream(props: Src, context: Context) -> Src:
    kinesis = first_block(props.get("kinesis_source_configuration"))
    msk = first_block(props.get("msk_source_configuration"))
    encryption = first_block(props.get("server_side_encryption"))
    source_type = None
    if kinesis is not None:
        source_type = kinesis.with_value("kinesis_stream")
    elif msk is not None:
        source_type = msk.with_value("msk")
    return obj(
        props,
        {
            "source_type": source_type,
            "source_stream": kinesis.get("kinesis_stream_arn") if kinesis is not None else None,
            "encrypted": convert(encryption.get("enabled"), to_bool)
            if encryption is not None
            else None,
            "key_type": convert(encryption.get("key_type"), lower)
            if encryption is not None
            else None,
            "kms_key": encryption.get("key_arn") if encryption is not None else None,
        },
    )


def kafka_cluster(props: Src, context: Context) -> Src:
    info = first_block(props.get("encryption_info"))
    in_transit = first_block(info.get("encryption_in_transit")) if info is not None else None
    return obj(
        props,
        {
            "client_broker": convert(in_transit.get("client_broker"), lower)
            if in_transit is not None
            else None,
            "in_cluster": convert(in_transit.get("in_cluster"), to_bool)
            if in_transit is not None
            else None,
            "kms_key": info.get("encryption_at_rest_kms_key_arn") if info is not None else None,
        },
    )


FAMILIES: dict[str, Family] = {
    "aws_neptune_cluster": Family("neptune.db_cluster", _cluster("neptune", "kms_key_arn")),
    "aws_neptune_cluster_snapshot": Family("neptune.cluster_snapshot", _snapshot("neptune")),
    "aws_docdb_cluster": Family("docdb.db_cluster", _cluster("docdb", "kms_key_id")),
    "aws_docdb_cluster_snapshot": Family("docdb.cluster_snapshot", _snapshot("docdb")),
    "aws_rds_global_cluster": Family("rds.global_cluster", _global_cluster("rds.db_cluster")),
    "aws_neptune_global_cluster": Family(
        "rds.global_cluster", _global_cluster("neptune.db_cluster")
    ),
    "aws_docdb_global_cluster": Family("rds.global_cluster", _global_cluster("docdb.db_cluster")),
    "aws_redshift_cluster": Family("redshift.cluster", redshift_cluster),
    "aws_elasticache_replication_group": Family("elasticache.replication_group", replication_group),
    "aws_opensearch_domain": Family("opensearch.domain", domain),
    "aws_elasticsearch_domain": Family("opensearch.domain", domain),
    "aws_kinesis_stream": Family("kinesis.stream", stream),
    "aws_kinesis_firehose_delivery_stream": Family("firehose.delivery_stream", delivery_stream),
    "aws_msk_cluster": Family("msk.cluster", kafka_cluster),
}

# Resources other resources may name literally: type -> (kind, argument holding the name).
NAMED = {
    "aws_neptune_cluster": ("neptune.db_cluster", "cluster_identifier"),
    "aws_docdb_cluster": ("docdb.db_cluster", "cluster_identifier"),
    "aws_neptune_cluster_snapshot": ("neptune.cluster_snapshot", "db_cluster_snapshot_identifier"),
    "aws_docdb_cluster_snapshot": ("docdb.cluster_snapshot", "db_cluster_snapshot_identifier"),
}

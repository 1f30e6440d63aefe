"""Databases and streams: CloudFormation and Terraform give the same common shape,
and what the files cannot decide is unknown with its reason, never false."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaclint.adapt.cloudformation.template import adapt_template
from iaclint.adapt.terraform.build import adapt_unit
from iaclint.adapt.terraform.loader import ModuleLoader
from iaclint.adapt.terraform.module import Unit
from iaclint.graph.model import Graph
from iaclint.graph.values import Reference, Unknown
from iaclint.parse.cloudformation import read_template

_SHARED = ("tags", "sensitive")


def template_graph(text: str) -> Graph:
    graph, problems = adapt_template(read_template("Resources:\n" + text, "t.yaml"))
    assert problems == []
    return graph


def terraform_graph(root: Path, text: str) -> Graph:
    (root / "main.tf").write_text(text, encoding="utf-8")
    graph, diagnostics = adapt_unit(Unit(ModuleLoader([root]), root, ".", {}))
    assert diagnostics == []
    return graph


def model(graph: Graph, address: str) -> tuple[str, dict[str, object]]:
    (resource,) = graph.variants(address)
    shape = {k: v for k, v in resource.properties.items() if k not in _SHARED}
    return resource.kind, shape


# (CloudFormation resource, Terraform resource, kind, the common shape of both)
SAME_SHAPE = {
    "neptune": (
        """\
  R:
    Type: AWS::Neptune::DBCluster
    Properties: {StorageEncrypted: "true", KmsKeyId: alias/graph}
""",
        """\
resource "aws_neptune_cluster" "r" {
  storage_encrypted = true
  kms_key_arn       = "alias/graph"
}
""",
        "neptune.db_cluster",
        {"storage_encrypted": True, "kms_key": "alias/graph"},
    ),
    "docdb": (
        """\
  R:
    Type: AWS::DocDB::DBCluster
    Properties: {StorageEncrypted: false}
""",
        """\
resource "aws_docdb_cluster" "r" {
  storage_encrypted = false
}
""",
        "docdb.db_cluster",
        {"storage_encrypted": False},
    ),
    "redshift": (
        """\
  R:
    Type: AWS::Redshift::Cluster
    Properties: {Encrypted: true, KmsKeyId: alias/warehouse, NodeType: ra3.xlplus}
""",
        """\
resource "aws_redshift_cluster" "r" {
  encrypted  = true
  kms_key_id = "alias/warehouse"
  node_type  = "ra3.xlplus"
}
""",
        "redshift.cluster",
        {"storage_encrypted": True, "kms_key": "alias/warehouse"},
    ),
    "valkey replication group": (
        """\
  R:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      Engine: Valkey
      TransitEncryptionEnabled: true
      TransitEncryptionMode: Preferred
""",
        """\
resource "aws_elasticache_replication_group" "r" {
  engine                     = "valkey"
  transit_encryption_enabled = true
  transit_encryption_mode    = "preferred"
}
""",
        "elasticache.replication_group",
        {
            "engine": "valkey",
            "at_rest_encryption": True,
            "transit_encryption": True,
            "transit_encryption_mode": "preferred",
        },
    ),
    "redis replication group": (
        """\
  R:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties: {Engine: redis, AtRestEncryptionEnabled: "false"}
""",
        """\
resource "aws_elasticache_replication_group" "r" {
  engine                     = "redis"
  at_rest_encryption_enabled = false
}
""",
        "elasticache.replication_group",
        {"engine": "redis", "at_rest_encryption": False},
    ),
    "opensearch": (
        """\
  R:
    Type: AWS::Elasticsearch::Domain
    Properties:
      EncryptionAtRestOptions: {Enabled: true, KmsKeyId: alias/search}
      NodeToNodeEncryptionOptions: {Enabled: false}
""",
        """\
resource "aws_elasticsearch_domain" "r" {
  encrypt_at_rest {
    enabled    = true
    kms_key_id = "alias/search"
  }
  node_to_node_encryption {
    enabled = false
  }
}
""",
        "opensearch.domain",
        {"encrypted": True, "kms_key": "alias/search", "node_to_node_encryption": False},
    ),
    "kinesis": (
        """\
  R:
    Type: AWS::Kinesis::Stream
    Properties:
      StreamEncryption: {EncryptionType: KMS, KeyId: alias/aws/kinesis}
""",
        """\
resource "aws_kinesis_stream" "r" {
  encryption_type = "KMS"
  kms_key_id      = "alias/aws/kinesis"
}
""",
        "kinesis.stream",
        {"encryption_type": "kms", "kms_key": "alias/aws/kinesis"},
    ),
    "firehose": (
        """\
  R:
    Type: AWS::KinesisFirehose::DeliveryStream
    Properties:
      DeliveryStreamEncryptionConfigurationInput: {KeyType: CUSTOMER_MANAGED_CMK, KeyARN: k}
""",
        """\
resource "aws_kinesis_firehose_delivery_stream" "r" {
  server_side_encryption {
    enabled  = true
    key_type = "CUSTOMER_MANAGED_CMK"
    key_arn  = "k"
  }
}
""",
        "firehose.delivery_stream",
        {"encrypted": True, "key_type": "customer_managed_cmk", "kms_key": "k"},
    ),
    "msk": (
        """\
  R:
    Type: AWS::MSK::Cluster
    Properties:
      EncryptionInfo:
        EncryptionAtRest: {DataVolumeKMSKeyId: k}
        EncryptionInTransit: {ClientBroker: TLS_PLAINTEXT, InCluster: false}
""",
        """\
resource "aws_msk_cluster" "r" {
  encryption_info {
    encryption_at_rest_kms_key_arn = "k"
    encryption_in_transit {
      client_broker = "TLS_PLAINTEXT"
      in_cluster    = false
    }
  }
}
""",
        "msk.cluster",
        {"client_broker": "tls_plaintext", "in_cluster": False, "kms_key": "k"},
    ),
}


@pytest.mark.parametrize("case", sorted(SAME_SHAPE))
def test_both_formats_give_the_same_shape(case: str, tmp_path: Path) -> None:
    template, terraform, kind, shape = SAME_SHAPE[case]
    address = terraform.split('"')[1] + ".r"
    assert model(template_graph(template), "R") == (kind, shape)
    assert model(terraform_graph(tmp_path, terraform), address) == (kind, shape)


def test_inherited_encryption_is_unknown_with_its_reason(tmp_path: Path) -> None:
    graph = template_graph(
        """\
  Restored:
    Type: AWS::DocDB::DBCluster
    Properties: {SnapshotIdentifier: nightly}
  Undated:
    Type: AWS::Redshift::Cluster
    Properties: {NodeType: ra3.xlplus}
  Member:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties: {GlobalReplicationGroupId: ldgnf-sessions, Engine: valkey}
"""
    )
    reasons = {address: model(graph, address)[1] for address in ("Restored", "Undated", "Member")}
    restored = reasons["Restored"]["storage_encrypted"]
    assert isinstance(restored, Unknown)
    assert "snapshot" in restored.reason
    undated = reasons["Undated"]["storage_encrypted"]
    assert isinstance(undated, Unknown)
    assert "January 2025" in undated.reason
    member = reasons["Member"]
    # A global datastore member is neither taken as Valkey's default nor as off.
    assert isinstance(member["at_rest_encryption"], Unknown)
    assert isinstance(member["transit_encryption"], Unknown)

    tf = terraform_graph(
        tmp_path,
        """\
resource "aws_redshift_cluster" "undated" {
  node_type = "ra3.xlplus"
}
""",
    )
    undated_tf = model(tf, "aws_redshift_cluster.undated")[1]["storage_encrypted"]
    assert isinstance(undated_tf, Unknown)
    assert "provider version" in undated_tf.reason


def test_unset_options_are_off_where_the_block_is_written() -> None:
    graph = template_graph(
        """\
  Search:
    Type: AWS::OpenSearchService::Domain
    Properties:
      EncryptionAtRestOptions: {KmsKeyId: alias/search}
"""
    )
    (domain,) = graph.variants("Search")
    assert domain.properties["encrypted"] is False
    assert domain.locations[("encrypted",)].span.line == 5
    assert "node_to_node_encryption" not in domain.properties


def test_global_database_sources_are_linked_by_name(tmp_path: Path) -> None:
    graph = template_graph(
        """\
  Primary:
    Type: AWS::RDS::DBCluster
    Properties: {DBClusterIdentifier: orders, StorageEncrypted: true}
  Global:
    Type: AWS::RDS::GlobalCluster
    Properties: {SourceDBClusterIdentifier: orders}
"""
    )
    kind, shape = model(graph, "Global")
    assert kind == "rds.global_cluster"
    assert shape["source_cluster"] == Reference("Primary")
    assert isinstance(shape["storage_encrypted"], Unknown)

    tf = terraform_graph(
        tmp_path,
        """\
resource "aws_docdb_cluster" "primary" {
  cluster_identifier = "documents"
  storage_encrypted  = true
}

resource "aws_docdb_global_cluster" "global" {
  global_cluster_identifier    = "documents"
  source_db_cluster_identifier = "documents"
}
""",
    )
    kind, shape = model(tf, "aws_docdb_global_cluster.global")
    assert kind == "rds.global_cluster"
    assert shape["source_cluster"] == Reference("aws_docdb_cluster.primary")


def test_firehose_source_decides_what_can_be_encrypted(tmp_path: Path) -> None:
    graph = template_graph(
        """\
  Events:
    Type: AWS::Kinesis::Stream
    Properties: {ShardCount: 1}
  FromStream:
    Type: AWS::KinesisFirehose::DeliveryStream
    Properties:
      DeliveryStreamType: KinesisStreamAsSource
      KinesisStreamSourceConfiguration: {KinesisStreamARN: !GetAtt Events.Arn, RoleARN: r}
"""
    )
    shape = model(graph, "FromStream")[1]
    assert shape["source_type"] == "kinesis_stream"
    assert shape["source_stream"] == Reference("Events", "Arn")
    tf = terraform_graph(
        tmp_path,
        """\
resource "aws_kinesis_firehose_delivery_stream" "msk" {
  msk_source_configuration {
    msk_cluster_arn = "arn"
  }
}
""",
    )
    assert model(tf, "aws_kinesis_firehose_delivery_stream.msk")[1] == {"source_type": "msk"}


def test_a_restored_cluster_takes_only_true_at_its_word() -> None:
    """With a source, `false` is the provider's default in a plan, or a flag
    CloudFormation ignores: the source decides, so it is unknown."""
    graph = template_graph(
        """\
  Restored:
    Type: AWS::Neptune::DBCluster
    Properties: {SnapshotIdentifier: nightly, StorageEncrypted: false}
  Claimed:
    Type: AWS::Neptune::DBCluster
    Properties: {SnapshotIdentifier: nightly, StorageEncrypted: true}
"""
    )
    assert isinstance(model(graph, "Restored")[1]["storage_encrypted"], Unknown)
    assert model(graph, "Claimed")[1]["storage_encrypted"] is True


def test_a_snapshot_of_the_files_leads_to_its_cluster(tmp_path: Path) -> None:
    graph = terraform_graph(
        tmp_path,
        """\
resource "aws_docdb_cluster" "source" {
  cluster_identifier = "documents"
}

resource "aws_docdb_cluster_snapshot" "nightly" {
  db_cluster_identifier          = "documents"
  db_cluster_snapshot_identifier = "nightly"
}

resource "aws_docdb_cluster" "copy" {
  snapshot_identifier = "nightly"
  storage_encrypted   = false
}
""",
    )
    assert model(graph, "aws_docdb_cluster_snapshot.nightly") == (
        "docdb.cluster_snapshot",
        {"cluster": Reference("aws_docdb_cluster.source")},
    )
    # Judged through the snapshot's cluster, not by a `false` it cannot have.
    assert model(graph, "aws_docdb_cluster.copy")[1] == {
        "snapshot": Reference("aws_docdb_cluster_snapshot.nightly")
    }


def test_an_unknown_encryption_configuration_is_not_taken_as_on() -> None:
    graph, _ = adapt_template(
        read_template(
            "Resources:\n"
            "  Clicks:\n"
            "    Type: AWS::KinesisFirehose::DeliveryStream\n"
            "    Properties:\n"
            "      DeliveryStreamEncryptionConfigurationInput: !Rain::Embed encryption.yaml\n",
            "t.yaml",
        )
    )
    encrypted = model(graph, "Clicks")[1]["encrypted"]
    assert isinstance(encrypted, Unknown)

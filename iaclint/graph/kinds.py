"""The vocabulary of the common model: resource kinds and their property shapes.

One kind covers the same thing in every format (`AWS::EC2::SecurityGroup` and
`aws_security_group` are both `ec2.security_group`). Each kind's shape says which
normalized properties adapters fill in; policy selectors are checked against it
when a policy is loaded, so a misspelt property is an error, not a silent pass.

A shape is a description string (a leaf value), a mapping of property names to
shapes (an object), or a one-element list holding the shape of the items.
"""

from __future__ import annotations

from typing import NamedTuple

Shape = str | dict[str, "Shape"] | list["Shape"]

# A leaf whose value may have any structure below it (an IAM document, tags).
ANY = "any structure"

REFERENCE = "a reference to another resource, or its id/name/ARN when given literally"

NETWORK_RULE: dict[str, Shape] = {
    "direction": "'ingress' or 'egress'",
    "action": "'allow' or 'deny' (security group rules always allow)",
    "protocol": "'tcp', 'udp', 'icmp', 'icmpv6', 'all', or an IP protocol number as text",
    "from_port": "first port of the range (tcp/udp only; absent means every port)",
    "to_port": "last port of the range (tcp/udp only; absent means every port)",
    "icmp_type": "ICMP type (icmp/icmpv6 only)",
    "icmp_code": "ICMP code (icmp/icmpv6 only)",
    "cidrs": ["an IPv4 or IPv6 CIDR block the rule applies to"],
    "source_security_group": REFERENCE,
    "prefix_list": REFERENCE,
    "description": "the rule's description",
}

METADATA_OPTIONS: dict[str, Shape] = {
    "http_tokens": "'required' (IMDSv2 only) or 'optional' (IMDSv1 allowed)",
    "http_endpoint": "'enabled' or 'disabled'",
    "http_put_response_hop_limit": "hop limit for metadata responses (integer)",
}

ENCRYPTION_NOTE = (
    "true when the data is encrypted at rest; unknown when it is inherited from "
    "something not in the linted files (a snapshot, an AMI, a source database)"
)

BLOCK_DEVICE: dict[str, Shape] = {
    "device_name": "the device name (`/dev/xvda`)",
    "root": "true for the root device (Terraform's `root_block_device`)",
    "ephemeral": "true for an instance store volume (no EBS volume, nothing to encrypt)",
    "encrypted": ENCRYPTION_NOTE,
    "kms_key": REFERENCE,
    "snapshot_id": "the snapshot the volume is created from",
}

# What instances, launch templates and launch configurations have in common.
INSTANCE_CONFIG: dict[str, Shape] = {
    "metadata_options": METADATA_OPTIONS,
    "block_devices": [BLOCK_DEVICE],
    "associate_public_ip": "true when the instance gets a public IPv4 address",
    "iam_instance_profile": REFERENCE,
    "image_id": "the AMI id",
    "user_data": "user data, as text (Base64 encoding is looked through)",
    "security_groups": [REFERENCE],
    "subnets": [REFERENCE + " (the subnet it is launched in, or one of its network interfaces')"],
}

# A route of a route table (inline, or declared as its own resource).
ROUTE: dict[str, Shape] = {
    "destination": "the destination CIDR block (IPv4 or IPv6; a prefix list's routes are absent)",
    "gateway": REFERENCE + " (the gateway the route sends traffic to: an internet gateway, "
    "a virtual private gateway, `local`)",
    "target": "what else the route sends traffic to, when not a gateway: 'nat', 'instance', "
    "'network_interface', 'peering', 'transit_gateway', 'endpoint', 'egress_only'",
}

LISTENER_PORT = "the port the load balancer listens on"


IAM_STATEMENT: dict[str, Shape] = {
    "sid": "the statement id",
    "effect": "'allow' or 'deny'",
    "actions": ["an action pattern (`s3:GetObject`, `s3:*`, `*`)"],
    "not_actions": ["an action pattern the statement excludes"],
    "resources": ["a resource ARN pattern (`*` for every resource)"],
    "not_resources": ["a resource ARN pattern the statement excludes"],
    "principals": [
        {"type": "'AWS', 'Service', 'Federated', 'CanonicalUser', or '*'", "value": "the principal"}
    ],
    "not_principals": [{"type": "the principal type", "value": "the principal"}],
    "conditions": ANY,
    "public_repository": "true in the policy of an ECR Public repository, whose images "
    "everyone may pull whatever the policy says",
    "denials": [
        "a Deny statement of the same document (on Allow statements of documents "
        "that have one), in this same shape"
    ],
}

IAM_DOCUMENT: dict[str, Shape] = {
    "version": "the policy language version",
    "statements": [IAM_STATEMENT],
}

INLINE_POLICY: dict[str, Shape] = {"name": "the policy name", "document": IAM_DOCUMENT}

# Roles, users and groups: their inline policies and attached managed policies.
IAM_PRINCIPAL: dict[str, Shape] = {
    "name": "the role, user or group name",
    "path": "the IAM path",
    "policies": [INLINE_POLICY],
    "managed_policy_arns": [REFERENCE],
}

# A policy attached to roles, users and groups (inline or customer managed).
ATTACHED_POLICY: dict[str, Shape] = {
    "name": "the policy name",
    "document": IAM_DOCUMENT,
    "roles": [REFERENCE],
    "users": [REFERENCE],
    "groups": [REFERENCE],
}


class Kind(NamedTuple):
    description: str
    shape: dict[str, Shape]


KINDS: dict[str, Kind] = {
    "ec2.security_group": Kind(
        "A security group with its inline rules.",
        {
            "name": "the group name",
            "description": "the group description",
            "vpc": REFERENCE,
            "ingress": [NETWORK_RULE],
            "egress": [NETWORK_RULE],
        },
    ),
    "ec2.security_group_rule": Kind(
        "A security group rule declared as its own resource.",
        {**NETWORK_RULE, "group": REFERENCE},
    ),
    "ec2.network_acl": Kind(
        "A network ACL with the entries declared inside it (Terraform's inline "
        "`ingress`/`egress` blocks); entries declared as their own resources are "
        "`ec2.network_acl_rule`.",
        {
            "vpc": REFERENCE,
            "default": "true for the VPC's default network ACL (`aws_default_network_acl`)",
            "subnets": [REFERENCE + " (a subnet associated with the ACL)"],
            "ingress": [{**NETWORK_RULE, "rule_number": "the entry's rule number"}],
            "egress": [{**NETWORK_RULE, "rule_number": "the entry's rule number"}],
        },
    ),
    "ec2.network_acl_association": Kind(
        "A subnet's network ACL (`AWS::EC2::SubnetNetworkAclAssociation`, "
        "`aws_network_acl_association`).",
        {"network_acl": REFERENCE, "subnet": REFERENCE},
    ),
    "ec2.network_acl_rule": Kind(
        "A network ACL entry declared as its own resource.",
        {**NETWORK_RULE, "network_acl": REFERENCE, "rule_number": "the entry's rule number"},
    ),
    "ec2.instance": Kind(
        "An EC2 instance.",
        {
            **INSTANCE_CONFIG,
            "launch_template": REFERENCE,
            "network_interfaces": [
                REFERENCE + " (an existing network interface it is launched with)"
            ],
        },
    ),
    "ec2.network_interface": Kind(
        "An elastic network interface (`AWS::EC2::NetworkInterface`, `aws_network_interface`).",
        {
            "subnet": REFERENCE,
            "security_groups": [REFERENCE],
            "instance": REFERENCE + " (the instance of its own `attachment` block)",
        },
    ),
    "ec2.network_interface_attachment": Kind(
        "A network interface attached to an instance as its own resource "
        "(`AWS::EC2::NetworkInterfaceAttachment`, `aws_network_interface_attachment`).",
        {"instance": REFERENCE, "network_interface": REFERENCE},
    ),
    "ec2.launch_template": Kind(
        "An EC2 launch template (its launch template data).",
        {**INSTANCE_CONFIG, "name": "the launch template name"},
    ),
    "autoscaling.launch_configuration": Kind(
        "An Auto Scaling launch configuration.",
        dict(INSTANCE_CONFIG),
    ),
    "iam.instance_profile": Kind(
        "An IAM instance profile.",
        {"name": "the instance profile name", "roles": [REFERENCE]},
    ),
    "iam.role": Kind(
        "An IAM role.",
        {
            **IAM_PRINCIPAL,
            "assume_role_policy": IAM_DOCUMENT,
            "permissions_boundary": REFERENCE,
        },
    ),
    "iam.user": Kind(
        "An IAM user.",
        {**IAM_PRINCIPAL, "groups": [REFERENCE], "permissions_boundary": REFERENCE},
    ),
    "iam.group": Kind("An IAM group.", dict(IAM_PRINCIPAL)),
    "iam.policy": Kind(
        "An inline IAM policy declared as its own resource, attached to roles, users and "
        "groups, or to an IAM Identity Center permission set "
        "(`aws_ssoadmin_permission_set_inline_policy`).",
        {**ATTACHED_POLICY, "permission_sets": [REFERENCE]},
    ),
    "iam.policy_attachment": Kind(
        "A separate attachment of a managed policy (Terraform `aws_iam_*_policy_attachment`, "
        "`aws_ssoadmin_managed_policy_attachment`). What it attaches to a principal declared "
        "in the files is joined into that principal; what it attaches to one that is not "
        "(named by a literal, a variable) stays here, judged where it is written.",
        {"managed_policy_arns": [REFERENCE]},
    ),
    "sso.permission_set": Kind(
        "An IAM Identity Center permission set: the inline policy and the managed policies "
        "of the roles it creates in every account it is assigned to.",
        {
            "name": "the permission set name",
            "policies": [INLINE_POLICY],
            "managed_policy_arns": [REFERENCE],
        },
    ),
    "iam.managed_policy": Kind(
        "A customer managed IAM policy, and the roles, users and groups it is attached to.",
        dict(ATTACHED_POLICY),
    ),
    "ec2.volume": Kind(
        "An EBS volume.",
        {
            "encrypted": ENCRYPTION_NOTE,
            "kms_key": REFERENCE,
            "snapshot_id": "the snapshot the volume is created from",
        },
    ),
    "ec2.image": Kind(
        "An AMI created or copied by the template (Terraform `aws_ami`, `aws_ami_copy`).",
        {
            "encrypted": ENCRYPTION_NOTE,
            "kms_key": REFERENCE,
            "block_devices": [BLOCK_DEVICE],
        },
    ),
    "ec2.image_launch_permission": Kind(
        "Who may launch an AMI: Terraform `aws_ami_launch_permission`, and the launch "
        "permissions of EC2 Image Builder distributions.",
        {
            "image": REFERENCE,
            "groups": ["a group allowed to launch the image ('all' means everyone)"],
            "accounts": ["an account allowed to launch the image"],
        },
    ),
    "ec2.internet_gateway": Kind(
        "An internet gateway (the way in from the internet for subnets routing to it).",
        {"vpc": REFERENCE + " (the VPC it is attached to, written on the gateway)"},
    ),
    "ec2.gateway_attachment": Kind(
        "A gateway attached to a VPC (`AWS::EC2::VPCGatewayAttachment`, "
        "`aws_internet_gateway_attachment`).",
        {"gateway": REFERENCE, "vpc": REFERENCE},
    ),
    "ec2.route_table": Kind(
        "A route table with its inline routes (Terraform's `aws_route_table` and "
        "`aws_default_route_table`, the VPC's main route table).",
        {
            "vpc": REFERENCE,
            "routes": [ROUTE],
            "main": "true for the VPC's main route table (`aws_default_route_table`)",
        },
    ),
    "ec2.route": Kind(
        "A route declared as its own resource.",
        {**ROUTE, "route_table": REFERENCE},
    ),
    "ec2.route_table_association": Kind(
        "A subnet's route table (`AWS::EC2::SubnetRouteTableAssociation`, "
        "`aws_route_table_association`), or a VPC's main route table "
        "(`aws_main_route_table_association`: `vpc` is set instead of `subnet`).",
        {"route_table": REFERENCE, "subnet": REFERENCE, "vpc": REFERENCE},
    ),
    "ec2.elastic_ip": Kind(
        "An Elastic IP address given to an instance or a network interface (`AWS::EC2::EIP`, "
        "`AWS::EC2::EIPAssociation`, `aws_eip`, `aws_eip_association`).",
        {"instance": REFERENCE, "network_interface": REFERENCE},
    ),
    "autoscaling.group": Kind(
        "An Auto Scaling group: where its instances are launched and which load balancers "
        "send them traffic.",
        {
            "launch_template": REFERENCE,
            "launch_configuration": REFERENCE,
            "subnets": [REFERENCE],
            "target_groups": [REFERENCE],
            "load_balancers": [REFERENCE + " (a classic load balancer, by name)"],
        },
    ),
    "elb.listener": Kind(
        "A listener of an application or network load balancer, or one of its rules "
        "(`rule: true`), with the target groups it forwards to.",
        {
            "load_balancer": REFERENCE,
            "listener": REFERENCE + " (a rule's listener)",
            "rule": "true for a listener rule",
            "port": LISTENER_PORT,
            "protocol": "the listener protocol ('http', 'https', 'tcp', ...)",
            "target_groups": [REFERENCE],
        },
    ),
    "elb.target_group": Kind(
        "A target group of an application or network load balancer, with the targets "
        "registered in it (inline, or by `aws_lb_target_group_attachment`).",
        {
            "port": "the port targets receive traffic on",
            "protocol": "the target protocol",
            "target_type": "'instance', 'ip', 'lambda' or 'alb'",
            "targets": [{"target": REFERENCE, "port": "the port of this target"}],
        },
    ),
    "elb.target_group_attachment": Kind(
        "A target registered in a target group as its own resource "
        "(`aws_lb_target_group_attachment`; `aws_autoscaling_attachment`, whose target is "
        "an Auto Scaling group).",
        {"target_group": REFERENCE, "target": REFERENCE, "port": "the port of the target"},
    ),
    "eks.node_group": Kind(
        "An EKS managed node group.",
        {"launch_template": REFERENCE},
    ),
    "ec2.subnet": Kind(
        "A VPC subnet.",
        {
            "map_public_ip_on_launch": "true when instances get a public IPv4 address",
            "vpc": REFERENCE,
            "cidr": "the subnet's IPv4 CIDR block",
        },
    ),
    "rds.db_instance": Kind(
        "An RDS database instance (an Aurora instance belongs to its cluster).",
        {
            "engine": "the database engine",
            "storage_encrypted": ENCRYPTION_NOTE,
            "kms_key": REFERENCE,
            "cluster": REFERENCE,
            "master_password": "the master user password as written",
            "manage_master_password": "true when RDS keeps the password in Secrets Manager",
        },
    ),
    "rds.db_cluster": Kind(
        "An RDS (Aurora or Multi-AZ) database cluster.",
        {
            "engine": "the database engine",
            "storage_encrypted": ENCRYPTION_NOTE,
            "kms_key": REFERENCE,
            "master_password": "the master user password as written",
            "manage_master_password": "true when RDS keeps the password in Secrets Manager",
        },
    ),
    "efs.file_system": Kind(
        "An EFS file system, with its file system policy.",
        {"encrypted": ENCRYPTION_NOTE, "kms_key": REFERENCE, "policy": IAM_DOCUMENT},
    ),
    "sns.topic": Kind(
        "An SNS topic.",
        {"kms_key": REFERENCE, "policy": IAM_DOCUMENT},
    ),
    "ssm.parameter": Kind(
        "An SSM Parameter Store parameter.",
        {
            "name": "the parameter name (`/app/db/password`)",
            "type": "'String', 'StringList' or 'SecureString' (CloudFormation cannot create "
            "a SecureString)",
            "value": "the value as written",
            "holds_secret": "true when the name says the value is a secret "
            "(`/app/db/password`, `API_TOKEN`) or the value holds one (an access key, a "
            "private key, a password in a connection string); unknown when the name is not "
            "known before deployment",
        },
    ),
    "sqs.queue": Kind(
        "An SQS queue.",
        {
            "kms_key": REFERENCE,
            "sqs_managed_sse": "true when SQS-managed encryption (SSE-SQS) is on",
            "policy": IAM_DOCUMENT,
        },
    ),
    "kms.key": Kind("A KMS key, with its key policy.", {"policy": IAM_DOCUMENT}),
    "ecr.repository": Kind(
        "An ECR or ECR Public repository, with its repository policy (an ECR Public "
        "repository's statements are marked `public_repository`).",
        {"policy": IAM_DOCUMENT},
    ),
    "s3.access_point": Kind(
        "An S3 access point, with its access point policy. S3 rejects every request to an "
        "access point restricted to a VPC that does not come from that VPC: each Allow "
        "statement of its policy carries that restriction as the condition S3 enforces, "
        "`aws:SourceVpc` (the VPC id, `vpc-*` when it is known only at deployment), "
        "located at the VPC setting.",
        {
            "bucket": REFERENCE,
            "vpc": "the VPC id the access point accepts requests from (absent: the internet)",
            "policy": IAM_DOCUMENT,
        },
    ),
    "lambda.function_url": Kind(
        "A Lambda function URL.",
        {
            "function": REFERENCE,
            "auth_type": "'none' (anyone may call it) or 'aws_iam'",
        },
    ),
    "secretsmanager.secret": Kind(
        "A Secrets Manager secret, with the resource policy written inside it (Terraform).",
        {"policy": IAM_DOCUMENT},
    ),
    "apigateway.rest_api": Kind(
        "An API Gateway REST API, with its resource policy.", {"policy": IAM_DOCUMENT}
    ),
    "glacier.vault": Kind("An S3 Glacier vault, with its access policy.", {"policy": IAM_DOCUMENT}),
    "resource_policy": Kind(
        "A resource-based policy declared as its own resource: SQS queue and SNS topic "
        "policies, Secrets Manager resource policies, EventBridge event bus policies and "
        "permissions, CloudWatch Logs resource policies, and Terraform's separate policies "
        "of KMS keys, ECR and ECR Public repositories, OpenSearch domains, API Gateway REST "
        "APIs, EFS file systems, S3 access points and Backup vaults (S3 bucket policies "
        "are `s3.bucket_policy`).",
        {
            "service": "the service of the resources it governs ('sqs', 'sns', 'kms', 'ecr', "
            "'ecr-public', 'secretsmanager', 'opensearch', 'apigateway', 'events', 'logs', "
            "'elasticfilesystem', 's3', 'backup')",
            "resources": [REFERENCE],
            "document": IAM_DOCUMENT,
        },
    ),
    "lambda.permission": Kind(
        "A statement of a Lambda function's resource policy (`AWS::Lambda::Permission`, "
        "`aws_lambda_permission`), as Lambda writes it: the principal, the action, and "
        "the source account, source ARN and organization as conditions "
        "(`aws:SourceAccount`, `aws:SourceArn`, `aws:PrincipalOrgID`).",
        {"function": REFERENCE, "document": IAM_DOCUMENT},
    ),
    "s3.bucket": Kind(
        "An S3 bucket with its configuration (Terraform's separate `aws_s3_bucket_*` "
        "configuration resources are joined into it; `policy` is the bucket policy "
        "written inside `aws_s3_bucket`, provider 3 and older).",
        {
            "name": "the bucket name",
            "encryption": [
                {
                    "algorithm": "'aws:kms', 'aws:kms:dsse' or 'AES256'",
                    "kms_key": REFERENCE,
                }
            ],
            "logging": {
                "target_bucket": REFERENCE,
                "prefix": "the prefix of the log objects",
            },
            "versioning": "'enabled', 'suspended' (or 'disabled' in Terraform)",
            "acl": "the canned ACL ('private', 'public-read', ...)",
            "public_access_block": {
                "block_public_acls": "true or false",
                "block_public_policy": "true or false",
                "ignore_public_acls": "true or false",
                "restrict_public_buckets": "true or false",
            },
            "policy": IAM_DOCUMENT,
        },
    ),
    "s3.bucket_policy": Kind(
        "An S3 bucket policy.",
        {"bucket": REFERENCE, "document": IAM_DOCUMENT},
    ),
    "cloudtrail.trail": Kind(
        "A CloudTrail trail.",
        {
            "name": "the trail name",
            "is_logging": "false when logging is stopped",
            "multi_region": "true for a trail of every region",
            "log_file_validation": "true when log file integrity validation is on",
            "kms_key": REFERENCE,
            "cloudwatch_logs_group": REFERENCE,
            "bucket": REFERENCE,
        },
    ),
    "elb.load_balancer": Kind(
        "A load balancer (classic, application or network).",
        {
            "type": "'classic', 'application', 'network' or 'gateway'",
            "access_logs": "true when access logs are written to S3",
            "scheme": "'internet-facing' or 'internal'",
            "subnets": [REFERENCE],
            "security_groups": [REFERENCE],
            "instances": [REFERENCE + " (a classic load balancer's instances)"],
            "listeners": [
                {
                    "port": LISTENER_PORT + " (a classic load balancer's listener)",
                    "instance_port": "the port instances receive traffic on",
                    "protocol": "the listener protocol",
                }
            ],
        },
    ),
    "apigateway.stage": Kind(
        "An API Gateway stage (REST, HTTP or WebSocket), or a REST API deployment, "
        "which creates the stage it names.",
        {
            "access_log_destination": "where access logs go (a log group or Firehose ARN)",
            "deployment": "true for a deployment (`AWS::ApiGateway::Deployment`)",
            "stage_name": "the stage a deployment creates, when it names one",
        },
    ),
    "cloudfront.distribution": Kind(
        "A CloudFront distribution.",
        {"logging_bucket": "the bucket standard access logs go to"},
    ),
    "output": Kind(
        "A value the stack or root module shows: CloudFormation `Outputs` (address "
        "`Outputs.Name`), a Terraform root module's `output` blocks (`output.name`).",
        {
            "value": "the value as written",
            "hidden": "true when Terraform hides the value (`sensitive = true`); "
            "CloudFormation shows every output",
            "secret": "the secret the value shows, named (`AccessKey.SecretAccessKey`, "
            "`DbPassword (marked secret)`): a resource's secret attribute, a parameter or "
            "variable marked secret, or a password-named one with a literal default; "
            "absent when it shows none",
        },
    ),
    "terraform.provider": Kind(
        'A Terraform `provider "aws"` configuration (aliased ones and those in modules '
        "too): not a resource, but where AWS credentials get written (Terraform only).",
        {
            "alias": "the provider's alias, when it has one",
            "region": "the region it deploys to",
        },
    ),
    # Resources with no adapter yet: present in the graph (for edges), no properties.
    "unmodelled": Kind(
        "A resource type no other kind covers. A policy reads its properties by "
        "targeting its native type (`type: AWS::Lambda::Function`, see "
        "docs/writing-policies.md).",
        {},
    ),
    # Databases and streams
    "neptune.db_cluster": Kind(
        "A Neptune database cluster (its instances and snapshots have its encryption).",
        {
            "storage_encrypted": ENCRYPTION_NOTE
            + "; not set when it is restored from a snapshot of the linted files",
            "kms_key": REFERENCE,
            "snapshot": REFERENCE + " (the snapshot it is restored from)",
        },
    ),
    "neptune.cluster_snapshot": Kind(
        "A manual Neptune cluster snapshot (Terraform `aws_neptune_cluster_snapshot`): "
        "it has its cluster's encryption.",
        {"cluster": REFERENCE},
    ),
    "docdb.db_cluster": Kind(
        "An Amazon DocumentDB cluster (its instances and snapshots have its encryption).",
        {
            "storage_encrypted": ENCRYPTION_NOTE
            + "; not set when it is restored from a snapshot of the linted files",
            "kms_key": REFERENCE,
            "snapshot": REFERENCE + " (the snapshot it is restored from)",
        },
    ),
    "docdb.cluster_snapshot": Kind(
        "A manual DocumentDB cluster snapshot (Terraform `aws_docdb_cluster_snapshot`): "
        "it has its cluster's encryption.",
        {"cluster": REFERENCE},
    ),
    "rds.global_cluster": Kind(
        "A global database: Aurora's, or Neptune's and DocumentDB's (Terraform "
        "`aws_neptune_global_cluster`, `aws_docdb_global_cluster`), which share its API.",
        {
            "storage_encrypted": ENCRYPTION_NOTE,
            "source_cluster": REFERENCE + " (the cluster it is made from)",
        },
    ),
    "redshift.cluster": Kind(
        "A Redshift provisioned cluster.",
        {
            "storage_encrypted": ENCRYPTION_NOTE
            + "; unknown when not written, as the default depends on when the cluster "
            "was created and, in Terraform, on the provider version",
            "kms_key": REFERENCE,
        },
    ),
    "elasticache.replication_group": Kind(
        "An ElastiCache (Redis OSS or Valkey) replication group.",
        {
            "engine": "'redis' or 'valkey'",
            "at_rest_encryption": ENCRYPTION_NOTE,
            "transit_encryption": "true when clients must use TLS (unknown for a member "
            "of a global datastore, which has the datastore's setting)",
            "transit_encryption_mode": "'required' or 'preferred' (TLS and plain text both "
            "accepted)",
            "kms_key": REFERENCE,
        },
    ),
    "opensearch.domain": Kind(
        "An OpenSearch Service domain (or a legacy Elasticsearch Service domain).",
        {
            "encrypted": "true when data at rest (indices, logs, swap, snapshots) is encrypted",
            "kms_key": REFERENCE,
            "node_to_node_encryption": "true when traffic between the domain's nodes uses TLS",
            "policy": IAM_DOCUMENT,
        },
    ),
    "kinesis.stream": Kind(
        "A Kinesis data stream.",
        {"encryption_type": "'kms' or 'none'", "kms_key": REFERENCE},
    ),
    "firehose.delivery_stream": Kind(
        "A Kinesis Data Firehose (Amazon Data Firehose) delivery stream.",
        {
            "source_type": "'direct_put', 'kinesis_stream', 'msk' or 'database': where "
            "records come from",
            "source_stream": REFERENCE + " (the Kinesis stream records are read from)",
            "encrypted": "true when server-side encryption of the stream is on",
            "key_type": "'aws_owned_cmk' or 'customer_managed_cmk'",
            "kms_key": REFERENCE,
        },
    ),
    "msk.cluster": Kind(
        "An Amazon MSK (managed Kafka) provisioned cluster; its storage is always encrypted.",
        {
            "client_broker": "'tls', 'tls_plaintext' or 'plaintext': what clients may use",
            "in_cluster": "false when brokers talk to each other in plain text",
            "kms_key": REFERENCE,
        },
    ),
    # Data services
    "ec2.ebs_encryption_default": Kind(
        "The account's EBS encryption by default, in one region (Terraform "
        "`aws_ebs_encryption_by_default`).",
        {"enabled": "false when new EBS volumes are not encrypted by default"},
    ),
    "dynamodb.table": Kind(
        "A DynamoDB table or global table.",
        {
            "kms": "true when encrypted with a KMS key (AWS managed or customer managed); "
            "otherwise encrypted with a key AWS owns",
            "kms_key": REFERENCE,
        },
    ),
    "logs.log_group": Kind("A CloudWatch Logs log group.", {"kms_key": REFERENCE}),
    "eks.cluster": Kind(
        "An EKS cluster (`AWS::EKS::Cluster`, `aws_eks_cluster`, and the CDK's `Cluster` "
        "construct, a `Custom::AWSCDK-EKS-Cluster` resource read from its `Config`).",
        {
            "encryption": [
                {
                    "resources": ["what the key encrypts ('secrets')"],
                    "kms_key": REFERENCE,
                }
            ]
        },
    ),
    "codebuild.project": Kind(
        "A CodeBuild project.",
        {
            "artifacts": [
                {
                    "type": "'s3', 'codepipeline' or 'no_artifacts'",
                    "encryption_disabled": "true when the artifacts are written unencrypted",
                }
            ],
            "s3_logs": {
                "status": "'enabled' or 'disabled'",
                "encryption_disabled": "true when the build logs are written unencrypted",
            },
        },
    ),
    "glue.security_configuration": Kind(
        "A Glue security configuration: how jobs, crawlers and development endpoints "
        "encrypt what they write.",
        {
            "encryption": [
                {
                    "target": "'s3', 'cloudwatch' or 'job_bookmarks'",
                    "mode": "'disabled', 'sse-s3', 'sse-kms' or 'cse-kms' (absent: disabled)",
                    "kms_key": REFERENCE,
                }
            ]
        },
    ),
    "athena.workgroup": Kind(
        "An Athena workgroup.",
        {
            "result_encryption": "'sse_s3', 'sse_kms' or 'cse_kms': how query results are "
            "encrypted",
            "enforce_configuration": "false when clients may override the workgroup's "
            "settings (true when absent)",
            "managed_results": "true when Athena keeps query results in its own storage "
            "(managed query results), always encrypted",
        },
    ),
    "emr.security_configuration": Kind(
        "An EMR security configuration.",
        {"at_rest_encryption": "true when data at rest is encrypted (`EnableAtRestEncryption`)"},
    ),
    "workspaces.workspace": Kind(
        "An Amazon WorkSpaces workspace.",
        {
            "volumes": [
                {
                    "volume": "'root' or 'user'",
                    "encrypted": "true when the volume is encrypted (false when absent)",
                }
            ],
            "kms_key": REFERENCE,
        },
    ),
    "sagemaker.notebook_instance": Kind("A SageMaker notebook instance.", {"kms_key": REFERENCE}),
    "sagemaker.endpoint_config": Kind(
        "A SageMaker endpoint configuration.",
        {
            "kms_key": REFERENCE,
            "variants": [
                {"instance_type": "the ML instance type (absent for a serverless variant)"}
            ],
        },
    ),
    "sagemaker.domain": Kind("A SageMaker domain (Studio).", {"kms_key": REFERENCE}),
    "backup.vault": Kind(
        "An AWS Backup vault, with its access policy.",
        {"kms_key": REFERENCE, "policy": IAM_DOCUMENT},
    ),
    "fsx.file_system": Kind(
        "An FSx file system (Windows File Server, Lustre, NetApp ONTAP or OpenZFS).",
        {
            "type": "'windows', 'lustre', 'ontap' or 'openzfs'",
            "deployment_type": "the deployment type, lower case ('scratch_2', 'persistent_1', "
            "...); Lustre's default 'scratch_1' when absent",
            "kms_key": REFERENCE,
        },
    ),
}

# Every kind, modelled or not, lists the settings holding secrets (adapt/secrets.py).
SENSITIVE: dict[str, Shape] = {
    "setting": "the setting as written (`MasterUserPassword`, `Environment.Variables.TOKEN`)",
    "kind": "'password', 'environment', 'access_key', 'private_key' or 'connection_string'",
    "value": "the value as written: a literal, a parameter or variable, a dynamic reference",
}
# Every kind lists the secret parameters or variables written into what any reader of
# the resource's configuration sees (adapters find them, in each format's syntax).
EXPOSED: dict[str, Shape] = {
    "setting": "the setting as written (`UserData`, `Environment.Variables.DB_URL`, "
    "`tags.password`)",
    "parameter": "the parameter or variable written into it: marked secret (`NoEcho`, "
    "`sensitive`), or named as a secret with a literal default",
}
for _kind in KINDS.values():
    _kind.shape["sensitive"] = [SENSITIVE]
    _kind.shape["exposed"] = [EXPOSED]
    _kind.shape["tags"] = "the resource's tags: a mapping of keys to values"

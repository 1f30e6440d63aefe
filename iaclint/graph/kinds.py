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
}


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
            "ingress": [{**NETWORK_RULE, "rule_number": "the entry's rule number"}],
            "egress": [{**NETWORK_RULE, "rule_number": "the entry's rule number"}],
        },
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
        },
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
        "An inline IAM policy declared as its own resource, attached to roles, users and groups.",
        dict(ATTACHED_POLICY),
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
    "eks.node_group": Kind(
        "An EKS managed node group.",
        {"launch_template": REFERENCE},
    ),
    "ec2.subnet": Kind(
        "A VPC subnet.",
        {"map_public_ip_on_launch": "true when instances get a public IPv4 address"},
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
        "An EFS file system.",
        {"encrypted": ENCRYPTION_NOTE, "kms_key": REFERENCE},
    ),
    "sns.topic": Kind("An SNS topic.", {"kms_key": REFERENCE}),
    "sqs.queue": Kind(
        "An SQS queue.",
        {
            "kms_key": REFERENCE,
            "sqs_managed_sse": "true when SQS-managed encryption (SSE-SQS) is on",
        },
    ),
    "s3.bucket": Kind(
        "An S3 bucket with its configuration (Terraform's separate `aws_s3_bucket_*` "
        "configuration resources are joined into it).",
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
        },
    ),
    "cloudfront.distribution": Kind(
        "A CloudFront distribution.",
        {"logging_bucket": "the bucket standard access logs go to"},
    ),
    # Resources with no adapter yet: present in the graph (for edges), no properties.
    "unmodelled": Kind("A resource type no other policy looks into.", {}),
    # Data services
    "ec2.ebs_encryption_default": Kind(
        "The account's EBS encryption by default, in one region (Terraform "
        "`aws_ebs_encryption_by_default`).",
        {"enabled": "false when new EBS volumes are not encrypted by default"},
    ),
    "logs.log_group": Kind("A CloudWatch Logs log group.", {"kms_key": REFERENCE}),
    "eks.cluster": Kind(
        "An EKS cluster.",
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
    "backup.vault": Kind("An AWS Backup vault.", {"kms_key": REFERENCE}),
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
    "kind": "'password', 'environment', 'access_key' or 'private_key'",
    "value": "the value as written: a literal, a parameter or variable, a dynamic reference",
}
for _kind in KINDS.values():
    _kind.shape["sensitive"] = [SENSITIVE]
    _kind.shape["tags"] = "the resource's tags: a mapping of keys to values"

"""One policy, one mistake, three formats: the same finding from CloudFormation,
a Terraform module and a Terraform plan, each pointing at the offending value."""

from __future__ import annotations

import json
from pathlib import Path

from iaclint.discover import Candidate
from iaclint.engine.policy import Policy
from iaclint.file_work import lint_file
from iaclint.findings import Finding
from iaclint.run_terraform import lint_terraform

CLOUDFORMATION = """\
Resources:
  Bastion:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: bastion
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
"""

TERRAFORM = """\
resource "aws_security_group" "bastion" {
  description = "bastion"

  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""

RULE = {
    "cidr_blocks": ["0.0.0.0/0"],
    "description": "",
    "from_port": 22,
    "ipv6_cidr_blocks": [],
    "prefix_list_ids": [],
    "protocol": "tcp",
    "security_groups": [],
    "self": False,
    "to_port": 22,
}
VALUES = {
    "description": "bastion",
    "egress": [],
    "ingress": [RULE],
    "name": "terraform-x",
    "tags": None,
}
PLAN = {
    "format_version": "1.2",
    "terraform_version": "1.9.8",
    "planned_values": {
        "root_module": {
            "resources": [
                {
                    "address": "aws_security_group.bastion",
                    "mode": "managed",
                    "type": "aws_security_group",
                    "name": "bastion",
                    "provider_name": "registry.terraform.io/hashicorp/aws",
                    "schema_version": 1,
                    "values": VALUES,
                    "sensitive_values": {"egress": [], "ingress": [{"cidr_blocks": [False]}]},
                }
            ]
        }
    },
    "resource_changes": [
        {
            "address": "aws_security_group.bastion",
            "mode": "managed",
            "type": "aws_security_group",
            "name": "bastion",
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": ["create"],
                "before": None,
                "after": VALUES,
                "after_unknown": {"arn": True, "id": True, "owner_id": True, "vpc_id": True},
                "before_sensitive": False,
                "after_sensitive": {},
            },
        }
    ],
    "configuration": {
        "root_module": {
            "resources": [
                {
                    "address": "aws_security_group.bastion",
                    "mode": "managed",
                    "type": "aws_security_group",
                    "name": "bastion",
                    "provider_config_key": "aws",
                    "expressions": {
                        "description": {"constant_value": "bastion"},
                        "ingress": {"constant_value": [RULE]},
                    },
                    "schema_version": 1,
                }
            ]
        }
    },
}


def only(findings: list[Finding]) -> Finding:
    (finding,) = findings
    return finding


def test_one_policy_gives_the_same_finding_for_every_format(
    tmp_path: Path, policies: list[Policy]
) -> None:
    template = tmp_path / "cfn" / "stack.yaml"
    module = tmp_path / "module" / "main.tf"
    plan_alone = tmp_path / "plan" / "plan.json"
    plan_beside = tmp_path / "module" / "plan.json"
    for path, text in (
        (template, CLOUDFORMATION),
        (module, TERRAFORM),
        (plan_alone, json.dumps(PLAN, indent=2)),
        (plan_beside, json.dumps(PLAN, indent=2)),
    ):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")

    cloudformation = only(lint_file(Candidate(template, "stack.yaml"), policies).findings)
    terraform = only(
        lint_terraform([Candidate(module, "main.tf")], policies, [str(module.parent)]).findings
    )
    plan = only(lint_file(Candidate(plan_alone, "plan.json"), policies).findings)
    planned_module = only(lint_file(Candidate(plan_beside, "plan.json"), policies).findings)

    # One policy, one message, whatever the format.
    for finding in (cloudformation, terraform, plan, planned_module):
        assert (finding.policy_id, finding.severity.label) == ("IAC001", "high")
        assert finding.message == "22 open to the whole internet from 0.0.0.0/0"

    # Each at the offending value, named the way its format names things.
    assert (cloudformation.resource, cloudformation.attribute) == (
        "Bastion",
        "Properties.SecurityGroupIngress[0].CidrIp",
    )
    assert (cloudformation.span.line, cloudformation.snippet.strip()) == (10, "CidrIp: 0.0.0.0/0")
    assert (terraform.resource, terraform.resource_type, terraform.attribute) == (
        "aws_security_group.bastion",
        "aws_security_group",
        "ingress[0].cidr_blocks[0]",
    )
    assert (terraform.span.line, terraform.snippet.strip()) == (8, 'cidr_blocks = ["0.0.0.0/0"]')
    assert (plan.resource, plan.attribute) == (terraform.resource, terraform.attribute)
    assert plan.snippet.strip() == '"0.0.0.0/0"'
    # A plan whose configuration is beside it points at the configuration's line.
    assert planned_module.span == terraform.span._replace(file="main.tf")
    assert planned_module.fingerprint == terraform.fingerprint

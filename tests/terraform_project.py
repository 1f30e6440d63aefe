"""A Terraform project with several roots, shared modules (one in JSON syntax), a var
file, a file read with file(), and one CloudFormation template; and the one-file changes that each
create a finding. Used to compare the hook and --diff-base with full runs."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .test_cli import OPEN_SSH

SG = """\
resource "aws_security_group" "admin" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
}
"""
PROJECT = {
    # A root module with its variables, var file, a policy read with file(), a local module.
    "live/prod/main.tf": SG,
    "live/prod/variables.tf": 'variable "admin_cidr" {\n  default = "0.0.0.0/0"\n}\n',
    "live/prod/terraform.tfvars": 'admin_cidr = "10.1.0.0/16"\n',
    "live/prod/iam.tf": 'resource "aws_iam_policy" "p" {\n  policy = file("${path.module}/policy.json")\n}\n',
    "live/prod/policy.json": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",'
    ' "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}\n',
    "live/prod/web.tf": 'module "web" {\n  source = "../../modules/web"\n  cidr   = "0.0.0.0/0"\n}\n',
    # A second root calling the same module with a private range.
    "live/dev/main.tf": SG,
    "live/dev/variables.tf": 'variable "admin_cidr" {\n  default = "10.0.0.0/8"\n}\n',
    "live/dev/web.tf": 'module "web" {\n  source = "../../modules/web"\n  cidr   = "10.0.0.0/8"\n}\n',
    # A module calling another module.
    "modules/web/main.tf": 'variable "cidr" {}\nmodule "rule" {\n  source = "../rule"\n'
    "  cidr   = var.cidr\n}\n",
    "modules/rule/main.tf": 'variable "cidr" {}\nvariable "port" {\n  default = 443\n}\n'
    'resource "aws_security_group" "this" {\n  ingress {\n    from_port   = var.port\n'
    '    to_port     = var.port\n    protocol    = "tcp"\n    cidr_blocks = [var.cidr]\n'
    "  }\n}\n",
    # A module and its caller in Terraform's JSON syntax: the module's port matters
    # only with the range its caller gives.
    "live/dev/json.tf.json": '{"module": {"json": {"source": "../../modules/json",'
    ' "cidr": "0.0.0.0/0"}}}\n',
    "modules/json/main.tf.json": """\
{
  "variable": {"cidr": {}, "port": {"default": 443}},
  "resource": {
    "aws_security_group": {
      "this": {
        "ingress": [
          {
            "from_port": "${var.port}",
            "to_port": "${var.port}",
            "protocol": "tcp",
            "cidr_blocks": ["${var.cidr}"]
          }
        ]
      }
    }
  }
}
""",
    # A bucket whose encryption is set in another file.
    "storage/bucket.tf": 'resource "aws_s3_bucket" "data" {\n  bucket = "data"\n}\n',
    "storage/encryption.tf": """\
resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "arn:aws:kms:us-east-1:111122223333:key/abc"
    }
  }
}
""",
    "stacks/web.yaml": OPEN_SSH.replace("0.0.0.0/0", "10.0.0.0/8"),
}

# One file's change: its new text, or None for a deletion.
CHANGES = {
    "var file": ("live/prod/terraform.tfvars", 'admin_cidr = "0.0.0.0/0"\n'),
    "variable default": (
        "live/dev/variables.tf",
        PROJECT["live/dev/variables.tf"].replace("10.0.0.0/8", "0.0.0.0/0"),
    ),
    "deleted var file": ("live/prod/terraform.tfvars", None),  # the default counts again
    "module two calls down": (
        "modules/rule/main.tf",
        PROJECT["modules/rule/main.tf"].replace("default = 443", "default = 22"),
    ),
    "module argument": (
        "modules/web/main.tf",
        PROJECT["modules/web/main.tf"].replace("var.cidr\n}", "var.cidr\n  port = 3389\n}"),
    ),
    "file read by file()": (
        "live/prod/policy.json",
        PROJECT["live/prod/policy.json"]
        .replace('"s3:GetObject"', '"*"')
        .replace('"arn:aws:s3:::b/*"', '"*"'),
    ),
    "JSON module": (
        "modules/json/main.tf.json",
        PROJECT["modules/json/main.tf.json"].replace('"default": 443', '"default": 22'),
    ),
    "deleted settings": ("storage/encryption.tf", None),
    "template": ("stacks/web.yaml", OPEN_SSH),
}


def git(repo: Path, *arguments: str) -> None:
    """git in `repo`, as a committer with a name (CI machines have none)."""
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *arguments],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)

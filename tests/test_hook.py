"""`--hook` against a full run: whatever one file of a change does (edited or deleted), every
finding it creates, as two full runs (before and after) tell, is reported by the hook run
on that file alone. A real git repository, since deletions come from git."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from iaclint.cli import main

from .test_cli import OPEN_SSH, write

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
    "deleted settings": ("storage/encryption.tf", None),
    "template": ("stacks/web.yaml", OPEN_SSH),
}


def git(repo: Path, *arguments: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *arguments],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def findings(capsys: pytest.CaptureFixture[str], arguments: list[str]) -> set[tuple[object, ...]]:
    capsys.readouterr()
    code = main(["--no-cache", "--format", "json", *arguments])
    report = json.loads(capsys.readouterr().out)
    assert code in (0, 1), report["errors"]
    return {
        (f["policy_id"], f["file"], f["line"], f["column"], f["message"])
        for f in report["findings"]
    }


@pytest.mark.parametrize("change", CHANGES)
def test_the_hook_reports_every_finding_a_change_creates(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], change: str
) -> None:
    for name, text in PROJECT.items():
        write(in_tmp, name, text)
    git(in_tmp, "init", "-q")
    git(in_tmp, "add", "-A")
    git(in_tmp, "commit", "-q", "-m", "before")
    before = findings(capsys, ["."])
    name, text = CHANGES[change]
    if text is None:
        git(in_tmp, "rm", "-q", name)
        named = []
    else:
        write(in_tmp, name, text)
        git(in_tmp, "add", name)
        named = [name]
    created = findings(capsys, ["."]) - before
    assert created, "the change is meant to create a finding"
    hook = findings(capsys, ["--hook", *named])
    assert created <= hook


def test_the_hook_with_nothing_named_and_nothing_deleted_lints_nothing(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "stack.yaml", OPEN_SSH)
    git(in_tmp, "init", "-q")
    git(in_tmp, "add", "-A")
    assert main(["--no-cache", "--hook"]) == 0
    assert "stack.yaml" not in capsys.readouterr().out


def test_a_var_file_no_root_reads_is_said_so(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "live/main.tf", SG + 'variable "admin_cidr" {}\n')
    write(in_tmp, "live/prod.tfvars", 'admin_cidr = "0.0.0.0/0"\n')
    assert main(["--no-cache", "--color", "never", "live/prod.tfvars"]) == 0
    captured = capsys.readouterr()
    assert "live/prod.tfvars: notice: no root module reads this var file" in (
        captured.out + captured.err
    )
    assert main(["--no-cache", "--var-file", "live/prod.tfvars", "live/prod.tfvars"]) == 1


def test_a_deletion_in_an_excluded_directory_lints_nothing(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "examples/main.tf", SG + 'variable "admin_cidr" {\n  default = "0.0.0.0/0"\n}\n')
    write(in_tmp, "examples/extra.tf", "")
    git(in_tmp, "init", "-q")
    git(in_tmp, "add", "-A")
    git(in_tmp, "commit", "-q", "-m", "examples")
    git(in_tmp, "rm", "-q", "examples/extra.tf")
    assert main(["--no-cache", "--hook"]) == 1  # the deletion brings its module in
    capsys.readouterr()
    assert main(["--no-cache", "--hook", "--exclude", "examples/*"]) == 0
    assert "examples/main.tf" not in capsys.readouterr().out

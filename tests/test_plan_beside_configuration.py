"""A plan linted beside the `.tf` files it was made from: each finding reported once.

The plan's JSON text of a policy the configuration writes with `jsonencode(...)`
or `data "aws_iam_policy_document"` is read back into data placed where the
configuration writes it, so its findings are the configuration's. A plan's
finding is dropped only when the configuration found the same policy on the same
resource at the same (or a containing) attribute; what only the plan knows stays.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iaclint.discover import Candidate
from iaclint.engine.policy import Policy
from iaclint.file_work import lint_file
from iaclint.findings import Finding
from iaclint.run import Options, lint

from .test_terraform_plan import config_resource, instance, plan_text

ADMIN = {"Effect": "Allow", "Action": "*", "Resource": "*"}
READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::logs/*"}

Place = tuple[str, str, str, int]  # policy, resource, file name, line


@pytest.fixture
def iam(catalogue: list[Policy]) -> list[Policy]:
    return [policy for policy in catalogue if policy.id == "IAC010"]


def _document(*statements: dict[str, object]) -> str:
    # As Terraform writes jsonencode's text: compact, keys sorted.
    return json.dumps(
        {"Statement": list(statements), "Version": "2012-10-17"},
        separators=(",", ":"),
        sort_keys=True,
    )


def _plan(policies: dict[str, str]) -> str:
    """A plan of `aws_iam_policy` resources with these policy texts."""
    resources = [
        instance(address, {"name": address.split(".")[1], "policy": text})
        for address, text in policies.items()
    ]
    configuration = {"resources": [config_resource(a, {"policy": {}}) for a in policies]}
    return plan_text(resources, {}, configuration)


def _write(root: Path, tf: str, plan: str | None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "main.tf").write_text(tf, encoding="utf-8")
    if plan is not None:
        (root / "main.plan.json").write_text(plan, encoding="utf-8")
    return root


def _places(findings: tuple[Finding, ...] | list[Finding]) -> list[Place]:
    return sorted((f.policy_id, f.resource, Path(f.span.file).name, f.span.line) for f in findings)


def _folder(path: Path, policies: list[Policy]) -> list[Place]:
    report = lint(Options(paths=(str(path),), use_cache=False), policies, [])
    assert [d for d in report.diagnostics if d.level.value == "error"] == []
    return _places(report.findings)


def _plan_alone(root: Path, policies: list[Policy]) -> list[Place]:
    path = root / "main.plan.json"
    result = lint_file(Candidate(path, path.as_posix()), policies)
    assert result.linted, result.diagnostics
    return _places(result.findings)


def _tf_alone(root: Path, policies: list[Policy]) -> list[Place]:
    from iaclint.run_terraform import lint_terraform

    tf = root / "main.tf"
    return _places(lint_terraform([Candidate(tf, tf.as_posix())], policies, [str(root)]).findings)


JSONENCODE = """\
resource "aws_iam_policy" "admin" {
  name = "admin"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::logs/*" },
      { Effect = "Allow", Action = "*", Resource = "*" },
    ]
  })
}
"""


def test_a_statement_in_jsonencode_is_reported_once_at_its_own_line(
    tmp_path: Path, iam: list[Policy]
) -> None:
    root = _write(
        tmp_path / "live", JSONENCODE, _plan({"aws_iam_policy.admin": _document(READ, ADMIN)})
    )
    statement = [("IAC010", "aws_iam_policy.admin", "main.tf", 7)]
    # The plan alone points where the .tf writes the statement, not at `policy =`.
    assert _plan_alone(root, iam) == statement
    assert _tf_alone(root, iam) == statement
    assert _folder(root, iam) == statement


def test_a_statement_only_the_plan_can_judge_is_kept(tmp_path: Path, iam: list[Policy]) -> None:
    tf = """\
variable "action" {}

resource "aws_iam_policy" "admin" {
  name = "admin"
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "*", Resource = "*" },
      { Effect = "Allow", Action = var.action, Resource = "*" },
    ]
  })
}
"""
    # The plan was made with action = "*": its second statement grants everything too.
    plan = _plan({"aws_iam_policy.admin": _document(ADMIN, ADMIN)})
    root = _write(tmp_path / "live", tf, plan)
    first = ("IAC010", "aws_iam_policy.admin", "main.tf", 7)
    second = ("IAC010", "aws_iam_policy.admin", "main.tf", 8)
    assert _tf_alone(root, iam) == [first]
    assert _plan_alone(root, iam) == [first, second]
    assert _folder(root, iam) == [first, second]


def test_the_same_policy_on_different_resources_is_kept_for_each(
    tmp_path: Path, iam: list[Policy]
) -> None:
    """Same policy, same attribute, same document: another resource is another finding."""
    tf = """\
variable "action" {}

resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}

resource "aws_iam_policy" "other" {
  name   = "other"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = var.action, Resource = "*" }] })
}
"""
    plan = _plan(
        {"aws_iam_policy.admin": _document(ADMIN), "aws_iam_policy.other": _document(ADMIN)}
    )
    root = _write(tmp_path / "live", tf, plan)
    admin = ("IAC010", "aws_iam_policy.admin", "main.tf", 5)
    other = ("IAC010", "aws_iam_policy.other", "main.tf", 10)
    assert _tf_alone(root, iam) == [admin]
    assert _plan_alone(root, iam) == [admin, other]
    assert _folder(root, iam) == [admin, other]


def test_a_plan_in_another_folder_is_not_its_configuration(
    tmp_path: Path, iam: list[Policy]
) -> None:
    _write(tmp_path / "live", JSONENCODE, None)
    elsewhere = tmp_path / "plans"
    elsewhere.mkdir()
    (elsewhere / "main.plan.json").write_text(
        _plan({"aws_iam_policy.admin": _document(READ, ADMIN)}), encoding="utf-8"
    )
    found = _folder(tmp_path, iam)
    assert [(policy, resource, name) for policy, resource, name, _ in found] == [
        ("IAC010", "aws_iam_policy.admin", "main.plan.json"),
        ("IAC010", "aws_iam_policy.admin", "main.tf"),
    ]


def test_a_policy_document_data_source_is_reported_once(tmp_path: Path, iam: list[Policy]) -> None:
    tf = """\
data "aws_iam_policy_document" "admin" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::logs/*"]
  }
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = data.aws_iam_policy_document.admin.json
}
"""
    # The provider writes a list of one as its element, and Effect where it is left out.
    plan = _plan(
        {"aws_iam_policy.admin": json.dumps({"Statement": [READ, ADMIN], "Version": "2012-10-17"})}
    )
    root = _write(tmp_path / "live", tf, plan)
    statement = [("IAC010", "aws_iam_policy.admin", "main.tf", 7)]
    assert _plan_alone(root, iam) == statement
    assert _tf_alone(root, iam) == statement
    assert _folder(root, iam) == statement


def test_a_merged_policy_document_stays_text_and_is_kept(tmp_path: Path, iam: list[Policy]) -> None:
    """Statements merged from other documents cannot be matched to blocks by
    position: the plan's finding stays on the argument, and is not dropped for
    a configuration finding it cannot be shown to be."""
    tf = """\
data "aws_iam_policy_document" "base" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "admin" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
}

resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = data.aws_iam_policy_document.admin.json
}
"""
    plan = _plan({"aws_iam_policy.admin": _document(ADMIN)})
    root = _write(tmp_path / "live", tf, plan)
    assert _plan_alone(root, iam) == [("IAC010", "aws_iam_policy.admin", "main.tf", 14)]
    assert _folder(root, iam) == [
        ("IAC010", "aws_iam_policy.admin", "main.tf", 3),
        ("IAC010", "aws_iam_policy.admin", "main.tf", 14),
    ]


def test_json_text_in_the_configuration_is_reported_once(tmp_path: Path, iam: list[Policy]) -> None:
    tf = (
        'resource "aws_iam_policy" "admin" {\n'
        '  name   = "admin"\n'
        "  policy = <<-EOT\n"
        f"    {_document(ADMIN)}\n"
        "  EOT\n"
        "}\n"
    )
    root = _write(tmp_path / "live", tf, _plan({"aws_iam_policy.admin": _document(ADMIN)}))
    found = _folder(root, iam)
    assert [(policy, resource, name) for policy, resource, name, _ in found] == [
        ("IAC010", "aws_iam_policy.admin", "main.tf")
    ]


def test_a_local_jsonencode_document_is_reported_once(tmp_path: Path, iam: list[Policy]) -> None:
    tf = """\
locals {
  admin = jsonencode({
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = local.admin
}
"""
    root = _write(tmp_path / "live", tf, _plan({"aws_iam_policy.admin": _document(ADMIN)}))
    statement = [("IAC010", "aws_iam_policy.admin", "main.tf", 3)]
    assert _plan_alone(root, iam) == statement
    assert _folder(root, iam) == statement

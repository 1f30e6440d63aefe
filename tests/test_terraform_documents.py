"""JSON documents written in Terraform read as data: jsonencode, heredocs, interpolations."""

from __future__ import annotations

from pathlib import Path

from iaclint.adapt.sourced import Src
from iaclint.adapt.terraform.build import _to_src
from iaclint.adapt.terraform.documents import JsonDocument, json_document
from iaclint.adapt.terraform.loader import ModuleLoader
from iaclint.adapt.terraform.module import Unit
from iaclint.graph.values import PartialString, Reference, Unknown
from iaclint.span import DocPath, Span

POLICY = """
resource "aws_iam_role" "app" {}

resource "aws_iam_role_policy" "encoded" {
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = aws_iam_role.app.arn
    }]
  })
}

resource "aws_iam_role_policy" "heredoc" {
  role   = aws_iam_role.app.id
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "${aws_iam_role.app.arn}/*"}
      ]
    }
  EOT
}
"""


def natives(tmp_path: Path, text: str = POLICY) -> tuple[dict[str, Src], dict[DocPath, Span]]:
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    unit = Unit(ModuleLoader([tmp_path]), tmp_path, ".", {})
    spans: dict[DocPath, Span] = {}
    # aws_iam_role_policy has no family yet: read its arguments as a family would.
    out = {}
    for instance in unit.resource_instances():
        root: DocPath = (instance.address,)
        header = instance.header_span()
        out[instance.address] = Src(
            {k: _to_src(v, (*root, k), header, spans) for k, v in instance.native().items()}, root
        )
    return out, spans


def plain(node: Src) -> object:
    value = node.value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def test_jsonencode_is_data_with_its_own_places(tmp_path: Path) -> None:
    resources, spans = natives(tmp_path)
    policy = resources["aws_iam_role_policy.encoded"].get("policy")
    assert policy is not None and isinstance(policy.value, JsonDocument)
    document = json_document(policy)
    assert document is not None
    assert plain(document) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": Reference("aws_iam_role.app", "arn")}
        ],
    }
    action = document.get("Statement").items()[0].get("Action")  # type: ignore[union-attr]
    assert action is not None
    assert spans[action.origin].line == 10  # the line of Action = "*"
    # To Terraform it is text, which is unknown until the role's ARN is known.
    assert isinstance(policy.value.text, Unknown)


def test_heredoc_json_is_parsed_with_unknown_parts_kept(tmp_path: Path) -> None:
    resources, _ = natives(tmp_path)
    policy = resources["aws_iam_role_policy.heredoc"].get("policy")
    document = json_document(policy)
    assert document is not None
    statement = plain(document)["Statement"][0]  # type: ignore[index]
    assert statement == {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": PartialString((Reference("aws_iam_role.app", "arn"), "/*")),
    }


def test_text_that_is_not_json() -> None:
    assert json_document(Src("not json", ("x",))) is None
    broken = json_document(Src(PartialString(("{", Unknown("?"))), ("x",)))
    assert broken is not None and isinstance(broken.value, Unknown)
    unknown = Src(Unknown("data source"), ("x",))
    assert json_document(unknown) is unknown


POLICY_DOCUMENT = """
resource "aws_iam_role" "app" {}

data "aws_iam_policy_document" "admin" {
  statement {
    sid       = "Everything"
    actions   = ["*"]
    resources = ["*"]
  }
  statement {
    effect  = "Deny"
    actions = ["s3:DeleteBucket"]
    resources = [aws_iam_role.app.arn]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:root"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_iam_policy" "admin" {
  policy = data.aws_iam_policy_document.admin.json
}

data "aws_iam_policy_document" "merged" {
  source_policy_documents   = [data.aws_iam_policy_document.admin.json]
  override_policy_documents = [jsonencode({ Statement = [{ Sid = "Everything", Effect = "Allow", Action = "s3:*" }] })]
  statement {
    actions   = ["ec2:Describe*"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "unknown" {
  source_policy_documents = [aws_iam_role.app.inline_policy]
}

resource "aws_iam_policy" "unknown" {
  policy = data.aws_iam_policy_document.unknown.json
}

resource "aws_iam_policy" "merged" {
  policy = data.aws_iam_policy_document.merged.json
}
"""


def test_a_policy_document_data_source_is_a_located_document(tmp_path: Path) -> None:
    resources, spans = natives(tmp_path, POLICY_DOCUMENT)
    policy = resources["aws_iam_policy.admin"].get("policy")
    document = json_document(policy)
    assert document is not None
    assert plain(document) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Everything", "Effect": "Allow", "Action": ["*"], "Resource": ["*"]},
            {
                "Effect": "Deny",
                "Action": ["s3:DeleteBucket"],
                "Resource": [Reference("aws_iam_role.app", "arn")],
                "Principal": {"AWS": ["arn:aws:iam::123456789012:root"]},
                "Condition": {"Bool": {"aws:SecureTransport": ["false"]}},
            },
        ],
    }
    action = document.get("Statement").items()[0].get("Action").items()[0]  # type: ignore[union-attr]
    assert spans[action.origin].line == 7  # actions = ["*"], in the data block
    merged = json_document(resources["aws_iam_policy.merged"].get("policy"))
    assert merged is not None
    statements = plain(merged)["Statement"]  # type: ignore[index]
    assert [s.get("Sid") for s in statements] == ["Everything", None, None]  # type: ignore[union-attr]
    assert statements[0]["Action"] == "s3:*"  # overridden by sid
    assert statements[2]["Action"] == ["ec2:Describe*"]
    unknown = json_document(resources["aws_iam_policy.unknown"].get("policy"))
    assert unknown is not None and isinstance(unknown.value, Unknown)
    assert unknown.value.reason == (
        "the policy document merges source_policy_documents known only after deployment"
    )

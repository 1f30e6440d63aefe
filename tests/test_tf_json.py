"""Terraform's JSON syntax (`.tf.json`): read into the HCL syntax tree, linted as
part of its module, located at the JSON property or element to edit."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from iaclint.cli import main
from iaclint.discover import Candidate
from iaclint.engine.policy import Policy
from iaclint.findings import Finding, Undetermined
from iaclint.parse.document import ParseError
from iaclint.parse.hcl.json_syntax import read_tf_json
from iaclint.parse.hcl.syntax import (
    Call,
    GetAttr,
    HclFile,
    Interpolation,
    Literal,
    ObjectExpr,
    Template,
    TupleExpr,
    Variable,
)
from iaclint.report.render import FORMATS
from iaclint.run_terraform import TerraformResult, lint_terraform

from .conftest import FIXTURES, ROOT
from .test_cli_terraform import write

POLICY_FIXTURES = FIXTURES / "policies"

# Fixtures written twice, in HCL and in Terraform's JSON syntax.
TWINS = ["IAC001/fail", "IAC010/fail", "IAC016/fail", "IAC016/pass", "IAC062/fail"]

OPEN_SSH_JSON = """\
{
  "resource": {
    "aws_security_group": {
      "ssh": {
        "name": "ssh",
        "ingress": [
          {
            "from_port": 22,
            "to_port": 22,
            "protocol": "tcp",
            "cidr_blocks": ["0.0.0.0/0"]
          }
        ]
      }
    }
  }
}
"""


def lint_directory(root: Path, policies: list[Policy]) -> TerraformResult:
    files = sorted([*root.glob("*.tf"), *root.glob("*.tf.json")])
    return lint_terraform(
        [Candidate(path, path.as_posix()) for path in files], policies, [str(root)]
    )


@pytest.mark.parametrize("twin", TWINS)
def test_a_json_twin_finds_what_its_hcl_finds(twin: str, catalogue: list[Policy]) -> None:
    policy, verdict = twin.split("/")
    hcl = lint_directory(POLICY_FIXTURES / policy / f"{verdict}-hcl", catalogue)
    tf_json = lint_directory(POLICY_FIXTURES / policy / f"{verdict}-json", catalogue)
    assert hcl.diagnostics == tf_json.diagnostics == []

    def said(items: Sequence[Finding | Undetermined]) -> list[tuple[str, str, str]]:
        return sorted((item.policy_id, item.resource, item.attribute) for item in items)

    assert said(tf_json.findings) == said(hcl.findings)
    assert said(tf_json.undetermined) == said(hcl.undetermined)
    assert any(f.policy_id == policy for f in tf_json.findings) == (verdict == "fail")
    for item in [*tf_json.findings, *tf_json.undetermined]:
        assert item.span.file.endswith(".tf.json")
        lines = Path(item.span.file).read_text(encoding="utf-8").splitlines()
        assert 1 <= item.span.line <= len(lines)


def test_the_twins_are_terraform_json() -> None:
    """Twins are JSON whose top-level properties are Terraform's block types."""
    for twin in TWINS:
        policy, verdict = twin.split("/")
        for path in (POLICY_FIXTURES / policy / f"{verdict}-json").rglob("*.tf.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            assert set(data) <= {"resource", "data", "variable", "locals", "module", "output"}


# -- the reader -----------------------------------------------------------------


def read(text: str) -> HclFile:
    return read_tf_json(text, "main.tf.json")


def at(hcl: HclFile, offset: int) -> tuple[int, int]:
    return hcl.source.position(offset)


def test_blocks_take_their_labels_from_the_keys() -> None:
    hcl = read(
        """{
  "//": "a comment",
  "resource": {
    "aws_s3_bucket": {"logs": {"bucket": "logs"}, "data": {"bucket": "data"}},
    "//": "another"
  },
  "provider": {"aws": [{"region": "us-east-1"}, {"alias": "west", "region": "us-west-2"}]},
  "locals": {"name": "x"}
}"""
    )
    assert hcl.problems == ()
    blocks = [(block.type, block.labels) for block in hcl.body.blocks]
    assert blocks == [
        ("resource", ("aws_s3_bucket", "logs")),
        ("resource", ("aws_s3_bucket", "data")),
        ("provider", ("aws",)),
        ("provider", ("aws",)),
        ("locals", ()),
    ]
    logs = hcl.body.blocks[0]
    # The header is the resource's name, where a missing argument is reported.
    assert hcl.source.text[logs.start : logs.header_end] == '"logs"'
    assert "alias" in hcl.body.blocks[3].body.attributes


def test_an_argument_spans_its_key_and_value_and_elements_keep_their_lines() -> None:
    hcl = read(
        '{"resource": {"aws_security_group": {"g": {\n  "cidr_blocks": [\n    "10.0.0.0/8",\n    "0.0.0.0/0"\n  ]\n}}}}'
    )
    attribute = hcl.body.blocks[0].body.attributes["cidr_blocks"]
    assert at(hcl, attribute.start) == (2, 3)
    assert type(attribute.expr) is TupleExpr
    second = attribute.expr.items[1]
    assert type(second) is Literal and second.value == "0.0.0.0/0"
    assert at(hcl, second.start) == (4, 5)


def test_strings_are_templates_with_interpolations_in_place() -> None:
    hcl = read('{"locals": {\n  "bucket": "${var.env}-logs",\n  "plain": "a $${literal}"\n}}')
    bucket = hcl.body.blocks[0].body.attributes["bucket"].expr
    assert type(bucket) is Template
    interpolation = bucket.parts[0]
    assert type(interpolation) is Interpolation and type(interpolation.expr) is GetAttr
    assert at(hcl, interpolation.expr.start) == (2, 16)  # `var.env` itself
    plain = hcl.body.blocks[0].body.attributes["plain"].expr
    assert type(plain) is Literal and plain.value == "a ${literal}"


def test_a_string_with_escapes_is_placed_as_a_whole() -> None:
    text = '{"locals": {"x": "\\"${var.a}\\""}}'
    hcl = read(text)
    expr = hcl.body.blocks[0].body.attributes["x"].expr
    assert type(expr) is Template
    interpolation = expr.parts[1]
    assert type(interpolation) is Interpolation
    string_start = text.index('"\\"')
    assert (interpolation.expr.start, interpolation.expr.end) == (string_start, len(text) - 2)


def test_expression_strings_and_literal_values_where_terraform_has_them() -> None:
    hcl = read(
        """{
  "variable": {"cidrs": {"type": "list(string)", "default": ["${not.a.template}"]}},
  "resource": {"aws_instance": {"web": {
    "provider": "aws.west",
    "depends_on": ["aws_iam_role.app", "${aws_iam_role.other}"],
    "ami": "ami-12345678"
  }}}
}"""
    )
    assert hcl.problems == ()
    variable, resource = hcl.body.blocks
    constraint = variable.body.attributes["type"].expr
    assert type(constraint) is Call and constraint.name == "list"
    default = variable.body.attributes["default"].expr
    assert type(default) is TupleExpr
    assert [item.value for item in default.items if type(item) is Literal] == ["${not.a.template}"]
    provider = resource.body.attributes["provider"].expr
    assert type(provider) is GetAttr and provider.name == "west"
    depends_on = resource.body.attributes["depends_on"].expr
    assert type(depends_on) is TupleExpr
    assert [type(item) for item in depends_on.items] == [GetAttr, GetAttr]


def test_objects_are_blocks_except_maps() -> None:
    hcl = read(
        """{"resource": {"aws_instance": {"web": {
  "root_block_device": {"encrypted": false},
  "ebs_block_device": [{"device_name": "/dev/sdf"}, {"device_name": "/dev/sdg"}],
  "tags": {"team": "web"},
  "volume_tags": {"Name": "web"},
  "dynamic": {"network_interface": {"for_each": "${var.nics}", "iterator": "nic",
    "content": {"device_index": "${nic.key}"}}}
}}}}"""
    )
    body = hcl.body.blocks[0].body
    assert [block.type for block in body.blocks] == [
        "root_block_device",
        "ebs_block_device",
        "ebs_block_device",
        "dynamic",
    ]
    assert type(body.attributes["tags"].expr) is ObjectExpr  # a map the provider takes
    assert type(body.attributes["volume_tags"].expr) is ObjectExpr  # keys no argument has
    dynamic = body.blocks[3]
    assert dynamic.labels == ("network_interface",)
    assert type(dynamic.body.attributes["iterator"].expr) is Variable
    assert [block.type for block in dynamic.body.blocks] == ["content"]


def test_text_that_is_not_json_is_a_located_error() -> None:
    with pytest.raises(ParseError) as caught:
        read('{\n  "resource": {\n    "aws_s3_bucket": {"b": {"bucket": "x",}}\n  }\n}\n')
    assert (caught.value.line, caught.value.column) == (3, 43)
    with pytest.raises(ParseError) as caught:
        read("[1]")
    assert (caught.value.line, caught.value.column) == (1, 1)


def test_json_that_breaks_the_syntax_is_a_located_error_and_the_rest_is_read() -> None:
    hcl = read(
        """{
  "resourc": {},
  "resource": {"aws_s3_bucket": {"a": [1], "b": {"bucket": "b"}}},
  "locals": {"x": 1, "x": 2}
}"""
    )
    errors = [(d.level.value, d.line) for d in hcl.problems]
    assert errors == [("error", 2), ("error", 3), ("error", 4)]
    assert [block.labels for block in hcl.body.blocks if block.type == "resource"] == [
        ("aws_s3_bucket", "b")
    ]


# -- in a run ---------------------------------------------------------------------


def test_a_module_may_mix_both_syntaxes(tmp_path: Path, catalogue: list[Policy]) -> None:
    write(tmp_path, "main.tf", 'resource "aws_security_group" "web" {\n  name = "web"\n}\n')
    write(
        tmp_path,
        "rules.tf.json",
        """{
  "resource": {
    "aws_security_group_rule": {
      "ssh": {
        "type": "ingress",
        "security_group_id": "${aws_security_group.web.id}",
        "from_port": 22,
        "to_port": 22,
        "protocol": "tcp",
        "cidr_blocks": ["${var.admin_cidr}"]
      }
    }
  }
}
""",
    )
    write(tmp_path, "variables.tf", 'variable "admin_cidr" {\n  default = "10.0.0.0/8"\n}\n')
    write(tmp_path, "terraform.tfvars.json", '{"admin_cidr": "0.0.0.0/0"}\n')
    result = lint_directory(tmp_path, catalogue)
    assert result.diagnostics == []
    ssh = [f for f in result.findings if f.policy_id == "IAC001"]
    assert [(f.resource, Path(f.span.file).name, f.span.line) for f in ssh] == [
        ("aws_security_group_rule.ssh", "rules.tf.json", 10)
    ]
    assert "terraform.tfvars.json" in ssh[0].message
    assert result.files_linted == 3


def test_the_command_line_lints_a_directory_of_tf_json_alone(tmp_path: Path) -> None:
    write(tmp_path, "infra/main.tf.json", OPEN_SSH_JSON)
    ran = subprocess.run(
        [sys.executable, "-m", "iaclint", "--color", "never", "--no-cache", "infra"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert ran.returncode == 1, ran.stdout + ran.stderr
    first = ran.stdout.splitlines()[0]
    assert first.startswith("infra/main.tf.json:11:")
    assert "IAC001" in first and "[aws_security_group.ssh]" in first
    assert "skipped" not in ran.stdout


def test_a_broken_tf_json_file_is_an_error_and_the_rest_is_linted(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "broken/main.tf.json", '{"resource": {"aws_s3_bucket": {"b": }}}\n')
    write(in_tmp, "open/main.tf.json", OPEN_SSH_JSON)
    assert main(["--color", "never", "--no-cache", "--format", "json", "."]) == 2
    report = json.loads(capsys.readouterr().out)
    assert [(e["file"], e["line"], e["column"]) for e in report["errors"]] == [
        ("broken/main.tf.json", 1, 38)
    ]
    assert [(f["policy_id"], f["file"], f["line"]) for f in report["findings"]] == [
        ("IAC001", "open/main.tf.json", 11)
    ]


def test_a_comment_property_suppresses_in_its_object(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(OPEN_SSH_JSON)
    group = data["resource"]["aws_security_group"]["ssh"]
    group["//"] = 'iaclint: ignore[IAC001] reason="bastion, reviewed"'
    write(in_tmp, "main.tf.json", json.dumps(data, indent=2))
    assert main(["--color", "never", "--no-cache", "."]) == 0
    assert "(suppressed: bastion, reviewed)" in capsys.readouterr().out
    group["//"] = "iaclint: ignore[IAC001]"  # no reason: an error, suppressing nothing
    write(in_tmp, "main.tf.json", json.dumps(data, indent=2))
    assert main(["--color", "never", "--no-cache", "."]) == 2
    out = capsys.readouterr().out
    assert "IAC001 high" in out and "suppressed" not in out


def test_an_override_file_is_named_as_not_merged(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "main.tf.json", OPEN_SSH_JSON)
    write(in_tmp, "main_override.tf.json", OPEN_SSH_JSON.replace("0.0.0.0/0", "10.0.0.0/8"))
    assert main(["--color", "never", "--no-cache", "."]) == 1
    out = capsys.readouterr().out
    assert "main_override.tf.json: notice: override files are not merged" in out


def test_damaged_json_is_refused_with_a_place_or_read() -> None:
    """Whatever is cut out of or repeated in a file: a located error, or a syntax tree."""
    import random

    text = (POLICY_FIXTURES / "IAC001" / "fail-json" / "main.tf.json").read_text(encoding="utf-8")
    chance = random.Random(7)
    unplaced: list[tuple[int | None, int | None]] = []
    for _ in range(300):
        start = chance.randrange(len(text))
        end = min(len(text), start + chance.randrange(1, 40))
        damaged = text[:start] + (text[start:end] * 2 if chance.random() < 0.5 else "") + text[end:]
        try:
            problems = [(p.line, p.column) for p in read(damaged).problems]
        except ParseError as exc:
            problems = [(exc.line, exc.column)]
        unplaced.extend(place for place in problems if None in place)
    assert unplaced == []


def test_blocks_nested_as_deep_as_json_may_go_are_read() -> None:
    """Up to the JSON reader's depth limit, nested blocks are read; past it, an error."""
    blocks = '{"resource": {"aws_x": {"y": ' + '{"b": ' * 190 + "{}" + "}" * 190 + "}}}"
    body = read(blocks).body.blocks[0].body
    depth = 0
    while body.blocks:
        body = body.blocks[0].body
        depth += 1
    assert depth == 190
    with pytest.raises(ParseError) as caught:
        read('{"resource": {"aws_x": {"y": ' + '{"b": ' * 400 + "1" + "}" * 400 + "}}}")
    assert caught.value.line == 1 and "nest" in caught.value.message


@pytest.mark.parametrize("output_format", FORMATS)
def test_no_report_prints_a_secret_written_in_json(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    """A variable's default, written with JSON escapes on the line of other findings."""
    write(
        in_tmp,
        "main.tf.json",
        '{"variable": {"db_password": {"default": "Sup3r\\"S3cret\\\\Pass&x"}},'
        ' "resource": {"aws_security_group": {"g": {"ingress": {"from_port": 22,'
        ' "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}}},'
        ' "aws_db_instance": {"db": {"engine": "mysql",'
        ' "password": "${var.db_password}"}}}}\n',
    )
    assert main(["--color", "never", "--no-cache", "--format", output_format, "."]) == 1
    out = capsys.readouterr().out
    assert "IAC001" in out
    for secret in ('Sup3r\\"S3cret\\\\Pass&x', 'Sup3r"S3cret\\Pass&x', "S3cret"):
        assert secret not in out, f"{secret!r} printed in the {output_format} report"

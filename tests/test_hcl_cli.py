"""Valid Terraform that iaclint once failed to read, through the command line.

Each file holds the construct and a security group open to SSH from anywhere:
the finding must be reported (exit 1), where it is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iaclint.cli import main


def group(cidr_blocks: str, description: str = '"ssh"') -> str:
    return (
        'resource "aws_security_group" "ssh" {\n'
        f"  description = {description}\n"
        "  ingress {\n"
        "    from_port   = 22\n"
        "    to_port     = 22\n"
        '    protocol    = "tcp"\n'
        f"    cidr_blocks = {cidr_blocks}\n"
        "  }\n"
        "}\n"
    )


def lint(root: Path, capsys: pytest.CaptureFixture[str], **files: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    for name, text in files.items():
        (root / name.replace("_", ".")).write_bytes(text.encode("utf-8"))
    code = main(["--format", "json", "."])
    return code, json.loads(capsys.readouterr().out)


def places(report: dict) -> list[tuple[str, str, int]]:  # type: ignore[type-arg]
    return [(f["policy_id"], f["file"], f["line"]) for f in report["findings"]]


@pytest.mark.parametrize(
    "heredoc",
    [
        "<<EOT\nopen to all\nEOT  \n",  # spaces after the closing marker
        "<<EOT\nopen to all\nEOT\t\n",  # a tab
        "<<-EOT\n    open to all\n  EOT \n",  # indented, and a space after it
    ],
)
def test_heredocs_closed_with_spaces_after_the_marker(
    heredoc: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = group('["0.0.0.0/0"]', description=heredoc.rstrip("\n"))
    code, report = lint(in_tmp, capsys, main_tf=text)
    assert (code, report["errors"]) == (1, [])
    assert places(report) == [("IAC001", "main.tf", 9)]


def test_a_crlf_file_with_a_heredoc(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = group('["0.0.0.0/0"]', description="<<EOT\nopen to all\nEOT").replace("\n", "\r\n")
    code, report = lint(in_tmp, capsys, main_tf=text)
    assert (code, report["errors"]) == (1, [])
    assert places(report) == [("IAC001", "main.tf", 9)]


@pytest.mark.parametrize(
    "cidr_blocks",
    ["flatten(var.rules[*].sources[*].cidr)", "flatten(var.rules[*].sources.*.cidr)"],
)
def test_chained_splats(cidr_blocks: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    variable = (
        'variable "rules" {\n'
        '  default = [{ sources = [{ cidr = "10.0.0.0/8" }, { cidr = "0.0.0.0/0" }] }]\n'
        "}\n"
    )
    code, report = lint(in_tmp, capsys, main_tf=variable + group(cidr_blocks))
    assert (code, report["errors"]) == (1, [])
    assert places(report) == [("IAC001", "main.tf", 10)]
    assert "default of variable rules" in report["findings"][0]["message"]


def test_a_heredoc_at_the_end_of_a_var_file_is_an_error_and_still_read(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Terraform rejects such a file (no newline after the closing marker).
    variable = 'variable "description" {}\n'
    code, report = lint(
        in_tmp,
        capsys,
        main_tf=variable + group('["0.0.0.0/0"]', "var.description"),
        terraform_tfvars="description = <<EOT\nopen\nEOT",
    )
    assert code == 2
    assert [(e["file"], e["line"], e["level"]) for e in report["errors"]] == [
        ("terraform.tfvars", 3, "error")
    ]
    assert places(report) == [("IAC001", "main.tf", 8)]


def test_a_one_line_block_broken_over_lines_is_an_error_and_still_read(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = group('["0.0.0.0/0"]') + 'locals { name = "b"\n}\n'
    code, report = lint(in_tmp, capsys, main_tf=text)
    assert code == 2
    assert [(e["file"], e["line"], e["column"]) for e in report["errors"]] == [("main.tf", 10, 20)]
    assert places(report) == [("IAC001", "main.tf", 7)]

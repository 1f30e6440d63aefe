"""The command line on Terraform: modules, plans, --var-file and its configuration key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iaclint.cli import main
from iaclint.config import ConfigError, load_config

OPEN_SSH = """\
variable "cidr" {
  default = "10.0.0.0/8"
}

resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}
"""


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_var_file_changes_the_verdict(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "infra/main.tf", OPEN_SSH)
    write(in_tmp, "prod.tfvars", 'cidr = "0.0.0.0/0"\n')
    assert main(["infra"]) == 0
    capsys.readouterr()
    assert main(["--color", "never", "--var-file", "prod.tfvars", "infra"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "infra/main.tf:10:20: IAC001 high 22 open to the whole internet from 0.0.0.0/0 "
        "(from prod.tfvars) [aws_security_group.ssh]"
    )
    assert out[1] == "       10 |     cidr_blocks = [var.cidr]"


def test_var_files_from_the_configuration(in_tmp: Path) -> None:
    write(in_tmp, "infra/main.tf", OPEN_SSH)
    write(in_tmp, "env/prod.tfvars", 'cidr = "0.0.0.0/0"\n')
    write(in_tmp, ".iaclint.toml", 'terraform-var-files = ["env/prod.tfvars"]\n')
    assert main(["infra"]) == 1


def test_configuration_key_is_checked(tmp_path: Path) -> None:
    path = write(tmp_path, ".iaclint.toml", 'terraform-var-files = "prod.tfvars"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.message == "'terraform-var-files': must be a list of strings"
    good = write(tmp_path, "pyproject.toml", '[tool.iaclint]\nterraform-var-files = ["a.tfvars"]\n')
    assert load_config(good).var_files == (tmp_path / "a.tfvars",)


def test_missing_var_file_is_an_error(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "main.tf", OPEN_SSH)
    assert main(["--var-file", "nope.tfvars", "."]) == 2
    assert "nope.tfvars: error: var file not found" in capsys.readouterr().out


def test_json_report_of_a_terraform_finding(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "main.tf", OPEN_SSH.replace("10.0.0.0/8", "0.0.0.0/0"))
    assert main(["--format", "json"]) == 1
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert {
        key: finding[key]
        for key in ("file", "line", "column", "resource", "resource_type", "attribute")
    } == {
        "file": "main.tf",
        "line": 10,
        "column": 20,
        "resource": "aws_security_group.ssh",
        "resource_type": "aws_security_group",
        "attribute": "ingress[0].cidr_blocks[0]",
    }
    assert (
        finding["message"]
        == "22 open to the whole internet from 0.0.0.0/0 (default of variable cidr)"
    )


def test_a_broken_module_is_reported_after_the_others(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "a/main.tf", 'resource "aws_instance" "x" {\n  ami = "x"\n')
    write(in_tmp, "b/main.tf", OPEN_SSH.replace("10.0.0.0/8", "0.0.0.0/0"))
    assert main(["--format", "json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert [f["file"] for f in report["findings"]] == ["b/main.tf"]
    assert [(e["file"], e["line"]) for e in report["errors"]] == [("a/main.tf", 3)]


def test_a_plan_and_its_configuration_report_each_finding_once(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture = Path(__file__).resolve().parent.parent / "fixtures/policies/IAC001/fail-plan-config"
    for source in fixture.iterdir():
        write(in_tmp, source.name, source.read_text(encoding="utf-8"))
    assert main(["--format", "json", "--select", "IAC001"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["line"], f["resource"]) for f in findings] == [
        (17, "aws_security_group.admin"),
        (35, "aws_security_group_rule.rdp[0]"),
        (35, "aws_security_group_rule.rdp[1]"),
        (43, "aws_network_acl_rule.all"),
    ]

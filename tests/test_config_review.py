"""Configuration keys for the review features, through the command line (the CLI wins)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from iaclint.cli import main

from .test_cli import OPEN_DB, OPEN_SSH, write


def test_baseline_from_the_configuration(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "infra/ssh.yaml", OPEN_SSH)
    write(in_tmp, "ci/.keep", "")
    assert main(["--write-baseline", "ci/baseline.json", "infra"]) == 0
    write(in_tmp, "infra/db.yaml", OPEN_DB)
    capsys.readouterr()
    # Paths in the configuration are relative to its file.
    write(in_tmp, ".iaclint.toml", 'baseline = "ci/baseline.json"\n')
    assert main(["--format", "sarif", "infra"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert [r["ruleId"] for r in document["runs"][0]["results"]] == ["IAC002"]
    # The command line wins.
    assert main(["--format", "json", "--baseline", "none.json", "infra"]) == 2
    errors = json.loads(capsys.readouterr().out)["errors"]
    assert [(e["file"], e["message"][:24]) for e in errors] == [
        ("none.json", "cannot read the baseline")
    ]


def test_diff_base_and_show_all_on_the_command_line(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    subprocess.run(["git", "init", "-q", str(in_tmp)], check=True)
    write(in_tmp, "ssh.yaml", OPEN_SSH)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A"], cwd=in_tmp, check=True
    )
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
        cwd=in_tmp,
        check=True,
    )
    write(in_tmp, ".iaclint.toml", 'severity-threshold = "low"\n')
    assert main(["--diff-base", "HEAD", "ssh.yaml"]) == 0
    capsys.readouterr()
    assert main(["--diff-base", "HEAD", "--show-all", "ssh.yaml"]) == 1
    assert "(already at the merge base)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("toml", "error"),
    [
        ('format = "xml"\n', ".iaclint.toml:1: error: `format` belongs on the command line"),
        ("baseline = 3\n", ".iaclint.toml:1: error: 'baseline': must be a non-empty string"),
        ('\n\ndiff-base = ""\n', ".iaclint.toml:3: error: `diff-base` belongs on the command"),
        ('show-all = "yes"\n', ".iaclint.toml:1: error: `show-all` belongs on the command line"),
        ("diffbase = 1\n", ".iaclint.toml:1: error: 'diffbase': unknown key"),
    ],
)
def test_wrong_types_and_unknown_keys_are_named(
    toml: str, error: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, ".iaclint.toml", toml)
    write(in_tmp, "ssh.yaml", OPEN_SSH)
    assert main(["ssh.yaml"]) == 2
    assert capsys.readouterr().err.startswith(error)


def test_pyproject_section(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "pyproject.toml", '[tool.iaclint]\nseverity-threshold = "critical"\n')
    write(in_tmp, "ssh.yaml", OPEN_SSH)
    assert main(["--format", "github", "ssh.yaml"]) == 0  # below the section's threshold
    assert capsys.readouterr().out.startswith("::warning file=ssh.yaml,line=11,")

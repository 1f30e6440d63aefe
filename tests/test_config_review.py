"""Configuration keys for the review features, through the command line (the CLI wins)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from iaclint.cli import main

from .test_cli import OPEN_DB, OPEN_SSH, write


def test_format_and_baseline_from_the_configuration(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "infra/ssh.yaml", OPEN_SSH)
    write(in_tmp, "ci/.keep", "")
    assert main(["--write-baseline", "ci/baseline.json", "infra"]) == 0
    write(in_tmp, "infra/db.yaml", OPEN_DB)
    capsys.readouterr()
    # Paths in the configuration are relative to its file.
    write(in_tmp, ".iaclint.toml", 'format = "sarif"\nbaseline = "ci/baseline.json"\n')
    assert main(["infra"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert [r["ruleId"] for r in document["runs"][0]["results"]] == ["IAC002"]
    # The command line wins.
    assert main(["--format", "json", "infra"]) == 1
    assert [f["policy_id"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["IAC002"]


def test_diff_base_and_show_all_from_the_configuration(
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
    write(in_tmp, ".iaclint.toml", 'diff-base = "HEAD"\n')
    assert main(["ssh.yaml"]) == 0
    capsys.readouterr()
    assert main(["--show-all", "ssh.yaml"]) == 1  # the config's diff base, the CLI's show-all
    assert "(already at the merge base)" in capsys.readouterr().out
    write(in_tmp, ".iaclint.toml", 'diff-base = "HEAD"\nshow-all = true\n')
    assert main(["ssh.yaml"]) == 1


@pytest.mark.parametrize(
    ("toml", "error"),
    [
        (
            'format = "xml"\n',
            ".iaclint.toml:1: error: 'format': must be one of: text, json, sarif, github, rdjson",
        ),
        ("baseline = 3\n", ".iaclint.toml:1: error: 'baseline': must be a non-empty string"),
        ('\n\ndiff-base = ""\n', ".iaclint.toml:3: error: 'diff-base': must be a non-empty string"),
        ('show-all = "yes"\n', ".iaclint.toml:1: error: 'show-all': must be true or false"),
        ("diffbase = 1\n", ".iaclint.toml:1: error: 'diffbase': unknown key"),
    ],
)
def test_wrong_types_and_unknown_keys_are_named(
    toml: str, error: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, ".iaclint.toml", toml)
    write(in_tmp, "ssh.yaml", OPEN_SSH)
    assert main(["ssh.yaml"]) == 2
    assert capsys.readouterr().err.startswith(f"{in_tmp.resolve() / error}")


def test_pyproject_section(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "pyproject.toml", '[tool.iaclint]\nformat = "github"\n')
    write(in_tmp, "ssh.yaml", OPEN_SSH)
    assert main(["ssh.yaml"]) == 1
    assert capsys.readouterr().out.startswith("::error file=ssh.yaml,line=11,")

"""`--hook` against a full run: whatever one file of a change does (edited or deleted), every
finding it creates, as two full runs (before and after) tell, is reported by the hook run
on that file alone. A real git repository, since deletions come from git."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iaclint.cli import main

from .terraform_project import CHANGES, PROJECT, SG, commit_all, git
from .test_cli import OPEN_SSH, write


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
    commit_all(in_tmp, "before")
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
    commit_all(in_tmp, "examples")
    git(in_tmp, "rm", "-q", "examples/extra.tf")
    assert main(["--no-cache", "--hook"]) == 1  # the deletion brings its module in
    capsys.readouterr()
    assert main(["--no-cache", "--hook", "--exclude", "examples/*"]) == 0
    assert "examples/main.tf" not in capsys.readouterr().out

"""`--diff-base REF` / `--show-all` through the command line, in real temporary git repos:
the findings new since the merge base of REF and HEAD."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from iaclint.cli import main

from .terraform_project import CHANGES, PROJECT, SG, commit_all, git
from .test_cli import CLEAN, OPEN_DB, OPEN_SSH, write

# A template long enough for git to see a rename when a resource is appended.
BASE = (
    CLEAN
    + "".join(CLEAN.split("Resources:\n", 1)[1].replace("Group:", f"Quiet{n}:") for n in range(3))
    + OPEN_SSH.split("Resources:\n", 1)[1].replace("Group:", "Open:")
)
APPENDED = OPEN_SSH.split("Resources:\n", 1)[1].replace("Group:", "Added:")


@pytest.fixture
def repo(in_tmp: Path) -> Path:
    git(in_tmp, "init", "-q", "-b", "main")
    write(in_tmp, "infra/old.yaml", BASE)
    write(in_tmp, "infra/db.yaml", OPEN_DB)
    commit_all(in_tmp, "base")
    # The change: old.yaml renamed and a resource appended; a new file not yet added.
    git(in_tmp, "mv", "infra/old.yaml", "infra/renamed.yaml")
    (in_tmp / "infra/renamed.yaml").write_text(BASE + APPENDED, encoding="utf-8")
    write(in_tmp, "infra/new.yaml", OPEN_SSH)
    return in_tmp


def findings(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[tuple[str, int, str, bool]]]:
    code = main(["--format", "json", *argv])
    report = json.loads(capsys.readouterr().out)
    assert [e for e in report["errors"] if e["level"] == "error"] == []
    return code, [
        (f["file"], f["line"], f["resource"], f["outside_diff"]) for f in report["findings"]
    ]


def line_of(text: str, resource: str) -> int:
    lines = text.splitlines()
    start = lines.index(f"  {resource}:")
    return next(n for n in range(start, len(lines)) if "CidrIp" in lines[n]) + 1


def test_new_findings_from_a_subdirectory_renames_followed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.chdir(repo / "infra")
    code, seen = findings(["--diff-base", "main", "."], capsys)
    assert code == 1
    added = line_of(BASE + APPENDED, "Added")
    # The renamed file's old finding was there before, under its old name.
    assert seen == [("new.yaml", 11, "Group", False), ("renamed.yaml", added, "Added", False)]


def test_show_all_reports_and_counts_the_rest_marked(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, seen = findings(["--diff-base", "HEAD", "--show-all", "infra"], capsys)
    assert code == 1
    assert seen == [
        ("infra/db.yaml", 11, "Group", True),
        ("infra/new.yaml", 11, "Group", False),
        ("infra/renamed.yaml", line_of(BASE, "Open"), "Open", True),
        ("infra/renamed.yaml", line_of(BASE + APPENDED, "Added"), "Added", False),
    ]
    main(["--diff-base", "HEAD", "--show-all", "infra"])
    text = capsys.readouterr().out
    assert "infra/db.yaml:11:11: IAC002 medium" in text
    assert "(already at the merge base)" in text


def test_touching_an_old_finding_does_not_make_it_new(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit_all(repo, "change")
    assert findings(["--diff-base", "HEAD", "."], capsys) == (0, [])
    path = repo / "infra/db.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text("# moved down\n" + text.replace("0.0.0.0/0", "0.0.0.0/0 "), encoding="utf-8")
    assert findings(["--diff-base", "HEAD", "."], capsys) == (0, [])


def test_a_change_far_from_the_finding_is_still_the_changes(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(in_tmp, "init", "-q", "-b", "main")
    write(in_tmp, "network/main.tf", SG)
    write(in_tmp, "network/variables.tf", 'variable "admin_cidr" {\n  default = "10.0.0.0/8"\n}\n')
    commit_all(in_tmp, "base")
    git(in_tmp, "checkout", "-q", "-b", "change")
    write(in_tmp, "network/variables.tf", 'variable "admin_cidr" {\n  default = "0.0.0.0/0"\n}\n')
    git(in_tmp, "commit", "-q", "-am", "open the default")
    # Only variables.tf changed; the finding is in main.tf, on a line nobody touched.
    code, seen = findings(["--diff-base", "main"], capsys)
    assert (code, seen) == (1, [("network/main.tf", 6, "aws_security_group.admin", False)])


def test_a_fix_made_on_the_base_branch_is_not_the_changes_finding(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(in_tmp, "init", "-q", "-b", "main")
    write(in_tmp, "stack.yaml", OPEN_SSH)
    commit_all(in_tmp, "base")
    git(in_tmp, "checkout", "-q", "-b", "change")
    write(in_tmp, "other.yaml", CLEAN)
    commit_all(in_tmp, "the change")
    git(in_tmp, "checkout", "-q", "main")
    write(in_tmp, "stack.yaml", CLEAN)  # fixed on main after the branch left it
    git(in_tmp, "commit", "-q", "-am", "fix")
    git(in_tmp, "checkout", "-q", "change")
    assert findings(["--diff-base", "main"], capsys) == (0, [])


def test_the_work_tree_index_and_repository_are_left_as_they_were(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def state() -> tuple[str, bytes, list[str]]:
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=repo,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return status, (repo / ".git/index").read_bytes(), sorted(os.listdir(repo / ".git"))

    before = state()
    findings(["--diff-base", "main", "."], capsys)
    assert state() == before


def test_a_shallow_clone_is_told_to_fetch_the_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    write(origin, "stack.yaml", CLEAN)
    commit_all(origin, "base")
    git(origin, "checkout", "-q", "-b", "change")
    write(origin, "new.yaml", OPEN_SSH)
    commit_all(origin, "change")
    git(origin, "checkout", "-q", "main")
    write(origin, "later.yaml", CLEAN)
    commit_all(origin, "main moves on")
    # As actions/checkout does by default: one commit of the change, main fetched shallow.
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "change", origin.as_uri(), "clone")
    clone = tmp_path / "clone"
    git(clone, "fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main")
    os.chdir(clone)
    assert main(["--color", "never", "--diff-base", "origin/main"]) == 2
    out = capsys.readouterr().out
    assert "--diff-base: error: the merge base of 'origin/main' and HEAD is not in this " in out
    assert "fetch-depth: 0" in out
    assert "new.yaml:11:11: IAC001 high" in out  # every finding still reported
    # Fetching the history makes it work.
    git(clone, "fetch", "-q", "--unshallow", "origin", "main:refs/remotes/origin/main")
    code, seen = findings(["--diff-base", "origin/main"], capsys)
    assert (code, seen) == (1, [("new.yaml", 11, "Group", False)])


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("no-such-ref", "'no-such-ref' is not a commit this repository knows"),
        ("--output=x", "cannot compare with '--output=x': '--output=x' is not a git revision"),
    ],
)
def test_a_bad_ref_is_an_error(
    ref: str, message: str, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([f"--diff-base={ref}", "."]) == 2
    out = capsys.readouterr().out
    assert f"--diff-base: error: {message}" in out
    assert not (repo / "x").exists()


def test_outside_a_repository(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "stack.yaml", OPEN_SSH)
    assert main(["--diff-base", "HEAD", "."]) == 2
    assert "--diff-base: error: needs a git repository (none found here)" in capsys.readouterr().out


def test_show_all_needs_a_diff_base(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--show-all", "."]) == 2
    assert "--show-all needs --diff-base" in capsys.readouterr().err


@pytest.mark.parametrize("change", CHANGES)
def test_diff_base_agrees_with_two_full_runs(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], change: str
) -> None:
    """What --diff-base calls new is what a full run finds now and a full run of the
    merge base did not (by fingerprint); with --show-all, every finding of a full run."""

    def full() -> dict[str, tuple[str, int, str, bool]]:
        main(["--no-cache", "--format", "json", "."])
        report = json.loads(capsys.readouterr().out)
        return {
            f["fingerprint"]: (f["file"], f["line"], f["resource"], False)
            for f in report["findings"]
        }

    for name, text in PROJECT.items():
        write(in_tmp, name, text)
    git(in_tmp, "init", "-q", "-b", "main")
    commit_all(in_tmp, "base")
    before = full()
    name, text = CHANGES[change]
    if text is None:
        git(in_tmp, "rm", "-q", name)
    else:
        write(in_tmp, name, text)
    after = full()
    new = sorted(after[key] for key in after.keys() - before.keys())
    assert new, "the change is meant to create a finding"
    code, seen = findings(["--no-cache", "--diff-base", "main", "."], capsys)
    assert (code, seen) == (1, new)
    code, everything = findings(["--no-cache", "--diff-base", "main", "--show-all", "."], capsys)
    assert sorted((*item[:3], False) for item in everything) == sorted(after.values())

"""`--diff-base REF` / `--show-all` through the command line, in real temporary git repos."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from iaclint.cli import main

from .test_cli import CLEAN, OPEN_DB, OPEN_SSH, write

# A template long enough for git to see a rename when a resource is appended.
BASE = (
    CLEAN
    + "".join(CLEAN.split("Resources:\n", 1)[1].replace("Group:", f"Quiet{n}:") for n in range(3))
    + OPEN_SSH.split("Resources:\n", 1)[1].replace("Group:", "Open:")
)
APPENDED = OPEN_SSH.split("Resources:\n", 1)[1].replace("Group:", "Added:")


def git(repo: Path, *arguments: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *arguments],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(in_tmp: Path) -> Path:
    git(in_tmp, "init", "-q", "-b", "main")
    write(in_tmp, "infra/old.yaml", BASE)
    write(in_tmp, "infra/db.yaml", OPEN_DB)
    git(in_tmp, "add", "-A")
    git(in_tmp, "commit", "-q", "-m", "base")
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


def test_only_changed_lines_and_new_files_from_a_subdirectory(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.chdir(repo / "infra")
    code, seen = findings(["--diff-base", "main", "."], capsys)
    assert code == 1
    added = line_of(BASE + APPENDED, "Added")
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
    assert "(outside the changed lines)" in text


def test_nothing_changed_is_clean(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change")
    code, seen = findings(["--diff-base", "HEAD", "."], capsys)
    assert (code, seen) == (0, [])
    # Editing the offending line itself brings its finding back; another line does not.
    path = repo / "infra/db.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("GroupDescription: ssh", "GroupDescription: db"), encoding="utf-8")
    assert findings(["--diff-base", "HEAD", "."], capsys) == (0, [])
    path.write_text(text.replace("CidrIp: 0.0.0.0/0", "CidrIp: 0.0.0.0/0 "), encoding="utf-8")
    code, seen = findings(["--diff-base", "HEAD", "."], capsys)
    assert (code, seen) == (1, [("infra/db.yaml", 11, "Group", False)])


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("no-such-ref", "cannot compare with 'no-such-ref'"),
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

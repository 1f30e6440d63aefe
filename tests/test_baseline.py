"""Baselines through the command line: record today's findings, report only new ones."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from iaclint.cli import main

from .test_cli import OPEN_DB, OPEN_SSH, write


def test_write_then_report_only_new_findings(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "ssh.yaml", OPEN_SSH)
    write(in_tmp, "db.yaml", OPEN_DB)
    assert main(["--write-baseline", "baseline.json", "."]) == 0
    out = capsys.readouterr().out
    assert "baseline.json: notice: baseline: 2 known findings not shown" in out
    document = json.loads((in_tmp / "baseline.json").read_text(encoding="utf-8"))
    assert [(e["file"], e["policy_id"], e["resource"]) for e in document["findings"]] == [
        ("db.yaml", "IAC002", "Group"),
        ("ssh.yaml", "IAC001", "Group"),
    ]
    # Lines move in a baselined file and a new file appears: only the new finding shows.
    write(in_tmp, "ssh.yaml", "# moved down\n\n" + OPEN_SSH)
    write(in_tmp, "new.yaml", OPEN_SSH)
    assert main(["--format", "json", "--baseline", "baseline.json", "."]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(f["file"], f["policy_id"]) for f in report["findings"]] == [("new.yaml", "IAC001")]
    assert [e["message"] for e in report["errors"]] == ["baseline: 2 known findings not shown"]


def test_gone_entries_are_counted(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "ssh.yaml", OPEN_SSH)
    write(in_tmp, "db.yaml", OPEN_DB)
    main(["--write-baseline", "baseline.json", "."])
    capsys.readouterr()
    (in_tmp / "db.yaml").write_text(OPEN_DB.replace("0.0.0.0/0", "10.0.0.0/8"), encoding="utf-8")
    assert main(["--baseline", "baseline.json", "."]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (
        "baseline.json: notice: baseline: 1 known finding not shown; 1 baseline entry no "
        "longer matches a finding (fixed or renamed): rewrite the file with --write-baseline"
    ) in lines


def test_baseline_matches_from_a_subdirectory(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    subprocess.run(["git", "init", "-q", str(in_tmp)], check=True)
    write(in_tmp, "infra/ssh.yaml", OPEN_SSH)
    assert main(["--write-baseline", "baseline.json", "infra"]) == 0
    capsys.readouterr()
    os.chdir(in_tmp / "infra")
    assert main(["--baseline", "../baseline.json", "."]) == 0
    assert "1 known finding not shown" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("{not json", "baseline.json:1: error: bad baseline: not JSON: Expecting property name"),
        (
            "[]",
            'baseline.json: error: bad baseline: not an iaclint baseline (expected "iaclint-baseline": 1)',
        ),
        (None, "baseline.json: error: cannot read the baseline: No such file or directory"),
    ],
)
def test_a_bad_baseline_is_an_error(
    content: str | None, error: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "ssh.yaml", OPEN_SSH)
    if content is not None:
        write(in_tmp, "baseline.json", content)
    assert main(["--baseline", "baseline.json", "ssh.yaml"]) == 2
    out = capsys.readouterr().out
    assert any(line.startswith(error) for line in out.splitlines()), out
    assert "ssh.yaml:11:11: IAC001 high" in out  # nothing hidden

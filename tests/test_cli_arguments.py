"""Options may come before, after or among the paths: hooks and CI steps add their own
options on either side of the files they name, and the run must be the same."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from iaclint.cli import _parser, main, parse_arguments

OPEN = """\
Resources:
  Open:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
"""
UNENCRYPTED = """\
Resources:
  Topic:
    Type: AWS::SNS::Topic
"""

# Every option, written as a user would: the option and its value (if it takes one).
OPTIONS: dict[str, list[str]] = {
    "--format": ["--format", "json"],
    "-f": ["-f", "sarif:out.sarif", "-f", "text"],
    "--output": ["-o", "report.txt"],
    "--sarif-category": ["-f", "sarif", "--sarif-category", "infra"],
    "--sarif-include-suppressed": ["-f", "sarif", "--sarif-include-suppressed"],
    "--quiet": ["-q"],
    "--exit-zero": ["--exit-zero"],
    "--exit-zero-on-error": ["--exit-zero-on-error"],
    "--severity-threshold": ["--severity-threshold", "high"],
    "--select": ["--select", "network", "--select", "IAC024"],
    "--ignore": ["--ignore", "IAC001"],
    "--policies": ["--policies", "extra"],
    "--exclude": ["--exclude", "b.yaml"],
    "--var-file": ["--var-file", "prod.tfvars"],
    "--config": ["--config", "strict.toml"],
    "--show-unknown": ["--show-unknown"],
    "--list-policies": ["--list-policies", "--format", "json"],
    "--color": ["--color", "always"],
    "--no-cache": ["--no-cache"],
    "--jobs": ["-j", "1"],
    "--baseline": ["--baseline", "base.json"],
    "--write-baseline": ["--write-baseline", "new-base.json"],
    "--diff-base": ["--diff-base", "HEAD"],
    "--show-all": ["--diff-base", "HEAD", "--show-all"],
    "--hook": ["--hook"],
}


def test_every_option_of_the_command_line_is_checked() -> None:
    options = {
        action.option_strings[-1]  # the long name
        for action in _parser()._actions
        if action.option_strings and action.dest not in {"help", "version"}
    }
    assert options == set(OPTIONS) - {"-f"}


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_an_option_reads_the_same_before_after_and_among_the_paths(name: str) -> None:
    option = OPTIONS[name]
    first = parse_arguments([*option, "a.yaml", "b.yaml"])
    assert parse_arguments(["a.yaml", "b.yaml", *option]) == first
    assert parse_arguments(["a.yaml", *option, "b.yaml"]) == first
    assert first.paths == ["a.yaml", "b.yaml"]


def test_words_after_a_double_dash_are_paths() -> None:
    args = parse_arguments(["-q", "a.yaml", "--", "-odd.yaml", "--exit-zero"])
    assert args.paths == ["a.yaml", "-odd.yaml", "--exit-zero"]
    assert args.quiet and not args.exit_zero


def _run(
    folder: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str, dict[str, str]]:
    """The exit code, stdout, stderr and the files a run wrote (by name)."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        code = main(argv)
    finally:
        os.chdir(before)
    captured = capsys.readouterr()
    written = {}
    for name in ("out.sarif", "report.txt"):
        path = folder / name
        if path.exists():
            written[name] = path.read_text(encoding="utf-8")
            path.unlink()
    return code, captured.out, captured.err, written


RUNS = [
    ["--format", "json"],
    ["-f", "sarif:out.sarif", "-f", "text"],
    ["-o", "report.txt", "--format", "json"],
    ["--select", "network", "-q"],
    ["--severity-threshold", "high", "--exit-zero"],
    ["--exclude", "b.yaml", "--ignore", "IAC001"],
    ["--show-unknown", "--color", "always"],
]


@pytest.mark.parametrize("options", RUNS, ids=[" ".join(run) for run in RUNS])
def test_a_run_is_the_same_whatever_the_place_of_its_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str]
) -> None:
    (tmp_path / "a.yaml").write_text(OPEN, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(UNENCRYPTED, encoding="utf-8")
    common = ["--no-cache", "-j", "1"]
    first = _run(tmp_path, [*common, *options, "a.yaml", "b.yaml"], capsys)
    assert first[0] in (0, 1) and "error" not in first[2]
    assert _run(tmp_path, [*common, "a.yaml", "b.yaml", *options], capsys) == first
    assert _run(tmp_path, ["a.yaml", *options, "b.yaml", *common], capsys) == first


def test_the_installed_entry_point_takes_options_after_the_paths(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(OPEN, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(UNENCRYPTED, encoding="utf-8")

    def run(*argv: str) -> tuple[int, str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "iaclint", *argv],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.returncode, done.stdout, done.stderr

    first = run("--no-cache", "--format", "json", "-f", "text:out.txt", "a.yaml", "b.yaml")
    assert first[0] == 1 and '"IAC001"' in first[1]
    report = (tmp_path / "out.txt").read_text(encoding="utf-8")
    (tmp_path / "out.txt").unlink()
    after = run("a.yaml", "--format", "json", "b.yaml", "-f", "text:out.txt", "--no-cache")
    assert after == first
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == report


def test_the_action_helper_takes_options_before_and_after_its_report(tmp_path: Path) -> None:
    sarif = tmp_path / "out.sarif"
    assert main(["--no-cache", "-f", f"sarif:{sarif}", str(tmp_path)]) == 0

    def run(*argv: str) -> tuple[int, str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "iaclint.github_action", *argv],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.returncode, done.stdout, done.stderr

    first = run("report", "--exit-code", "0", "--summary", "one.md", str(sarif))
    assert first[0] == 0, first
    after = run("report", str(sarif), "--summary", "two.md", "--exit-code", "0")
    assert after == first
    one = (tmp_path / "one.md").read_text(encoding="utf-8")
    assert one and (tmp_path / "two.md").read_text(encoding="utf-8") == one

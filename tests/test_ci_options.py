"""What CI users of other linters expect of the command line: soft-fail exit codes,
the colour variables, the policy list as JSON, exclusions however written, a
summary on stderr when the report goes to a file, SARIF named from the repository."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from iaclint.cli import main, use_colour

from .conftest import ROOT
from .test_cli import CLEAN, OPEN_DB, OPEN_SSH, write
from .test_sarif import validator

BROKEN = "AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n"


@pytest.mark.parametrize(
    ("files", "flags", "code"),
    [
        ({"a.yaml": OPEN_SSH}, [], 1),
        ({"a.yaml": OPEN_SSH}, ["--exit-zero"], 0),
        ({"a.yaml": OPEN_SSH}, ["--exit-zero-on-error"], 0),
        ({"a.yaml": OPEN_SSH, "b.yaml": BROKEN}, [], 2),
        ({"a.yaml": OPEN_SSH, "b.yaml": BROKEN}, ["--exit-zero"], 2),
        ({"a.yaml": OPEN_SSH, "b.yaml": BROKEN}, ["--exit-zero-on-error"], 0),
        ({"a.yaml": CLEAN, "b.yaml": BROKEN}, ["--exit-zero-on-error"], 0),
        ({"a.yaml": CLEAN}, ["--exit-zero"], 0),
    ],
)
def test_soft_fail_exit_codes(
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    flags: list[str],
    code: int,
) -> None:
    for name, text in files.items():
        write(in_tmp, name, text)
    assert main(["--no-cache", "--color", "never", *flags]) == code
    out = capsys.readouterr().out
    # Soft failing changes the exit code, never what is reported.
    assert ("IAC001 high" in out) is (files["a.yaml"] == OPEN_SSH)
    assert ("b.yaml:3:1: error:" in out) is ("b.yaml" in files)


def test_usage_and_configuration_errors_still_exit_2(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "a.yaml", OPEN_SSH)
    write(in_tmp, ".iaclint.toml", "select = ['IAC9999']\n")
    assert main(["--no-cache", "--exit-zero-on-error"]) == 2
    assert "IAC9999" in capsys.readouterr().err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("choice", "environ", "terminal", "colour"),
    [
        ("auto", {}, True, True),
        ("auto", {}, False, False),
        ("auto", {"NO_COLOR": "1"}, True, False),
        ("auto", {"NO_COLOR": ""}, True, True),  # empty counts as unset
        ("auto", {"FORCE_COLOR": "1"}, False, True),
        ("auto", {"FORCE_COLOR": ""}, False, False),
        ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),
        ("auto", {"TERM": "dumb"}, True, False),
        ("auto", {"TERM": "dumb", "FORCE_COLOR": "1"}, True, True),
        ("always", {"NO_COLOR": "1", "TERM": "dumb"}, False, True),
        ("never", {"FORCE_COLOR": "1"}, True, False),
    ],
)
def test_colour_variables(
    choice: str, environ: dict[str, str], terminal: bool, colour: bool
) -> None:
    stream = Terminal() if terminal else io.StringIO()
    assert use_colour(choice, stream, environ) is colour


def run(argv: list[str], cwd: Path, **environ: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    env.update(environ, IACLINT_NO_CACHE="1")
    return subprocess.run(
        [sys.executable, "-m", "iaclint", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_force_color_and_no_color_through_the_command(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", OPEN_SSH)
    forced = run(["a.yaml"], tmp_path, FORCE_COLOR="1")
    assert forced.returncode == 1
    assert "\033[1;31mhigh\033[0m" in forced.stdout
    both = run(["a.yaml"], tmp_path, FORCE_COLOR="1", NO_COLOR="1")
    assert "\033[" not in both.stdout and "IAC001 high" in both.stdout
    # To a file, the report stays plain whatever the variables say.
    run(["-o", "out.txt", "a.yaml"], tmp_path, FORCE_COLOR="1")
    assert "\033[" not in (tmp_path / "out.txt").read_text(encoding="utf-8")


def test_list_policies_as_json(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "custom/own.yaml", CUSTOM_POLICY)
    assert main(["--list-policies", "--format", "json", "--policies", "custom"]) == 0
    document = json.loads(capsys.readouterr().out)
    policies = {entry["id"]: entry for entry in document["policies"]}
    assert list(policies) == sorted(policies)
    ssh = policies["IAC001"]
    assert (ssh["severity"], ssh["category"], ssh["enabled"]) == ("high", "network", True)
    assert ssh["title"] and ssh["description"] and ssh["remediation"] and ssh["references"]
    assert ssh["frameworks"] == ["cloudformation", "cdk", "terraform", "terraform-plan"]
    tags = policies["IAC062"]
    assert (tags["enabled"], tags["parameters"]) == (False, ["required_tags"])
    own = policies["ORG001"]
    assert (own["frameworks"], own["category"], own["help_uri"]) == (
        ["terraform", "terraform-plan"],
        "org.compute",
        None,
    )


CUSTOM_POLICY = """\
id: ORG001
title: Lambda function on a deprecated runtime
severity: low
category: org.compute
message: "runtime {value} is deprecated"
check:
  targets:
    - type: aws_lambda_function
      each: $.runtime
  when: {op: one_of, values: [python3.8]}
"""


def test_list_policies_refuses_a_report_format(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--list-policies", "--format", "sarif"]) == 2
    assert "--list-policies prints text or json, not sarif" in capsys.readouterr().err


@pytest.mark.parametrize(
    "pattern",
    ["examples", "examples/", "./examples", "./examples/", "examples/*", "exam*", "**/examples"],
)
@pytest.mark.parametrize("given", [".", "./", "ABSOLUTE"])
def test_exclusions_however_written(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], pattern: str, given: str
) -> None:
    write(in_tmp, "examples/a.yaml", OPEN_SSH)
    write(in_tmp, "examples/deep/b.yaml", OPEN_SSH)
    write(in_tmp, "stacks/c.yaml", OPEN_DB)
    path = str(in_tmp) if given == "ABSOLUTE" else given
    assert main(["--no-cache", "--format", "json", "--exclude", pattern, path]) == 1
    files = [Path(f["file"]).name for f in json.loads(capsys.readouterr().out)["findings"]]
    assert files == ["c.yaml"]


def test_a_path_pattern_matches_from_the_current_directory_only(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "stacks/test/a.yaml", OPEN_SSH)
    write(in_tmp, "other/stacks/test/b.yaml", OPEN_SSH)
    assert main(["--no-cache", "--format", "json", "--exclude", "./stacks/test/"]) == 1
    files = [f["file"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert files == ["other/stacks/test/b.yaml"]


def test_configured_exclusions_are_read_from_the_configuration_folder(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, ".iaclint.toml", 'exclude = ["infra/examples/"]\n')
    write(in_tmp, "infra/examples/a.yaml", OPEN_SSH)
    write(in_tmp, "infra/stacks/b.yaml", OPEN_SSH)
    os.chdir(in_tmp / "infra")
    assert main(["--no-cache", "--format", "json"]) == 1
    files = [f["file"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert files == ["stacks/b.yaml"]


def test_a_report_to_a_file_says_so_on_stderr(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "a.yaml", OPEN_SSH)
    write(in_tmp, "b.yaml", OPEN_DB)
    assert main(["--no-cache", "--format", "sarif", "-o", "out.sarif"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "iaclint: 2 findings (1 high, 1 medium; 2 at or above low) in 2 files; "
        "2 templates linted. Report written to out.sarif.\n"
    )
    assert json.loads((in_tmp / "out.sarif").read_text(encoding="utf-8"))["runs"]
    assert main(["--no-cache", "--quiet", "-o", "out.txt"]) == 1
    assert capsys.readouterr().err == ""
    assert main(["--no-cache"]) == 1
    assert capsys.readouterr().err == ""  # the report itself says it on stdout


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.parametrize("start", ["repo", "repo/infra", "repo/infra/stacks", "outside"])
def test_sarif_names_files_from_the_repository_root_wherever_it_runs(
    tmp_path: Path, start: str
) -> None:
    repo = tmp_path / "repo"
    write(repo, "infra/stacks/web.yaml", OPEN_SSH)
    git("init", "-q", cwd=repo)
    target = {
        "repo": "infra",
        "repo/infra": ".",
        "repo/infra/stacks": "web.yaml",
        "outside": "repo/infra",
    }[start]
    cwd = tmp_path if start == "outside" else tmp_path / start
    done = run(["--format", "sarif", target], cwd)
    assert done.returncode == 1, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    assert list(validator().iter_errors(document)) == []
    (sarif_run,) = document["runs"]
    assert sarif_run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.resolve().as_uri() + "/"}}
    (result,) = sarif_run["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "infra/stacks/web.yaml", "uriBaseId": "%SRCROOT%"}


def test_help_names_the_new_options() -> None:
    done = run(["--help"], ROOT)
    for option in ("--exit-zero", "--exit-zero-on-error", "--quiet", "FORCE_COLOR"):
        assert option in done.stdout


def on_a_terminal(argv: list[str], cwd: Path, **environ: str) -> str:
    """What the command prints with a (pseudo-)terminal as its standard output."""
    import pty

    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    env.update(environ, IACLINT_NO_CACHE="1")
    try:
        subprocess.run(
            [sys.executable, "-m", "iaclint", *argv],
            cwd=cwd,
            env=env,
            stdout=follower,
            stderr=subprocess.DEVNULL,
            timeout=120,
            check=False,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is gone once its output is read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    return b"".join(chunks).decode("utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals")
def test_a_terminal_gets_colour_unless_term_is_dumb(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", OPEN_SSH)
    assert "\033[1;31mhigh\033[0m" in on_a_terminal(["a.yaml"], tmp_path, TERM="xterm")
    plain = on_a_terminal(["a.yaml"], tmp_path, TERM="dumb")
    assert "IAC001 high" in plain and "\033[" not in plain

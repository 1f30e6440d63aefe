"""Mistakes in the options and the configuration stop the run before any file is read
(exit 2), each located (file:line in the configuration, or the option), because a typo
there would silently weaken the gate. Through the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from iaclint.cli import main

from .test_cli import OPEN_DB, OPEN_SSH, write

# A file the run would report as unreadable: its absence from the output shows that
# nothing was linted.
BROKEN = "Resources: [\n"


def stopped(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The errors of a run that must stop before linting."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no report: nothing was linted
    assert "Traceback" not in captured.err
    return captured.err.splitlines()


@pytest.mark.parametrize(
    ("toml", "error"),
    [
        (
            'select = ["network"]\nignore = [\n  "IAC001",\n  "IAC0200",\n]\n',
            "4: error: unknown policy id or category 'IAC0200' in ignore (did you mean IAC020?)",
        ),
        (
            'ignore = ["iac020"]\n',
            "1: error: unknown policy id or category 'iac020' in ignore (did you mean IAC020?)",
        ),
        (
            '# ours\nselect = ["encription", "IAC001"]\n',
            "2: error: unknown policy id or category 'encription' in select "
            "(did you mean encryption?)",
        ),
        (
            'severity-threshold = "low"\n\n[severity]\nIAC001 = "high"\nIAC0020 = "low"\n',
            "5: error: unknown policy id 'IAC0020' in [severity] (did you mean IAC020?)",
        ),
        (
            '[severity]\nnetwork = "low"\n',
            "2: error: 'network' is a category in [severity]: name policy ids "
            "(iaclint --list-policies)",
        ),
        (
            "severity = { IAC001 = 'low', IAC999 = 'low' }\n",
            "1: error: unknown policy id 'IAC999' in [severity]",
        ),
        (
            "[parameters.IAC0002]\nallowed_ports = [443]\n",
            "1: error: unknown policy id 'IAC0002' in [parameters] (did you mean IAC002?)",
        ),
        (
            "[parameters.IAC002]\n# web\nallowed_ports = 443\n",
            "3: error: parameter 'allowed_ports' of policy IAC002 must be list[int], got 443",
        ),
        (
            '[parameters.IAC062]\nrequired_tags = "team"\n',
            "2: error: parameter 'required_tags' of policy IAC062 must be list[str], got 'team'",
        ),
        (
            "[parameters.IAC002]\nallowed_port = [443]\n",
            "2: error: policy IAC002 has no parameter 'allowed_port' (parameters: admin_ports, "
            "allowed_ports)",
        ),
    ],
)
def test_semantic_configuration_errors_stop_the_run_at_their_line(
    toml: str, error: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, ".iaclint.toml", toml)
    write(in_tmp, "ssh.yaml", OPEN_SSH)
    write(in_tmp, "broken.yaml", BROKEN)
    assert stopped([], capsys) == [f".iaclint.toml:{error}"]


def test_every_mistake_is_reported_at_once(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        in_tmp,
        "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.iaclint]\nignore = ["IAC0200"]\n'
        '[tool.iaclint.severity]\nIAC0001 = "low"\n',
    )
    write(in_tmp, "ssh.yaml", OPEN_SSH)
    where = "pyproject.toml"
    assert stopped(["--select", "IAC001,netwrk"], capsys) == [
        f"{where}:5: error: unknown policy id or category 'IAC0200' in tool.iaclint.ignore "
        "(did you mean IAC020?)",
        f"{where}:7: error: unknown policy id 'IAC0001' in [tool.iaclint.severity] "
        "(did you mean IAC001?)",
        "--select: error: unknown policy id or category 'netwrk' (did you mean network?)",
    ]


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_an_unknown_id_on_the_command_line_stops_the_run(
    option: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "ssh.yaml", OPEN_SSH)
    write(in_tmp, "broken.yaml", BROKEN)
    assert stopped([option, "IAC001", option, "IAC0200"], capsys) == [
        f"{option}: error: unknown policy id or category 'IAC0200' (did you mean IAC020?)"
    ]
    assert stopped([option, "iac001"], capsys) == [
        f"{option}: error: unknown policy id or category 'iac001' (did you mean IAC001?)"
    ]


@pytest.mark.parametrize(
    ("toml", "line", "key", "option", "why"),
    [
        ('format = "sarif"\n', 1, "format", "--format", "80 KB of SARIF"),
        ('\noutput = "report.txt"\n', 2, "output", "--output", "instead of showing it"),
        ('diff-base = "HEAD"\n', 1, "diff-base", "--diff-base", "closes every open alert"),
        ("show-all = true\n", 1, "show-all", "--show-all", "with --diff-base"),
    ],
)
def test_what_a_report_is_belongs_on_the_command_line(
    toml: str,
    line: int,
    key: str,
    option: str,
    why: str,
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write(in_tmp, ".iaclint.toml", toml)
    write(in_tmp, "ssh.yaml", OPEN_SSH)
    assert stopped(["--hook", "ssh.yaml"], capsys) == stopped([], capsys)
    (error,) = stopped([], capsys)
    assert error.startswith(
        f".iaclint.toml:{line}: error: `{key}` belongs on the command "
        f"line ({option}), not in the configuration: the configuration applies to every run"
    )
    assert why in error


def test_a_diff_base_in_the_configuration_never_empties_a_sarif_report(tmp_path: Path) -> None:
    """Before, `diff-base = "HEAD"` in the file gave an empty SARIF and exit 0: uploaded,
    GitHub closes every alert."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path, "ssh.yaml", OPEN_SSH)
    write(tmp_path, "pyproject.toml", '[tool.iaclint]\ndiff-base = "HEAD"\n')
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=tmp_path, check=True)
    run = subprocess.run(
        [sys.executable, "-m", "iaclint", "--format", "sarif", "--output", "out.sarif", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert run.stderr.startswith("pyproject.toml:2: error: `diff-base` belongs on the command line")
    assert not (tmp_path / "out.sarif").exists()


def test_deeply_nested_configuration_is_a_located_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, ".iaclint.toml", 'select = ["IAC001"]\n\nx = ' + "[" * 5000 + "]" * 5000 + "\n")
    assert stopped([], capsys) == [".iaclint.toml:3: error: values nested deeper than 64 levels"]
    write(in_tmp, ".iaclint.toml", "[parameters.IAC002]\nallowed_ports = " + "[" * 70 + "]" * 70)
    assert stopped([], capsys) == [".iaclint.toml:2: error: values nested deeper than 64 levels"]


def test_malformed_configuration_at_its_end_is_located(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, ".iaclint.toml", 'select = ["IAC001"]\nignore = [\n  "IAC002",\n')
    (error,) = stopped([], capsys)
    assert error.startswith(".iaclint.toml:3: error: invalid TOML:")


def test_a_valid_configuration_works_as_before(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "ssh.yaml", OPEN_SSH + "  I: {Type: AWS::EC2::Instance}\n")
    write(in_tmp, "db.yaml", OPEN_DB.replace("Group:", "Db:"))
    write(
        in_tmp,
        "pyproject.toml",
        "[tool.iaclint]\n"
        'select = [\n  "network",  # every network policy\n  "IAC003",\n]\n'
        'ignore = ["IAC004"]\n'
        "[tool.iaclint.severity]\n"
        'IAC001 = "critical"\n'
        "[tool.iaclint.parameters.IAC002]\n"
        "allowed_ports = [443, 5432]\n",
    )
    assert main(["--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(f["policy_id"], f["severity"], f["file"]) for f in report["findings"]] == [
        ("IAC001", "critical", "ssh.yaml"),
        ("IAC003", "high", "ssh.yaml"),
    ]
    assert [e["message"] for e in report["errors"] if e["level"] == "error"] == []
    # The same through the command line alone.
    (in_tmp / "pyproject.toml").unlink()
    assert main(["--format", "json", "--select", "network,IAC003", "--ignore", "IAC004"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(f["policy_id"], f["file"]) for f in report["findings"]] == [
        ("IAC002", "db.yaml"),
        ("IAC001", "ssh.yaml"),
        ("IAC003", "ssh.yaml"),
    ]


def test_a_number_too_long_for_python_is_a_located_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, ".iaclint.toml", 'select = ["IAC001"]\n\nx = ' + "9" * 5000 + "\n")
    write(in_tmp, "ssh.yaml", OPEN_SSH)
    assert stopped([], capsys) == [
        ".iaclint.toml:3: error: a number too long to read (over 4,300 digits)"
    ]


def test_a_configuration_too_large_to_be_one_is_not_read(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (in_tmp / "pyproject.toml").open("wb") as stream:
        stream.truncate(2 * 1024**3)  # sparse: no disk used, but a read would take 2 GB
    write(in_tmp, "ssh.yaml", OPEN_SSH)
    assert stopped([], capsys) == [
        "pyproject.toml: error: 2,147,483,648 bytes is over the 1,048,576-byte limit: not read"
    ]

"""What a pull request writes cannot take over the terminal or the CI log that shows
iaclint's report: no escape sequence reaches the output, and no line of it starts with
`::` (a GitHub Actions workflow command), whatever the file names, resource names,
values and configuration contain. The finding beside each is still reported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from iaclint.cli import main

from .test_cli import OPEN_SSH, write

# A logical id with a line break, a forged annotation, a mask request and a
# terminal escape that would clear the screen (YAML's double-quoted escapes).
FORGED_ID = r'"Group\n::error file=README.md,line=1::forged\n::add-mask::x\e[2J\u202e"'


def assert_inert(text: str) -> None:
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), line
    assert "\x1b" not in text
    assert "\u202e" not in text


@pytest.mark.skipif(sys.platform == "win32", reason="':' is not allowed in Windows file names")
@pytest.mark.parametrize("format_name", ["text", "github"])
def test_a_file_name_cannot_start_a_workflow_command(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], format_name: str
) -> None:
    write(in_tmp, "::warning file=a,line=1::forged.yaml", OPEN_SSH)
    assert main(["--no-cache", "--format", format_name]) == 1
    out = capsys.readouterr().out
    if format_name == "text":
        assert_inert(out)
        assert out.startswith("./::warning file=a,line=1::forged.yaml:11:11: IAC001 high")
    else:  # iaclint's own commands, with the name escaped as the runner requires
        assert out.startswith("::error file=%3A%3Awarning file=a%2Cline=1%3A%3Aforged.yaml,")
        assert not any(line.startswith("::warning") for line in out.splitlines())


def test_a_resource_name_cannot_break_the_line_or_the_terminal(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "stack.yaml", OPEN_SSH.replace("  Group:", f"  {FORGED_ID}:"))
    # The terminal's own colours stay; only the file's escapes are disarmed.
    assert main(["--no-cache", "--color", "always"]) == 1
    out = capsys.readouterr().out
    for line in out.splitlines():
        assert not line.lstrip().startswith("::"), line
    assert "\x1b[2J" not in out and "\u202e" not in out
    assert r"[Group\n::error file=README.md,line=1::forged\n::add-mask::x\x1b[2J\u202e]" in out


def test_a_reader_error_about_a_control_character_is_printed_inert(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "bad.yaml", OPEN_SSH.replace("CidrIp: 0.0.0.0/0", "CidrIp: \x1b[2J0.0.0.0/0"))
    write(in_tmp, "good.yaml", OPEN_SSH)
    assert main(["--no-cache"]) == 2
    out = capsys.readouterr().out
    assert_inert(out)
    assert "good.yaml:11:11: IAC001 high" in out
    assert "bad.yaml:11:19: error: invalid YAML: character U+001B is not allowed" in out


def test_the_configuration_cannot_forge_a_command_through_an_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "stack.yaml", OPEN_SSH)
    write(in_tmp, ".iaclint.toml", 'ignore = ["IAC001\\n::error::forged\\u001b[2J"]\n')
    assert main(["--no-cache"]) == 2
    captured = capsys.readouterr()
    assert_inert(captured.out + captured.err)
    assert ".iaclint.toml:1: error:" in captured.err


def test_a_name_that_is_not_utf8_is_printed_escaped(tmp_path: Path) -> None:
    """Bytes of a file name that are not UTF-8 neither crash the report nor reach it raw."""
    if sys.platform == "darwin":
        pytest.skip("the file system refuses names that are not UTF-8")
    name = b"stack-\xff.yaml"
    (tmp_path / name.decode("utf-8", "surrogateescape")).write_text(OPEN_SSH, encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "iaclint", "--no-cache", "."],
        cwd=tmp_path,
        capture_output=True,
        env={"PYTHONIOENCODING": "utf-8", "PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == 1, completed.stderr
    out = completed.stdout.decode("utf-8")
    assert out.startswith("stack-\\udcff.yaml:11:11: IAC001 high"), out

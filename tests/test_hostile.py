"""Hostile input is bounded: alias bombs, deep nesting and oversized files finish or are
refused with a clear error, and never take the other files of the run down. Time and
memory are measured by benchmarks/hostile.py, never here."""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from iaclint.cli import main

from .conftest import ROOT


def generators() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hostile", ROOT / "benchmarks" / "hostile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOSTILE = generators()

CASES: list[tuple[str, Callable[[Path], Path], int, str | re.Pattern[str]]] = [
    (
        "alias bomb",
        HOSTILE.alias_bomb,
        2,
        "bomb.yaml:1:1: error: stopped resolving the template: it needs more than 200,000 "
        "values resolved",
    ),
    ("deep JSON", HOSTILE.deep_json, 2, "deep.json:1:307: error: invalid JSON: nesting deeper"),
    # Our reader or libyaml (6.0.4 has a depth limit of its own) stops first: either way a
    # located error, never a crash; the wording is not ours to assert.
    ("deep YAML", HOSTILE.deep_yaml, 2, re.compile(r"^deep\.yaml:6:\d+: error: ", re.MULTILINE)),
    (
        "deep HCL",
        HOSTILE.deep_hcl,
        1,
        "main.tf:2:108: warning: cannot read the value of 'x' (expression nested deeper than "
        "100 levels)",
    ),
    (
        "oversized template",
        HOSTILE.template_of(2.5),
        2,
        "big-2.5mb.yaml: error: 2.5 MB is over the 2 MB limit (CloudFormation itself accepts "
        "templates of up to 1 MB): not linted",
    ),
    ("long line", HOSTILE.long_line, 1, "No errors"),
]


@pytest.mark.parametrize(("label", "make", "code", "message"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input_is_bounded_and_the_rest_is_linted(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    label: str,
    make: Callable[[Path], Path],
    code: int,
    message: str | re.Pattern[str],
) -> None:
    (tmp_path / "good.yaml").write_text(HOSTILE.GOOD, encoding="utf-8")
    hostile = make(tmp_path)
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        exit_code = main(["--no-cache", "--color", "never", hostile.name, "good.yaml"])
    finally:
        os.chdir(before)
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert exit_code == code
    assert "good.yaml:7:55: IAC001 high 22 open to the whole internet" in output
    assert "Traceback" not in output and "a defect in iaclint" not in output
    if isinstance(message, re.Pattern):
        assert message.search(output), output
    elif message != "No errors":
        assert message in output
    else:
        assert ": error: " not in output

"""scripts/lint_pass_fixtures.py, the repository's own pre-commit hook on pass fixtures."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from .conftest import FIXTURES, ROOT


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "lint_pass_fixtures", ROOT / "scripts" / "lint_pass_fixtures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hooked_files() -> list[str]:
    """The files the iaclint-fixtures hook of .pre-commit-config.yaml is given."""
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (hook,) = [
        h for repo in config["repos"] for h in repo["hooks"] if h["id"] == "iaclint-fixtures"
    ]
    pattern = re.compile(hook["files"])
    files = (p.relative_to(ROOT).as_posix() for p in FIXTURES.rglob("*") if p.is_file())
    return sorted(f for f in files if pattern.search(f))


def test_every_pass_fixture_is_clean_for_its_policy(capsys: pytest.CaptureFixture[str]) -> None:
    files = hooked_files()
    assert any(f.endswith(".tf") for f in files) and any(f.endswith(".plan.json") for f in files)
    assert all("/pass" in f for f in files)
    assert script().main([str(ROOT / f) for f in files]) == 0


def test_a_finding_of_the_folders_policy_fails(capsys: pytest.CaptureFixture[str]) -> None:
    fail = FIXTURES / "policies" / "IAC001" / "fail-inline.yaml"
    assert script().main([str(fail)]) == 1
    assert "IAC001 high" in capsys.readouterr().out


def test_a_file_outside_the_fixtures_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert script().main([str(tmp_path / "x.yaml")]) == 2
    assert "not under fixtures/policies/<ID>/" in capsys.readouterr().err

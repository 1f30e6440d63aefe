from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from iaclint.discover import Candidate
from iaclint.engine.policy import Policy
from iaclint.file_work import FileResult, lint_file
from iaclint.run import Options, prepare

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The suite's runs keep their cache in a folder of their own, never the user's."""
    folder = tmp_path_factory.mktemp("cache")
    before = os.environ.get("IACLINT_CACHE_DIR")
    os.environ["IACLINT_CACHE_DIR"] = str(folder)
    try:
        yield folder
    finally:
        if before is None:
            del os.environ["IACLINT_CACHE_DIR"]
        else:
            os.environ["IACLINT_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def policies() -> list[Policy]:
    """The bundled policies a run uses when nothing is configured."""
    prepared = prepare(Options())
    assert prepared.diagnostics == prepared.errors == []
    return prepared.policies


@pytest.fixture(scope="session")
def catalogue() -> list[Policy]:
    """Every bundled policy; those off until configured, with their examples' parameters."""
    prepared = prepare(Options(), off_too=True)
    assert prepared.diagnostics == prepared.errors == []
    loaded = prepared.policies
    return [
        policy if policy.enabled else policy.configured(values=policy.example_parameters)
        for policy in loaded
    ]


def lint_text(
    tmp_path: Path, text: str, policies: list[Policy], name: str = "t.yaml"
) -> FileResult:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return lint_file(Candidate(path, name), policies)


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    """Run the test from inside tmp_path (the CLI reads the current directory)."""
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(before)

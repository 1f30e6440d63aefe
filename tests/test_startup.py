"""What a small run imports: only what the files at hand need (start-up is most of a
pre-commit run's time). Run in fresh interpreters, with compiled policies cached."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

# Modules a run must not import unless the files at hand need them.
WATCHED = (
    "yaml",
    "lark",
    "regex",
    "dataclasses",
    "inspect",
    "shutil",
    "tempfile",
    "multiprocessing",
    "concurrent.futures",
    "subprocess",
    "samtranslator",
)

PROBE = """\
import io, json, sys
sys.argv = ["iaclint", "--format", "json", *sys.argv[1:]]
sys.stdout = io.StringIO()
from iaclint import cli
code = cli.main()
sys.stdout = sys.__stdout__
print(json.dumps([code, sorted(name for name in {watched} if name in sys.modules)]))
"""


def imported(path: Path, cache: Path) -> list[str]:
    command = [sys.executable, "-c", PROBE.format(watched=WATCHED), str(path)]
    env = {"IACLINT_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"}
    for _ in range(2):  # the first run compiles and caches the policies
        # The second lints afresh, as a changed file is (results are not reused).
        shutil.rmtree(cache / "results", ignore_errors=True)
        done = subprocess.run(
            command, capture_output=True, text=True, cwd=ROOT, env=env, check=False
        )
        assert done.returncode == 0, done.stderr
    code, loaded = json.loads(done.stdout)
    assert code == 1  # the file's findings: linted, not merely read
    return list(loaded)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


def test_a_cloudformation_file_needs_only_the_yaml_reader(cache: Path) -> None:
    assert imported(ROOT / "benchmarks" / "workloads" / "small.yaml", cache) == ["yaml"]


def test_a_sam_file_needs_only_the_yaml_reader(cache: Path) -> None:
    # SAM is expanded by iaclint itself: AWS's translator is never imported.
    path = ROOT / "benchmarks" / "workloads" / "small-sam.yaml"
    assert imported(path, cache) == ["yaml"]


def test_a_terraform_file_needs_only_the_hcl_parser(cache: Path) -> None:
    # The grammar's tables are cached: Lark (and with it dataclasses, inspect,
    # logging, shutil and tempfile) is imported only when they are made.
    loaded = imported(ROOT / "benchmarks" / "workloads" / "small-tf" / "main.tf", cache)
    assert loaded == []

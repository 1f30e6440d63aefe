"""The user's cache directory: --no-cache writes nothing at all, wherever the cache would be.

Each run is a fresh interpreter with HOME, XDG_CACHE_HOME and IACLINT_CACHE_DIR pointing
at empty folders (or unset), on a project with CloudFormation templates and a Terraform
root module, in worker processes. Run with parse tables built as the package build
makes them, and as when the installed python-hcl2's grammar is not the one the
package's tables were built from (the run then makes them, and would keep them in
the cache).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from iaclint.parse.hcl import grammar

from .terraform_project import SG
from .test_cli import OPEN_SSH, write


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Parse tables as the package build makes them."""
    data = grammar.bundle(grammar.grammar_text())
    assert data is not None
    path = tmp_path_factory.mktemp("package") / "hcl2-tables.pickle"
    path.write_bytes(data)
    return path


PROBE = """\
import sys
from pathlib import Path
from iaclint.parse.hcl import grammar
grammar.BUNDLED = Path(sys.argv[1])
from iaclint import cli
sys.exit(cli.main(sys.argv[2:]))
"""

LOCATIONS = ("HOME", "XDG_CACHE_HOME", "IACLINT_CACHE_DIR")


def project(folder: Path) -> Path:
    for index in range(9):  # enough files for worker processes
        write(folder, f"stacks/stack{index}.yaml", OPEN_SSH)
    write(folder, "live/main.tf", SG)
    write(folder, "live/variables.tf", 'variable "admin_cidr" {\n  default = "0.0.0.0/0"\n}\n')
    return folder


def run(tmp_path: Path, tables: Path, set_up: tuple[str, ...], *arguments: str) -> dict[str, Path]:
    """Run iaclint with the cache's possible homes as empty folders; returns them."""
    homes = {name: tmp_path / name.lower() for name in LOCATIONS}
    environment = {"PATH": "/usr/bin:/bin"}
    for name in set_up:
        homes[name].mkdir(exist_ok=True)
        environment[name] = str(homes[name])
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tables), *arguments],
        cwd=project(tmp_path / "project"),
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr  # linted: the findings fail it
    assert "live/main.tf" in done.stdout and "stacks/stack8.yaml" in done.stdout
    return {name: homes[name] for name in set_up}


def everything_in(folders: dict[str, Path]) -> list[Path]:
    return sorted(path for folder in folders.values() for path in folder.rglob("*"))


def tables_for(kind: str, built: Path, tmp_path: Path) -> Path:
    return built if kind == "built" else tmp_path / "not-built" / "hcl2-tables.pickle"


@pytest.mark.parametrize("tables", ["built", "unbuilt"])
@pytest.mark.parametrize(
    "set_up", [LOCATIONS[:1], LOCATIONS[:2], LOCATIONS], ids=["home", "xdg", "iaclint"]
)
def test_no_cache_writes_nothing(
    tmp_path: Path, built: Path, tables: str, set_up: tuple[str, ...]
) -> None:
    bundled = tables_for(tables, built, tmp_path)
    homes = run(tmp_path, bundled, set_up, "--no-cache", "--jobs", "2", ".")
    assert everything_in(homes) == []


@pytest.mark.parametrize("tables", ["built", "unbuilt"])
def test_without_no_cache_the_cache_is_kept_where_the_environment_says(
    tmp_path: Path, built: Path, tables: str
) -> None:
    # What the test above would see if --no-cache were not honoured.
    homes = run(tmp_path, tables_for(tables, built, tmp_path), LOCATIONS[:2], "--jobs", "2", ".")
    assert list(homes["HOME"].rglob("*")) == []
    kept = {path.name for path in (homes["XDG_CACHE_HOME"] / "iaclint").iterdir()}
    assert {"policies", "results"} <= kept
    assert any(name.startswith("hcl2-tables-") for name in kept) == (tables == "unbuilt")

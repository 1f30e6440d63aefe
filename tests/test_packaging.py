from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from iaclint.parse.hcl import grammar

from .wheelhouse import build

ROOT = Path(__file__).resolve().parent.parent


def test_package_list_matches_the_tree() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(project["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "iaclint").rglob("__init__.py")
    }
    # The policy folders are data packages: no __init__.py, a package each all the same
    # (a folder left out is one setuptools warns it would drop).
    policy_folders = {
        ".".join(("iaclint.policies", *path.relative_to(ROOT / "policies").parts))
        for path in (ROOT / "policies").rglob("*")
        if path.is_dir() and path.name != "__pycache__"
    }
    assert listed == on_disk | {"iaclint.policies"} | policy_folders


def test_policy_data_patterns_cover_every_policy() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = project["tool"]["setuptools"]["package-data"]
    for path in (ROOT / "policies").rglob("*.yaml"):
        folder = path.parent.relative_to(ROOT / "policies").parts
        package = ".".join(("iaclint.policies", *folder))
        assert any(path.match(pattern) for pattern in package_data.get(package, [])), path


def lowest_constraints() -> ModuleType:
    path = ROOT / "scripts" / "lowest_constraints.py"
    spec = importlib.util.spec_from_file_location("lowest_constraints", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lowest_constraints_pin_each_lower_bound_and_nothing_else() -> None:
    pins = lowest_constraints().lowest_pins(
        [
            "PyYAML>=6.0",
            "jsonpath-ng>=1.16,<2",
            "pkg[extra] >= 2.1 ; python_version < '3.12'",
            "types-PyYAML",
            "capped<3",
        ]
    )
    assert pins == ["PyYAML==6.0", "jsonpath-ng==1.16", "pkg==2.1"]


def test_every_declared_dependency_with_a_bound_is_pinned_by_ci() -> None:
    module = lowest_constraints()
    declared = module.declared(ROOT / "pyproject.toml")
    pinned = {pin.split("==")[0] for pin in module.lowest_pins(declared)}
    bounded = {
        requirement.split(">=")[0].strip() for requirement in declared if ">=" in requirement
    }
    assert pinned == bounded
    assert {"PyYAML", "jsonpath-ng", "python-hcl2", "lark"} <= pinned


def imported_distributions() -> set[str]:
    """The third-party modules iaclint imports (at the top or lazily), by top name."""
    import ast

    names: set[str] = set()
    for path in (ROOT / "iaclint").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"iaclint", "__future__"}


# The distribution that provides each module iaclint imports.
DISTRIBUTIONS = {
    "yaml": "PyYAML",
    "jsonpath_ng": "jsonpath-ng",
    "hcl2": "python-hcl2",
    "lark": "lark",
    "re2": "google-re2",
}


def test_every_module_iaclint_imports_is_a_declared_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {
        lowest_constraints()._REQUIREMENT.match(requirement).group(1)
        for requirement in project["dependencies"]
    }
    imported = imported_distributions()
    assert imported <= set(DISTRIBUTIONS), imported - set(DISTRIBUTIONS)
    assert {DISTRIBUTIONS[name] for name in imported} <= declared


def source_tree(target: Path) -> Path:
    """The checkout's files as git sees them (tracked, or new and not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def test_a_wheel_built_offline_carries_the_parse_tables_and_every_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheels = tmp_path / "wheelhouse"
    build(wheels, ["python-hcl2"])  # the build requirements, and no index
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    environment.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheels))
    source = source_tree(tmp_path / "source")
    assert not (source / grammar.BUNDLED.relative_to(ROOT)).exists()
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(tmp_path), "."],
        cwd=source,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # setuptools has nothing to warn about (a deprecated field, a folder left out).
    assert "Warning" not in done.stdout + done.stderr
    (wheel,) = tmp_path.glob("iaclint-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        tables = archive.read(grammar.BUNDLED.relative_to(ROOT).as_posix())
    policies = {
        f"iaclint/policies/{path.relative_to(ROOT / 'policies').as_posix()}"
        for path in (ROOT / "policies").rglob("*.yaml")
    }
    assert policies <= names
    # Made from the grammar of the python-hcl2 installed here: a run uses them as they are.
    bundled = tmp_path / "hcl2-tables.pickle"
    bundled.write_bytes(tables)
    monkeypatch.setattr(grammar, "BUNDLED", bundled)
    found, problem = grammar.bundled_tables(grammar.grammar_text())
    assert found is not None, problem

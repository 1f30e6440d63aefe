from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def test_package_list_matches_the_tree() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(project["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "iaclint").rglob("__init__.py")
    }
    assert listed == on_disk | {"iaclint.policies"}


def test_policy_data_patterns_cover_every_policy() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["iaclint.policies"]
    depth = {
        len(path.relative_to(ROOT / "policies").parts)
        for path in (ROOT / "policies").rglob("*.yaml")
    }
    assert depth <= {pattern.count("/") + 1 for pattern in patterns}


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
    assert {"PyYAML", "jsonpath-ng", "python-hcl2"} <= pinned

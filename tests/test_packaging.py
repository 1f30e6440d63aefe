from __future__ import annotations

import tomllib
from pathlib import Path

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

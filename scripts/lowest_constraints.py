"""Print pip constraints that pin every declared dependency to its lowest allowed version.

CI installs the project twice: once with the newest releases of everything, once under
these constraints, so a release on either end that breaks iaclint is seen before a user
sees it. Only `>=` bounds are pinned; a dependency without one is left to pip.

    python scripts/lowest_constraints.py [pyproject.toml] > lowest.txt
    pip install -c lowest.txt '.[test]'
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

# name[extras] followed by its version specifiers, up to an environment marker.
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)")
_LOWER_BOUND = re.compile(r">=\s*([^\s,]+)")


def lowest_pins(requirements: list[str]) -> list[str]:
    """`name==version` for each requirement that declares a `>=` bound."""
    pins: list[str] = []
    for requirement in requirements:
        match = _REQUIREMENT.match(requirement)
        if match is None:
            raise ValueError(f"cannot read the requirement {requirement!r}")
        name, specifiers = match.groups()
        bound = _LOWER_BOUND.search(specifiers)
        if bound is not None:
            pins.append(f"{name}=={bound.group(1)}")
    return pins


def declared(pyproject: Path) -> list[str]:
    """The project's dependencies and every optional group's, as written."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    for group in project.get("optional-dependencies", {}).values():
        requirements.extend(group)
    return requirements


def main(argv: list[str]) -> int:
    pyproject = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "pyproject.toml"
    for pin in lowest_pins(declared(pyproject)):
        print(pin)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

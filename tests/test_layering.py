"""The pipeline's layering, enforced on every import in iaclint/ (including lazy ones).

Data flows one way: parse -> adapt -> graph -> engine -> filter -> report. Policies and the
engine never see a format's syntax; reporters never see resources.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "iaclint"

# `from iaclint import X`: the package's own constants (iaclint/__init__.py).
PACKAGE_CONSTANTS = frozenset({"iaclint.__version__", "iaclint.HOMEPAGE", "iaclint.POLICY_DOCS"})

# module prefix -> iaclint modules it may import (by prefix)
ALLOWED: dict[str, tuple[str, ...]] = {
    "iaclint.span": (),
    # Lines of keys in a TOML text, for the configuration's errors.
    "iaclint.toml_lines": (),
    "iaclint.diagnostics": (),
    "iaclint.findings": ("iaclint.span", "iaclint.diagnostics"),
    "iaclint.cache": (),
    # Worker slots shared by the processes of a pre-commit run.
    "iaclint.slots": (),
    # The cycle collector's settings, for the readers and the run's processes.
    "iaclint.collector": (),
    "iaclint.parse": (
        "iaclint.parse",
        "iaclint.span",
        "iaclint.diagnostics",
        "iaclint.cache",
        "iaclint.collector",
    ),
    "iaclint.graph": ("iaclint.graph", "iaclint.span"),
    "iaclint.adapt": (
        "iaclint.adapt",
        "iaclint.parse",
        "iaclint.graph",
        "iaclint.span",
        "iaclint.diagnostics",
    ),
    "iaclint.engine": (
        "iaclint.engine",
        "iaclint.graph",
        "iaclint.findings",
        "iaclint.span",
        "iaclint.diagnostics",
    ),
    # Suppressions, baselines and changed lines: findings in, findings out.
    "iaclint.filter": (
        "iaclint.filter",
        "iaclint.findings",
        "iaclint.diagnostics",
        "iaclint.span",
        "iaclint.__init__",
    ),
    "iaclint.report": (
        "iaclint.report",
        "iaclint.findings",
        "iaclint.diagnostics",
        "iaclint.span",
        "iaclint.__init__",
    ),
    # The results cache: keys from policies, values kept as they are.
    "iaclint.memo": ("iaclint.cache", "iaclint.engine", "iaclint.parse", "iaclint.__init__"),
    "iaclint.catalog": (
        "iaclint.engine",
        "iaclint.parse",
        "iaclint.diagnostics",
        "iaclint.catalog",
        "iaclint.cache",
        "iaclint.__init__",
    ),
}


def module_name(path: Path, package: Path) -> str:
    return ".".join(path.relative_to(package.parent).with_suffix("").parts)


def imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return [(line, name) for line, name in found if name.startswith("iaclint")]


def rule_for(module: str) -> tuple[str, ...] | None:
    for prefix, allowed in ALLOWED.items():
        if module == prefix or module.startswith(prefix + "."):
            return allowed
    return None


def violations(package: Path) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        module = module_name(path, package)
        allowed = rule_for(module)
        if allowed is None:
            continue  # orchestration (cli, run, config, discover) may use every stage
        for line, name in imports(path):
            target = "iaclint.__init__" if name in PACKAGE_CONSTANTS else name
            if not any(target == p or target.startswith(p + ".") for p in allowed):
                found.append(f"{path.relative_to(package.parent)}:{line}: {module} imports {name}")
    return found


def test_layers() -> None:
    assert violations(PACKAGE) == []


def test_every_module_is_placed() -> None:
    orchestration = {
        "iaclint",
        "iaclint.__main__",
        "iaclint.cli",
        "iaclint.run",
        "iaclint.file_work",
        "iaclint.terraform_roots",
        "iaclint.merge_base",
        "iaclint.run_terraform",
        "iaclint.config",
        "iaclint.discover",
        "iaclint.review",
        "iaclint.schedule",
        # The GitHub Action's steps around a run: the configuration, then a report.
        "iaclint.github_action",
    }
    for path in PACKAGE.rglob("*.py"):
        module = module_name(path, PACKAGE).removesuffix(".__init__")
        assert module in orchestration or rule_for(module) is not None, f"{module} has no layer"


def test_a_planted_violation_is_caught(tmp_path: Path) -> None:
    engine = tmp_path / "iaclint" / "engine"
    engine.mkdir(parents=True)
    (engine / "bad.py").write_text(
        "def later():\n    from iaclint.parse.cloudformation import read_template\n",
        encoding="utf-8",
    )
    assert violations(tmp_path / "iaclint") == [
        "iaclint/engine/bad.py:2: iaclint.engine.bad imports iaclint.parse.cloudformation.read_template"
    ]

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "generate_docs", ROOT / "scripts" / "generate_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_docs_are_current() -> None:
    generator = load_generator()
    files = generator.generated()
    for name, render in files.items():
        path = ROOT / "docs" / name
        assert path.exists(), f"docs/{name} is missing: run python scripts/generate_docs.py"
        assert path.read_text(encoding="utf-8") == render(), (
            f"docs/{name} is out of date: run python scripts/generate_docs.py"
        )
    pages = {f"policies/{p.name}" for p in (ROOT / "docs" / "policies").glob("*.md")}
    assert pages <= set(files), f"pages for no policy: {sorted(pages - set(files))}"


def test_every_kind_and_operator_is_documented() -> None:
    generator = load_generator()
    from iaclint.engine.operators import OPERATORS
    from iaclint.graph.kinds import KINDS

    model = generator.model()
    operators = generator.operators()
    assert all(f"## `{kind}`" in model for kind in KINDS)
    assert all(f"## `{name}`" in operators for name in OPERATORS)


def test_policy_pages_have_every_section() -> None:
    generator = load_generator()
    for policy in generator.bundled_policies():
        page = generator.policy_page(policy)
        for section in (
            "## What it flags",
            "## Why",
            "## Example",
            "## How to fix",
            "## References",
        ):
            assert section in page, f"{policy.id} lacks {section}"

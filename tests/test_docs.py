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
    for name, render in generator.GENERATED.items():
        assert (ROOT / "docs" / name).read_text(encoding="utf-8") == render(), (
            f"docs/{name} is out of date: run python scripts/generate_docs.py"
        )


def test_every_kind_and_operator_is_documented() -> None:
    generator = load_generator()
    from iaclint.engine.operators import OPERATORS
    from iaclint.graph.kinds import KINDS

    model = generator.model()
    operators = generator.operators()
    assert all(f"## `{kind}`" in model for kind in KINDS)
    assert all(f"## `{name}`" in operators for name in OPERATORS)

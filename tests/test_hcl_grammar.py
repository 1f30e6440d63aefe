"""python-hcl2's grammar tables: cached where we choose, rebuilt when damaged or missing."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from iaclint.parse.hcl import grammar


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("IACLINT_CACHE_DIR", str(cache))
    grammar.hcl_parser.cache_clear()
    yield cache
    grammar.hcl_parser.cache_clear()


def test_the_tables_are_cached_in_a_private_directory(fresh: Path) -> None:
    parser = grammar.hcl_parser()
    assert parser.parse("x = 1\n").data == "start"
    (cached,) = fresh.glob("hcl2-grammar-*.lark")
    assert cached == grammar.cache_file(grammar.grammar_text())
    assert fresh.stat().st_mode & 0o777 == 0o700
    grammar.hcl_parser.cache_clear()
    assert grammar.hcl_parser().parse("y = 2\n").data == "start"  # loaded from the cache


def test_a_damaged_cache_is_rebuilt(fresh: Path) -> None:
    path = grammar.cache_file(grammar.grammar_text())
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    assert grammar.hcl_parser().parse("x = 1\n").data == "start"
    assert path.read_bytes() != b"not a pickle"


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="permissions")
def test_an_unwritable_cache_still_parses(fresh: Path) -> None:
    fresh.mkdir(mode=0o500)
    assert grammar.hcl_parser().parse("x = 1\n").data == "start"
    assert list(fresh.iterdir()) == []


def test_the_cache_directory_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IACLINT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert grammar.cache_directory() == Path("/somewhere/iaclint")


def test_a_cache_file_changed_after_it_was_written_is_rebuilt(fresh: Path) -> None:
    # The checksum covers the pickled parser: one flipped bit and it is not trusted.
    parser = grammar.hcl_parser()
    path = grammar.cache_file(grammar.grammar_text())
    written = path.read_bytes()
    damaged = written[:-100] + bytes([written[-100] ^ 1]) + written[-99:]
    path.write_bytes(damaged)
    grammar.hcl_parser.cache_clear()
    rebuilt = grammar.hcl_parser()
    assert rebuilt is not parser
    assert path.read_bytes() != damaged  # written again, whole
    grammar.hcl_parser.cache_clear()
    assert grammar.hcl_parser().parse("x = 1\n").data == "start"


def test_a_parser_whose_copy_parses_differently_is_never_cached(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if Lark's internals changed under the pickling: the copy is checked first.
    trees = iter(["the copy's tree", "the built parser's tree"])
    monkeypatch.setattr(grammar, "_tree", lambda parser: next(trees))
    assert grammar.hcl_parser().parse("x = 1\n").data == "start"
    assert not grammar.cache_file(grammar.grammar_text()).exists()


def test_the_cached_parser_has_compiled_no_lexer_patterns_yet(fresh: Path) -> None:
    # Pickled before it parsed anything: a run compiles only the patterns it needs.
    grammar.hcl_parser()
    grammar.hcl_parser.cache_clear()
    compiled = []
    original = re._compile  # type: ignore[attr-defined]

    def counting(pattern: object, flags: int) -> object:
        compiled.append(pattern)
        return original(pattern, flags)

    re._compile = counting  # type: ignore[attr-defined]
    try:
        grammar.hcl_parser()
    finally:
        re._compile = original  # type: ignore[attr-defined]
    assert compiled == []


def test_the_cached_parser_gives_the_trees_the_built_one_gives(fresh: Path) -> None:
    built = grammar.hcl_parser()
    grammar.hcl_parser.cache_clear()
    loaded = grammar.hcl_parser()
    assert loaded is not built
    sample = 'resource "a" "b" {\n  x = [for k, v in var.m : v if k != "y"]\n  y = 2 * 3\n}\n'
    assert repr(loaded.parse(sample)) == repr(built.parse(sample))

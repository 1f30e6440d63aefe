"""python-hcl2's grammar tables: cached where we choose, rebuilt when damaged or missing."""

from __future__ import annotations

import os
import pickle
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


def test_a_cached_parser_that_parses_differently_is_not_trusted(fresh: Path) -> None:
    # The probe's tree is stored beside the parser; one that no longer matches it
    # (another Lark's internals, a tampered file) is rebuilt, never used.
    parser = grammar.hcl_parser()
    path = grammar.cache_file(grammar.grammar_text())
    path.write_bytes(pickle.dumps(("a different tree", "not a parser")))
    grammar.hcl_parser.cache_clear()
    rebuilt = grammar.hcl_parser()
    assert rebuilt is not parser
    assert repr(rebuilt.parse(grammar._PROBE)) == repr(parser.parse(grammar._PROBE))
    probe, _ = pickle.loads(path.read_bytes())
    assert probe == repr(parser.parse(grammar._PROBE))


def test_the_cached_parser_gives_the_trees_the_built_one_gives(fresh: Path) -> None:
    built = grammar.hcl_parser()
    grammar.hcl_parser.cache_clear()
    loaded = grammar.hcl_parser()
    assert loaded is not built
    sample = 'resource "a" "b" {\n  x = [for k, v in var.m : v if k != "y"]\n  y = 2 * 3\n}\n'
    assert repr(loaded.parse(sample)) == repr(built.parse(sample))

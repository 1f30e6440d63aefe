"""python-hcl2's grammar as parse tables: made with Lark, built with the package, run by
our driver, else built once and cached.

The driver must accept, reject and shape exactly as Lark does: the tables are
compared with Lark on every HCL fixture and on texts damaged at random.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iaclint.parse.hcl import grammar, lalr
from iaclint.parse.hcl import tables as made
from iaclint.parse.hcl.grammar import outcome
from iaclint.parse.hcl.lalr import LalrParser, ParseFailure, Tree

from .conftest import ROOT

HCL_FIXTURES = sorted(
    path for path in (ROOT / "fixtures").rglob("*") if path.suffix in {".tf", ".tfvars"}
)


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """An empty cache, and no tables built with the package: they are made by the run."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("IACLINT_CACHE_DIR", str(cache))
    monkeypatch.setattr(grammar, "BUNDLED", tmp_path / "not-built" / "hcl2-tables.pickle")
    grammar.hcl_parser.cache_clear()
    yield cache
    grammar.hcl_parser.cache_clear()


@pytest.fixture
def bundled(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Tables built as the package build makes them, and an empty cache."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("IACLINT_CACHE_DIR", str(cache))
    monkeypatch.delenv("IACLINT_DEBUG", raising=False)
    data = grammar.bundle(grammar.grammar_text())
    assert data is not None
    path = tmp_path / "package" / "hcl2-tables.pickle"
    path.parent.mkdir()
    path.write_bytes(data)
    monkeypatch.setattr(grammar, "BUNDLED", path)
    grammar.hcl_parser.cache_clear()
    yield path
    grammar.hcl_parser.cache_clear()


def test_the_tables_built_with_the_package_are_used_and_nothing_is_cached(
    bundled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(grammar_text: str) -> object:
        raise AssertionError("a run built the tables")

    monkeypatch.setattr(grammar, "_made", never)
    parser = grammar.hcl_parser()
    assert isinstance(parser, LalrParser)
    assert parser.parse('a "b" {\n  x = 1\n}\n').children[0].children[0].data == "block"
    assert not Path(os.environ["IACLINT_CACHE_DIR"]).exists()


def test_the_tables_built_with_the_package_parse_as_lark_does(
    bundled: Path, lark: made.LarkParser
) -> None:
    parser = grammar.hcl_parser()
    for path in HCL_FIXTURES[:20]:
        text = path.read_text(encoding="utf-8")
        assert outcome(parser, text) == outcome(lark, text), path


@pytest.mark.parametrize("debug", [False, True])
def test_tables_built_from_another_grammar_are_replaced_by_cached_ones(
    bundled: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    debug: bool,
) -> None:
    # As when a newer python-hcl2 is installed after iaclint: the digest differs.
    other = grammar.grammar_text() + "\n// another release\n"
    monkeypatch.setattr(grammar, "grammar_text", lambda: other)
    if debug:
        monkeypatch.setenv("IACLINT_DEBUG", "1")
    assert grammar.bundled_tables(other)[0] is None
    parser = grammar.hcl_parser()
    assert isinstance(parser, LalrParser)
    assert grammar.cache_file(other).exists()  # built once, then loaded
    err = capsys.readouterr().err
    if debug:
        assert "iaclint: debug: the HCL parse tables built with iaclint are for another" in err
    else:
        assert err == ""


def test_damaged_tables_built_with_the_package_are_not_trusted(bundled: Path) -> None:
    data = bundled.read_bytes()
    bundled.write_bytes(data[:-50] + bytes([data[-50] ^ 1]) + data[-49:])
    tables, problem = grammar.bundled_tables(grammar.grammar_text())
    assert tables is None and "damaged" in problem
    assert isinstance(grammar.hcl_parser(), LalrParser)
    assert grammar.cache_file(grammar.grammar_text()).exists()


def test_no_tables_are_bundled_when_lark_disagrees(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grammar, "agree", lambda ours, theirs: False)
    assert grammar.bundle(grammar.grammar_text()) is None


@pytest.fixture(scope="module")
def lark() -> made.LarkParser:
    return made.LarkParser(made.build(grammar.grammar_text()))


@pytest.fixture(scope="module")
def ours() -> LalrParser:
    return LalrParser(made.tables_of(made.build(grammar.grammar_text())))


def test_the_tables_are_cached_in_a_private_directory(fresh: Path) -> None:
    assert grammar.hcl_parser().parse("x = 1\n").data == "start"
    (cached,) = fresh.glob("hcl2-tables-*.pickle")
    assert cached == grammar.cache_file(grammar.grammar_text())
    assert fresh.stat().st_mode & 0o777 == 0o700
    grammar.hcl_parser.cache_clear()
    loaded = grammar.hcl_parser()  # from the cache
    assert isinstance(loaded, LalrParser)
    assert loaded.parse("y = 2\n").data == "start"


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
    # The checksum covers the pickled tables: one flipped bit and they are not trusted.
    grammar.hcl_parser()
    path = grammar.cache_file(grammar.grammar_text())
    written = path.read_bytes()
    damaged = written[:-100] + bytes([written[-100] ^ 1]) + written[-99:]
    path.write_bytes(damaged)
    grammar.hcl_parser.cache_clear()
    assert grammar.hcl_parser().parse("x = 1\n").data == "start"
    assert path.read_bytes() != damaged  # made again, whole


def test_tables_that_disagree_with_lark_are_never_cached_and_lark_parses(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(grammar, "agree", lambda ours, theirs: False)
    parser = grammar.hcl_parser()
    assert isinstance(parser, made.LarkParser)
    assert not grammar.cache_file(grammar.grammar_text()).exists()
    tree = parser.parse('a "b" {\n  x = 1\n}\n')
    assert tree.children[0].children[0].data == "block"
    with pytest.raises(ParseFailure) as failure:
        parser.parse("x = 1 }\n")
    assert failure.value.offset == 6
    assert failure.value.token is not None and failure.value.token.value == "}"


def test_a_lark_built_otherwise_than_expected_parses_with_lark(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreadable(parser: object) -> lalr.Tables:
        raise made.TablesUnavailable("as if Lark's internals moved")

    monkeypatch.setattr(made, "tables_of", unreadable)
    parser = grammar.hcl_parser()
    assert isinstance(parser, made.LarkParser)
    assert parser.parse("x = 1\n").data == "start"
    assert not grammar.cache_file(grammar.grammar_text()).exists()


def test_a_wrong_guess_about_lark_internals_is_caught(lark: made.LarkParser) -> None:
    class Elsewhere:
        parser = None  # no frontend where one is expected

    with pytest.raises(made.TablesUnavailable):
        made.tables_of(Elsewhere())
    assert made.tables_of(lark.parser).start_state >= 0


def test_loading_the_cached_tables_compiles_no_pattern(fresh: Path) -> None:
    # A run compiles only the patterns of the terminals its files reach.
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


@pytest.mark.parametrize("path", HCL_FIXTURES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_fixture_parses_as_lark_parses_it(
    path: Path, ours: LalrParser, lark: made.LarkParser
) -> None:
    text = path.read_text(encoding="utf-8").replace("\r\n", " \n") + "\n"
    assert outcome(ours, text) == outcome(lark, text)


def test_a_long_file_parses_as_lark_parses_it(ours: LalrParser, lark: made.LarkParser) -> None:
    # Long enough for every lexer it uses to join its patterns into one.
    text = "".join(
        f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "name-${{var.x[{i}]}}"\n'
        f"  tags   = {{ n = {i} * 2, m = [for v in local.l : v if v != null] }}\n"
        f'  policy = <<-EOT\n    {{"Sid": "{i}"}}\n  EOT\n}}\n'
        for i in range(200)
    )
    result = outcome(ours, text)
    assert isinstance(result, Tree)
    assert any(scanner._joined is not None for scanner in ours._scanners)  # private: the join
    assert result == outcome(lark, text)
    assert outcome(ours, text + "}\n") == outcome(lark, text + "}\n")


PIECES = [
    *'{}[]()="$\\#/*\n\t .,:?!<>-+%&|',
    *(
        "${",
        "%{",
        "<<EOT\n",
        "EOT\n",
        "EOT  \n",
        "<<-X\n",
        "X\t\n",
        "[*]",
        ".*",
        "for ",
        " in ",
        "if ",
        "=>",
        "...",
        "::",
        "1.5e3",
        "x",
        '"a"',
    ),
]


@st.composite
def damaged(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(HCL_FIXTURES)).read_text(encoding="utf-8")[:3000]
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "cut"]))
        if kind == "insert":
            text = text[:at] + draw(st.sampled_from(PIECES)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 5)) :]
        else:
            text = text[:at]
    return text.replace("\r\n", " \n") + "\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=damaged())
def test_damaged_texts_fail_where_and_as_lark_fails(
    text: str, ours: LalrParser, lark: made.LarkParser
) -> None:
    assert outcome(ours, text) == outcome(lark, text)


def test_the_probes_include_failures_of_both_kinds(lark: made.LarkParser) -> None:
    # The agreement check at build time covers unexpected characters and tokens.
    failures = []
    for text in grammar._BAD_PROBES:
        with pytest.raises(ParseFailure) as failure:
            lark.parse(text)
        failures.append(failure.value)
    assert any(failure.token is None for failure in failures)
    assert any(failure.token is not None and failure.token.type == "$END" for failure in failures)
    assert any(failure.token is not None and failure.token.type != "$END" for failure in failures)


def test_tables_made_by_other_code_of_ours_are_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = Path(grammar.__file__).parent
    for name in ("lalr.py", "tables.py"):
        (tmp_path / name).write_text((here / name).read_text(encoding="utf-8"), encoding="utf-8")
    text = grammar.grammar_text()
    monkeypatch.setattr(grammar, "__file__", str(tmp_path / "grammar.py"))
    same = grammar.cache_file(text)
    assert same == grammar.cache_file(text)
    with (tmp_path / "lalr.py").open("a", encoding="utf-8") as changed:
        changed.write("# another driver\n")
    assert grammar.cache_file(text) != same


def test_the_reader_gives_the_same_result_when_lark_parses(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iaclint.parse.document import ParseError
    from iaclint.parse.hcl.reader import read_hcl

    def read(text: str) -> object:
        try:
            hcl_file = read_hcl(text, "main.tf")
        except ParseError as error:
            return str(error), error.line, error.column
        return hcl_file.body, hcl_file.problems  # (the source text is compared by identity)

    texts = [path.read_text(encoding="utf-8") for path in HCL_FIXTURES[:10]]
    texts += [text.replace("{", "{ (", 1) for text in texts[:3]] + list(grammar._BAD_PROBES)
    ours = [read(text) for text in texts]
    assert isinstance(grammar.hcl_parser(), LalrParser)
    grammar.hcl_parser.cache_clear()
    grammar.cache_file(grammar.grammar_text()).unlink()
    monkeypatch.setattr(grammar, "agree", lambda ours, theirs: False)
    assert isinstance(grammar.hcl_parser(), made.LarkParser)
    assert [read(text) for text in texts] == ours
    assert any(isinstance(result, tuple) for result in ours)  # failures compared too


HEREDOCS = [
    "a = <<EOT\nx\nEOT  \nb = 1\n",
    "a = <<EOT\nx\nEOT\t\nb = <<EOT\ny\nEOT\n",
    "a = <<-EOT\n  x\n  EOT \n",
    "a = <<EOT \nx \nEOT \n",  # a CRLF file, as the reader gives it to the grammar
    "a = <<X\nX\n",
    "a = <<_e-1\n\n_e-1\n",
    "a = <<EOT\n  NOT EOT\n EOT\n",
    "a = <<EOT\nEOT and more\n",
    "a = <<EOT\nx\nEOTS\n",
    "a = <<EOT\n",
    "a { b = <<EOT\nx\nEOT\t\n}\n",
]


@pytest.mark.parametrize("text", HEREDOCS)
def test_the_heredoc_terminals_parse_as_lark_parses_them(
    text: str, ours: LalrParser, lark: made.LarkParser
) -> None:
    assert outcome(ours, text) == outcome(lark, text)


def test_heredocs_end_at_the_first_line_holding_their_marker() -> None:
    parser = LalrParser(made.tables_of(made.build(grammar.grammar_text())))
    closed = [text for text in HEREDOCS if isinstance(outcome(parser, text), Tree)]
    assert closed == HEREDOCS[:7] + HEREDOCS[-1:]
    tree = parser.parse(HEREDOCS[1])
    attributes = [child for child in tree.children[0].children if child.data == "attribute"]
    assert len(attributes) == 2  # the first heredoc does not run on into the second


def test_a_grammar_without_heredoc_rules_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "hcl2.lark").write_text("start : body\n", encoding="utf-8")
    monkeypatch.setattr(grammar, "_package", lambda name: tmp_path)
    with pytest.raises(ImportError, match="heredoc_template"):
        grammar.grammar_text()

"""Snippets: the piece of a source line a finding shows, every secret masked."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint.engine.evaluate import display
from iaclint.engine.snippet import (
    _INDEXED_LENGTH,
    SNIPPET_LIMIT,
    ByteCounter,
    Masker,
    _Finder,
    build_snippet,
)
from iaclint.graph.model import SensitiveValue
from iaclint.span import Span

NONE = Masker(())


def at(column: int, end_column: int | None = None, line: int = 1) -> Span:
    return Span("f.json", line, column, line, end_column or column + 1)


def test_a_short_line_is_shown_whole_without_trailing_blanks() -> None:
    line = "      CidrIp: 0.0.0.0/0   "
    assert build_snippet(line, at(7, 24), NONE, False).text == "      CidrIp: 0.0.0.0/0"


def test_a_long_line_is_shown_around_the_column() -> None:
    line = "a" * 1000 + "<HERE>" + "b" * 1000
    text = build_snippet(line, at(1001, 1007), NONE, False).text
    assert len(text) == SNIPPET_LIMIT
    assert text.startswith("…") and text.endswith("…")
    middle = text.index("<HERE>")
    assert abs(middle - SNIPPET_LIMIT // 2) <= 1
    # Near either end, the window keeps that end and cuts the other only.
    start = build_snippet(line, at(3), NONE, False).text
    assert start == "a" * (SNIPPET_LIMIT - 1) + "…"
    end = build_snippet(line, at(2005), NONE, False).text
    assert end == "…" + "b" * (SNIPPET_LIMIT - 1)


def test_every_secret_in_the_window_is_masked() -> None:
    masker = Masker([SensitiveValue("hunter2-long")])
    line = 'password = "hunter2-long"  # hunter2-long again'
    text = build_snippet(line, at(1), masker, False).text
    assert text == 'password = "****"  # **** again'
    assert masker.message("value hunter2-long (default)") == "value **** (default)"


def test_a_secret_across_the_windows_edge_is_masked_whole() -> None:
    secret = "S" * 30
    for shift in range(-35, 5):
        line = "x" * (SNIPPET_LIMIT + shift) + secret + "y" * 500
        text = build_snippet(line, at(1), Masker([SensitiveValue(secret)]), False).text
        assert "S" not in text, shift
        line = "y" * 500 + secret + "x" * 2000
        column = 500 + 30 + SNIPPET_LIMIT // 2 + shift
        text = build_snippet(line, at(column), Masker([SensitiveValue(secret)]), False).text
        assert "S" not in text, shift


def test_a_short_secret_is_masked_only_where_it_is_written() -> None:
    line = '{"pin":"ab","note":"ab is a word","tag":"cab"}'
    masker = Masker([SensitiveValue("ab", Span("f.json", 1, 2, 1, 12))])
    text = build_snippet(line, at(20), masker, False).text
    assert text == '{"pin":"****","note":"ab is a word","tag":"cab"}'
    assert masker.message("ab") == "ab"
    # On another line (or in another file) nothing is masked.
    assert build_snippet(line, at(20, line=2), masker, False).text == line


def test_a_secret_policys_own_value_is_masked_and_its_name_kept() -> None:
    line = "      MasterUserPassword: hunter2  # note"
    text = build_snippet(line, Span("t.yaml", 3, 7, 3, 34), NONE, True).text
    assert text == "      MasterUserPassword: ****  # note"


def test_byte_columns_are_counted_on_the_source_line() -> None:
    secret = "sécrèt-value"
    line = f'{{"a":"{secret}","b":"überall","c":"0.0.0.0/0"}}'
    column = line.index('"0.0.0.0/0"') + 1
    snippet = build_snippet(line, at(column, column + 11), Masker([SensitiveValue(secret)]), False)
    assert secret not in snippet.text
    # Three two-byte characters come before the value: é, è and ü.
    assert snippet.byte_columns == (column + 3, column + 14)


def test_a_value_a_message_quotes_is_masked_before_it_is_cut() -> None:
    secret = (
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n" * 2
    )
    masker = Masker([SensitiveValue(secret)])
    # Cut to 80 characters, a long secret no longer matches in the message.
    assert "MIIEvQIBADANBgkq" in masker.message(display(["key", secret]))
    assert display(["key", secret], mask=masker.message) == "key, ****"


@settings(max_examples=300, deadline=None)
@given(
    line=st.text(alphabet="abc ", max_size=700),
    secrets=st.lists(st.text(alphabet="abc", min_size=4, max_size=12), min_size=1, max_size=3),
    column=st.integers(min_value=1, max_value=720),
)
def test_no_secret_survives_in_any_window(line: str, secrets: list[str], column: int) -> None:
    masker = Masker([SensitiveValue(secret) for secret in secrets])
    text = build_snippet(line, at(column), masker, False).text
    for secret in secrets:
        assert secret not in text
    if len(line.rstrip()) <= SNIPPET_LIMIT:
        assert "…" not in text


def test_byte_columns_of_a_long_line_across_its_marks() -> None:
    line = ("é" + "a" * 5000 + "€") * 3
    counter = ByteCounter(line)
    for column in (1, 2, 3, 4096, 4097, 4098, 5002, 5003, 5004, 8193, 15006, 15010):
        expected = len(line[: column - 1].encode("utf-8")) + 1 + max(column - 1 - len(line), 0)
        assert counter.column(column) == expected, column
    assert ByteCounter("abc").column(7) == 7


def _union_masked(text: str, secrets: list[str]) -> str:
    """The oracle: every character of every occurrence of every secret masked, each
    run of masked characters written once."""
    covered = [False] * len(text)
    for secret in secrets:
        position = text.find(secret)
        while position >= 0:
            covered[position : position + len(secret)] = [True] * len(secret)
            position = text.find(secret, position + 1)
    out: list[str] = []
    for index, character in enumerate(text):
        if not covered[index]:
            out.append(character)
        elif index == 0 or not covered[index - 1]:
            out.append("****")
    return "".join(out)


# Secrets that never occur in the texts below ('z' is not in their alphabet): enough
# of them moves the masker from one alternation to its index.
_ABSENT = [f"zz{index:03d}" for index in range(80)]


@settings(max_examples=300, deadline=None)
@given(data=st.data(), many=st.booleans())
def test_messages_are_masked_wherever_any_secret_occurs(data: st.DataObject, many: bool) -> None:
    short = st.text(alphabet="abc", min_size=4, max_size=12)
    long = st.text(alphabet="ab", min_size=1, max_size=40).map(
        lambda piece: (piece * 300)[: 257 + len(piece)]
    )
    secrets = data.draw(st.lists(short | long, min_size=1, max_size=6))
    pieces = data.draw(
        st.lists(st.text(alphabet="abc ", max_size=30) | st.sampled_from(secrets), max_size=12)
    )
    text = "".join(pieces)
    masker = Masker([SensitiveValue(secret) for secret in secrets + (_ABSENT if many else [])])
    assert masker.message(text) == _union_masked(text, secrets)


@settings(max_examples=200, deadline=None)
@given(
    line=st.text(alphabet="abc ", max_size=700),
    secrets=st.lists(st.text(alphabet="abc", min_size=4, max_size=40), min_size=1, max_size=40),
    column=st.integers(min_value=1, max_value=720),
)
def test_no_secret_survives_in_any_window_of_an_indexed_unit(
    line: str, secrets: list[str], column: int
) -> None:
    masker = Masker([SensitiveValue(secret) for secret in secrets + _ABSENT])
    text = build_snippet(line, at(column), masker, False).text
    for secret in secrets:
        assert secret not in text


def test_secrets_sharing_their_start_in_many_lengths_are_all_found() -> None:
    """More lengths under one prefix than a bucket holds: split, and still found."""
    secrets = ["pass" + "x" * size for size in range(1, 60)] + ["passwordA1", "passwordB22"]
    masker = Masker([SensitiveValue(secret) for secret in secrets + _ABSENT])
    for secret in secrets:
        assert masker.message(f"[{secret}]") == "[****]"
    assert masker.message("pas password") == "pas password"


def _lengths_per_lookup(finder: _Finder) -> int:
    """The most lengths one position's lookup can try, through every level."""
    worst = 0
    for bucket in finder._buckets.values():
        below = 0 if bucket.deeper is None else _lengths_per_lookup(bucket.deeper)
        worst = max(worst, len(bucket.lengths) + below)
    return worst


def test_the_work_per_position_is_bounded_whatever_the_secrets() -> None:
    """100,000 secrets, and 250 lengths under one prefix: each position searched
    tries at most one length per indexed length, however many secrets there are."""
    secrets = [f"s3cret-{index:06d}" for index in range(100_000)]
    secrets += ["key-" + "k" * size for size in range(250)]
    masker = Masker([SensitiveValue(secret) for secret in secrets])
    assert masker._pattern is None and masker._finder is not None
    assert _lengths_per_lookup(masker._finder) <= _INDEXED_LENGTH
    message = "the value is " + secrets[54_321] + ", and " + secrets[-1] + "!"
    assert masker.message(message) == "the value is ****, and ****!"

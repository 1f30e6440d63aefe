"""A finding's snippet: the piece of its source line a report shows, secrets masked.

A line of a usual file is shown whole. A long line (a minified plan or template
is one line of thousands of characters) is shown as a window of at most
`SNIPPET_LIMIT` characters around the finding's column, with `…` where it is
cut, so the snippet shows the offending value rather than the file's start.

Every secret of the unit (`Graph.sensitive`) is masked wherever it occurs in the
window, and a secret policy's own value at its span. Masks are placed on the
whole line before the window is cut: a secret that crosses the window's edge is
masked, never shown in part. A secret shorter than `SEARCHED_LENGTH` characters
is masked only where it is written: searched for everywhere, a password `ab`
would mask every `ab` of the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from iaclint.diagnostics import Diagnostic
from iaclint.graph.model import SensitiveValue
from iaclint.span import MASK, Span, masked_range

SNIPPET_LIMIT = 240
SEARCHED_LENGTH = 4

# The source line where a span starts, as the file has it; None when it is not known.
Lines = Callable[[Span], str | None]

_BLANK = re.compile(r"\s*")


class Snippet(NamedTuple):
    text: str
    # The span's start and end columns in UTF-8 bytes (reviewdog's unit), counted
    # on the source line, which the snippet no longer is once cut or masked.
    byte_columns: tuple[int, int] | None = None


class Masker:
    """Finds the secrets of one unit in its source lines and in messages.

    The work per character searched does not grow with the number of secrets: a
    plan can hold a hundred thousand sensitive values, and one alternation of them
    all took 3 s to compile and 70 ms for each message. Secrets up to
    `_INDEXED_LENGTH` characters are looked up by their first characters
    (`_Finder`), or, when there are a few, matched by one alternation; longer
    ones, fewer since each is long, are searched for one by one.
    """

    def __init__(self, sensitive: Iterable[SensitiveValue]):
        short: set[str] = set()
        long: set[str] = set()
        # (file, line) -> spans of the short secrets written on that line.
        self._placed: dict[tuple[str, int], list[Span]] = {}
        for value in sensitive:
            if len(value.text) > _INDEXED_LENGTH:
                long.add(value.text)
            elif len(value.text) >= SEARCHED_LENGTH:
                short.add(value.text)
            elif value.span is not None:
                self._placed.setdefault((value.span.file, value.span.line), []).append(value.span)
        # A few secrets (as usual) are found fastest by one alternation, run in C.
        self._pattern: re.Pattern[str] | None = None
        self._finder: _Finder | None = None
        if 0 < len(short) <= _ALTERNATION_LIMIT:
            ordered = sorted(short, key=lambda text: (-len(text), text))
            # A lookahead matches at every position, overlapping ones too, as
            # the finder does: each gives the longest secret starting there.
            self._pattern = re.compile("(?=(" + "|".join(map(re.escape, ordered)) + "))")
        elif short:
            self._finder = _Finder(short, SEARCHED_LENGTH)
        self._shortest_long = min(map(len, long), default=0)
        self._long = sorted(long, key=len, reverse=True)
        self._longest = max(len(self._long[0]) if long else 0, max(map(len, short), default=0))

    def message(self, text: str) -> str:
        """`text` with every secret long enough to search for masked."""
        if self._pattern is None and self._finder is None and not self._long:
            return text
        ranges = _merged(self._found(text, 0, len(text), 0, len(text)))
        if not ranges:
            return text
        pieces: list[str] = []
        position = 0
        for low, high in ranges:
            pieces += (text[position:low], MASK)
            position = high
        pieces.append(text[position:])
        return "".join(pieces)

    def diagnostics(self, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
        """`diagnostics` with their messages masked: a reader's or an adapter's
        message may quote a value it read."""
        return [
            d._replace(message=self.message(d.message), subject=self.message(d.subject))
            for d in diagnostics
        ]

    def ranges(self, line: str, span: Span, start: int, end: int) -> list[tuple[int, int]]:
        """The 0-based ranges of secrets on `line` (where `span` starts) that overlap
        `start`..`end`, each in full."""
        low = max(0, start - self._longest + 1)
        high = min(len(line), end + self._longest - 1)
        out = [
            (first, last)
            for first, last in self._found(line, low, high, start, end)
            if first < end and last > start
        ]
        for placed in self._placed.get((span.file, span.line), ()):
            out.append(_value_range(line, placed))
        return out

    def _found(self, text: str, low: int, high: int, start: int, end: int) -> list[tuple[int, int]]:
        """Where secrets occur in `text[low:high]`, those that could overlap
        `start`..`end` at least (overlapping finds may be given)."""
        out: list[tuple[int, int]] = []
        if self._pattern is not None:
            first = max(low, start - _INDEXED_LENGTH + 1)
            out += (match.span(1) for match in self._pattern.finditer(text, first, high))
        finder = self._finder
        if finder is not None:
            # An indexed secret overlapping start..end begins at most that long before.
            first = max(low, start - _INDEXED_LENGTH + 1)
            for position in range(first, min(end, high - SEARCHED_LENGTH + 1)):
                length = finder.longest_at(text, position, high)
                if length:
                    out.append((position, position + length))
        for secret in self._long:  # each found in C, in the window it could cross
            size = len(secret)
            position = text.find(secret, max(low, start - size + 1), min(high, end + size - 1))
            while position >= 0:
                out.append((position, position + size))
                position = text.find(secret, position + 1, min(high, end + size - 1))
        return out


# Secrets this long or shorter are indexed; longer ones are searched for one by one.
_INDEXED_LENGTH = 256
# Up to this many indexed secrets, one alternation of them all is used instead.
_ALTERNATION_LIMIT = 64
# A bucket of secrets that share their first characters holds at most this many
# lengths; one with more is split on twice as many first characters.
_LENGTHS_PER_BUCKET = 16


class _Finder:
    """Secrets of at least `width` characters, by their first `width` characters:
    the longest that starts at a position is found with one lookup of that prefix,
    then one lookup per length its bucket holds."""

    def __init__(self, secrets: Iterable[str], width: int):
        self.width = width
        groups: dict[str, list[str]] = {}
        for secret in secrets:
            groups.setdefault(secret[:width], []).append(secret)
        self._buckets = {key: _Bucket(members, width) for key, members in groups.items()}

    def longest_at(self, text: str, position: int, high: int) -> int:
        """The length of the longest secret at `position` that ends by `high`, or 0."""
        bucket = self._buckets.get(text[position : position + self.width])
        return 0 if bucket is None else bucket.longest_at(text, position, high)


class _Bucket:
    __slots__ = ("deeper", "lengths", "secrets")

    def __init__(self, members: list[str], width: int):
        by_length: dict[int, set[str]] = {}
        for secret in members:
            by_length.setdefault(len(secret), set()).add(secret)
        self.deeper: _Finder | None = None
        if len(by_length) > _LENGTHS_PER_BUCKET:
            # Many lengths share these first characters: the longer secrets go one
            # level down, found by twice as many; the shorter have fewer lengths.
            wider = [secret for secret in members if len(secret) >= 2 * width]
            self.deeper = _Finder(wider, 2 * width)
            by_length = {size: texts for size, texts in by_length.items() if size < 2 * width}
        self.lengths = sorted(by_length, reverse=True)
        self.secrets = by_length

    def longest_at(self, text: str, position: int, high: int) -> int:
        if self.deeper is not None:  # every secret there is longer than any here
            found = self.deeper.longest_at(text, position, high)
            if found:
                return found
        for length in self.lengths:
            if (
                position + length <= high
                and text[position : position + length] in self.secrets[length]
            ):
                return length
        return 0


class Snippets:
    """The snippets of one evaluation, from its source lines and its secrets."""

    def __init__(self, lines: Lines, masker: Masker):
        self.lines = lines
        self.masker = masker
        # Per line, how to count its bytes (see ByteCounter): a plan's one line can
        # hold megabytes and thousands of findings.
        self._counters: dict[tuple[str, int], ByteCounter] = {}

    def __call__(self, span: Span, secret: bool) -> Snippet:
        line = self.lines(span)
        if line is None:
            return Snippet("")
        key = (span.file, span.line)
        counter = self._counters.get(key)
        if counter is None:
            counter = self._counters[key] = ByteCounter(line)
        return build_snippet(line, span, self.masker, secret, counter)


class ByteCounter:
    """1-based character columns of a line as 1-based UTF-8 byte columns, each in
    time independent of the line's length: an ASCII line's columns are its byte
    columns; other lines keep the byte count at every `_STRIDE` characters."""

    _STRIDE = 4096

    def __init__(self, line: str):
        self.line = line
        self._marks: list[int] | None = None
        if not line.isascii():
            marks = [0]
            for start in range(0, len(line), self._STRIDE):
                piece = line[start : start + self._STRIDE]
                marks.append(marks[-1] + len(piece.encode("utf-8", "surrogatepass")))
            self._marks = marks

    def column(self, column: int) -> int:
        characters = max(column - 1, 0)
        beyond = max(characters - len(self.line), 0)  # stripped trailing blanks, a byte each
        characters -= beyond
        if self._marks is None:
            return characters + beyond + 1
        mark = characters // self._STRIDE
        rest = self.line[mark * self._STRIDE : characters].encode("utf-8", "surrogatepass")
        return self._marks[mark] + len(rest) + beyond + 1


def build_snippet(
    line: str, span: Span, masker: Masker, secret: bool, counter: ByteCounter | None = None
) -> Snippet:
    """The snippet of a finding at `span` on its source `line`; `secret`: the value
    at the span is itself a secret (a policy marked `secret: true`)."""
    column = min(max(span.column - 1, 0), len(line))
    start = max(0, column - SNIPPET_LIMIT // 2)
    end = min(len(line), start + SNIPPET_LIMIT)
    start = max(0, end - SNIPPET_LIMIT)
    ranges = masker.ranges(line, span, start, end)
    if secret and line:
        ranges.append(_value_range(line, span))
    pieces: list[str] = []
    position = start
    for low, high in _merged(ranges):
        if high <= start or low >= end:
            continue
        # A secret across the window's edge widens the window: it is masked whole.
        if low < start:
            start = position = low
        end = max(end, high)
        pieces.append(line[position:low])
        pieces.append(MASK)
        position = high
    pieces.append(line[position:end])
    text = "".join(pieces)
    cut_end = _BLANK.fullmatch(line, end) is None
    text = text if cut_end else text.rstrip()
    if start > 0:
        text = "…" + text[1:]
    if cut_end:
        text = text[:-1] + "…"
    counter = counter or ByteCounter(line)
    if span.end_line != span.line:
        end_column = max(span.end_column, 1)
    else:
        end_column = counter.column(span.end_column)
    return Snippet(text, (counter.column(span.column), end_column))


def _value_range(line: str, span: Span) -> tuple[int, int]:
    low, high = masked_range(line, span)
    # A quoted value keeps its quotes: `"Pin":"****"` still reads as JSON.
    if high - low >= 2 and line[low] == line[high - 1] and line[low] in "\"'":
        return low + 1, high - 1
    return low, high


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if high <= low:
            continue
        if out and low <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], high))
        else:
            out.append((low, high))
    return out

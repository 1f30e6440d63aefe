"""A parsed document: plain data, and beside it the span of every value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from iaclint.diagnostics import Diagnostic
from iaclint.span import DocPath, Span

# How deep mappings and lists may nest in a template (YAML or JSON) before it is
# refused: far beyond any real template, well within Python's recursion limit.
MAX_DEPTH = 200

# The longest integer read, in decimal digits: Python's own default limit on
# converting between integers and text, past which `int()` and `str()` raise. A
# longer number is refused where it is read, rather than failing wherever it is
# first printed.
MAX_INTEGER_DIGITS = 4_300
# The same bound in bits, for numbers written in binary, octal or hex (log2(10) < 3.33).
MAX_INTEGER_BITS = MAX_INTEGER_DIGITS * 332 // 100
TOO_LONG_NUMBER = f"a number of more than {MAX_INTEGER_DIGITS:,} digits"


class Tagged(NamedTuple):
    """A value under a tag the format does not define (a preprocessor's directive)."""

    tag: str
    value: object


class ParseError(Exception):
    """A file that cannot be read as the format it claims to be."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class Document(NamedTuple):
    file: str
    text: str
    data: object
    # Span of the entry at each path: for a mapping value it runs from its key to
    # the end of the value, so the line is the one a person edits.
    spans: Mapping[DocPath, Span]
    # Problems that did not stop the reading (duplicate keys, for example).
    diagnostics: tuple[Diagnostic, ...] = ()

    def span_of(self, path: DocPath) -> Span:
        """The span at `path`, or at its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            span = self.spans.get(path[:end])
            if span is not None:
                return span
        return Span(self.file, 1, 1, 1, 1)

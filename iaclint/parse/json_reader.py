"""Read JSON into plain data, with the span of every value kept beside it.

`json.loads` keeps no positions and libyaml rejects valid JSON (surrogate-pair
escapes), so this is a small reader of its own; strings are decoded by the C
`scanstring` that `json` itself uses, which keeps it fast.
"""

from __future__ import annotations

import bisect
import json
import re

from iaclint.collector import paused
from iaclint.diagnostics import Diagnostic
from iaclint.parse.document import (
    MAX_DEPTH,
    MAX_INTEGER_DIGITS,
    TOO_LONG_NUMBER,
    Document,
    ParseError,
)
from iaclint.span import DocPath, Span

_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]
_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_SPACE = re.compile(r"[ \t\n\r]*")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LITERALS: dict[str, object] = {"true": True, "false": False, "null": None}


@paused()  # a tree of values and locations: no cycle for the collector
def read_json(text: str, file: str) -> Document:
    """Read one JSON document. Raises ParseError (located) when it cannot be read."""
    reader = _JsonReader(text, file)
    start = _SPACE.match(text, 0)
    assert start is not None
    if start.end() == len(text):
        raise reader.error(start.end(), "empty document")
    data, end = reader.value(start.end(), (), 0)
    rest = _SPACE.match(text, end)
    assert rest is not None
    if rest.end() != len(text):
        raise reader.error(rest.end(), "extra data after the JSON value")
    return Document(file, text, data, reader.spans(), tuple(reader.diagnostics))


class _JsonReader:
    def __init__(self, text: str, file: str):
        self.text = text
        self.file = file
        self.offsets: dict[DocPath, tuple[int, int]] = {}
        self.diagnostics: list[Diagnostic] = []
        self.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    def value(self, i: int, path: DocPath, depth: int) -> tuple[object, int]:
        text = self.text
        if i >= len(text):
            raise self.error(i, "unexpected end of file")
        char = text[i]
        if char == "{":
            if depth >= MAX_DEPTH:
                raise self.error(i, f"nesting deeper than {MAX_DEPTH} levels")
            return self.mapping(i, path, depth)
        if char == "[":
            if depth >= MAX_DEPTH:
                raise self.error(i, f"nesting deeper than {MAX_DEPTH} levels")
            return self.array(i, path, depth)
        if char == '"':
            return self.string(i)
        number = _NUMBER.match(text, i)
        if number is not None:
            integer, fraction, exponent = number.groups()
            if len(integer) > MAX_INTEGER_DIGITS + 1:  # the sign is not a digit
                raise self.error(i, TOO_LONG_NUMBER)
            if fraction or exponent:
                return float(number.group()), number.end()
            return int(integer), number.end()
        for word, literal in _LITERALS.items():
            if text.startswith(word, i):
                return literal, i + len(word)
        raise self.error(i, f"unexpected character {char!r}")

    def mapping(self, start: int, path: DocPath, depth: int) -> tuple[dict[str, object], int]:
        text = self.text
        out: dict[str, object] = {}
        first_line: dict[str, int] = {}
        i = self.skip(start + 1)
        if text.startswith("}", i):
            return out, i + 1
        while True:
            if not text.startswith('"', i):
                raise self.error(i, "expected a property name in double quotes")
            key_start = i
            key, i = self.string(i)
            i = self.skip(i)
            if not text.startswith(":", i):
                raise self.error(i, "expected ':' after the property name")
            child = (*path, key)
            value, i = self.value(self.skip(i + 1), child, depth + 1)
            line = self.line_of(key_start)
            if key in out:
                self.diagnostics.append(
                    Diagnostic.error(
                        self.file,
                        f"duplicate key '{key}' (first at line {first_line[key]}); "
                        "the later value is used",
                        line,
                        self.column_of(key_start, line),
                    )
                )
            else:
                first_line[key] = line
            out[key] = value
            self.offsets[child] = (key_start, i)
            i = self.skip(i)
            if text.startswith(",", i):
                i = self.skip(i + 1)
                continue
            if text.startswith("}", i):
                end = i + 1
                if not path:
                    self.offsets[()] = (start, end)
                return out, end
            raise self.error(i, "expected ',' or '}' after a property")

    def array(self, start: int, path: DocPath, depth: int) -> tuple[list[object], int]:
        text = self.text
        out: list[object] = []
        i = self.skip(start + 1)
        if text.startswith("]", i):
            return out, i + 1
        while True:
            child = (*path, len(out))
            item_start = i
            value, i = self.value(i, child, depth + 1)
            out.append(value)
            self.offsets[child] = (item_start, i)
            i = self.skip(i)
            if text.startswith(",", i):
                i = self.skip(i + 1)
                continue
            if text.startswith("]", i):
                end = i + 1
                if not path:
                    self.offsets[()] = (start, end)
                return out, end
            raise self.error(i, "expected ',' or ']' after an array item")

    def string(self, i: int) -> tuple[str, int]:
        try:
            value, end = _scanstring(self.text, i + 1, True)
        except json.JSONDecodeError as exc:
            raise self.error(exc.pos, exc.msg.lower().removesuffix(" at")) from None
        return value, end

    def skip(self, i: int) -> int:
        match = _SPACE.match(self.text, i)
        assert match is not None
        return match.end()

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset)

    def column_of(self, offset: int, line: int) -> int:
        return offset - self.line_starts[line - 1] + 1

    def spans(self) -> dict[DocPath, Span]:
        out: dict[DocPath, Span] = {}
        for path, (start, end) in self.offsets.items():
            line = self.line_of(start)
            end_line = self.line_of(end)
            out[path] = Span(
                self.file,
                line,
                self.column_of(start, line),
                end_line,
                self.column_of(end, end_line),
            )
        return out

    def error(self, offset: int, message: str) -> ParseError:
        line = self.line_of(offset)
        return ParseError(f"invalid JSON: {message}", line, self.column_of(offset, line))

"""Where keys and array items are written in a TOML text (tomllib keeps no lines).

    lines = locate(text)
    lines.line(("ignore", 1))             # the line of the second item of `ignore`
    lines.line(("severity", "IAC002"))    # the line of that key, in any table form

The text is scanned for its structure only: table headers, keys (bare, quoted,
dotted), arrays and inline tables, with strings and comments skipped. It is meant
for text tomllib has read, and never raises: on anything it does not expect it
stops and keeps what it found. Nesting deeper than MAX_DEPTH stops the scan too,
and `too_deep` gives the line where it happened.
"""

from __future__ import annotations

import contextlib
import re
from typing import NamedTuple

Path = tuple[str | int, ...]

MAX_DEPTH = 64

_BARE_VALUE = re.compile(r"[^,\]}#\r\n]+")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL = re.compile(r"'[^'\n]*'")
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


class Lines(NamedTuple):
    """Lines (1-based) of the keys and array items found, by their path."""

    lines: dict[Path, int]
    # The line where nesting went deeper than MAX_DEPTH, if it did.
    too_deep: int | None = None

    def line(self, path: Path) -> int | None:
        """The line of `path`, or of the nearest enclosing key or item written in the text."""
        for end in range(len(path), 0, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None


class _Stop(Exception):
    pass


def locate(text: str) -> Lines:
    scanner = _Scanner(text)
    with contextlib.suppress(_Stop):
        scanner.document()
    return Lines(scanner.lines, scanner.too_deep)


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.lines: dict[Path, int] = {}
        self.too_deep: int | None = None
        # Array-of-tables headers seen so far, to number their elements.
        self.counts: dict[Path, int] = {}

    # -- positions -----------------------------------------------------------

    def line_here(self) -> int:
        return self.text.count("\n", 0, self.at) + 1

    def peek(self, ahead: int = 0) -> str:
        index = self.at + ahead
        return self.text[index] if index < len(self.text) else ""

    def blank(self, newlines: bool) -> None:
        """Skip spaces and comments, and line breaks too when `newlines`."""
        while self.at < len(self.text):
            char = self.text[self.at]
            if char in " \t" or (newlines and char in "\r\n"):
                self.at += 1
            elif char == "#":
                end = self.text.find("\n", self.at)
                self.at = len(self.text) if end < 0 else end
            else:
                return

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise _Stop
        self.at += 1

    # -- structure -----------------------------------------------------------

    def document(self) -> None:
        table: Path = ()
        while True:
            self.blank(newlines=True)
            if self.at >= len(self.text):
                return
            if self.peek() == "[":
                table = self.header()
            else:
                self.key_value(table, 1)

    def header(self) -> Path:
        line = self.line_here()
        array = self.text.startswith("[[", self.at)
        self.at += 2 if array else 1
        self.blank(newlines=False)
        path = self.key()
        self.blank(newlines=False)
        self.expect("]")
        if array:
            self.expect("]")
            index = self.counts.get(path, 0)
            self.counts[path] = index + 1
            path = (*path, index)
        for end in range(1, len(path) + 1):
            self.lines.setdefault(path[:end], line)
        return path

    def key(self) -> Path:
        parts: list[str | int] = [self.simple_key()]
        while True:
            self.blank(newlines=False)
            if self.peek() != ".":
                return tuple(parts)
            self.at += 1
            self.blank(newlines=False)
            parts.append(self.simple_key())

    def simple_key(self) -> str:
        char = self.peek()
        if char == '"':
            return _unescape(self.string(_BASIC)[1:-1])
        if char == "'":
            return self.string(_LITERAL)[1:-1]
        match = _BARE_KEY.match(self.text, self.at)
        if match is None:
            raise _Stop
        self.at = match.end()
        return match.group()

    def string(self, pattern: re.Pattern[str]) -> str:
        match = pattern.match(self.text, self.at)
        if match is None:
            raise _Stop
        self.at = match.end()
        return match.group()

    def key_value(self, table: Path, depth: int) -> None:
        line = self.line_here()
        path = (*table, *self.key())
        for end in range(len(table) + 1, len(path) + 1):
            self.lines.setdefault(path[:end], line)
        self.blank(newlines=False)
        self.expect("=")
        self.blank(newlines=False)
        self.value(path, depth)

    def value(self, path: Path, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.too_deep = self.line_here()
            raise _Stop
        char = self.peek()
        if char == "[":
            self.array(path, depth)
        elif char == "{":
            self.inline_table(path, depth)
        elif self.text.startswith(('"""', "'''"), self.at):
            quote = self.text[self.at : self.at + 3]
            end = self.text.find(quote, self.at + 3)
            if end < 0:
                raise _Stop
            # Closing quotes may be followed by up to two more quotes of content.
            end += 3
            while self.text.startswith(quote[0], end):
                end += 1
            self.at = end
        elif char == '"':
            self.string(_BASIC)
        elif char == "'":
            self.string(_LITERAL)
        else:  # numbers, booleans, dates and times (which may hold a space)
            match = _BARE_VALUE.match(self.text, self.at)
            if match is None:
                raise _Stop
            self.at = match.end()

    def array(self, path: Path, depth: int) -> None:
        self.at += 1
        index = 0
        while True:
            self.blank(newlines=True)
            if self.peek() == "]":
                self.at += 1
                return
            self.lines[(*path, index)] = self.line_here()
            self.value((*path, index), depth + 1)
            index += 1
            self.blank(newlines=True)
            if self.peek() == ",":
                self.at += 1
            elif self.peek() != "]":
                raise _Stop

    def inline_table(self, path: Path, depth: int) -> None:
        self.at += 1
        while True:
            self.blank(newlines=False)
            if self.peek() == "}":
                self.at += 1
                return
            self.key_value(path, depth + 1)
            self.blank(newlines=False)
            if self.peek() == ",":
                self.at += 1
            elif self.peek() != "}":
                raise _Stop


def _unescape(body: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            try:
                return chr(int(code[1:], 16))
            except (ValueError, OverflowError):  # beyond Unicode: not TOML
                raise _Stop from None
        return _ESCAPES.get(code, code)

    return _ESCAPE.sub(one, body)

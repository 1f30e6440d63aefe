"""The HCL syntax tree: bodies, blocks, attributes and expressions.

Every node keeps its start and end offsets in the file's text (end exclusive);
`SourceText.span` turns them into a `Span` when a place is reported, so the tree
itself stays cheap to build. Nodes are NamedTuples: they are compared by what
they are (`type(node) is Binary`), never by equality.
"""

from __future__ import annotations

import bisect
from typing import NamedTuple

from iaclint.diagnostics import Diagnostic
from iaclint.parse.text import split_lines
from iaclint.span import Span


class SourceText:
    """A file's text, with what it takes to turn offsets into lines and columns."""

    def __init__(self, file: str, text: str):
        self.file = file
        self.text = text
        self._line_starts: list[int] | None = None
        self._lines: list[str] | None = None

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            text = self.text
            index = text.find("\n")
            while index != -1:
                starts.append(index + 1)
                index = text.find("\n", index + 1)
            self._line_starts = starts
        return self._line_starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of an offset."""
        starts = self._starts()
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(max(start, end))
        return Span(self.file, line, column, end_line, end_column)

    def line(self, number: int) -> str:
        """The text of a 1-based line ('' when out of range)."""
        if self._lines is None:
            self._lines = split_lines(self.text)
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""


# -- expressions ---------------------------------------------------------------


class Literal(NamedTuple):
    """A number, a bool, null, or text without interpolation."""

    value: object
    start: int
    end: int


class Interpolation(NamedTuple):
    expr: Expr


class IfDirective(NamedTuple):
    condition: Expr
    then: tuple[TemplatePart, ...]
    otherwise: tuple[TemplatePart, ...]


class ForDirective(NamedTuple):
    key_var: str | None
    value_var: str
    collection: Expr
    body: tuple[TemplatePart, ...]


TemplatePart = str | Interpolation | IfDirective | ForDirective


class Template(NamedTuple):
    """A string with interpolations or directives (quoted, or a heredoc)."""

    parts: tuple[TemplatePart, ...]
    start: int
    end: int


class TupleExpr(NamedTuple):
    items: tuple[Expr, ...]
    start: int
    end: int


class ObjectItem(NamedTuple):
    # A bare identifier key is its own name; any other key is evaluated.
    literal_key: str | None
    key: Expr
    value: Expr


class ObjectExpr(NamedTuple):
    items: tuple[ObjectItem, ...]
    start: int
    end: int


class Variable(NamedTuple):
    """The root of a traversal: `var`, `local`, `aws_instance`, an iterator..."""

    name: str
    start: int
    end: int


class GetAttr(NamedTuple):
    target: Expr
    name: str
    start: int
    end: int


class Index(NamedTuple):
    target: Expr
    key: Expr
    start: int
    end: int


class SplatItem(NamedTuple):
    """Stands for each element inside a splat's per-element expression."""

    start: int
    end: int


class Splat(NamedTuple):
    """`target[*].each` or `target.*.each`: `each` is applied to every element."""

    target: Expr
    each: Expr
    start: int
    end: int


class Call(NamedTuple):
    name: str
    args: tuple[Expr, ...]
    # `f(a, list...)`: the last argument's elements are the final arguments.
    expand_last: bool
    start: int
    end: int


class Unary(NamedTuple):
    op: str
    operand: Expr
    start: int
    end: int


class Binary(NamedTuple):
    op: str
    left: Expr
    right: Expr
    start: int
    end: int


class Conditional(NamedTuple):
    condition: Expr
    then: Expr
    otherwise: Expr
    start: int
    end: int


class ForExpr(NamedTuple):
    key_var: str | None
    value_var: str
    collection: Expr
    # None for a tuple-producing `[for ...]`.
    key: Expr | None
    value: Expr
    condition: Expr | None
    grouping: bool
    start: int
    end: int


class Unreadable(NamedTuple):
    """An expression the grammar accepted but our parser could not read: unknown."""

    reason: str
    start: int
    end: int


Expr = (
    Literal
    | Unreadable
    | Template
    | TupleExpr
    | ObjectExpr
    | Variable
    | GetAttr
    | Index
    | SplatItem
    | Splat
    | Call
    | Unary
    | Binary
    | Conditional
    | ForExpr
)


# -- structure -----------------------------------------------------------------


class Attribute(NamedTuple):
    name: str
    expr: Expr
    # From the name to the end of the expression.
    start: int
    end: int


class Block(NamedTuple):
    type: str
    labels: tuple[str, ...]
    body: Body
    # The header: from the block type to the end of its last label.
    start: int
    header_end: int


class Body(NamedTuple):
    attributes: dict[str, Attribute]
    blocks: tuple[Block, ...]

    def blocks_of(self, block_type: str) -> list[Block]:
        return [block for block in self.blocks if block.type == block_type]


class HclFile(NamedTuple):
    source: SourceText
    body: Body
    # Problems met while reading that did not stop it.
    problems: tuple[Diagnostic, ...] = ()

    @property
    def file(self) -> str:
        return self.source.file

"""Read an HCL file (Terraform `.tf`, `.tfvars`) into our located syntax tree.

python-hcl2's grammar checks the syntax and gives the structure: bodies, blocks
and attributes with the offsets of their tokens. Each attribute's expression is
then read by our own parser (`expressions.py`) straight from the text, so every
attribute, list element and object value keeps its exact line and column.
python-hcl2's dictionary output is not used: it keeps lines for blocks only and
turns expressions back into text.
"""

from __future__ import annotations

import itertools
import re
from typing import NamedTuple

from iaclint.collector import paused
from iaclint.diagnostics import HCL_UNREADABLE, Diagnostic, Kind
from iaclint.parse.document import ParseError
from iaclint.parse.hcl.expressions import HclSyntaxError, parse_expression
from iaclint.parse.hcl.grammar import hcl_parser
from iaclint.parse.hcl.lalr import ParseFailure, Token, Tree
from iaclint.parse.hcl.syntax import (
    Attribute,
    Block,
    Body,
    HclFile,
    Literal,
    SourceText,
    Unreadable,
)

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_SPACES = re.compile(r"[ \t\r]*")
# How deep blocks may nest: far beyond any configuration (Terraform's deepest are a
# few levels of `dynamic` and `content`), well within Python's recursion limit.
MAX_BLOCK_DEPTH = 100
_END_OF_ATTRIBUTE = re.compile(r"[ \t\r]*(?:(?:#|//)[^\n]*|/\*.*?\*/[ \t\r]*)*(?:\n|\}|$)", re.S)

# The grammar's terminal names, in words, for syntax errors.
_TOKEN_NAMES = {
    "RBRACE": "'}'",
    "LBRACE": "'{'",
    "RPAR": "')'",
    "LPAR": "'('",
    "RSQB": "']'",
    "LSQB": "'['",
    "EQ": "'='",
    "COMMA": "','",
    "COLON": "':'",
    "DOT": "'.'",
    "NAME": "a name",
    "NL_OR_COMMENT": "a new line",
    "DBLQUOTE": "'\"'",
    "QMARK": "'?'",
    "__ANON_0": "'${'",
    "$END": "the end of the file",
}


@paused()  # a tree of values and locations: no cycle for the collector
def read_hcl(text: str, file: str) -> HclFile:
    """Read one HCL file. Raises ParseError (located) when its syntax is wrong."""
    # The grammar knows only LF; a space before each LF keeps every offset.
    clean = text.replace("\r\n", " \n")
    source = SourceText(file, clean)
    try:
        tree = hcl_parser().parse(clean + "\n")
    except ParseFailure as failure:
        line, column = source.position(failure.offset)
        if failure.token is None:
            found = clean[failure.offset : failure.offset + 1]
            raise ParseError(f"invalid HCL: unexpected character {found!r}", line, column) from None
        raise ParseError(_describe(failure.token, failure.expected), line, column) from None
    except RecursionError:
        raise ParseError("invalid HCL: nested too deeply to read") from None
    builder = _Builder(source, text)
    try:
        body, _ = builder.body(tree.children[0])
    except RecursionError:
        raise ParseError("invalid HCL: blocks nested too deeply to read") from None
    except HclSyntaxError as exc:  # a block label is an expression of its own
        line, column = source.position(exc.offset)
        raise ParseError(f"invalid HCL: {exc.message}", line, column) from None
    return HclFile(source, body, tuple(builder.problems))


_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)")


def _describe(token: Token, expected: frozenset[str]) -> str:
    heredoc = _HEREDOC.match(token.value)
    if heredoc is not None:
        marker = heredoc.group(1)
        return (
            f"invalid HCL: heredoc <<{marker} is never closed "
            f"(no line holding only {marker} after it)"
        )
    # A token can span lines (a comment, a string): show its first line only.
    first_line = token.value.split("\n", 1)[0].strip()
    if token.type == "$END":
        found = "the end of the file"
    else:
        found = repr(first_line) if first_line else "the end of a line"
    wanted = sorted(
        {
            # The grammar's anonymous rules (`__anon...`) stand for expressions.
            _TOKEN_NAMES.get(name, "an expression" if name.startswith("__") else name.lower())
            for name in expected
        }
    )
    hint = f" (expected {', '.join(wanted[:6])})" if wanted else ""
    return f"invalid HCL: unexpected {found}{hint}"


class _Item(NamedTuple):
    """An attribute or a block of a body, where it starts and ends, for the rules on lines."""

    kind: str
    start: int
    end: int


_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def _breaks_line(between: str) -> bool:
    """Whether the text between two things holds a line break (a block comment is none)."""
    return "\n" in between and "\n" in _BLOCK_COMMENT.sub("", between)


def _last_token(node: Tree | Token) -> Token | None:
    while isinstance(node, Tree):
        children = [child for child in node.children if child is not None]
        if not children:
            return None
        node = children[-1]
    return node


class _Builder:
    def __init__(self, source: SourceText, text: str):
        self.source = source
        # Expressions are read from the text as written (offsets are the same):
        # a heredoc in a CRLF file keeps its CRs, as in Terraform.
        self.text = text
        self.problems: list[Diagnostic] = []
        self.depth = 0  # of the block being read

    def problem(
        self, message: str, offset: int, kind: Kind | None = None, subject: str = ""
    ) -> None:
        line, column = self.source.position(offset)
        self.problems.append(
            Diagnostic.warning(self.source.file, message, line, column, kind=kind, subject=subject)
        )

    def error(self, message: str, offset: int) -> None:
        line, column = self.source.position(offset)
        self.problems.append(Diagnostic.error(self.source.file, message, line, column))

    def body(self, tree: Tree, opening: int | None = None) -> tuple[Body, int]:
        """A body (the file's, or a block's after its `{`), and where its content ends."""
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        items: list[_Item] = []
        content_end = 0 if opening is None else opening + 1
        exact = True  # every item's end known: the rules on lines can be checked
        for child in tree.children:
            data = getattr(child, "data", None)
            if data == "attribute":
                attribute = self.attribute(child)
                items.append(_Item("attribute", attribute.start, attribute.end))
                content_end = attribute.end
                exact = exact and type(attribute.expr) is not Unreadable
                earlier = attributes.get(attribute.name)
                if earlier is not None:
                    line, _ = self.source.position(earlier.start)
                    line_now, column = self.source.position(attribute.start)
                    self.problems.append(
                        Diagnostic.error(
                            self.source.file,
                            f"attribute '{attribute.name}' is already set at line {line}; "
                            "the later value is used",
                            line_now,
                            column,
                        )
                    )
                attributes[attribute.name] = attribute
            elif data == "block":
                block, end = self.block(child)
                blocks.append(block)
                items.append(_Item("block", block.start, end))
                content_end = end
            else:
                last = _last_token(child)
                if last is not None:
                    content_end = last.end_pos
        if exact:
            braces = None if opening is None else (opening, self.text.find("}", content_end))
            self.check_lines(items, braces)
        return Body(attributes, tuple(blocks)), content_end

    def check_lines(self, items: list[_Item], braces: tuple[int, int] | None) -> None:
        """HCL's rules on lines, which python-hcl2's grammar does not check.

        A block whose first attribute follows `{` on the same line is a one-line
        block: that attribute alone, and `}` on the same line. Elsewhere each
        attribute and block ends its line. Terraform rejects a file that breaks
        them, so they are errors; the file is still read as written.
        """
        text = self.text
        if braces is not None and braces[1] == -1:
            return  # (the grammar found the brace: not reached)
        if braces is not None and items and not _breaks_line(text[braces[0] : items[0].start]):
            first = items[0]
            if first.kind == "block":
                self.error(
                    "a one-line block cannot hold a block: begin a new line after '{' "
                    "(Terraform rejects this)",
                    first.start,
                )
            elif len(items) > 1 or _breaks_line(text[first.end : braces[1]]):
                self.error(
                    "a one-line block holds one attribute and closes on the same line: "
                    "begin a new line after '{' (Terraform rejects this)",
                    first.end,
                )
            return
        for item, following in itertools.pairwise(items):
            if not _breaks_line(text[item.end : following.start]):
                self.error(
                    f"a new line must come before this {following.kind}: Terraform "
                    "rejects an attribute or a block with more after it on its line",
                    following.start,
                )
        if braces is not None and items and not _breaks_line(text[items[-1].end : braces[1]]):
            self.error(
                f"a new line must come between the last {items[-1].kind} and the block's "
                "closing '}' (Terraform rejects this)",
                braces[1],
            )

    def attribute(self, tree: Tree) -> Attribute:
        name_token: Token = tree.children[0].children[0]
        name = name_token.value
        equals = tree.children[1]
        start = name_token.start_pos
        try:
            expr, end = parse_expression(self.text, equals.end_pos)
        except RecursionError:
            exc = HclSyntaxError("nested too deeply", equals.end_pos)
            return self.unreadable(name, exc, start, equals.end_pos)
        except HclSyntaxError as exc:
            return self.unreadable(name, exc, start, equals.end_pos)
        if _END_OF_ATTRIBUTE.match(self.text, end) is None:
            self.problem(
                f"cannot read the value of '{name}' to its end; it is treated as unknown",
                end,
                HCL_UNREADABLE,
                name,
            )
            return Attribute(name, Unreadable("not read to its end", start, end), start, end)
        if end == len(self.text) and not self.text.endswith("\n"):
            self.heredoc_at_end_of_file(tree.children[2], end)
        return Attribute(name, expr, start, end)

    def heredoc_at_end_of_file(self, expression: Tree | Token, end: int) -> None:
        """Terraform finds no heredoc's end on the file's last line when no newline follows."""
        last = _last_token(expression)
        if last is None:
            return
        heredoc = _HEREDOC.match(last.value)
        # The grammar read the text with a newline added: this heredoc needed it.
        if heredoc is None or last.end_pos <= len(self.text):
            return
        marker = heredoc.group(1)
        line, column = self.source.position(self.text.rfind("\n", 0, end) + 1)
        self.problems.append(
            Diagnostic.error(
                self.source.file,
                f"heredoc <<{marker} is closed on the last line without a newline after "
                f"'{marker}': Terraform does not see it closed; the value is read as written",
                line,
                column,
            )
        )

    def unreadable(self, name: str, exc: HclSyntaxError, start: int, value_start: int) -> Attribute:
        self.problem(
            f"cannot read the value of '{name}' ({exc.message}); it is treated as unknown",
            exc.offset,
            HCL_UNREADABLE,
            name,
        )
        line_end = self.text.find("\n", value_start)
        end = len(self.text) if line_end == -1 else line_end
        return Attribute(name, Unreadable(exc.message, start, end), start, end)

    def block(self, tree: Tree) -> tuple[Block, int]:
        """A block, and the offset just after its closing brace."""
        type_token: Token = tree.children[0].children[0]
        start = type_token.start_pos
        labels: list[str] = []
        pos = type_token.end_pos
        text = self.text
        while True:
            spaces = _SPACES.match(text, pos)
            assert spaces is not None  # the pattern matches the empty string
            pos = spaces.end()
            char = text[pos : pos + 1]
            if char == '"':
                label, pos = self.label(pos)
                labels.append(label)
            elif char and char != "{":
                name = _IDENTIFIER.match(text, pos)
                if name is None:
                    break
                labels.append(name.group())
                pos = name.end()
            else:
                break
        body_tree = tree.children[-1]
        opening = text.index("{", pos)
        if self.depth >= MAX_BLOCK_DEPTH:
            raise HclSyntaxError(f"blocks nested deeper than {MAX_BLOCK_DEPTH} levels", start)
        self.depth += 1
        try:
            body, content_end = self.body(body_tree, opening)
        finally:
            self.depth -= 1
        # Only spaces lie between the body's last item or comment and the brace.
        closing = text.find("}", content_end)
        block = Block(type_token.value, tuple(labels), body, start, pos)
        return block, (closing if closing != -1 else content_end) + 1

    def label(self, pos: int) -> tuple[str, int]:
        expr, end = parse_expression(self.text, pos)
        if type(expr) is Literal and isinstance(expr.value, str):
            return expr.value, end
        self.problem("a block label cannot contain interpolations; it is read as written", pos)
        return self.text[pos + 1 : end - 1], end

"""Read an HCL file (Terraform `.tf`, `.tfvars`) into our located syntax tree.

python-hcl2's grammar checks the syntax and gives the structure: bodies, blocks
and attributes with the offsets of their tokens. Each attribute's expression is
then read by our own parser (`expressions.py`) straight from the text, so every
attribute, list element and object value keeps its exact line and column.
python-hcl2's dictionary output is not used: it keeps lines for blocks only and
turns expressions back into text.
"""

from __future__ import annotations

import re
from typing import Any

from iaclint.diagnostics import Diagnostic
from iaclint.parse.document import ParseError
from iaclint.parse.hcl.expressions import HclSyntaxError, parse_expression
from iaclint.parse.hcl.grammar import hcl_parser
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
_END_OF_ATTRIBUTE = re.compile(r"[ \t\r]*(?:(?:#|//)[^\n]*|/\*.*?\*/[ \t\r]*)*(?:\n|\}|$)", re.S)

# Lark's terminal names, in words, for syntax errors.
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


def read_hcl(text: str, file: str) -> HclFile:
    """Read one HCL file. Raises ParseError (located) when its syntax is wrong."""
    parser = hcl_parser()  # first: it imports Lark in the way it chooses
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

    # Lark's grammar knows only LF; a space before each LF keeps every offset.
    clean = text.replace("\r\n", " \n")
    try:
        tree = parser.parse(clean + "\n")
    except UnexpectedCharacters as exc:
        position = exc.pos_in_stream or 0
        found = clean[position : position + 1]
        raise ParseError(
            f"invalid HCL: unexpected character {found!r}",
            exc.line,
            exc.column,
        ) from None
    except UnexpectedEOF:
        line = clean.count("\n") + 1
        raise ParseError("invalid HCL: unexpected end of file", line, 1) from None
    except UnexpectedInput as exc:
        raise ParseError(_describe(exc, clean), exc.line, exc.column) from None
    except RecursionError:
        raise ParseError("invalid HCL: nested too deeply to read") from None
    source = SourceText(file, clean)
    builder = _Builder(source)
    try:
        body = builder.body(tree.children[0])
    except RecursionError:
        raise ParseError("invalid HCL: blocks nested too deeply to read") from None
    return HclFile(source, body, tuple(builder.problems))


_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)")


def _describe(exc: Any, text: str) -> str:
    token = getattr(exc, "token", None)
    heredoc = _HEREDOC.match(str(token)) if token is not None else None
    if heredoc is not None:
        marker = heredoc.group(1)
        return (
            f"invalid HCL: heredoc <<{marker} is never closed "
            f"(no line holding only {marker} after it)"
        )
    # A token can span lines (a comment, a string): show its first line only.
    first_line = str(token).split("\n", 1)[0].strip() if token is not None else ""
    if token is None or token.type == "$END":
        found = "the end of the file"
    else:
        found = repr(first_line) if first_line else "the end of a line"
    expected = sorted(
        {
            # The grammar's anonymous rules (`__anon...`) stand for expressions.
            _TOKEN_NAMES.get(name, "an expression" if name.startswith("__") else name.lower())
            for name in getattr(exc, "expected", ()) or ()
        }
    )
    hint = f" (expected {', '.join(expected[:6])})" if expected else ""
    return f"invalid HCL: unexpected {found}{hint}"


class _Builder:
    def __init__(self, source: SourceText):
        self.source = source
        self.text = source.text
        self.problems: list[Diagnostic] = []

    def problem(self, message: str, offset: int) -> None:
        line, column = self.source.position(offset)
        self.problems.append(Diagnostic.warning(self.source.file, message, line, column))

    def body(self, tree: Any) -> Body:
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        for child in tree.children:
            data = getattr(child, "data", None)
            if data == "attribute":
                attribute = self.attribute(child)
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
                blocks.append(self.block(child))
        return Body(attributes, tuple(blocks))

    def attribute(self, tree: Any) -> Attribute:
        name_token = tree.children[0].children[0]
        equals = tree.children[1]
        start = name_token.start_pos
        try:
            expr, end = parse_expression(self.text, equals.end_pos)
        except RecursionError:
            exc = HclSyntaxError("nested too deeply", equals.end_pos)
            return self.unreadable(name_token, exc, start, equals.end_pos)
        except HclSyntaxError as exc:
            return self.unreadable(name_token, exc, start, equals.end_pos)
        if _END_OF_ATTRIBUTE.match(self.text, end) is None:
            self.problem(
                f"cannot read the value of '{name_token}' to its end; it is treated as unknown",
                end,
            )
            return Attribute(
                str(name_token), Unreadable("not read to its end", start, end), start, end
            )
        return Attribute(str(name_token), expr, start, end)

    def unreadable(
        self, name: object, exc: HclSyntaxError, start: int, value_start: int
    ) -> Attribute:
        self.problem(
            f"cannot read the value of '{name}' ({exc.message}); it is treated as unknown",
            exc.offset,
        )
        line_end = self.text.find("\n", value_start)
        end = len(self.text) if line_end == -1 else line_end
        return Attribute(str(name), Unreadable(exc.message, start, end), start, end)

    def block(self, tree: Any) -> Block:
        type_token = tree.children[0].children[0]
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
        return Block(str(type_token), tuple(labels), self.body(body_tree), start, pos)

    def label(self, pos: int) -> tuple[str, int]:
        expr, end = parse_expression(self.text, pos)
        if type(expr) is Literal and isinstance(expr.value, str):
            return expr.value, end
        self.problem("a block label cannot contain interpolations; it is read as written", pos)
        return self.text[pos + 1 : end - 1], end

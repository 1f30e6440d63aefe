"""HCL expressions: a small recursive-descent parser over the file's own text.

python-hcl2's grammar tells us where each attribute's expression starts, and
has already checked the file's syntax; its own expression trees are not used,
because its grammar gives every binary operator the same precedence. This
parser follows the HCL specification:

    conditional   a ? b : c                     (lowest, right-associative)
    ||            &&            == !=           < <= > >=
    + -           * / %                         (highest binary)
    unary ! -     traversals .a [i] .* [*]      primaries

Newlines end an expression except inside parentheses, brackets, interpolations
and after an operator; in an object constructor they separate items. Templates
(quoted strings and heredocs) keep their interpolations `${...}` and
directives `%{if}`/`%{for}` as nodes, with `~` strip markers applied.
"""

from __future__ import annotations

import re
import unicodedata

from iaclint.parse.hcl.syntax import (
    Binary,
    Call,
    Conditional,
    Expr,
    ForDirective,
    ForExpr,
    GetAttr,
    IfDirective,
    Index,
    Interpolation,
    Literal,
    ObjectExpr,
    ObjectItem,
    Splat,
    SplatItem,
    Template,
    TemplatePart,
    TupleExpr,
    Unary,
    Variable,
)

MAX_DEPTH = 100
# Digits a whole number literal may have (Python refuses to read more than 4,300,
# and Terraform's own numbers keep 512 bits, about 150 digits).
MAX_DIGITS = 1_000

_SKIP_NEWLINES = re.compile(r"(?:[ \t\r\n]+|#[^\n]*|//[^\n]*|/\*.*?\*/)*", re.S)
_SKIP_SPACES = re.compile(r"(?:[ \t\r]+|#[^\n]*|//[^\n]*|/\*.*?\*/)*", re.S)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_PROVIDER_FUNCTION = re.compile(r"provider::[A-Za-z_][A-Za-z0-9_-]*::[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_DIGITS = re.compile(r"[0-9]+")
_BINARY = re.compile(r"==|!=|<=|>=|&&|\|\||[<>+\-*/%]")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)\r?\n")
_QUOTED_CHUNK = re.compile(r'[^"\\$%\n]+|\$(?!\{)|%(?!\{)')
_HEREDOC_CHUNK = re.compile(r"[^$%]+|\$(?!\{)|%(?!\{)")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}

PRECEDENCE = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 4,
    ">": 4,
    "<=": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}

_KEYWORDS = {"true": True, "false": False, "null": None}


class HclSyntaxError(Exception):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message = message
        self.offset = offset


def parse_expression(text: str, start: int) -> tuple[Expr, int]:
    """Parse the expression of an attribute starting at `start`; return it and its end."""
    parser = _Parser(text)
    expr, end = parser.expression(parser.skip(start, False), False, 0)
    return expr, end


def parse_template(text: str) -> Template | Literal:
    """Parse a whole text as template content (the body of a `templatefile`)."""
    parser = _Parser(text)
    parts, _ = parser.template_parts(0, len(text), quoted=False, depth=0)
    return _finish_template(parts, 0, len(text))


def parse_embedded(text: str, place: int | tuple[int, int], template: bool) -> Expr:
    """Parse a whole text taken out of a string of another syntax (Terraform's JSON).

    As template content (`"${var.x}-logs"`), or as one expression (a variable's
    `type`, a `depends_on` reference). `place` is the offset in the file of the
    text's first character, when the text is written there as it is; or, for a
    text decoded from escapes (whose offsets are not the file's), the offsets
    every node takes: the string's. Raises HclSyntaxError at a file offset.
    """
    parser = _Parser(text, shift=place) if isinstance(place, int) else _Parser(text, fixed=place)
    if template:
        parts, _ = parser.template_parts(0, len(text), quoted=False, depth=0)
        return _finish_template(parts, *parser.at(0, len(text)))
    expr, end = parser.expression(parser.skip(0, True), True, 0)
    end = parser.skip(end, True)
    if end != len(text):
        raise parser.error("unexpected text after the expression", end)
    return expr


# -- template assembly ---------------------------------------------------------

# Flat template items before directives are nested.
_Open = tuple[str, object, bool, bool]  # (kind, payload, strip_left, strip_right)


def _finish_template(parts: list[TemplatePart], start: int, end: int) -> Template | Literal:
    if not parts:
        return Literal("", start, end)
    if len(parts) == 1 and isinstance(parts[0], str):
        return Literal(parts[0], start, end)
    return Template(tuple(parts), start, end)


class _Parser:
    def __init__(self, text: str, fixed: tuple[int, int] | None = None, shift: int = 0):
        self.text = text
        # For a dedented heredoc parsed from a copy: every node gets these offsets.
        self.fixed = fixed
        # For a text that starts at this offset of its file (a JSON string's content).
        self.shift = shift

    # -- positions and errors ------------------------------------------------

    def at(self, start: int, end: int) -> tuple[int, int]:
        if self.fixed is not None:
            return self.fixed
        return start + self.shift, end + self.shift

    def whole(self, digits: str, offset: int) -> int:
        """A whole number literal; one too long to compute with is a syntax error."""
        if len(digits) > MAX_DIGITS:
            raise self.error(f"a number with more than {MAX_DIGITS:,} digits", offset)
        return int(digits)

    def error(self, message: str, offset: int) -> HclSyntaxError:
        if self.fixed is not None:
            offset = self.fixed[0]
        return HclSyntaxError(message, offset + (self.shift if self.fixed is None else 0))

    def skip(self, pos: int, newlines: bool) -> int:
        match = (_SKIP_NEWLINES if newlines else _SKIP_SPACES).match(self.text, pos)
        assert match is not None
        return match.end()

    def expect(self, pos: int, token: str, newlines: bool) -> int:
        pos = self.skip(pos, newlines)
        if not self.text.startswith(token, pos):
            raise self.error(f"expected '{token}'", pos)
        return pos + len(token)

    # -- expressions -----------------------------------------------------------

    def expression(self, pos: int, newlines: bool, depth: int) -> tuple[Expr, int]:
        if depth > MAX_DEPTH:
            raise self.error(f"expression nested deeper than {MAX_DEPTH} levels", pos)
        start = pos
        condition, pos = self.binary(pos, newlines, 1, depth)
        after = self.skip(pos, newlines)
        if self.text.startswith("?", after):
            then, pos = self.expression(self.skip(after + 1, True), newlines, depth + 1)
            pos = self.expect(pos, ":", True)
            otherwise, pos = self.expression(self.skip(pos, True), newlines, depth + 1)
            return Conditional(condition, then, otherwise, *self.at(start, pos)), pos
        return condition, pos

    def binary(self, pos: int, newlines: bool, minimum: int, depth: int) -> tuple[Expr, int]:
        start = pos
        left, pos = self.unary(pos, newlines, depth)
        text = self.text
        while True:
            after = self.skip(pos, newlines)
            match = _BINARY.match(text, after)
            if match is None:
                return left, pos
            op = match.group()
            precedence = PRECEDENCE[op]
            if precedence < minimum:
                return left, pos
            if op in ("<", ">") and text.startswith(op * 2, after):
                return left, pos  # `<<` starts a heredoc, never an operator here
            right, pos = self.binary(
                self.skip(match.end(), True), newlines, precedence + 1, depth + 1
            )
            left = Binary(op, left, right, *self.at(start, pos))

    def unary(self, pos: int, newlines: bool, depth: int) -> tuple[Expr, int]:
        char = self.text[pos : pos + 1]
        if char in ("!", "-") and not self.text.startswith("!=", pos):
            operand, end = self.unary(self.skip(pos + 1, newlines), newlines, depth + 1)
            value = operand.value if type(operand) is Literal else None
            if char == "-" and isinstance(value, int | float) and not isinstance(value, bool):
                return Literal(-value, *self.at(pos, end)), end
            return Unary(char, operand, *self.at(pos, end)), end
        return self.postfix(pos, newlines, depth)

    def postfix(self, pos: int, newlines: bool, depth: int) -> tuple[Expr, int]:
        start = pos
        expr, pos = self.primary(pos, depth)
        text = self.text
        while True:
            after = self.skip(pos, newlines) if newlines else pos
            char = text[after : after + 1]
            if char == ".":
                if text.startswith(".*", after):
                    each, pos = self.splat_tail(after + 2, start, True, depth)
                    expr = Splat(expr, each, *self.at(start, pos))
                    continue
                name_at = after + 1
                digits = _DIGITS.match(text, name_at)
                if digits is not None:
                    key = Literal(
                        self.whole(digits.group(), name_at), *self.at(name_at, digits.end())
                    )
                    pos = digits.end()
                    expr = Index(expr, key, *self.at(start, pos))
                    continue
                name = _IDENTIFIER.match(text, name_at)
                if name is None:
                    return expr, pos
                pos = name.end()
                expr = GetAttr(expr, name.group(), *self.at(start, pos))
            elif char == "[":
                inner = self.skip(after + 1, True)
                if text.startswith("*", inner) and text.startswith("]", self.skip(inner + 1, True)):
                    each, pos = self.splat_tail(self.skip(inner + 1, True) + 1, start, False, depth)
                    expr = Splat(expr, each, *self.at(start, pos))
                    continue
                index, pos = self.expression(inner, True, depth + 1)
                pos = self.expect(pos, "]", True)
                expr = Index(expr, index, *self.at(start, pos))
            else:
                return expr, pos

    def splat_tail(
        self, pos: int, start: int, attributes_only: bool, depth: int
    ) -> tuple[Expr, int]:
        """The traversal applied to each element after `.*` or `[*]`.

        A full splat `[*]` takes every traversal after it, splats included:
        `a[*].b[*].c` applies `.b[*].c` to each element of `a`, so a splat over a
        splat's elements nests. An attribute-only splat `.*` takes attributes and
        legacy indexes (`.0`) only: a bracket ends it (`a.*.b[0]` indexes its
        result), and HCL allows no splat inside it (`a.*.b.*.c` is an error).
        """
        if depth > MAX_DEPTH:
            raise self.error(f"expression nested deeper than {MAX_DEPTH} levels", pos)
        text = self.text
        each: Expr = SplatItem(*self.at(start, pos))
        while True:
            char = text[pos : pos + 1]
            if char == "." and text.startswith(".*", pos):
                if attributes_only:
                    raise self.error(
                        "a splat cannot be used inside an attribute-only splat '.*' "
                        "(Terraform rejects it; write [*] for the first one)",
                        pos,
                    )
                inner, pos = self.splat_tail(pos + 2, start, True, depth + 1)
                each = Splat(each, inner, *self.at(start, pos))
            elif char == "." and not text.startswith("..", pos):
                name = _IDENTIFIER.match(text, pos + 1)
                digits = _DIGITS.match(text, pos + 1)
                if name is not None:
                    each = GetAttr(each, name.group(), *self.at(start, name.end()))
                    pos = name.end()
                elif digits is not None:
                    key = Literal(
                        self.whole(digits.group(), pos + 1), *self.at(pos + 1, digits.end())
                    )
                    each = Index(each, key, *self.at(start, digits.end()))
                    pos = digits.end()
                else:
                    return each, pos
            elif char == "[" and not attributes_only:
                inner_at = self.skip(pos + 1, True)
                closing = self.skip(inner_at + 1, True)
                if text.startswith("*", inner_at) and text.startswith("]", closing):
                    # Everything after a nested full splat is applied by it.
                    rest, pos = self.splat_tail(closing + 1, start, False, depth + 1)
                    return Splat(each, rest, *self.at(start, pos)), pos
                index, end = self.expression(inner_at, True, depth + 1)
                pos = self.expect(end, "]", True)
                each = Index(each, index, *self.at(start, pos))
            else:
                return each, pos

    def primary(self, pos: int, depth: int) -> tuple[Expr, int]:
        text = self.text
        char = text[pos : pos + 1]
        if char == "(":
            inner, end = self.expression(self.skip(pos + 1, True), True, depth + 1)
            return inner, self.expect(end, ")", True)
        if char == "[":
            return self.tuple_or_for(pos, depth)
        if char == "{":
            return self.object_or_for(pos, depth)
        if char == '"':
            return self.quoted(pos, depth)
        if char == "<" and text.startswith("<<", pos):
            return self.heredoc(pos, depth)
        number = _NUMBER.match(text, pos)
        if number is not None:
            literal = number.group()
            value: int | float = (
                float(literal) if number.group(1) or number.group(2) else self.whole(literal, pos)
            )
            if value in (float("inf"), float("-inf")):
                raise self.error("a number too large for iaclint to compute with", pos)
            return Literal(value, *self.at(pos, number.end())), number.end()
        provider = _PROVIDER_FUNCTION.match(text, pos)
        if provider is not None and text.startswith("(", self.skip(provider.end(), False)):
            return self.call(provider.group(), pos, self.skip(provider.end(), False), depth)
        name = _IDENTIFIER.match(text, pos)
        if name is None:
            found = repr(char) if char else "the end of the file"
            raise self.error(f"expected an expression, found {found}", pos)
        word = name.group()
        end = name.end()
        if word in _KEYWORDS:
            return Literal(_KEYWORDS[word], *self.at(pos, end)), end
        after = self.skip(end, False)
        if text.startswith("(", after):
            return self.call(word, pos, after, depth)
        return Variable(word, *self.at(pos, end)), end

    def call(self, name: str, start: int, paren: int, depth: int) -> tuple[Expr, int]:
        text = self.text
        args: list[Expr] = []
        expand = False
        pos = self.skip(paren + 1, True)
        while not text.startswith(")", pos):
            arg, pos = self.expression(pos, True, depth + 1)
            args.append(arg)
            pos = self.skip(pos, True)
            if text.startswith("...", pos):
                expand = True
                pos = self.skip(pos + 3, True)
            if text.startswith(",", pos):
                pos = self.skip(pos + 1, True)
            elif not text.startswith(")", pos):
                raise self.error(f"expected ',' or ')' in the arguments of {name}()", pos)
        end = pos + 1
        return Call(name, tuple(args), expand, *self.at(start, end)), end

    def is_for(self, pos: int) -> bool:
        match = _IDENTIFIER.match(self.text, pos)
        return match is not None and match.group() == "for"

    def tuple_or_for(self, start: int, depth: int) -> tuple[Expr, int]:
        text = self.text
        pos = self.skip(start + 1, True)
        if self.is_for(pos):
            return self.for_expr(start, pos, depth, is_object=False)
        items: list[Expr] = []
        while not text.startswith("]", pos):
            item, pos = self.expression(pos, True, depth + 1)
            items.append(item)
            pos = self.skip(pos, True)
            if text.startswith(",", pos):
                pos = self.skip(pos + 1, True)
            elif not text.startswith("]", pos):
                raise self.error("expected ',' or ']' in a list", pos)
        end = pos + 1
        return TupleExpr(tuple(items), *self.at(start, end)), end

    def object_or_for(self, start: int, depth: int) -> tuple[Expr, int]:
        text = self.text
        pos = self.skip(start + 1, True)
        if self.is_for(pos):
            return self.for_expr(start, pos, depth, is_object=True)
        items: list[ObjectItem] = []
        while not text.startswith("}", pos):
            literal_key: str | None = None
            name = _IDENTIFIER.match(text, pos)
            key: Expr
            after_name = self.skip(name.end(), False) if name is not None else pos
            if name is not None and text[after_name : after_name + 1] in ("=", ":"):
                literal_key = name.group()  # `null = 1` too: the key is the name
                key = Literal(literal_key, *self.at(pos, name.end()))
                pos = name.end()
            else:
                key, pos = self.expression(pos, False, depth + 1)
            pos = self.skip(pos, False)
            if text[pos : pos + 1] not in ("=", ":") or text.startswith(("==", "=>"), pos):
                raise self.error("expected '=' or ':' after an object key", pos)
            value, pos = self.expression(self.skip(pos + 1, True), False, depth + 1)
            items.append(ObjectItem(literal_key, key, value))
            pos = self.skip(pos, False)
            if text.startswith(",", pos):
                pos += 1
            elif not text.startswith(("\n", "}"), pos):
                raise self.error("expected a newline, ',' or '}' after an object item", pos)
            pos = self.skip(pos, True)
        end = pos + 1
        return ObjectExpr(tuple(items), *self.at(start, end)), end

    def for_expr(self, start: int, pos: int, depth: int, is_object: bool) -> tuple[Expr, int]:
        text = self.text
        pos = self.skip(pos + 3, True)
        first = _IDENTIFIER.match(text, pos)
        if first is None:
            raise self.error("expected a variable name after 'for'", pos)
        key_var: str | None = None
        value_var = first.group()
        pos = self.skip(first.end(), True)
        if text.startswith(",", pos):
            second = _IDENTIFIER.match(text, self.skip(pos + 1, True))
            if second is None:
                raise self.error("expected a second variable name after ','", pos)
            key_var, value_var = value_var, second.group()
            pos = self.skip(second.end(), True)
        word = _IDENTIFIER.match(text, pos)
        if word is None or word.group() != "in":
            raise self.error("expected 'in' in a for expression", pos)
        collection, pos = self.expression(self.skip(word.end(), True), True, depth + 1)
        pos = self.expect(pos, ":", True)
        key: Expr | None = None
        if is_object:
            key, pos = self.expression(self.skip(pos, True), True, depth + 1)
            pos = self.expect(pos, "=>", True)
        value, pos = self.expression(self.skip(pos, True), True, depth + 1)
        pos = self.skip(pos, True)
        grouping = False
        if is_object and text.startswith("...", pos):
            grouping = True
            pos = self.skip(pos + 3, True)
        condition: Expr | None = None
        word = _IDENTIFIER.match(text, pos)
        if word is not None and word.group() == "if":
            condition, pos = self.expression(self.skip(word.end(), True), True, depth + 1)
        end = self.expect(pos, "}" if is_object else "]", True)
        node = ForExpr(key_var, value_var, collection, key, value, condition, grouping, start, end)
        return node._replace(start=self.at(start, end)[0], end=self.at(start, end)[1]), end

    # -- templates -------------------------------------------------------------

    def quoted(self, start: int, depth: int) -> tuple[Expr, int]:
        parts, end = self.template_parts(start + 1, len(self.text), quoted=True, depth=depth)
        start_end = self.at(start, end)
        return _finish_template(parts, *start_end), end

    def heredoc(self, start: int, depth: int) -> tuple[Expr, int]:
        text = self.text
        opener = _HEREDOC.match(text, start)
        if opener is None:
            raise self.error("expected a heredoc marker like <<EOT on its own line", start)
        flush, marker = opener.group(1) == "-", opener.group(2)
        body_start = opener.end()
        # The first line holding the marker alone, spaces or tabs around it.
        closing = re.compile(r"^[^\S\n]*" + re.escape(marker) + r"[^\S\n]*$", re.M)
        found = closing.search(text, body_start)
        if found is None:
            raise self.error(f"heredoc <<{marker} has no closing '{marker}' line", start)
        body_end = found.start()
        end = found.end()
        if flush:
            content = _dedent(text[body_start:body_end])
            inner = _Parser(content, fixed=self.at(start, end))
            parts, _ = inner.template_parts(0, len(content), quoted=False, depth=depth)
            return _finish_template(parts, *self.at(start, end)), end
        parts, _ = self.template_parts(body_start, body_end, quoted=False, depth=depth)
        return _finish_template(parts, *self.at(start, end)), end

    def template_parts(
        self, pos: int, limit: int, quoted: bool, depth: int
    ) -> tuple[list[TemplatePart], int]:
        """Template content from `pos`; a quoted template stops after its closing quote."""
        items: list[object] = []  # str, or (kind, payload, strip_left, strip_right)
        text = self.text
        chunk = _QUOTED_CHUNK if quoted else _HEREDOC_CHUNK
        literal: list[str] = []
        while True:
            if pos >= limit:
                if quoted:
                    raise self.error("unterminated string", pos)
                break
            char = text[pos]
            if quoted and char == '"':
                pos += 1
                break
            if quoted and char == "\n":
                raise self.error("a quoted string cannot span lines (use a heredoc)", pos)
            if quoted and char == "\\":
                escaped, pos = self.escape(pos)
                literal.append(escaped)
                continue
            if text.startswith(("$${", "%%{"), pos):
                literal.append(text[pos + 1 : pos + 3])
                pos += 3
                continue
            if text.startswith("${", pos):
                items.append("".join(literal))
                literal = []
                strip_left = text.startswith("~", pos + 2)
                inner = self.skip(pos + 2 + strip_left, True)
                expr, pos = self.expression(inner, True, depth + 1)
                pos = self.skip(pos, True)
                strip_right = text.startswith("~", pos)
                pos = self.expect(pos + strip_right, "}", True)
                items.append(("interp", expr, strip_left, strip_right))
                continue
            if text.startswith("%{", pos):
                items.append("".join(literal))
                literal = []
                item, pos = self.directive(pos, depth)
                items.append(item)
                continue
            match = chunk.match(text, pos, limit)
            if match is None:  # a lone '$' or '%' right at the limit
                literal.append(char)
                pos += 1
                continue
            literal.append(match.group())
            pos = match.end()
        items.append("".join(literal))
        return self.nest(_apply_strip(items), pos), pos

    def escape(self, pos: int) -> tuple[str, int]:
        text = self.text
        kind = text[pos + 1 : pos + 2]
        if kind in _ESCAPES:
            return _ESCAPES[kind], pos + 2
        if kind in ("u", "U"):
            width = 4 if kind == "u" else 8
            digits = text[pos + 2 : pos + 2 + width]
            if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                code = int(digits, 16)
                if code <= 0x10FFFF:
                    return chr(code), pos + 2 + width
        raise self.error(f"invalid escape sequence '\\{kind}'", pos)

    def directive(self, pos: int, depth: int) -> tuple[_Open, int]:
        text = self.text
        strip_left = text.startswith("~", pos + 2)
        inner = self.skip(pos + 2 + strip_left, True)
        word = _IDENTIFIER.match(text, inner)
        keyword = word.group() if word is not None else ""
        payload: object = None
        if keyword == "if" and word is not None:
            payload, inner = self.expression(self.skip(word.end(), True), True, depth + 1)
        elif keyword == "for" and word is not None:
            first = _IDENTIFIER.match(text, self.skip(word.end(), True))
            if first is None:
                raise self.error("expected a variable name after %{for", inner)
            names = [first.group()]
            inner = self.skip(first.end(), True)
            if text.startswith(",", inner):
                second = _IDENTIFIER.match(text, self.skip(inner + 1, True))
                if second is None:
                    raise self.error("expected a second variable name", inner)
                names.append(second.group())
                inner = self.skip(second.end(), True)
            word_in = _IDENTIFIER.match(text, inner)
            if word_in is None or word_in.group() != "in":
                raise self.error("expected 'in' in %{for}", inner)
            collection, inner = self.expression(self.skip(word_in.end(), True), True, depth + 1)
            payload = (names, collection)
        elif keyword in ("else", "endif", "endfor") and word is not None:
            inner = word.end()
        else:
            raise self.error("expected if, else, endif, for or endfor after '%{'", inner)
        inner = self.skip(inner, True)
        strip_right = text.startswith("~", inner)
        end = self.expect(inner + strip_right, "}", True)
        return (keyword, payload, strip_left, strip_right), end

    def nest(self, items: list[object], pos: int) -> list[TemplatePart]:
        """Turn the flat list of literals and directives into nested template parts."""
        stack: list[tuple[str, object, list[TemplatePart], list[TemplatePart] | None]] = []
        current: list[TemplatePart] = []
        for item in items:
            if isinstance(item, str):
                if item:
                    current.append(_nfc(item))
                continue
            assert isinstance(item, tuple)
            kind, payload = item[0], item[1]
            if kind == "interp":
                assert isinstance(payload, tuple)  # every expression node is a tuple
                current.append(Interpolation(payload))  # type: ignore[arg-type]
            elif kind in ("if", "for"):
                stack.append((kind, payload, current, None))
                current = []
            elif kind == "else":
                if not stack or stack[-1][0] != "if" or stack[-1][3] is not None:
                    raise self.error("%{else} without a matching %{if}", pos)
                opened = stack.pop()
                stack.append((opened[0], opened[1], opened[2], current))
                current = []
            else:  # endif / endfor
                wanted = "if" if kind == "endif" else "for"
                if not stack or stack[-1][0] != wanted:
                    raise self.error(f"%{{{kind}}} without a matching %{{{wanted}}}", pos)
                opened_kind, opened_payload, outer, then = stack.pop()
                part: TemplatePart
                if opened_kind == "if":
                    condition = opened_payload
                    if then is None:
                        part = IfDirective(condition, tuple(current), ())  # type: ignore[arg-type]
                    else:
                        part = IfDirective(condition, tuple(then), tuple(current))  # type: ignore[arg-type]
                else:
                    assert isinstance(opened_payload, tuple)
                    names, collection = opened_payload
                    key_var = names[0] if len(names) == 2 else None
                    part = ForDirective(key_var, names[-1], collection, tuple(current))
                outer.append(part)
                current = outer
        if stack:
            raise self.error(f"%{{{stack[-1][0]}}} is never closed", pos)
        return current


def _apply_strip(items: list[object]) -> list[object]:
    """Apply `~` strip markers to the literal text on either side of them."""
    out = list(items)
    for index, item in enumerate(out):
        if isinstance(item, tuple):
            strip_left, strip_right = item[2], item[3]
            if strip_left and index > 0 and isinstance(out[index - 1], str):
                out[index - 1] = str(out[index - 1]).rstrip(" \t\r\n")
            if strip_right and index + 1 < len(out) and isinstance(out[index + 1], str):
                out[index + 1] = str(out[index + 1]).lstrip(" \t\r\n")
    return out


def _dedent(content: str) -> str:
    """A flush heredoc (`<<-`): remove the indentation common to every non-blank line.

    As HCL does: indentation is counted in characters, any Unicode space being
    one (a tab too), and lines holding only spaces neither count nor change.
    """
    lines = content.split("\n")
    widths = [len(line) - len(line.lstrip()) for line in lines if not line.isspace() and line]
    common = min(widths) if widths else 0
    return "\n".join(line[common:] if line and not line.isspace() else line for line in lines)


def _nfc(text: str) -> str:
    """Literal text as HCL keeps it: in Unicode normalization form C (ñ, not n + ~)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)

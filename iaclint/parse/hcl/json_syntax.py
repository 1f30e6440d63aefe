"""Read a Terraform JSON configuration file (`.tf.json`) into the HCL syntax tree.

Terraform's JSON syntax writes the same configuration as nested objects: a block
is a property named by its type, its labels are the keys of the objects below it,
and several blocks of one type are an array. The tree built here is the one
`reader.py` builds for a `.tf` file (bodies, blocks, attributes, expressions), with
offsets in the JSON text, so evaluation, references, modules and every policy work
unchanged, and a finding points at the JSON property or element to edit.

What a string means depends on where it is, as Terraform reads it: an argument's
string is a template (`"${aws_vpc.main.id}"`); a variable's `type`, a `provider`,
the references of `depends_on` and a dynamic block's `iterator` are expressions
written in a string; a variable's `default` and the `terraform` block are
literal values. A property named `//` in a block is a comment.

Without the provider's schema, a nested block cannot always be told from an
argument holding an object: an object (or an array of objects) is read as nested
blocks, as Terraform does for the blocks its schema names, except under the
arguments the AWS provider takes as maps (`tags`, `variables`, ...) and objects
whose keys could not be argument names (`"Name"`, `"aws:x"`), which are maps.
Blocks and arguments of objects evaluate alike (a list of objects), so only a
map taken for a block is read wrongly: the first rule lists those maps.

A file that is not JSON stops with a located error; JSON that breaks these rules
(an array where a block is due, a resource without its name) is a located error
on that part, and the rest of the file is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

from iaclint.collector import paused
from iaclint.diagnostics import HCL_UNREADABLE, Diagnostic
from iaclint.parse.document import MAX_DEPTH, MAX_INTEGER_DIGITS, TOO_LONG_NUMBER, ParseError
from iaclint.parse.hcl.expressions import HclSyntaxError, parse_embedded
from iaclint.parse.hcl.syntax import (
    Attribute,
    Block,
    Body,
    Expr,
    HclFile,
    Interpolation,
    Literal,
    ObjectExpr,
    ObjectItem,
    SourceText,
    Template,
    TupleExpr,
    Unreadable,
)

_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]
_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_SPACE = re.compile(r"[ \t\n\r]*")
_LITERALS: dict[str, object] = {"true": True, "false": False, "null": None}
# An argument or block name, as the AWS provider spells them.
_ARGUMENT_NAME = re.compile(r"[a-z_][a-z0-9_]*")

COMMENT = "//"

# Top-level block types and how many labels each takes.
LABELS = {
    "resource": 2,
    "data": 2,
    "ephemeral": 2,
    "module": 1,
    "variable": 1,
    "output": 1,
    "provider": 1,
    "check": 1,
    "locals": 0,
    "terraform": 0,
    "moved": 0,
    "import": 0,
    "removed": 0,
}

# Arguments of the AWS provider (and of Terraform) that take a map, whose object
# is an argument even when its keys look like argument names.
MAP_ARGUMENTS = frozenset(
    {
        "tags",
        "tags_all",
        "variables",
        "environment_variables",
        "runtime_environment_variables",
        "runtime_environment_secrets",
        "airflow_configuration_options",
        "parameters",
        "labels",
        "annotations",
        "triggers",
        "request_parameters",
        "request_templates",
        "request_models",
        "response_parameters",
        "response_templates",
        "response_models",
        "stage_variables",
        "default_arguments",
        "non_overridable_arguments",
        "build_args",
        "options",
        "metadata",
        "properties",
        "context",
        "selector",
        "providers",
    }
)

_CONDITIONS = frozenset({"precondition", "postcondition"})
# The nested blocks of top-level blocks whose arguments may hold any object.
_BLOCKS_IN = {
    "output": _CONDITIONS,
    "check": frozenset({"assert"}),
}


# -- located JSON values ---------------------------------------------------------


class JString(NamedTuple):
    value: str
    # From the opening quote to after the closing one.
    start: int
    end: int


class JScalar(NamedTuple):
    """A number, a bool or null."""

    value: object
    start: int
    end: int


class JArray(NamedTuple):
    items: tuple[JValue, ...]
    start: int
    end: int


class JMember(NamedTuple):
    key: JString
    value: JValue


class JObject(NamedTuple):
    # In order, duplicates kept: Terraform reads repeated block types as more blocks.
    members: tuple[JMember, ...]
    start: int
    end: int


JValue = JString | JScalar | JArray | JObject
_BodyReader = Callable[[JObject], Body]


class _JsonReader:
    def __init__(self, source: SourceText):
        self.source = source
        self.text = source.text

    def error(self, offset: int, message: str) -> ParseError:
        line, column = self.source.position(offset)
        return ParseError(f"invalid JSON: {message}", line, column)

    def skip(self, i: int) -> int:
        match = _SPACE.match(self.text, i)
        assert match is not None  # the pattern matches the empty string
        return match.end()

    def document(self) -> JValue:
        start = self.skip(0)
        if start == len(self.text):
            raise self.error(start, "empty document")
        value = self.value(start, 0)
        rest = self.skip(value.end)
        if rest != len(self.text):
            raise self.error(rest, "extra data after the JSON value")
        return value

    def value(self, i: int, depth: int) -> JValue:
        text = self.text
        if i >= len(text):
            raise self.error(i, "unexpected end of file")
        char = text[i]
        if char in "{[":
            if depth >= MAX_DEPTH:
                raise self.error(i, f"nesting deeper than {MAX_DEPTH} levels")
            return self.mapping(i, depth) if char == "{" else self.array(i, depth)
        if char == '"':
            return self.string(i)
        number = _NUMBER.match(text, i)
        if number is not None:
            integer, fraction, exponent = number.groups()
            if len(integer) > MAX_INTEGER_DIGITS + 1:  # the sign is not a digit
                raise self.error(i, TOO_LONG_NUMBER)
            if fraction or exponent:
                return JScalar(float(number.group()), i, number.end())
            return JScalar(int(integer), i, number.end())
        for word, literal in _LITERALS.items():
            if text.startswith(word, i):
                return JScalar(literal, i, i + len(word))
        raise self.error(i, f"unexpected character {char!r}")

    def mapping(self, start: int, depth: int) -> JObject:
        text = self.text
        members: list[JMember] = []
        i = self.skip(start + 1)
        if text.startswith("}", i):
            return JObject((), start, i + 1)
        while True:
            if not text.startswith('"', i):
                raise self.error(i, "expected a property name in double quotes")
            key = self.string(i)
            i = self.skip(key.end)
            if not text.startswith(":", i):
                raise self.error(i, "expected ':' after the property name")
            value = self.value(self.skip(i + 1), depth + 1)
            members.append(JMember(key, value))
            i = self.skip(value.end)
            if text.startswith(",", i):
                i = self.skip(i + 1)
                continue
            if text.startswith("}", i):
                return JObject(tuple(members), start, i + 1)
            raise self.error(i, "expected ',' or '}' after a property")

    def array(self, start: int, depth: int) -> JArray:
        text = self.text
        items: list[JValue] = []
        i = self.skip(start + 1)
        if text.startswith("]", i):
            return JArray((), start, i + 1)
        while True:
            item = self.value(i, depth + 1)
            items.append(item)
            i = self.skip(item.end)
            if text.startswith(",", i):
                i = self.skip(i + 1)
                continue
            if text.startswith("]", i):
                return JArray(tuple(items), start, i + 1)
            raise self.error(i, "expected ',' or ']' after an array item")

    def string(self, i: int) -> JString:
        try:
            value, end = _scanstring(self.text, i + 1, True)
        except json.JSONDecodeError as exc:
            raise self.error(exc.pos, exc.msg.lower().removesuffix(" at")) from None
        return JString(value, i, end)


def read_json_value(text: str, file: str) -> JValue:
    """The located JSON value of a file. Raises ParseError (located)."""
    return _JsonReader(SourceText(file, text)).document()


def comments(value: JValue) -> Iterator[tuple[JString, JObject]]:
    """Every `//` property holding a string, with the object it is written in."""
    stack = [value]
    while stack:
        current = stack.pop()
        if type(current) is JObject:
            assert isinstance(current, JObject)
            for key, item in current.members:
                if key.value == COMMENT and type(item) is JString:
                    assert isinstance(item, JString)
                    yield item, current
                stack.append(item)
        elif type(current) is JArray:
            assert isinstance(current, JArray)
            stack.extend(current.items)


# -- Terraform's JSON syntax -----------------------------------------------------


@paused()  # a tree of values and locations: no cycle for the collector
def read_tf_json(text: str, file: str) -> HclFile:
    """Read one `.tf.json` file. Raises ParseError (located) when it is not JSON."""
    source = SourceText(file, text)
    try:
        root = _JsonReader(source).document()
    except RecursionError:
        raise ParseError("invalid JSON: nested too deeply to read") from None
    builder = _Builder(source)
    if type(root) is not JObject:
        raise ParseError(
            "a Terraform JSON file must hold one object, its properties the blocks "
            '("resource", "variable", ...)',
            *source.position(root.start),
        )
    try:
        body = builder.top(root)
    except RecursionError:
        raise ParseError("invalid JSON: blocks nested too deeply to read") from None
    return HclFile(source, body, tuple(builder.problems))


class _Builder:
    def __init__(self, source: SourceText):
        self.source = source
        self.problems: list[Diagnostic] = []

    def error(self, offset: int, message: str) -> None:
        line, column = self.source.position(offset)
        self.problems.append(Diagnostic.error(self.source.file, message, line, column))

    # -- structure -------------------------------------------------------------

    def top(self, root: JObject) -> Body:
        blocks: list[Block] = []
        for key, value in root.members:
            kind = key.value
            if kind == COMMENT:
                continue
            labels = LABELS.get(kind)
            if labels is None:
                self.error(
                    key.start,
                    f"'{kind}' is not a block type of a Terraform configuration; "
                    "it is not read (Terraform rejects it)",
                )
                continue
            blocks.extend(self.labelled(kind, key, value, labels, ()))
        return Body({}, tuple(blocks))

    def labelled(
        self, kind: str, header: JString, value: JValue, remaining: int, labels: tuple[str, ...]
    ) -> list[Block]:
        """The blocks under a block type's property, labels taken from the keys."""
        if type(value) is JArray:
            # Several objects at one level: each is read as if it stood alone.
            out: list[Block] = []
            for item in value.items:
                out.extend(self.labelled(kind, header, item, remaining, labels))
            return out
        if type(value) is not JObject:
            wanted = "its body" if not remaining else f"its {_LABEL_NAMES.get(kind, 'labels')}"
            self.error(value.start, f"'{kind}' needs an object here, holding {wanted}")
            return []
        if remaining:
            out = []
            for key, inner in value.members:
                if key.value == COMMENT:
                    continue
                out.extend(self.labelled(kind, key, inner, remaining - 1, (*labels, key.value)))
            return out
        # The header: the last label's key (the resource's name), or the block type.
        return [Block(kind, labels, self.body(kind, value), header.start, header.end)]

    def body(self, kind: str, value: JObject) -> Body:
        """A top-level block's body, read as its block type reads it."""
        if kind in ("resource", "data", "ephemeral", "provider"):
            return self.resource_body(value, top=True)
        if kind == "variable":
            return self.variable_body(value)
        if kind == "terraform":
            return self.plain_body(value, literal=True)
        return self.plain_body(value, literal=False, block_names=_BLOCKS_IN.get(kind, frozenset()))

    def resource_body(self, value: JObject, top: bool) -> Body:
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        for key, item in value.members:
            name = key.value
            if name == COMMENT:
                continue
            if top and name in ("depends_on", "provider"):
                self.attribute(attributes, key, item, self.references(item))
            elif name == "lifecycle" and top:
                blocks.extend(self.nested(key, item, self.lifecycle_body))
            elif name == "dynamic" or (name == "provisioner" and top):
                blocks.extend(self.labelled_nested(name, key, item))
            elif _is_block(name, item):
                blocks.extend(self.nested(key, item, lambda body: self.resource_body(body, False)))
            else:
                self.attribute(attributes, key, item, self.expression(item, literal=False))
        return Body(attributes, tuple(blocks))

    def labelled_nested(self, name: str, key: JString, item: JValue) -> list[Block]:
        """`dynamic "ingress" {...}` and `provisioner "local-exec" {...}`."""
        if type(item) is JArray:
            return [
                block for inner in item.items for block in self.labelled_nested(name, key, inner)
            ]
        if type(item) is not JObject:
            self.error(item.start, f"'{name}' needs an object keyed by its label")
            return []
        out: list[Block] = []
        for label, body in item.members:
            if label.value == COMMENT:
                continue
            reader = self.dynamic_body if name == "dynamic" else self.provisioner_body
            for one in body.items if type(body) is JArray else (body,):
                if type(one) is not JObject:
                    self.error(one.start, f"the body of {name} '{label.value}' must be an object")
                    continue
                out.append(Block(name, (label.value,), reader(one), label.start, label.end))
        return out

    def dynamic_body(self, value: JObject) -> Body:
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        for key, item in value.members:
            name = key.value
            if name == COMMENT:
                continue
            if name == "content":
                blocks.extend(self.nested(key, item, lambda body: self.resource_body(body, False)))
            elif name == "iterator":
                self.attribute(attributes, key, item, self.references(item))
            else:
                self.attribute(attributes, key, item, self.expression(item, literal=False))
        return Body(attributes, tuple(blocks))

    def provisioner_body(self, value: JObject) -> Body:
        return self.plain_body(value, literal=False, block_names=frozenset({"connection"}))

    def lifecycle_body(self, value: JObject) -> Body:
        return self.plain_body(value, literal=False, block_names=_CONDITIONS)

    def variable_body(self, value: JObject) -> Body:
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        for key, item in value.members:
            name = key.value
            if name == COMMENT:
                continue
            if name == "type":
                self.attribute(attributes, key, item, self.references(item))
            elif name == "validation":
                blocks.extend(self.nested(key, item, self.validation_body))
            else:  # default, description, sensitive, nullable: literal values
                self.attribute(attributes, key, item, self.expression(item, literal=True))
        return Body(attributes, tuple(blocks))

    def validation_body(self, value: JObject) -> Body:
        return self.plain_body(value, literal=False)

    def plain_body(
        self, value: JObject, literal: bool, block_names: frozenset[str] = frozenset()
    ) -> Body:
        """A body of arguments (locals, outputs, module calls...), and the nested
        blocks its block type takes (an output's `precondition`)."""
        attributes: dict[str, Attribute] = {}
        nested: list[Block] = []
        for key, item in value.members:
            name = key.value
            if name == COMMENT:
                continue
            if not literal and name == "depends_on":
                self.attribute(attributes, key, item, self.references(item))
            elif name in block_names:
                nested.extend(self.nested(key, item, lambda body: self.plain_body(body, literal)))
            else:
                self.attribute(attributes, key, item, self.expression(item, literal))
        return Body(attributes, tuple(nested))

    def nested(self, key: JString, item: JValue, read: _BodyReader) -> list[Block]:
        """Nested blocks of one type: an object, or an array of objects."""
        if type(item) is JObject:
            return [Block(key.value, (), read(item), key.start, key.end)]
        if type(item) is JArray:
            out = []
            for one in item.items:
                if type(one) is not JObject:
                    self.error(one.start, f"each '{key.value}' block must be an object")
                    continue
                out.append(Block(key.value, (), read(one), one.start, one.start + 1))
            return out
        self.error(item.start, f"'{key.value}' is a block: it needs an object")
        return []

    def attribute(
        self, attributes: dict[str, Attribute], key: JString, item: JValue, expr: Expr
    ) -> None:
        name = key.value
        earlier = attributes.get(name)
        if earlier is not None:
            line, _ = self.source.position(earlier.start)
            self.error(
                key.start,
                f"argument '{name}' is already set at line {line}; the later value is used",
            )
        attributes[name] = Attribute(name, expr, key.start, item.end)

    # -- expressions -----------------------------------------------------------

    def expression(self, value: JValue, literal: bool) -> Expr:
        """A JSON value as an expression: strings are templates unless `literal`."""
        kind = type(value)
        if kind is JString:
            assert isinstance(value, JString)
            if literal or ("${" not in value.value and "%{" not in value.value):
                return Literal(value.value, value.start, value.end)
            return self.embedded(value, template=True)
        if kind is JScalar:
            assert isinstance(value, JScalar)
            return Literal(value.value, value.start, value.end)
        if kind is JArray:
            assert isinstance(value, JArray)
            items = tuple(self.expression(item, literal) for item in value.items)
            return TupleExpr(items, value.start, value.end)
        assert isinstance(value, JObject)
        entries = []
        for key, item in value.members:
            inner = self.expression(item, literal)
            if literal or ("${" not in key.value and "%{" not in key.value):
                entry = ObjectItem(key.value, Literal(key.value, key.start, key.end), inner)
            else:
                entry = ObjectItem(None, self.embedded(key, template=True), inner)
            entries.append(entry)
        return ObjectExpr(tuple(entries), value.start, value.end)

    def references(self, value: JValue) -> Expr:
        """Expressions written in strings (`"aws.west"`, `["aws_iam_role.app"]`); one
        written as an interpolation alone (`"${list(string)}"`) is that expression."""
        if type(value) is JString:
            assert isinstance(value, JString)
            expr = self.embedded(value, template="${" in value.value)
            if type(expr) is Template and len(expr.parts) == 1:
                only = expr.parts[0]
                if type(only) is Interpolation:
                    return only.expr
            return expr
        if type(value) is JArray:
            assert isinstance(value, JArray)
            return TupleExpr(tuple(self.references(item) for item in value.items), *value[1:])
        return self.expression(value, literal=False)

    def embedded(self, value: JString, template: bool) -> Expr:
        text = value.value
        # Written without escapes, the string's content is the text itself: each
        # node keeps its own place. Otherwise every node takes the string's.
        written_as_is = value.end - value.start - 2 == len(text)
        place: int | tuple[int, int] = (
            value.start + 1 if written_as_is else (value.start, value.end)
        )
        try:
            return parse_embedded(text, place, template)
        except (HclSyntaxError, RecursionError) as exc:
            message = exc.message if isinstance(exc, HclSyntaxError) else "nested too deeply"
            offset = exc.offset if isinstance(exc, HclSyntaxError) else value.start
            line, column = self.source.position(offset)
            self.problems.append(
                Diagnostic.warning(
                    self.source.file,
                    f"cannot read the expression in this string ({message}); "
                    "it is treated as unknown",
                    line,
                    column,
                    kind=HCL_UNREADABLE,
                )
            )
            return Unreadable(message, value.start, value.end)


_LABEL_NAMES = {
    "resource": "resource types, then names",
    "data": "data source types, then names",
    "ephemeral": "resource types, then names",
    "module": "module names",
    "variable": "variable names",
    "output": "output names",
    "provider": "provider names",
    "check": "check names",
}


def _is_block(name: str, value: JValue) -> bool:
    """Whether a property of a body is read as nested blocks (see the module's doc)."""
    if name in MAP_ARGUMENTS:
        return False
    if type(value) is JObject:
        return _block_keys(value)
    if type(value) is JArray:
        assert isinstance(value, JArray)
        return bool(value.items) and all(
            type(item) is JObject and _block_keys(item) for item in value.items
        )
    return False


def _block_keys(value: JValue) -> bool:
    assert isinstance(value, JObject)
    return all(
        key.value == COMMENT or _ARGUMENT_NAME.fullmatch(key.value) is not None
        for key, _ in value.members
    )

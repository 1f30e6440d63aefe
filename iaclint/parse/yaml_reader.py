"""Read YAML into plain data, with the span of every value kept beside it.

libyaml (through PyYAML's C parser) composes the node tree; this module turns the
nodes into plain Python values itself, so that it can record where each value is
and decide what each tag means. Scalars follow YAML 1.1, as CloudFormation does,
except timestamps, which stay strings (`AWSTemplateFormatVersion: 2010-09-09`).

Aliases share the value of their anchor instead of copying it, so an alias bomb
costs no more than its text. Local tags (`!Ref`) go to a tag hook supplied by the
caller; without one, and for any tag outside YAML's own scalar and collection
tags, reading fails with a located error.
"""

from __future__ import annotations

import math
import re
from typing import Protocol

import yaml

from iaclint.collector import paused
from iaclint.diagnostics import OCTAL_NUMBER, UNKNOWN_TAG, Diagnostic
from iaclint.parse.document import (
    MAX_DEPTH,
    MAX_INTEGER_BITS,
    MAX_INTEGER_DIGITS,
    TOO_LONG_NUMBER,
    Document,
    ParseError,
    Tagged,
)
from iaclint.parse.text import split_lines
from iaclint.span import DocPath, Span


class TagForms(Protocol):
    """How a format reads its local tags (`!Ref x`) into long forms (`{"Ref": "x"}`)."""

    def long_form_key(self, tag: str) -> str | None:
        """The key the tagged value goes under, or None for a tag the format lacks.

        A value under an unknown tag is kept as `Tagged` with a warning (it is a
        preprocessor's directive); raising ParseError refuses the document.
        """

    def inner_value(self, tag: str, value: object) -> object:
        """The value to put under that key, given the value read from the tagged node."""


_YAML = "tag:yaml.org,2002:"
_STR = _YAML + "str"
# Marks a plain (unquoted, untagged) scalar, resolved by `_plain_scalar` below.
_PLAIN = _YAML + "iaclint-plain"
_SCALAR_TAGS = {_YAML + name for name in ("str", "bool", "int", "float", "null", "timestamp")}

# YAML 1.1 implicit types, as PyYAML's resolver defines them (timestamps stay text).
_BOOLEANS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}
_NULLS = frozenset({"", "~", "null"})
_INT = re.compile(
    r"[-+]?(?:0b[0-1_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)$"
)
_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?$|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?$"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$|[-+]?\.(?:inf|Inf|INF)$|\.(?:nan|NaN|NAN)$"
)
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")


class _Loader(yaml.CSafeLoader):
    """libyaml's parser and composer; scalars are only marked plain or not.

    PyYAML's implicit resolver runs in Python for every scalar and was a third of
    the reading time; resolving plain scalars ourselves, most of which start with a
    letter and need one set lookup, is several times cheaper.
    """

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _YAML + ("seq" if kind is yaml.SequenceNode else "map")


@paused()  # a tree of values and locations: no cycle for the collector
def read_yaml(text: str, file: str, tag_forms: TagForms | None = None) -> Document:
    """Read one YAML document. Raises ParseError (located) when it cannot be read."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.problem} ({exc.context})"
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        raise ParseError(f"invalid YAML: {problem}", line, column) from None
    except yaml.reader.ReaderError as exc:
        # A character YAML does not allow; the reader gives an offset, not a line.
        raise _unprintable(text, exc) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    walker = _Walker(file, text, tag_forms)
    if root is None:
        return Document(file, text, None, {}, ())
    data, _ = walker.value(root, (), 0)
    return Document(file, text, data, walker.spans, tuple(walker.diagnostics))


class _Walker:
    def __init__(self, file: str, text: str, tag_forms: TagForms | None):
        self.file = file
        self.text = text
        self.tag_forms = tag_forms
        self.spans: dict[DocPath, Span] = {}
        self.diagnostics: list[Diagnostic] = []
        self.built: dict[int, tuple[object, tuple[int, int]]] = {}
        self.building: set[int] = set()
        self._lines: list[str] | None = None
        self.warned_tags: set[str] = set()

    def value(self, node: yaml.Node, path: DocPath, depth: int) -> tuple[object, tuple[int, int]]:
        """Build the value of `node`; return it with its 0-based end mark."""
        key = id(node)
        done = self.built.get(key)
        if done is not None:
            return done
        if key in self.building:
            raise self._error(node, "recursive alias: an anchor is used inside itself")
        if depth > MAX_DEPTH:
            raise self._error(node, f"nesting deeper than {MAX_DEPTH} levels")
        if "python/" in node.tag:
            raise self._error(node, f"unsafe YAML tag '{_short(node.tag)}' refused")
        self.building.add(key)
        long_form = None
        unknown_tag = False
        if not node.tag.startswith(_YAML):
            long_form = self._long_form_key(node)
            if long_form is None:
                unknown_tag = True
            else:
                path = (*path, long_form)
        value: object
        if isinstance(node, yaml.MappingNode):
            value, end = self._mapping(node, path, depth)
        elif isinstance(node, yaml.SequenceNode):
            value, end = self._sequence(node, path, depth)
        else:
            assert isinstance(node, yaml.ScalarNode)
            value, end = self._scalar(node), self._scalar_end(node)
        if long_form is not None:
            assert self.tag_forms is not None
            try:
                value = {long_form: self.tag_forms.inner_value(node.tag, value)}
            except ParseError as exc:
                raise self._error(node, exc.message) from None
            self.spans[path] = self._span(node.start_mark, end)
        elif unknown_tag:
            value = Tagged(node.tag, value)
        self.building.discard(key)
        self.built[key] = (value, end)
        return value, end

    def _mapping(
        self, node: yaml.MappingNode, path: DocPath, depth: int
    ) -> tuple[dict[str, object], tuple[int, int]]:
        self._check_collection_tag(node, "map")
        out: dict[str, object] = {}
        first_line: dict[str, int] = {}
        end = (node.end_mark.line, node.end_mark.column)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self._error(key_node, "a mapping key must be a plain value, not a collection")
            key = str(key_node.value)
            child = (*path, key)
            if id(value_node) in self.built:
                # An alias: the value lives at its anchor; locate the key alone here.
                value, _ = self.built[id(value_node)]
                value_end = (key_node.end_mark.line, key_node.end_mark.column)
            else:
                value, value_end = self.value(value_node, child, depth + 1)
            if key in out:
                self.diagnostics.append(
                    Diagnostic.error(
                        self.file,
                        f"duplicate key '{key}' (first at line {first_line[key]}); "
                        "the later value is used",
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                    )
                )
            else:
                first_line[key] = key_node.start_mark.line + 1
            out[key] = value
            self.spans[child] = self._span(key_node.start_mark, value_end)
            end = value_end
        if node.flow_style:
            end = (node.end_mark.line, node.end_mark.column)
        if not path:
            self.spans[()] = self._span(node.start_mark, end)
        return out, end

    def _sequence(
        self, node: yaml.SequenceNode, path: DocPath, depth: int
    ) -> tuple[list[object], tuple[int, int]]:
        self._check_collection_tag(node, "seq")
        out: list[object] = []
        end = (node.end_mark.line, node.end_mark.column)
        for index, item in enumerate(node.value):
            child = (*path, index)
            value, item_end = self.value(item, child, depth + 1)
            out.append(value)
            self.spans.setdefault(child, self._span(item.start_mark, item_end))
            end = item_end
        if node.flow_style:
            end = (node.end_mark.line, node.end_mark.column)
        if not path:
            self.spans[()] = self._span(node.start_mark, end)
        return out, end

    def _scalar(self, node: yaml.ScalarNode) -> object:
        try:
            return self._scalar_value(node)
        except _TooLong:
            raise self._error(node, TOO_LONG_NUMBER) from None

    def _scalar_value(self, node: yaml.ScalarNode) -> object:
        text: str = node.value
        tag = node.tag
        if tag == _PLAIN:
            value = _plain_scalar(text)
            if isinstance(value, int) and _LEADING_ZERO.match(text):
                self.diagnostics.append(
                    Diagnostic.warning(
                        self.file,
                        # The value itself is not repeated: it may be a password.
                        "a number with a leading zero is read as octal (YAML 1.1, as "
                        "CloudFormation reads it); remove the zeros or quote it if a decimal "
                        "was meant",
                        node.start_mark.line + 1,
                        node.start_mark.column + 1,
                        kind=OCTAL_NUMBER,
                    )
                )
            return value
        if not tag.startswith(_YAML) or tag in (_STR, _YAML + "timestamp"):
            # Local tags (`!Ref x`) read their scalar as text.
            return text
        if tag not in _SCALAR_TAGS:
            raise self._error(node, f"unsupported YAML tag '{_short(tag)}' on a scalar")
        try:
            if tag == _YAML + "bool":
                return _BOOLEANS.get(text.lower(), False)
            if tag == _YAML + "int":
                return _yaml11_int(text)
            if tag == _YAML + "float":
                return _yaml11_float(text)
        except ValueError:
            raise self._error(node, f"'{text}' is not a valid {_short(tag)}") from None
        if tag == _YAML + "null":
            return None
        return text

    def _scalar_end(self, node: yaml.ScalarNode) -> tuple[int, int]:
        line, column = node.end_mark.line, node.end_mark.column
        if column == 0 and line > node.start_mark.line:
            # Block scalars end at the start of the next line; end them on their own.
            if self._lines is None:
                self._lines = split_lines(self.text)
            line -= 1
            column = len(self._lines[line]) if line < len(self._lines) else 0
        return line, column

    def _check_collection_tag(self, node: yaml.Node, kind: str) -> None:
        tag = node.tag
        if tag.startswith(_YAML) and tag != _YAML + kind and tag != _PLAIN:
            raise self._error(node, f"unsupported YAML tag '{_short(tag)}'")

    def _long_form_key(self, node: yaml.Node) -> str | None:
        if self.tag_forms is None:
            raise self._error(node, f"unknown YAML tag '{_short(node.tag)}'")
        try:
            key = self.tag_forms.long_form_key(node.tag)
        except ParseError as exc:
            raise self._error(node, exc.message) from None
        if key is None and node.tag not in self.warned_tags:
            self.warned_tags.add(node.tag)
            self.diagnostics.append(
                Diagnostic.warning(
                    self.file,
                    f"unknown tag '{node.tag}' (a preprocessor's directive?): "
                    "values under it are treated as unknown",
                    node.start_mark.line + 1,
                    node.start_mark.column + 1,
                    kind=UNKNOWN_TAG,
                    subject=node.tag,
                )
            )
        return key

    def _span(self, start: yaml.Mark, end: tuple[int, int]) -> Span:
        return Span.from_marks(self.file, start.line, start.column, end[0], end[1])

    def _error(self, node: yaml.Node, message: str) -> ParseError:
        return ParseError(message, node.start_mark.line + 1, node.start_mark.column + 1)


# An unquoted integer with a leading zero: octal in YAML 1.1, decimal to most readers.
_LEADING_ZERO = re.compile(r"^[-+]?0[0-7]+$")


def _plain_scalar(text: str) -> object:
    """A plain scalar's value under YAML 1.1's implicit types (timestamps stay text)."""
    first = text[:1]
    if first.isalpha():
        lowered = text.lower()
        if lowered in _BOOLEANS and text in (lowered, lowered.capitalize(), lowered.upper()):
            return _BOOLEANS[lowered]
        if lowered == "null" and text in ("null", "Null", "NULL"):
            return None
        return text
    if text in _NULLS:
        return None
    if first in "0123456789+-.":
        if _INT.match(text):
            try:
                return _yaml11_int(text)
            except ValueError:
                return text
        if _FLOAT.match(text):
            try:
                return _yaml11_float(text)
            except ValueError:
                return text
    return text


def _short(tag: str) -> str:
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag


class _TooLong(Exception):
    """A number past MAX_INTEGER_DIGITS (not a ValueError: that means 'not a number')."""


def _yaml11_int(text: str) -> int:
    value = text.replace("_", "")
    sign = -1 if value.startswith("-") else 1
    value = value.lstrip("+-")
    if value == "0":
        return 0
    if ":" in value:
        return sign * _sexagesimal(value)
    if value.startswith(("0b", "0x")) or (value.startswith("0") and value.isdigit()):
        # Binary, hex and octal text converts in linear time; the value may still be
        # too long to print in decimal.
        base = {"b": 2, "x": 16}.get(value[1:2], 8)
        number = int(value[2:] if base != 8 else value, base)
        if number.bit_length() > MAX_INTEGER_BITS:
            raise _TooLong
        return sign * number
    if len(value) > MAX_INTEGER_DIGITS:
        raise _TooLong
    return sign * int(value)


def _yaml11_float(text: str) -> float:
    value = text.replace("_", "").lower()
    sign = -1.0 if value.startswith("-") else 1.0
    value = value.lstrip("+-")
    if value == ".inf":
        return sign * math.inf
    if value == ".nan":
        return math.nan
    if _SEXAGESIMAL.match(value):
        whole, _, fraction = value.partition(".")
        return sign * (_sexagesimal(whole) + float("0." + (fraction or "0")))
    return sign * float(value)


def _sexagesimal(value: str) -> int:
    # Each place multiplies the total: a million places would build a number of 1.8
    # million digits, in quadratic time. Stop as soon as it is too long.
    total = 0
    for part in value.split(":"):
        total = total * 60 + int(part)
        if total.bit_length() > MAX_INTEGER_BITS:
            raise _TooLong
    return total


# What YAML 1.1 allows in a stream (its `c-printable`).
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _unprintable(text: str, exc: yaml.reader.ReaderError) -> ParseError:
    found = _NOT_PRINTABLE.search(text)
    if found is None:
        return ParseError(f"invalid YAML: {exc.reason}")
    start = text.rfind("\n", 0, found.start()) + 1
    line = text.count("\n", 0, found.start()) + 1
    code = ord(found.group())
    return ParseError(
        f"invalid YAML: character U+{code:04X} is not allowed in YAML ({exc.reason})",
        line,
        found.start() - start + 1,
    )

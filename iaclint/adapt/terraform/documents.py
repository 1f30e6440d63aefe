"""JSON documents written in Terraform (IAM policies, bucket policies): as data.

Terraform writes them as text: `jsonencode({...})`, a heredoc, or a string read
from a file. To Terraform they are strings; to a policy about IAM they are
documents. `jsonencode(...)` keeps its argument as located data
(`JsonDocument`), so a statement's `Action = "*"` still points at its own line;
JSON text is parsed, with the parts known only after deployment (an ARN
interpolated into a heredoc) kept as unknowns or references where they stand.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from iaclint.adapt.sourced import Src
from iaclint.adapt.terraform.values import look_through
from iaclint.graph.values import PartialString, Reference, Unknown
from iaclint.parse import json_text
from iaclint.parse.json_text import TOO_DEEP, TooDeep


class JsonDocument(NamedTuple):
    """The value of `jsonencode(data)`: its data (located) and its text (or unknown)."""

    data: Src
    text: object


_PLACEHOLDER = re.compile("\x00(\\d+)\x00")


def json_document(source: Src | None) -> Src | None:
    """A JSON document argument as data; None when it is not JSON.

    An argument that is not known at all is returned as it is (an unknown
    document, not a missing one).
    """
    if source is None:
        return None
    value = look_through(source.value)
    if isinstance(value, JsonDocument):
        return value.data
    if isinstance(value, str):
        return _parsed(value, [], source)
    if isinstance(value, PartialString):
        parts: list[Unknown | Reference] = []
        text = []
        for part in value.parts:
            if isinstance(part, str):
                text.append(part)
            else:
                text.append(f"\x00{len(parts)}\x00")
                parts.append(part)
        return _parsed("".join(text), parts, source)
    if isinstance(value, dict | list):
        return source  # already data (a plan's JSON value decoded by its provider)
    return source


def _parsed(text: str, parts: list[Unknown | Reference], source: Src) -> Src | None:
    try:
        data = json_text.loads(text, strict=False)  # placeholders are control characters
    except TooDeep:
        return Src(Unknown(f"a JSON document {TOO_DEEP}"), source.origin)
    except ValueError:
        if parts:
            reason = "a JSON document built from values known only after deployment"
            return Src(Unknown(reason), source.origin)
        return None
    return _tree(data, parts, source)


def _tree(data: object, parts: list[Unknown | Reference], source: Src) -> Src:
    if isinstance(data, dict):
        return Src({str(k): _tree(v, parts, source) for k, v in data.items()}, source.origin)
    if isinstance(data, list):
        return Src([_tree(item, parts, source) for item in data], source.origin)
    if isinstance(data, str) and parts and "\x00" in data:
        return Src(_restore(data, parts), source.origin)
    return Src(data, source.origin)


def _restore(text: str, parts: list[Unknown | Reference]) -> object:
    pieces: list[str | Unknown | Reference] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > position:
            pieces.append(text[position : match.start()])
        pieces.append(parts[int(match.group(1))])
        position = match.end()
    if position < len(text):
        pieces.append(text[position:])
    if len(pieces) == 1 and not isinstance(pieces[0], str):
        return pieces[0]
    return PartialString(tuple(pieces))

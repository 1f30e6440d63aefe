"""JSON text found inside a value (a policy document written as a string, a plan's
attribute, `jsondecode("...")`), read with the same nesting bound as a file.

`json.loads` recurses once per level: text nested a few thousand levels deep raises
RecursionError from inside it, or parses and then breaks whatever walks the result.
The depth is measured first, in one pass over the text, so such a value is refused
like any other text that is not JSON (a ValueError the callers already handle).
"""

from __future__ import annotations

import json
import re

from iaclint.parse.document import MAX_DEPTH

# Strings (skipped whole, escapes included) and the brackets that open and close levels.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)
_OPENERS = frozenset("[{")
_CLOSERS = frozenset("]}")

TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"


class TooDeep(ValueError):
    """JSON text nested deeper than MAX_DEPTH levels: not read."""

    def __init__(self) -> None:
        super().__init__(TOO_DEEP)


def nesting(text: str) -> int:
    """How deep the brackets of JSON-like `text` nest (outside its strings)."""
    if "[" not in text and "{" not in text:
        return 0
    depth = deepest = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif token in _CLOSERS:
            depth -= 1
    return deepest


def loads(text: str, *, strict: bool = True) -> object:
    """`json.loads(text)`, refusing text nested deeper than MAX_DEPTH levels.
    Raises ValueError (TooDeep for the nesting) when the text cannot be read."""
    if nesting(text) > MAX_DEPTH:
        raise TooDeep
    data: object = json.loads(text, strict=strict)
    return data

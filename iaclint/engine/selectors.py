"""Selectors: jsonpath expressions over normalized properties, aware of unknowns.

jsonpath-ng parses the expression (once per process, see `compile_selector`);
evaluation is done here, because a plain jsonpath evaluation silently finds
nothing inside a value that is not known (an unresolved parameter standing for a
list of rules), which would turn *unknown* into *pass*. Here an opaque value met
on the way is returned as a match of its own, and the caller sees it.

Supported: `$`, `@`, `.name`, `['name']`, `*`, `[n]`, `[a:b]`, `..name`.
Filters are not: write them as conditions, which understand unknowns.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

from iaclint.graph.model import ModelPath
from iaclint.graph.values import Input, PartialString, Reference, Unknown


class SelectorError(ValueError):
    pass


class Match(NamedTuple):
    path: ModelPath
    value: object


class Selection(NamedTuple):
    matches: list[Match]
    # The deepest path that exists on the way to the matches: where a missing
    # value would have to be added.
    deepest: ModelPath


class Selector:
    def __init__(self, text: str, tree: Any):
        self.text = text
        self._tree = tree

    def __repr__(self) -> str:
        return f"Selector({self.text!r})"

    def select(self, value: object, base: ModelPath = ()) -> Selection:
        deepest = [base]
        matches = _run(self._tree, [Match(base, value)], deepest)
        return Selection(matches, deepest[0])

    def field_chain(self) -> list[str | None] | None:
        """The names along the path (None for `*`/index), or None when it has `..`."""
        return _chain(self._tree)


@functools.cache
def compile_selector(text: str) -> Selector:
    """Parse a selector; raises SelectorError with what is wrong."""
    from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
    from jsonpath_ng.ext import parse  # type: ignore[attr-defined]

    try:
        tree = parse(text)
    except (JsonPathLexerError, JsonPathParserError, Exception) as exc:
        raise SelectorError(f"invalid selector '{text}': {exc}") from None
    _check_supported(tree, text)
    return Selector(text, tree)


def _node_name(node: Any) -> str:
    return type(node).__name__


_SUPPORTED = {"Root", "This", "Child", "Fields", "Wildcard", "Index", "Slice", "Descendants"}


def _check_supported(node: Any, text: str) -> None:
    name = _node_name(node)
    if name not in _SUPPORTED:
        raise SelectorError(
            f"selector '{text}' uses {name}, which selectors do not support "
            "(filters and functions belong in conditions)"
        )
    for child in ("left", "right"):
        if hasattr(node, child):
            _check_supported(getattr(node, child), text)


def _look_through(value: object) -> object:
    while isinstance(value, Input) and value.has_default:
        value = value.value
    return value


def _opaque(value: object) -> bool:
    return isinstance(value, Unknown | Reference | PartialString | Input)


def _run(node: Any, items: list[Match], deepest: list[ModelPath]) -> list[Match]:
    name = _node_name(node)
    if name in ("Root", "This"):
        return items
    if name == "Child":
        return _run(node.right, _run(node.left, items, deepest), deepest)
    if name == "Descendants":
        out: list[Match] = []
        for item in _run(node.left, items, deepest):
            for inner in _descendants(item):
                out.extend(_run(node.right, [inner], deepest))
        return out
    out = []
    for path, raw in items:
        if len(path) > len(deepest[0]):
            deepest[0] = path
        value = _look_through(raw)
        if _opaque(value):
            out.append(Match(path, raw))
            continue
        if name == "Fields":
            if isinstance(value, dict):
                out.extend(
                    Match((*path, field), value[field]) for field in node.fields if field in value
                )
        elif name == "Wildcard":
            if isinstance(value, dict):
                out.extend(Match((*path, key), child) for key, child in value.items())
            elif isinstance(value, list):
                out.extend(Match((*path, index), child) for index, child in enumerate(value))
        elif name == "Index":
            if isinstance(value, list):
                for index in node.indices:
                    if -len(value) <= index < len(value):
                        position = index % len(value)
                        out.append(Match((*path, position), value[position]))
        elif name == "Slice" and isinstance(value, list):
            positions = range(len(value))[slice(node.start, node.end, node.step)]
            out.extend(Match((*path, index), value[index]) for index in positions)
    for match in out:
        if len(match.path) > len(deepest[0]) and not _opaque(_look_through(match.value)):
            deepest[0] = match.path
    return out


def _descendants(item: Match) -> list[Match]:
    out = [item]
    stack = [item]
    while stack:
        path, raw = stack.pop()
        value = _look_through(raw)
        children: list[Match] = []
        if isinstance(value, dict):
            children = [Match((*path, key), child) for key, child in value.items()]
        elif isinstance(value, list):
            children = [Match((*path, index), child) for index, child in enumerate(value)]
        out.extend(children)
        stack.extend(children)
    return out


def _chain(node: Any) -> list[str | None] | None:
    name = _node_name(node)
    if name in ("Root", "This"):
        return []
    if name == "Child":
        left = _chain(node.left)
        right = _chain(node.right)
        return None if left is None or right is None else left + right
    if name == "Fields":
        return [node.fields[0]] if len(node.fields) == 1 else None
    if name in ("Wildcard", "Index", "Slice"):
        return [None]
    return None

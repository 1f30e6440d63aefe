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


class Fields(NamedTuple):
    names: tuple[str, ...]


class Wildcard(NamedTuple):
    pass


class Index(NamedTuple):
    indices: tuple[int, ...]


class Slice(NamedTuple):
    start: int | None
    end: int | None
    step: int | None


class Descend(NamedTuple):
    """`..`: the steps that follow apply to every value below, and to the value itself."""

    steps: tuple[Step, ...]


Step = Fields | Wildcard | Index | Slice | Descend


class Selector(NamedTuple):
    """A parsed selector: its text and the steps to follow (plain data, so compiled
    policies can be cached without jsonpath-ng)."""

    text: str
    steps: tuple[Step, ...]

    def select(self, value: object, base: ModelPath = ()) -> Selection:
        # Most selectors name one field after another (`$.a.b`): those steps are
        # followed here on the one value they lead to, as `_step` would follow them,
        # without a list per step. The first other step hands over to `_follow`.
        path, raw, deepest = base, value, base
        for index, step in enumerate(self.steps):
            if type(step) is not Fields or len(step.names) != 1:
                reached = [deepest]
                matches = _follow(self.steps[index:], [Match(path, raw)], reached)
                return Selection(matches, reached[0])
            if len(path) > len(deepest):
                deepest = path
            current = raw
            if type(current) is not dict:  # plain mappings, the usual case, go straight on
                current = _look_through(current)
                if _opaque(current):
                    continue  # an opaque value is the match, whatever follows
                if not isinstance(current, dict):
                    return Selection([], deepest)
            name = step.names[0]
            if name not in current:
                return Selection([], deepest)
            path, raw = (*path, name), current[name]
            if type(raw) in _PLAIN or not _opaque(_look_through(raw)):
                deepest = path
        return Selection([Match(path, raw)], deepest)

    def field_chain(self) -> list[str | None] | None:
        """The names along the path (None for `*`/index), or None when it has `..`."""
        chain: list[str | None] = []
        for step in self.steps:
            if isinstance(step, Fields):
                if len(step.names) != 1:
                    return None
                chain.append(step.names[0])
            elif isinstance(step, Descend):
                return None
            else:
                chain.append(None)
        return chain


@functools.cache
def compile_selector(text: str) -> Selector:
    """Parse a selector; raises SelectorError with what is wrong."""
    from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
    from jsonpath_ng.ext import parse  # type: ignore[attr-defined]

    try:
        tree = parse(text)
    except (JsonPathLexerError, JsonPathParserError, Exception) as exc:
        raise SelectorError(f"invalid selector '{text}': {exc}") from None
    return Selector(text, _steps(tree, text))


def _steps(node: Any, text: str) -> tuple[Step, ...]:
    """jsonpath-ng's syntax tree as our steps; anything else is refused."""
    name = type(node).__name__
    if name in ("Root", "This"):
        return ()
    if name == "Child":
        return _steps(node.left, text) + _steps(node.right, text)
    if name == "Descendants":
        return (*_steps(node.left, text), Descend(_steps(node.right, text)))
    if name == "Fields":
        return (Fields(tuple(node.fields)),)
    if name == "Wildcard":
        return (Wildcard(),)
    if name == "Index":
        return (Index(tuple(node.indices)),)
    if name == "Slice":
        return (Slice(node.start, node.end, node.step),)
    raise SelectorError(
        f"selector '{text}' uses {name}, which selectors do not support "
        "(filters and functions belong in conditions)"
    )


def _look_through(value: object) -> object:
    while isinstance(value, Input) and value.has_default:
        value = value.value
    return value


# A tuple, built once: `isinstance` with a union written in place builds the union
# at every call, which is most of the cost of this hot test.
_OPAQUE = (Unknown, Reference, PartialString, Input)
# Types of plain data: never opaque, nothing to look through.
_PLAIN = frozenset({dict, list, str, int, float, bool, type(None)})


def _opaque(value: object) -> bool:
    return isinstance(value, _OPAQUE)


def _follow(steps: tuple[Step, ...], items: list[Match], deepest: list[ModelPath]) -> list[Match]:
    for step in steps:
        items = _step(step, items, deepest)
    return items


def _step(step: Step, items: list[Match], deepest: list[ModelPath]) -> list[Match]:
    if isinstance(step, Descend):
        out: list[Match] = []
        for item in items:
            for inner in _descendants(item):
                out.extend(_follow(step.steps, [inner], deepest))
        return out
    out = []
    for path, raw in items:
        if len(path) > len(deepest[0]):
            deepest[0] = path
        value = _look_through(raw)
        if _opaque(value):
            out.append(Match(path, raw))
            continue
        if isinstance(step, Fields):
            if isinstance(value, dict):
                out.extend(
                    Match((*path, field), value[field]) for field in step.names if field in value
                )
        elif isinstance(step, Wildcard):
            if isinstance(value, dict):
                out.extend(Match((*path, key), child) for key, child in value.items())
            elif isinstance(value, list):
                out.extend(Match((*path, index), child) for index, child in enumerate(value))
        elif isinstance(step, Index):
            if isinstance(value, list):
                for index in step.indices:
                    if -len(value) <= index < len(value):
                        position = index % len(value)
                        out.append(Match((*path, position), value[position]))
        elif isinstance(value, list):
            positions = range(len(value))[slice(step.start, step.end, step.step)]
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

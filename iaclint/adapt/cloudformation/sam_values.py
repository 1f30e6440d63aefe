"""Located values for the expansion of SAM resources.

The serverless transform builds new resources out of what a person wrote. Each
piece of a generated resource is built as a `Src` (`adapt/sourced.py`) whose
origin is the path, in the SAM document, of what caused it: a copied property
keeps the path of every value it holds, a generated role's statement the path of
the `Policies` entry it comes from. `place` turns such a tree into plain
template data and the span of every path of it.
"""

from __future__ import annotations

from collections.abc import Callable

from iaclint.adapt.cloudformation.conditions import TooLarge
from iaclint.adapt.sourced import Src
from iaclint.span import DocPath, Span


class Budget:
    """How many values the expansion may copy: YAML aliases let a small text hold
    billions of values, which copying one by one would never finish."""

    __slots__ = ("left", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise TooLarge(f"more than {self.limit:,} values to copy")


def copied(value: object, origin: DocPath, budget: Budget) -> Src:
    """`value` as written at `origin`, every part located where it is written."""
    budget.spend()
    if isinstance(value, dict):
        return Src(
            {key: copied(child, (*origin, key), budget) for key, child in value.items()}, origin
        )
    if isinstance(value, list):
        return Src(
            [copied(child, (*origin, index), budget) for index, child in enumerate(value)], origin
        )
    return Src(value, origin)


def plain(node: object) -> object:
    """The data of a tree of `Src` (plain data passes through)."""
    if isinstance(node, Src):
        node = node.value
    if isinstance(node, dict):
        return {key: plain(child) for key, child in node.items() if child is not None}
    if isinstance(node, list):
        return [plain(child) for child in node]
    return node


def is_intrinsic(value: object) -> bool:
    """A mapping that is one intrinsic function (`Ref`, `Fn::…`, `Condition`)."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::") or key == "Condition")


def text(node: Src | None) -> str | None:
    """The value of `node` when it is literal text."""
    return node.value if node is not None and isinstance(node.value, str) else None


def field(node: Src | None, key: str) -> Src | None:
    """The entry `key` of a mapping node (not of an intrinsic function)."""
    if node is None or not isinstance(node.value, dict) or is_intrinsic(node.value):
        return None
    found = node.value.get(key)
    return found if isinstance(found, Src) else None


def merged(global_value: Src, local_value: Src, replace: bool = False) -> Src:
    """A property the template's `Globals` and the resource both set, merged as the
    transform merges them: mappings key by key (the resource's value wins), lists
    one after the other (the global items first), anything else the resource's."""
    outer, inner = global_value.value, local_value.value
    if replace:
        return local_value
    if (
        isinstance(outer, dict)
        and isinstance(inner, dict)
        and not is_intrinsic(outer)
        and not is_intrinsic(inner)
    ):
        out = dict(outer)
        for key, child in inner.items():
            previous = out.get(key)
            out[key] = (
                merged(previous, child)
                if isinstance(previous, Src) and isinstance(child, Src)
                else child
            )
        return Src(out, local_value.origin)
    if isinstance(outer, list) and isinstance(inner, list):
        return Src([*outer, *inner], local_value.origin)
    return local_value


def place(
    node: object,
    path: DocPath,
    origin: DocPath,
    span_of: Callable[[DocPath], Span],
    spans: dict[DocPath, Span],
) -> object:
    """The plain data of `node`, generated at `path`; the span of each of its paths
    (that of its origin, or of the nearest located ancestor's) goes into `spans`."""
    if isinstance(node, Src):
        origin = node.origin
        node = node.value
    spans[path] = span_of(origin)
    if isinstance(node, dict):
        return {
            key: place(child, (*path, key), origin, span_of, spans)
            for key, child in node.items()
            if child is not None
        }
    if isinstance(node, list):
        return [
            place(child, (*path, index), origin, span_of, spans) for index, child in enumerate(node)
        ]
    return node

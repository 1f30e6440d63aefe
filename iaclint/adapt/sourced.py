"""Values that remember where they came from, for adapters only.

An adapter reads native properties as `Src` trees (every value paired with the
document path it was read from), builds the common shape out of them, and then
`freeze` splits the result into plain data for the policies and a table of
origins beside it. Origins never reach the policies or the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from iaclint.graph.frozen import Frozen
from iaclint.graph.model import Location, ModelPath
from iaclint.graph.values import Input, PartialString, Reference, Unknown
from iaclint.span import DocPath


class Src(Frozen):
    """A value (dict of Src, list of Src, or a leaf) and the document path it came from."""

    __slots__ = ("origin", "value")
    value: object
    origin: DocPath

    def __init__(self, value: object, origin: DocPath) -> None:
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "origin", origin)

    def get(self, key: str) -> Src | None:
        """The property `key`; an unknown container yields an unknown property."""
        value = self.value
        if isinstance(value, dict):
            found = value.get(key)
            return found if isinstance(found, Src) else None
        if is_opaque(value):
            return self
        return None

    def items(self) -> list[Src] | None:
        """The items of a list (None when this is not a list)."""
        value = self.value
        if isinstance(value, list):
            return [item for item in value if isinstance(item, Src)]
        return None

    def with_value(self, value: object) -> Src:
        return Src(value, self.origin)


# What adapters build: a Src whose value is a dict of (Src | None), a list of Src,
# or a leaf. None entries mean "not set" and are dropped by `freeze`.
Built = Src


# Built once (a union written in `isinstance` is built at every call).
_OPAQUE = (Unknown, Reference, PartialString, Input)


def is_opaque(value: object) -> bool:
    """A value whose contents cannot be seen (an unknown, a reference, an input)."""
    return isinstance(value, _OPAQUE)


def obj(origin: Src, fields: Mapping[str, Src | None]) -> Src:
    """A common-model object read from `origin`, with the given fields."""
    return Src({key: value for key, value in fields.items() if value is not None}, origin.origin)


def each(source: Src | None, build: Callable[[Src], Src | None]) -> Src | None:
    """Map a native list with `build`; an unknown list stays unknown, one value becomes a list."""
    if source is None:
        return None
    items = source.items()
    if items is None:
        if is_opaque(source.value) and not isinstance(source.value, PartialString):
            return source  # may stand for a list: stays unknown as a whole
        items = [source]  # one value (text is never a list) where a list may be written
    built = [build(item) if not is_opaque(item.value) else item for item in items]

    return Src([item for item in built if item is not None], source.origin)


def convert(source: Src | None, function: Callable[[object], object]) -> Src | None:
    """Apply `function` to a known leaf; unknowns pass through untouched.

    An input with a default stays an input (reports still name it), holding the
    converted default.
    """
    if source is None:
        return None
    value = source.value
    if isinstance(value, Input) and value.has_default:
        return source.with_value(value.replace(value=function(value.value)))
    if is_opaque(value):
        return source
    return source.with_value(function(value))


def freeze(root: Src) -> tuple[dict[str, object], dict[ModelPath, DocPath]]:
    """Split a built tree into plain data and the origin of each path."""
    origins: dict[ModelPath, DocPath] = {}
    data = _walk(root, (), origins)
    assert isinstance(data, dict)
    return data, origins


def _walk(node: Src, path: ModelPath, origins: dict[ModelPath, DocPath]) -> object:
    # A function of the module, not a closure calling itself: that would be a
    # cycle holding `origins` until the collector runs.
    origins[path] = node.origin
    value = node.value
    if isinstance(value, dict):
        data: dict[object, object] = {}
        for key, child in value.items():
            if not isinstance(child, Src):
                continue
            inner = child.value
            if type(inner) in _LEAVES:  # most values: placed here, without a call
                origins[(*path, key)] = child.origin
                data[key] = inner
            else:
                data[key] = _walk(child, (*path, key), origins)
        return data
    if isinstance(value, list):
        items: list[object] = []
        for index, child in enumerate(value):
            inner = child.value
            if type(inner) in _LEAVES:
                origins[(*path, index)] = child.origin
                items.append(inner)
            else:
                items.append(_walk(child, (*path, index), origins))
        return items
    return value


# Plain leaves: nothing below them to walk.
_LEAVES = frozenset({str, int, float, bool, type(None)})


class Locations(Mapping[ModelPath, Location]):
    """Where each path of a resource's properties is written (the empty path
    aside), worked out when a report asks: findings need a handful of the
    thousands of paths of a template, and placing all of them took a tenth of
    adapting it."""

    __slots__ = ("_known", "_origins", "_where")

    def __init__(
        self, origins: Mapping[ModelPath, DocPath], where: Callable[[DocPath], Location]
    ) -> None:
        self._origins = origins
        self._where = where
        self._known: dict[ModelPath, Location] = {}

    def __getitem__(self, path: ModelPath) -> Location:
        location = self._known.get(path)
        if location is None:
            if not path:
                raise KeyError(path)
            location = self._known[path] = self._where(self._origins[path])
        return location

    def __iter__(self) -> Iterator[ModelPath]:
        return (path for path in self._origins if path)

    def __len__(self) -> int:
        return len(self._origins) - (() in self._origins)

"""What a CloudFormation family adapter may ask about the rest of its template."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from iaclint.adapt.sourced import Src
from iaclint.graph.values import Reference


class Context:
    def __init__(self, names: Mapping[tuple[str, str], str]):
        # (kind, literal name) -> logical id, for resources referred to by name.
        self._names = names

    def address_named(self, kind: str, name: str) -> str | None:
        return self._names.get((kind, name))

    def reference(self, address: str) -> Reference:
        return Reference(address)

    def link(self, source: Src | None, kind: str) -> Src | None:
        """A literal name of a resource of `kind` in this template becomes a reference to it."""
        if source is None or not isinstance(source.value, str):
            return source
        address = self._names.get((kind, source.value))
        return source if address is None else source.with_value(Reference(address))


# A family adapter: native type -> (kind, function from resolved properties to the common shape).
Mapper = tuple[str, Callable[[Src, Context], Src]]

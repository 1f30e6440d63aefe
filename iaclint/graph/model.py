"""The common resource graph: resources of every format in one vocabulary.

A `Resource` is one resource as the policies see it: its address, its kind (see
`kinds.py`), its normalized properties and, beside them, where each property came
from in the user's file. When a template's properties depend on conditions
(CloudFormation `Fn::If`), the resource appears once per combination that matters
(a *variant*), each with the conditions it assumes.

Edges are references between resources: `Ref`/`GetAtt`, `DependsOn`, Terraform
traversals, and attachments (a separate ingress rule to its group).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from iaclint.span import Span

# A path into a resource's normalized properties.
ModelPath = tuple[str | int, ...]


class Location(NamedTuple):
    """Where a value is written: its path as the user writes it, and its span."""

    attribute: str
    span: Span


class Resource(NamedTuple):
    address: str
    kind: str
    native_type: str
    properties: Mapping[str, object]
    header: Location
    locations: Mapping[ModelPath, Location] = {}
    # The variant: conditions (name, value) this copy of the resource assumes.
    conditions: tuple[tuple[str, bool], ...] = ()
    # CDK construct path, when the resource was synthesized by CDK.
    construct_path: str | None = None
    # Where the user's code defines the resource (a CDK construct's creation site).
    defined_at: Span | None = None
    # The properties as written in the resource's own format (CloudFormation's
    # `Properties`, Terraform's arguments and blocks), resolved like `properties`,
    # for policies that target a native type; and where each is written.
    native: Mapping[str, object] = {}
    native_locations: Mapping[ModelPath, Location] = {}
    # Why the native properties cannot be known as a whole (CloudFormation's
    # `Properties: {Fn::Transform: ...}`), or None: their policies answer unknown.
    native_unknown: str | None = None

    def as_native(self) -> Resource:
        """This resource seen through its native properties (a policy targeting its type)."""
        return self._replace(properties=self.native, locations=self.native_locations)

    def locate(self, path: ModelPath) -> Location:
        """Where the value at `path` is written, or its nearest written ancestor."""
        for end in range(len(path), 0, -1):
            location = self.locations.get(path[:end])
            if location is not None:
                return location
        return self.header

    def compatible_with(self, other: Resource) -> bool:
        """Whether both variants can exist at once (no condition set both ways)."""
        if not self.conditions or not other.conditions:
            return True
        mine = dict(self.conditions)
        return all(mine.get(name, value) == value for name, value in other.conditions)


class SensitiveValue(NamedTuple):
    """A secret as it is written in a source file, so that no report prints it.

    `text` is searched for in the lines reports show; `span`, when known, is where
    it is written (a secret too short to be searched for is masked there only).
    """

    text: str
    span: Span | None = None


class Edge(NamedTuple):
    source: str
    target: str
    label: str


class Graph:
    """The resources of one deployable unit (a template, a Terraform module tree)."""

    def __init__(
        self,
        resources: Iterable[Resource],
        edges: Iterable[Edge] = (),
        sensitive: Iterable[SensitiveValue] = (),
    ):
        self.resources: tuple[Resource, ...] = tuple(resources)
        self.edges: tuple[Edge, ...] = tuple(dict.fromkeys(edges))
        # Every secret of the unit, however it is found: reports must never print one.
        self.sensitive: tuple[SensitiveValue, ...] = tuple(dict.fromkeys(sensitive))
        self._by_kind: dict[str, list[Resource]] = defaultdict(list)
        self._by_address: dict[str, list[Resource]] = defaultdict(list)
        self._by_type: dict[str, list[Resource]] = defaultdict(list)
        self._referrers: dict[str, set[str]] = defaultdict(set)
        for resource in self.resources:
            self._by_kind[resource.kind].append(resource)
            self._by_address[resource.address].append(resource)
            self._by_type[resource.native_type].append(resource)
        for edge in self.edges:
            self._referrers[edge.target].add(edge.source)

    def holds(self, kinds: Iterable[str], native_types: Iterable[str]) -> bool:
        """Whether any resource is of one of the kinds or native types."""
        return any(kind in self._by_kind for kind in kinds) or any(
            native_type in self._by_type for native_type in native_types
        )

    def of_kinds(self, kinds: Iterable[str]) -> list[Resource]:
        out: list[Resource] = []
        for kind in kinds:
            out.extend(self._by_kind.get(kind, ()))
        return out

    def of_types(self, native_types: Iterable[str]) -> list[Resource]:
        """Resources of the given native types, seen through their native properties."""
        out: list[Resource] = []
        for native_type in native_types:
            out.extend(resource.as_native() for resource in self._by_type.get(native_type, ()))
        return out

    def variants(self, address: str) -> Sequence[Resource]:
        """Every variant of the resource at `address` (empty if it is not here)."""
        return self._by_address.get(address, ())

    def contains(self, address: str) -> bool:
        return address in self._by_address

    def referrers(self, address: str, kinds: Iterable[str]) -> list[Resource]:
        """Resources of the given kinds that have an edge to `address`; a native type
        among the kinds gives its resources seen through their native properties."""
        sources = self._referrers.get(address, set())
        wanted = set(kinds)
        out: list[Resource] = []
        for source in sorted(sources):
            for resource in self._by_address[source]:
                if resource.kind in wanted:
                    out.append(resource)
                elif resource.native_type in wanted:
                    out.append(resource.as_native())
        return out

"""Adapters' sourced values: where each property path of a resource is written."""

from __future__ import annotations

from iaclint.adapt.sourced import Locations
from iaclint.graph.model import Location
from iaclint.span import Span


def test_locations_are_placed_when_asked_and_only_once() -> None:
    asked: list[tuple[str | int, ...]] = []

    def where(doc_path: tuple[str | int, ...]) -> Location:
        asked.append(doc_path)
        return Location("/".join(map(str, doc_path)), Span("t.yaml", len(doc_path), 1, 1, 1))

    origins = {(): ("Properties",), ("a",): ("Properties", "A"), ("a", 0): ("Properties", "A", 0)}
    locations = Locations(origins, where)
    assert asked == []
    assert len(locations) == 2 and list(locations) == [("a",), ("a", 0)]
    assert locations[("a", 0)].attribute == "Properties/A/0"
    assert locations.get(("a", 0)) is locations[("a", 0)]
    assert locations.get(()) is None and locations.get(("b",)) is None
    assert asked == [("Properties", "A", 0)]

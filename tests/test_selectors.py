from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint.engine.selectors import Match, SelectorError, _follow, compile_selector
from iaclint.graph.values import Input, Reference, Unknown

DATA = {
    "ingress": [{"cidrs": ["a", "b"]}, {"cidrs": Unknown("list from a parameter")}],
    "options": {"tokens": "optional"},
    "listed": Input("P", ["x", "y"], has_default=True),
}


def paths(expression: str, data: object = DATA) -> list[tuple[object, ...]]:
    return [match.path for match in compile_selector(expression).select(data).matches]


def test_fields_wildcards_indices_and_slices() -> None:
    assert paths("$.options.tokens") == [("options", "tokens")]
    assert paths("$.ingress[*].cidrs[0]") == [("ingress", 0, "cidrs", 0), ("ingress", 1, "cidrs")]
    assert paths("$.ingress[-1]") == [("ingress", 1)]
    assert paths("$.ingress[0:1]") == [("ingress", 0)]
    assert paths("$.options.*") == [("options", "tokens")]
    assert paths("$") == [()]


def test_unknown_containers_are_matches_not_silence() -> None:
    selection = compile_selector("$.ingress[*].cidrs[*]").select(DATA)
    values = [match.value for match in selection.matches]
    assert values == ["a", "b", Unknown("list from a parameter")]


def test_inputs_are_looked_through_for_traversal() -> None:
    assert [m.value for m in compile_selector("$.listed[*]").select(DATA).matches] == ["x", "y"]
    opaque = {"x": Input("P"), "r": Reference("R")}
    assert [m.value for m in compile_selector("$.x.deeper").select(opaque).matches] == [Input("P")]
    assert [m.value for m in compile_selector("$.r.deeper").select(opaque).matches] == [
        Reference("R")
    ]


def test_deepest_existing_path_for_missing_values() -> None:
    selection = compile_selector("$.options.hop_limit").select(DATA)
    assert selection.matches == []
    assert selection.deepest == ("options",)
    assert compile_selector("$.nothing.here").select(DATA).deepest == ()


def test_base_path_is_prefixed() -> None:
    rule = DATA["ingress"][0]
    matches = compile_selector("$.cidrs[1]").select(rule, ("ingress", 0)).matches
    assert matches[0].path == ("ingress", 0, "cidrs", 1)


def test_descendants() -> None:
    assert ("options", "tokens") in paths("$..tokens")


@pytest.mark.parametrize("expression", ["$.ingress[?(@.cidrs == 'a')]", "$.a.`len`"])
def test_unsupported_parts_are_refused(expression: str) -> None:
    with pytest.raises(SelectorError):
        compile_selector(expression)


def test_syntax_errors_are_refused() -> None:
    with pytest.raises(SelectorError, match="invalid selector"):
        compile_selector("$.[")


def test_compiled_once() -> None:
    assert compile_selector("$.options.tokens") is compile_selector("$.options.tokens")


_VALUES = st.recursive(
    st.sampled_from(
        ["a", 1, None, Unknown("u"), Reference("R"), Input("P"), Input("D", "x", has_default=True)]
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
        inner.map(lambda value: Input("N", value, has_default=True)),
    ),
    max_leaves=12,
)
_SELECTORS = st.lists(
    st.sampled_from([".a", ".b", ".c", "[*]", "[0]", ".*", "..a", "[0:2]"]), max_size=4
).map(lambda steps: "$" + "".join(steps))


@given(_SELECTORS, _VALUES, st.sampled_from([(), ("base",), ("x", 0)]))
@settings(max_examples=200, deadline=None)
def test_selection_of_field_chains_is_the_general_walk(
    text: str, data: object, base: tuple[object, ...]
) -> None:
    """Field after field is followed without the general machinery: the same matches,
    in the same order, and the same deepest path, whatever the value and what follows."""
    selector = compile_selector(text)
    deepest = [base]
    expected = _follow(selector.steps, [Match(base, data)], deepest)
    selection = selector.select(data, base)
    assert selection.matches == expected
    assert selection.deepest == deepest[0]

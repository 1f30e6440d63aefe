"""The model's immutable values: compared, hashed, shown and pickled by their fields."""

from __future__ import annotations

import pickle

import pytest

from iaclint.adapt.sourced import Src
from iaclint.graph.values import Input, PartialString, Reference, Unknown
from iaclint.span import Span


def test_equal_by_fields_and_type() -> None:
    assert Unknown("x") == Unknown("x", None)
    assert Unknown("x") != Unknown("x", "AWS::Region")
    assert hash(Reference("a", "b")) == hash(Reference("a", "b"))
    # Same field values, different types: never equal (a tuple would be).
    assert Unknown("a", "b") != Reference("a", "b")
    assert Unknown("a") != ("a", None)


def test_not_a_tuple_so_walkers_never_treat_it_as_a_list() -> None:
    assert not isinstance(PartialString(("a", Unknown("r"))), tuple)


def test_immutable() -> None:
    value = Reference("group")
    with pytest.raises(AttributeError, match="immutable"):
        value.target = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        del value.attribute  # type: ignore[misc]


def test_repr_names_every_field() -> None:
    assert repr(Reference("a")) == "Reference(target='a', attribute=None)"


def test_replace_changes_only_the_named_fields() -> None:
    declared = Span("t.yaml", 3, 5, 3, 9)
    original = Input("Port", 22, has_default=True, declared_at=declared)
    changed = original.replace(value=2222)
    assert changed == Input("Port", 2222, has_default=True, declared_at=declared)
    assert original.value == 22
    with pytest.raises(TypeError, match="no field 'valu'"):
        original.replace(valu=1)


def test_pickled_and_back() -> None:
    values = [
        Unknown("no default", "AWS::Partition"),
        PartialString(("arn:", Reference("Role", "Arn"))),
        Input("Secret", Unknown("no default"), secret=True, origin="variable"),
        Src({"a": Src(1, ("Properties", "a"))}, ("Properties",)),
    ]
    for value in values:
        assert pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) == value

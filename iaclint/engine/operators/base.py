"""What an operator is, and the verdict it gives."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from iaclint.findings import Step
from iaclint.graph.model import Graph

# Argument types an operator may declare, checked when a policy is loaded.
ARGUMENT_TYPES = ("any", "str", "int", "number", "bool", "list[str]", "list[int]", "list[any]")


class Verdict(NamedTuple):
    """True: the condition holds (bad for the resource); False: it does not; None: unknown."""

    truth: bool | None
    facts: Mapping[str, str] = {}
    reason: str | None = None
    # The way from the internet to the subject, when the operator found one.
    path: tuple[Step, ...] = ()


def unknown(reason: str) -> Verdict:
    return Verdict(None, {}, reason)


class Argument(NamedTuple):
    type: str
    required: bool = True
    default: object = None
    description: str = ""


class Operator(NamedTuple):
    name: str
    function: Callable[[object, Mapping[str, object]], Verdict]
    description: str
    arguments: Mapping[str, Argument] = {}
    # Names the operator adds to the finding's message arguments.
    facts: frozenset[str] = frozenset()
    # Receives unknowns, references and partial strings itself instead of the
    # engine answering "unknown" for it.
    sees_unknowns: bool = False
    # Receives parameter inputs themselves, not the default they stand for.
    sees_inputs: bool = False
    # Checks argument values beyond their type when a policy is loaded; returns
    # what is wrong, or None.
    check: Callable[[Mapping[str, object]], str | None] | None = None
    # An analysis of the whole graph, run once per graph: the operator then judges the
    # subject resource's entry in it (keyed by address and variant) instead of a value.
    analysis: (
        Callable[[Graph], Mapping[tuple[str, tuple[tuple[str, bool], ...]], object]] | None
    ) = None


def argument_fits(kind: str, value: object) -> bool:
    """Whether `value` has the declared argument type."""
    if kind == "any":
        return True
    if kind.startswith("list["):
        return isinstance(value, list) and all(argument_fits(kind[5:-1], item) for item in value)
    if kind == "str":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return False

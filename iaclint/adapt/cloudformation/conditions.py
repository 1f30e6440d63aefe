"""CloudFormation conditions, and the variants of a resource that depend on them.

A condition is never decided from parameter defaults (a deployment may pass other
values). Instead each resource is looked at under every combination of the
conditions it uses. Conditions are reduced to *atoms* (the `Fn::Equals` tests they
are built from), so that `IsProd` and `IsNotProd = !Not [!Condition IsProd]` are
never both true, and tests of one parameter against different literals are never
both true either.

The work is bounded: a resource explores at most `MAX_ATOMS` atoms (2**MAX_ATOMS
combinations); conditions beyond that stay undecided and the values that depend
on them are unknown.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping
from typing import NamedTuple

MAX_ATOMS = 6
# How deep one condition's expression is followed (named conditions start afresh).
MAX_EXPRESSION_DEPTH = 50


class TooLarge(Exception):
    """The template needs more work to resolve than the budget allows."""


Assignment = Mapping[str, bool]  # atom -> value


class Atom(NamedTuple):
    key: str
    # For `Ref Param == literal`: the parameter and the literal, to spot exclusions.
    parameter: str | None
    literal: str | None


class Variant(NamedTuple):
    """One combination: the value of each named condition the resource uses."""

    conditions: tuple[tuple[str, bool], ...]

    def value(self, name: str) -> bool | None:
        for known, value in self.conditions:
            if known == name:
                return value
        return None


class ConditionModel:
    def __init__(self, conditions: object, budget: int):
        """`budget`: the most values the conditions may hold once YAML aliases are
        expanded (they are walked once per combination); TooLarge past it."""
        self.definitions: dict[str, object] = conditions if isinstance(conditions, dict) else {}
        self._atoms: dict[str, tuple[Atom, ...]] = {}
        # Each `Fn::Equals` of the conditions, read once: (its argument, kept so that
        # its id stays its own, and its constant value or atom). Conditions are
        # evaluated under every combination, and an atom's key is costly to build.
        self._equals: dict[int, tuple[object, bool | None, Atom | None]] = {}
        if _expanded_size(self.definitions, budget) > budget:
            raise TooLarge(
                f"its Conditions hold more than {budget:,} values once YAML aliases are expanded"
            )

    def cycles(self) -> list[tuple[str, ...]]:
        """Chains of conditions that lead back to their start (CloudFormation refuses them)."""
        found: list[tuple[str, ...]] = []
        done: set[str] = set()
        # Depth first without recursion: a chain may be thousands of conditions long.
        for start in self.definitions:
            if start in done:
                continue
            done.add(start)
            chain = [start]
            pending = [iter(_conditions_named(self.definitions.get(start), 0))]
            while pending:
                used = next(pending[-1], None)
                if used is None:
                    pending.pop()
                    chain.pop()
                elif used in chain:
                    found.append((*chain[chain.index(used) :], used))
                elif used not in done:
                    done.add(used)
                    chain.append(used)
                    pending.append(iter(_conditions_named(self.definitions.get(used), 0)))
        return list(dict.fromkeys(found))

    def atoms_of(self, name: str) -> tuple[Atom, ...]:
        """The atoms a named condition depends on, in a stable order (depth first)."""
        cached = self._atoms.get(name)
        if cached is not None:
            return cached
        found: dict[str, Atom] = {}
        named = {name}  # each condition once: chains may be long, or loop
        # Expressions still to look at, the next last, with their depth.
        stack: list[tuple[object, int]] = [(self.definitions.get(name), 0)]
        while stack:
            expression, depth = stack.pop()
            if depth > MAX_EXPRESSION_DEPTH:
                continue
            if not isinstance(expression, dict) or len(expression) != 1:
                continue
            ((function, argument),) = expression.items()
            if function == "Fn::Equals":
                atom = self._read_equals(argument)[1]
                if atom is not None:
                    found.setdefault(atom.key, atom)
            elif function in ("Fn::And", "Fn::Or", "Fn::Not") and isinstance(argument, list):
                stack.extend((item, depth + 1) for item in reversed(argument))
            elif function == "Condition" and isinstance(argument, str):
                known = self._atoms.get(argument)
                if known is not None:
                    for atom in known:
                        found.setdefault(atom.key, atom)
                elif argument not in named:
                    named.add(argument)
                    stack.append((self.definitions.get(argument), 0))
        atoms = tuple(found.values())
        self._atoms[name] = atoms
        return atoms

    def _read_equals(self, argument: object) -> tuple[bool | None, Atom | None]:
        """An `Fn::Equals`'s value when both sides are literals, else its atom."""
        known = self._equals.get(id(argument))
        if known is None or known[0] is not argument:
            constant = _constant_equals(argument)
            known = (argument, constant, _atom(argument) if constant is None else None)
            self._equals[id(argument)] = known
        return known[1], known[2]

    def evaluate(self, name: str, assignment: Assignment) -> bool | None:
        """The value of a named condition under an assignment (None: undecided)."""
        return self._evaluate({"Condition": name}, assignment, depth=0, named={})

    def _evaluate(
        self,
        expression: object,
        assignment: Assignment,
        depth: int,
        named: dict[str, bool | None],
    ) -> bool | None:
        if depth > MAX_EXPRESSION_DEPTH or not isinstance(expression, dict) or len(expression) != 1:
            return None
        ((function, argument),) = expression.items()
        if function == "Fn::Equals":
            constant, atom = self._read_equals(argument)
            if constant is not None:
                return constant
            return assignment.get(atom.key) if atom is not None else None
        if function == "Condition" and isinstance(argument, str):
            # Each named condition is evaluated once per assignment: conditions that
            # use each other twice over would otherwise cost 2**depth, and one that
            # refers to itself (CloudFormation refuses it) stays undecided.
            if argument not in named:
                named[argument] = None
                definition = self.definitions.get(argument)
                named[argument] = self._evaluate(definition, assignment, depth + 1, named)
            return named[argument]
        if not isinstance(argument, list):
            return None
        values = [self._evaluate(item, assignment, depth + 1, named) for item in argument]
        if function == "Fn::Not":
            return None if len(values) != 1 or values[0] is None else not values[0]
        if function == "Fn::And":
            if False in values:
                return False
            return None if None in values else True
        if function == "Fn::Or":
            if True in values:
                return True
            return None if None in values else False
        return None

    def variants(self, names: Iterable[str], required: str | None) -> list[Variant]:
        """Combinations of the named conditions a resource uses.

        `required` is the resource's own `Condition`: combinations where it is
        false are left out, since the resource does not exist there.
        """
        wanted = list(dict.fromkeys([*([required] if required else []), *names]))
        if not wanted:
            return [Variant(())]
        atoms: dict[str, Atom] = {}
        for name in wanted:
            for atom in self.atoms_of(name):
                atoms.setdefault(atom.key, atom)
        explored = list(atoms.values())[:MAX_ATOMS]
        seen: dict[tuple[tuple[str, bool], ...], None] = {}
        for values in itertools.product((True, False), repeat=len(explored)):
            assignment = {atom.key: value for atom, value in zip(explored, values, strict=True)}
            if _contradicts(explored, values):
                continue
            if required and self.evaluate(required, assignment) is False:
                continue
            decided = []
            for name in wanted:
                value = self.evaluate(name, assignment)
                if value is not None:
                    decided.append((name, value))
            seen.setdefault(tuple(decided), None)
        return [Variant(conditions) for conditions in seen]


def _expanded_size(value: object, limit: int) -> int:
    """How many values `value` holds with shared parts counted each time (as YAML
    aliases expand), counting no further than just past `limit`."""
    count = 0
    stack = [value]
    while stack and count <= limit:
        current = stack.pop()
        count += 1
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return count


def _conditions_named(expression: object, depth: int) -> list[str]:
    """The conditions an expression uses by name (`{"Condition": name}`)."""
    if depth > MAX_EXPRESSION_DEPTH or not isinstance(expression, dict) or len(expression) != 1:
        return []
    ((function, argument),) = expression.items()
    if function == "Condition":
        return [argument] if isinstance(argument, str) else []
    items = argument if isinstance(argument, list) else []
    return [name for item in items for name in _conditions_named(item, depth + 1)]


def _contradicts(atoms: list[Atom], values: tuple[bool, ...]) -> bool:
    """Two `Ref P == literal` atoms on the same P with different literals, both true."""
    chosen: dict[str, str] = {}
    for atom, value in zip(atoms, values, strict=True):
        if not value or atom.parameter is None or atom.literal is None:
            continue
        previous = chosen.setdefault(atom.parameter, atom.literal)
        if previous != atom.literal:
            return True
    return False


# Built once (a union written in `isinstance` is built at every call).
_LITERAL = (str, int, float, bool)


def _is_literal(value: object) -> bool:
    return isinstance(value, _LITERAL) or value is None


def _constant_equals(argument: object) -> bool | None:
    if isinstance(argument, list) and len(argument) == 2 and all(map(_is_literal, argument)):
        return str(argument[0]) == str(argument[1])
    return None


def _atom(argument: object) -> Atom | None:
    if not isinstance(argument, list) or len(argument) != 2:
        return None
    if _constant_equals(argument) is not None:
        return None
    left, right = argument
    key = json.dumps(sorted(json.dumps(side, sort_keys=True) for side in argument))
    for ref, literal in ((left, right), (right, left)):
        if isinstance(ref, dict) and set(ref) == {"Ref"} and _is_literal(literal):
            parameter = ref["Ref"]
            if isinstance(parameter, str):
                return Atom(key, parameter, str(literal))
    return Atom(key, None, None)

"""Operators on single values: comparisons that templates' loose typing needs.

Templates write `22` and `"22"`, `true` and `"True"` for the same thing, so
comparisons look through those spellings.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from iaclint.engine.operators.base import Argument, Operator, Verdict, unknown
from iaclint.graph.values import PartialString, Reference, Unknown, unknown_reason


def as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "false"):
            return text == "true"
    return None


def as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def same(left: object, right: object, ignore_case: bool = True) -> bool:
    """Equality as a template means it: 22 == "22", True == "true", "A" == "a"."""
    if isinstance(left, bool) or isinstance(right, bool):
        return as_bool(left) is not None and as_bool(left) == as_bool(right)
    if isinstance(left, int | float) or isinstance(right, int | float):
        a, b = as_number(left), as_number(right)
        return a is not None and a == b
    if isinstance(left, str) and isinstance(right, str):
        if ignore_case:
            return left.strip().casefold() == right.strip().casefold()
        return left.strip() == right.strip()
    return left == right


def _equals(value: object, args: Mapping[str, object]) -> Verdict:
    return Verdict(same(value, args["value"], bool(args["ignore_case"])))


def _one_of(value: object, args: Mapping[str, object]) -> Verdict:
    choices = args["values"]
    assert isinstance(choices, list)
    return Verdict(any(same(value, choice, bool(args["ignore_case"])) for choice in choices))


def _is_true(value: object, args: Mapping[str, object]) -> Verdict:
    return Verdict(as_bool(value) is True)


def _is_false(value: object, args: Mapping[str, object]) -> Verdict:
    return Verdict(as_bool(value) is False)


def _compare(value: object, limit: object, name: str) -> Verdict:
    number = as_number(value)
    if number is None:
        return unknown(f"'{value}' is not a number")
    assert isinstance(limit, int | float)
    results = {
        "greater_than": number > limit,
        "less_than": number < limit,
        "at_least": number >= limit,
        "at_most": number <= limit,
    }
    return Verdict(results[name])


def _matches(value: object, args: Mapping[str, object]) -> Verdict:
    pattern = args["pattern"]
    assert isinstance(pattern, str)
    flags = re.IGNORECASE if args["ignore_case"] else 0
    if isinstance(value, PartialString):
        # Found in the text written around the unknown parts: found whatever they are.
        if any(isinstance(part, str) and re.search(pattern, part, flags) for part in value.parts):
            return Verdict(True)
        return unknown("the text is known only in part at deployment")
    if isinstance(value, Unknown | Reference):
        return unknown(unknown_reason(value))
    if not isinstance(value, str):
        return Verdict(False)
    return Verdict(re.search(pattern, value, flags) is not None)


def _check_pattern(args: Mapping[str, object]) -> str | None:
    try:
        re.compile(str(args["pattern"]))
    except re.error as exc:
        return f"invalid regular expression '{args['pattern']}': {exc}"
    return None


_IGNORE_CASE = Argument(
    "bool", required=False, default=True, description="compare text ignoring case"
)


def _compare_named(name: str, value: object, args: Mapping[str, object]) -> Verdict:
    return _compare(value, args["value"], name)


def _comparison(name: str, description: str) -> Operator:
    return Operator(
        name,
        functools.partial(_compare_named, name),
        description,
        {"value": Argument("number", description="the number to compare with")},
    )


OPERATORS = (
    Operator(
        "equals",
        _equals,
        'The value equals `value` (22 equals "22", true equals "True"; text ignores case).',
        {
            "value": Argument("any", description="the value to compare with"),
            "ignore_case": _IGNORE_CASE,
        },
    ),
    Operator(
        "one_of",
        _one_of,
        "The value equals one of `values`.",
        {
            "values": Argument("list[any]", description="the accepted values"),
            "ignore_case": _IGNORE_CASE,
        },
    ),
    Operator("is_true", _is_true, 'The value is true (a boolean or the text "true" in any case).'),
    Operator(
        "is_false", _is_false, 'The value is false (a boolean or the text "false" in any case).'
    ),
    _comparison("greater_than", "The value is a number greater than `value`."),
    _comparison("less_than", "The value is a number less than `value`."),
    _comparison("at_least", "The value is a number greater than or equal to `value`."),
    _comparison("at_most", "The value is a number less than or equal to `value`."),
    Operator(
        "matches",
        _matches,
        "The value is text in which the regular expression `pattern` is found (in text "
        "known only in part, found in a known part; otherwise unknown).",
        {
            "pattern": Argument("str", description="a Python regular expression"),
            "ignore_case": _IGNORE_CASE,
        },
        check=_check_pattern,
        sees_unknowns=True,
    ),
)

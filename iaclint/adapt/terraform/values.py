"""Values as the Terraform evaluator sees them.

Every value is `Located`: the value and the place it was written. Containers hold
located items (`list[Located]`, `dict[str, Located]`), so a list element or an
object attribute keeps its own line when it travels through a local, a module
argument or a function like `concat` or `merge`. A value computed from others
(a template, `format(...)`) is located at the expression that computed it.

Leaves are plain data or the common model's explicit unknowns (`Unknown`,
`Reference`, `PartialString`, `Input`), plus a few values that exist only while
evaluating: a resource instance (`Instance`), a namespace (`var`, `aws_instance`,
`module`...) and the data of a `jsonencode(...)` call (`Encoded`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, Protocol

from iaclint.graph.values import Input, PartialString, Reference, Unknown
from iaclint.span import Span

# Characters a single string value may have (a file() is at most 10 MiB).
MAX_STRING = 16 * 1024 * 1024


class Place(Protocol):
    """What can turn offsets into a span: a file's `SourceText`, or a fixed span."""

    @property
    def file(self) -> str: ...

    def span(self, start: int, end: int) -> Span: ...


class FixedPlace(NamedTuple):
    """A place known only as a span (a value read from JSON)."""

    at: Span

    @property
    def file(self) -> str:
        return self.at.file

    def span(self, start: int, end: int) -> Span:
        return self.at


class Located(NamedTuple):
    value: object
    # None: not written anywhere in particular (a default filled in by a type,
    # a variable's value); it takes the place of the expression that used it.
    place: Place | None = None
    start: int = 0
    end: int = 0

    def span(self) -> Span | None:
        return None if self.place is None else self.place.span(self.start, self.end)

    def at(self, place: Place | None, start: int, end: int) -> Located:
        """This value, placed where it has no place of its own."""
        if self.place is not None:
            return self
        return Located(self.value, place, start, end)


class EvalError(Exception):
    """The expression is wrong for known values (Terraform would stop): `try` moves on."""


class Instance(NamedTuple):
    """A resource (or data source) instance, as a reference expression sees it."""

    address: str
    data: bool = False
    # The value an attribute has before deployment, when the provider returns it
    # as configured (a VPC's `cidr_block`); None for the others.
    configured: Callable[[str], Located | None] | None = None


class Encoded(NamedTuple):
    """The result of `jsonencode(value)`: text to Terraform, data to an IAM adapter."""

    data: Located


class Namespace(NamedTuple):
    """A name whose attributes are looked up on demand (`var`, `aws_instance`, ...)."""

    name: str
    attribute: Callable[[str], Located]


def is_opaque(value: object) -> bool:
    return isinstance(value, Unknown | Reference | PartialString)


def look_through(value: object) -> object:
    """An input's value, for computing with it (a missing default stays an Input)."""
    while isinstance(value, Input) and value.has_default:
        value = value.value
    return value


def unknown_of(value: object) -> Unknown | None:
    """The unknown a value stands for, if it is not known."""
    value = look_through(value)
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Input):
        return Unknown(f"variable {value.name} has no value")
    if isinstance(value, Reference):
        return Unknown(f"depends on {value.describe()}, known only after deployment")
    if isinstance(value, PartialString):
        return Unknown(f"'{value.describe()}' is known only after deployment")
    return None


def plain(located: Located) -> object:
    """The value without places (unknowns and references kept as they are)."""
    value = located.value
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, Input) and value.has_default:
        return value.value
    if isinstance(value, Encoded):
        return encoded_text(value)
    return value


def first_unknown(located: Located) -> Unknown | None:
    """The first value inside that is not known (None when all of it is)."""
    stack = [located]
    while stack:
        current = stack.pop()
        value = look_through(current.value)
        if isinstance(value, list):
            stack.extend(reversed(value))
        elif isinstance(value, dict):
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, Encoded):
            stack.append(value.data)
        elif isinstance(value, Instance | Namespace):
            return Unknown("a resource or module used as data")
        else:
            found = unknown_of(value)
            if found is not None:
                return found
    return None


class TooLarge(Exception):
    """The configuration needs more evaluation than the budget allows.

    `where` is the expression being evaluated when the budget ran out (its place
    and offset), filled in by the innermost entry point that knows it."""

    def __init__(self, message: str, where: tuple[Place, int] | None = None):
        super().__init__(message)
        self.where = where


def check_json_size(located: Located) -> None:
    """Before writing `located` as JSON: a TooLarge if the text would pass MAX_STRING
    (a list of 100,000 references to one long string is small until written)."""
    size = 0
    stack = [located]
    while stack:
        value = look_through(stack.pop().value)
        if isinstance(value, list):
            stack.extend(value)
            size += len(value) + 2
        elif isinstance(value, dict):
            stack.extend(value.values())
            size += sum(len(key) + 4 for key in value) + 2
        elif isinstance(value, Encoded):
            stack.append(value.data)
        elif isinstance(value, str):
            size += len(value) + 2
        else:
            size += 8
        if size > MAX_STRING:
            raise TooLarge(f"a JSON text longer than {MAX_STRING // 2**20} MiB")


def encoded_text(value: Encoded) -> object:
    """The JSON text Terraform's jsonencode produces (keys sorted, no spaces)."""
    import json

    check_json_size(value.data)
    missing = first_unknown(value.data)
    if missing is not None:
        return Unknown(f"JSON of a value that is not known: {missing.reason}")
    return json.dumps(plain(value.data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def type_name(value: object) -> str:
    value = look_through(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str | Encoded):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, Instance):
        return "resource"
    return "value"

"""Variable type constraints, and the conversions Terraform applies with them.

A module's variable declared as `object({ http_tokens = optional(string, "required") })`
receives `{}` from its caller as `{ http_tokens = "required" }`: the defaults of
optional attributes are part of the value. Without them a missing attribute
would read as "not set" and a policy would raise a false alarm, so variables
are converted by their type before anything uses them: primitive conversions
(`"22"` to a number), optional attributes and their defaults, attributes an
object type does not declare dropped, sets de-duplicated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from iaclint.adapt.terraform.values import Encoded, EvalError, Located, look_through
from iaclint.graph.values import Input
from iaclint.parse.hcl.syntax import Call, Expr, Literal, ObjectExpr, TupleExpr, Variable


class Primitive(NamedTuple):
    name: str  # string, number, bool


class AnyType(NamedTuple):
    pass


class Collection(NamedTuple):
    kind: str  # list, set, map
    element: Type


class ObjectAttribute(NamedTuple):
    type: Type
    optional: bool
    default: Expr | None


class ObjectType(NamedTuple):
    attributes: dict[str, ObjectAttribute]


class TupleType(NamedTuple):
    items: tuple[Type, ...]


Type = Primitive | AnyType | Collection | ObjectType | TupleType

ANY = AnyType()


def parse_type(expr: Expr) -> Type:
    """A type constraint from its expression; anything not understood is `any`."""
    if type(expr) is Variable:
        if expr.name in ("string", "number", "bool"):
            return Primitive(expr.name)
        return ANY
    if type(expr) is Call:
        name, args = expr.name, expr.args
        if name in ("list", "set", "map") and len(args) == 1:
            return Collection(name, parse_type(args[0]))
        if name == "object" and len(args) == 1 and type(args[0]) is ObjectExpr:
            attributes: dict[str, ObjectAttribute] = {}
            for item in args[0].items:
                key = item.literal_key
                if key is None and type(item.key) is Literal and isinstance(item.key.value, str):
                    key = item.key.value
                if key is None:
                    return ANY
                attributes[key] = _attribute(item.value)
            return ObjectType(attributes)
        if name == "tuple" and len(args) == 1 and type(args[0]) is TupleExpr:
            return TupleType(tuple(parse_type(item) for item in args[0].items))
    return ANY


def _attribute(expr: Expr) -> ObjectAttribute:
    if type(expr) is Call and expr.name == "optional" and 1 <= len(expr.args) <= 2:
        default = expr.args[1] if len(expr.args) == 2 else None
        return ObjectAttribute(parse_type(expr.args[0]), True, default)
    return ObjectAttribute(parse_type(expr), False, None)


# Evaluates an optional attribute's default expression.
DefaultEvaluator = Callable[[Expr], Located]


def convert(value: Located, target: Type, defaults: DefaultEvaluator) -> Located:
    """Convert a value to a type. Raises EvalError when it cannot be converted."""
    if type(target) is AnyType:
        return value
    raw = value.value
    inner = look_through(raw)
    if inner is None or _opaque(inner):
        return value
    if type(target) is Primitive:
        converted = _primitive(inner, target.name)
        return value if converted is inner else _rewrap(value, raw, converted)
    if type(target) is Collection:
        return _collection(value, raw, inner, target, defaults)
    if type(target) is ObjectType:
        if not isinstance(inner, dict):
            raise EvalError(f"an object is required, got {type(inner).__name__}")
        out: dict[str, Located] = {}
        for name, attribute in target.attributes.items():
            given = inner.get(name)
            if given is None or given.value is None:
                if attribute.optional:
                    default = (
                        defaults(attribute.default)
                        if attribute.default is not None
                        else Located(None)
                    )
                    out[name] = convert(default, attribute.type, defaults)
                    continue
                if given is None:
                    raise EvalError(f"attribute '{name}' is required")
                out[name] = given
                continue
            out[name] = convert(given, attribute.type, defaults)
        return _rewrap(value, raw, out)
    assert type(target) is TupleType
    if not isinstance(inner, list) or len(inner) != len(target.items):
        raise EvalError("a tuple of a different length is required")
    items = [convert(item, kind, defaults) for item, kind in zip(inner, target.items, strict=True)]
    return _rewrap(value, raw, items)


def _collection(
    value: Located, raw: object, inner: object, target: Collection, defaults: DefaultEvaluator
) -> Located:
    if target.kind == "map":
        if not isinstance(inner, dict):
            raise EvalError(f"a map is required, got {type(inner).__name__}")
        converted = {key: convert(item, target.element, defaults) for key, item in inner.items()}
        return _rewrap(value, raw, converted)
    if not isinstance(inner, list):
        raise EvalError(f"a {target.kind} is required, got {type(inner).__name__}")
    items = [convert(item, target.element, defaults) for item in inner]
    if target.kind == "set":
        items = distinct(items)
    return _rewrap(value, raw, items)


def distinct(items: list[Located]) -> list[Located]:
    """Items without repeats (by value), first occurrence kept."""
    from iaclint.adapt.terraform.values import plain

    seen: set[str] = set()
    out = []
    for item in items:
        key = repr(plain(item))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _primitive(value: object, name: str) -> object:
    if name == "string":
        if isinstance(value, Encoded):
            return value  # jsonencode(...) is a string, and keeps its data
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return format_number(value)
        if isinstance(value, str):
            return value
        raise EvalError(f"a string is required, got {type(value).__name__}")
    if name == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            return parse_number(value)
        raise EvalError(f"a number is required, got {type(value).__name__}")
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    raise EvalError(f"a bool is required, got {type(value).__name__}")


# Longer texts are not read as numbers (Python refuses to read whole numbers past
# 4,300 digits; iaclint's numbers have at most 1,000, see evaluate.MAX_DIGITS).
_MAX_NUMBER_TEXT = 1_000


def parse_number(text: str) -> int | float:
    if len(text) > _MAX_NUMBER_TEXT:
        raise EvalError(f"a text of {len(text):,} characters is not a number iaclint reads")
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        raise EvalError(f"'{text}' is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise EvalError(f"'{text}' is not a number")
    return int(number) if number.is_integer() and "e" not in text.lower() else number


def format_number(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def _rewrap(value: Located, raw: object, converted: object) -> Located:
    # Inputs are leaves (see `Scope.variable`): a converted leaf stays an input.
    if isinstance(raw, Input):
        return value._replace(value=raw.replace(value=converted))
    return value._replace(value=converted)


def _opaque(value: object) -> bool:
    from iaclint.adapt.terraform.values import is_opaque

    return is_opaque(value) or isinstance(value, Input)

"""Evaluate HCL expressions as Terraform would before a plan, honestly.

What can be known from the configuration is computed; everything else becomes
an explicit unknown with its reason, never a guess. Unknowns spread the way
Terraform's do: an operation on an unknown operand is unknown, except where the
known part decides (`false && x`, a conditional whose condition is known).

Errors Terraform itself would stop on (an attribute missing from a known object,
an index out of range, a count of a resource that has no instance there) raise
`EvalError`, which `try(...)` and `can(...)` catch; elsewhere they make the
attribute unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from iaclint.adapt.terraform.types import format_number, parse_number
from iaclint.adapt.terraform.values import (
    MAX_STRING as MAX_STRING,  # re-exported, as TooLarge
)
from iaclint.adapt.terraform.values import (
    Encoded,
    EvalError,
    Instance,
    Located,
    Namespace,
    Place,
    encoded_text,
    look_through,
    plain,
    unknown_of,
)
from iaclint.adapt.terraform.values import (
    TooLarge as TooLarge,
)
from iaclint.graph.values import Input, PartialString, Reference, Unknown
from iaclint.parse.hcl.syntax import (
    Binary,
    Call,
    Conditional,
    Expr,
    ForDirective,
    ForExpr,
    GetAttr,
    IfDirective,
    Index,
    Interpolation,
    Literal,
    ObjectExpr,
    Splat,
    SplatItem,
    Template,
    TemplatePart,
    TupleExpr,
    Unary,
    Unreadable,
    Variable,
)

# Expression nodes evaluated per unit (a root module and its children) at most.
MAX_STEPS = 5_000_000
# Elements a single collection may have (range(), for expressions).
MAX_ELEMENTS = 100_000
# Resource and module instances, and module calls read, per unit.
MAX_INSTANCES = 100_000
MAX_MODULE_CALLS = 1_000
# Decimal digits a whole number may have (Python refuses to print past 4,300).
MAX_DIGITS = 1_000
_MAX_NUMBER = 10**MAX_DIGITS
_INFINITE = (float("inf"), float("-inf"))

_SPLAT = "\x00splat"

Bindings = Mapping[str, Located]


class Unresolved(Exception):
    """An operand is not known: the operation's result is unknown (not an error)."""

    def __init__(self, unknown: Unknown):
        super().__init__(unknown.reason)
        self.unknown = unknown


class Scope(Protocol):
    """What expressions may refer to in one module instance."""

    def root(self, name: str) -> Located:
        """`var`, `local`, `module`, `data`, `path`, a resource type... (EvalError if none)."""

    def resolve(self, reference: Reference) -> str | None:
        """A resource attribute set to known text in the configuration, if it is."""

    def read_file(self, path: str) -> str:
        """A file's text for file()/templatefile(); raises Unresolved or EvalError."""


class Budget:
    """The work one unit may cost, whatever its configuration expands to: each
    limit met is a TooLarge that names it."""

    def __init__(self, steps: int = MAX_STEPS):
        self.steps = steps
        self.instances = MAX_INSTANCES
        self.module_calls = MAX_MODULE_CALLS

    def spend(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise TooLarge(f"more than {MAX_STEPS:,} expressions to evaluate")

    def spend_instances(self, count: int) -> None:
        self.instances -= count
        if self.instances < 0:
            raise TooLarge(f"more than {MAX_INSTANCES:,} resource and module instances")

    def spend_module_call(self) -> None:
        self.module_calls -= 1
        if self.module_calls < 0:
            raise TooLarge(f"more than {MAX_MODULE_CALLS:,} module calls to read")

    @staticmethod
    def string_room(length: int) -> None:
        """Before building a string of `length` characters."""
        if length > MAX_STRING:
            raise TooLarge(f"a string longer than {MAX_STRING // 2**20} MiB")


def check_number(number: int | float) -> int | float:
    """`number`, unless it is too large to work with (an EvalError): a whole number
    of more than MAX_DIGITS digits, or a float past the largest (infinite)."""
    if type(number) is int:
        if not -_MAX_NUMBER < number < _MAX_NUMBER:
            raise EvalError(f"a number with more than {MAX_DIGITS:,} digits")
    elif number in _INFINITE or number != number:
        raise EvalError("a number too large for iaclint to compute with")
    return number


Function = Callable[["Evaluator", list[Located], "CallSite"], object]


class CallSite:
    """Where a function is called: functions that compute new values are located here."""

    __slots__ = ("end", "name", "place", "start")

    def __init__(self, name: str, place: Place, start: int, end: int):
        self.name = name
        self.place = place
        self.start = start
        self.end = end

    def located(self, value: object) -> Located:
        return Located(value, self.place, self.start, self.end)


class Evaluator:
    def __init__(self, scope: Scope, functions: Mapping[str, Function], budget: Budget):
        self.scope = scope
        self.functions = functions
        self.budget = budget

    # -- entry points ----------------------------------------------------------

    def evaluate(self, expr: Expr, place: Place, bindings: Bindings) -> Located:
        """Evaluate an attribute's expression; an error makes it unknown."""
        try:
            return self.eval(expr, place, bindings)
        except EvalError as exc:
            return Located(Unknown(f"cannot be evaluated: {exc}"), place, expr.start, expr.end)
        except RecursionError:
            return Located(Unknown("nested too deeply to evaluate"), place, expr.start, expr.end)
        except TooLarge as exc:
            if exc.where is None:
                exc.where = (place, expr.start)
            raise

    def eval(self, expr: Expr, place: Place, bindings: Bindings) -> Located:
        self.budget.spend()
        if type(expr) is Literal:
            return Located(expr.value, place, expr.start, expr.end)
        handler = _HANDLERS.get(type(expr))
        if handler is None:
            return Located(Unknown("an expression iaclint cannot evaluate"), place, 0, 0)
        try:
            result = handler(self, expr, place, bindings)
        except Unresolved as exc:
            return Located(exc.unknown, place, expr.start, expr.end)
        value = result.value
        if type(value) is str:
            Budget.string_room(len(value))
        elif type(value) is int or type(value) is float:
            check_number(value)
        return result

    # -- nodes -----------------------------------------------------------------

    def _unreadable(self, expr: Unreadable, place: Place, bindings: Bindings) -> Located:
        return Located(Unknown(f"expression not read: {expr.reason}"), place, expr.start, expr.end)

    def _variable(self, expr: Variable, place: Place, bindings: Bindings) -> Located:
        bound = bindings.get(expr.name)
        if bound is not None:
            return bound.at(place, expr.start, expr.end)
        return self.scope.root(expr.name).at(place, expr.start, expr.end)

    def _splat_item(self, expr: SplatItem, place: Place, bindings: Bindings) -> Located:
        return bindings[_SPLAT]

    def _template(self, expr: Template, place: Place, bindings: Bindings) -> Located:
        parts = expr.parts
        if len(parts) == 1 and type(parts[0]) is Interpolation:
            # A template that is one interpolation yields the value itself.
            return self.eval(parts[0].expr, place, bindings)
        pieces: list[str | Unknown | Reference] = []
        self._render(parts, place, bindings, pieces)
        Budget.string_room(sum(len(piece) for piece in pieces if type(piece) is str))
        return Located(join_pieces(pieces), place, expr.start, expr.end)

    def _render(
        self,
        parts: tuple[TemplatePart, ...],
        place: Place,
        bindings: Bindings,
        out: list[str | Unknown | Reference],
    ) -> None:
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            elif type(part) is Interpolation:
                out.extend(self.string_pieces(self.eval(part.expr, place, bindings)))
            elif type(part) is IfDirective:
                condition = to_bool(self.eval(part.condition, place, bindings))
                self._render(part.then if condition else part.otherwise, place, bindings, out)
            else:
                assert type(part) is ForDirective
                collection = self.eval(part.collection, place, bindings)
                for key, value in iterate(collection):
                    inner = dict(bindings)
                    inner[part.value_var] = value
                    if part.key_var is not None:
                        inner[part.key_var] = key
                    self._render(part.body, place, inner, out)

    def string_pieces(self, located: Located) -> list[str | Unknown | Reference]:
        value = look_through(located.value)
        if isinstance(value, str):
            return [value]
        if isinstance(value, bool):
            return ["true" if value else "false"]
        if isinstance(value, int | float):
            return [format_number(value)]
        if value is None:
            raise EvalError("a null value cannot be used in a string template")
        if isinstance(value, Reference):
            resolved = self.scope.resolve(value)
            return [resolved if resolved is not None else value]
        if isinstance(value, PartialString):
            return list(value.parts)
        if isinstance(value, Encoded):
            text = encoded_text(value)
            return [text if isinstance(text, str) else _as_unknown(text)]
        unknown = unknown_of(value)
        if unknown is not None:
            return [unknown]
        raise EvalError(f"a {_kind(value)} cannot be used in a string template")

    def _tuple(self, expr: TupleExpr, place: Place, bindings: Bindings) -> Located:
        items = [self.eval(item, place, bindings) for item in expr.items]
        return Located(items, place, expr.start, expr.end)

    def _object(self, expr: ObjectExpr, place: Place, bindings: Bindings) -> Located:
        out: dict[str, Located] = {}
        for item in expr.items:
            if item.literal_key is not None:
                key = item.literal_key
            else:
                key = object_key(self.eval(item.key, place, bindings))
            out[key] = self.eval(item.value, place, bindings)
        return Located(out, place, expr.start, expr.end)

    def _get_attr(self, expr: GetAttr, place: Place, bindings: Bindings) -> Located:
        target = self.eval(expr.target, place, bindings)
        return get_attribute(target, expr.name).at(place, expr.start, expr.end)

    def _index(self, expr: Index, place: Place, bindings: Bindings) -> Located:
        target = self.eval(expr.target, place, bindings)
        key = self.eval(expr.key, place, bindings)
        return get_index(target, key).at(place, expr.start, expr.end)

    def _splat(self, expr: Splat, place: Place, bindings: Bindings) -> Located:
        target = self.eval(expr.target, place, bindings)
        value = look_through(target.value)
        if value is None:
            return Located([], place, expr.start, expr.end)
        unknown = unknown_of(value)
        if unknown is not None:
            return Located(unknown, place, expr.start, expr.end)
        elements = value if isinstance(value, list) else [target]
        inner = dict(bindings)
        out = []
        for element in elements:
            inner[_SPLAT] = element
            out.append(self.eval(expr.each, place, inner))
        return Located(out, place, expr.start, expr.end)

    def _unary(self, expr: Unary, place: Place, bindings: Bindings) -> Located:
        operand = self.eval(expr.operand, place, bindings)
        if expr.op == "!":
            result: object = not to_bool(operand)
        else:
            result = check_number(-to_number(operand))
        return Located(result, place, expr.start, expr.end)

    def _binary(self, expr: Binary, place: Place, bindings: Bindings) -> Located:
        op = expr.op
        left = self.eval(expr.left, place, bindings)
        right = self.eval(expr.right, place, bindings)
        return Located(binary(op, left, right), place, expr.start, expr.end)

    def _conditional(self, expr: Conditional, place: Place, bindings: Bindings) -> Located:
        condition = self.eval(expr.condition, place, bindings)
        chosen = expr.then if to_bool(condition) else expr.otherwise
        return self.eval(chosen, place, bindings)

    def _for(self, expr: ForExpr, place: Place, bindings: Bindings) -> Located:
        collection = self.eval(expr.collection, place, bindings)
        inner = dict(bindings)
        items: list[Located] = []
        grouped: dict[str, list[Located]] = {}
        mapping: dict[str, Located] = {}
        for key, value in iterate(collection):
            inner[expr.value_var] = value
            if expr.key_var is not None:
                inner[expr.key_var] = key
            if expr.condition is not None and not to_bool(self.eval(expr.condition, place, inner)):
                continue
            produced = self.eval(expr.value, place, inner)
            if expr.key is None:
                items.append(produced)
                continue
            name = object_key(self.eval(expr.key, place, inner))
            if expr.grouping:
                grouped.setdefault(name, []).append(produced)
            elif name in mapping:
                raise EvalError(f"duplicate key '{name}' in a for expression (use '...')")
            else:
                mapping[name] = produced
            if len(mapping) + len(grouped) > MAX_ELEMENTS:
                raise TooLarge(f"a for expression of more than {MAX_ELEMENTS:,} elements")
        if expr.key is None:
            return Located(items, place, expr.start, expr.end)
        if expr.grouping:
            result = {
                name: Located(group, place, expr.start, expr.end) for name, group in grouped.items()
            }
            return Located(result, place, expr.start, expr.end)
        return Located(mapping, place, expr.start, expr.end)

    def _call(self, expr: Call, place: Place, bindings: Bindings) -> Located:
        name = expr.name
        site = CallSite(name, place, expr.start, expr.end)
        if name == "try":
            return self._try(expr, place, bindings, site)
        if name == "can":
            return self._can(expr, place, bindings, site)
        function = self.functions.get(name)
        if function is None:
            reason = (
                f"provider function {name} is not evaluated"
                if name.startswith("provider::")
                else f"function {name}() is not evaluated by iaclint"
            )
            return site.located(Unknown(reason))
        args = [self.eval(arg, place, bindings) for arg in expr.args]
        if expr.expand_last and args:
            last = look_through(args[-1].value)
            if not isinstance(last, list):
                unknown = unknown_of(last)
                if unknown is not None:
                    return site.located(unknown)
                raise EvalError(f"'...' in {name}() needs a list")
            args = [*args[:-1], *last]
        result = function(self, args, site)
        if isinstance(result, Located):
            return result.at(place, expr.start, expr.end)
        return site.located(result)

    def _try(self, expr: Call, place: Place, bindings: Bindings, site: CallSite) -> Located:
        last_error = "no arguments"
        for arg in expr.args:
            try:
                return self.eval(arg, place, bindings)
            except EvalError as exc:
                last_error = str(exc)
        raise EvalError(f"no argument of try() could be evaluated ({last_error})")

    def _can(self, expr: Call, place: Place, bindings: Bindings, site: CallSite) -> Located:
        if len(expr.args) != 1:
            raise EvalError("can() takes one argument")
        try:
            result = self.eval(expr.args[0], place, bindings)
        except EvalError:
            return site.located(False)
        unknown = unknown_of(result.value)
        return site.located(unknown if unknown is not None else True)


# Each handler takes the node of its own type.
_HANDLERS: dict[type, Callable[[Evaluator, Any, Place, Bindings], Located]] = {
    Unreadable: Evaluator._unreadable,
    Variable: Evaluator._variable,
    SplatItem: Evaluator._splat_item,
    Template: Evaluator._template,
    TupleExpr: Evaluator._tuple,
    ObjectExpr: Evaluator._object,
    GetAttr: Evaluator._get_attr,
    Index: Evaluator._index,
    Splat: Evaluator._splat,
    Unary: Evaluator._unary,
    Binary: Evaluator._binary,
    Conditional: Evaluator._conditional,
    ForExpr: Evaluator._for,
    Call: Evaluator._call,
}


# -- operations on values ----------------------------------------------------------


def _as_unknown(value: object) -> Unknown:
    return value if isinstance(value, Unknown) else Unknown("not known")


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, Instance):
        return "resource"
    if isinstance(value, Namespace):
        return f"'{value.name}'"
    return type(value).__name__


def need(located: Located) -> object:
    """The known value (inputs looked through); Unresolved when it is not known."""
    value = look_through(located.value)
    unknown = unknown_of(value)
    if unknown is not None:
        raise Unresolved(unknown)
    return value


def to_bool(located: Located) -> bool:
    value = need(located)
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    if value is None:
        raise EvalError("a null value cannot be used as a condition")
    raise EvalError(f"a bool is required, got {_kind(value)}")


def to_number(located: Located) -> int | float:
    value = need(located)
    if isinstance(value, bool):
        raise EvalError("a number is required, got bool")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return parse_number(value)
    raise EvalError(f"a number is required, got {_kind(value) if value is not None else 'null'}")


def to_text(evaluator: Evaluator, located: Located) -> str:
    """A value as text (numbers and bools converted); Unresolved when not known."""
    pieces = evaluator.string_pieces(located)
    result = join_pieces(pieces)
    if isinstance(result, str):
        return result
    raise Unresolved(unknown_of(result) or Unknown("text known only after deployment"))


def object_key(located: Located) -> str:
    value = need(located)
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    raise EvalError(f"an object key must be text, got {_kind(value)}")


def join_pieces(pieces: list[str | Unknown | Reference]) -> object:
    """Text, or a PartialString where some pieces are not known. Each run of known
    text is joined once: adding piece by piece copied the text built so far at
    every piece (`join()` of 15,000 long strings took a minute)."""
    merged: list[str | Unknown | Reference] = []
    run: list[str] = []
    for piece in pieces:
        if isinstance(piece, str):
            run.append(piece)
            continue
        if run:
            text = "".join(run)
            if text:
                merged.append(text)
            run = []
        merged.append(piece)
    text = "".join(run)
    if not merged:
        return text
    if text:
        merged.append(text)
    return PartialString(tuple(merged))


def iterate(collection: Located) -> list[tuple[Located, Located]]:
    """(key, value) pairs of a known list or map, maps in key order as Terraform does."""
    value = need(collection)
    if isinstance(value, list):
        return [(Located(index), item) for index, item in enumerate(value)]
    if isinstance(value, dict):
        return [(Located(key), value[key]) for key in sorted(value)]
    if value is None:
        raise EvalError("cannot iterate over a null value")
    raise EvalError(f"cannot iterate over a {_kind(value)}")


def get_attribute(target: Located, name: str) -> Located:
    value = target.value
    if isinstance(value, Namespace):
        return value.attribute(name)
    if isinstance(value, Instance):
        if value.data:
            return Located(Unknown(f"data source {value.address} is read at plan time"))
        configured = value.configured(name) if value.configured is not None else None
        if configured is not None:
            return configured
        return Located(Reference(value.address, name))
    if isinstance(value, Reference):
        attribute = name if value.attribute is None else f"{value.attribute}.{name}"
        return Located(Reference(value.target, attribute))
    if isinstance(value, Input) and value.has_default:
        inner = value.value
        if isinstance(inner, dict):
            if name not in inner:
                raise EvalError(f"variable {value.name} has no attribute '{name}'")
            return Located(value.replace(value=inner[name]))
    inner = look_through(value)
    if isinstance(inner, dict):
        found = inner.get(name)
        if not isinstance(found, Located):
            raise EvalError(f"the object has no attribute '{name}'")
        return found
    unknown = unknown_of(inner)
    if unknown is not None:
        return Located(unknown)
    if inner is None:
        raise EvalError(f"cannot read attribute '{name}' of a null value")
    raise EvalError(f"a {_kind(inner)} has no attribute '{name}'")


def get_index(target: Located, key: Located) -> Located:
    value = target.value
    if isinstance(value, Reference):
        shown = plain(key)
        suffix = f"[{shown!r}]" if isinstance(shown, str) else f"[{shown}]"
        return Located(Reference(value.target, (value.attribute or "") + suffix))
    inner = look_through(value)
    unknown = unknown_of(inner)
    if unknown is not None:
        return Located(unknown)
    index = need(key)
    if isinstance(inner, list):
        if isinstance(index, str):
            index = parse_number(index)
        if not isinstance(index, int) or isinstance(index, bool):
            raise EvalError("a list index must be a whole number")
        if not 0 <= index < len(inner):
            raise EvalError(f"index {index} is out of range (the list has {len(inner)} items)")
        element: Located = inner[index]
        return element
    if isinstance(inner, dict):
        name = object_key(key)
        found = inner.get(name)
        if not isinstance(found, Located):
            raise EvalError(f"the map has no key '{name}'")
        return found
    if isinstance(inner, Namespace):
        return inner.attribute(object_key(key))
    if inner is None:
        raise EvalError("cannot index a null value")
    raise EvalError(f"a {_kind(inner)} cannot be indexed")


def equal(left: object, right: object) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if type(left) is not type(right) and not (left is None or right is None):
        return False
    return left == right


def compare(left: Located, right: Located) -> bool:
    """`left == right` as Terraform decides it, even when parts are not known.

    A known value is never equal to null, and collections of different shapes
    are never equal, whatever their elements: `var.volumes != null` is true for
    a map whose values are known only after deployment. Otherwise any unknown
    element leaves the answer unknown (Unresolved).
    """
    a = _comparable(left.value)
    b = _comparable(right.value)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        return _all_equal([(_item(x), _item(y)) for x, y in zip(a, b, strict=True)])
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return False
        return _all_equal([(_item(a[key]), _item(b[key])) for key in sorted(a)])
    if isinstance(a, list | dict) or isinstance(b, list | dict):
        return False
    return equal(a, b)


def _comparable(value: object) -> object:
    """A value ready for `compare`: Unresolved if it is not known at its top."""
    value = look_through(value)
    if isinstance(value, Encoded):
        value = encoded_text(value)
    if isinstance(value, Instance | Namespace):
        raise Unresolved(Unknown("a resource or module used as data"))
    missing = unknown_of(value)
    if missing is not None:
        raise Unresolved(missing)
    return value


def _item(value: object) -> Located:
    """An element of a collection: located, or plain data (inside a variable's value)."""
    return value if isinstance(value, Located) else Located(value)


def _all_equal(pairs: list[tuple[Located, Located]]) -> bool:
    """Every pair equal: one pair known unequal decides, else an unknown leaves it open."""
    unknown: Unresolved | None = None
    for first, second in pairs:
        try:
            if not compare(first, second):
                return False
        except Unresolved as exc:
            unknown = unknown or exc
    if unknown is not None:
        raise unknown
    return True


def binary(op: str, left: Located, right: Located) -> object:
    if op in ("&&", "||"):
        return _logic(op, left, right)
    if op in ("==", "!="):
        same = compare(left, right)
        return same if op == "==" else not same
    a = to_number(left)
    b = to_number(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            raise EvalError("division by zero")
        result = a / b
        return int(result) if result.is_integer() else result
    if op == "%":
        if b == 0:
            raise EvalError("modulo by zero")
        return a % b
    if op == "<":
        return a < b
    if op == ">":
        return a > b
    if op == "<=":
        return a <= b
    return a >= b


def _logic(op: str, left: Located, right: Located) -> bool:
    decisive = op == "||"  # the value that decides alone: true for ||, false for &&
    values: list[bool | None] = []
    unknown: Unresolved | None = None
    for side in (left, right):
        try:
            values.append(to_bool(side))
        except Unresolved as exc:
            values.append(None)
            unknown = exc
    if decisive in values:
        return decisive
    if unknown is not None:
        raise unknown
    return not decisive

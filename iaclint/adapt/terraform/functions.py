"""Terraform's built-in functions that a policy's values commonly pass through.

Functions that only move values around (`concat`, `merge`, `lookup`, `element`,
`coalesce`, `flatten`, `tolist`...) keep each element's place, so a finding
still points at the element written in the configuration. Functions that
compute new values (`format`, `join`, `cidrsubnet`...) are located at the call.
A function whose result cannot be known before deployment (`timestamp`,
`uuid`) or that iaclint does not implement is unknown, never guessed; `try` and
`can` are evaluated by the evaluator itself.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Protocol

from iaclint.adapt.terraform.evaluate import (
    MAX_DIGITS,
    MAX_ELEMENTS,
    MAX_STRING,
    Budget,
    CallSite,
    Evaluator,
    Function,
    TooLarge,
    Unresolved,
    join_pieces,
    need,
    object_key,
    to_bool,
    to_number,
    to_text,
)
from iaclint.adapt.terraform.types import distinct
from iaclint.adapt.terraform.values import (
    Encoded,
    EvalError,
    Located,
    check_json_size,
    encoded_text,
    first_unknown,
    look_through,
    plain,
    unknown_of,
)
from iaclint.graph.values import PartialString, Reference, Unknown
from iaclint.parse import json_text

Args = list[Located]


def _arity(args: Args, low: int, high: int | None, name: str) -> None:
    if len(args) < low or (high is not None and len(args) > high):
        wanted = str(low) if high == low else f"{low} to {high}" if high else f"at least {low}"
        raise EvalError(f"{name}() takes {wanted} arguments, got {len(args)}")


def _list(located: Located, name: str) -> list[Located]:
    value = need(located)
    if isinstance(value, list):
        return value
    raise EvalError(f"{name}() needs a list, got {_describe(value)}")


def _map(located: Located, name: str) -> dict[str, Located]:
    value = need(located)
    if isinstance(value, dict):
        return value
    raise EvalError(f"{name}() needs a map or object, got {_describe(value)}")


def _int(located: Located, name: str) -> int:
    number = to_number(located)
    if isinstance(number, float):
        if not number.is_integer():
            raise EvalError(f"{name}() needs a whole number, got {number}")
        number = int(number)
    return number


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "a value of another kind"


def _known_all(located: Located) -> object:
    """Plain data of a wholly known value; Unresolved otherwise."""
    missing = first_unknown(located)
    if missing is not None:
        raise Unresolved(missing)
    return plain(located)


# -- collections -------------------------------------------------------------------


def _concat(ev: Evaluator, args: Args, site: CallSite) -> object:
    out: list[Located] = []
    for arg in args:
        out.extend(_list(arg, "concat"))
    return out


def _merge(ev: Evaluator, args: Args, site: CallSite) -> object:
    out: dict[str, Located] = {}
    for arg in args:
        if need(arg) is None:
            continue
        out.update(_map(arg, "merge"))
    return out


def _flatten(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "flatten")
    out: list[Located] = []

    def walk(items: list[Located]) -> None:
        for item in items:
            value = look_through(item.value)
            if isinstance(value, list):
                walk(value)
            else:
                unknown = unknown_of(value)
                if unknown is not None:
                    raise Unresolved(unknown)
                out.append(item)

    walk(_list(args[0], "flatten"))
    return out


def _compact(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "compact")
    out = []
    for item in _list(args[0], "compact"):
        value = need(item)
        if value is not None and value != "":
            out.append(item)
    return out


def _distinct(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "distinct")
    items = _list(args[0], "distinct")
    for item in items:
        _known_all(item)
    return distinct(items)


def _element(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 2, 2, "element")
    items = _list(args[0], "element")
    if not items:
        raise EvalError("element() of an empty list")
    index = _int(args[1], "element")
    if index < 0:
        raise EvalError("element() index must not be negative")
    return items[index % len(items)]


def _index(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 2, 2, "index")
    wanted = _known_all(args[1])
    for position, item in enumerate(_list(args[0], "index")):
        if _known_all(item) == wanted:
            return position
    raise EvalError("index(): the value is not in the list")


def _contains(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 2, 2, "contains")
    wanted = _known_all(args[1])
    return any(_known_all(item) == wanted for item in _list(args[0], "contains"))


def _keys(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "keys")
    return [Located(key) for key in sorted(_map(args[0], "keys"))]


def _values(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "values")
    mapping = _map(args[0], "values")
    return [mapping[key] for key in sorted(mapping)]


def _lookup(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 2, 3, "lookup")
    mapping = _map(args[0], "lookup")
    key = object_key(args[1])
    if key in mapping:
        return mapping[key]
    if len(args) == 3:
        return args[2]
    raise EvalError(f"lookup(): no key '{key}' and no default")


def _length(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "length")
    value = need(args[0])
    if isinstance(value, list | dict):
        return len(value)
    if isinstance(value, str):
        return len(value)
    raise EvalError(f"length() of {_describe(value)}")


def _coalesce(ev: Evaluator, args: Args, site: CallSite) -> object:
    for arg in args:
        value = need(arg)
        if value is not None and value != "":
            return arg
    raise EvalError("coalesce(): every argument is null or empty")


def _coalescelist(ev: Evaluator, args: Args, site: CallSite) -> object:
    for arg in args:
        items = _list(arg, "coalescelist")
        if items:
            return arg
    raise EvalError("coalescelist(): every list is empty")


def _tolist(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "tolist")
    value = need(args[0])
    if value is None:
        return None
    return args[0] if isinstance(value, list) else _fail("tolist", value)


def _toset(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "toset")
    value = need(args[0])
    if value is None:
        return None
    items = _list(args[0], "toset")
    for item in items:
        _known_all(item)
    unique = distinct(items)
    if all(isinstance(plain(item), str) for item in unique):
        unique.sort(key=lambda item: str(plain(item)))
    return unique


def _tomap(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "tomap")
    value = need(args[0])
    return args[0] if value is None or isinstance(value, dict) else _fail("tomap", value)


def _fail(name: str, value: object) -> object:
    raise EvalError(f"{name}() cannot convert {_describe(value)}")


def _tostring(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "tostring")
    value = need(args[0])
    if value is None:
        return None
    if isinstance(value, list | dict):
        return _fail("tostring", value)
    return to_text(ev, args[0])


def _tonumber(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "tonumber")
    return None if need(args[0]) is None else to_number(args[0])


def _tobool(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "tobool")
    return None if need(args[0]) is None else to_bool(args[0])


def _identity(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, site.name)
    return args[0]


def _slice(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 3, 3, "slice")
    start, end = _int(args[1], "slice"), _int(args[2], "slice")
    unknown = unknown_of(args[0].value)
    if unknown is not None and 0 <= start <= end <= MAX_ELEMENTS:
        # Terraform stops on a list shorter than `end`: whatever the list read at plan
        # time (`data.aws_availability_zones.x.names`), a plan has `end - start` of them.
        return [site.located(unknown) for _ in range(end - start)]
    items = _list(args[0], "slice")
    if not 0 <= start <= end <= len(items):
        raise EvalError(f"slice() indexes {start}..{end} are out of range")
    return items[start:end]


def _reverse(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "reverse")
    return list(reversed(_list(args[0], "reverse")))


def _sort(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "sort")
    items = _list(args[0], "sort")
    return sorted(items, key=lambda item: to_text(ev, item))


def _setunion(ev: Evaluator, args: Args, site: CallSite) -> object:
    items: list[Located] = []
    for arg in args:
        items.extend(_list(arg, site.name))
    for item in items:
        _known_all(item)
    return distinct(items)


def _setintersection(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, None, "setintersection")
    first = _list(args[0], "setintersection")
    others = [
        {repr(_known_all(item)) for item in _list(arg, "setintersection")} for arg in args[1:]
    ]
    return distinct([item for item in first if all(repr(_known_all(item)) in o for o in others)])


def _setsubtract(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 2, 2, "setsubtract")
    removed = {repr(_known_all(item)) for item in _list(args[1], "setsubtract")}
    kept = [item for item in _list(args[0], "setsubtract") if repr(_known_all(item)) not in removed]
    return distinct(kept)


def _zipmap(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 2, 2, "zipmap")
    keys = [object_key(key) for key in _list(args[0], "zipmap")]
    values = _list(args[1], "zipmap")
    if len(keys) != len(values):
        raise EvalError("zipmap(): the lists have different lengths")
    return dict(zip(keys, values, strict=True))


def _one(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "one")
    items = _list(args[0], "one")
    if len(items) > 1:
        raise EvalError("one() of a list with more than one element")
    return items[0] if items else None


def _alltrue(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "alltrue")
    return all(to_bool(item) for item in _list(args[0], "alltrue"))


def _anytrue(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "anytrue")
    return any(to_bool(item) for item in _list(args[0], "anytrue"))


def _range(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 3, "range")
    numbers = [to_number(arg) for arg in args]
    start, step = 0.0, 1.0
    if len(numbers) == 1:
        limit = numbers[0]
    else:
        start, limit = numbers[0], numbers[1]
        step = numbers[2] if len(numbers) == 3 else (1 if limit >= start else -1)
    if step == 0:
        raise EvalError("range() step must not be zero")
    count = max(0, math.ceil((limit - start) / step))
    if count > MAX_ELEMENTS:
        raise TooLarge(f"range() of more than {MAX_ELEMENTS:,} elements")
    values = [start + index * step for index in range(count)]
    return [Located(int(v) if float(v).is_integer() else v) for v in values]


def _chunklist(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 2, 2, "chunklist")
    items = _list(args[0], "chunklist")
    size = _int(args[1], "chunklist")
    if size < 0:
        raise EvalError("chunklist() size must not be negative")
    if size == 0:
        return [site.located(items)]
    return [site.located(items[i : i + size]) for i in range(0, len(items), size)]


def _sum(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "sum")
    items = _list(args[0], "sum")
    if not items:
        raise EvalError("sum() of an empty list")
    return sum(to_number(item) for item in items)


def _minmax(ev: Evaluator, args: Args, site: CallSite) -> object:
    if not args:
        raise EvalError(f"{site.name}() needs at least one number")
    numbers = [to_number(arg) for arg in args]
    return min(numbers) if site.name == "min" else max(numbers)


def _math(function: Callable[[float], float]) -> Function:
    def call(ev: Evaluator, args: Args, site: CallSite) -> object:
        _arity(args, 1, 1, site.name)
        try:
            result = function(to_number(args[0]))
            return int(result) if float(result).is_integer() else result
        except (ValueError, OverflowError) as exc:  # floor(inf), a math domain error
            raise EvalError(f"{site.name}(): {exc}") from None

    return call


def _pow(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 2, 2, "pow")
    try:
        result = math.pow(to_number(args[0]), to_number(args[1]))
    except OverflowError:
        raise EvalError("pow(): the result is too large") from None
    except ValueError as exc:  # a negative number to a fractional power
        raise EvalError(f"pow(): {exc}") from None
    return int(result) if result.is_integer() else result


def _parseint(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 2, 2, "parseint")
    try:
        return int(to_text(ev, args[0]), _int(args[1], "parseint"))
    except ValueError as exc:
        raise EvalError(f"parseint(): {exc}") from None


# -- strings -------------------------------------------------------------------------

_FORMAT_VERB = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


def _json_sized(located: Located) -> Located:
    check_json_size(located)
    return located


def _format_text(ev: Evaluator, spec: str, args: Args) -> object:
    """The formatted text; a PartialString when a plain `%s` or `%v` takes a text
    known only at deployment (`arn:%s:iam::aws:policy/X` with the partition)."""
    out: list[str | Unknown | Reference] = []
    position = 0
    next_arg = 0
    length = len(spec)
    for match in _FORMAT_VERB.finditer(spec):
        out.append(spec[position : match.start()])
        position = match.end()
        explicit, flags, width, precision, verb = match.groups()
        if verb == "%":
            out.append("%")
            continue
        index = int(explicit) - 1 if explicit else next_arg
        next_arg = index + 1
        if index >= len(args):
            raise EvalError("format(): too few arguments")
        arg = args[index]
        if verb in ("s", "v") and not (flags or width or precision) and _is_text_unknown(arg):
            out.extend(ev.string_pieces(arg))
            continue
        if verb in ("s", "v"):
            value = need(arg)
            text = (
                json.dumps(_known_all(_json_sized(arg)), separators=(",", ":"))
                if isinstance(value, list | dict)
                else to_text(ev, arg)
            )
        elif verb == "q":
            text = json.dumps(to_text(ev, arg))
        elif verb == "d":
            number = to_number(arg)
            if isinstance(number, float) and not number.is_integer():
                raise EvalError("format(): %d needs a whole number")
            text = str(int(number))
        elif verb in ("f", "e", "g"):
            digits = int(precision) if precision is not None else 6
            if digits > MAX_DIGITS:
                raise EvalError(f"format(): a precision of more than {MAX_DIGITS:,} digits")
            text = f"{to_number(arg):.{digits}{verb}}"
        elif verb == "t":
            text = "true" if to_bool(arg) else "false"
        elif verb in ("x", "X", "o", "b"):
            number = to_number(arg)
            text = format(int(number), verb)
        else:
            raise Unresolved(Unknown(f"format() verb %{verb} is not evaluated by iaclint"))
        if width:
            Budget.string_room(int(width) if len(width) < 10 else MAX_STRING + 1)
            pad = "0" if "0" in flags and "-" not in flags else " "
            text = text.ljust(int(width)) if "-" in flags else text.rjust(int(width), pad)
        out.append(text)
        length += len(text)
        Budget.string_room(length)
    out.append(spec[position:])
    return join_pieces(out)


def _is_text_unknown(located: Located) -> bool:
    """An unknown that a string template may hold in place (a reference, a symbol)."""
    value = look_through(located.value)
    return isinstance(value, Unknown | Reference | PartialString)


def _format(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, None, "format")
    return _format_text(ev, to_text(ev, args[0]), args[1:])


def _formatlist(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, None, "formatlist")
    spec = to_text(ev, args[0])
    values = [need(arg) for arg in args[1:]]
    lengths = {len(value) for value in values if isinstance(value, list)}
    if len(lengths) > 1:
        raise EvalError("formatlist(): the lists have different lengths")
    count = lengths.pop() if lengths else 1
    out = []
    for index in range(count):
        row = [
            value[index] if isinstance(value, list) else arg
            for arg, value in zip(args[1:], values, strict=True)
        ]
        out.append(site.located(_format_text(ev, spec, row)))
    return out


def _join(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 2, None, "join")
    separator = to_text(ev, args[0])
    pieces: list[str | Unknown | Reference] = []
    items = [item for arg in args[1:] for item in _list(arg, "join")]
    for index, item in enumerate(items):
        if index:
            pieces.append(separator)
        pieces.extend(ev.string_pieces(item))
    Budget.string_room(sum(len(piece) for piece in pieces if isinstance(piece, str)))
    return join_pieces(pieces)


def _split(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 2, 2, "split")
    separator, text = to_text(ev, args[0]), to_text(ev, args[1])
    if text == "":
        return []
    parts = list(text) if separator == "" else text.split(separator)
    return [site.located(part) for part in parts]


def _string(function: Callable[[str], str]) -> Function:
    def call(ev: Evaluator, args: Args, site: CallSite) -> object:
        _arity(args, 1, 1, site.name)
        return function(to_text(ev, args[0]))

    return call


def _trim(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 2, 2, site.name)
    text, cut = to_text(ev, args[0]), to_text(ev, args[1])
    if site.name == "trim":
        return text.strip(cut)
    if site.name == "trimprefix":
        return text.removeprefix(cut)
    return text.removesuffix(cut)


class _Match(Protocol):
    def group(self, name: int | str = 0) -> str | None: ...

    def groups(self) -> tuple[str | None, ...]: ...


class _Pattern(Protocol):
    """What iaclint uses of a compiled RE2 pattern (google-re2 has no type hints)."""

    @property
    def groups(self) -> int: ...

    @property
    def groupindex(self) -> Mapping[str, int]: ...

    def search(self, text: str) -> _Match | None: ...

    def finditer(self, text: str) -> Iterator[_Match]: ...

    def sub(self, replacement: str, text: str) -> str: ...


def _go_regex(pattern: str) -> _Pattern:
    """A Terraform pattern, compiled by RE2 as Terraform does: in time linear in the
    text, whatever the pattern; what RE2 refuses (backreferences, lookaround) is an
    error, as in Terraform."""
    import re2  # imported only when a configuration uses a regex (about 10 ms)

    options = re2.Options()
    options.log_errors = False  # the error is reported, located, by iaclint
    try:
        compiled: _Pattern = re2.compile(pattern, options)
    except re2.error as exc:
        raise EvalError(f"invalid regular expression: {_re2_reason(exc)}") from None
    return compiled


def _re2_reason(exc: Exception) -> str:
    reason = exc.args[0] if exc.args else exc
    if isinstance(reason, bytes):
        reason = reason.decode("utf-8", "replace")
    return str(reason)


def _replace(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 3, 3, "replace")
    document = look_through(args[0].value)
    if isinstance(document, Encoded):
        return _replace_in_document(ev, document, args[1], args[2])
    text, search, replacement = (to_text(ev, arg) for arg in args)
    if len(search) >= 2 and search.startswith("/") and search.endswith("/"):
        pattern = _go_regex(search[1:-1])
        python_replacement = re.sub(r"\$\{?(\d+)\}?", r"\\g<\1>", replacement.replace("\\", "\\\\"))
        # Each match is replaced by at most the replacement with each group a whole text.
        matches = sum(1 for _ in pattern.finditer(text))
        groups = python_replacement.count("\\g<")
        Budget.string_room(len(text) + matches * (len(python_replacement) + groups * len(text)))
        return pattern.sub(python_replacement, text)
    matches = text.count(search) if search else len(text) + 1
    Budget.string_room(len(text) + matches * len(replacement))
    return text.replace(search, replacement)


def _replace_in_document(ev: Evaluator, document: Encoded, search: Located, by: Located) -> object:
    """replace() on jsonencode(...) text: applied to the document's strings, so a
    placeholder replaced by a value known only after deployment keeps the rest
    of the document known. Only a plain search text JSON writes unchanged."""
    needle = to_text(ev, search)
    if not needle or any(char in '"\\' or ord(char) < 32 for char in needle):
        return _text_replace(ev, document, needle, by)
    pieces = ev.string_pieces(by)

    def walk(located: Located) -> Located:
        value = located.value
        if isinstance(value, list):
            return located._replace(value=[walk(item) for item in value])
        if isinstance(value, dict):
            return located._replace(value={key: walk(item) for key, item in value.items()})
        text = look_through(value)
        if isinstance(text, str) and needle in text:
            out: list[str | Unknown | Reference] = []
            for index, part in enumerate(text.split(needle)):
                if index:
                    out.extend(pieces)
                out.append(part)
            return located._replace(value=join_pieces(out))
        return located

    return Encoded(walk(document.data))


def _text_replace(ev: Evaluator, document: Encoded, needle: str, by: Located) -> object:
    text = encoded_text(document)
    if not isinstance(text, str):
        raise Unresolved(text if isinstance(text, Unknown) else Unknown("not known"))
    return text.replace(needle, to_text(ev, by)) if needle else text


def _regex(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 2, 2, site.name)
    pattern = _go_regex(to_text(ev, args[0]))
    text = to_text(ev, args[1])

    def result(match: _Match) -> object:
        if pattern.groupindex:
            return {name: site.located(match.group(name)) for name in pattern.groupindex}
        if pattern.groups:
            return [site.located(group) for group in match.groups()]
        return match.group()

    if site.name == "regexall":
        return [site.located(result(match)) for match in pattern.finditer(text)]
    found = pattern.search(text)
    if found is None:
        raise EvalError("regex(): no match")
    return result(found)


def _substr(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 3, 3, "substr")
    text = to_text(ev, args[0])
    offset, length = _int(args[1], "substr"), _int(args[2], "substr")
    if offset < 0:
        offset += len(text)
    return text[offset:] if length < 0 else text[offset : offset + length]


def _affix(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 2, 2, site.name)
    text, affix = to_text(ev, args[0]), to_text(ev, args[1])
    if site.name == "startswith":
        return text.startswith(affix)
    if site.name == "endswith":
        return text.endswith(affix)
    return affix in text


def _indent(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 2, 2, "indent")
    width = _int(args[0], "indent")
    text = to_text(ev, args[1])
    Budget.string_room(len(text) + text.count("\n") * max(width, 0))
    return text.replace("\n", "\n" + " " * width)


# -- encodings ---------------------------------------------------------------------


def _jsonencode(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "jsonencode")
    return Encoded(args[0])


def _jsondecode(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "jsondecode")
    value = look_through(args[0].value)
    if isinstance(value, Encoded):
        return value.data
    text = to_text(ev, args[0])
    try:
        data = json_text.loads(text)
    except ValueError as exc:
        raise EvalError(f"jsondecode(): invalid JSON: {exc}") from None
    return _locate_all(data, site)


def _locate_all(data: object, site: CallSite) -> Located:
    if isinstance(data, list):
        return site.located([_locate_all(item, site) for item in data])
    if isinstance(data, dict):
        return site.located({str(k): _locate_all(v, site) for k, v in data.items()})
    return site.located(data)


def _base64encode(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "base64encode")
    return base64.b64encode(to_text(ev, args[0]).encode("utf-8")).decode("ascii")


def _base64decode(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "base64decode")
    try:
        return base64.b64decode(to_text(ev, args[0]), validate=True).decode("utf-8")
    except ValueError as exc:
        raise EvalError(f"base64decode(): {exc}") from None


def _hash(algorithm: str) -> Function:
    def call(ev: Evaluator, args: Args, site: CallSite) -> object:
        _arity(args, 1, 1, site.name)
        digest = hashlib.new(algorithm, to_text(ev, args[0]).encode("utf-8"))
        if site.name.startswith("base64"):
            return base64.b64encode(digest.digest()).decode("ascii")
        return digest.hexdigest()

    return call


# -- files -------------------------------------------------------------------------


def _file(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, site.name)
    text = ev.scope.read_file(to_text(ev, args[0]))
    if site.name == "filebase64":
        return base64.b64encode(text.encode("utf-8")).decode("ascii")
    return text


def _fileexists(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "fileexists")
    try:
        ev.scope.read_file(to_text(ev, args[0]))
    except EvalError:
        return False
    return True


def _templatefile(ev: Evaluator, args: Args, site: CallSite) -> object:
    from iaclint.adapt.terraform.evaluate import Evaluator as _Evaluator
    from iaclint.parse.hcl.expressions import HclSyntaxError, parse_template

    _arity(args, 2, 2, "templatefile")
    text = ev.scope.read_file(to_text(ev, args[0]))
    variables = _map(args[1], "templatefile")
    try:
        template = parse_template(text)
    except HclSyntaxError as exc:
        raise EvalError(f"templatefile(): {exc.message}") from None
    # A template sees only its variables (and functions), never the module.
    isolated = _Evaluator(_Isolated(ev), ev.functions, ev.budget)
    result = isolated.eval(template, site.place, variables)
    return result.value


class _Isolated:
    def __init__(self, parent: Evaluator):
        self.parent = parent

    def root(self, name: str) -> Located:
        raise EvalError(f"'{name}' is not a variable of the template")

    def resolve(self, reference: object) -> str | None:
        return None

    def read_file(self, path: str) -> str:
        return self.parent.scope.read_file(path)


def _path_part(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, site.name)
    text = to_text(ev, args[0]).rstrip("/") or "/"
    head, _, tail = text.rpartition("/")
    if site.name == "basename":
        return tail
    return head or ("/" if text.startswith("/") else ".")


# -- networks ----------------------------------------------------------------------


def _network(
    ev: Evaluator, located: Located, name: str
) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    text = to_text(ev, located)
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise EvalError(f"{name}(): '{text}' is not a CIDR block") from None


def _cidrsubnet(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 3, 3, "cidrsubnet")
    network = _network(ev, args[0], "cidrsubnet")
    bits, number = _int(args[1], "cidrsubnet"), _int(args[2], "cidrsubnet")
    prefix = network.prefixlen + bits
    if prefix > network.max_prefixlen or not 0 <= number < 2**bits:
        raise EvalError("cidrsubnet(): the subnet does not fit")
    base = int(network.network_address) + (number << (network.max_prefixlen - prefix))
    return str(ipaddress.ip_network((base, prefix)))


def _cidrsubnets(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, None, "cidrsubnets")
    network = _network(ev, args[0], "cidrsubnets")
    current = int(network.network_address)
    out = []
    for arg in args[1:]:
        prefix = network.prefixlen + _int(arg, "cidrsubnets")
        if prefix > network.max_prefixlen:
            raise EvalError("cidrsubnets(): a subnet does not fit")
        size = 1 << (network.max_prefixlen - prefix)
        current = (current + size - 1) // size * size
        subnet = ipaddress.ip_network((current, prefix))
        if not subnet.subnet_of(network):  # type: ignore[arg-type]
            raise EvalError("cidrsubnets(): the subnets do not fit")
        out.append(site.located(str(subnet)))
        current += size
    return out


def _cidrhost(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 2, 2, "cidrhost")
    network = _network(ev, args[0], "cidrhost")
    number = _int(args[1], "cidrhost")
    if number < 0:
        number += network.num_addresses
    if not 0 <= number < network.num_addresses:
        raise EvalError("cidrhost(): the host number does not fit")
    return str(network.network_address + number)


def _cidrnetmask(ev: Evaluator, args: Args, site: CallSite) -> object:
    _arity(args, 1, 1, "cidrnetmask")
    network = _network(ev, args[0], "cidrnetmask")
    if network.version != 4:
        raise EvalError("cidrnetmask() needs an IPv4 block")
    return str(network.netmask)


def _unknowable(reason: str) -> Function:
    def call(ev: Evaluator, args: Args, site: CallSite) -> object:
        return Unknown(f"{site.name}() {reason}")

    return call


FUNCTIONS: dict[str, Function] = {
    "abs": _math(abs),
    "alltrue": _alltrue,
    "anytrue": _anytrue,
    "base64decode": _base64decode,
    "base64encode": _base64encode,
    "base64sha256": _hash("sha256"),
    "base64sha512": _hash("sha512"),
    "basename": _path_part,
    "ceil": _math(math.ceil),
    "chomp": _string(lambda text: re.sub(r"(\r\n|\n|\r)+$", "", text)),
    "chunklist": _chunklist,
    "cidrhost": _cidrhost,
    "cidrnetmask": _cidrnetmask,
    "cidrsubnet": _cidrsubnet,
    "cidrsubnets": _cidrsubnets,
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "compact": _compact,
    "concat": _concat,
    "contains": _contains,
    "dirname": _path_part,
    "distinct": _distinct,
    "element": _element,
    "endswith": _affix,
    "file": _file,
    "fileexists": _fileexists,
    "filebase64": _file,
    "flatten": _flatten,
    "floor": _math(math.floor),
    "format": _format,
    "formatlist": _formatlist,
    "index": _index,
    "indent": _indent,
    "join": _join,
    "jsondecode": _jsondecode,
    "jsonencode": _jsonencode,
    "keys": _keys,
    "length": _length,
    "lookup": _lookup,
    "lower": _string(str.lower),
    "max": _minmax,
    "md5": _hash("md5"),
    "merge": _merge,
    "min": _minmax,
    "nonsensitive": _identity,
    "one": _one,
    "parseint": _parseint,
    "pow": _pow,
    "range": _range,
    "regex": _regex,
    "regexall": _regex,
    "replace": _replace,
    "reverse": _reverse,
    "sensitive": _identity,
    "setintersection": _setintersection,
    "setsubtract": _setsubtract,
    "setunion": _setunion,
    "sha1": _hash("sha1"),
    "sha256": _hash("sha256"),
    "sha512": _hash("sha512"),
    "signum": _math(lambda n: (n > 0) - (n < 0)),
    "slice": _slice,
    "sort": _sort,
    "split": _split,
    "startswith": _affix,
    "strcontains": _affix,
    "strrev": _string(lambda text: text[::-1]),
    "substr": _substr,
    "sum": _sum,
    "templatefile": _templatefile,
    "title": _string(lambda text: re.sub(r"\b[a-z]", lambda m: m.group().upper(), text)),
    "tobool": _tobool,
    "tolist": _tolist,
    "tomap": _tomap,
    "tonumber": _tonumber,
    "toset": _toset,
    "tostring": _tostring,
    "trim": _trim,
    "trimprefix": _trim,
    "trimspace": _string(str.strip),
    "trimsuffix": _trim,
    "upper": _string(str.upper),
    "values": _values,
    "zipmap": _zipmap,
    "bcrypt": _unknowable("is random"),
    "formatdate": _unknowable("depends on the time of the run"),
    "plantimestamp": _unknowable("depends on the time of the run"),
    "timeadd": _unknowable("depends on the time of the run"),
    "timestamp": _unknowable("depends on the time of the run"),
    "uuid": _unknowable("is random"),
}

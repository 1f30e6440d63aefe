"""Values in the common model that are not plain data.

Normalized properties are plain Python data (dict, list, str, int, float, bool,
None) except where a value cannot be known before deployment. Those places hold
one of the types below, so that a policy can answer *unknown* instead of
guessing:

- `Unknown`: nothing is known but the reason (and, for pseudo parameters such as
  `AWS::Partition`, which symbol it stands for).
- `Reference`: the value is an attribute of another resource (an edge).
- `PartialString`: a string with some known parts (`arn:${AWS::Partition}:...`).
- `Input`: the value of a template parameter or module variable; its default
  (if any) is what the policies judge, and it remembers whether it is marked
  secret (NoEcho, sensitive) and where it is declared.
"""

from __future__ import annotations

from iaclint.graph.frozen import Frozen
from iaclint.span import Span

# The symbol of an Unknown read from an SSM parameter at deployment.
SSM_PARAMETER = "SSM::Parameter"


class Unknown(Frozen):
    __slots__ = ("reason", "symbol")
    reason: str
    symbol: str | None

    def __init__(self, reason: str, symbol: str | None = None) -> None:
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "symbol", symbol)


class Reference(Frozen):
    __slots__ = ("attribute", "target")
    target: str
    attribute: str | None

    def __init__(self, target: str, attribute: str | None = None) -> None:
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "attribute", attribute)

    def describe(self) -> str:
        return self.target if self.attribute is None else f"{self.target}.{self.attribute}"


class PartialString(Frozen):
    __slots__ = ("parts",)
    parts: tuple[str | Unknown | Reference, ...]

    def __init__(self, parts: tuple[str | Unknown | Reference, ...]) -> None:
        object.__setattr__(self, "parts", parts)

    def describe(self) -> str:
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, Reference):
                out.append("${" + part.describe() + "}")
            else:
                out.append("${" + (part.symbol or "?") + "}")
        return "".join(out)


_NO_DEFAULT = Unknown("no default")


class Input(Frozen):
    __slots__ = (
        "allowed_values",
        "declared_at",
        "has_default",
        "name",
        "origin",
        "secret",
        "value",
    )
    name: str
    # What the policies judge: the default, or an Unknown when there is none.
    value: object
    has_default: bool
    secret: bool
    allowed_values: tuple[object, ...] | None
    declared_at: Span | None
    # Where the value comes from, in words, when "default of parameter NAME" is
    # not right (a Terraform variable, a value from a .tfvars file).
    origin: str | None

    def __init__(
        self,
        name: str,
        value: object = _NO_DEFAULT,
        has_default: bool = False,
        secret: bool = False,
        allowed_values: tuple[object, ...] | None = None,
        declared_at: Span | None = None,
        origin: str | None = None,
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "has_default", has_default)
        object.__setattr__(self, "secret", secret)
        object.__setattr__(self, "allowed_values", allowed_values)
        object.__setattr__(self, "declared_at", declared_at)
        object.__setattr__(self, "origin", origin)


def is_known(value: object) -> bool:
    """Plain data all the way down? (Inputs count as known through their default.)"""
    if isinstance(value, Input):
        return value.has_default and is_known(value.value)
    if isinstance(value, (Unknown, Reference, PartialString)):
        return False
    if isinstance(value, dict):
        return all(is_known(v) for v in value.values())
    if isinstance(value, list):
        return all(is_known(v) for v in value)
    return True


def concrete(value: object) -> object:
    """Look through an Input to the value it stands for."""
    while isinstance(value, Input):
        value = value.value
    return value


def unknown_reason(value: object) -> str:
    """Why a non-plain value is not known, in words for a report."""
    value = concrete(value) if not isinstance(value, Input) or value.has_default else value
    if isinstance(value, Input):
        return f"parameter {value.name} has no default"
    if isinstance(value, Reference):
        return f"depends on {value.describe()}, known only after deployment"
    if isinstance(value, PartialString):
        return f"'{value.describe()}' is known only after deployment"
    if isinstance(value, Unknown):
        return value.reason
    return "unknown value"

"""Secret variables written into what readers of a resource see, found in the syntax.

Once evaluated, `"${var.db_password}"` is text like any other (or unknown, for a
variable given no value): which variable went into user data, an environment
variable or a tag is known only from the expression as written. So the
resource block's syntax is read here: every `var.NAME` in those settings whose
variable holds a secret (`sensitive = true`, or named as a secret with a literal
default) becomes an `exposed` entry, located where the setting's value is.
"""

from __future__ import annotations

from collections.abc import Iterator
from weakref import WeakKeyDictionary

from iaclint.adapt.secrets import exposed_entry, secret_input, shown_settings
from iaclint.adapt.sourced import Src
from iaclint.adapt.terraform.config import ModuleConfig
from iaclint.parse.hcl.syntax import Body, GetAttr, Literal, ObjectExpr, Variable
from iaclint.span import DocPath

# Asked for each resource and output of a module: a module of a thousand resources
# would judge its variables a thousand times. Its declarations do not change once read.
_SECRET_VARIABLES: WeakKeyDictionary[ModuleConfig, frozenset[str]] = WeakKeyDictionary()


def secret_variables(config: ModuleConfig) -> frozenset[str]:
    """The module's variables that hold a secret."""
    known = _SECRET_VARIABLES.get(config)
    if known is None:
        known = _SECRET_VARIABLES[config] = _secret_variables(config)
    return known


def _secret_variables(config: ModuleConfig) -> frozenset[str]:
    names = set()
    for name, declared in config.variables.items():
        attributes = declared.block.body.attributes
        marked = attributes.get("sensitive")
        secret = marked is not None and type(marked.expr) is Literal and marked.expr.value is True
        default = attributes.get("default")
        text = default.expr.value if default and type(default.expr) is Literal else None
        if secret_input(name, secret, text):
            names.add(name)
    return frozenset(names)


def exposed(body: Body, address: str, secrets: frozenset[str]) -> Src | None:
    """The `exposed` entries of a resource block: secret variables in its user data,
    tags and environment variables (`environment { variables = {...} }`)."""
    if not secrets:
        return None
    root: DocPath = (address,)
    found: list[Src] = []
    for name, attribute in body.attributes.items():
        shown = shown_settings(name)
        if shown == "user data":
            _add(attribute.expr, (address, name), name, secrets, found)
        elif shown == "tags":
            _per_key(attribute.expr, (address, name), name, secrets, found)
    index = 0
    for block in body.blocks:
        if block.type != "environment":
            continue
        variables = block.body.attributes.get("variables")
        if variables is not None:
            where: DocPath = (address, "environment", index, "variables")
            _per_key(variables.expr, where, f"environment[{index}].variables", secrets, found)
        index += 1
    return Src(found, root) if found else None


def _per_key(
    expr: object, where: DocPath, setting: str, secrets: frozenset[str], found: list[Src]
) -> None:
    if isinstance(expr, ObjectExpr):
        for item in expr.items:
            key = item.literal_key
            if key is None and isinstance(item.key, Literal) and isinstance(item.key.value, str):
                key = item.key.value
            if key is not None:
                _add(item.value, (*where, key), f"{setting}.{key}", secrets, found)
            else:
                _add(item.value, where, setting, secrets, found)
    else:
        _add(expr, where, setting, secrets, found)


def _add(
    expr: object, where: DocPath, setting: str, secrets: frozenset[str], found: list[Src]
) -> None:
    for name in dict.fromkeys(variables_in(expr)):
        if name in secrets:
            found.append(exposed_entry(Src(None, where), setting, f"var.{name}"))


def variables_in(expr: object) -> Iterator[str]:
    """The names of the variables an expression refers to (`var.NAME`)."""
    if isinstance(expr, GetAttr) and isinstance(expr.target, Variable):
        if expr.target.name == "var":
            yield expr.name
        return
    if isinstance(expr, tuple):
        for item in expr:
            if isinstance(item, tuple):
                yield from variables_in(item)

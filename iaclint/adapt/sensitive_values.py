"""The secrets of a unit, gathered so that no report ever prints one.

A finding's snippet is a piece of the source text and its message may quote a
value: either can hold a secret that has nothing to do with the finding (a plan
is one line, and its `variables` block comes first). The graph therefore carries
every secret the adapters know of, as it is written in the source, and the
engine masks them wherever a report could show them.

- **Resources** (every format): the values of the `sensitive` settings the
  secrets module finds (`adapt/secrets.py`), as the secrets policies judge them:
  literals and the defaults of parameters or variables feeding a password or a
  secret-named environment variable (dynamic references are names, not
  secrets), the access keys and private keys written anywhere, and the
  `user:password@` part (and the password) of connection strings.
- **Outputs** showing a secret (`output` resources with a `secret`): their value
  as the files hold it (a default, a text a parameter was substituted into).
- **Templates**: the defaults of `NoEcho` parameters and of parameters named as
  secrets (`DbPassword`, `ApiToken`); **Terraform** (`build.py`):
  the values of root variables declared `sensitive`.
- **Plans**: every value under a `sensitive_values`, `after_sensitive` or
  `before_sensitive` mask (`planned_values`, `prior_state`, `resource_changes`),
  the values of variables declared `sensitive`, and sensitive outputs.

Each secret is listed as it is written: itself, and as JSON (and Terraform, which
writes `<`, `>` and `&` as `\\u003c`, `\\u003e` and `\\u0026`) writes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping

from iaclint.adapt.secrets import connection_secrets, key_material, secret_input
from iaclint.graph.model import Resource, SensitiveValue
from iaclint.graph.values import Input
from iaclint.parse.document import Document
from iaclint.span import DocPath, Span

_GO_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def written_forms(text: str) -> list[str]:
    """`text` and the ways a JSON file (one Terraform wrote, too) spells it."""
    escaped = json.dumps(text, ensure_ascii=False)[1:-1]
    forms = [text, escaped, json.dumps(text)[1:-1]]
    go = escaped
    for character, escape in _GO_ESCAPES.items():
        go = go.replace(character, escape)
    forms.append(go)
    return list(dict.fromkeys(forms))


def written(text: str, span: Span | None) -> Iterator[SensitiveValue]:
    """A secret in each of its written forms; `span`: where it is written, if known."""
    for index, form in enumerate(written_forms(text)):
        yield SensitiveValue(form, span if index == 0 else None)


def of_resources(resources: Iterable[Resource]) -> list[SensitiveValue]:
    """The secrets in the resources' `sensitive` settings."""
    found: list[SensitiveValue] = []
    for resource in resources:
        if resource.kind == "output" and "secret" in resource.properties:
            found.extend(_shown(resource))
        entries = resource.properties.get("sensitive")
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, Mapping):
                continue
            location = resource.locations.get(("sensitive", index, "value"))
            span = location.span if location is not None else None
            for text, here in _secret_texts(entry.get("kind"), entry.get("value")):
                found.extend(written(text, span if here else None))
    return list(dict.fromkeys(found))


def _shown(output: Resource) -> Iterator[SensitiveValue]:
    """The value of an output showing a secret, as far as the files hold it."""
    value = output.properties.get("value")
    location = output.locations.get(("value",))
    here = location.span if location is not None else None
    if isinstance(value, Input):
        value, here = (value.value, None) if value.has_default else (None, None)
    if isinstance(value, str) and value.strip():
        yield from written(value, here)


def _secret_texts(kind: object, value: object) -> Iterator[tuple[str, bool]]:
    """The secret texts of one entry, each with whether it is written at the entry."""
    here = True
    if isinstance(value, Input):
        if not value.has_default:
            return
        value, here = value.value, False  # written where the parameter is declared
    if not isinstance(value, str) or not value.strip():
        return
    if kind in ("access_key", "private_key"):
        for key in key_material(value):
            yield key, here and key == value
    elif kind == "connection_string":
        for part in connection_secrets(value):
            yield part, False  # a part of the value: found wherever it is written
    elif not value.lstrip().startswith("{{resolve:"):  # a dynamic reference names the secret
        yield value, here


def of_parameters(document: Document) -> list[SensitiveValue]:
    """The defaults of a template's secret parameters (`NoEcho`, or named as a secret),
    wherever they are used: substituted into text, they are no longer told apart."""
    template = document.data
    parameters = template.get("Parameters") if isinstance(template, dict) else None
    if not isinstance(parameters, dict):
        return []
    found: list[SensitiveValue] = []
    for name, declaration in parameters.items():
        if not isinstance(declaration, dict) or "Default" not in declaration:
            continue
        no_echo = declaration.get("NoEcho")
        marked = no_echo is True or str(no_echo).lower() == "true"
        if not secret_input(str(name), marked, declaration.get("Default")):
            continue
        default = declaration["Default"]
        if isinstance(default, bool) or not isinstance(default, str | int | float):
            continue
        text = default if isinstance(default, str) else json.dumps(default)
        if text.strip():
            found.extend(written(text, document.spans.get(("Parameters", name, "Default"))))
    return found


def of_plan(document: Document) -> list[SensitiveValue]:
    """The values a plan marks sensitive, each located in the plan file."""
    plan = document.data
    if not isinstance(plan, dict):
        return []
    found: list[tuple[object, DocPath]] = []
    planned = plan.get("planned_values")
    if isinstance(planned, dict):
        _state(planned, ("planned_values",), found)
    prior = plan.get("prior_state")
    prior = prior.get("values") if isinstance(prior, dict) else None
    if isinstance(prior, dict):
        _state(prior, ("prior_state", "values"), found)
    changes = plan.get("resource_changes")
    if isinstance(changes, list):
        for index, change in enumerate(changes):
            body = change.get("change") if isinstance(change, dict) else None
            if not isinstance(body, dict):
                continue
            where: DocPath = ("resource_changes", index, "change")
            for side in ("after", "before"):
                _masked(body.get(side), body.get(f"{side}_sensitive"), (*where, side), found)
    _variables(plan, found)
    out: list[SensitiveValue] = []
    for value, path in found:
        span = document.spans.get(path)
        out.extend(written(value if isinstance(value, str) else json.dumps(value), span))
    return list(dict.fromkeys(out))


def _state(section: dict[str, object], path: DocPath, found: list[tuple[object, DocPath]]) -> None:
    outputs = section.get("outputs")
    if isinstance(outputs, dict):
        for name, output in outputs.items():
            if isinstance(output, dict) and output.get("sensitive") is True:
                _masked(output.get("value"), True, (*path, "outputs", name, "value"), found)
    module = section.get("root_module")
    if isinstance(module, dict):
        _module(module, (*path, "root_module"), found)


def _module(module: dict[str, object], path: DocPath, found: list[tuple[object, DocPath]]) -> None:
    resources = module.get("resources")
    if isinstance(resources, list):
        for index, resource in enumerate(resources):
            if isinstance(resource, dict):
                where = (*path, "resources", index)
                _masked(
                    resource.get("values"),
                    resource.get("sensitive_values"),
                    (*where, "values"),
                    found,
                )
    children = module.get("child_modules")
    if isinstance(children, list):
        for index, child in enumerate(children):
            if isinstance(child, dict):
                _module(child, (*path, "child_modules", index), found)


def _masked(
    value: object, mask: object, path: DocPath, found: list[tuple[object, DocPath]]
) -> None:
    """The leaves of `value` its sensitivity `mask` (same shape, or `true`) marks."""
    if mask is True:
        _leaves(value, path, found)
    elif isinstance(mask, dict) and isinstance(value, dict):
        for key, inner in mask.items():
            if key in value:
                _masked(value[key], inner, (*path, key), found)
    elif isinstance(mask, list) and isinstance(value, list):
        for index, (item, inner) in enumerate(zip(value, mask, strict=False)):
            _masked(item, inner, (*path, index), found)


def _leaves(value: object, path: DocPath, found: list[tuple[object, DocPath]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _leaves(item, (*path, key), found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _leaves(item, (*path, index), found)
    elif (isinstance(value, str) and value.strip()) or (
        isinstance(value, int | float) and not isinstance(value, bool)
    ):
        found.append((value, path))


def _variables(plan: dict[str, object], found: list[tuple[object, DocPath]]) -> None:
    """The values of the root module's variables declared `sensitive`."""
    configuration = plan.get("configuration")
    root = configuration.get("root_module") if isinstance(configuration, dict) else None
    declared = root.get("variables") if isinstance(root, dict) else None
    values = plan.get("variables")
    if not isinstance(declared, dict) or not isinstance(values, dict):
        return
    for name, declaration in declared.items():
        given = values.get(name)
        if (
            isinstance(declaration, dict)
            and declaration.get("sensitive") is True
            and isinstance(given, dict)
        ):
            _leaves(given.get("value"), ("variables", name, "value"), found)

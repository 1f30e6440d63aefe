"""The AWS::LanguageExtensions transform, applied to a template's document.

A template declaring `Transform: AWS::LanguageExtensions` (alone or in a list)
may write `Fn::ForEach::<Name>: [Identifier, Collection, {OutputKey: OutputValue}]`
in Resources, Outputs, Conditions and any mapping inside them. CloudFormation
expands each loop into one copy of its output per item of the collection before
anything else reads the template, so this does the same, first:

- in keys, `${Identifier}` becomes the item and `&{Identifier}` the item with every
  character that is not a letter or a digit removed;
- in values, `Ref: Identifier` becomes the item, and `${Identifier}`/`&{Identifier}`
  are substituted inside `Fn::Sub` strings (an `Fn::Sub` left with no `${` at all is
  its text, so `!GetAtt [!Sub 'Bucket${Name}', Arn]` names the generated bucket);
- loops nest, and an inner collection may use an outer identifier.

The collection is a literal list, or anything the intrinsic resolver knows from
the files alone: `Ref` to a `CommaDelimitedList` or `List<...>` parameter (its
default), `Fn::FindInMap`, `Fn::Split`, `Fn::If` under no condition... A collection
known only at deployment is one warning at its loop, and nothing is generated.

The result is a new `Document`: its data has the loops expanded, and every generated
path maps to the span of the loop's source it came from, so a finding on a generated
bucket points at the line inside the loop a person edits. Generation is bounded
(`MAX_GENERATED`): nested loops multiply, and past the bound the loops are left
unexpanded with one located error.

`DeletionPolicy` and `UpdateReplacePolicy`, which the transform lets be a `Ref` to a
parameter or an `Fn::If`, are checked here too: another form, or a value that is not
a policy, is refused by CloudFormation and is a located error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

from iaclint.adapt.cloudformation.conditions import TooLarge, Variant
from iaclint.adapt.cloudformation.intrinsics import PSEUDO_PARAMETERS, Resolver
from iaclint.adapt.sourced import Src
from iaclint.diagnostics import Diagnostic
from iaclint.graph.values import Input, concrete, unknown_reason
from iaclint.parse.document import Document
from iaclint.span import DocPath, Span

TRANSFORM = "AWS::LanguageExtensions"
LOOP_PREFIX = "Fn::ForEach::"
# Values (and iterations) generated per template, every loop together: far beyond a
# real template (CloudFormation's own limit is 500 resources), small enough to stay
# quick and light when nested loops multiply.
MAX_GENERATED = 200_000

_LOOP_NAME = re.compile(r"[A-Za-z0-9]+\Z")
_IDENTIFIER = re.compile(r"[A-Za-z0-9_]+\Z")
_LOGICAL_ID = re.compile(r"[A-Za-z0-9]+\Z")
_PLACEHOLDER = re.compile(r"([$&])\{([^}]*)\}")
_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]+")
# Sections whose keys are logical ids, which CloudFormation wants alphanumeric.
_NAMED_SECTIONS = frozenset({"Resources", "Outputs"})
_POLICY_ATTRIBUTES = ("DeletionPolicy", "UpdateReplacePolicy")
_POLICIES = {
    "DeletionPolicy": ("Delete", "Retain", "RetainExceptOnCreate", "Snapshot"),
    "UpdateReplacePolicy": ("Delete", "Retain", "Snapshot"),
}


def declares_transform(data: object) -> bool:
    """Whether a template's `Transform` names the language extensions."""
    if not isinstance(data, dict):
        return False
    declared = data.get("Transform")
    return declared == TRANSFORM or (isinstance(declared, list) and TRANSFORM in declared)


def expand(document: Document) -> tuple[Document, list[Diagnostic]]:
    """The document with its `Fn::ForEach` loops expanded, and the problems met.

    A template that does not declare the transform is returned as it is.
    """
    if not declares_transform(document.data):
        return document, []
    expansion = _Expansion(document)
    expanded = expansion.run()
    _check_policies(expanded, expansion.report)
    return expanded, expansion.diagnostics


class _Report(Protocol):
    def __call__(self, path: DocPath, message: str, warning: bool = False) -> None: ...


class _TooMany(Exception):
    def __init__(self, loop: DocPath):
        super().__init__()
        self.loop = loop


class _Expansion:
    def __init__(self, document: Document):
        self.document = document
        self.diagnostics: list[Diagnostic] = []
        self._reported: set[tuple[int | None, int | None, str]] = set()
        self._spans: dict[DocPath, Span] | None = None
        self._generated = 0
        self._with_loop: dict[int, bool] = {}
        self._loop_names: dict[str, DocPath] = {}
        self._resolver: Resolver | None = None

    def run(self) -> Document:
        data = self.document.data
        try:
            expanded = self._node(data, (), (), {})
        except _TooMany as exc:
            self.report(
                exc.loop,
                f"'{exc.loop[-1]}' and the loops around it would generate more than "
                f"{MAX_GENERATED:,} values (nested loops multiply); no loop of the template "
                "is expanded",
            )
            return self.document
        if expanded is data:
            return self.document
        spans = self._spans if self._spans is not None else self.document.spans
        return self.document._replace(data=expanded, spans=spans)

    # -- walking the document ------------------------------------------------

    def _has_loop(self, value: object) -> bool:
        """Whether a loop is written anywhere in `value` (shared YAML aliases once)."""
        if not isinstance(value, dict | list):
            return False
        known = self._with_loop.get(id(value))
        if known is not None:
            return known
        self._with_loop[id(value)] = False  # a value never holds itself; be safe anyway
        if isinstance(value, dict):
            found = any(
                isinstance(key, str) and key.startswith(LOOP_PREFIX) for key in value
            ) or any(self._has_loop(child) for child in value.values())
        else:
            found = any(self._has_loop(item) for item in value)
        self._with_loop[id(value)] = found
        return found

    def _node(
        self, value: object, source: DocPath, out: DocPath, bindings: Mapping[str, str]
    ) -> object:
        """`value` (written at `source`) as it is generated at `out`."""
        if bindings:
            self._count(source)
            self._locate(out, source)
        elif not self._has_loop(value):
            return value  # outside every loop nothing changes: shared, and located already
        if isinstance(value, list):
            return [
                self._node(item, (*source, index), (*out, index), bindings)
                for index, item in enumerate(value)
            ]
        if not isinstance(value, dict):
            return value
        if bindings and len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref" and isinstance(argument, str) and argument in bindings:
                return bindings[argument]
            if key == "Fn::Sub":
                return self._sub(argument, source, out, bindings)
        result: dict[str, object] = {}
        for key, child in value.items():
            if isinstance(key, str) and key.startswith(LOOP_PREFIX):
                self._loop(key, child, (*source, key), out, bindings, result)
                continue
            name = _substitute(key, bindings) if bindings and isinstance(key, str) else key
            generated = self._node(child, (*source, key), (*out, name), bindings)
            self._put(result, name, generated, (*source, key), None)
        return result

    def _sub(
        self, argument: object, source: DocPath, out: DocPath, bindings: Mapping[str, str]
    ) -> object:
        inner, placed = (*source, "Fn::Sub"), (*out, "Fn::Sub")
        if isinstance(argument, str):
            text = _substitute(argument, bindings)
            if "${" not in text:
                return text
            self._locate(placed, inner)
            return {"Fn::Sub": text}
        if isinstance(argument, list) and argument and isinstance(argument[0], str):
            self._locate(placed, inner)
            text = _substitute(argument[0], bindings)
            if "${" not in text:
                return text
            self._locate((*placed, 0), (*inner, 0))
            rest = [
                self._node(item, (*inner, index), (*placed, index), bindings)
                for index, item in enumerate(argument[1:], start=1)
            ]
            return {"Fn::Sub": [text, *rest]}
        return {"Fn::Sub": self._node(argument, inner, placed, bindings)}

    def _put(
        self,
        result: dict[str, object],
        key: object,
        value: object,
        source: DocPath,
        loop: str | None,
    ) -> None:
        if not isinstance(key, str):
            result[key] = value  # type: ignore[index]  # the reader's keys; kept as read
            return
        if key in result:
            by = f" by '{loop}'" if loop else ""
            self.report(
                source,
                f"'{key}' is generated{by} where it is already defined; "
                "CloudFormation refuses the template (the first one is linted)",
            )
            return
        result[key] = value

    # -- loops ----------------------------------------------------------------

    def _loop(
        self,
        key: str,
        argument: object,
        source: DocPath,
        out: DocPath,
        bindings: Mapping[str, str],
        result: dict[str, object],
    ) -> None:
        """Expand the loop `key` (written at `source`) into `result`, the mapping at `out`."""
        name = key[len(LOOP_PREFIX) :]
        if not _LOOP_NAME.match(name):
            self.report(source, f"'{key}': a loop's name must be letters and digits only")
            return
        first = self._loop_names.setdefault(name, source)
        if first != source:
            self.report(source, f"'{key}': another loop of the template has this name")
            return
        if not isinstance(argument, list) or len(argument) != 3:
            self.report(source, f"'{key}' must be a list of 3: [identifier, collection, output]")
            return
        identifier, collection, output = argument
        if not isinstance(identifier, str) or not _IDENTIFIER.match(identifier):
            self.report(
                (*source, 0),
                f"'{key}': the identifier must be letters, digits and underscores, "
                f"got {_shown(identifier)}",
            )
            return
        if identifier in bindings:
            self.report(
                (*source, 0),
                f"'{key}': identifier '{identifier}' is already used by an enclosing loop",
            )
            return
        if not isinstance(output, dict) or not output:
            self.report(
                (*source, 2), f"'{key}': the output must be a mapping of keys to what they hold"
            )
            return
        items = self._collection(key, collection, (*source, 1), bindings)
        if items is None:
            return
        named = len(out) == 1 and out[0] in _NAMED_SECTIONS
        for item in items:
            self._count(source)
            inner = {**bindings, identifier: item}
            for output_key, template in output.items():
                written: DocPath = (*source, 2, output_key)
                if isinstance(output_key, str) and output_key.startswith(LOOP_PREFIX):
                    self._loop(output_key, template, written, out, inner, result)
                    continue
                generated = _substitute(output_key, inner) if isinstance(output_key, str) else ""
                if named and not _LOGICAL_ID.match(generated):
                    self.report(
                        written,
                        f"'{key}' generates the logical id '{generated}', which is not "
                        "letters and digits only (`&{" + identifier + "}` drops the others)",
                    )
                    continue
                value = self._node(template, written, (*out, generated), inner)
                self._put(result, generated, value, written, key)

    def _collection(
        self, key: str, collection: object, source: DocPath, bindings: Mapping[str, str]
    ) -> list[str] | None:
        """The collection's items as text, or None (reported) when not known from the files."""
        bound = _bind(collection, bindings)
        if isinstance(bound, list):
            items: list[str] = []
            for index, item in enumerate(bound):
                if item is None or isinstance(item, list):
                    self.report(
                        (*source, index),
                        f"'{key}': item {index + 1} of the collection must be text, "
                        f"got {_shown(item)}",
                    )
                    return None
                text = self._item(item, (*source, index))
                if text is None:
                    return self._unknown(
                        key, source, f"item {index + 1} is known only at deployment"
                    )
                items.append(text)
            return items
        if not isinstance(bound, dict):
            self.report(
                source,
                f"'{key}': the collection must be a list or a function returning one, "
                f"got {_shown(bound)}",
            )
            return None
        resolved = self._resolve(bound, source)
        value = resolved.value if resolved is not None else None
        if isinstance(value, Input) and not value.has_default:
            return self._unknown(key, source, f"parameter {value.name} has no default")
        plain = concrete(value)
        if isinstance(plain, list):
            texts: list[str] = []
            for index, item in enumerate(plain):
                text = _text(concrete(getattr(item, "value", item)))
                if text is None:
                    return self._unknown(
                        key, source, f"item {index + 1} is known only at deployment"
                    )
                texts.append(text)
            return texts
        if isinstance(plain, str | int | float) and not isinstance(plain, bool):
            self.report(source, f"'{key}': the collection must be a list, got {_shown(plain)}")
            return None
        reason = unknown_reason(value) if value is not None else "it cannot be resolved"
        return self._unknown(key, source, reason)

    def _item(self, item: object, source: DocPath) -> str | None:
        text = _text(item)
        if text is not None or not isinstance(item, dict):
            return text
        resolved = self._resolve(item, source)
        return _text(concrete(resolved.value)) if resolved is not None else None

    def _resolve(self, value: object, source: DocPath) -> Src | None:
        if self._resolver is None:
            data = self.document.data
            self._resolver = Resolver(data if isinstance(data, dict) else {}, self.document)
        try:
            resolved = self._resolver.resolve(value, source, Variant(()))
        except TooLarge:
            return None
        return resolved if isinstance(resolved, Src) else None

    def _unknown(self, key: str, source: DocPath, reason: str) -> list[str] | None:
        """No items: the loop's collection is known only at deployment (one warning)."""
        self.report(
            source,
            f"'{key}' loops over a collection known only at deployment ({reason}): "
            "what it generates is not linted",
            warning=True,
        )
        return None

    # -- bookkeeping ----------------------------------------------------------

    def _count(self, loop: DocPath) -> None:
        self._generated += 1
        if self._generated > MAX_GENERATED:
            raise _TooMany(_loop_of(loop))

    def _locate(self, out: DocPath, source: DocPath) -> None:
        span = self.document.spans.get(source)
        if span is None:
            return
        if self._spans is None:
            self._spans = dict(self.document.spans)
        self._spans[out] = span

    def report(self, path: DocPath, message: str, warning: bool = False) -> None:
        """One located diagnostic, once (a loop inside another is met once per item)."""
        span = self.document.spans.get(path)
        line, column = (span.line, span.column) if span is not None else (None, None)
        if (line, column, message) in self._reported:
            return
        self._reported.add((line, column, message))
        make = Diagnostic.warning if warning else Diagnostic.error
        self.diagnostics.append(make(self.document.file, message, line, column))


def _loop_of(path: DocPath) -> DocPath:
    """The path of the innermost loop key in `path`."""
    for end in range(len(path), 0, -1):
        part = path[end - 1]
        if isinstance(part, str) and part.startswith(LOOP_PREFIX):
            return path[:end]
    return path


def _substitute(text: str, bindings: Mapping[str, str]) -> str:
    if "{" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        value = bindings.get(match.group(2))
        if value is None:
            return match.group(0)
        return value if match.group(1) == "$" else _NOT_ALPHANUMERIC.sub("", value)

    return _PLACEHOLDER.sub(replace, text)


def _bind(value: object, bindings: Mapping[str, str]) -> object:
    """A collection with the enclosing loops' identifiers substituted (no spans needed)."""
    if not bindings:
        return value
    if isinstance(value, list):
        return [_bind(item, bindings) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, argument),) = value.items()
        if key == "Ref" and isinstance(argument, str) and argument in bindings:
            return bindings[argument]
        if key == "Fn::Sub" and isinstance(argument, str):
            text = _substitute(argument, bindings)
            return text if "${" not in text else {"Fn::Sub": text}
    return {key: _bind(child, bindings) for key, child in value.items()}


def _text(value: object) -> str | None:
    """A collection item as the text CloudFormation substitutes, or None."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # YAML 1.1 reads `yes` and `on` as true
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return None


def _shown(value: object) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "nothing" if value is None else type(value).__name__


# -- DeletionPolicy and UpdateReplacePolicy -----------------------------------


def _check_policies(document: Document, report: _Report) -> None:
    data = document.data
    resources = data.get("Resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict) or not isinstance(data, dict):
        return
    parameters = data.get("Parameters")
    parameters = parameters if isinstance(parameters, dict) else {}
    conditions = data.get("Conditions")
    conditions = conditions if isinstance(conditions, dict) else {}
    for logical_id, body in resources.items():
        if not isinstance(body, dict):
            continue
        for attribute in _POLICY_ATTRIBUTES:
            if attribute in body:
                checker = _PolicyCheck(attribute, parameters, conditions, report)
                checker.check(body[attribute], ("Resources", logical_id, attribute), 0)


class _PolicyCheck:
    """A `DeletionPolicy` or `UpdateReplacePolicy`: a policy, `Ref` to a parameter whose
    values are policies, or `Fn::If` between two such."""

    def __init__(
        self,
        attribute: str,
        parameters: Mapping[str, object],
        conditions: Mapping[str, object],
        report: _Report,
    ):
        self.attribute = attribute
        self.allowed = _POLICIES[attribute]
        self.parameters = parameters
        self.conditions = conditions
        self.report = report

    def check(self, value: object, path: DocPath, depth: int) -> None:
        if isinstance(value, str):
            self._literal(value, path, "")
            return
        if isinstance(value, dict) and len(value) == 1 and depth < 20:
            ((key, argument),) = value.items()
            if key == "Ref":
                self._ref(argument, (*path, key))
                return
            if key == "Fn::If":
                self._if(argument, (*path, key), depth)
                return
        self.report(
            path,
            f"{self.attribute} must be one of {', '.join(self.allowed)}, a Ref to a parameter "
            "or an Fn::If between them",
        )

    def _literal(self, value: str, path: DocPath, where: str) -> None:
        if value not in self.allowed:
            self.report(
                path,
                f"{self.attribute} '{value}'{where} is not one of {', '.join(self.allowed)}",
            )

    def _ref(self, name: object, path: DocPath) -> None:
        declaration = self.parameters.get(name) if isinstance(name, str) else None
        if not isinstance(declaration, dict):
            what = "a pseudo parameter" if name in PSEUDO_PARAMETERS else "not a parameter"
            self.report(path, f"{self.attribute} refers to {_shown(name)}, {what}")
            return
        default = declaration.get("Default")
        if isinstance(default, str):
            self._literal(default, path, f" (default of parameter {name})")
        allowed = declaration.get("AllowedValues")
        for value in allowed if isinstance(allowed, list) else ():
            if isinstance(value, str):
                self._literal(value, path, f" (allowed value of parameter {name})")

    def _if(self, argument: object, path: DocPath, depth: int) -> None:
        if not isinstance(argument, list) or len(argument) != 3:
            self.report(path, f"{self.attribute}: Fn::If takes [condition, if true, if false]")
            return
        condition = argument[0]
        if not isinstance(condition, str) or condition not in self.conditions:
            self.report(
                (*path, 0),
                f"{self.attribute}: Fn::If names {_shown(condition)}, which is not a condition",
            )
        for branch in (1, 2):
            self.check(argument[branch], (*path, branch), depth + 1)

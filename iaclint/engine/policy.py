"""Policies: declarative checks written against the common model.

A policy file is YAML (see docs/policies.md for the language):

    id: IAC001                      # stable, opaque, never reused
    title: ...
    category: network               # one of findings.CATEGORIES, or namespaced: org.storage
    severity: high                  # low | medium | high | critical
    description: ...                # what it flags (optional outside the bundled policies,
    rationale: ...                  # why it matters     as are these three)
    remediation: ...                # how to fix it
    references: [https://...]
    message: "{ports} open to the world ({value})"   # optional: the title
    example:                        # optional: templates for the docs (fail and pass)
      fail: |
        Resources: ...
      pass: |
        Resources: ...
    parameters:                     # optional, typed, with defaults
      ports: {type: list[int], default: [22, 3389], description: ...}
    check:
      targets:                      # what is examined
        - kind: ec2.security_group
          each: $.ingress[*]        # optional: examine each match on its own
        - type: AWS::Lambda::Function   # a native type: its properties as written
      when: <condition>             # true means: report a finding

Conditions: `all: [...]`, `any: [...]`, `not: ...`, a predicate
(`path` or `first_of`, `op`, operator arguments, `match: any|all`), a hop along
references (`hop`, `to`, `then`), or a hop back from referrers (`from`,
`through`, `then`). A finding points at the deepest value that decided it, or at
the condition marked `locate: true`. This module turns the parsed file into a `Policy` and
reports any mistake with the line and field it is in.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import NamedTuple

from iaclint.diagnostics import did_you_mean
from iaclint.engine.operators import OPERATORS, Operator, argument_fits
from iaclint.engine.operators.base import ARGUMENT_TYPES
from iaclint.engine.selectors import Selector, SelectorError, compile_selector
from iaclint.findings import CATEGORIES, Checks, PolicyInfo, Severity
from iaclint.graph.kinds import ANY, KINDS, Shape
from iaclint.span import DocPath, Span, format_doc_path

POLICY_ID = re.compile(r"^[A-Z][A-Z0-9]*[0-9]{3,}$")
_MESSAGE_FIELDS = frozenset({"value", "values", "resource"})
SELECTION_OPERATORS = frozenset({"present", "absent"})


class PolicyError(Exception):
    def __init__(self, message: str, path: DocPath, span: Span | None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.span = span

    @property
    def field(self) -> str:
        return format_doc_path(self.path)


class ParameterError(ValueError):
    """A configured parameter value the policy cannot take; `name` is the parameter."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


# -- the compiled model ---------------------------------------------------


class ParameterRef(NamedTuple):
    name: str


class Parameter(NamedTuple):
    name: str
    type: str
    default: object
    description: str


class Source(NamedTuple):
    """Where a predicate reads values: a path, optionally through a reference."""

    path: Selector
    via: Selector | None = None
    to: tuple[str, ...] = ()


class Predicate(NamedTuple):
    sources: tuple[Source, ...]
    operator: Operator | None  # None for the selection operators present/absent
    operator_name: str
    arguments: Mapping[str, object]
    quantifier: str
    # This condition's witness is where the finding points (see `locate`).
    locate: bool = False


class Hop(NamedTuple):
    through: Selector
    to: tuple[str, ...]
    then: Condition
    quantifier: str
    locate: bool = False
    # Values that are not references (literal ids, ARNs) are left to other conditions.
    references_only: bool = False


class ReverseHop(NamedTuple):
    kinds: tuple[str, ...]
    through: Selector
    then: Condition
    quantifier: str
    locate: bool = False


class All(NamedTuple):
    items: tuple[Condition, ...]


class AnyOf(NamedTuple):
    items: tuple[Condition, ...]


class Not(NamedTuple):
    item: Condition


Condition = All | AnyOf | Not | Predicate | Hop | ReverseHop


class Target(NamedTuple):
    kinds: tuple[str, ...]
    each: Selector
    # Native resource types (`AWS::Lambda::Function`, `aws_lambda_function`): their
    # resources are examined through their properties as written in their format.
    types: tuple[str, ...] = ()


# What a `--list-policies` reader calls the inputs: CDK apps are read as their
# CloudFormation, plans as the resources Terraform would make.
CLOUDFORMATION = ("cloudformation", "cdk")
TERRAFORM = ("terraform", "terraform-plan")


class Policy(NamedTuple):
    info: PolicyInfo
    message: str
    targets: tuple[Target, ...]
    condition: Condition
    parameters: Mapping[str, Parameter] = {}
    # Parameter values in effect (defaults, or the user's configuration).
    values: Mapping[str, object] = {}
    description: str = ""
    # Example templates for the docs: {"fail": text, "pass": text}, and "format"
    # ("terraform") when they are Terraform rather than CloudFormation.
    example: Mapping[str, str] = {}
    # SHA-256 of the policy file's bytes: part of the key of cached results.
    source_digest: str = ""
    # Parameter values the examples are linted with (a policy off until configured).
    example_parameters: Mapping[str, object] = {}
    # Findings point at secrets: the source line reports show has the value masked.
    secret: bool = False
    # False: off until the user configures its parameters or selects it by id.
    enabled: bool = True
    # Named conditions judged on each finding's subject (`check.traits`): those that
    # hold are listed in the finding, and choose its severity (`check.severities`).
    traits: tuple[tuple[str, Condition], ...] = ()
    # (severity, traits it needs), first match wins; none: the policy's severity.
    severities: tuple[tuple[Severity, frozenset[str]], ...] = ()

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def frameworks(self) -> tuple[str, ...]:
        """The inputs it judges: every one for a target of the common model; for a
        native type, the format that names it (`AWS::…`, `Custom::…` or `aws_…`)."""
        cloudformation = terraform = False
        for target in self.targets:
            if target.kinds:
                cloudformation = terraform = True
            cloudformation |= any("::" in name for name in target.types)
            terraform |= any("::" not in name for name in target.types)
        return (*(CLOUDFORMATION if cloudformation else ()), *(TERRAFORM if terraform else ()))

    @property
    def checks(self) -> Checks:
        """What it examines, as the catalogue lists it."""
        targets = tuple(
            dict.fromkeys(
                name for target in self.targets for name in (*target.kinds, *target.types)
            )
        )
        return Checks(
            targets,
            tuple(name for name, _ in self.traits),
            tuple(
                (severity.label, tuple(name for name, _ in self.traits if name in needed))
                for severity, needed in self.severities
            ),
        )

    def configured(
        self, severity: Severity | None = None, values: Mapping[str, object] | None = None
    ) -> Policy:
        """This policy with a user's severity and parameter values.

        Raises ParameterError naming the parameter when a value is unknown or mistyped.
        """
        info = self.info if severity is None else self.info._replace(severity=severity)
        # A severity the user chose holds for every finding of the policy.
        severities = self.severities if severity is None else ()
        merged = dict(self.values)
        for name, value in (values or {}).items():
            parameter = self.parameters.get(name)
            if parameter is None:
                known = ", ".join(sorted(self.parameters)) or "none"
                raise ParameterError(
                    name, f"policy {self.id} has no parameter '{name}' (parameters: {known})"
                )
            if not argument_fits(parameter.type, value):
                raise ParameterError(
                    name,
                    f"parameter '{name}' of policy {self.id} must be {parameter.type}, "
                    f"got {value!r}",
                )
            merged[name] = value
        return self._replace(info=info, values=merged, severities=severities)


# -- compiling a parsed policy file ----------------------------------------

# Every policy needs these; the rest have defaults (the message is the title).
REQUIRED_FIELDS = ("id", "title", "severity", "category", "check")
# What the generated documentation of a bundled policy is made of: required there.
DOCUMENTATION_FIELDS = ("description", "rationale", "remediation", "references")
OPTIONAL_FIELDS = (
    *DOCUMENTATION_FIELDS,
    "message",
    "parameters",
    "example",
    "secret",
    "enabled",
)
# A category of the user's own: namespaced, so it never collides with a bundled one.
CUSTOM_CATEGORY = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$")
# Native resource types: CloudFormation's (`AWS::Lambda::Function`, `Custom::Thing`)
# and Terraform's (`aws_lambda_function`).
CLOUDFORMATION_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(::[A-Za-z0-9]+){1,3}$")
TERRAFORM_TYPE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


class _Compiler:
    def __init__(self, spans: Mapping[DocPath, Span], source: str, bundled: bool):
        self.spans = spans
        self.source_file = source
        self.bundled = bundled
        self.parameters: dict[str, Parameter] = {}
        self.facts: set[str] = set()

    def fail(self, path: DocPath, message: str) -> PolicyError:
        span = None
        for end in range(len(path), -1, -1):
            span = self.spans.get(path[:end])
            if span is not None:
                break
        return PolicyError(message, path, span)

    # helpers for reading fields

    def mapping(self, value: object, path: DocPath, what: str) -> dict[str, object]:
        if not isinstance(value, dict):
            raise self.fail(path, f"{what} must be a mapping")
        return value

    def only_keys(
        self, value: dict[str, object], path: DocPath, allowed: set[str], what: str
    ) -> None:
        for key in value:
            if key not in allowed:
                expected = ", ".join(sorted(allowed))
                raise self.fail(
                    (*path, key), f"unknown field '{key}' in {what} (expected: {expected})"
                )

    def text(self, data: dict[str, object], key: str, path: DocPath) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail((*path, key), f"'{key}' must be non-empty text")
        return value.strip()

    def selector(self, value: object, path: DocPath) -> Selector:
        if not isinstance(value, str):
            raise self.fail(path, "a selector must be a jsonpath string such as '$.ingress[*]'")
        try:
            return compile_selector(value)
        except SelectorError as exc:
            raise self.fail(path, str(exc)) from None

    def kinds(self, value: object, path: DocPath, native: bool = False) -> tuple[str, ...]:
        """Kinds of the common model; with `native`, native resource types too (the
        resources a hop reaches, read through their native properties)."""
        if value == "*":
            return tuple(sorted(KINDS))  # every kind: properties all kinds share
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise self.fail(path, "expected a resource kind or a list of kinds")
        for index, name in enumerate(names):
            if name not in KINDS and not (native and _is_native_type(name) and not self.bundled):
                where = path if isinstance(value, str) else (*path, index)
                if self.bundled and _is_native_type(name):
                    raise self.fail(where, _BUNDLED_NATIVE.format(name=name))
                if _is_native_type(name):
                    raise self.fail(
                        where, f"'{name}' is a native resource type: write 'type: {name}'"
                    )
                raise self.fail(
                    where,
                    f"unknown resource kind '{name}'{did_you_mean(name, KINDS)} "
                    "(see docs/model.md)",
                )
        return tuple(names)

    def native_types(self, value: object, path: DocPath) -> tuple[str, ...]:
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise self.fail(path, "expected a native resource type or a list of them")
        for index, name in enumerate(names):
            where = path if isinstance(value, str) else (*path, index)
            if self.bundled:
                raise self.fail(where, _BUNDLED_NATIVE.format(name=name))
            if name in KINDS:
                raise self.fail(
                    where, f"'{name}' is a kind of the common model: write 'kind: {name}'"
                )
            if not _is_native_type(name):
                raise self.fail(
                    where,
                    f"'{name}' is not a resource type (a CloudFormation type such as "
                    "AWS::Lambda::Function, or a Terraform type such as aws_lambda_function)",
                )
        return tuple(names)

    # the policy

    def policy(self, data: object) -> Policy:
        top = self.mapping(data, (), "a policy file")
        required = REQUIRED_FIELDS + (DOCUMENTATION_FIELDS if self.bundled else ())
        for key in required:
            if key not in top:
                raise self.fail((), f"missing required field '{key}'")
        self.only_keys(top, (), {*REQUIRED_FIELDS, *OPTIONAL_FIELDS}, "a policy")
        policy_id = self.text(top, "id", ())
        if not POLICY_ID.match(policy_id):
            raise self.fail(
                ("id",), f"policy id '{policy_id}' must look like IAC001 (letters then digits)"
            )
        category = self.category(self.text(top, "category", ()))
        try:
            severity = Severity.parse(self.text(top, "severity", ()))
        except ValueError as exc:
            raise self.fail(("severity",), str(exc)) from None
        references = top.get("references", [])
        if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
            raise self.fail(("references",), "'references' must be a list of URLs")
        title = self.text(top, "title", ())
        description = self.optional_text(top, "description")
        info = PolicyInfo(
            id=policy_id,
            title=title,
            category=category,
            severity=severity,
            rationale=self.optional_text(top, "rationale"),
            remediation=self.optional_text(top, "remediation"),
            references=tuple(references),
            source=self.source_file,
            description=description,
        )
        self.parameters = self.parameter_table(top.get("parameters"))
        check = self.mapping(top["check"], ("check",), "'check'")
        self.only_keys(check, ("check",), {"targets", "when", "traits", "severities"}, "'check'")
        if "targets" not in check or "when" not in check:
            raise self.fail(("check",), "'check' needs 'targets' and 'when'")
        targets = self.targets(check["targets"], ("check", "targets"))
        shapes = [shape for target in targets for shape in self.subject_shapes(target)]
        condition = self.condition(check["when"], ("check", "when"), shapes)
        traits = self.traits(check.get("traits"), shapes)
        severities = self.severities(check.get("severities"), {name for name, _ in traits})
        if traits:
            self.facts |= {"traits"}
        if "message" in top:
            message = self.text(top, "message", ())
            self.check_message(message)
        else:  # the title, read as text: its braces are not placeholders
            message = title.replace("{", "{{").replace("}", "}}")
        return Policy(
            info=info,
            message=message,
            targets=targets,
            condition=condition,
            parameters=self.parameters,
            values={name: parameter.default for name, parameter in self.parameters.items()},
            description=description,
            example=self.example(top.get("example")),
            example_parameters=self.example_parameters(top.get("example")),
            secret=self.flag(top, "secret"),
            enabled=self.flag(top, "enabled", default=True),
            traits=traits,
            severities=severities,
        )

    def traits(self, value: object, shapes: list[Shape]) -> tuple[tuple[str, Condition], ...]:
        if value is None:
            return ()
        path: DocPath = ("check", "traits")
        table = self.mapping(value, path, "'traits'")
        out = []
        for name, body in table.items():
            if not re.match(r"^[a-z][a-z0-9_]*$", name):
                raise self.fail((*path, name), f"trait name '{name}' must be lower_snake_case")
            out.append((name, self.condition(body, (*path, name), shapes)))
        return tuple(out)

    def severities(
        self, value: object, traits: set[str]
    ) -> tuple[tuple[Severity, frozenset[str]], ...]:
        if value is None:
            return ()
        path: DocPath = ("check", "severities")
        if not isinstance(value, list) or not value:
            raise self.fail(path, "'severities' must be a non-empty list")
        out = []
        for index, item in enumerate(value):
            where = (*path, index)
            row = self.mapping(item, where, "a severity row")
            self.only_keys(row, where, {"severity", "traits"}, "a severity row")
            try:
                severity = Severity.parse(self.text(row, "severity", where))
            except ValueError as exc:
                raise self.fail((*where, "severity"), str(exc)) from None
            needed = row.get("traits")
            if not isinstance(needed, list) or not needed:
                raise self.fail((*where, "traits"), "'traits' must be a non-empty list of traits")
            for name in needed:
                if name not in traits:
                    known = ", ".join(sorted(traits)) or "none"
                    raise self.fail((*where, "traits"), f"unknown trait '{name}' (traits: {known})")
            out.append((severity, frozenset(str(name) for name in needed)))
        return tuple(out)

    def optional_text(self, data: dict[str, object], key: str) -> str:
        """Text that may be left out (""), but not left empty when it is written."""
        return self.text(data, key, ()) if key in data else ""

    def category(self, category: str) -> str:
        """A bundled category, or (outside the bundled policies) a namespaced one."""
        if category in CATEGORIES:
            return category
        if not self.bundled and CUSTOM_CATEGORY.match(category):
            return category
        own = "" if self.bundled else "; a category of your own is namespaced, like org.storage"
        raise self.fail(
            ("category",),
            f"unknown category '{category}'{did_you_mean(category, CATEGORIES)} "
            f"(expected one of: {', '.join(CATEGORIES)}{own})",
        )

    def example_parameters(self, value: object) -> dict[str, object]:
        if not isinstance(value, dict) or "parameters" not in value:
            return {}
        return self.mapping(value["parameters"], ("example", "parameters"), "'example.parameters'")

    def flag(self, data: dict[str, object], key: str, default: bool = False) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail((key,), f"'{key}' must be true or false")
        return value

    def example(self, value: object) -> dict[str, str]:
        if value is None:
            return {}
        body = self.mapping(value, ("example",), "'example'")
        self.only_keys(body, ("example",), {"fail", "pass", "format", "parameters"}, "'example'")
        out = {}
        for key, text in body.items():
            if key == "parameters":
                continue  # read by example_parameters
            if key == "format":
                if text not in ("cloudformation", "terraform"):
                    raise self.fail(
                        ("example", key), "example 'format' must be cloudformation or terraform"
                    )
                out[key] = str(text)
                continue
            if not isinstance(text, str) or not text.strip():
                raise self.fail(("example", key), f"example '{key}' must be a template as text")
            out[key] = text
        return out

    def parameter_table(self, value: object) -> dict[str, Parameter]:
        if value is None:
            return {}
        table = self.mapping(value, ("parameters",), "'parameters'")
        out: dict[str, Parameter] = {}
        for name, spec in table.items():
            path: DocPath = ("parameters", name)
            if not re.match(r"^[a-z][a-z0-9_]*$", name):
                raise self.fail(path, f"parameter name '{name}' must be lower_snake_case")
            body = self.mapping(spec, path, f"parameter '{name}'")
            self.only_keys(body, path, {"type", "default", "description"}, f"parameter '{name}'")
            kind = body.get("type")
            if kind not in ARGUMENT_TYPES:
                raise self.fail(
                    (*path, "type"), f"parameter type must be one of: {', '.join(ARGUMENT_TYPES)}"
                )
            assert isinstance(kind, str)
            if "default" not in body:
                raise self.fail(path, f"parameter '{name}' needs a 'default'")
            if not argument_fits(kind, body["default"]):
                raise self.fail((*path, "default"), f"default of '{name}' must be {kind}")
            out[name] = Parameter(name, kind, body["default"], str(body.get("description", "")))
        return out

    def targets(self, value: object, path: DocPath) -> tuple[Target, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(path, "'targets' must be a non-empty list")
        out = []
        for index, item in enumerate(value):
            where = (*path, index)
            body = self.mapping(item, where, "a target")
            self.only_keys(body, where, {"kind", "type", "each"}, "a target")
            if ("kind" in body) == ("type" in body):
                raise self.fail(
                    where,
                    "a target needs either a 'kind' (of the common model) "
                    "or a 'type' (a native resource type)",
                )
            each = self.selector(body.get("each", "$"), (*where, "each"))
            if "type" in body:
                # Native properties have no shape: selectors are checked for syntax only.
                out.append(Target((), each, self.native_types(body["type"], (*where, "type"))))
                continue
            kinds = self.kinds(body["kind"], (*where, "kind"))
            target = Target(kinds, each)
            if not self.subject_shapes(target):
                raise self.fail(
                    (*where, "each"), f"'{each.text}' selects nothing in {', '.join(kinds)}"
                )
            out.append(target)
        return tuple(out)

    def subject_shapes(self, target: Target) -> list[Shape]:
        shapes: list[Shape] = [ANY] if target.types else []
        for kind in target.kinds:
            shape = _follow(KINDS[kind].shape, target.each)
            if shape is not None:
                shapes.append(shape)
        return shapes

    def check_path(self, selector: Selector, shapes: list[Shape], path: DocPath) -> None:
        if not shapes:
            return
        if all(_follow(shape, selector) is None for shape in shapes):
            raise self.fail(path, f"'{selector.text}' matches no property of the targeted kinds")

    def kind_shapes(self, kinds: tuple[str, ...]) -> list[Shape]:
        # A native type's properties have no shape: anything may be read in them.
        return [KINDS[kind].shape if kind in KINDS else ANY for kind in kinds]

    def condition(self, value: object, path: DocPath, shapes: list[Shape]) -> Condition:
        body = self.mapping(value, path, "a condition")
        if "all" in body or "any" in body:
            key = "all" if "all" in body else "any"
            self.only_keys(body, path, {key}, f"an '{key}' condition")
            items = body[key]
            if not isinstance(items, list) or not items:
                raise self.fail((*path, key), f"'{key}' must be a non-empty list of conditions")
            compiled = tuple(
                self.condition(item, (*path, key, index), shapes)
                for index, item in enumerate(items)
            )
            return All(compiled) if key == "all" else AnyOf(compiled)
        if "not" in body:
            self.only_keys(body, path, {"not"}, "a 'not' condition")
            return Not(self.condition(body["not"], (*path, "not"), shapes))
        if "hop" in body:
            return self.hop(body, path, shapes)
        if "from" in body:
            return self.reverse_hop(body, path)
        if "op" in body:
            return self.predicate(body, path, shapes)
        expected = "all, any, not, op, hop, from"
        for key in body:
            raise self.fail(
                (*path, key), f"unknown condition '{key}' (expected one of: {expected})"
            )
        raise self.fail(path, f"a condition needs one of: {expected}")

    def locate(self, body: dict[str, object], path: DocPath) -> bool:
        value = body.get("locate", False)
        if not isinstance(value, bool):
            raise self.fail((*path, "locate"), "'locate' must be true or false")
        return value

    def quantifier(self, body: dict[str, object], path: DocPath) -> str:
        value = body.get("match", "any")
        if value not in ("any", "all"):
            raise self.fail((*path, "match"), "'match' must be 'any' or 'all'")
        assert isinstance(value, str)
        return value

    def hop(self, body: dict[str, object], path: DocPath, shapes: list[Shape]) -> Hop:
        allowed = {"hop", "to", "then", "match", "locate", "references_only"}
        self.only_keys(body, path, allowed, "a hop")
        through = self.selector(body["hop"], (*path, "hop"))
        self.check_path(through, shapes, (*path, "hop"))
        if "to" not in body or "then" not in body:
            raise self.fail(path, "a hop needs 'to' (the kinds it reaches) and 'then'")
        to = self.kinds(body["to"], (*path, "to"), native=True)
        then = self.condition(body["then"], (*path, "then"), self.kind_shapes(to))
        references_only = body.get("references_only", False)
        if not isinstance(references_only, bool):
            raise self.fail((*path, "references_only"), "'references_only' must be true or false")
        return Hop(
            through, to, then, self.quantifier(body, path), self.locate(body, path), references_only
        )

    def reverse_hop(self, body: dict[str, object], path: DocPath) -> ReverseHop:
        self.only_keys(
            body, path, {"from", "through", "then", "match", "locate"}, "a hop from referrers"
        )
        kinds = self.kinds(body["from"], (*path, "from"), native=True)
        if "through" not in body or "then" not in body:
            raise self.fail(path, "a hop from referrers needs 'through' and 'then'")
        through = self.selector(body["through"], (*path, "through"))
        self.check_path(through, self.kind_shapes(kinds), (*path, "through"))
        then = self.condition(body["then"], (*path, "then"), self.kind_shapes(kinds))
        return ReverseHop(
            kinds, through, then, self.quantifier(body, path), self.locate(body, path)
        )

    def predicate(self, body: dict[str, object], path: DocPath, shapes: list[Shape]) -> Predicate:
        name = body["op"]
        if not isinstance(name, str):
            raise self.fail((*path, "op"), "'op' must be an operator name")
        operator = OPERATORS.get(name)
        if operator is None and name not in SELECTION_OPERATORS:
            known = ", ".join(sorted([*OPERATORS, *SELECTION_OPERATORS]))
            raise self.fail((*path, "op"), f"unknown operator '{name}' (operators: {known})")
        declared = operator.arguments if operator is not None else {}
        allowed = {"op", "path", "first_of", "via", "to", "match", "locate", *declared}
        self.only_keys(body, path, allowed, f"operator '{name}'")
        sources = self.sources(body, path, shapes)
        arguments: dict[str, object] = {}
        for argument_name, spec in declared.items():
            if argument_name not in body:
                if spec.required:
                    raise self.fail(path, f"operator '{name}' needs the argument '{argument_name}'")
                arguments[argument_name] = spec.default
                continue
            raw = body[argument_name]
            where = (*path, argument_name)
            if isinstance(raw, dict) and set(raw) == {"param"}:
                reference = raw["param"]
                parameter = self.parameters.get(str(reference))
                if parameter is None:
                    raise self.fail(where, f"no parameter named '{reference}' in 'parameters'")
                if not _type_compatible(parameter.type, spec.type):
                    raise self.fail(
                        where,
                        f"parameter '{reference}' is {parameter.type}, "
                        f"'{argument_name}' needs {spec.type}",
                    )
                arguments[argument_name] = ParameterRef(parameter.name)
            elif not argument_fits(spec.type, raw):
                raise self.fail(
                    where, f"argument '{argument_name}' of '{name}' must be {spec.type}"
                )
            else:
                arguments[argument_name] = raw
        if operator is not None and operator.check is not None:
            literal = {k: v for k, v in arguments.items() if not isinstance(v, ParameterRef)}
            if len(literal) == len(arguments):
                problem = operator.check(literal)
                if problem:
                    raise self.fail(path, problem)
        if operator is not None:
            self.facts |= operator.facts
        return Predicate(
            sources, operator, name, arguments, self.quantifier(body, path), self.locate(body, path)
        )

    def sources(
        self, body: dict[str, object], path: DocPath, shapes: list[Shape]
    ) -> tuple[Source, ...]:
        if "first_of" in body:
            if "path" in body or "via" in body:
                raise self.fail(path, "use either 'first_of' or 'path'/'via', not both")
            items = body["first_of"]
            if not isinstance(items, list) or not items:
                raise self.fail(
                    (*path, "first_of"), "'first_of' must be a non-empty list of sources"
                )
            return tuple(
                self.source(
                    self.mapping(item, (*path, "first_of", i), "a source"),
                    (*path, "first_of", i),
                    shapes,
                )
                for i, item in enumerate(items)
            )
        return (self.source(body, path, shapes, inline=True),)

    def source(
        self, body: dict[str, object], path: DocPath, shapes: list[Shape], inline: bool = False
    ) -> Source:
        if not inline:
            self.only_keys(body, path, {"path", "via", "to"}, "a source")
        selector = self.selector(body.get("path", "$"), (*path, "path"))
        if "via" not in body:
            if "to" in body:
                raise self.fail((*path, "to"), "'to' goes with 'via'")
            self.check_path(selector, shapes, (*path, "path"))
            return Source(selector)
        via = self.selector(body["via"], (*path, "via"))
        self.check_path(via, shapes, (*path, "via"))
        if "to" not in body:
            raise self.fail(path, "'via' needs 'to': the kinds the reference leads to")
        to = self.kinds(body["to"], (*path, "to"), native=True)
        self.check_path(selector, self.kind_shapes(to), (*path, "path"))
        return Source(selector, via, to)

    def check_message(self, message: str) -> None:
        allowed = _MESSAGE_FIELDS | set(self.parameters) | self.facts
        try:
            fields = [
                name for _, name, _, _ in string.Formatter().parse(message) if name is not None
            ]
        except ValueError as exc:
            raise self.fail(("message",), f"invalid message template: {exc}") from None
        for name in fields:
            if name not in allowed:
                raise self.fail(
                    ("message",),
                    f"message uses '{{{name}}}', which is not available "
                    f"(available: {', '.join(sorted(allowed))})",
                )


# iaclint's own policies cover every format through the common model (DESIGN.md).
_BUNDLED_NATIVE = (
    "a bundled policy is written against the common model, not a native type "
    "('{name}'): give the resource a kind (iaclint/graph/kinds.py) and adapters"
)


def _is_native_type(name: str) -> bool:
    return bool(CLOUDFORMATION_TYPE.match(name) or TERRAFORM_TYPE.match(name))


def _type_compatible(have: str, need: str) -> bool:
    if need == "any" or have == need:
        return True
    if need == "number" and have == "int":
        return True
    return need == "list[any]" and have.startswith("list[")


def _follow(shape: Shape, selector: Selector) -> Shape | None:
    """The shape reached by following the selector, or None if it leads nowhere."""
    chain = selector.field_chain()
    if chain is None:
        return shape
    current: Shape = shape
    for name in chain:
        if current == ANY:
            return ANY
        if name is None:
            if isinstance(current, list):
                current = current[0]
            elif isinstance(current, dict):
                current = ANY  # any of its properties
            else:
                return None
        elif isinstance(current, dict) and name in current:
            current = current[name]
        else:
            return None
    return current


def compile_policy(
    data: object, spans: Mapping[DocPath, Span], source: str, bundled: bool = False
) -> Policy:
    """Build a policy from its parsed file; raises PolicyError naming line and field.

    `bundled`: one of iaclint's own policies, whose documentation fields are required
    and whose category is one of `CATEGORIES`.
    """
    return _Compiler(spans, source, bundled).policy(data)

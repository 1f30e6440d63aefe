"""SAM policy templates and AWS managed policy names, expanded offline.

The `Policies` of a SAM function or state machine may name a policy template with its
parameters (`- S3ReadPolicy: {BucketName: !Ref Bucket}`) or an AWS managed policy by
name (`- AmazonS3ReadOnlyAccess`). AWS's translator turns the first into statements of
the generated role and looks the second up, by calling AWS when its own table lacks
the name. iaclint does neither at lint time: it reads the data module
`sam_policy_data`, generated from the translator release it names
(`TRANSLATOR_VERSION`) and compared with it by the test suite.

A template's statements come out as the translator writes them, in template data form
(`{"Fn::Sub": [...]}`, `{"Ref": ...}`): each reference to a template parameter is
replaced by the value given for it, whatever that is (a string, an intrinsic, a
number...). Each call builds a document of its own, but the values are placed in it
as they are, not copied (values sharing parts, as YAML aliases make them, stay
shared): callers must not change those values in place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from iaclint.adapt.cloudformation.sam_policy_data import (
    MANAGED_POLICIES,
    TEMPLATES,
    TRANSLATOR_VERSION,
    Values,
)

__all__ = [
    "TEMPLATE_NAMES",
    "TRANSLATOR_VERSION",
    "managed_policy_arn",
    "missing_parameters",
    "parameter_names",
    "policy_template",
]

TEMPLATE_NAMES: frozenset[str] = frozenset(TEMPLATES)

# The translator renames each parameter reference of a template to `{"Ref": PREFIX +
# name}` before substituting, so that a value referring to a template parameter of the
# same name (`TableName: !Ref TableName`) is left alone. A value holding such a renamed
# reference is substituted in turn, as the translator does.
_PARAMETER_PREFIX = "___SAM_POLICY_PARAMETER_"
# A value CloudFormation passes for a nested stack's output not created yet: the
# translator leaves the renamed reference in place of it.
_PLACEHOLDER = "{{IntrinsicFunction:"
# `${name=Param}` in the compact form: Fn::Sub variable `name` bound to parameter `Param`.
_BINDING = re.compile(r"\$\{([^}=]*)=([^}]*)\}")

_ARN_PREFIX = "arn:aws:iam::aws:policy"
_MANAGED_PATHS: dict[str, str] = {
    name: path for path, names in MANAGED_POLICIES.items() for name in names
}


def parameter_names(name: str) -> tuple[str, ...]:
    """The parameters template `name` needs, in the order the translator declares them
    (none for an unknown name)."""
    entry = TEMPLATES.get(name) if isinstance(name, str) else None
    return () if entry is None else entry[0]


def missing_parameters(name: str, parameters: Mapping[str, object]) -> tuple[str, ...]:
    """The parameters of template `name` that `parameters` gives no value for (all of
    them when `parameters` is not a mapping, which the translator rejects). A value of
    null counts as given, as it does for the translator."""
    needed = parameter_names(name)
    if not isinstance(parameters, Mapping):
        return needed
    return tuple(parameter for parameter in needed if parameter not in parameters)


def policy_template(name: str, parameters: Mapping[str, object]) -> dict[str, object] | None:
    """The policy document (`{"Statement": [...]}`) template `name` expands to with
    `parameters`, as the translator writes it into the generated role.

    None when the translator would refuse the entry: an unknown name, `parameters` not a
    mapping, or a parameter without a value (`missing_parameters` says which). Values
    for names the template does not declare are ignored, as the translator ignores them.
    """
    entry = TEMPLATES.get(name) if isinstance(name, str) else None
    if entry is None or not isinstance(parameters, Mapping):
        return None
    declared, statements = entry
    if any(parameter not in parameters for parameter in declared):
        return None
    values = _Substitution({parameter: parameters[parameter] for parameter in declared})
    document: list[object] = []
    for statement in statements:
        expanded: dict[str, object] = {"Action": _listed(statement[0])}
        if len(statement) == 3:
            expanded["Condition"] = {
                operator: {key: values.string(text) for key, text in keys.items()}
                for operator, keys in statement[2].items()
            }
        expanded["Effect"] = "Allow"
        expanded["Resource"] = (
            [values.string(text) for text in statement[1]]
            if isinstance(statement[1], tuple)
            else values.string(statement[1])
        )
        document.append(expanded)
    return {"Statement": document}


def managed_policy_arn(name: str) -> str | None:
    """The ARN of the AWS managed policy called `name`, with its path
    (`AWSLambdaVPCAccessExecutionRole` →
    `arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole`).

    The partition is `aws`, as the translator writes the ARN for a stack in a region of
    that partition. None for a name that is not an AWS managed policy known to the
    translator's table, and for an ARN (the translator uses an ARN as it is).
    """
    path = _MANAGED_PATHS.get(name) if isinstance(name, str) else None
    return None if path is None else f"{_ARN_PREFIX}{path}{name}"


def _listed(value: Values) -> object:
    return list(value) if isinstance(value, tuple) else value


class _Substitution:
    """The values of one expansion, substituted into the compact strings."""

    def __init__(self, values: dict[str, object]) -> None:
        self._values = values

    def string(self, text: str) -> object:
        """A compact string as template data: itself, or an Fn::Sub."""
        if "${" not in text:
            return text
        bindings: dict[str, str] = {}

        def unbind(match: re.Match[str]) -> str:
            bindings.setdefault(match.group(1), match.group(2))
            return "${" + match.group(1) + "}"

        sub = _BINDING.sub(unbind, text)
        if not bindings:
            return {"Fn::Sub": text}
        variables = {
            variable: self.parameter(parameter, frozenset())
            for variable, parameter in bindings.items()
        }
        return {"Fn::Sub": [sub, variables]}

    def parameter(self, parameter: str, active: frozenset[str]) -> object:
        """The value that replaces a reference to `parameter`.

        Like the translator, this substitutes the renamed references found inside the
        value, not the value itself when it is one (it replaces a reference and then
        walks on into what replaced it). `active` holds the parameters being substituted
        around this one: a value that refers back to one of them would make the
        translator recurse without end, and that reference stays as it is here.
        """
        value = self._values[parameter]
        if isinstance(value, str) and value.startswith(_PLACEHOLDER):
            return {"Ref": _PARAMETER_PREFIX + parameter}
        return self._inside(value, active | {parameter}, {})

    def _inside(self, value: object, active: frozenset[str], seen: dict[int, object]) -> object:
        """`value` with the renamed references among its parts substituted: the same
        object when it holds none. `seen` keeps each shared part's result, so that
        values sharing their parts (YAML aliases) are walked once per part."""
        if not isinstance(value, dict | list):
            return value
        known = seen.get(id(value))
        if known is not None:
            return known
        result: object
        if isinstance(value, dict):
            items = {key: self._part(item, active, seen) for key, item in value.items()}
            changed = any(items[key] is not item for key, item in value.items())
            result = items if changed else value
        else:
            elements = [self._part(item, active, seen) for item in value]
            changed = any(new is not old for new, old in zip(elements, value, strict=True))
            result = elements if changed else value
        seen[id(value)] = result
        return result

    def _part(self, value: object, active: frozenset[str], seen: dict[int, object]) -> object:
        """A part of a value: a renamed reference to a parameter is substituted."""
        if isinstance(value, dict) and len(value) == 1:
            reference = value.get("Ref")
            if isinstance(reference, str) and reference.startswith(_PARAMETER_PREFIX):
                target = reference[len(_PARAMETER_PREFIX) :]
                if target in self._values and target not in active:
                    return self.parameter(target, active)
        return self._inside(value, active, seen)

"""The execution roles the serverless transform creates, from `Policies`.

A function or state machine without a `Role` gets `<Id>Role`: a role the service
may assume, with the managed policies the transform always adds (a function's
basic execution role; X-Ray and VPC access when the function traces or sits in a
VPC; those its event sources need) and each entry of `Policies`: a managed policy
(a name, an ARN, or an intrinsic function giving one) attached by ARN, a policy
document or a policy template (`S3ReadPolicy: {BucketName: …}`) as an inline
policy named `<Id>RolePolicy<index>`. Every statement is located at the entry it
comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from iaclint.adapt.cloudformation.sam_values import is_intrinsic, plain
from iaclint.adapt.sourced import Src
from iaclint.span import DocPath

# Told about an entry that cannot be read: its path, and what is wrong.
Warn = Callable[[DocPath, str], None]


class RolePolicies(NamedTuple):
    managed: list[Src]
    inline: list[Src]


def aws_managed(name: str, origin: DocPath) -> Src:
    """The ARN of an AWS managed policy, in whichever partition the stack is."""
    return Src({"Fn::Sub": f"arn:${{AWS::Partition}}:iam::aws:policy/{name}"}, origin)


def trust(service: str, origin: DocPath) -> Src:
    """A trust policy letting `service` assume the role."""
    statement = {
        "Action": ["sts:AssumeRole"],
        "Effect": "Allow",
        "Principal": {"Service": [service]},
    }
    return Src({"Version": "2012-10-17", "Statement": [statement]}, origin)


def read_policies(
    policies: Src | None, role_id: str, warn: Warn, refuse: Warn | None = None
) -> RolePolicies:
    """The managed and inline policies a resource's `Policies` gives its role. What
    cannot be read is said with `warn`; what the transform refuses, with `refuse`."""
    out = RolePolicies([], [])
    if policies is None:
        return out
    entries = policies.value if isinstance(policies.value, list) else [policies]
    for index, entry in enumerate(entries):
        if not isinstance(entry, Src):
            continue
        _entry(entry, f"{role_id}Policy{index}", out, warn, refuse or warn)
    return out


def _entry(entry: Src, name: str, out: RolePolicies, warn: Warn, refuse: Warn) -> None:
    value = entry.value
    if isinstance(value, str):
        out.managed.append(_managed_arn(value, entry.origin))
    elif isinstance(value, dict) and "Fn::If" in value and len(value) == 1:
        _conditional(entry, name, out, warn)
    elif is_intrinsic(value):
        out.managed.append(entry)
    elif isinstance(value, dict) and "Statement" in value:
        out.inline.append(_inline(name, entry, entry.origin))
    elif isinstance(value, dict) and len(value) == 1:
        document = _template(entry, warn, refuse)
        if document is not None:
            out.inline.append(_inline(name, document, entry.origin))
    else:
        warn(
            entry.origin,
            "a Policies entry is a managed policy (name or ARN), a policy document "
            "(with 'Statement') or a policy template ({Name: {parameters}}); "
            "this one is not linted",
        )


def _conditional(entry: Src, name: str, out: RolePolicies, warn: Warn) -> None:
    """`Fn::If` choosing between documents (an inline policy under the condition) or
    between managed policies (attached under the condition)."""
    arguments = entry.value["Fn::If"] if isinstance(entry.value, dict) else None
    if not isinstance(arguments, Src) or not isinstance(arguments.value, list):
        out.managed.append(entry)
        return
    items = arguments.value
    if len(items) != 3:
        out.managed.append(entry)
        return
    branches = items[1:]
    documents = any(isinstance(b.value, dict) and "Statement" in b.value for b in branches)
    converted: list[Src] = [items[0]]
    for branch in branches:
        if _no_value(branch.value):
            converted.append(branch)
        elif documents:
            converted.append(
                Src(
                    {"PolicyName": Src(name, branch.origin), "PolicyDocument": branch},
                    branch.origin,
                )
            )
        elif isinstance(branch.value, str):
            converted.append(_managed_arn(branch.value, branch.origin))
        else:
            converted.append(branch)
    chosen = Src({"Fn::If": Src(converted, arguments.origin)}, entry.origin)
    (out.inline if documents else out.managed).append(chosen)


def _no_value(value: object) -> bool:
    return plain(value) == {"Ref": "AWS::NoValue"}


def _inline(name: str, document: Src, origin: DocPath) -> Src:
    return Src({"PolicyName": Src(name, origin), "PolicyDocument": document}, origin)


def _managed_arn(name: str, origin: DocPath) -> Src:
    """A managed policy named by the user: its ARN when the name is an AWS managed
    policy's, else the text as written (an ARN, or a name the transform keeps)."""
    from iaclint.adapt.cloudformation.sam_policy_templates import managed_policy_arn

    if name.startswith("arn:"):
        return Src(name, origin)
    arn = managed_policy_arn(name)
    if arn is None:
        return Src(name, origin)
    return Src({"Fn::Sub": arn} if "${" in arn else arn, origin)


def _template(entry: Src, warn: Warn, refuse: Warn) -> Src | None:
    """A policy template's document, its parameters substituted, located at the entry."""
    from iaclint.adapt.cloudformation.sam_policy_templates import (
        TEMPLATE_NAMES,
        missing_parameters,
        policy_template,
    )

    assert isinstance(entry.value, dict)
    (template_name, parameters), *_ = entry.value.items()
    if template_name not in TEMPLATE_NAMES:
        warn(
            entry.origin,
            f"unknown SAM policy template '{template_name}': its permissions are not linted",
        )
        return None
    arguments = plain(parameters)
    if not isinstance(arguments, dict):
        # Null, empty or not a mapping: the transform refuses the template.
        refuse(
            entry.origin,
            f"the parameters of policy template '{template_name}' must be a mapping "
            "({} when it takes none); the transform refuses this template",
        )
        return None
    missing = missing_parameters(template_name, arguments)
    if missing:
        warn(
            entry.origin,
            f"policy template '{template_name}' needs {', '.join(missing)}; "
            "its permissions are not linted",
        )
        return None
    document = policy_template(template_name, arguments)
    if document is None:
        warn(entry.origin, f"policy template '{template_name}' could not be filled in")
        return None
    # Every statement is placed at the entry that names the template.
    return Src(document, entry.origin)


def execution_role(
    owner: DocPath,
    assume: Src,
    managed: list[Src],
    inline: list[Src],
    properties: dict[str, Src | None],
) -> Src:
    """The properties of a generated `AWS::IAM::Role`."""
    unique: list[Src] = []
    seen: list[object] = []
    for arn in managed:
        data = plain(arn)
        if data not in seen:
            seen.append(data)
            unique.append(arn)
    fields: dict[str, object] = {"AssumeRolePolicyDocument": assume}
    if unique:
        fields["ManagedPolicyArns"] = Src(unique, owner)
    if inline:
        fields["Policies"] = Src(inline, owner)
    fields.update({key: value for key, value in properties.items() if value is not None})
    return Src(fields, owner)

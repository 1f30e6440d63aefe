"""Terraform IAM resources into the common model.

Documents (`jsonencode(...)`, heredocs, `data.aws_iam_policy_document.x.json`)
arrive as located JSON data (`documents.json_document`) and are put in the common
shape by the same module that reads CloudFormation's (`adapt/iam_document.py`).
Attachments are separate resources in Terraform; each contributes its policy ARN
to the receiving role's, user's or group's `managed_policy_arns`, located in the
attachment, so a finding about it points at the line to change there.
"""

from __future__ import annotations

from iaclint.adapt.iam_document import document
from iaclint.adapt.sourced import Src, each, obj
from iaclint.adapt.terraform.documents import json_document
from iaclint.adapt.terraform.family import Context, Contribution, Family, first, joined

_PRINCIPALS = {"role": "iam.role", "user": "iam.user", "group": "iam.group"}


def _policy_document(source: Src | None) -> Src | None:
    return document(json_document(source))


def _name(props: Src) -> Src | None:
    return first(props.get("name"), props.get("name_prefix"))


def role(props: Src, context: Context) -> Src:
    inline = each(
        props.get("inline_policy"),
        lambda block: obj(
            block, {"name": block.get("name"), "document": _policy_document(block.get("policy"))}
        ),
    )
    return obj(
        props,
        {
            "name": _name(props),
            "path": props.get("path"),
            "assume_role_policy": _policy_document(props.get("assume_role_policy")),
            "policies": inline,
            "managed_policy_arns": each(
                props.get("managed_policy_arns"),
                lambda arn: context.link(arn, "iam.managed_policy"),
            ),
            "permissions_boundary": props.get("permissions_boundary"),
        },
    )


def user(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "name": props.get("name"),
            "path": props.get("path"),
            "permissions_boundary": props.get("permissions_boundary"),
        },
    )


def group(props: Src, context: Context) -> Src:
    return obj(props, {"name": props.get("name"), "path": props.get("path")})


def managed_policy(props: Src, context: Context) -> Src:
    return obj(
        props,
        {"name": _name(props), "document": _policy_document(props.get("policy"))},
    )


def _inline_policy(owner: str) -> Family:
    """`aws_iam_role_policy` and friends: one inline policy for one role, user or group."""
    kind = _PRINCIPALS[owner]

    def build(props: Src, context: Context) -> Src:
        target = context.link(props.get(owner), kind)
        return obj(
            props,
            {
                "name": _name(props),
                "document": _policy_document(props.get("policy")),
                f"{owner}s": Src([target], target.origin) if target is not None else None,
            },
        )

    return Family("iam.policy", build)


def _attachment_model(props: Src, context: Context) -> Src:
    """An attachment keeps, as its own `managed_policy_arns`, what it attaches to
    principals that are not in the files (see `Contribution.unclaimed`)."""
    return obj(props, {})


def _attached_to(target: Src, kinds: tuple[str, ...], arn: Src) -> Contribution:
    return Contribution(target, kinds, "managed_policy_arns", arn, unclaimed="managed_policy_arns")


def _attachment(owner: str) -> Family:
    """`aws_iam_role_policy_attachment` and friends: a policy ARN for one principal."""
    kind = _PRINCIPALS[owner]

    def contribute(props: Src, context: Context) -> list[Contribution]:
        target = props.get(owner)
        arn = props.get("policy_arn")
        if target is None or arn is None:
            return []
        value = context.link(arn, "iam.managed_policy")
        assert value is not None
        return [_attached_to(target, (kind,), value)]

    return Family("iam.policy_attachment", _attachment_model, contribute)


def policy_attachment(props: Src, context: Context) -> list[Contribution]:
    """`aws_iam_policy_attachment`: one policy ARN for lists of roles, users and groups."""
    arn = props.get("policy_arn")
    if arn is None:
        return []
    value = context.link(arn, "iam.managed_policy")
    assert value is not None
    out = []
    for owner, kind in _PRINCIPALS.items():
        targets = joined(props.get(f"{owner}s"), origin=props)
        for target in (targets.items() or []) if targets is not None else []:
            out.append(_attached_to(target, (kind,), value))
    return out


def permission_set(props: Src, context: Context) -> Src:
    return obj(props, {"name": props.get("name")})


def permission_set_inline_policy(props: Src, context: Context) -> Src:
    """`aws_ssoadmin_permission_set_inline_policy`: the one inline policy of a permission set."""
    target = props.get("permission_set_arn")
    return obj(
        props,
        {
            "document": _policy_document(props.get("inline_policy")),
            "permission_sets": target.with_value([target]) if target is not None else None,
        },
    )


def permission_set_managed_policy(props: Src, context: Context) -> list[Contribution]:
    """`aws_ssoadmin_managed_policy_attachment`: an AWS managed policy for a permission set."""
    target = props.get("permission_set_arn")
    arn = props.get("managed_policy_arn")
    if target is None or arn is None:
        return []
    return [_attached_to(target, ("sso.permission_set",), arn)]


FAMILIES: dict[str, Family] = {
    "aws_iam_role": Family("iam.role", role),
    "aws_iam_user": Family("iam.user", user),
    "aws_iam_group": Family("iam.group", group),
    "aws_iam_policy": Family("iam.managed_policy", managed_policy),
    "aws_iam_role_policy": _inline_policy("role"),
    "aws_iam_user_policy": _inline_policy("user"),
    "aws_iam_group_policy": _inline_policy("group"),
    "aws_iam_role_policy_attachment": _attachment("role"),
    "aws_iam_user_policy_attachment": _attachment("user"),
    "aws_iam_group_policy_attachment": _attachment("group"),
    "aws_iam_policy_attachment": Family(
        "iam.policy_attachment", _attachment_model, policy_attachment
    ),
    "aws_ssoadmin_permission_set": Family("sso.permission_set", permission_set),
    "aws_ssoadmin_permission_set_inline_policy": Family("iam.policy", permission_set_inline_policy),
    "aws_ssoadmin_managed_policy_attachment": Family(
        "iam.policy_attachment", _attachment_model, permission_set_managed_policy
    ),
}

# Resources other resources may name literally: type -> (kind, argument holding the name).
NAMED = {
    "aws_iam_role": ("iam.role", "name"),
    "aws_iam_user": ("iam.user", "name"),
    "aws_iam_group": ("iam.group", "name"),
    "aws_iam_policy": ("iam.managed_policy", "name"),
    "aws_iam_instance_profile": ("iam.instance_profile", "name"),
}

"""CloudFormation IAM resources into the common model."""

from __future__ import annotations

from iaclint.adapt.cloudformation.context import Context, Mapper
from iaclint.adapt.iam_document import document
from iaclint.adapt.sourced import Src, each, obj


def _inline_policies(props: Src) -> Src | None:
    return each(
        props.get("Policies"),
        lambda policy: obj(
            policy,
            {"name": policy.get("PolicyName"), "document": document(policy.get("PolicyDocument"))},
        ),
    )


def _principal(props: Src, context: Context, name_property: str) -> dict[str, Src | None]:
    return {
        "name": props.get(name_property),
        "path": props.get("Path"),
        "policies": _inline_policies(props),
        "managed_policy_arns": each(
            props.get("ManagedPolicyArns"),
            lambda arn: context.link(arn, "iam.managed_policy") or arn,
        ),
    }


def role(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            **_principal(props, context, "RoleName"),
            "assume_role_policy": document(props.get("AssumeRolePolicyDocument")),
            "permissions_boundary": props.get("PermissionsBoundary"),
        },
    )


def user(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            **_principal(props, context, "UserName"),
            "groups": each(
                props.get("Groups"), lambda group: context.link(group, "iam.group") or group
            ),
            "permissions_boundary": props.get("PermissionsBoundary"),
        },
    )


def group(props: Src, context: Context) -> Src:
    return obj(props, _principal(props, context, "GroupName"))


def _attached(props: Src, context: Context, name_property: str) -> Src:
    def links(key: str, kind: str) -> Src | None:
        return each(props.get(key), lambda item: context.link(item, kind) or item)

    return obj(
        props,
        {
            "name": props.get(name_property),
            "document": document(props.get("PolicyDocument")),
            "roles": links("Roles", "iam.role"),
            "users": links("Users", "iam.user"),
            "groups": links("Groups", "iam.group"),
        },
    )


def policy(props: Src, context: Context) -> Src:
    return _attached(props, context, "PolicyName")


def managed_policy(props: Src, context: Context) -> Src:
    return _attached(props, context, "ManagedPolicyName")


def _single_owner(key: str, kind: str, field: str) -> Mapper:
    """AWS::IAM::RolePolicy and friends: one inline policy for one role, user or group."""

    def build(props: Src, context: Context) -> Src:
        owner = props.get(key)
        owners = None if owner is None else owner.with_value([context.link(owner, kind) or owner])
        return obj(
            props,
            {
                "name": props.get("PolicyName"),
                "document": document(props.get("PolicyDocument")),
                field: owners,
            },
        )

    return ("iam.policy", build)


def instance_profile(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "name": props.get("InstanceProfileName"),
            "roles": each(props.get("Roles"), lambda item: context.link(item, "iam.role") or item),
        },
    )


def permission_set(props: Src, context: Context) -> Src:
    """`AWS::SSO::PermissionSet`: judged like a role, by its inline and managed policies."""
    inline = props.get("InlinePolicy")
    return obj(
        props,
        {
            "name": props.get("Name"),
            "policies": (
                inline.with_value([obj(inline, {"document": document(inline)})])
                if inline is not None
                else None
            ),
            "managed_policy_arns": props.get("ManagedPolicies"),
        },
    )


MAPPERS: dict[str, Mapper] = {
    "AWS::IAM::Role": ("iam.role", role),
    "AWS::IAM::User": ("iam.user", user),
    "AWS::IAM::Group": ("iam.group", group),
    "AWS::IAM::Policy": ("iam.policy", policy),
    "AWS::IAM::ManagedPolicy": ("iam.managed_policy", managed_policy),
    "AWS::IAM::RolePolicy": _single_owner("RoleName", "iam.role", "roles"),
    "AWS::IAM::UserPolicy": _single_owner("UserName", "iam.user", "users"),
    "AWS::IAM::GroupPolicy": _single_owner("GroupName", "iam.group", "groups"),
    "AWS::IAM::InstanceProfile": ("iam.instance_profile", instance_profile),
    "AWS::SSO::PermissionSet": ("sso.permission_set", permission_set),
}

# Resources other resources may name literally: type -> (kind, name property).
NAMED = {
    "AWS::IAM::Role": ("iam.role", "RoleName"),
    "AWS::IAM::User": ("iam.user", "UserName"),
    "AWS::IAM::Group": ("iam.group", "GroupName"),
    "AWS::IAM::ManagedPolicy": ("iam.managed_policy", "ManagedPolicyName"),
    "AWS::IAM::InstanceProfile": ("iam.instance_profile", "InstanceProfileName"),
}

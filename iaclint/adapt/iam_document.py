"""IAM policy documents into the common shape, whatever format wrote them.

IAM's JSON is the same in every format, so this is the one place that reads it:
a CloudFormation `PolicyDocument`, a Terraform `jsonencode(...)` or heredoc, a CDK
synthesized template. A document may be an object, or text holding JSON (also
text built with `Fn::Sub`/interpolation: its unknown parts survive as unknown
parts of the strings they were in).

The common shape (see `graph/kinds.py`):

    {"version": ..., "statements": [
        {"sid", "effect": "allow" | "deny", "actions": [...], "not_actions": [...],
         "resources": [...], "not_resources": [...],
         "principals": [{"type", "value"}], "not_principals": [...], "conditions": {...},
         "denials": [...]}]}

`Action` given as one string becomes a one-item list; a single `Statement` object
becomes a one-statement list; `Principal: "*"` becomes `[{"type": "*", "value": "*"}]`.
In a document with Deny statements, each Allow statement also carries them as
`denials`: a policy judging the Allow alone could not see a Deny that fences it
(an Allow for everyone, and a Deny for every caller outside an allow-list).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from iaclint.adapt.normalize import lower
from iaclint.adapt.sourced import Src, convert, each, is_opaque, obj
from iaclint.graph.values import PartialString, Reference, Unknown
from iaclint.parse import json_text
from iaclint.parse.json_text import TOO_DEEP, TooDeep

# Private-use characters mark where unknown parts sat in JSON text.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_OPEN}([0-9]+){_CLOSE}")


def document(source: Src | None) -> Src | None:
    """A policy document (object, JSON text, or partly known JSON text) in the common shape."""
    if source is None:
        return None
    value = source.value
    if isinstance(value, str | PartialString):
        parsed = _parse_text(value)
        if isinstance(parsed, _Unreadable):
            return source.with_value(Unknown(f"the policy document {parsed.reason}"))
        source = _as_src(parsed, source.origin)
        value = source.value
    if is_opaque(value) or not isinstance(value, dict):
        return source if is_opaque(value) else source.with_value(Unknown("not a policy document"))
    return obj(
        source,
        {
            "version": source.get("Version"),
            "statements": _with_denials(each(source.get("Statement"), statement)),
        },
    )


def _with_denials(statements: Src | None) -> Src | None:
    """The statements, each Allow given the document's Deny statements as `denials`
    (unchanged when the document denies nothing)."""
    items = statements.items() if statements is not None else None
    if statements is None or not items:
        return statements
    denials = [item for item in items if _effect(item) == "deny"]
    if not denials:
        return statements
    listed = statements.with_value(denials)
    return statements.with_value(
        [
            item.with_value({**_fields(item), "denials": listed})
            if _effect(item) == "allow"
            else item
            for item in items
        ]
    )


def _effect(item: Src) -> object:
    effect = item.get("effect") if isinstance(item.value, dict) else None
    return effect.value if effect is not None else None


def json_data(source: Src | None) -> Src | None:
    """A JSON setting (an object, or text holding JSON) as located data; text that
    is not JSON is unknown. IAM's documents are read this way, and so are other
    services' JSON settings (an EMR security configuration)."""
    if source is None:
        return None
    value = source.value
    if isinstance(value, str | PartialString):
        parsed = _parse_text(value)
        if isinstance(parsed, _Unreadable):
            return source.with_value(Unknown(f"the setting {parsed.reason}"))
        return _as_src(parsed, source.origin)
    return source


def statement(source: Src) -> Src | None:
    if not isinstance(source.value, dict):
        return None
    return obj(
        source,
        {
            "sid": source.get("Sid"),
            "effect": convert(source.get("Effect"), lower),
            "actions": each(source.get("Action"), _text),
            "not_actions": each(source.get("NotAction"), _text),
            "resources": each(source.get("Resource"), _text),
            "not_resources": each(source.get("NotResource"), _text),
            "principals": principals(source.get("Principal")),
            "not_principals": principals(source.get("NotPrincipal")),
            "conditions": source.get("Condition"),
        },
    )


def principals(source: Src | None) -> Src | None:
    """`"*"` or `{AWS: ..., Service: ...}` as a list of {type, value}."""
    if source is None or is_opaque(source.value):
        return source
    value = source.value
    if isinstance(value, str):
        return source.with_value(
            [
                obj(
                    source,
                    {"type": source.with_value("*" if value == "*" else "AWS"), "value": source},
                )
            ]
        )
    if not isinstance(value, dict):
        return source.with_value(Unknown("not a principal"))
    out: list[Src] = []
    for kind, entries in value.items():
        if not isinstance(entries, Src):
            continue
        listed = each(entries, _text)
        items = listed.items() if listed is not None else None
        if items is None:
            out.append(obj(entries, {"type": entries.with_value(kind), "value": entries}))
            continue
        out.extend(obj(item, {"type": item.with_value(kind), "value": item}) for item in items)
    return source.with_value(out)


def _text(item: Src) -> Src:
    return item


class _Unreadable(NamedTuple):
    """Text that could not be read as JSON, and why (completing "the document ...")."""

    reason: str


def _parse_text(value: str | PartialString) -> object:
    """JSON text into data; unknown parts of partly known text stay unknown."""
    if isinstance(value, str):
        try:
            return json_text.loads(value)
        except TooDeep:
            return _Unreadable(f"is {TOO_DEEP}")
        except ValueError:
            return _Unreadable("is not valid JSON")
    unknowns: list[Unknown | Reference] = []
    text = []
    for part in value.parts:
        if isinstance(part, str):
            text.append(part)
        else:
            text.append(f"{_OPEN}{len(unknowns)}{_CLOSE}")
            unknowns.append(part)
    try:
        data = json_text.loads("".join(text))
    except TooDeep:
        return _Unreadable(f"is {TOO_DEEP}")
    except ValueError:
        return _Unreadable("is not valid JSON")
    return _restore(data, unknowns)


def _restore(data: object, unknowns: list[Unknown | Reference]) -> object:
    if isinstance(data, dict):
        return {key: _restore(child, unknowns) for key, child in data.items()}
    if isinstance(data, list):
        return [_restore(child, unknowns) for child in data]
    if isinstance(data, str) and _OPEN in data:
        parts: list[str | Unknown | Reference] = []
        position = 0
        for match in _PLACEHOLDER.finditer(data):
            if match.start() > position:
                parts.append(data[position : match.start()])
            parts.append(unknowns[int(match.group(1))])
            position = match.end()
        if position < len(data):
            parts.append(data[position:])
        return (
            parts[0]
            if len(parts) == 1 and not isinstance(parts[0], str)
            else PartialString(tuple(parts))
        )
    return data


def _as_src(data: object, origin: tuple[str | int, ...]) -> Src:
    """Parsed JSON text as Src: every part is located at the text it came from."""
    if isinstance(data, dict):
        return Src({key: _as_src(child, origin) for key, child in data.items()}, origin)
    if isinstance(data, list):
        return Src([_as_src(child, origin) for child in data], origin)
    return Src(data, origin)


def permission(
    props: Src,
    *,
    action: Src | None,
    principal: Src | None,
    source_account: Src | None,
    source_arn: Src | None,
    organization: Src | None,
) -> Src:
    """A Lambda permission as the one-statement document Lambda adds to the function's
    policy: its source account, source ARN and organization become the conditions
    `aws:SourceAccount`, `aws:SourceArn` and `aws:PrincipalOrgID`."""
    equals = {
        key: value
        for key, value in (
            ("aws:SourceAccount", source_account),
            ("aws:PrincipalOrgID", organization),
        )
        if value is not None
    }
    conditions: dict[str, Src | None] = {
        "StringEquals": Src(equals, props.origin) if equals else None,
        "ArnLike": obj(props, {"aws:SourceArn": source_arn}) if source_arn is not None else None,
    }
    return obj(
        props,
        {
            "statements": props.with_value(
                [
                    obj(
                        props,
                        {
                            "effect": props.with_value("allow"),
                            "actions": each(action, _text),
                            "principals": _permission_principal(principal),
                            "conditions": obj(props, conditions)
                            if any(conditions.values())
                            else None,
                        },
                    )
                ]
            )
        },
    )


def _permission_principal(source: Src | None) -> Src | None:
    """Lambda's `Principal`: `*`, a service (`s3.amazonaws.com`), an account or an ARN."""
    if source is None:
        return None
    value = source.value
    if isinstance(value, str):
        text = value.strip()
        kind = "*" if text == "*" else "Service" if ".amazonaws.com" in text else "AWS"
    else:
        kind = "AWS"
    return source.with_value([obj(source, {"type": source.with_value(kind), "value": source})])


def single_statement(source: Src | None) -> Src | None:
    """A document made of one statement written on its own (an EventBridge bus
    policy's `Statement`), in the common shape."""
    data = json_data(source)
    if data is None or is_opaque(data.value) or not isinstance(data.value, dict):
        return data if data is None or is_opaque(data.value) else document(data)
    return document(Src({"Statement": data}, data.origin))


def bus_permission(
    props: Src,
    *,
    action: Src | None,
    principal: Src | None,
    condition: Src | None,
) -> Src:
    """An EventBridge permission (a bus policy given as principal, action and
    condition) as the statement EventBridge adds to the bus's policy: `principal` is
    `*` or an account; the condition (`Type`/`type`, `Key`/`key`, `Value`/`value`)
    is `{Type: {Key: Value}}`, which EventBridge accepts with `aws:PrincipalOrgID`."""
    conditions = None
    if condition is not None and isinstance(condition.value, dict):
        fields = {str(key).lower(): value for key, value in condition.value.items()}
        test, key, value = fields.get("type"), fields.get("key"), fields.get("value")
        if isinstance(test, Src) and isinstance(key, Src) and isinstance(value, Src):
            if isinstance(test.value, str) and isinstance(key.value, str):
                conditions = condition.with_value(
                    {test.value: condition.with_value({key.value: value})}
                )
            else:
                conditions = condition.with_value(Unknown("the condition is not known"))
    elif condition is not None:
        conditions = condition
    return obj(
        props,
        {
            "statements": props.with_value(
                [
                    obj(
                        props,
                        {
                            "effect": props.with_value("allow"),
                            "actions": each(action, _text)
                            or props.with_value([props.with_value("events:PutEvents")]),
                            "principals": _permission_principal(principal),
                            "conditions": conditions,
                        },
                    )
                ]
            )
        },
    )


def in_public_repository(policy: Src | None) -> Src | None:
    """An ECR Public repository's policy: each statement marked `public_repository`."""
    return _each_statement(
        policy, lambda item: {**_fields(item), "public_repository": item.with_value(True)}
    )


def within_vpc(policy: Src | None, vpc: Src | None) -> Src | None:
    """An S3 access point's policy when the access point accepts requests from one VPC
    only: each Allow statement also carries that restriction, as the `aws:SourceVpc`
    condition S3 enforces, located at the VPC setting. A VPC id known only at
    deployment is still a VPC: `vpc-*`."""
    if vpc is None:
        return policy
    known = vpc if isinstance(vpc.value, str | Reference) else vpc.with_value("vpc-*")

    def restrict(item: Src) -> dict[str, object]:
        fields = _fields(item)
        effect, conditions = item.get("effect"), item.get("conditions")
        if effect is None or effect.value != "allow":
            return fields  # a Deny applies whatever the network
        if conditions is not None and not isinstance(conditions.value, dict):
            return fields  # unknown conditions: judged as written
        tests = _fields(conditions) if conditions is not None else {}
        equals = tests.get("StringEquals")
        merged = _fields(equals) if isinstance(equals, Src) else {}
        merged["aws:SourceVpc"] = known
        tests["StringEquals"] = vpc.with_value(merged)
        return {**fields, "conditions": vpc.with_value(tests)}

    return _each_statement(policy, restrict)


def _fields(source: Src) -> dict[str, object]:
    """A known object's fields (a copy), or none."""
    return dict(source.value) if isinstance(source.value, dict) else {}


def _each_statement(policy: Src | None, change: Callable[[Src], dict[str, object]]) -> Src | None:
    """The document with each known statement rebuilt by `change`."""
    if policy is None or not isinstance(policy.value, dict):
        return policy
    statements = policy.get("statements")
    items = statements.items() if statements is not None else None
    if statements is None or items is None:
        return policy
    rebuilt = [
        item.with_value(change(item)) if isinstance(item.value, dict) else item for item in items
    ]
    return policy.with_value({**_fields(policy), "statements": statements.with_value(rebuilt)})

"""Operators on what a resource is made from and how it is labelled: image ids and tags."""

from __future__ import annotations

import re
from collections.abc import Mapping

from iaclint.engine.operators.base import Argument, Operator, Verdict, unknown
from iaclint.graph.values import SSM_PARAMETER, Input, Unknown, unknown_reason

_SSM_REFERENCE = re.compile(r"^\{\{resolve:ssm:", re.IGNORECASE)


def _image_trusted(value: object, args: Mapping[str, object]) -> Verdict:
    images = args["images"]
    assert isinstance(images, list)
    if isinstance(value, Input):
        if value.has_default:
            return _image_trusted(value.value, args)
        value = value.value
    if isinstance(value, Unknown) and value.symbol == SSM_PARAMETER:
        return Verdict(True)
    if isinstance(value, str):
        text = value.strip()
        if _SSM_REFERENCE.match(text):
            return Verdict(True)
        return Verdict(any(text.lower() == str(image).strip().lower() for image in images))
    if isinstance(value, Unknown):
        return unknown(unknown_reason(value))
    return unknown(f"the image id {unknown_reason(value)}")


def _missing_tags(value: object, args: Mapping[str, object]) -> Verdict:
    keys = args["keys"]
    assert isinstance(keys, list)
    if not isinstance(value, dict):
        return Verdict(False)
    value = value.get("tags", {})
    if isinstance(value, Unknown):
        return unknown(unknown_reason(value))
    if not isinstance(value, dict):
        return unknown("the tags are known only at deployment")
    missing = [str(key) for key in keys if key not in value]
    return Verdict(bool(missing), {"missing": ", ".join(missing)} if missing else {})


OPERATORS = (
    Operator(
        "image_trusted",
        _image_trusted,
        "The value is an AMI id read from an SSM parameter (a parameter of type "
        "`AWS::SSM::Parameter::Value<...>`, a `{{resolve:ssm:...}}` reference, Terraform "
        "`data.aws_ssm_parameter`) or one of `images`.",
        {"images": Argument("list[str]", description="AMI ids allowed as written")},
        sees_unknowns=True,
        sees_inputs=True,
    ),
    Operator(
        "missing_tags",
        _missing_tags,
        "The value is a resource whose tags lack one of `keys` (case-sensitive, as AWS "
        "compares tag keys); a resource without tags lacks them all.",
        {"keys": Argument("list[str]", description="tag keys every resource must have")},
        facts=frozenset({"missing"}),
        sees_unknowns=True,
    ),
)

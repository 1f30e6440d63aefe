"""A Terraform root module's `output` blocks into the common model.

Terraform prints a root module's outputs after every `apply` and on `terraform
output`, and keeps them in state; one not declared `sensitive = true` is shown in
clear in CI logs. Each output joins the graph as `output.<name>`, with the
secret its value shows, named (`shown_secret`): a resource's secret attribute
(`aws_iam_access_key.ci.secret`), a variable marked `sensitive`, or a
password-named variable with a literal default; one written into text
(`"admin:${var.admin_password}"`) is found in the value's syntax (`build.py`).
"""

from __future__ import annotations

import re

from iaclint.adapt.normalize import to_bool
from iaclint.adapt.secrets import shown_secret
from iaclint.adapt.sourced import Src, convert, obj
from iaclint.adapt.terraform.family import Context, Family

# `aws_iam_access_key.ci`, `module.a[0].aws_iam_access_key.ci["x"]` -> its type.
_TYPE = re.compile(r"(?:^|\.)([a-z][a-z0-9_]*)\.[A-Za-z_][A-Za-z0-9_-]*(?:\[[^\]]*\])?$")


def _type_of(address: str) -> str | None:
    match = _TYPE.search(address)
    return match.group(1) if match else None


def output(props: Src, context: Context) -> Src:
    value = props.get("value")
    secret = shown_secret(value.value, _type_of) if value is not None else None
    return obj(
        props,
        {
            "value": value,
            "hidden": convert(props.get("sensitive"), to_bool),
            "secret": value.with_value(secret) if value is not None and secret else None,
        },
    )


# Output blocks are read as instances of the pseudo type `output` (module.py).
FAMILIES = {"output": Family("output", output)}

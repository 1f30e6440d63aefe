"""Terraform data services into the common model: the account's EBS default
encryption and the services whose data is encrypted at rest by a setting (or a
KMS key) of their own."""

from __future__ import annotations

from iaclint.adapt.normalize import to_bool
from iaclint.adapt.sourced import Src, convert, obj
from iaclint.adapt.terraform.family import Context, Family


def ebs_encryption_default(props: Src, context: Context) -> Src:
    # `enabled` defaults to true: the resource exists to turn the default on.
    return obj(props, {"enabled": convert(props.get("enabled"), to_bool)})


FAMILIES: dict[str, Family] = {
    "aws_ebs_encryption_by_default": Family("ec2.ebs_encryption_default", ebs_encryption_default),
}

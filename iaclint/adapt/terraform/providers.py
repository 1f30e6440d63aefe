"""Terraform `provider "aws"` blocks into the common model.

A provider configuration is not a resource, but it is where Terraform users
write AWS credentials (`access_key`, `secret_key`, `token`), so each block, an
aliased one or one in a module, joins the graph under its own address
(`provider.aws`, `provider.aws.west`, `module.net.provider.aws`). Its
`sensitive` settings are found like any resource's (`adapt/secrets.py`), and
the secrets policies judge them: a literal, or a variable's default or
variables-file value, is written in the files; a variable given no value is not.
A credential from a variable's default points at the default (`build.py`): the
provider block stays as it is, the default is what must go.
"""

from __future__ import annotations

from iaclint.adapt.sourced import Src, obj
from iaclint.adapt.terraform.family import Context, Family


def provider(props: Src, context: Context) -> Src:
    return obj(props, {"alias": props.get("alias"), "region": props.get("region")})


# Provider blocks are read as instances of the pseudo type `provider` (module.py).
FAMILIES = {"provider": Family("terraform.provider", provider)}

"""A resource's tags, the same for every format: a mapping of keys to values.

CloudFormation writes tags as a list of `{Key, Value}` (most resources) or as a
mapping (a few); Terraform as a `tags` map, and a plan adds `tags_all`, which
includes the provider's default tags. Tags a provider adds that the files do not
show (Terraform `default_tags` read from HCL) make the tags unknown, never missing.
"""

from __future__ import annotations

from iaclint.adapt.sourced import Src, is_opaque
from iaclint.graph.values import Unknown

DEFAULT_TAGS = "the aws provider's default_tags add tags when the plan is made"


def template_tags(properties: Src) -> Src | None:
    """CloudFormation `Tags`, as a mapping (None when the resource has none)."""
    written = properties.get("Tags")
    if written is None:
        return None
    if isinstance(written.value, dict) or is_opaque(written.value):
        return written
    out: dict[str, Src] = {}
    for item in written.items() or []:
        key = item.get("Key")
        value = item.get("Value")
        if key is None:
            continue
        if not isinstance(key.value, str):
            return written.with_value(Unknown("a tag key known only at deployment"))
        out[key.value] = value if value is not None else key
    return written.with_value(out)


def terraform_tags(arguments: Src, default_tags: bool) -> Src | None:
    """Terraform `tags_all` (plans) or `tags`, unknown under provider default tags."""
    written = arguments.get("tags_all") or arguments.get("tags")
    if (
        written is not None
        and isinstance(written.value, dict)
        and "tags_all" in (arguments.value if isinstance(arguments.value, dict) else {})
    ):
        return written
    if default_tags:
        return (written or arguments).with_value(Unknown(DEFAULT_TAGS))
    if written is None or written.value is None:
        return None
    return written

"""What a Terraform family adapter is, and what it may ask about the rest of the unit.

A family maps one Terraform resource type to a kind of the common model
(`build`), like the CloudFormation families do. A separate resource that adds to
another resource's properties (an attachment, a configuration resource such as
`aws_s3_bucket_versioning`) declares a `contribute` function: it returns
`Contribution`s, each naming the resource that receives the value, the
property, and the value itself, still located in the contributing resource, so
a finding about it points at the line to change there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from iaclint.adapt.sourced import Src, is_opaque
from iaclint.adapt.terraform.values import look_through
from iaclint.graph.values import Reference


class Context:
    def __init__(
        self, names: Mapping[tuple[str, str], str], ebs_default_encryption: Src | None = None
    ):
        # (kind, literal name) -> address, for resources referred to by name.
        self._names = names
        # `aws_ebs_encryption_by_default` when the unit turns it on (true), or sets
        # it to a value not known (unknown): every new EBS volume is then encrypted
        # whatever the volume says when it says nothing.
        self.ebs_default_encryption = ebs_default_encryption

    def address_named(self, kind: str, name: str) -> str | None:
        return self._names.get((kind, name))

    def reference(self, address: str) -> Reference:
        return Reference(address)

    def link(self, source: Src | None, kind: str) -> Src | None:
        """A literal name of a resource of `kind` in this unit becomes a reference to it."""
        if source is None:
            return None
        value = look_through(source.value)
        if isinstance(value, str):
            address = self.address_named(kind, value)
            if address is not None:
                return source.with_value(Reference(address))
        return source


class Contribution(NamedTuple):
    # The receiving resource: a reference to it, or its literal name (see `names`).
    target: Src
    # Kinds the receiving resource may have.
    kinds: tuple[str, ...]
    # The top-level property of the receiving resource's model.
    property: str
    value: Src
    # "append": add to the list property; "set": set it unless the resource sets it itself.
    mode: str = "append"
    # The contributing resource's own list property that keeps the value when the
    # receiver is not in the files (a role named by a literal): judged where written.
    unclaimed: str | None = None


Build = Callable[[Src, Context], Src]
Contribute = Callable[[Src, Context], list[Contribution]]


class Family(NamedTuple):
    kind: str
    build: Build | None = None
    contribute: Contribute | None = None


# Resources other resources may name literally: type -> (kind, argument holding the name).
Named = Mapping[str, tuple[str, str]]


def first(*candidates: Src | None) -> Src | None:
    for candidate in candidates:
        if candidate is not None:
            return candidate
    return None


def first_block(source: Src | None) -> Src | None:
    """The single nested block of a kind (`metadata_options { ... }`), or None.

    An unknown list (a dynamic block over an unknown collection) is returned as
    it is, so the property reads as unknown rather than as missing.
    """
    if source is None:
        return None
    items = source.items()
    if items is None:
        return source if is_opaque(source.value) else None
    return items[0] if items else None


def joined(*sources: Src | None, origin: Src) -> Src | None:
    """Several list arguments as one list; an unknown list adds one unknown item."""
    if all(source is None for source in sources):
        return None
    out: list[Src] = []
    for source in sources:
        if source is None:
            continue
        items = source.items()
        if items is None:
            out.append(source)
        else:
            out.extend(items)
    return Src(out, origin.origin)

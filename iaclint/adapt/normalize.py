"""Conversions every adapter applies the same way, whatever the format.

Templates write numbers and booleans as text as often as not (`"22"`, `"True"`);
the common model holds them as numbers and booleans. A value that cannot be
converted is kept as written, and operators treat it as not known.
"""

from __future__ import annotations

from iaclint.adapt.sourced import Src, convert, is_opaque
from iaclint.graph.values import Input, Unknown

_PROTOCOLS = {
    "-1": "all",
    "all": "all",
    "6": "tcp",
    "tcp": "tcp",
    "17": "udp",
    "udp": "udp",
    "1": "icmp",
    "icmp": "icmp",
    "58": "icmpv6",
    "icmpv6": "icmpv6",
}


def lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def to_int(value: object) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return value
    return value


def to_bool(value: object) -> object:
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "true":
            return True
        if text == "false":
            return False
    return value


def network_protocol(value: object) -> object:
    """'tcp', 'udp', 'icmp', 'icmpv6', 'all', or the protocol number as text."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return _PROTOCOLS.get(text, text)


def port(source: Src | None) -> Src | None:
    """A port number; -1 (every port) is dropped, as an absent port means every port."""
    if source is None:
        return None
    written = source.value
    if isinstance(written, Input) and written.has_default:
        written = written.value  # judged by its default, still reported as the input
    elif is_opaque(written):
        return source
    value = to_int(written)
    if value == -1:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        return source.with_value(Unknown(f"'{written}' is not a port number"))
    if isinstance(source.value, Input):
        return source.with_value(source.value.replace(value=value))
    return source.with_value(value)


FROM_AMI = (
    "the root volume takes the encryption of the AMI's snapshot, unless the account "
    "encrypts new EBS volumes by default"
)


def with_root(devices: Src | None, header: Src, default: Src | None = None) -> Src | None:
    """The block devices, with the root volume the AMI gives when no mapping names it.

    Every instance has a root volume. When no mapping changes it, its encryption is
    the AMI's snapshot's, or the account's EBS encryption by default: both outside
    the files, so it is unknown, placed on the resource's header. `default` is the
    account's EBS encryption by default, when the files set it.
    """
    items = devices.items() if devices is not None else []
    if items is None:
        return devices  # an unknown list: the root volume may be in it
    for item in items:
        mapping = item.value
        if not isinstance(mapping, dict):
            return devices  # an unknown mapping may be the root one
        name = mapping.get("device_name")
        if mapping.get("root") is not None or (
            isinstance(name, Src) and not isinstance(name.value, str)
        ):
            return devices
    root = Src(
        {
            "root": header.with_value(True),
            "encrypted": header.with_value(default.value if default else Unknown(FROM_AMI)),
        },
        header.origin,
    )
    return Src([*items, root], devices.origin if devices is not None else header.origin)


def inherited(written: Src | None, sources: list[Src | None], reason: str) -> Src | None:
    """An encryption flag: as written (a boolean), else unknown when it is inherited.

    A volume made from a snapshot, a database restored from a snapshot or
    replicating another one, takes its encryption from that source when it does
    not say; the source is not in the files, so the answer is unknown, not false.
    """
    if written is not None:
        return convert(written, to_bool)
    for source in sources:
        if source is not None:
            return source.with_value(Unknown(reason))
    return None


def restored(written: Src | None, sources: list[Src | None], reason: str) -> Src | None:
    """An encryption flag of a resource that may be restored or replicated: as
    written, except that with a source only `true` is taken at its word.

    A restored cluster takes its source's encryption whatever the flag says
    (CloudFormation asks not to set it then), and a Terraform plan shows the
    provider's default, `false`, for a flag nobody wrote: neither is evidence
    that the data is stored unencrypted.
    """
    has_source = any(source is not None for source in sources)
    if written is not None and has_source:
        value = written.value
        if isinstance(value, Input) and value.has_default:
            value = value.value
        if to_bool(value) is not True:
            written = None
    return inherited(written, sources, reason)


_GLOBAL_MEMBER = "a member of a global datastore has the datastore's encryption settings"


def replication_group_encryption(
    engine: Src | None, member: Src | None, at_rest: Src | None, transit: Src | None
) -> tuple[Src | None, Src | None]:
    """An ElastiCache replication group's encryption at rest and in transit, as
    written, read the same from every format: a member of a global datastore has
    the datastore's, and Valkey encrypts at rest unless told otherwise."""
    at_rest = restored(at_rest, [member], _GLOBAL_MEMBER)
    if at_rest is None and engine is not None and engine.value == "valkey":
        at_rest = engine.with_value(True)
    return at_rest, restored(transit, [member], _GLOBAL_MEMBER)


def canned_acl(value: object) -> object:
    """A canned ACL in Terraform's spelling (`PublicRead` -> `public-read`)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if "-" in text or text.islower():
        return text.lower()
    out = []
    for index, char in enumerate(text):
        if char.isupper() and index:
            out.append("-")
        out.append(char.lower())
    return "".join(out)

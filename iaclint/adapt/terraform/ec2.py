"""Terraform EC2 network and compute resources into the common model.

Security group rules and network ACL entries of every spelling become the same
network rule shape as CloudFormation's, so IAC001/IAC002 serve both unchanged.
Separate rule resources (`aws_security_group_rule`,
`aws_vpc_security_group_ingress_rule`, `aws_network_acl_rule`) stay nodes of
their own, as CloudFormation's do, joined to their group or ACL by a reference
(`group`, `network_acl`), so findings point into the rule resource.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from iaclint.adapt.normalize import (
    FROM_AMI,
    inherited,
    lower,
    network_protocol,
    port,
    to_bool,
    to_int,
    with_root,
)
from iaclint.adapt.sourced import Src, convert, each, is_opaque, obj
from iaclint.adapt.terraform.family import (
    Context,
    Contribution,
    Family,
    first,
    first_block,
    joined,
)


def _rule(
    rule: Src,
    direction: Src,
    action: Src,
    protocol: Src | None,
    ports: tuple[Src | None, Src | None],
    icmp: tuple[Src | None, Src | None],
    cidrs: Src,
    extra: dict[str, Src | None],
) -> Src:
    """A network rule in the common shape."""
    is_icmp = protocol is not None and protocol.value in ("icmp", "icmpv6")
    low, high = ports
    icmp_type, icmp_code = icmp
    if is_icmp and icmp_type is None and icmp_code is None:
        # Security group rules write the ICMP type and code in the port fields.
        icmp_type, icmp_code, low, high = low, high, None, None
    is_all = protocol is not None and protocol.value == "all"
    return obj(
        rule,
        {
            "direction": direction,
            "action": action,
            "protocol": protocol,
            "from_port": None if is_icmp or is_all else port(low),
            "to_port": None if is_icmp or is_all else port(high),
            "icmp_type": convert(icmp_type, to_int),
            "icmp_code": convert(icmp_code, to_int),
            "cidrs": cidrs,
            **extra,
        },
    )


def _group_rule(rule: Src, direction: Src, own: dict[str, Src | None]) -> Src:
    """An `ingress`/`egress` block, or an `aws_security_group_rule` (same arguments)."""
    groups = rule.get("security_groups")
    group_items = groups.items() if groups is not None else None
    source_group = first(
        rule.get("source_security_group_id"),
        (group_items[0] if group_items else None) if group_items is not None else groups,
    )
    if source_group is None and _is_true(rule.get("self")):
        source_group = rule.get("self")
    prefix_lists = rule.get("prefix_list_ids")
    prefix_items = prefix_lists.items() if prefix_lists is not None else None
    return _rule(
        rule,
        direction,
        Src("allow", rule.origin),
        convert(rule.get("protocol"), network_protocol),
        (rule.get("from_port"), rule.get("to_port")),
        (None, None),
        joined(rule.get("cidr_blocks"), rule.get("ipv6_cidr_blocks"), origin=rule)
        or Src([], rule.origin),
        {
            "source_security_group": source_group,
            "prefix_list": (prefix_items[0] if prefix_items else None)
            if prefix_items is not None
            else prefix_lists,
            "description": rule.get("description"),
            **own,
        },
    )


def _is_true(source: Src | None) -> bool:
    return source is not None and to_bool(source.value) is True


def _direction(value: str, origin: Src) -> Src:
    return Src(value, origin.origin)


def security_group(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "name": first(props.get("name"), props.get("name_prefix")),
            "description": props.get("description"),
            "vpc": props.get("vpc_id"),
            "ingress": each(
                props.get("ingress"),
                lambda rule: _group_rule(rule, _direction("ingress", rule), {}),
            ),
            "egress": each(
                props.get("egress"), lambda rule: _group_rule(rule, _direction("egress", rule), {})
            ),
        },
    )


def security_group_rule(props: Src, context: Context) -> Src:
    kind = props.get("type")
    direction = convert(kind, lower) or Src("ingress", props.origin)
    return _group_rule(props, direction, {"group": props.get("security_group_id")})


def _vpc_rule(props: Src, direction: str) -> Src:
    cidrs = [c for c in (props.get("cidr_ipv4"), props.get("cidr_ipv6")) if c is not None]
    return _rule(
        props,
        Src(direction, props.origin),
        Src("allow", props.origin),
        convert(props.get("ip_protocol"), network_protocol),
        (props.get("from_port"), props.get("to_port")),
        (None, None),
        Src(cidrs, props.origin),
        {
            "source_security_group": props.get("referenced_security_group_id"),
            "prefix_list": props.get("prefix_list_id"),
            "description": props.get("description"),
            "group": props.get("security_group_id"),
        },
    )


def vpc_ingress_rule(props: Src, context: Context) -> Src:
    return _vpc_rule(props, "ingress")


def vpc_egress_rule(props: Src, context: Context) -> Src:
    return _vpc_rule(props, "egress")


def _acl_entry(entry: Src, direction: Src, action: Src | None, own: dict[str, Src | None]) -> Src:
    cidrs = [c for c in (entry.get("cidr_block"), entry.get("ipv6_cidr_block")) if c is not None]
    return _rule(
        entry,
        direction,
        convert(action, lower) or Src("allow", entry.origin),
        convert(entry.get("protocol"), network_protocol),
        (entry.get("from_port"), entry.get("to_port")),
        (entry.get("icmp_type"), entry.get("icmp_code")),
        Src(cidrs, entry.origin),
        own,
    )


def network_acl(props: Src, context: Context) -> Src:
    def entry(direction: str) -> Callable[[Src], Src]:
        return lambda rule: _acl_entry(
            rule,
            Src(direction, rule.origin),
            rule.get("action"),
            {"rule_number": convert(rule.get("rule_no"), to_int)},
        )

    return obj(
        props,
        {
            "vpc": first(props.get("vpc_id"), props.get("default_network_acl_id")),
            "default": Src(True, props.origin)
            if props.get("default_network_acl_id") is not None
            else None,
            "subnets": props.get("subnet_ids"),
            "ingress": each(props.get("ingress"), entry("ingress")),
            "egress": each(props.get("egress"), entry("egress")),
        },
    )


def network_acl_association(props: Src, context: Context) -> Src:
    return obj(
        props, {"network_acl": props.get("network_acl_id"), "subnet": props.get("subnet_id")}
    )


def network_acl_rule(props: Src, context: Context) -> Src:
    egress = props.get("egress")
    if egress is None:
        direction = Src("ingress", props.origin)
    elif is_opaque(egress.value):
        direction = egress
    else:
        direction = egress.with_value("egress" if to_bool(egress.value) is True else "ingress")
    return _acl_entry(
        props,
        direction,
        props.get("rule_action"),
        {
            "network_acl": props.get("network_acl_id"),
            "rule_number": convert(props.get("rule_number"), to_int),
        },
    )


def metadata_options(block: Src | None) -> Src | None:
    options = first_block(block)
    if options is None or is_opaque(options.value):
        return options
    return obj(
        options,
        {
            "http_tokens": convert(options.get("http_tokens"), lower),
            "http_endpoint": convert(options.get("http_endpoint"), lower),
            "http_put_response_hop_limit": convert(
                options.get("http_put_response_hop_limit"), to_int
            ),
        },
    )


def _decoded(source: Src | None) -> Src | None:
    """Base64 user data as the text it encodes (left as written if it is not Base64)."""

    def decode(value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            return base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return value

    return convert(source, decode)


_FROM_SNAPSHOT = "the volume takes the encryption of its snapshot"


def _encrypted(
    written: Src | None, sources: list[Src | None], reason: str, anchor: Src, default: Src | None
) -> Src | None:
    """A volume's encryption: as written, else the account's default when the files
    set it (it encrypts every new volume), else inherited from a snapshot or AMI."""
    if written is None and default is not None:
        return anchor.with_value(default.value)
    return inherited(written, sources, reason)


def _snapshot(block: Src) -> Src | None:
    """The snapshot a volume is made from; a plan writes "" for none."""
    snapshot = block.get("snapshot_id")
    return None if snapshot is None or snapshot.value == "" else snapshot


def _volume(block: Src, root: bool, default: Src | None) -> Src:
    """A `root_block_device`/`ebs_block_device` block (instances, launch configurations,
    AMIs); `default` is the account's EBS encryption by default, when it applies."""
    snapshot = _snapshot(block)
    no_device = block.get("no_device")
    return obj(
        block,
        {
            "device_name": block.get("device_name"),
            "root": Src(True, block.origin) if root else None,
            "ephemeral": Src(True, block.origin) if _is_true(no_device) else None,
            "encrypted": _encrypted(
                block.get("encrypted"),
                [snapshot, block if root else None],
                _FROM_SNAPSHOT if snapshot is not None else FROM_AMI,
                block,
                default,
            ),
            "kms_key": block.get("kms_key_id"),
            "snapshot_id": snapshot,
        },
    )


def _ephemeral(block: Src) -> Src:
    return obj(
        block,
        {"device_name": block.get("device_name"), "ephemeral": Src(True, block.origin)},
    )


def _block_devices(props: Src, context: Context) -> Src | None:
    """Instance and launch configuration disks, root first, as one list."""
    default = context.ebs_default_encryption
    parts = [
        each(props.get("root_block_device"), lambda block: _volume(block, True, default)),
        each(props.get("ebs_block_device"), lambda block: _volume(block, False, default)),
        each(props.get("ephemeral_block_device"), _ephemeral),
    ]
    return joined(*parts, origin=props)


def _template_block_device(mapping: Src, context: Context) -> Src:
    """A launch template's `block_device_mappings` block."""
    ebs = first_block(mapping.get("ebs"))
    if ebs is None:
        ephemeral = mapping.get("virtual_name") is not None or mapping.get("no_device")
        return obj(
            mapping,
            {
                "device_name": mapping.get("device_name"),
                "ephemeral": Src(True, mapping.origin) if ephemeral else None,
            },
        )
    snapshot = ebs.get("snapshot_id")
    name = mapping.get("device_name")
    root = name is not None and name.value in ("/dev/xvda", "/dev/sda1", "/dev/sda")
    return obj(
        ebs if isinstance(ebs.value, dict) else mapping,
        {
            "device_name": name,
            "root": Src(True, mapping.origin) if root else None,
            "encrypted": _encrypted(
                ebs.get("encrypted"),
                [snapshot, name if root else None],
                _FROM_SNAPSHOT if snapshot is not None else FROM_AMI,
                ebs,
                context.ebs_default_encryption,
            ),
            "kms_key": ebs.get("kms_key_id"),
            "snapshot_id": snapshot,
        },
    )


def _public_ip(props: Src) -> Src | None:
    written = props.get("associate_public_ip_address")
    if written is not None:
        return convert(written, to_bool)
    interfaces = props.get("network_interfaces")
    for interface in (interfaces.items() or []) if interfaces is not None else []:
        value = interface.get("associate_public_ip_address")
        if value is not None:
            return convert(value, to_bool)
    return None


def _subnets(props: Src, *interface_blocks: str) -> Src | None:
    """`subnet_id` of the resource and of its network interface blocks, in one list."""
    found: list[Src] = []
    own = props.get("subnet_id")
    if own is not None:
        found.append(own)
    for block in interface_blocks:
        interfaces = props.get(block)
        if interfaces is not None and is_opaque(interfaces.value):
            found.append(interfaces)
        for interface in (interfaces.items() or []) if interfaces is not None else []:
            value = interface.get("subnet_id")
            if value is not None:
                found.append(value)
    return Src(found, props.origin) if found else None


def _instance_config(
    props: Src, profile: Src | None, groups: Src | None, user_data: Src | None, context: Context
) -> dict[str, Src | None]:
    return {
        "subnets": _subnets(props, "network_interfaces"),
        "metadata_options": metadata_options(props.get("metadata_options")),
        "block_devices": _block_devices(props, context),
        "associate_public_ip": _public_ip(props),
        "iam_instance_profile": profile,
        "image_id": first(props.get("ami"), props.get("image_id")),
        "user_data": user_data,
        "security_groups": each(groups, lambda group: group),
    }


def instance(props: Src, context: Context) -> Src:
    template = first_block(props.get("launch_template"))
    reference = None
    if template is not None:
        reference = context.link(
            first(template.get("id"), template.get("name")), "ec2.launch_template"
        )
    groups = joined(props.get("vpc_security_group_ids"), props.get("security_groups"), origin=props)
    config = _instance_config(
        props,
        context.link(props.get("iam_instance_profile"), "iam.instance_profile"),
        groups,
        first(props.get("user_data"), _decoded(props.get("user_data_base64"))),
        context,
    )
    if template is None:
        # With a launch template, the template's mappings (judged there) apply.
        config["block_devices"] = with_root(
            config["block_devices"], props, context.ebs_default_encryption
        )
    interfaces = props.get("network_interface")
    named = [
        found
        for block in ((interfaces.items() or []) if interfaces is not None else [])
        if (found := block.get("network_interface_id")) is not None
    ]
    return obj(
        props,
        {
            **config,
            "launch_template": reference,
            "network_interfaces": Src(named, interfaces.origin)
            if named and interfaces is not None
            else None,
        },
    )


def network_interface(props: Src, context: Context) -> Src:
    attachment = first_block(props.get("attachment"))
    return obj(
        props,
        {
            "subnet": props.get("subnet_id"),
            "security_groups": props.get("security_groups"),
            "instance": attachment.get("instance")
            if attachment is not None and not is_opaque(attachment.value)
            else attachment,
        },
    )


def network_interface_attachment(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "instance": props.get("instance_id"),
            "network_interface": props.get("network_interface_id"),
        },
    )


def gateway_attachment(props: Src, context: Context) -> Src:
    return obj(props, {"gateway": props.get("internet_gateway_id"), "vpc": props.get("vpc_id")})


def launch_template(props: Src, context: Context) -> Src:
    profile_block = first_block(props.get("iam_instance_profile"))
    profile = None
    if profile_block is not None:
        profile = (
            profile_block
            if is_opaque(profile_block.value)
            else first(
                profile_block.get("arn"),
                context.link(profile_block.get("name"), "iam.instance_profile"),
            )
        )
    interfaces = props.get("network_interfaces")
    groups = joined(
        props.get("vpc_security_group_ids"),
        props.get("security_group_names"),
        # The groups of its network interfaces (where a public address is asked for).
        *(block.get("security_groups") for block in (interfaces.items() or []))
        if interfaces is not None
        else (),
        origin=props,
    )
    devices = each(
        props.get("block_device_mappings"), lambda item: _template_block_device(item, context)
    )
    return obj(
        props,
        {
            "name": first(props.get("name"), props.get("name_prefix")),
            **_instance_config(props, profile, groups, _decoded(props.get("user_data")), context),
            "block_devices": with_root(devices, props, context.ebs_default_encryption),
        },
    )


def launch_configuration(props: Src, context: Context) -> Src:
    groups = joined(props.get("security_groups"), origin=props)
    config = _instance_config(
        props,
        context.link(props.get("iam_instance_profile"), "iam.instance_profile"),
        groups,
        first(props.get("user_data"), _decoded(props.get("user_data_base64"))),
        context,
    )
    config["block_devices"] = with_root(
        config["block_devices"], props, context.ebs_default_encryption
    )
    return obj(props, config)


def instance_profile(props: Src, context: Context) -> Src:
    role = props.get("role")
    return obj(
        props,
        {
            "name": first(props.get("name"), props.get("name_prefix")),
            "roles": Src([context.link(role, "iam.role") or role], role.origin)
            if role is not None
            else None,
        },
    )


def interface_security_group(props: Src, context: Context) -> list[Contribution]:
    """`aws_network_interface_sg_attachment`: a security group added to an instance.

    The attachment names the instance's primary network interface
    (`aws_instance.web.primary_network_interface_id`); the group joins that
    instance's `security_groups`, located in the attachment.
    """
    interface = props.get("network_interface_id")
    group = props.get("security_group_id")
    if interface is None or group is None:
        return []
    return [Contribution(interface, ("ec2.instance",), "security_groups", group)]


def node_group(props: Src, context: Context) -> Src:
    template = first_block(props.get("launch_template"))
    reference = None
    if template is not None:
        reference = context.link(
            first(template.get("id"), template.get("name")), "ec2.launch_template"
        )
    return obj(props, {"launch_template": reference})


def subnet(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "map_public_ip_on_launch": convert(props.get("map_public_ip_on_launch"), to_bool),
            "vpc": props.get("vpc_id"),
            "cidr": props.get("cidr_block"),
        },
    )


def internet_gateway(props: Src, context: Context) -> Src:
    return obj(props, {"vpc": props.get("vpc_id")})


# Route targets other than a gateway, by the argument that names them.
_ROUTE_TARGETS = (
    ("nat_gateway_id", "nat"),
    ("instance_id", "instance"),
    ("network_interface_id", "network_interface"),
    ("vpc_peering_connection_id", "peering"),
    ("transit_gateway_id", "transit_gateway"),
    ("vpc_endpoint_id", "endpoint"),
    ("egress_only_gateway_id", "egress_only"),
    ("carrier_gateway_id", "carrier"),
    ("local_gateway_id", "local_gateway"),
    ("core_network_arn", "core_network"),
)


def _route(route: Src, cidr: str, ipv6_cidr: str, own: dict[str, Src | None]) -> Src:
    target = None
    for name, label in _ROUTE_TARGETS:
        written = route.get(name)
        if written is not None and written.value is not None and written.value != "":
            target = written.with_value(label)
            break
    gateway = route.get("gateway_id")
    if gateway is not None and gateway.value == "":
        gateway = None  # a plan writes every argument of an inline route, unset ones empty
    destination = None
    for name in (cidr, ipv6_cidr):
        written = route.get(name)
        if written is not None and written.value not in (None, ""):
            destination = written
            break
    return obj(route, {"destination": destination, "gateway": gateway, "target": target, **own})


def route(props: Src, context: Context) -> Src:
    return _route(
        props,
        "destination_cidr_block",
        "destination_ipv6_cidr_block",
        {"route_table": props.get("route_table_id")},
    )


def route_table(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "vpc": props.get("vpc_id"),
            "routes": each(
                props.get("route"), lambda item: _route(item, "cidr_block", "ipv6_cidr_block", {})
            ),
        },
    )


def default_route_table(props: Src, context: Context) -> Src:
    """The VPC's main route table: `default_route_table_id` names it through its VPC."""
    return obj(
        props,
        {
            "vpc": props.get("default_route_table_id"),
            "main": Src(True, props.origin),
            "routes": each(
                props.get("route"), lambda item: _route(item, "cidr_block", "ipv6_cidr_block", {})
            ),
        },
    )


def route_table_association(props: Src, context: Context) -> Src:
    return obj(
        props,
        {"route_table": props.get("route_table_id"), "subnet": props.get("subnet_id")},
    )


def main_route_table_association(props: Src, context: Context) -> Src:
    return obj(props, {"route_table": props.get("route_table_id"), "vpc": props.get("vpc_id")})


def elastic_ip(props: Src, context: Context) -> Src:
    """`aws_eip` (`instance`, `network_interface`) and `aws_eip_association`."""
    return obj(
        props,
        {
            "instance": first(props.get("instance"), props.get("instance_id")),
            "network_interface": first(
                props.get("network_interface"), props.get("network_interface_id")
            ),
        },
    )


def auto_scaling_group(props: Src, context: Context) -> Src:
    template = first_block(props.get("launch_template"))
    if template is None:
        mixed = first_block(props.get("mixed_instances_policy"))
        specification = first_block(mixed.get("launch_template")) if mixed is not None else None
        template = (
            first_block(specification.get("launch_template_specification"))
            if specification is not None
            else None
        )
    reference = None
    if template is not None:
        reference = context.link(
            first(
                template.get("id"),
                template.get("launch_template_id"),
                template.get("name"),
                template.get("launch_template_name"),
            ),
            "ec2.launch_template",
        )
    return obj(
        props,
        {
            "launch_template": reference,
            "launch_configuration": props.get("launch_configuration"),
            "subnets": props.get("vpc_zone_identifier"),
            "target_groups": props.get("target_group_arns"),
            "load_balancers": props.get("load_balancers"),
        },
    )


def target_group_attachment(props: Src, context: Context) -> Src:
    """`aws_lb_target_group_attachment`, `aws_autoscaling_attachment`, `aws_elb_attachment`."""
    return obj(
        props,
        {
            "target_group": first(
                props.get("target_group_arn"),
                props.get("lb_target_group_arn"),
                props.get("alb_target_group_arn"),
                props.get("elb"),
            ),
            "target": first(
                props.get("target_id"),
                props.get("autoscaling_group_name"),
                props.get("instance"),
            ),
            "port": convert(props.get("port"), to_int),
        },
    )


def volume(props: Src, context: Context) -> Src:
    snapshot = props.get("snapshot_id")
    return obj(
        props,
        {
            "encrypted": _encrypted(
                props.get("encrypted"),
                [snapshot],
                _FROM_SNAPSHOT,
                props,
                context.ebs_default_encryption,
            ),
            "kms_key": props.get("kms_key_id"),
            "snapshot_id": snapshot,
        },
    )


def ami_copy(props: Src, context: Context) -> Src:
    """`aws_ami_copy`: `encrypted` is the knob that encrypts the copy's snapshots."""
    return obj(
        props,
        {
            "encrypted": convert(props.get("encrypted"), to_bool),
            "kms_key": props.get("kms_key_id"),
        },
    )


def ami(props: Src, context: Context) -> Src:
    """`aws_ami`: an AMI registered from snapshots, encrypted device by device.

    A device made from a snapshot has the snapshot's encryption (EC2 refuses
    `encrypted` beside `snapshot_id`), which is not in the files: unknown, whatever
    the account's default (it encrypts volumes made from the AMI, not the AMI's own
    snapshot). A device without a snapshot is a new empty volume at each launch,
    encrypted only if it says so or the account's default encrypts it.
    """

    def device(block: Src) -> Src:
        has_snapshot = _snapshot(block) is not None
        return _volume(block, False, None if has_snapshot else context.ebs_default_encryption)

    devices = joined(
        each(props.get("ebs_block_device"), device),
        each(props.get("ephemeral_block_device"), _ephemeral),
        origin=props,
    )
    return obj(props, {"block_devices": devices or Src([], props.origin)})


def ami_launch_permission(props: Src, context: Context) -> Src:
    group = props.get("group")
    account = props.get("account_id")
    return obj(
        props,
        {
            "image": props.get("image_id"),
            "groups": Src([group], group.origin) if group is not None else None,
            "accounts": Src([account], account.origin) if account is not None else None,
        },
    )


FAMILIES: dict[str, Family] = {
    "aws_security_group": Family("ec2.security_group", security_group),
    "aws_default_security_group": Family("ec2.security_group", security_group),
    "aws_security_group_rule": Family("ec2.security_group_rule", security_group_rule),
    "aws_vpc_security_group_ingress_rule": Family("ec2.security_group_rule", vpc_ingress_rule),
    "aws_vpc_security_group_egress_rule": Family("ec2.security_group_rule", vpc_egress_rule),
    "aws_network_acl": Family("ec2.network_acl", network_acl),
    "aws_default_network_acl": Family("ec2.network_acl", network_acl),
    "aws_network_acl_rule": Family("ec2.network_acl_rule", network_acl_rule),
    "aws_network_acl_association": Family("ec2.network_acl_association", network_acl_association),
    "aws_network_interface": Family("ec2.network_interface", network_interface),
    "aws_network_interface_attachment": Family(
        "ec2.network_interface_attachment", network_interface_attachment
    ),
    "aws_internet_gateway_attachment": Family("ec2.gateway_attachment", gateway_attachment),
    "aws_instance": Family("ec2.instance", instance),
    "aws_launch_template": Family("ec2.launch_template", launch_template),
    "aws_launch_configuration": Family("autoscaling.launch_configuration", launch_configuration),
    "aws_iam_instance_profile": Family("iam.instance_profile", instance_profile),
    "aws_subnet": Family("ec2.subnet", subnet),
    "aws_internet_gateway": Family("ec2.internet_gateway", internet_gateway),
    "aws_route_table": Family("ec2.route_table", route_table),
    "aws_default_route_table": Family("ec2.route_table", default_route_table),
    "aws_route": Family("ec2.route", route),
    "aws_route_table_association": Family("ec2.route_table_association", route_table_association),
    "aws_main_route_table_association": Family(
        "ec2.route_table_association", main_route_table_association
    ),
    "aws_eip": Family("ec2.elastic_ip", elastic_ip),
    "aws_eip_association": Family("ec2.elastic_ip", elastic_ip),
    "aws_autoscaling_group": Family("autoscaling.group", auto_scaling_group),
    "aws_lb_target_group_attachment": Family(
        "elb.target_group_attachment", target_group_attachment
    ),
    "aws_alb_target_group_attachment": Family(
        "elb.target_group_attachment", target_group_attachment
    ),
    "aws_autoscaling_attachment": Family("elb.target_group_attachment", target_group_attachment),
    "aws_elb_attachment": Family("elb.target_group_attachment", target_group_attachment),
    "aws_eks_node_group": Family("eks.node_group", node_group),
    "aws_ebs_volume": Family("ec2.volume", volume),
    "aws_ami": Family("ec2.image", ami),
    "aws_ami_copy": Family("ec2.image", ami_copy),
    "aws_ami_launch_permission": Family("ec2.image_launch_permission", ami_launch_permission),
    "aws_network_interface_sg_attachment": Family(
        "unmodelled", contribute=interface_security_group
    ),
}

# Resources other resources may name literally: type -> (kind, argument holding the name).
NAMED = {"aws_launch_template": ("ec2.launch_template", "name")}

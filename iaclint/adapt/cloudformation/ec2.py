"""CloudFormation EC2 network and compute resources into the common model."""

from __future__ import annotations

from iaclint.adapt.cloudformation.context import Context, Mapper
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


def _first(*candidates: Src | None) -> Src | None:
    for candidate in candidates:
        if candidate is not None:
            return candidate
    return None


def _rule(
    rule: Src,
    direction: Src,
    action: Src,
    protocol: Src | None,
    ports: tuple[Src | None, Src | None],
    icmp: tuple[Src | None, Src | None],
    cidrs: list[Src],
    extra: dict[str, Src | None],
) -> Src:
    """A network rule in the common shape (security group rules and NACL entries)."""
    is_icmp = protocol is not None and protocol.value in ("icmp", "icmpv6")
    first, last = ports
    icmp_type, icmp_code = icmp
    if is_icmp and icmp_type is None and icmp_code is None:
        # Security groups write the ICMP type and code in the port fields.
        icmp_type, icmp_code, first, last = first, last, None, None
    return obj(
        rule,
        {
            "direction": direction,
            "action": action,
            "protocol": protocol,
            "from_port": None if is_icmp else port(first),
            "to_port": None if is_icmp else port(last),
            "icmp_type": convert(icmp_type, to_int),
            "icmp_code": convert(icmp_code, to_int),
            "cidrs": Src(cidrs, rule.origin),
            **extra,
        },
    )


def security_group_rule(rule: Src, direction: str, own: dict[str, Src | None]) -> Src:
    ingress = direction == "ingress"
    return _rule(
        rule,
        Src(direction, rule.origin),
        Src("allow", rule.origin),
        convert(rule.get("IpProtocol"), network_protocol),
        (rule.get("FromPort"), rule.get("ToPort")),
        (None, None),
        [c for c in (rule.get("CidrIp"), rule.get("CidrIpv6")) if c is not None],
        {
            "source_security_group": _first(
                rule.get("SourceSecurityGroupId"),
                rule.get("SourceSecurityGroupName"),
            )
            if ingress
            else rule.get("DestinationSecurityGroupId"),
            "prefix_list": rule.get("SourcePrefixListId" if ingress else "DestinationPrefixListId"),
            "description": rule.get("Description"),
            **own,
        },
    )


def security_group(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "name": props.get("GroupName"),
            "description": props.get("GroupDescription"),
            "vpc": props.get("VpcId"),
            "ingress": each(
                props.get("SecurityGroupIngress"),
                lambda rule: security_group_rule(rule, "ingress", {}),
            ),
            "egress": each(
                props.get("SecurityGroupEgress"),
                lambda rule: security_group_rule(rule, "egress", {}),
            ),
        },
    )


def security_group_ingress(props: Src, context: Context) -> Src:
    group = _first(props.get("GroupId"), props.get("GroupName"))
    return security_group_rule(props, "ingress", {"group": group})


def security_group_egress(props: Src, context: Context) -> Src:
    return security_group_rule(props, "egress", {"group": props.get("GroupId")})


def network_acl_entry(props: Src, context: Context) -> Src:
    egress = props.get("Egress")
    if egress is None:
        direction = Src("ingress", props.origin)
    elif is_opaque(egress.value):
        direction = egress
    else:
        direction = egress.with_value("egress" if to_bool(egress.value) else "ingress")
    port_range = props.get("PortRange")
    icmp = props.get("Icmp")
    return _rule(
        props,
        direction,
        convert(props.get("RuleAction"), lower) or Src("allow", props.origin),
        convert(props.get("Protocol"), network_protocol),
        (
            port_range.get("From") if port_range else None,
            port_range.get("To") if port_range else None,
        ),
        (icmp.get("Type") if icmp else None, icmp.get("Code") if icmp else None),
        [c for c in (props.get("CidrBlock"), props.get("Ipv6CidrBlock")) if c is not None],
        {
            "network_acl": props.get("NetworkAclId"),
            "rule_number": convert(props.get("RuleNumber"), to_int),
        },
    )


def network_acl(props: Src, context: Context) -> Src:
    return obj(props, {"vpc": props.get("VpcId")})


def network_acl_association(props: Src, context: Context) -> Src:
    return obj(props, {"network_acl": props.get("NetworkAclId"), "subnet": props.get("SubnetId")})


def metadata_options(options: Src | None) -> Src | None:
    if options is None or is_opaque(options.value):
        return options
    return obj(
        options,
        {
            "http_tokens": convert(options.get("HttpTokens"), lower),
            "http_endpoint": convert(options.get("HttpEndpoint"), lower),
            "http_put_response_hop_limit": convert(options.get("HttpPutResponseHopLimit"), to_int),
        },
    )


# Device names AMIs use for their root volume: a mapping for one of these changes the
# root volume, whose encryption otherwise comes from the AMI's snapshot.
ROOT_DEVICES = frozenset({"/dev/xvda", "/dev/sda1", "/dev/sda"})


def block_device(mapping: Src) -> Src:
    """A block device mapping; `Ebs` holds the volume settings, `VirtualName` an instance store."""
    ebs = mapping.get("Ebs")
    name = mapping.get("DeviceName")
    root = name is not None and isinstance(name.value, str) and name.value in ROOT_DEVICES
    snapshot = ebs.get("SnapshotId") if ebs is not None else None
    no_device = mapping.get("NoDevice")
    ephemeral = mapping.get("VirtualName") is not None or (
        no_device is not None and to_bool(no_device.value) is not False and ebs is None
    )
    encrypted = None
    if ebs is not None:
        encrypted = inherited(
            ebs.get("Encrypted"),
            [snapshot, name if root else None],
            "the volume takes the encryption of its snapshot" if snapshot is not None else FROM_AMI,
        )
    # Located at `Ebs` when there is one: that is where `Encrypted` goes.
    return obj(
        ebs if ebs is not None and isinstance(ebs.value, dict) else mapping,
        {
            "device_name": name,
            "root": Src(True, mapping.origin) if root else None,
            "ephemeral": Src(True, mapping.origin) if ephemeral else None,
            "encrypted": encrypted,
            "kms_key": ebs.get("KmsKeyId") if ebs is not None else None,
            "snapshot_id": snapshot,
        },
    )


def public_ip(props: Src) -> Src | None:
    """`AssociatePublicIpAddress`, on the resource or on one of its network interfaces."""
    written = props.get("AssociatePublicIpAddress")
    if written is not None:
        return convert(written, to_bool)
    interfaces = props.get("NetworkInterfaces")
    for interface in (interfaces.items() or []) if interfaces is not None else []:
        value = interface.get("AssociatePublicIpAddress")
        if value is not None:
            return convert(value, to_bool)
    return None


def _header(props: Src) -> Src:
    """A value placed on the resource's first line (its logical id)."""
    return Src(None, props.origin[:2])


def subnets(props: Src) -> Src | None:
    """The subnet of the resource and of its network interfaces, in one list."""
    found: list[Src] = []
    own = props.get("SubnetId")
    if own is not None:
        found.append(own)
    interfaces = props.get("NetworkInterfaces")
    if interfaces is not None and is_opaque(interfaces.value):
        found.append(interfaces)
    for interface in (interfaces.items() or []) if interfaces is not None else []:
        value = interface.get("SubnetId")
        if value is not None:
            found.append(value)
    return Src(found, props.origin) if found else None


def _with_interface_groups(props: Src, groups: Src | None) -> Src | None:
    """The security groups of the resource and of its network interfaces (`GroupSet`
    of an instance's, `Groups` of a launch template's), in one list."""
    interfaces = props.get("NetworkInterfaces")
    found: list[Src] = []
    for interface in (interfaces.items() or []) if interfaces is not None else []:
        written = _first(interface.get("GroupSet"), interface.get("Groups"))
        if written is not None:
            found.extend(written.items() or [written])
    if not found:
        return groups
    own: list[Src] = []
    if groups is not None:
        items = groups.items()
        own = items if items is not None else [groups]
    return Src([*own, *found], (groups or props).origin)


def _instance_config(props: Src, profile: Src | None, groups: Src | None) -> dict[str, Src | None]:
    groups = _with_interface_groups(props, groups)
    return {
        "subnets": subnets(props),
        "metadata_options": metadata_options(props.get("MetadataOptions")),
        "block_devices": each(props.get("BlockDeviceMappings"), block_device),
        "associate_public_ip": public_ip(props),
        "iam_instance_profile": profile,
        "image_id": props.get("ImageId"),
        "user_data": props.get("UserData"),
        "security_groups": each(groups, lambda group: group),
    }


def instance(props: Src, context: Context) -> Src:
    template = props.get("LaunchTemplate")
    reference = None
    if template is not None:
        reference = _first(template.get("LaunchTemplateId"), template.get("LaunchTemplateName"))
        reference = context.link(reference, "ec2.launch_template")
    config = _instance_config(
        props,
        context.link(props.get("IamInstanceProfile"), "iam.instance_profile"),
        _first(props.get("SecurityGroupIds"), props.get("SecurityGroups")),
    )
    if template is None:
        # With a launch template, the template's mappings (judged there) apply.
        config["block_devices"] = with_root(config["block_devices"], _header(props))
    return obj(
        props,
        {**config, "launch_template": reference, "network_interfaces": _interfaces(props)},
    )


def _interfaces(props: Src) -> Src | None:
    """The existing network interfaces an instance is launched with."""
    interfaces = props.get("NetworkInterfaces")
    found = [
        named
        for interface in ((interfaces.items() or []) if interfaces is not None else [])
        if (named := interface.get("NetworkInterfaceId")) is not None
    ]
    return Src(found, interfaces.origin) if found and interfaces is not None else None


def network_interface(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "subnet": props.get("SubnetId"),
            "security_groups": each(props.get("GroupSet"), lambda group: group),
        },
    )


def network_interface_attachment(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "instance": props.get("InstanceId"),
            "network_interface": props.get("NetworkInterfaceId"),
        },
    )


def gateway_attachment(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "gateway": _first(props.get("InternetGatewayId"), props.get("VpnGatewayId")),
            "vpc": props.get("VpcId"),
        },
    )


def launch_template(props: Src, context: Context) -> Src:
    data = props.get("LaunchTemplateData")
    fields: dict[str, Src | None] = {"name": props.get("LaunchTemplateName")}
    if data is not None:
        profile = data.get("IamInstanceProfile")
        if profile is not None:
            name = context.link(profile.get("Name"), "iam.instance_profile")
            profile = _first(profile.get("Arn"), name)
        fields.update(
            _instance_config(
                data,
                profile,
                _first(data.get("SecurityGroupIds"), data.get("SecurityGroups")),
            )
        )
        fields["block_devices"] = with_root(fields["block_devices"], _header(props))
    return obj(props, fields)


def launch_configuration(props: Src, context: Context) -> Src:
    config = _instance_config(
        props,
        context.link(props.get("IamInstanceProfile"), "iam.instance_profile"),
        props.get("SecurityGroups"),
    )
    config["block_devices"] = with_root(config["block_devices"], _header(props))
    return obj(props, config)


def node_group(props: Src, context: Context) -> Src:
    template = props.get("LaunchTemplate")
    reference = None
    if template is not None:
        reference = context.link(
            _first(template.get("Id"), template.get("Name")), "ec2.launch_template"
        )
    return obj(props, {"launch_template": reference})


def subnet(props: Src, context: Context) -> Src:
    return obj(
        props,
        {
            "map_public_ip_on_launch": convert(props.get("MapPublicIpOnLaunch"), to_bool),
            "vpc": props.get("VpcId"),
            "cidr": props.get("CidrBlock"),
        },
    )


def internet_gateway(props: Src, context: Context) -> Src:
    return obj(props, {})


# Route targets other than a gateway, by the property that names them.
_ROUTE_TARGETS = (
    ("NatGatewayId", "nat"),
    ("InstanceId", "instance"),
    ("NetworkInterfaceId", "network_interface"),
    ("VpcPeeringConnectionId", "peering"),
    ("TransitGatewayId", "transit_gateway"),
    ("VpcEndpointId", "endpoint"),
    ("EgressOnlyInternetGatewayId", "egress_only"),
    ("CarrierGatewayId", "carrier"),
    ("LocalGatewayId", "local_gateway"),
    ("CoreNetworkArn", "core_network"),
)


def route(props: Src, context: Context) -> Src:
    target = None
    for name, label in _ROUTE_TARGETS:
        written = props.get(name)
        if written is not None:
            target = written.with_value(label)
            break
    return obj(
        props,
        {
            "destination": _first(
                props.get("DestinationCidrBlock"), props.get("DestinationIpv6CidrBlock")
            ),
            "gateway": props.get("GatewayId"),
            "target": target,
            "route_table": props.get("RouteTableId"),
        },
    )


def route_table(props: Src, context: Context) -> Src:
    return obj(props, {"vpc": props.get("VpcId")})


def route_table_association(props: Src, context: Context) -> Src:
    return obj(props, {"route_table": props.get("RouteTableId"), "subnet": props.get("SubnetId")})


def elastic_ip(props: Src, context: Context) -> Src:
    """`AWS::EC2::EIP` (with `InstanceId`) and `AWS::EC2::EIPAssociation`."""
    return obj(
        props,
        {
            "instance": props.get("InstanceId"),
            "network_interface": props.get("NetworkInterfaceId"),
        },
    )


def auto_scaling_group(props: Src, context: Context) -> Src:
    template = props.get("LaunchTemplate")
    reference = None
    if template is not None:
        reference = context.link(
            _first(template.get("LaunchTemplateId"), template.get("LaunchTemplateName")),
            "ec2.launch_template",
        )
    mixed = props.get("MixedInstancesPolicy")
    if reference is None and mixed is not None:
        specification = mixed.get("LaunchTemplate")
        specification = specification.get("LaunchTemplateSpecification") if specification else None
        if specification is not None:
            reference = context.link(
                _first(
                    specification.get("LaunchTemplateId"),
                    specification.get("LaunchTemplateName"),
                ),
                "ec2.launch_template",
            )
    return obj(
        props,
        {
            "launch_template": reference,
            "launch_configuration": context.link(
                props.get("LaunchConfigurationName"), "autoscaling.launch_configuration"
            ),
            "subnets": props.get("VPCZoneIdentifier"),
            "target_groups": props.get("TargetGroupARNs"),
            "load_balancers": each(
                props.get("LoadBalancerNames"),
                lambda name: context.link(name, "elb.load_balancer"),
            ),
        },
    )


def volume(props: Src, context: Context) -> Src:
    snapshot = props.get("SnapshotId")
    return obj(
        props,
        {
            "encrypted": inherited(
                props.get("Encrypted"),
                [snapshot],
                "the volume takes the encryption of its snapshot",
            ),
            "kms_key": props.get("KmsKeyId"),
            "snapshot_id": snapshot,
        },
    )


def _launch_permissions(props: Src, context: Context) -> Src:
    """EC2 Image Builder: the launch permissions of every distribution's AMIs."""
    groups: list[Src] = []
    accounts: list[Src] = []
    distributions = props.get("Distributions")
    for distribution in (distributions.items() or []) if distributions is not None else []:
        ami = distribution.get("AmiDistributionConfiguration")
        permission = ami.get("LaunchPermissionConfiguration") if ami is not None else None
        if permission is None:
            continue
        for field, out in (("UserGroups", groups), ("UserIds", accounts)):
            written = permission.get(field)
            if written is not None:
                out.extend(written.items() or [written])
    return obj(
        props,
        {
            "groups": Src(groups, props.origin) if groups else None,
            "accounts": Src(accounts, props.origin) if accounts else None,
        },
    )


MAPPERS: dict[str, Mapper] = {
    "AWS::EC2::SecurityGroup": ("ec2.security_group", security_group),
    "AWS::EC2::SecurityGroupIngress": ("ec2.security_group_rule", security_group_ingress),
    "AWS::EC2::SecurityGroupEgress": ("ec2.security_group_rule", security_group_egress),
    "AWS::EC2::NetworkAclEntry": ("ec2.network_acl_rule", network_acl_entry),
    "AWS::EC2::NetworkAcl": ("ec2.network_acl", network_acl),
    "AWS::EC2::SubnetNetworkAclAssociation": (
        "ec2.network_acl_association",
        network_acl_association,
    ),
    "AWS::EC2::NetworkInterface": ("ec2.network_interface", network_interface),
    "AWS::EC2::NetworkInterfaceAttachment": (
        "ec2.network_interface_attachment",
        network_interface_attachment,
    ),
    "AWS::EC2::VPCGatewayAttachment": ("ec2.gateway_attachment", gateway_attachment),
    "AWS::EC2::Instance": ("ec2.instance", instance),
    "AWS::EC2::LaunchTemplate": ("ec2.launch_template", launch_template),
    "AWS::AutoScaling::LaunchConfiguration": (
        "autoscaling.launch_configuration",
        launch_configuration,
    ),
    "AWS::EC2::Subnet": ("ec2.subnet", subnet),
    "AWS::EC2::InternetGateway": ("ec2.internet_gateway", internet_gateway),
    "AWS::EC2::RouteTable": ("ec2.route_table", route_table),
    "AWS::EC2::Route": ("ec2.route", route),
    "AWS::EC2::SubnetRouteTableAssociation": (
        "ec2.route_table_association",
        route_table_association,
    ),
    "AWS::EC2::EIP": ("ec2.elastic_ip", elastic_ip),
    "AWS::EC2::EIPAssociation": ("ec2.elastic_ip", elastic_ip),
    "AWS::AutoScaling::AutoScalingGroup": ("autoscaling.group", auto_scaling_group),
    "AWS::EKS::Nodegroup": ("eks.node_group", node_group),
    "AWS::EC2::Volume": ("ec2.volume", volume),
    "AWS::ImageBuilder::DistributionConfiguration": (
        "ec2.image_launch_permission",
        _launch_permissions,
    ),
}

"""Which instances the internet can reach, and by which way, before deployment.

The walk follows the graph outwards from each instance (and each Auto Scaling
group, which stands for the instances it launches):

- *directly*: one of its subnets is public (its route table, or the VPC's main
  one, sends 0.0.0.0/0 or ::/0 to an internet gateway attached to that VPC), the
  subnet's network ACL lets the port in from every address (entries in rule-number
  order; the VPC's default ACL, when not in the files, lets everything in), it gets
  a public address (its own setting or its network interface's, the subnet's
  `map_public_ip_on_launch`, an Elastic IP), and one of its security groups lets
  the port in from every address; each network interface attached to it with an
  Elastic IP is such a way too, with the interface's subnet and groups;
- *through a load balancer*: an internet-facing load balancer in a public subnet,
  whose security groups and subnet ACL let its listener's port in from everywhere,
  forwards (listener -> target group -> target, or a classic load balancer's
  instances) to it, and the instance's security groups let the target port in from
  the load balancer (its groups, or addresses covering its subnets; a network load
  balancer without groups passes the clients' addresses on).

Each step is three-valued like the rest of the engine: a step that depends on
something outside the linted files (a subnet named by its id, a security group
given by a variable) is unknown, with its reason, never a finding and never
dropped. Everything is indexed by address once and each subnet, route table,
security group and load balancer is judged once (memoized), so the work is
linear in the number of resources: no path is enumerated.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import NamedTuple, TypeVar

from iaclint.engine.operators.network import port_range
from iaclint.findings import Step
from iaclint.graph.model import Graph, ModelPath, Resource
from iaclint.graph.values import (
    Input,
    PartialString,
    Reference,
    Unknown,
    concrete,
    unknown_reason,
)

SUBJECT_KINDS = ("ec2.instance", "autoscaling.group")
_CONFIG_KINDS = ("ec2.launch_template", "autoscaling.launch_configuration")

Ports = tuple[tuple[int, int], ...]
_EVERY_PORT: Ports = ((0, 65535),)


class Way(NamedTuple):
    """One way in: direct or through a load balancer, the ports it reaches on the
    instance, and each hop from the internet gateway to the instance."""

    direct: bool
    ports: Ports
    steps: tuple[Step, ...]


class Exposure(NamedTuple):
    """What the walk found for one instance or group."""

    ways: tuple[Way, ...] = ()
    # Why a way in could not be decided (the first such reason), when one could not.
    unknown: str | None = None


class _Tri(NamedTuple):
    """A three-valued step: true with its hops, false, or unknown with its reason."""

    truth: bool | None
    steps: tuple[Step, ...] = ()
    reason: str | None = None
    ports: Ports = ()


_FALSE = _Tri(False)
_T = TypeVar("_T")


def _both(*items: _Tri) -> _Tri:
    """All must hold: false if one is false, unknown if one is unknown."""
    for item in items:
        if item.truth is False:
            return item
    for item in items:
        if item.truth is None:
            return item
    return _Tri(True, tuple(step for item in items for step in item.steps))


def _either(items: Iterable[_Tri], empty: _Tri = _FALSE) -> _Tri:
    """One suffices: the first true, else the first unknown, else false."""
    seen = list(items)
    for item in seen:
        if item.truth is True:
            return item
    for item in seen:
        if item.truth is None:
            return item
    return empty if not seen else _FALSE


def _step(resource: Resource, role: str, path: ModelPath = (), note: str = "") -> Step:
    location = resource.locate(path) if path else resource.header
    return Step(
        role, resource.address, location.attribute, location.span, note, resource.construct_path
    )


def _items(value: object) -> list[object]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _is_world(value: object) -> bool | None:
    if isinstance(value, Input):
        value = value.value if value.has_default else Unknown("parameter without default")
    if isinstance(value, PartialString):
        last = value.parts[-1]
        return True if isinstance(last, str) and last.strip().endswith("/0") else None
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_network(value.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def _flag(value: object) -> bool | None:
    if isinstance(value, Input):
        value = value.value if value.has_default else None
    return value if isinstance(value, bool) else None


def _same(left: object, right: object) -> bool | None:
    """Whether two values name the same resource: None when that cannot be told."""
    if isinstance(left, Reference) and isinstance(right, Reference):
        return left.target == right.target
    left, right = concrete(left), concrete(right)
    if isinstance(left, str) and isinstance(right, str):
        return left.strip() == right.strip()
    return None


def _network(value: object) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    value = concrete(value)
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def _minus(span: tuple[int, int], taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of `span` no interval of `taken` covers."""
    left = [span]
    for low, high in taken:
        rest: list[tuple[int, int]] = []
        for start, end in left:
            if high < start or low > end:
                rest.append((start, end))
                continue
            if start < low:
                rest.append((start, low - 1))
            if end > high:
                rest.append((high + 1, end))
        left = rest
    return left


class _Acl(NamedTuple):
    """The TCP ports a network ACL lets in from every address, each with the entry
    that allows it (None for the default ACL outside the files), or why not known."""

    allowed: tuple[tuple[tuple[int, int], Step | None], ...] = ()
    reason: str | None = None


_OPEN_ACL = _Acl((((0, 65535), None),))

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class _Source(NamedTuple):
    """Where traffic comes from: every address, or a load balancer's subnets."""

    name: str
    ranges: tuple[_Network, ...] = ()

    def covered(self, cidr: object) -> bool | None:
        """Whether a rule's CIDR takes this traffic in (None: not known)."""
        world = _is_world(cidr)
        if world is not False or not self.ranges:
            return world
        block = _network(cidr)
        if block is None:
            return None
        return any(
            inner.version == block.version and inner.subnet_of(block)  # type: ignore[arg-type]
            for inner in self.ranges
        )


_WORLD = _Source("every address")


class _Walk:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.routes: dict[str, list[Resource]] = defaultdict(list)
        self.associations: dict[str, list[Resource]] = defaultdict(list)
        self.main_tables: dict[str, list[tuple[Resource, ModelPath]]] = defaultdict(list)
        self.group_rules: dict[str, list[Resource]] = defaultdict(list)
        self.elastic_ips: dict[str, list[Resource]] = defaultdict(list)
        self.attached_to: dict[str, list[Resource]] = defaultdict(list)
        self.listeners: dict[str, list[tuple[Resource, int]]] = defaultdict(list)
        self.targeted: dict[str, list[tuple[Resource, int]]] = defaultdict(list)
        self.classic: dict[str, list[tuple[Resource, int]]] = defaultdict(list)
        self.gateway_attachments: dict[str, list[Resource]] = defaultdict(list)
        self.acl_of: dict[str, list[Resource]] = defaultdict(list)
        self.default_acls: dict[str, list[Resource]] = defaultdict(list)
        self.acl_rules: dict[str, list[Resource]] = defaultdict(list)
        self.interfaces_of: dict[str, list[tuple[object, Resource, ModelPath]]] = defaultdict(list)
        self.interface_ips: dict[str, list[Resource]] = defaultdict(list)
        for resource in graph.resources:
            kind, props = resource.kind, resource.properties
            if kind == "ec2.gateway_attachment":
                self._index(self.gateway_attachments, props.get("gateway"), resource)
            elif kind == "ec2.network_acl_association":
                subnet = props.get("subnet")
                if isinstance(subnet, Reference):
                    self.acl_of[subnet.target].append(resource)
            elif kind == "ec2.network_acl":
                for subnet in _items(props.get("subnets")):
                    if isinstance(subnet, Reference):
                        self.acl_of[subnet.target].append(resource)
                if props.get("default") is True:
                    self._index(self.default_acls, props.get("vpc"), resource)
            elif kind == "ec2.network_acl_rule":
                self._index(self.acl_rules, props.get("network_acl"), resource)
            elif kind == "ec2.instance":
                for index, named in enumerate(_items(props.get("network_interfaces"))):
                    self.interfaces_of[resource.address].append(
                        (named, resource, ("network_interfaces", index))
                    )
            elif kind == "ec2.network_interface_attachment":
                instance = props.get("instance")
                if isinstance(instance, Reference):
                    named = props.get("network_interface")
                    self.interfaces_of[instance.target].append(
                        (named, resource, ("network_interface",))
                    )
            elif kind == "ec2.network_interface":
                instance = props.get("instance")
                if isinstance(instance, Reference):
                    own = Reference(resource.address)
                    self.interfaces_of[instance.target].append((own, resource, ("instance",)))
            elif kind == "ec2.route":
                self._index(self.routes, props.get("route_table"), resource)
            elif kind == "ec2.route_table_association":
                self._index(self.associations, props.get("subnet"), resource)
                vpc = props.get("vpc")
                if isinstance(vpc, Reference):
                    self.main_tables[vpc.target].append((resource, ("route_table",)))
            elif kind == "ec2.route_table" and props.get("main") is True:
                vpc = props.get("vpc")
                if isinstance(vpc, Reference):
                    self.main_tables[vpc.target].append((resource, ()))
            elif kind == "ec2.security_group_rule":
                self._index(self.group_rules, props.get("group"), resource)
            elif kind == "ec2.elastic_ip":
                self._index(self.elastic_ips, props.get("instance"), resource)
                self._index(self.interface_ips, props.get("network_interface"), resource)
            elif kind == "elb.target_group_attachment":
                self._index(self.attached_to, props.get("target"), resource)
            elif kind == "elb.listener":
                for index, group in enumerate(_items(props.get("target_groups"))):
                    if isinstance(group, Reference):
                        self.listeners[group.target].append((resource, index))
            elif kind == "elb.target_group":
                for index, target in enumerate(_items(props.get("targets"))):
                    if isinstance(target, dict) and isinstance(target.get("target"), Reference):
                        self.targeted[target["target"].target].append((resource, index))
            elif kind == "elb.load_balancer":
                for index, instance in enumerate(_items(props.get("instances"))):
                    if isinstance(instance, Reference):
                        self.classic[instance.target].append((resource, index))
        self._memo: dict[tuple[str, str], _Tri] = {}
        self._acls: dict[tuple[str, str], _Acl] = {}
        self._ranges: dict[
            str, tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...], str | None]
        ] = {}

    @staticmethod
    def _index(table: dict[str, list[Resource]], value: object, resource: Resource) -> None:
        if isinstance(value, Reference):
            table[value.target].append(resource)

    def memo(self, key: tuple[str, str], compute: Callable[[], _Tri]) -> _Tri:
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = compute()
        return found

    # -- references ---------------------------------------------------------

    def resolve(
        self, value: object, kinds: tuple[str, ...], origin: Resource, what: str
    ) -> tuple[Resource | None, str | None]:
        """The resource a value names, or why it is not known."""
        if isinstance(value, Reference):
            for variant in self.graph.variants(value.target):
                if variant.kind in kinds and variant.compatible_with(origin):
                    return variant, None
            if self.graph.contains(value.target):
                return None, None  # something else: not a resource of these kinds
            return None, f"{what} {value.target} is not defined in the linted files"
        if isinstance(value, Input) and value.has_default:
            value = value.value
        if isinstance(value, str):
            return None, f"{what} '{value}' is not defined in the linted files"
        return None, f"{what} {unknown_reason(value)}"

    # -- subnets and route tables ---------------------------------------------

    def route(
        self, route: Mapping[str, object], owner: Resource, path: ModelPath, table: Resource
    ) -> _Tri:
        """Whether a route sends every address to an internet gateway attached to the VPC
        of its route table."""
        if route.get("target") is not None:
            return _FALSE
        gateway = route.get("gateway")
        if gateway is None:
            return _FALSE
        world = _is_world(route.get("destination"))
        if world is False:
            return _FALSE
        gateway_step: Step | None = None
        attachment_steps: tuple[Step, ...] = ()
        if isinstance(gateway, Reference):
            target, reason = self.resolve(gateway, ("ec2.internet_gateway",), owner, "gateway")
            if target is None:
                return _Tri(None, reason=reason) if reason else _FALSE
            attached = self.attached(target, table)
            if attached.truth is not True:
                return attached
            gateway_step = _step(target, "internet gateway")
            attachment_steps = attached.steps
        elif isinstance(gateway, str):
            if not gateway.strip().lower().startswith("igw-"):
                return _FALSE
        else:
            return _Tri(None, reason=f"the route's gateway {unknown_reason(gateway)}")
        if world is None:
            return _Tri(None, reason="the route's destination is known only at deployment")
        destination = route.get("destination")
        note = f"sends {destination} to the internet gateway"
        # A gateway named by its id exists already: a route to it can only be created
        # when it is attached to the route table's VPC.
        steps = (gateway_step, *attachment_steps) if gateway_step is not None else ()
        return _Tri(True, (*steps, _step(owner, "route", (*path, "destination"), note)))

    def attached(self, gateway: Resource, table: Resource) -> _Tri:
        """Whether the internet gateway is attached to the VPC of the route table."""

        def compute() -> _Tri:
            vpc = table.properties.get("vpc")
            found: list[_Tri] = []
            written = gateway.properties.get("vpc")
            holders = [(gateway, written)] if written is not None else []
            holders += [
                (a, a.properties.get("vpc")) for a in self.gateway_attachments[gateway.address]
            ]
            for holder, value in holders:
                same = _same(value, vpc)
                if same is None:
                    found.append(
                        _Tri(
                            None,
                            reason=f"whether internet gateway {gateway.address} is attached "
                            f"to the VPC of route table {table.address} is not known",
                        )
                    )
                elif same:
                    if holder is gateway:
                        found.append(_Tri(True))
                    else:
                        note = "attaches the internet gateway to the VPC"
                        found.append(
                            _Tri(True, (_step(holder, "gateway attachment", ("vpc",), note),))
                        )
                else:
                    found.append(_FALSE)
            # Not attached in the files: the gateway leads nowhere.
            return _either(found)

        return self.memo(("attached", f"{gateway.address} {table.address}"), compute)

    def route_table(self, table: Resource) -> _Tri:
        def compute() -> _Tri:
            found = [
                self.route(route, table, ("routes", index), table)
                for index, route in enumerate(_items(table.properties.get("routes")))
                if isinstance(route, dict)
            ]
            found += [self.route(r.properties, r, (), table) for r in self.routes[table.address]]
            return _either(found)

        return self.memo(("table", table.address), compute)

    def subnet(self, subnet: Resource) -> _Tri:
        """Whether the subnet is public: its route table leads to an internet gateway."""

        def compute() -> _Tri:
            associations = self.associations[subnet.address]
            if associations:
                ways = []
                for association in associations:
                    table, reason = self.resolve(
                        association.properties.get("route_table"),
                        ("ec2.route_table",),
                        association,
                        "route table",
                    )
                    if table is None:
                        ways.append(_Tri(None, reason=reason) if reason else _FALSE)
                        continue
                    ways.append(
                        _both(
                            self.route_table(table),
                            _Tri(True, (_step(association, "route table association"),)),
                        )
                    )
                return self._with_subnet(_either(ways), subnet)
            vpc = subnet.properties.get("vpc")
            if not isinstance(vpc, Reference) or not self.graph.contains(vpc.target):
                shown = vpc.target if isinstance(vpc, Reference) else unknown_reason(vpc)
                return _Tri(
                    None,
                    reason=f"subnet {subnet.address} uses the main route table of its VPC "
                    f"({shown}), which is not in the linted files",
                )
            ways = []
            for main, path in self.main_tables[vpc.target]:
                main_table: Resource | None = main
                if path:
                    main_table, reason = self.resolve(
                        main.properties.get("route_table"), ("ec2.route_table",), main, "table"
                    )
                if main_table is None:
                    ways.append(_Tri(None, reason=reason) if reason else _FALSE)
                    continue
                hop = _Tri(True, (_step(main, "main route table"),))
                ways.append(_both(self.route_table(main_table), hop))
            # Without one, the VPC's own main route table routes within the VPC only.
            return self._with_subnet(_either(ways), subnet)

        return self.memo(("subnet", subnet.address), compute)

    @staticmethod
    def _with_subnet(found: _Tri, subnet: Resource) -> _Tri:
        if found.truth is not True:
            return found
        return _Tri(True, (*found.steps, _step(subnet, "public subnet")))

    def subnets(self, values: object, origin: Resource, field: ModelPath) -> _Tri:
        items = _items(values)
        if not items:
            return _Tri(
                None,
                reason="no subnet is given: it is launched in a default subnet of the "
                "account's default VPC, which is not in the linted files",
            )
        found = []
        for item in items:
            subnet, reason = self.resolve(item, ("ec2.subnet",), origin, "subnet")
            if subnet is None:
                found.append(_Tri(None, reason=reason) if reason else _FALSE)
            else:
                found.append(self.subnet(subnet))
        return _either(found)

    # -- network ACLs -----------------------------------------------------------

    def acl(self, subnet: Resource, source: _Source = _WORLD) -> _Acl:
        """What the subnet's network ACL lets in (TCP) from every address, or from a
        load balancer's subnets."""
        key = (subnet.address, source.name)
        found = self._acls.get(key)
        if found is None:
            found = self._acls[key] = self._subnet_acl(subnet, source)
        return found

    def _subnet_acl(self, subnet: Resource, source: _Source) -> _Acl:
        named = self.acl_of[subnet.address]
        if named:
            allowed: list[tuple[tuple[int, int], Step | None]] = []
            for holder in named:
                acl: Resource | None = holder
                if holder.kind != "ec2.network_acl":
                    acl, reason = self.resolve(
                        holder.properties.get("network_acl"),
                        ("ec2.network_acl",),
                        holder,
                        "network ACL",
                    )
                    if acl is None:
                        if reason is None:
                            continue  # names something that is not a network ACL
                        return _Acl(reason=reason)
                assert acl is not None
                found = self._sweep(self._rules_of(acl.address, acl), acl.address, False, source)
                if found.reason is not None:
                    return found
                allowed.extend(found.allowed)
            return _Acl(tuple(allowed))
        vpc = subnet.properties.get("vpc")
        if isinstance(vpc, Reference):
            for default in self.default_acls[vpc.target]:
                rules = self._rules_of(default.address, default)
                return self._sweep(rules, default.address, False, source)
            if self.acl_rules[vpc.target]:
                # Entries added to the default ACL (`!GetAtt Vpc.DefaultNetworkAcl`), before
                # or after its own rule 100 that allows everything.
                rules = self._rules_of(vpc.target, None)
                return self._sweep(rules, subnet.address, True, source)
        return _OPEN_ACL  # the VPC's default ACL lets everything in

    def _rules_of(
        self, address: str, acl: Resource | None
    ) -> list[tuple[Resource, ModelPath, Mapping[str, object]]]:
        out: list[tuple[Resource, ModelPath, Mapping[str, object]]] = []
        if acl is not None:
            ingress = acl.properties.get("ingress")
            if ingress is not None and not isinstance(ingress, list):
                out.append((acl, ("ingress",), {"unknown": ingress}))
            for index, rule in enumerate(_items(ingress)):
                if isinstance(rule, dict):
                    out.append((acl, ("ingress", index), rule))
        for separate in self.acl_rules[address]:
            direction = separate.properties.get("direction")
            if direction == "ingress":
                out.append((separate, (), separate.properties))
            elif direction != "egress":
                out.append((separate, ("direction",), {"unknown": direction}))
        return out

    def _sweep(
        self,
        rules: list[tuple[Resource, ModelPath, Mapping[str, object]]],
        name: str,
        implicit: bool,
        source: _Source,
    ) -> _Acl:
        """Entries in rule-number order: the first that matches a port decides it; what
        none matches is denied (with `implicit`, the default ACL's rule 100 allows it)."""
        ordered: list[tuple[int, str, tuple[int, int], Step]] = []
        for owner, path, rule in rules:
            if "unknown" in rule:
                return _Acl(
                    reason=f"the entries of network ACL {name} {unknown_reason(rule['unknown'])}"
                )
            number = concrete(rule.get("rule_number"))
            action = concrete(rule.get("action"))
            protocol = concrete(rule.get("protocol"))
            if protocol not in ("tcp", "all"):
                if isinstance(protocol, str):
                    continue  # UDP, ICMP...: not the traffic an attacker connects with
                return _Acl(
                    reason=f"the protocol of entry {owner.address} {unknown_reason(protocol)}"
                )
            worlds = [source.covered(cidr) for cidr in _items(rule.get("cidrs"))]
            if True not in worlds:
                if None in worlds:
                    return _Acl(
                        reason=f"a source of network ACL entry {owner.address} is not known"
                    )
                continue  # a part of the sources only: it neither opens nor closes the way
            span = port_range(rule)
            if isinstance(span, str) and span != "all":
                return _Acl(reason=f"entry of network ACL {name}: {span}")
            if not isinstance(number, int) or isinstance(number, bool):
                return _Acl(
                    reason=f"the rule number of an entry of {name} {unknown_reason(number)}"
                )
            if action not in ("allow", "deny"):
                return _Acl(reason=f"the action of an entry of {name} {unknown_reason(action)}")
            ports = span if isinstance(span, tuple) else (0, 65535)
            note = f"{action}s {_describe((ports,))} from {source.name} (rule {number})"
            ordered.append((number, action, ports, _step(owner, "network acl entry", path, note)))
        ordered.sort(key=lambda item: item[0])
        decided: list[tuple[int, int]] = []
        allowed: list[tuple[tuple[int, int], Step | None]] = []
        for number, action, ports, step in ordered:
            if implicit and number > 100:
                allowed.extend((part, None) for part in _minus((0, 65535), decided))
                decided.append((0, 65535))
                break
            fresh = _minus(ports, decided)
            if action == "allow":
                allowed.extend((part, step) for part in fresh)
            decided.append(ports)
        else:
            if implicit:
                allowed.extend((part, None) for part in _minus((0, 65535), decided))
        return _Acl(tuple(allowed))

    def through_acl(
        self, subnet: Resource, ports: Ports, source: _Source = _WORLD
    ) -> tuple[Ports, tuple[Step, ...], str | None]:
        """The ports of `ports` the subnet's network ACL lets in from the source, the
        entries that let them in, or why that is not known."""
        acl = self.acl(subnet, source)
        if acl.reason is not None:
            return (), (), acl.reason
        kept: list[tuple[int, int]] = []
        steps: list[Step] = []
        for low, high in ports:
            for (start, end), step in acl.allowed:
                if start <= high and low <= end:
                    kept.append((max(low, start), min(high, end)))
                    if step is not None and step not in steps:
                        steps.append(step)
        return tuple(kept), tuple(steps), None

    # -- security groups ------------------------------------------------------

    def rules(self, group: Resource) -> list[tuple[Resource, ModelPath, Mapping[str, object]]]:
        out: list[tuple[Resource, ModelPath, Mapping[str, object]]] = []
        for index, rule in enumerate(_items(group.properties.get("ingress"))):
            if isinstance(rule, dict):
                out.append((group, ("ingress", index), rule))
        for separate in self.group_rules[group.address]:
            if separate.properties.get("direction") == "ingress":
                out.append((separate, (), separate.properties))
        return out

    def open_to_world(self, groups: object, origin: Resource, default_open: bool) -> _Tri:
        """Ports the security groups let in from every address, each with its rule."""
        items = _items(groups)
        if not items:
            if default_open:
                return _Tri(True, ports=_EVERY_PORT)
            return _FALSE  # the VPC's default group lets in only its own members
        found: list[_Tri] = []
        for item in items:
            group, reason = self.resolve(item, ("ec2.security_group",), origin, "security group")
            if group is None:
                found.append(_Tri(None, reason=reason) if reason else _FALSE)
                continue
            found.append(self.open_group(group))
        opened = [item for item in found if item.truth is True]
        if opened:
            return _Tri(
                True,
                tuple(step for item in opened for step in item.steps),
                ports=tuple(span for item in opened for span in item.ports),
            )
        return _either(found)

    def open_group(self, group: Resource) -> _Tri:
        key = ("open", group.address)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._open(group)
        return found

    def _open(self, group: Resource) -> _Tri:
        found: list[_Tri] = []
        for owner, path, rule in self.rules(group):
            worlds = [_is_world(cidr) for cidr in _items(rule.get("cidrs"))]
            if not any(world is not False for world in worlds):
                continue
            span = port_range(rule)
            if span is None:
                continue
            if isinstance(span, str) and span != "all":
                found.append(_Tri(None, reason=f"rule of {group.address}: {span}"))
                continue
            if True not in worlds:
                found.append(_Tri(None, reason=f"a source of {owner.address} is not known"))
                continue
            ports: Ports = _EVERY_PORT if isinstance(span, str) else (span,)
            note = f"lets in {_describe(ports)} from every address"
            found.append(_Tri(True, (_step(owner, "rule", (*path, "cidrs"), note),), ports=ports))
        opened = [item for item in found if item.truth is True]
        if opened:
            return _Tri(
                True,
                tuple(step for item in opened for step in item.steps),
                ports=tuple(span for item in opened for span in item.ports),
            )
        return _either(found)

    def allows_port(
        self, groups: object, origin: Resource, port: int | None, balancer: Resource
    ) -> _Tri:
        """Whether the groups let the load balancer's traffic in on `port`: from its
        security groups, or from addresses its traffic comes from (its subnets; for a
        network load balancer, which passes the client's address on, every address)."""
        items = _items(groups)
        if not items:
            return _Tri(None, reason=f"{origin.address} has no security group in the files")
        found: list[_Tri] = []
        for item in items:
            group, reason = self.resolve(item, ("ec2.security_group",), origin, "security group")
            if group is None:
                found.append(_Tri(None, reason=reason) if reason else _FALSE)
                continue
            for owner, path, rule in self.rules(group):
                span = port_range(rule)
                if span == "all" or (
                    isinstance(span, tuple) and (port is None or span[0] <= port <= span[1])
                ):
                    found.append(self.admits(owner, path, rule, balancer))
                elif isinstance(span, str):
                    found.append(_Tri(None, reason=f"rule of {group.address}: {span}"))
        return _either(found)

    def admits(
        self, owner: Resource, path: ModelPath, rule: Mapping[str, object], balancer: Resource
    ) -> _Tri:
        """Whether a rule's sources take in what the load balancer sends."""
        found: list[_Tri] = []
        source = rule.get("source_security_group")
        if source is not None:
            sames = [
                _same(source, mine) for mine in _items(balancer.properties.get("security_groups"))
            ]
            if True in sames:
                note = f"lets in the security group of {balancer.address}"
                found.append(
                    _Tri(True, (_step(owner, "rule", (*path, "source_security_group"), note),))
                )
            elif None in sames:
                found.append(
                    _Tri(
                        None,
                        reason=f"whether the source group of {owner.address} is one of "
                        f"{balancer.address}'s is not known",
                    )
                )
        network = balancer.properties.get("type") == "network"
        for index, cidr in enumerate(_items(rule.get("cidrs"))):
            where = (*path, "cidrs", index)
            world = _is_world(cidr)
            if world:
                note = "lets in every address"
                found.append(_Tri(True, (_step(owner, "rule", where, note),)))
                continue
            if world is None:
                found.append(_Tri(None, reason=f"a source of {owner.address} is not known"))
                continue
            if network:
                continue  # the clients' addresses arrive, not the load balancer's
            block = _network(cidr)
            ranges, reason = self.balancer_ranges(balancer)
            if block is None or reason is not None:
                found.append(
                    _Tri(None, reason=reason or f"a source of {owner.address} is not known")
                )
                continue
            if any(
                inner.version == block.version and inner.subnet_of(block)  # type: ignore[arg-type]
                for inner in ranges
            ):
                note = f"lets in the subnets of {balancer.address}"
                found.append(_Tri(True, (_step(owner, "rule", where, note),)))
        if rule.get("prefix_list") is not None:
            found.append(
                _Tri(None, reason=f"the prefix list of {owner.address} is not in the linted files")
            )
        return _either(found)

    def balancer_ranges(
        self, balancer: Resource
    ) -> tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...], str | None]:
        """The address ranges of the load balancer's subnets, or why they are not known."""
        key = balancer.address
        known = self._ranges.get(key)
        if known is None:
            ranges: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
            reason: str | None = None
            for item in _items(balancer.properties.get("subnets")):
                subnet, why = self.resolve(item, ("ec2.subnet",), balancer, "subnet")
                block = _network(subnet.properties.get("cidr")) if subnet is not None else None
                if block is None:
                    reason = (
                        why or f"the address range of a subnet of {balancer.address} is not known"
                    )
                    break
                ranges.append(block)
            if not ranges and reason is None:
                reason = f"the subnets of {balancer.address} are not known"
            known = self._ranges[key] = (tuple(ranges), reason)
        return known

    # -- instances and their configuration -------------------------------------

    def config(self, subject: Resource) -> tuple[Resource, Resource | None, str | None]:
        """The resource holding the launch settings (an instance, or a group's launch
        template or configuration), the template an instance is launched from, and why
        a group's settings are not known."""
        props = subject.properties
        if subject.kind == "ec2.instance":
            template, reason = self.resolve(
                props.get("launch_template"), ("ec2.launch_template",), subject, "launch template"
            )
            # What the instance does not set, its template (outside the files) does.
            own = "subnets" in props and "security_groups" in props
            if template is None and reason is not None and "launch_template" in props and not own:
                return subject, None, reason
            return subject, template, None
        for field, kind in (
            ("launch_template", "ec2.launch_template"),
            ("launch_configuration", "autoscaling.launch_configuration"),
        ):
            if field in props:
                found, reason = self.resolve(props[field], (kind,), subject, field)
                if found is None:
                    return subject, None, reason or f"its {field} is not known"
                return found, None, None
        return subject, None, "its launch settings are not known"

    def public_address(
        self, subject: Resource, config: Resource, template: Resource | None, subnet: _Tri
    ) -> _Tri:
        for holder in (config, template):
            if holder is None:
                continue
            written = holder.properties.get("associate_public_ip")
            if written is not None:
                flag = _flag(written)
                if flag is None:
                    return _Tri(None, reason=f"associate_public_ip {unknown_reason(written)}")
                if flag:
                    note = "gives it a public address"
                    return _Tri(
                        True, (_step(holder, "public address", ("associate_public_ip",), note),)
                    )
                return self.elastic_ip(subject)
        if subnet.truth is None:
            return subnet  # whether the subnet gives addresses is as unknown as the subnet
        mapped = [step for step in subnet.steps if step.role == "public subnet"]
        for step in mapped:
            for variant in self.graph.variants(step.resource):
                value = variant.properties.get("map_public_ip_on_launch")
                if value is None:
                    continue
                flag = _flag(value)
                if flag is None:
                    return _Tri(None, reason=f"map_public_ip_on_launch {unknown_reason(value)}")
                if flag:
                    note = "gives instances a public address"
                    where = ("map_public_ip_on_launch",)
                    return _Tri(True, (_step(variant, "public address", where, note),))
        return self.elastic_ip(subject)

    def elastic_ip(self, subject: Resource) -> _Tri:
        addresses = self.elastic_ips[subject.address]
        if not addresses:
            return _FALSE
        note = "an Elastic IP address"
        return _Tri(True, (_step(addresses[0], "public address", ("instance",), note),))

    def direct(self, subject: Resource, config: Resource, template: Resource | None) -> _Tri:
        """The direct ways in: through the instance's own subnet and groups, and through
        each network interface it is launched with or attached to."""
        holder_subnets = subject.properties.get("subnets")
        if holder_subnets is None and template is not None:
            holder_subnets = template.properties.get("subnets")
        groups = config.properties.get("security_groups")
        if groups is None and template is not None:
            groups = template.properties.get("security_groups")
        interfaces = self.interfaces_of[subject.address] if subject.kind == "ec2.instance" else []
        found: list[_Tri] = []
        if holder_subnets is not None or not interfaces:
            found.append(
                self.entry(
                    holder_subnets,
                    subject,
                    self.open_to_world(groups, config, default_open=False),
                    lambda subnet: self.public_address(subject, config, template, subnet),
                )
            )
        for named, holder, path in interfaces:
            interface, reason = self.resolve(
                named, ("ec2.network_interface",), holder, "network interface"
            )
            if interface is None:
                found.append(_Tri(None, reason=reason) if reason else _FALSE)
                continue
            attached = _step(holder, "network interface", path, f"attaches {interface.address}")
            way = self.entry(
                [interface.properties.get("subnet")],
                interface,
                # The interface's own groups are the ones that count for it.
                self.open_to_world(
                    interface.properties.get("security_groups"), interface, default_open=False
                ),
                partial(self.interface_address, interface),
            )
            attaching = _Tri(True, (attached,))
            found.append(_both(way, attaching)._replace(ports=way.ports))
        opened = [item for item in found if item.truth is True]
        if opened:
            ports = tuple(span for item in opened for span in item.ports)
            return _Tri(True, tuple(step for item in opened for step in item.steps), ports=ports)
        return _either(found)

    def interface_address(self, interface: Resource, subnet: _Tri) -> _Tri:
        addresses = self.interface_ips[interface.address]
        if not addresses:
            return _FALSE
        note = f"an Elastic IP address on network interface {interface.address}"
        where = ("network_interface",)
        return _Tri(True, (_step(addresses[0], "public address", where, note),))

    def entry(
        self,
        subnets: object,
        origin: Resource,
        opened: _Tri,
        address: Callable[[_Tri], _Tri],
    ) -> _Tri:
        """One way in from the internet: a public subnet whose network ACL lets the
        ports in, a public address, and security groups open to every address."""
        if opened.truth is False:
            return opened  # nothing lets the internet in, wherever it is launched
        items = _items(subnets)
        if not items:
            unknown = self.subnets(subnets, origin, ("subnets",))
            return _both(unknown, address(unknown), opened)
        found: list[_Tri] = []
        for item in items:
            subnet, reason = self.resolve(item, ("ec2.subnet",), origin, "subnet")
            if subnet is None:
                if reason is None:
                    found.append(_FALSE)
                else:
                    unknown = _Tri(None, reason=reason)
                    found.append(_both(unknown, address(unknown), opened))
                continue
            public = self.subnet(subnet)
            if public.truth is False:
                found.append(public)
                continue
            given = address(public)
            way = _both(public, given, opened)
            if way.truth is not True:
                found.append(way)
                continue
            ports, entries, why = self.through_acl(subnet, opened.ports)
            if why is not None:
                found.append(_Tri(None, reason=why))
                continue
            if not ports:
                found.append(_FALSE)
                continue
            rules = opened.steps
            if len(rules) == len(opened.ports):  # keep the rules whose ports get through
                rules = tuple(
                    rule
                    for rule, (low, high) in zip(rules, opened.ports, strict=True)
                    if any(start <= high and low <= end for start, end in ports)
                )
            steps = (*public.steps, *entries, *given.steps, *rules)
            found.append(_Tri(True, steps, ports=ports))
        return _either(found)

    # -- load balancers -------------------------------------------------------

    def load_balancer(self, balancer: Resource) -> _Tri:
        """Whether an internet-facing load balancer sits in a public subnet."""

        def compute() -> _Tri:
            scheme = balancer.properties.get("scheme")
            if scheme == "internal":
                return _FALSE
            if scheme != "internet-facing":
                return _Tri(None, reason=f"the scheme of {balancer.address} is not known")
            subnet = self.subnets(balancer.properties.get("subnets"), balancer, ("subnets",))
            note = "internet-facing"
            return _both(subnet, _Tri(True, (_step(balancer, "load balancer", ("scheme",), note),)))

        return self.memo(("balancer", balancer.address), compute)

    def listener_open(self, balancer: Resource, port: object) -> _Tri:
        network = balancer.properties.get("type") == "network"
        opened = self.open_to_world(
            balancer.properties.get("security_groups"), balancer, default_open=network
        )
        if opened.truth is not True:
            return opened
        if isinstance(port, int) and not any(low <= port <= high for low, high in opened.ports):
            return _FALSE
        return _both(opened, self.balancer_acl(balancer, port))

    def balancer_acl(self, balancer: Resource, port: object) -> _Tri:
        """Whether the network ACL of one of the load balancer's public subnets lets
        the listener's port in from every address."""
        ports = _ports(port)
        found: list[_Tri] = []
        for item in _items(balancer.properties.get("subnets")):
            subnet, _ = self.resolve(item, ("ec2.subnet",), balancer, "subnet")
            if subnet is None or self.subnet(subnet).truth is not True:
                continue
            kept, entries, reason = self.through_acl(subnet, ports)
            if reason is not None:
                found.append(_Tri(None, reason=reason))
            elif kept:
                found.append(_Tri(True, entries))
            else:
                found.append(_FALSE)
        # No public subnet of its own: the load balancer step has said so already.
        return _either(found, empty=_Tri(True))

    def through_balancers(
        self, subject: Resource, config: Resource, template: Resource | None
    ) -> list[_Tri]:
        groups = config.properties.get("security_groups")
        if groups is None and template is not None:
            groups = template.properties.get("security_groups")
        subnets = subject.properties.get("subnets")
        if subnets is None and template is not None:
            subnets = template.properties.get("subnets")
        found: list[_Tri] = []
        for group, step, port in self.target_groups(subject, found):
            for listener, index in self.listeners[group.address]:
                found.append(
                    self.forwarding(
                        listener, index, group, step, port, subject, (groups, subnets), config
                    )
                )
        for balancer, listener_steps, port in self.classic_balancers(subject, found):
            for index, spec in enumerate(_items(balancer.properties.get("listeners"))):
                if not isinstance(spec, dict):
                    continue
                instance_port = spec.get("instance_port")
                target_port = instance_port if isinstance(instance_port, int) else port
                way = _both(
                    self.load_balancer(balancer),
                    self.listener_open(balancer, spec.get("port")),
                    _Tri(
                        True, (_step(balancer, "listener", ("listeners", index)), *listener_steps)
                    ),
                    self.allows_port(groups, config, target_port, balancer),
                    self.subnet_admits(subject, subnets, balancer, target_port),
                )
                found.append(way._replace(ports=_ports(target_port)))
        return found

    def subnet_admits(
        self, subject: Resource, subnets: object, balancer: Resource, port: object
    ) -> _Tri:
        """Whether the network ACL of one of the subject's subnets (of the files) lets
        the load balancer's traffic in on the target port: from its subnets, or, for a
        network load balancer without security groups, from every address."""
        ports = _ports(port)
        source = self.balancer_source(balancer)
        found: list[_Tri] = []
        for item in _items(subnets):
            subnet, _ = self.resolve(item, ("ec2.subnet",), subject, "subnet")
            if subnet is None:
                continue  # its ACL is as unknown as the subnet, which the way does not need
            if isinstance(source, str):
                if self.acl(subnet) is _OPEN_ACL:
                    found.append(_Tri(True))
                else:
                    found.append(_Tri(None, reason=source))
                continue
            kept, entries, reason = self.through_acl(subnet, ports, source)
            if reason is not None:
                found.append(_Tri(None, reason=reason))
            elif kept:
                found.append(_Tri(True, entries))
            else:
                found.append(_FALSE)
        return _either(found, empty=_Tri(True))

    def balancer_source(self, balancer: Resource) -> _Source | str:
        """Where the load balancer's traffic comes from, or why that is not known."""
        network = balancer.properties.get("type") == "network"
        if network and not _items(balancer.properties.get("security_groups")):
            return _WORLD
        ranges, reason = self.balancer_ranges(balancer)
        if reason is not None:
            return reason
        return _Source(f"the subnets of {balancer.address}", ranges)

    def forwarding(
        self,
        listener: Resource,
        index: int,
        group: Resource,
        step: Step,
        port: int | None,
        subject: Resource,
        where: tuple[object, object],
        config: Resource,
    ) -> _Tri:
        """The way from a listener (or listener rule) forwarding to a target group:
        `where` holds the subject's security groups and subnets."""
        groups, subnets = where
        holder = listener
        if listener.properties.get("rule") is True:
            found, reason = self.resolve(
                listener.properties.get("listener"), ("elb.listener",), listener, "listener"
            )
            if found is None:
                return _Tri(None, reason=reason) if reason else _FALSE
            holder = found
        balancer, reason = self.resolve(
            holder.properties.get("load_balancer"), ("elb.load_balancer",), holder, "load balancer"
        )
        if balancer is None:
            return _Tri(None, reason=reason) if reason else _FALSE
        listener_port = holder.properties.get("port")
        note = f"port {listener_port}" if isinstance(listener_port, int) else ""
        target_port = port if port is not None else group.properties.get("port")
        hops = [_step(holder, "listener", ("port",) if note else (), note)]
        if holder is not listener:
            hops.append(_step(listener, "listener rule", ("target_groups", index)))
        hops.append(_step(group, "target group", (), f"forwards to {subject.address}"))
        hops.append(step)
        way = _both(
            self.load_balancer(balancer),
            self.listener_open(balancer, listener_port),
            _Tri(True, tuple(hops)),
            self.allows_port(
                groups, config, target_port if isinstance(target_port, int) else None, balancer
            ),
            self.subnet_admits(subject, subnets, balancer, target_port),
        )
        return way._replace(ports=_ports(target_port))

    def target_groups(
        self, subject: Resource, unknown: list[_Tri]
    ) -> list[tuple[Resource, Step, int | None]]:
        """The target groups sending traffic to the subject, with the hop that registers
        it; a target group named outside the files adds an unknown way to `unknown`."""
        out: list[tuple[Resource, Step, int | None]] = []
        for group, index in self.targeted[subject.address]:
            target = _items(group.properties.get("targets"))[index]
            port = target.get("port") if isinstance(target, dict) else None
            registered = _step(group, "target", ("targets", index))
            out.append((group, registered, port if isinstance(port, int) else None))
        for attachment in self.attached_to[subject.address]:
            attached, reason = self.resolve(
                attachment.properties.get("target_group"),
                ("elb.target_group", "elb.load_balancer"),
                attachment,
                "target group",
            )
            if attached is None:
                if reason:
                    unknown.append(_Tri(None, reason=reason))
            elif attached.kind == "elb.target_group":
                port = attachment.properties.get("port")
                registered = _step(attachment, "target", ("target",))
                out.append((attached, registered, port if isinstance(port, int) else None))
        if subject.kind == "autoscaling.group":
            for index, value in enumerate(_items(subject.properties.get("target_groups"))):
                named, reason = self.resolve(value, ("elb.target_group",), subject, "target group")
                if named is not None:
                    out.append((named, _step(subject, "target", ("target_groups", index)), None))
                elif reason:
                    unknown.append(_Tri(None, reason=reason))
        return out

    def classic_balancers(
        self, subject: Resource, unknown: list[_Tri]
    ) -> list[tuple[Resource, tuple[Step, ...], int | None]]:
        out: list[tuple[Resource, tuple[Step, ...], int | None]] = []
        for balancer, index in self.classic[subject.address]:
            out.append((balancer, (_step(balancer, "target", ("instances", index)),), None))
        for attachment in self.attached_to[subject.address]:
            attached, _ = self.resolve(
                attachment.properties.get("target_group"),
                ("elb.load_balancer",),
                attachment,
                "load balancer",
            )
            if attached is not None and attached.properties.get("type") == "classic":
                out.append((attached, (_step(attachment, "target", ("target",)),), None))
        if subject.kind == "autoscaling.group":
            for index, value in enumerate(_items(subject.properties.get("load_balancers"))):
                named, reason = self.resolve(
                    value, ("elb.load_balancer",), subject, "load balancer"
                )
                if named is not None:
                    step = _step(subject, "target", ("load_balancers", index))
                    out.append((named, (step,), None))
                elif reason:
                    unknown.append(_Tri(None, reason=reason))
        return out

    # -- one subject ------------------------------------------------------------

    def exposure(self, subject: Resource) -> Exposure:
        config, template, reason = self.config(subject)
        if reason is not None:
            return Exposure(unknown=reason)
        ways: list[Way] = []
        unknown: str | None = None
        tail: list[Step] = []
        if config is not subject:
            tail.append(_step(config, "launch settings"))
        tail.append(_step(subject, "instance" if subject.kind == "ec2.instance" else "group"))
        candidates = [(True, self.direct(subject, config, template))]
        candidates += [(False, way) for way in self.through_balancers(subject, config, template)]
        for direct, found in candidates:
            if found.truth is True:
                ways.append(Way(direct, found.ports, (*found.steps, *tail)))
            elif found.truth is None and unknown is None:
                unknown = found.reason or "unknown"
        return Exposure(tuple(ways), unknown)


def _ports(port: object) -> Ports:
    return ((port, port),) if isinstance(port, int) and not isinstance(port, bool) else _EVERY_PORT


def _describe(ports: Ports) -> str:
    if any(span == (0, 65535) for span in ports):
        return "every port"
    shown = [str(low) if low == high else f"{low}-{high}" for low, high in ports]
    return "port " + ", ".join(shown) if len(shown) == 1 else "ports " + ", ".join(shown)


def describe_ports(ports: Ports) -> str:
    return _describe(ports)


def analyse(graph: Graph) -> dict[tuple[str, tuple[tuple[str, bool], ...]], Exposure]:
    """The exposure of every instance and Auto Scaling group of the graph, by address
    and variant."""
    subjects = graph.of_kinds(SUBJECT_KINDS)
    if not subjects:
        return {}
    walk = _Walk(graph)
    return {(subject.address, subject.conditions): walk.exposure(subject) for subject in subjects}

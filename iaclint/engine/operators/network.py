"""Operators on network rules and address ranges.

A rule here is the common model's network rule (security group rules and network
ACL entries alike): protocol, port range, ICMP type/code, CIDR blocks.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from iaclint.engine.operators.base import Argument, Operator, Verdict, unknown
from iaclint.graph.values import PartialString, Reference, Unknown, concrete, unknown_reason

_PORTS = {"tcp", "udp"}
_ALL_PORTS = (0, 65535)


def _cidr_is_world(value: object, args: Mapping[str, object]) -> Verdict:
    """Any network with prefix length 0, in IPv4 or IPv6, however it is spelled."""
    if isinstance(value, PartialString):
        last = value.parts[-1]
        if isinstance(last, str) and last.strip().endswith("/0"):
            return Verdict(True)
        return unknown(unknown_reason(value))
    if isinstance(value, Unknown | Reference):
        return unknown(unknown_reason(value))
    if not isinstance(value, str):
        return Verdict(False)
    try:
        network = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return Verdict(False)
    return Verdict(network.prefixlen == 0)


def port_range(rule: Mapping[str, object]) -> tuple[int, int] | str | None:
    """The rule's port range; 'all' for every port of every protocol; None when it has no ports.

    Returns a reason (str other than 'all') when the range is not known.
    """
    # A parameter's default stands for the parameter.
    protocol = concrete(rule.get("protocol"))
    if protocol == "all":
        return "all"
    if not isinstance(protocol, str):
        return f"protocol: {unknown_reason(protocol)}" if protocol is not None else None
    if protocol not in _PORTS:
        return None  # ICMP and other protocols have no ports
    bounds = []
    for key, default in (("from_port", _ALL_PORTS[0]), ("to_port", _ALL_PORTS[1])):
        value = concrete(rule.get(key, default))
        if not isinstance(value, int) or isinstance(value, bool):
            return f"{key}: {unknown_reason(value)}"
        bounds.append(value)
    low, high = bounds
    return (min(low, high), max(low, high))


def _describe(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}-{high}"


def _opens_ports(value: object, args: Mapping[str, object]) -> Verdict:
    if not isinstance(value, dict):
        return Verdict(False)
    ports = args["ports"]
    assert isinstance(ports, list)
    span = port_range(value)
    if span == "all":
        return Verdict(True, {"ports": "all ports (all protocols)"})
    if isinstance(span, str):
        return unknown(span)
    if span is None:
        return Verdict(False)
    low, high = span
    covered = [port for port in ports if low <= port <= high]
    if not covered:
        return Verdict(False)
    if (low, high) == _ALL_PORTS:
        return Verdict(True, {"ports": "all ports"})
    return Verdict(True, {"ports": ", ".join(str(port) for port in covered)})


def _opens_ports_except(value: object, args: Mapping[str, object]) -> Verdict:
    if not isinstance(value, dict):
        return Verdict(False)
    allowed = args["ports"]
    assert isinstance(allowed, list)
    span = port_range(value)
    if span == "all":
        return Verdict(True, {"ports": "all ports (all protocols)"})
    if isinstance(span, str):
        return unknown(span)
    if span is None:
        return Verdict(False)
    low, high = span
    inside = {port for port in allowed if low <= port <= high}
    if high - low + 1 <= len(inside):
        return Verdict(False)
    if (low, high) == _ALL_PORTS:
        return Verdict(True, {"ports": "all ports"})
    return Verdict(True, {"ports": _describe(low, high)})


_PORT_LIST = Argument("list[int]", description="port numbers")

OPERATORS = (
    Operator(
        "cidr_is_world",
        _cidr_is_world,
        "The value is a CIDR block covering every address: any /0 network in IPv4 or IPv6 "
        "(0.0.0.0/0, 1.2.3.4/0, ::/0, ::0/0, 0:0:0:0:0:0:0:0/0).",
        sees_unknowns=True,
    ),
    Operator(
        "opens_ports",
        _opens_ports,
        "The value is a network rule that lets traffic reach one of `ports`: protocol all "
        "(-1) opens every port whatever the port fields say; a TCP/UDP range covering a port "
        "counts; ICMP type and code are never ports.",
        {"ports": _PORT_LIST},
        facts=frozenset({"ports"}),
    ),
    Operator(
        "opens_ports_except",
        _opens_ports_except,
        "The value is a network rule that lets traffic reach some port not in `ports` "
        "(protocol all, or a TCP/UDP range reaching beyond them).",
        {"ports": _PORT_LIST},
        facts=frozenset({"ports"}),
    ),
)

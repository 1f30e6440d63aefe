"""The operator on the exposure analysis: is the subject reachable from the internet."""

from __future__ import annotations

from collections.abc import Mapping

# The module, not its names: the walk itself uses operators of this package.
from iaclint.engine import exposure as walk
from iaclint.engine.operators.base import Argument, Operator, Verdict, unknown
from iaclint.graph.model import Graph


def _analyse(graph: Graph) -> Mapping[tuple[str, tuple[tuple[str, bool], ...]], object]:
    return walk.analyse(graph)


def _reaches(way: walk.Way, ports: list[object]) -> bool:
    return any(
        low <= port <= high for port in ports if isinstance(port, int) for low, high in way.ports
    )


def _internet_reachable(value: object, args: Mapping[str, object]) -> Verdict:
    if not isinstance(value, walk.Exposure):
        return Verdict(False)
    directly = args["directly"] is True
    ports = args["ports"]
    assert isinstance(ports, list)
    ways = [
        way
        for way in value.ways
        if (way.direct or not directly) and (not ports or _reaches(way, ports))
    ]
    if not ways:
        return unknown(value.unknown) if value.unknown is not None else Verdict(False)
    way = ways[0]
    if way.direct:
        how = "directly"
    else:
        balancer = next((step.resource for step in way.steps if step.role == "load balancer"), "")
        how = f"through load balancer {balancer}"
    return Verdict(True, {"how": how, "ports": walk.describe_ports(way.ports)}, path=way.steps)


OPERATORS = (
    Operator(
        "internet_reachable",
        _internet_reachable,
        "The subject (an instance or an Auto Scaling group) can be reached from the "
        "internet: directly (a public subnet, a public address and a security group open "
        "to every address) or through an internet-facing load balancer that forwards to "
        "it. The path `$` is the resource; unknown when a step depends on something "
        "outside the linted files. Gives `how` and `ports`, and the path from the "
        "internet gateway to the subject.",
        {
            "directly": Argument(
                "bool", False, False, "only a direct way counts, not a load balancer"
            ),
            "ports": Argument(
                "list[int]", False, [], "only a way reaching one of these ports counts"
            ),
        },
        facts=frozenset({"how", "ports"}),
        sees_unknowns=True,
        analysis=_analyse,
    ),
)

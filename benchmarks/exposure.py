"""How the exposure analysis (IAC070) scales: a generated VPC, CloudFormation and Terraform.

    python benchmarks/exposure.py              # 1,000 instances, 100 subnets, 50 load balancers
    python benchmarks/exposure.py --scale 4    # also 2x and 4x that
    python benchmarks/exposure.py --runs 5     # medians of 5 runs

The VPC has an internet gateway, a public and a private route table, subnets split
between them, security groups (some open to the world), instances spread over the
subnets (some with public addresses), and internet-facing load balancers, each with
a listener and a target group registering ten instances. For each format and size it
prints the median time of the analysis alone (the graph is built once, outside the
timing), of the whole IAC070 evaluation, and of a whole lint of the file with IAC070
only, then how each grows from the smallest size: linear work doubles with the size.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from iaclint.discover import Candidate  # noqa: E402
from iaclint.engine.evaluate import evaluate  # noqa: E402
from iaclint.engine.exposure import analyse  # noqa: E402
from iaclint.file_work import lint_file  # noqa: E402
from iaclint.graph.model import Graph  # noqa: E402
from iaclint.run import Options, prepare  # noqa: E402
from iaclint.run_terraform import lint_terraform  # noqa: E402

BASE_INSTANCES = 1000
BASE_SUBNETS = 100
BASE_BALANCERS = 50
TARGETS_PER_GROUP = 10


def cloudformation(instances: int, subnets: int, balancers: int) -> str:
    out = [
        "Resources:",
        "  Vpc:",
        "    Type: AWS::EC2::VPC",
        "    Properties: {CidrBlock: 10.0.0.0/8}",
        "  Gateway:",
        "    Type: AWS::EC2::InternetGateway",
        "  PublicRoutes:",
        "    Type: AWS::EC2::RouteTable",
        "    Properties: {VpcId: !Ref Vpc}",
        "  ToInternet:",
        "    Type: AWS::EC2::Route",
        "    Properties: {RouteTableId: !Ref PublicRoutes, DestinationCidrBlock: 0.0.0.0/0, "
        "GatewayId: !Ref Gateway}",
        "  PrivateRoutes:",
        "    Type: AWS::EC2::RouteTable",
        "    Properties: {VpcId: !Ref Vpc}",
        "  Open:",
        "    Type: AWS::EC2::SecurityGroup",
        "    Properties:",
        "      GroupDescription: open",
        "      VpcId: !Ref Vpc",
        "      SecurityGroupIngress:",
        "        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}",
        "        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}",
        "  Internal:",
        "    Type: AWS::EC2::SecurityGroup",
        "    Properties:",
        "      GroupDescription: internal",
        "      VpcId: !Ref Vpc",
        "      SecurityGroupIngress:",
        "        - {IpProtocol: tcp, FromPort: 8080, ToPort: 8080, CidrIp: 10.0.0.0/8}",
    ]
    for index in range(subnets):
        table = "PublicRoutes" if index % 2 == 0 else "PrivateRoutes"
        out += [
            f"  Subnet{index}:",
            "    Type: AWS::EC2::Subnet",
            f"    Properties: {{VpcId: !Ref Vpc, CidrBlock: 10.{index // 256}.{index % 256}.0/24}}",
            f"  Subnet{index}Routes:",
            "    Type: AWS::EC2::SubnetRouteTableAssociation",
            f"    Properties: {{SubnetId: !Ref Subnet{index}, RouteTableId: !Ref {table}}}",
        ]
    for index in range(instances):
        group = "Open" if index % 3 == 0 else "Internal"
        out += [
            f"  Server{index}:",
            "    Type: AWS::EC2::Instance",
            "    Properties:",
            "      ImageId: ami-0123456789abcdef0",
            f"      SubnetId: !Ref Subnet{index % subnets}",
            f"      SecurityGroupIds: [!Ref {group}]",
            f"      AssociatePublicIpAddress: {'true' if index % 2 == 0 else 'false'}",
        ]
    for index in range(balancers):
        first = (2 * index) % subnets
        targets = ", ".join(
            f"{{Id: !Ref Server{(index * TARGETS_PER_GROUP + k) % instances}}}"
            for k in range(TARGETS_PER_GROUP)
        )
        out += [
            f"  Balancer{index}:",
            "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer",
            "    Properties:",
            f"      Subnets: [!Ref Subnet{first}, !Ref Subnet{(first + 2) % subnets}]",
            "      SecurityGroups: [!Ref Open]",
            f"  Listener{index}:",
            "    Type: AWS::ElasticLoadBalancingV2::Listener",
            "    Properties:",
            f"      LoadBalancerArn: !Ref Balancer{index}",
            "      Port: 443",
            "      Protocol: HTTPS",
            f"      DefaultActions: [{{Type: forward, TargetGroupArn: !Ref Targets{index}}}]",
            f"  Targets{index}:",
            "    Type: AWS::ElasticLoadBalancingV2::TargetGroup",
            "    Properties:",
            "      Port: 8080",
            "      Protocol: HTTP",
            f"      Targets: [{targets}]",
        ]
    return "\n".join(out) + "\n"


def terraform(instances: int, subnets: int, balancers: int) -> str:
    out = [
        'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/8"\n}',
        'resource "aws_internet_gateway" "main" {\n  vpc_id = aws_vpc.main.id\n}',
        'resource "aws_route_table" "public" {\n  vpc_id = aws_vpc.main.id\n'
        '  route {\n    cidr_block = "0.0.0.0/0"\n'
        "    gateway_id = aws_internet_gateway.main.id\n  }\n}",
        'resource "aws_route_table" "private" {\n  vpc_id = aws_vpc.main.id\n}',
        'resource "aws_security_group" "open" {\n  vpc_id = aws_vpc.main.id\n'
        '  ingress {\n    from_port = 443\n    to_port = 443\n    protocol = "tcp"\n'
        '    cidr_blocks = ["0.0.0.0/0"]\n  }\n'
        '  ingress {\n    from_port = 22\n    to_port = 22\n    protocol = "tcp"\n'
        '    cidr_blocks = ["0.0.0.0/0"]\n  }\n}',
        'resource "aws_security_group" "internal" {\n  vpc_id = aws_vpc.main.id\n'
        '  ingress {\n    from_port = 8080\n    to_port = 8080\n    protocol = "tcp"\n'
        '    cidr_blocks = ["10.0.0.0/8"]\n  }\n}',
    ]
    for index in range(subnets):
        table = "public" if index % 2 == 0 else "private"
        out.append(
            f'resource "aws_subnet" "s{index}" {{\n  vpc_id = aws_vpc.main.id\n'
            f'  cidr_block = "10.{index // 256}.{index % 256}.0/24"\n}}\n'
            f'resource "aws_route_table_association" "s{index}" {{\n'
            f"  subnet_id = aws_subnet.s{index}.id\n"
            f"  route_table_id = aws_route_table.{table}.id\n}}"
        )
    for index in range(instances):
        group = "open" if index % 3 == 0 else "internal"
        out.append(
            f'resource "aws_instance" "i{index}" {{\n  ami = "ami-0123456789abcdef0"\n'
            f'  instance_type = "t3.micro"\n  subnet_id = aws_subnet.s{index % subnets}.id\n'
            f"  vpc_security_group_ids = [aws_security_group.{group}.id]\n"
            f"  associate_public_ip_address = {'true' if index % 2 == 0 else 'false'}\n}}"
        )
    for index in range(balancers):
        first = (2 * index) % subnets
        out.append(
            f'resource "aws_lb" "b{index}" {{\n'
            f"  subnets = [aws_subnet.s{first}.id, aws_subnet.s{(first + 2) % subnets}.id]\n"
            "  security_groups = [aws_security_group.open.id]\n}\n"
            f'resource "aws_lb_listener" "b{index}" {{\n'
            f"  load_balancer_arn = aws_lb.b{index}.arn\n"
            '  port = 443\n  protocol = "HTTPS"\n'
            '  default_action {\n    type = "forward"\n'
            f"    target_group_arn = aws_lb_target_group.b{index}.arn\n  }}\n}}\n"
            f'resource "aws_lb_target_group" "b{index}" {{\n'
            '  port = 8080\n  protocol = "HTTP"\n  vpc_id = aws_vpc.main.id\n}'
        )
        for k in range(TARGETS_PER_GROUP):
            target = (index * TARGETS_PER_GROUP + k) % instances
            out.append(
                f'resource "aws_lb_target_group_attachment" "b{index}_{k}" {{\n'
                f"  target_group_arn = aws_lb_target_group.b{index}.arn\n"
                f"  target_id = aws_instance.i{target}.id\n}}"
            )
    return "\n\n".join(out) + "\n"


def median_seconds(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        gc.collect()  # the previous run's garbage is not this run's cost
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cloudformation_graph(path: Path) -> Graph:
    from iaclint.adapt.cloudformation.template import adapt_template
    from iaclint.parse.cloudformation import read_template

    graph, _ = adapt_template(read_template(path.read_text(encoding="utf-8"), path.name))
    return graph


def _terraform_graph(directory: Path) -> Graph:
    from iaclint.adapt.terraform.build import adapt_unit
    from iaclint.adapt.terraform.loader import ModuleLoader
    from iaclint.adapt.terraform.module import Unit
    from iaclint.adapt.terraform.tfvars import root_values

    loader = ModuleLoader([directory])
    values, _ = root_values(loader, directory, directory.name, [])
    graph, _ = adapt_unit(Unit(loader, directory, directory.name, values))
    return graph


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=2, help="largest size, times the base")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement")
    args = parser.parse_args(argv)
    policies = [policy for policy in prepare(Options()).policies if policy.id == "IAC070"]
    sizes = sorted({1, *range(2, args.scale + 1, 2), args.scale} - {0})
    print(
        f"{'format':<15}{'size':>5}{'instances':>10}{'analysis s':>12}"
        f"{'evaluate s':>12}{'lint s':>10}{'findings':>10}"
    )
    with tempfile.TemporaryDirectory() as work:
        for name in ("cloudformation", "terraform"):
            base: tuple[float, float, float] | None = None
            for size in sizes:
                counts = (BASE_INSTANCES * size, BASE_SUBNETS * size, BASE_BALANCERS * size)
                folder = Path(work) / f"{name}-{size}"
                folder.mkdir()
                if name == "cloudformation":
                    path = folder / "vpc.yaml"
                    path.write_text(cloudformation(*counts), encoding="utf-8")
                    graph = _cloudformation_graph(path)

                    def lint(path: Path = path) -> int:
                        return len(lint_file(Candidate(path, path.name), policies).findings)
                else:
                    path = folder / "main.tf"
                    path.write_text(terraform(*counts), encoding="utf-8")
                    graph = _terraform_graph(folder)

                    def lint(path: Path = path, folder: Path = folder) -> int:
                        candidate = Candidate(path, path.name)
                        return len(lint_terraform([candidate], policies, [str(folder)]).findings)

                analysis = median_seconds(lambda graph=graph: analyse(graph), args.runs)
                evaluation = median_seconds(
                    lambda graph=graph: evaluate(graph, policies, lambda span: None), args.runs
                )
                whole = median_seconds(lint, args.runs)
                found = lint()
                print(
                    f"{name:<15}{size:>4}x{counts[0]:>10}{analysis:>12.3f}"
                    f"{evaluation:>12.3f}{whole:>10.2f}{found:>10}"
                )
                if base is None:
                    base = (analysis, evaluation, whole)
                elif size > 1:
                    ratios = [
                        now / then
                        for now, then in zip((analysis, evaluation, whole), base, strict=True)
                    ]
                    print(
                        f"{'':<15}{'':>5}{'growth':>10}"
                        + "".join(
                            f"{ratio:>{width}.2f}x"
                            for ratio, width in zip(ratios, (11, 11, 9), strict=True)
                        )
                        + f"   (size {size}x: linear is {size}.00x)"
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How the exposure analysis (IAC070) scales: a generated VPC, CloudFormation and Terraform.

    python benchmarks/exposure.py                    # 0.25x, 0.5x, 1x and 2x the base VPC
    python benchmarks/exposure.py --sizes 1,2,4,8    # 1,000 to 8,000 instances
    python benchmarks/exposure.py --scale 4          # 1x, 2x and 4x
    python benchmarks/exposure.py --runs 7           # best of 7 runs

The base VPC (1x) has 1,000 instances, 100 subnets and 50 internet-facing load
balancers: an internet gateway attached to it, a public and a private route table,
subnets split between them, a network ACL (SSH denied, the rest allowed) on a
quarter of them, security groups (some open to the world), instances spread over the
subnets (some with public addresses), and load balancers each with a listener and a
target group registering ten instances.

A CloudFormation template over iaclint's 2 MB limit (8x; CloudFormation itself takes
1 MB) is not linted: its analysis is still timed. Terraform goes in files of about
500 kB each, one module; a module over the 2.5 MiB limit (8x) is read in part only
and is not measured.

For each format and size it prints the best of `--runs` runs (the least disturbed
by other work on a busy machine) of: the analysis alone (the graph is built once,
outside the timing), the whole IAC070 evaluation (analysis and traits), and a whole
lint of the file with IAC070 only (reading and parsing included); then, for each
size that doubles the one before, how much each time grew: linear work grows 2.00x
per doubling, quadratic work 4.00x.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from iaclint.diagnostics import Level  # noqa: E402
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
        "  Attachment:",
        "    Type: AWS::EC2::VPCGatewayAttachment",
        "    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Gateway}",
        "  NoSsh:",
        "    Type: AWS::EC2::NetworkAcl",
        "    Properties: {VpcId: !Ref Vpc}",
        "  DenySsh:",
        "    Type: AWS::EC2::NetworkAclEntry",
        "    Properties: {NetworkAclId: !Ref NoSsh, RuleNumber: 100, Protocol: 6, "
        "RuleAction: deny, CidrBlock: 0.0.0.0/0, PortRange: {From: 22, To: 22}}",
        "  AllowRest:",
        "    Type: AWS::EC2::NetworkAclEntry",
        "    Properties: {NetworkAclId: !Ref NoSsh, RuleNumber: 200, Protocol: -1, "
        "RuleAction: allow, CidrBlock: 0.0.0.0/0}",
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
        if index % 4 == 0:
            out += [
                f"  Subnet{index}Acl:",
                "    Type: AWS::EC2::SubnetNetworkAclAssociation",
                f"    Properties: {{SubnetId: !Ref Subnet{index}, NetworkAclId: !Ref NoSsh}}",
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
    guarded = ", ".join(f"aws_subnet.s{index}.id" for index in range(0, subnets, 4))
    out.append(
        'resource "aws_network_acl" "no_ssh" {\n  vpc_id = aws_vpc.main.id\n'
        f"  subnet_ids = [{guarded}]\n"
        '  ingress {\n    rule_no = 100\n    action = "deny"\n    protocol = "tcp"\n'
        '    cidr_block = "0.0.0.0/0"\n    from_port = 22\n    to_port = 22\n  }\n'
        '  ingress {\n    rule_no = 200\n    action = "allow"\n    protocol = "-1"\n'
        '    cidr_block = "0.0.0.0/0"\n    from_port = 0\n    to_port = 0\n  }\n}'
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


def best_seconds(work: Callable[[], object], runs: int) -> float:
    """The fastest of `runs` runs: what the work costs when nothing else interferes."""
    times = []
    for _ in range(runs):
        gc.collect()  # the previous run's garbage is not this run's cost
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


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


CHUNK = 500_000  # bytes per generated .tf file


def _split(text: str, size: int) -> list[str]:
    """Terraform text cut between blocks into pieces of about `size` bytes."""
    pieces: list[str] = []
    current: list[str] = []
    length = 0
    for block in text.split("\n\n"):
        if current and length + len(block) > size:
            pieces.append("\n\n".join(current) + "\n")
            current, length = [], 0
        current.append(block)
        length += len(block) + 2
    pieces.append("\n\n".join(current) + "\n")
    return pieces


def _sizes(text: str) -> list[float]:
    try:
        sizes = sorted({float(part) for part in text.split(",") if part.strip()})
    except ValueError:
        message = f"sizes must be numbers, like 0.25,0.5,1,2: {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not sizes or sizes[0] <= 0:
        raise argparse.ArgumentTypeError(f"sizes must be positive: {text!r}")
    return sizes


def _counts(size: float) -> tuple[int, int, int]:
    return (
        round(BASE_INSTANCES * size),
        max(4, round(BASE_SUBNETS * size)),
        max(1, round(BASE_BALANCERS * size)),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=[0.25, 0.5, 1.0, 2.0],
        help="sizes, times the base VPC, comma-separated (default 0.25,0.5,1,2)",
    )
    parser.add_argument(
        "--scale", type=int, help="largest size, times the base: sizes 1, 2, 4, ... up to it"
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (the best)")
    parser.add_argument(
        "--formats",
        default="cloudformation,terraform",
        help="formats to measure, comma-separated (default cloudformation,terraform)",
    )
    args = parser.parse_args(argv)
    sizes: list[float] = args.sizes
    if args.scale is not None:
        sizes = [1.0]
        while sizes[-1] * 2 <= args.scale:
            sizes.append(sizes[-1] * 2)
    policies = [policy for policy in prepare(Options()).policies if policy.id == "IAC070"]
    print(f"best of {args.runs} runs, seconds")
    print(
        f"{'format':<15}{'size':>6}{'instances':>10}{'resources':>10}{'analysis':>10}"
        f"{'evaluate':>10}{'lint':>9}{'findings':>9}"
    )
    with tempfile.TemporaryDirectory() as work:
        for name in args.formats.split(","):
            before: tuple[float, float, float, float] | None = None
            for size in sizes:
                counts = _counts(size)
                folder = Path(work) / f"{name}-{size}"
                folder.mkdir()
                if name == "cloudformation":
                    path = folder / "vpc.yaml"
                    path.write_text(cloudformation(*counts), encoding="utf-8")
                    graph = _cloudformation_graph(path)

                    def lint(path: Path = path) -> int | None:
                        result = lint_file(Candidate(path, path.name), policies)
                        # A template over the size limit is not linted: no figure.
                        return len(result.findings) if result.linted else None
                elif name == "terraform":
                    # One module in files of a few hundred kilobytes, as people write them.
                    files = _split(terraform(*counts), CHUNK)
                    for index, text in enumerate(files):
                        (folder / f"part{index:03}.tf").write_text(text, encoding="utf-8")
                    graph = _terraform_graph(folder)

                    def lint(folder: Path = folder) -> int | None:
                        candidates = [Candidate(p, p.name) for p in sorted(folder.glob("*.tf"))]
                        result = lint_terraform(candidates, policies, [str(folder)])
                        # A module over the size limit is read in part: no figure.
                        if any(d.level is Level.ERROR for d in result.diagnostics):
                            return None
                        return len(result.findings)
                else:
                    parser.error(f"unknown format {name!r}: cloudformation or terraform")

                analysis = best_seconds(lambda graph=graph: analyse(graph), args.runs)
                evaluation = best_seconds(
                    lambda graph=graph: evaluate(graph, policies, lambda span: None), args.runs
                )
                found = lint()
                if found is None and name == "terraform":
                    # Only a part of the module is read: nothing to compare.
                    print(f"{name:<15}{size:>5g}x{counts[0]:>10}  (over the input size limit)")
                    before = None
                    continue
                whole = best_seconds(lint, args.runs) if found is not None else float("nan")
                print(
                    f"{name:<15}{size:>5g}x{counts[0]:>10}{len(graph.resources):>10}"
                    f"{analysis:>10.3f}{evaluation:>10.3f}{whole:>9.2f}"
                    + (f"{found:>9}" if found is not None else "  (over the file size limit)")
                )
                if before is not None and size == 2 * before[0]:
                    ratios = [
                        now / then
                        for now, then in zip((analysis, evaluation, whole), before[1:], strict=True)
                    ]
                    print(
                        f"{'':<15}{'':>6}{'per doubling':>20}"
                        + "".join(
                            f"{ratio:>{width}.2f}x" if ratio == ratio else f"{'-':>{width + 1}}"
                            for ratio, width in zip(ratios, (9, 9, 8), strict=True)
                        )
                        + "   (linear: 2.00x)"
                    )
                before = (size, analysis, evaluation, whole)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

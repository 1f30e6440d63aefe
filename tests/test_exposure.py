"""Exposure before deployment (IAC070): the way in from the internet, hop by hop, in
every format, its traits and the severity they give, and how reports show it."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from iaclint.discover import Candidate
from iaclint.engine.policy import Policy, PolicyError, compile_policy
from iaclint.findings import Finding, Report, Severity
from iaclint.parse.cloudformation import read_template
from iaclint.parse.yaml_reader import read_yaml
from iaclint.report import json_report, sarif, text
from iaclint.run_terraform import TerraformResult, lint_terraform

from .conftest import FIXTURES, lint_text

FAIL_YAML = FIXTURES / "policies" / "IAC070" / "fail.yaml"
CDK_APP = FIXTURES / "cdk" / "cdk.out"

NETWORK = """\
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Gateway:
    Type: AWS::EC2::InternetGateway
  Attachment:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Gateway}
  Routes:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  Default:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref Routes, DestinationCidrBlock: 0.0.0.0/0, GatewayId: GATEWAY}
  Public:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24}
  PublicRoutes:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref Public, RouteTableId: !Ref Routes}
  Open:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: open
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}
"""


@pytest.fixture
def exposure(policies: list[Policy]) -> list[Policy]:
    return [policy for policy in policies if policy.id == "IAC070"]


def _findings(tmp_path: Path, text_: str, exposure: list[Policy]) -> dict[str, Finding]:
    result = lint_text(tmp_path, text_, exposure)
    return {finding.resource: finding for finding in result.findings}


def _unknown(tmp_path: Path, text_: str, exposure: list[Policy]) -> dict[str, str]:
    result = lint_text(tmp_path, text_, exposure)
    return {item.resource: item.reason for item in result.undetermined}


def _template(gateway: str, extra: str) -> str:
    return NETWORK.replace("GATEWAY", gateway) + textwrap.indent(textwrap.dedent(extra), "  ")


def test_a_direct_way_is_each_hop_from_the_gateway_to_the_instance(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    result = lint_text(tmp_path, FAIL_YAML.read_text(encoding="utf-8"), exposure)
    bastion = next(finding for finding in result.findings if finding.resource == "Bastion")
    assert bastion.severity is Severity.CRITICAL
    assert [(step.role, step.resource, step.span.line) for step in bastion.path] == [
        ("internet gateway", "Gateway", 9),
        ("gateway attachment", "Attachment", 13),
        ("route", "ToInternet", 21),
        ("route table association", "PublicARoutes", 29),
        ("public subnet", "PublicA", 23),
        ("public address", "PublicA", 25),
        ("rule", "SshFromAnywhere", 54),
        ("instance", "Bastion", 70),
    ]
    assert "directly on port 22" in bastion.message
    assert "imdsv1, administrator role, ssh or rdp open" in bastion.message


def test_a_way_through_a_load_balancer_names_listener_target_group_and_rules(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    result = lint_text(tmp_path, FAIL_YAML.read_text(encoding="utf-8"), exposure)
    app = next(finding for finding in result.findings if finding.resource == "App")
    assert app.severity is Severity.LOW  # IMDSv2 required, no role, port 8080 only
    roles = [(step.role, step.resource) for step in app.path]
    assert roles[0] == ("internet gateway", "Gateway")
    assert ("load balancer", "Balancer") in roles
    assert ("rule", "BalancerGroup") in roles  # the listener's port open to the world
    assert roles.index(("listener", "Https")) < roles.index(("target group", "AppTargets"))
    assert roles[-2:] == [("rule", "WebFromBalancer"), ("instance", "App")]
    assert "through load balancer Balancer on port 8080" in app.message
    assert app.message.endswith("traits: none")  # none of the traits the severity counts


def test_a_route_to_an_internet_gateway_id_written_literally_makes_the_subnet_public(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    found = _findings(
        tmp_path,
        _template(
            "igw-0123456789abcdef0",
            """
            Web:
              Type: AWS::EC2::Instance
              Properties:
                SubnetId: !Ref Public
                AssociatePublicIpAddress: true
                SecurityGroupIds: [!Ref Open]
                MetadataOptions: {HttpTokens: required}
            """,
        ),
        exposure,
    )
    assert found["Web"].severity is Severity.LOW
    assert found["Web"].path[0].role == "route"  # the gateway itself is not in the files


@pytest.mark.parametrize(
    ("gateway", "reason"),
    [
        ("!Ref GatewayParameter", "parameter GatewayParameter"),
        ("vgw-0123456789abcdef0", None),  # a VPN gateway: private
    ],
)
def test_a_gateway_outside_the_files_is_unknown_unless_its_id_says_what_it_is(
    tmp_path: Path, exposure: list[Policy], gateway: str, reason: str | None
) -> None:
    template = "Parameters:\n  GatewayParameter:\n    Type: String\n" + _template(
        gateway,
        """
        Web:
          Type: AWS::EC2::Instance
          Properties:
            SubnetId: !Ref Public
            AssociatePublicIpAddress: true
            SecurityGroupIds: [!Ref Open]
        """,
    )
    assert _findings(tmp_path, template, exposure) == {}
    unknown = _unknown(tmp_path, template, exposure)
    if reason is None:
        assert unknown == {}
    else:
        assert reason in unknown["Web"]


def test_an_elastic_ip_gives_the_public_address(tmp_path: Path, exposure: list[Policy]) -> None:
    template = _template(
        "!Ref Gateway",
        """
        Web:
          Type: AWS::EC2::Instance
          Properties:
            SubnetId: !Ref Public
            SecurityGroupIds: [!Ref Open]
        Address:
          Type: AWS::EC2::EIP
          Properties: {InstanceId: !Ref Web}
        """,
    )
    found = _findings(tmp_path, template, exposure)
    assert [step.resource for step in found["Web"].path if step.role == "public address"] == [
        "Address"
    ]
    without = template.replace("Properties: {InstanceId: !Ref Web}", "Properties: {}")
    assert _findings(tmp_path, without, exposure) == {}


def test_a_classic_load_balancer_reaches_its_instances(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    template = _template(
        "!Ref Gateway",
        """
        Web:
          Type: AWS::EC2::Instance
          Properties:
            SubnetId: !Ref Public
            SecurityGroupIds: [!Ref Open]
            MetadataOptions: {HttpTokens: required}
        Classic:
          Type: AWS::ElasticLoadBalancing::LoadBalancer
          Properties:
            Subnets: [!Ref Public]
            SecurityGroups: [!Ref Open]
            Instances: [!Ref Web]
            Listeners: [{LoadBalancerPort: "80", InstancePort: "80", Protocol: HTTP}]
        """,
    )
    found = _findings(tmp_path, template, exposure)
    assert "through load balancer Classic on port 80" in found["Web"].message
    internal = template.replace(
        "Subnets: [!Ref Public]", "Scheme: internal\n      Subnets: [!Ref Public]"
    )
    assert _findings(tmp_path, internal, exposure) == {}


def test_terraform_ipv6_route_and_main_route_table_association(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    module = tmp_path / "net"
    module.mkdir()
    main = module / "main.tf"
    main.write_text(
        textwrap.dedent(
            """
            resource "aws_vpc" "main" {
              cidr_block = "10.0.0.0/16"
            }
            resource "aws_internet_gateway" "main" {
              vpc_id = aws_vpc.main.id
            }
            resource "aws_route_table" "public" {
              vpc_id = aws_vpc.main.id
            }
            resource "aws_route" "v6" {
              route_table_id              = aws_route_table.public.id
              destination_ipv6_cidr_block = "::/0"
              gateway_id                  = aws_internet_gateway.main.id
            }
            resource "aws_main_route_table_association" "main" {
              vpc_id         = aws_vpc.main.id
              route_table_id = aws_route_table.public.id
            }
            resource "aws_subnet" "any" {
              vpc_id     = aws_vpc.main.id
              cidr_block = "10.0.0.0/24"
            }
            resource "aws_security_group" "web" {
              vpc_id = aws_vpc.main.id
              ingress {
                from_port        = 443
                to_port          = 443
                protocol         = "tcp"
                ipv6_cidr_blocks = ["::/0"]
              }
            }
            resource "aws_instance" "web" {
              ami                         = "ami-0123456789abcdef0"
              instance_type               = "t3.micro"
              subnet_id                   = aws_subnet.any.id
              associate_public_ip_address = true
              vpc_security_group_ids      = [aws_security_group.web.id]
            }
            """
        ),
        encoding="utf-8",
    )
    result = lint_terraform([Candidate(main, "net/main.tf")], exposure, [str(module)])
    (finding,) = result.findings
    assert finding.resource == "aws_instance.web"
    assert [step.role for step in finding.path][:3] == [
        "internet gateway",
        "route",
        "main route table",
    ]
    assert finding.path[1].note == "sends ::/0 to the internet gateway"
    assert finding.severity is Severity.HIGH  # IMDSv1


def test_a_severity_the_user_sets_holds_for_every_finding(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    configured = [policy.configured(severity=Severity.MEDIUM) for policy in exposure]
    result = lint_text(tmp_path, FAIL_YAML.read_text(encoding="utf-8"), configured)
    assert {finding.severity for finding in result.findings} == {Severity.MEDIUM}


def _policy_text(severities: str) -> str:
    return textwrap.dedent(
        """
        id: ORG700
        title: reachable
        severity: low
        category: org.exposure
        check:
          targets: [{kind: ec2.instance}]
          when: {path: $, op: internet_reachable}
          traits:
            direct: {path: $, op: internet_reachable, directly: true}
          severities:
        """
    ) + textwrap.indent(textwrap.dedent(severities), "    ")


def test_a_severity_row_may_name_only_the_policy_traits() -> None:
    document = read_yaml(_policy_text("- {severity: high, traits: [direct, imdsv1]}\n"), "p.yaml")
    with pytest.raises(PolicyError, match="unknown trait 'imdsv1' \\(traits: direct\\)") as caught:
        compile_policy(document.data, document.spans, "p.yaml")
    assert caught.value.span is not None and caught.value.span.line == 12


def test_a_severity_row_needs_a_known_severity() -> None:
    document = read_yaml(_policy_text("- {severity: severe, traits: [direct]}\n"), "p.yaml")
    with pytest.raises(PolicyError, match="unknown severity 'severe'"):
        compile_policy(document.data, document.spans, "p.yaml")


def _report(tmp_path: Path, exposure: list[Policy]) -> Report:
    result = lint_text(tmp_path, FAIL_YAML.read_text(encoding="utf-8"), exposure)
    return Report(
        findings=tuple(result.findings),
        undetermined=(),
        diagnostics=(),
        policies=tuple(policy.info for policy in exposure),
        files_linted=1,
        files_skipped=0,
        threshold=Severity.LOW,
    )


def test_reports_show_the_way_in(tmp_path: Path, exposure: list[Policy]) -> None:
    report = _report(tmp_path, exposure)
    shown = text.render(report)
    assert "way in: internet gateway [Gateway] at t.yaml:9:3" in shown
    assert "rule [SshFromAnywhere] at t.yaml:54:11: lets in port 22 from every address" in shown

    document = json.loads(json_report.render(report))
    bastion = next(item for item in document["findings"] if item["resource"] == "Bastion")
    assert bastion["path"][0] == {
        "role": "internet gateway",
        "resource": "Gateway",
        "construct_path": None,
        "attribute": "",
        "file": "t.yaml",
        "line": 9,
        "column": 3,
        "note": "",
    }
    assert bastion["path"][-1]["resource"] == "Bastion"

    run = json.loads(sarif.render(report))["runs"][0]
    result = next(item for item in run["results"] if item["message"]["text"].startswith("reach"))
    related = result["relatedLocations"]
    assert [hop["id"] for hop in related] == list(range(len(related)))
    (flow,) = result["codeFlows"]
    (thread,) = flow["threadFlows"]
    assert [item["location"] for item in thread["locations"]] == related
    assert related[0]["message"]["text"].startswith("internet gateway: Gateway")


def test_other_findings_keep_their_report_shape(tmp_path: Path, policies: list[Policy]) -> None:
    others = [policy for policy in policies if policy.id == "IAC001"]
    result = lint_text(tmp_path, FAIL_YAML.read_text(encoding="utf-8"), others)
    assert result.findings and all(finding.path == () for finding in result.findings)
    report = Report(tuple(result.findings), (), (), (), 1, 0, Severity.LOW)
    assert all("path" not in item for item in json.loads(json_report.render(report))["findings"])
    for item in json.loads(sarif.render(report))["runs"][0]["results"]:
        assert "codeFlows" not in item and "relatedLocations" not in item


def test_cdk_hops_name_their_construct(tmp_path: Path, exposure: list[Policy]) -> None:
    data = read_template(
        _template(
            "!Ref Gateway",
            """
            Web:
              Type: AWS::EC2::Instance
              Properties:
                SubnetId: !Ref Public
                AssociatePublicIpAddress: true
                SecurityGroupIds: [!Ref Open]
            """,
        ),
        "t.yaml",
    ).data
    assert isinstance(data, dict)
    for logical_id, body in data["Resources"].items():
        body["Metadata"] = {"aws:cdk:path": f"Network/{logical_id}/Resource"}
    template = data
    result = lint_text(
        tmp_path, json.dumps(template, indent=1), exposure, name="Network.template.json"
    )
    (finding,) = result.findings
    assert finding.construct_path == "Network/Web/Resource"
    assert [step.construct_path for step in finding.path][:3] == [
        "Network/Gateway/Resource",
        "Network/Attachment/Resource",
        "Network/Default/Resource",
    ]
    report = Report((finding,), (), (), (), 1, 0, Severity.LOW)
    assert "internet gateway [Network/Gateway/Resource (Gateway)]" in text.render(report)
    related = json.loads(sarif.render(report))["runs"][0]["results"][0]["relatedLocations"]
    assert related[0]["logicalLocations"][1] == {
        "name": "Resource",
        "fullyQualifiedName": "Network/Gateway/Resource",
        "kind": "module",
    }


def test_a_target_group_or_template_outside_the_files_is_unknown(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    template = "Parameters:\n  Targets:\n    Type: CommaDelimitedList\n" + _template(
        "!Ref Gateway",
        """
        Template:
          Type: AWS::EC2::LaunchTemplate
          Properties:
            LaunchTemplateData: {ImageId: ami-0123456789abcdef0}
        Workers:
          Type: AWS::AutoScaling::AutoScalingGroup
          Properties:
            MinSize: "1"
            MaxSize: "2"
            VPCZoneIdentifier: [!Ref Public]
            TargetGroupARNs: !Ref Targets
            LaunchTemplate: {LaunchTemplateId: !Ref Template, Version: "1"}
        FromOutside:
          Type: AWS::EC2::Instance
          Properties:
            LaunchTemplate: {LaunchTemplateName: shared-web, Version: "1"}
        """,
    )
    assert _findings(tmp_path, template, exposure) == {}
    unknown = _unknown(tmp_path, template, exposure)
    assert "parameter Targets" in unknown["Workers"]
    assert (
        unknown["FromOutside"] == "launch template 'shared-web' is not defined in the linted files"
    )


def test_pass_role_on_every_resource_counts_as_an_administrator_role(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    template = _template(
        "!Ref Gateway",
        """
        Role:
          Type: AWS::IAM::Role
          Properties:
            AssumeRolePolicyDocument:
              Statement:
                - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}
            Policies:
              - PolicyName: pass
                PolicyDocument:
                  Statement:
                    - {Effect: Allow, Action: ["iam:Pass*", "ec2:RunInstances"], Resource: "*"}
        Profile:
          Type: AWS::IAM::InstanceProfile
          Properties: {Roles: [!Ref Role]}
        Web:
          Type: AWS::EC2::Instance
          Properties:
            SubnetId: !Ref Public
            AssociatePublicIpAddress: true
            SecurityGroupIds: [!Ref Open]
            IamInstanceProfile: !Ref Profile
            MetadataOptions: {HttpTokens: required}
        """,
    )
    found = _findings(tmp_path, template, exposure)
    assert found["Web"].severity is Severity.HIGH
    assert "administrator role" in found["Web"].message
    scoped = template.replace('Resource: "*"', "Resource: arn:aws:iam::123456789012:role/app")
    assert _findings(tmp_path, scoped, exposure)["Web"].severity is Severity.LOW


# A VPC whose subnet `public` routes 0.0.0.0/0 to an attached internet gateway.
PUBLIC_SUBNET_HCL = """\
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
}
resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.0.0/24"
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
"""


def test_terraform_group_of_a_launch_configuration_behind_a_classic_load_balancer(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    module = tmp_path / "web"
    module.mkdir()
    main = module / "main.tf"
    main.write_text(
        PUBLIC_SUBNET_HCL
        + textwrap.dedent(
            """
            resource "aws_subnet" "private" {
              vpc_id     = aws_vpc.main.id
              cidr_block = "10.0.1.0/24"
            }
            resource "aws_security_group" "balancer" {
              vpc_id = aws_vpc.main.id
              ingress {
                from_port   = 80
                to_port     = 80
                protocol    = "tcp"
                cidr_blocks = ["0.0.0.0/0"]
              }
            }
            resource "aws_security_group" "web" {
              vpc_id = aws_vpc.main.id
              ingress {
                from_port       = 8080
                to_port         = 8080
                protocol        = "tcp"
                security_groups = [aws_security_group.balancer.id]
              }
            }
            resource "aws_elb" "web" {
              subnets         = [aws_subnet.public.id]
              security_groups = [aws_security_group.balancer.id]
              listener {
                lb_port           = 80
                lb_protocol       = "http"
                instance_port     = 8080
                instance_protocol = "http"
              }
            }
            resource "aws_launch_configuration" "web" {
              image_id        = "ami-0123456789abcdef0"
              instance_type   = "t3.micro"
              security_groups = [aws_security_group.web.id]
            }
            resource "aws_autoscaling_group" "web" {
              min_size             = 1
              max_size             = 2
              launch_configuration = aws_launch_configuration.web.name
              vpc_zone_identifier  = [aws_subnet.private.id]
              load_balancers       = [aws_elb.web.name]
            }
            """
        ),
        encoding="utf-8",
    )
    result = lint_terraform([Candidate(main, "web/main.tf")], exposure, [str(module)])
    (finding,) = result.findings
    assert finding.resource == "aws_autoscaling_group.web"
    assert "through load balancer aws_elb.web on port 8080" in finding.message
    assert finding.severity is Severity.HIGH  # the launch configuration allows IMDSv1
    assert [step.role for step in finding.path][-3:] == ["rule", "launch settings", "group"]
    assert finding.path[-2].resource == "aws_launch_configuration.web"


NETWORK_FIXTURE = FIXTURES / "policies" / "IAC070" / "fail-network.yaml"


def _acl(entries: str) -> str:
    """The test network with a network ACL on its public subnet, and a web server."""
    return _template(
        "!Ref Gateway",
        textwrap.dedent(
            """
        Acl:
          Type: AWS::EC2::NetworkAcl
          Properties: {VpcId: !Ref Vpc}
        AclOfPublic:
          Type: AWS::EC2::SubnetNetworkAclAssociation
          Properties: {SubnetId: !Ref Public, NetworkAclId: !Ref Acl}
        Web:
          Type: AWS::EC2::Instance
          Properties:
            SubnetId: !Ref Public
            AssociatePublicIpAddress: true
            SecurityGroupIds: [!Ref Open]
            MetadataOptions: {HttpTokens: required}
        """
        )
        + textwrap.dedent(entries),
    )


def _entry(name: str, number: int, action: str, acl: str = "!Ref Acl", low: int = 80) -> str:
    return f"""
        {name}:
          Type: AWS::EC2::NetworkAclEntry
          Properties:
            NetworkAclId: {acl}
            RuleNumber: {number}
            Protocol: 6
            RuleAction: {action}
            CidrBlock: 0.0.0.0/0
            PortRange: {{From: {low}, To: 80}}
        """


@pytest.mark.parametrize(
    ("deny", "allow", "reachable"),
    [(100, 200, False), (200, 100, True)],
)
def test_network_acl_entries_are_read_lowest_rule_number_first(
    tmp_path: Path, exposure: list[Policy], deny: int, allow: int, reachable: bool
) -> None:
    template = _acl(_entry("Deny", deny, "deny") + _entry("Allow", allow, "allow"))
    found = _findings(tmp_path, template, exposure)
    assert ("Web" in found) is reachable
    if reachable:
        entry = next(step for step in found["Web"].path if step.role == "network acl entry")
        assert (entry.resource, entry.note) == (
            "Allow",
            "allows port 80 from every address (rule 100)",
        )


def test_an_acl_of_the_files_ends_in_an_implicit_deny(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    template = _acl(_entry("OtherPorts", 100, "allow", low=81).replace("To: 80", "To: 443"))
    assert _findings(tmp_path, template, exposure) == {}
    assert _unknown(tmp_path, template, exposure) == {}


def test_entries_added_to_the_default_acl_come_before_or_after_its_rule_100(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    def template(number: int) -> str:
        return _template(
            "!Ref Gateway",
            textwrap.dedent(
                """
            Web:
              Type: AWS::EC2::Instance
              Properties:
                SubnetId: !Ref Public
                AssociatePublicIpAddress: true
                SecurityGroupIds: [!Ref Open]
            """
            )
            + textwrap.dedent(_entry("Deny", number, "deny", acl="!GetAtt Vpc.DefaultNetworkAcl")),
        )

    assert _findings(tmp_path, template(90), exposure) == {}
    found = _findings(tmp_path, template(110), exposure)
    assert [step.role for step in found["Web"].path if "acl" in step.role] == []


def test_an_acl_whose_entries_are_not_known_makes_the_way_unknown(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    template = "Parameters:\n  Number:\n    Type: Number\n" + _acl(
        _entry("Allow", 100, "allow").replace("RuleNumber: 100", "RuleNumber: !Ref Number")
    )
    assert _findings(tmp_path, template, exposure) == {}
    assert "parameter Number" in _unknown(tmp_path, template, exposure)["Web"]


def test_a_gateway_attached_to_no_vpc_makes_no_subnet_public(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    template = _template(
        "!Ref Gateway",
        """
        Web:
          Type: AWS::EC2::Instance
          Properties:
            SubnetId: !Ref Public
            AssociatePublicIpAddress: true
            SecurityGroupIds: [!Ref Open]
        """,
    )
    assert "Web" in _findings(tmp_path, template, exposure)
    detached = template.replace("{VpcId: !Ref Vpc, InternetGatewayId: !Ref Gateway}", "{}")
    assert _findings(tmp_path, detached, exposure) == {}
    assert _unknown(tmp_path, detached, exposure) == {}


def test_an_elastic_ip_on_an_attached_interface_is_a_hop_with_the_interfaces_groups(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    result = lint_text(tmp_path, NETWORK_FIXTURE.read_text(encoding="utf-8"), exposure)
    found = {finding.resource: finding for finding in result.findings}
    later = found["AttachedLater"]
    assert [(step.role, step.resource) for step in later.path][-4:] == [
        ("public address", "SecondAssociation"),
        ("rule", "Https"),  # the interface's group, not the instance's
        ("network interface", "SecondAttachment"),
        ("instance", "AttachedLater"),
    ]
    assert "directly on port 443" in later.message
    assert {"WithBareInterface", "WithGuardedInterface"}.isdisjoint(found)


def test_behind_a_load_balancer_the_instance_group_must_let_the_balancer_in(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    result = lint_text(tmp_path, NETWORK_FIXTURE.read_text(encoding="utf-8"), exposure)
    found = {finding.resource: finding for finding in result.findings}
    assert found["BySecurityGroup"].path[-2].note == "lets in the security group of Balancer"
    assert found["ByVpcRange"].path[-2].note == "lets in the subnets of Balancer"
    # Another group, a range the balancer is not in, a network load balancer passing
    # the clients' addresses to a group open to the VPC only: not reachable.
    assert {"ByOtherGroup", "ByFarRange", "BehindNetwork"}.isdisjoint(found)
    assert {item.resource for item in result.undetermined} == {"OutsideAcl", "BehindElsewhere"}


NETWORK_HCL = FIXTURES / "policies" / "IAC070" / "fail-network-hcl"
NETWORK_PLAN = FIXTURES / "policies" / "IAC070" / "fail-network.plan.json"


def _hcl(exposure: list[Policy]) -> TerraformResult:
    main = NETWORK_HCL / "main.tf"
    return lint_terraform([Candidate(main, "main.tf")], exposure, [str(NETWORK_HCL)])


def test_terraform_acl_entries_gateway_and_interfaces_are_hops(exposure: list[Policy]) -> None:
    found = {finding.resource: finding for finding in _hcl(exposure).findings}
    web = found["aws_instance.filtered_web"]
    entry = next(step for step in web.path if step.role == "network acl entry")
    # The inline block of rule 200, though written first: rule 100 (deny 22) decides 22.
    assert (entry.resource, entry.span.line) == ("aws_network_acl.filtering", 48)
    assert "directly on port 80" in web.message
    by_block = found["aws_instance.attached_by_block"]
    assert [(step.role, step.resource) for step in by_block.path][-3:] == [
        ("rule", "aws_security_group.https"),
        ("network interface", "aws_network_interface.third"),
        ("instance", "aws_instance.attached_by_block"),
    ]
    assert "aws_instance.behind_detached" not in found
    assert found["aws_instance.by_security_group"].path[-2].resource == (
        "aws_vpc_security_group_ingress_rule.from_balancer"
    )


def test_a_plan_reads_an_instance_of_a_for_each_resource_named_by_each_key(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    result = lint_text(
        tmp_path, NETWORK_PLAN.read_text(encoding="utf-8"), exposure, name="t.plan.json"
    )
    web = next(f for f in result.findings if f.resource == "aws_instance.filtered_web")
    assert ("route table association", 'aws_route_table_association.public["filtered"]') in [
        (step.role, step.resource) for step in web.path
    ]
    assert ("public subnet", 'aws_subnet.public["filtered"]') in [
        (step.role, step.resource) for step in web.path
    ]


def test_cdk_ways_in_name_their_constructs(capsys: pytest.CaptureFixture[str]) -> None:
    from iaclint.cli import main

    main(["--format", "json", "--show-unknown", "--select", "IAC070", str(CDK_APP)])
    report = json.loads(capsys.readouterr().out)
    found = {f["construct_path"]: f for f in report["findings"]}
    behind = found["Compute/Exposure/BehindBalancer/Resource"]
    hops = [(step["role"], step["construct_path"]) for step in behind["path"]]
    assert ("load balancer", "Compute/Exposure/Balancer/Resource") in hops
    assert ("listener", "Compute/Exposure/Balancer/Https/Resource") in hops
    assert hops[-2][0] == "rule"  # the ingress CDK adds from the balancer's group
    assert hops[-2][1].startswith("Compute/Exposure/BehindBalancer/InstanceSecurityGroup/from ")
    assert all(path for _, path in hops)
    fleet = found["Compute/Exposure/Fleet/ASG"]
    assert [step["construct_path"] for step in fleet["path"]][-3:] == [
        "Compute/Exposure/Https/Resource",  # the group of the template's network interface
        "Compute/Exposure/FleetTemplate/Resource",
        "Compute/Exposure/Fleet/ASG",
    ]
    # A public address asked for in a private subnet is no way in.
    assert "Compute/Exposure/PrivateWithPublicIp" not in found
    (unknown,) = [u for u in report["undetermined"] if u["resource"].startswith("Exposure")]
    assert unknown["resource"].startswith("ExposureInOutsideSubnet")
    assert (
        unknown["reason"] == "subnet 'subnet-0123456789abcdef0' is not defined in the linted files"
    )


def test_terraform_launch_template_interface_groups_are_its_groups(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    module = tmp_path / "fleet"
    module.mkdir()
    main = module / "main.tf"
    main.write_text(
        PUBLIC_SUBNET_HCL
        + textwrap.dedent(
            """
            resource "aws_security_group" "https" {
              vpc_id = aws_vpc.main.id
              ingress {
                from_port   = 443
                to_port     = 443
                protocol    = "tcp"
                cidr_blocks = ["0.0.0.0/0"]
              }
            }
            resource "aws_launch_template" "fleet" {
              image_id = "ami-0123456789abcdef0"
              network_interfaces {
                associate_public_ip_address = true
                security_groups             = [aws_security_group.https.id]
              }
            }
            resource "aws_autoscaling_group" "fleet" {
              max_size            = 2
              min_size            = 1
              vpc_zone_identifier = [aws_subnet.public.id]
              launch_template {
                id = aws_launch_template.fleet.id
              }
            }
            """
        ),
        encoding="utf-8",
    )
    result = lint_terraform([Candidate(main, "fleet/main.tf")], exposure, [str(module)])
    (finding,) = result.findings
    assert finding.resource == "aws_autoscaling_group.fleet"
    assert [(s.role, s.resource) for s in finding.path][-3] == ("rule", "aws_security_group.https")


def test_no_group_open_to_the_world_means_no_way_in_wherever_it_is_launched(
    tmp_path: Path, exposure: list[Policy]
) -> None:
    template = """\
Parameters:
  Subnet:
    Type: AWS::EC2::Subnet::Id
Resources:
  DefaultVpc:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-0123456789abcdef0}
  SomeSubnet:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-0123456789abcdef0, SubnetId: !Ref Subnet}
"""
    assert _findings(tmp_path, template, exposure) == {}
    assert _unknown(tmp_path, template, exposure) == {}


@pytest.mark.parametrize(
    ("source", "reachable"), [("10.0.0.0/16", True), ("192.168.0.0/16", False)]
)
def test_the_acl_of_the_instance_subnet_must_let_the_load_balancer_in(
    tmp_path: Path, exposure: list[Policy], source: str, reachable: bool
) -> None:
    template = NETWORK_FIXTURE.read_text(encoding="utf-8") + textwrap.indent(
        textwrap.dedent(
            f"""
            PrivateAcl:
              Type: AWS::EC2::NetworkAcl
              Properties: {{VpcId: !Ref Vpc}}
            FromInside:
              Type: AWS::EC2::NetworkAclEntry
              Properties:
                NetworkAclId: !Ref PrivateAcl
                RuleNumber: 100
                Protocol: 6
                RuleAction: allow
                CidrBlock: {source}
                PortRange: {{From: 8080, To: 8080}}
            PrivateAclOfPrivate:
              Type: AWS::EC2::SubnetNetworkAclAssociation
              Properties: {{SubnetId: !Ref Private, NetworkAclId: !Ref PrivateAcl}}
            """
        ),
        "  ",
    )
    found = _findings(tmp_path, template, exposure)
    assert ("BySecurityGroup" in found) is reachable
    assert "AttachedLater" in found  # its way in is its interface's, in a public subnet
    if reachable:
        entry = found["BySecurityGroup"].path[-2]
        assert (entry.role, entry.resource) == ("network acl entry", "FromInside")
        assert entry.note == "allows port 8080 from the subnets of Balancer (rule 100)"

from __future__ import annotations

from iaclint.adapt.cloudformation.template import adapt_template
from iaclint.diagnostics import Level
from iaclint.graph.model import Edge, Graph
from iaclint.graph.values import Input, Reference, Unknown
from iaclint.parse.cloudformation import read_template


def graph_of(text: str) -> tuple[Graph, list]:
    return adapt_template(read_template(text, "t.yaml"))


def test_security_group_rules_in_the_common_shape() -> None:
    graph, problems = graph_of(
        "Resources:\n"
        "  G:\n"
        "    Type: AWS::EC2::SecurityGroup\n"
        "    Properties:\n"
        "      GroupDescription: d\n"
        "      SecurityGroupIngress:\n"
        "        - {IpProtocol: '6', FromPort: '22', ToPort: 22, CidrIp: 0.0.0.0/0}\n"
        "        - {IpProtocol: icmp, FromPort: 8, ToPort: -1, CidrIpv6: '::/0'}\n"
        "        - {IpProtocol: -1, SourceSecurityGroupId: sg-1}\n"
    )
    assert problems == []
    (group,) = graph.resources
    assert group.kind == "ec2.security_group"
    assert group.properties["ingress"] == [
        {
            "direction": "ingress",
            "action": "allow",
            "protocol": "tcp",
            "from_port": 22,
            "to_port": 22,
            "cidrs": ["0.0.0.0/0"],
        },
        {
            "direction": "ingress",
            "action": "allow",
            "protocol": "icmp",
            "icmp_type": 8,
            "icmp_code": -1,
            "cidrs": ["::/0"],
        },
        {
            "direction": "ingress",
            "action": "allow",
            "protocol": "all",
            "cidrs": [],
            "source_security_group": "sg-1",
        },
    ]
    location = group.locate(("ingress", 0, "cidrs", 0))
    assert location.attribute == "Properties.SecurityGroupIngress[0].CidrIp"
    assert location.span.line == 7
    # A path with no origin of its own falls back to its nearest ancestor.
    assert (
        group.locate(("ingress", 2, "direction")).attribute == "Properties.SecurityGroupIngress[2]"
    )
    assert group.locate(()).span.line == 2


def test_edges_for_refs_getatts_dependencies_and_attachments() -> None:
    graph, _ = graph_of(
        "Resources:\n"
        "  G: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: d}}\n"
        "  R:\n"
        "    Type: AWS::EC2::SecurityGroupIngress\n"
        "    DependsOn: [Other]\n"
        "    Properties: {GroupId: !GetAtt G.GroupId, IpProtocol: tcp, Description: !Sub '${Other}'}\n"
        "  Other: {Type: AWS::CloudWatch::Alarm}\n"
        "  Profile: {Type: AWS::IAM::InstanceProfile, Properties: {Roles: [!Ref Role]}}\n"
        "  Role: {Type: AWS::IAM::Role}\n"
    )
    assert set(graph.edges) == {
        Edge("R", "G", "group"),
        Edge("R", "Other", "description"),
        Edge("R", "Other", "depends_on"),
        Edge("Profile", "Role", "roles"),
    }
    assert [r.address for r in graph.referrers("Role", ["iam.instance_profile"])] == ["Profile"]
    assert graph.of_kinds(["unmodelled"])[0].address == "Other"


def test_instance_links_launch_template_by_name() -> None:
    graph, _ = graph_of(
        "Resources:\n"
        "  LT: {Type: AWS::EC2::LaunchTemplate, Properties: {LaunchTemplateName: web, LaunchTemplateData: {}}}\n"
        "  I: {Type: AWS::EC2::Instance, Properties: {LaunchTemplate: {LaunchTemplateName: web}}}\n"
        "  J: {Type: AWS::EC2::Instance, Properties: {LaunchTemplate: {LaunchTemplateName: other}}}\n"
    )
    instances = {r.address: r for r in graph.of_kinds(["ec2.instance"])}
    assert instances["I"].properties["launch_template"] == Reference("LT")
    assert instances["J"].properties["launch_template"] == "other"


def test_conditional_properties_give_variants() -> None:
    graph, _ = graph_of(
        "Conditions:\n"
        "  Prod: !Equals [!Ref Stage, prod]\n"
        "Resources:\n"
        "  I:\n"
        "    Type: AWS::EC2::Instance\n"
        "    Properties:\n"
        "      MetadataOptions: {HttpTokens: !If [Prod, required, optional]}\n"
    )
    variants = graph.variants("I")
    tokens = {v.conditions: v.properties["metadata_options"]["http_tokens"] for v in variants}
    assert tokens == {(("Prod", True),): "required", (("Prod", False),): "optional"}


def test_malformed_resources_are_located_errors_and_the_rest_is_kept() -> None:
    graph, problems = graph_of(
        "Resources:\n"
        "  NoType: {Properties: {}}\n"
        "  NumberType: {Type: 42}\n"
        "  BadProperties: {Type: AWS::EC2::Instance, Properties: [1]}\n"
        "  NotAMapping: just text\n"
        "  Good: {Type: AWS::EC2::Instance}\n"
    )
    assert [r.address for r in graph.resources] == ["Good"]
    assert [(p.level, p.line) for p in problems] == [(Level.ERROR, n) for n in (2, 3, 4, 5)]
    assert "needs a 'Type' written as text, got int" in problems[1].message


def test_resources_section_must_be_a_mapping() -> None:
    graph, problems = graph_of("AWSTemplateFormatVersion: '2010-09-09'\nResources: [a, b]\n")
    assert graph.resources == ()
    assert problems[0].line == 2
    assert "must be a mapping" in problems[0].message


def test_language_extension_loops_are_expanded_when_the_transform_is_declared() -> None:
    loop = (
        "Resources:\n"
        "  Fn::ForEach::Topics:\n"
        "    - Name\n"
        "    - [a, b]\n"
        "    - Topic${Name}: {Type: AWS::SNS::Topic}\n"
    )
    graph, problems = graph_of("Transform: AWS::LanguageExtensions\n" + loop)
    assert [(r.address, r.header.span.line) for r in graph.resources] == [
        ("Topica", 6),
        ("Topicb", 6),
    ]
    assert problems == []
    graph, problems = graph_of(loop)
    assert graph.resources == ()
    assert problems[0].level is Level.ERROR and "does not declare" in problems[0].message


def test_cdk_path_is_kept() -> None:
    graph, _ = graph_of(
        "Resources:\n"
        "  Bucket:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Metadata: {aws:cdk:path: App/Stack/Bucket/Resource}\n"
    )
    assert graph.resources[0].construct_path == "App/Stack/Bucket/Resource"


def test_a_root_volume_no_mapping_names_is_added_unknown_on_the_header() -> None:
    graph, problems = graph_of(
        "Parameters:\n"
        "  Mappings:\n"
        "    Type: CommaDelimitedList\n"
        "Resources:\n"
        "  Bare:\n"
        "    Type: AWS::EC2::Instance\n"
        "    Properties:\n"
        "      ImageId: ami-0123456789abcdef0\n"
        "      BlockDeviceMappings:\n"
        "        - {DeviceName: /dev/sdf, Ebs: {Encrypted: true}}\n"
        "  Rooted:\n"
        "    Type: AWS::EC2::Instance\n"
        "    Properties:\n"
        "      BlockDeviceMappings:\n"
        "        - {DeviceName: /dev/sda1, Ebs: {Encrypted: true}}\n"
        "  Unknown:\n"
        "    Type: AWS::EC2::Instance\n"
        "    Properties:\n"
        "      BlockDeviceMappings: !Ref Mappings\n"
        "  Templated:\n"
        "    Type: AWS::EC2::Instance\n"
        "    Properties:\n"
        "      LaunchTemplate: {LaunchTemplateId: lt-0123456789abcdef0, Version: '1'}\n"
    )
    assert problems == []
    by_address = {resource.address: resource for resource in graph.resources}
    bare = by_address["Bare"]
    devices = bare.properties["block_devices"]
    assert isinstance(devices, list) and len(devices) == 2
    added = devices[1]
    assert added["root"] is True
    assert isinstance(added["encrypted"], Unknown)
    assert "AMI's snapshot" in added["encrypted"].reason
    assert "by default" in added["encrypted"].reason
    assert bare.locate(("block_devices", 1, "encrypted")).span.line == 5
    rooted = by_address["Rooted"].properties["block_devices"]
    assert isinstance(rooted, list) and len(rooted) == 1
    # An unknown list may hold the root mapping: it stays unknown, nothing is added.
    assert not isinstance(by_address["Unknown"].properties["block_devices"], list)
    # An instance launched from a template takes the template's mappings.
    assert "block_devices" not in by_address["Templated"].properties


def test_emr_security_configuration_as_an_object_or_json_text() -> None:
    graph, problems = graph_of(
        "Resources:\n"
        "  Object:\n"
        "    Type: AWS::EMR::SecurityConfiguration\n"
        "    Properties:\n"
        "      SecurityConfiguration:\n"
        "        EncryptionConfiguration: {EnableAtRestEncryption: true}\n"
        "  Text:\n"
        "    Type: AWS::EMR::SecurityConfiguration\n"
        "    Properties:\n"
        '      SecurityConfiguration: \'{"EncryptionConfiguration": {"EnableAtRestEncryption": false}}\'\n'
        "  Broken:\n"
        "    Type: AWS::EMR::SecurityConfiguration\n"
        "    Properties:\n"
        "      SecurityConfiguration: '{not json'\n"
    )
    assert problems == []
    by_address = {resource.address: resource.properties for resource in graph.resources}
    assert by_address["Object"] == {"at_rest_encryption": True}
    assert by_address["Text"] == {"at_rest_encryption": False}
    broken = by_address["Broken"]["at_rest_encryption"]
    assert isinstance(broken, Unknown) and "not valid JSON" in broken.reason


def test_the_cdk_eks_construct_is_an_eks_cluster_read_from_its_config() -> None:
    graph, problems = graph_of(
        "Parameters:\n"
        "  ClusterConfig:\n"
        "    Type: String\n"
        "Resources:\n"
        "  Native:\n"
        "    Type: AWS::EKS::Cluster\n"
        "    Properties:\n"
        "      RoleArn: arn:aws:iam::111122223333:role/eks\n"
        "      ResourcesVpcConfig: {SubnetIds: [subnet-1]}\n"
        "      EncryptionConfig:\n"
        "        - Provider: {KeyArn: arn:aws:kms:us-east-1:111122223333:key/k}\n"
        "          Resources: [secrets]\n"
        "  Construct:\n"
        "    Type: Custom::AWSCDK-EKS-Cluster\n"
        "    Properties:\n"
        "      ServiceToken: arn:aws:lambda:us-east-1:111122223333:function:on-event\n"
        "      Config:\n"
        "        roleArn: arn:aws:iam::111122223333:role/eks\n"
        "        resourcesVpcConfig: {subnetIds: [subnet-1]}\n"
        "        encryptionConfig:\n"
        "          - provider: {keyArn: arn:aws:kms:us-east-1:111122223333:key/k}\n"
        "            resources: [secrets]\n"
        "  Plain:\n"
        "    Type: Custom::AWSCDK-EKS-Cluster\n"
        "    Properties:\n"
        "      Config: {roleArn: arn:aws:iam::111122223333:role/eks}\n"
        "  Opaque:\n"
        "    Type: Custom::AWSCDK-EKS-Cluster\n"
        "    Properties:\n"
        "      Config: !Ref ClusterConfig\n"
    )
    assert problems == []
    by_address = {resource.address: resource for resource in graph.resources}
    native, construct = by_address["Native"], by_address["Construct"]
    assert construct.kind == native.kind == "eks.cluster"
    assert construct.native_type == "Custom::AWSCDK-EKS-Cluster"
    assert construct.properties == native.properties
    assert construct.properties["encryption"] == [
        {"resources": ["secrets"], "kms_key": "arn:aws:kms:us-east-1:111122223333:key/k"}
    ]
    # Located in the Config, where the API's names are written.
    assert construct.locate(("encryption", 0, "resources", 0)).span.line == 22
    assert construct.locate(("encryption", 0, "kms_key")).span.line == 21
    assert by_address["Plain"].properties == {}
    # A Config known only at deployment leaves the encryption unknown.
    opaque = by_address["Opaque"].properties["encryption"]
    assert isinstance(opaque, Input) and opaque.name == "ClusterConfig"

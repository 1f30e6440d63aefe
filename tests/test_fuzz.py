"""Fuzzing the whole pipeline: structurally plausible CloudFormation templates and
Terraform modules of every modelled type, built from real property names and
intrinsic functions, go through reader, adapter, engine and every reporter without
an exception escaping. Budgets are modest so the suite stays fast."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iaclint.adapt.cloudformation.template import MAPPERS
from iaclint.adapt.terraform.build import FAMILIES
from iaclint.findings import Report
from iaclint.report.render import FORMATS, render
from iaclint.run import Options, lint, prepare

PROFILE = settings(
    max_examples=int(os.environ.get("IACLINT_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Property names the adapters read, in both spellings, and a few they do not.
NAMES = [
    "Encrypted",
    "StorageEncrypted",
    "KmsKeyId",
    "SnapshotId",
    "Tags",
    "Key",
    "Value",
    "BlockDeviceMappings",
    "DeviceName",
    "Ebs",
    "VirtualName",
    "NoDevice",
    "MetadataOptions",
    "HttpTokens",
    "HttpPutResponseHopLimit",
    "LaunchTemplateData",
    "NetworkInterfaces",
    "AssociatePublicIpAddress",
    "UserData",
    "ImageId",
    "Environment",
    "Variables",
    "MasterUserPassword",
    "ManageMasterUserPassword",
    "AuthToken",
    "BucketEncryption",
    "ServerSideEncryptionConfiguration",
    "ServerSideEncryptionByDefault",
    "SSEAlgorithm",
    "LoggingConfiguration",
    "DestinationBucketName",
    "VersioningConfiguration",
    "Status",
    "PublicAccessBlockConfiguration",
    "S3BucketName",
    "IsLogging",
    "IsMultiRegionTrail",
    "PolicyDocument",
    "Statement",
    "Effect",
    "Action",
    "Resource",
    "Principal",
    "LoadBalancerAttributes",
    "DistributionConfig",
    "Logging",
    "Bucket",
    "SecurityGroupIngress",
    "CidrIp",
    "FromPort",
    "ToPort",
    "IpProtocol",
    "Roles",
    "encrypted",
    "storage_encrypted",
    "kms_key_id",
    "tags",
    "root_block_device",
    "ebs_block_device",
    "metadata_options",
    "http_tokens",
    "password",
    "environment",
    "variables",
    "rule",
    "apply_server_side_encryption_by_default",
    "sse_algorithm",
    "bucket",
    "target_bucket",
    "versioning_configuration",
    "status",
    "s3_bucket_name",
    "enable_logging",
    "policy",
    "access_logs",
    "enabled",
    "ingress",
    "cidr_blocks",
    "from_port",
    "to_port",
    "protocol",
    "launch_template",
    "id",
    "name",
    "DB_PASSWORD",
]
SCALARS = st.one_of(
    st.sampled_from(
        [
            "true",
            "False",
            "0.0.0.0/0",
            "AKIAIOSFODNN7EXAMPLE",
            "aws:kms",
            "AES256",
            "required",
            "optional",
            "{{resolve:ssm:/x}}",
            "{{resolve:secretsmanager:x}}",
            "-----BEGIN RSA PRIVATE KEY-----",
            "all",
            "Enabled",
            "*",
            "s3:*",
            "",
        ]
    ),
    st.booleans(),
    st.integers(-2, 70000),
    st.none(),
    st.text(max_size=8),
)


def intrinsic(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(lambda name: {"Ref": name}, st.sampled_from(["P", "R0", "AWS::Partition", "X"])),
        st.builds(lambda a: {"Fn::GetAtt": ["R0", a]}, st.sampled_from(["Arn", "Id"])),
        st.builds(lambda c: {"Fn::Sub": f"arn:${{AWS::Partition}}:{c}"}, st.text(max_size=5)),
        st.builds(lambda a, b: {"Fn::If": ["C", a, b]}, children, children),
        st.builds(lambda xs: {"Fn::Join": ["", xs]}, st.lists(children, max_size=3)),
        st.builds(lambda x: {"Fn::Base64": x}, children),
        st.just({"Ref": "AWS::NoValue"}),
    )


CFN_VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(NAMES), children, max_size=4),
        intrinsic(children),
    ),
    max_leaves=12,
)


@st.composite
def cloudformation(draw: st.DrawFn) -> dict[str, Any]:
    types = [*sorted(MAPPERS), "AWS::Lambda::Function", "Custom::Thing"]
    resources = {
        f"R{index}": {
            "Type": draw(st.sampled_from(types)),
            "Properties": draw(st.dictionaries(st.sampled_from(NAMES), CFN_VALUES, max_size=5)),
        }
        for index in range(draw(st.integers(1, 4)))
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"P": {"Type": "String", "Default": draw(SCALARS.map(str))}},
        "Conditions": {"C": {"Fn::Equals": [{"Ref": "P"}, "x"]}},
        "Resources": resources,
    }


def hcl_string(text: str) -> str:
    return json.dumps(text)


HCL_SCALARS = st.one_of(
    st.sampled_from(
        [
            "true",
            "false",
            '"0.0.0.0/0"',
            '"aws:kms"',
            "var.v",
            "local.l",
            'var.m["a"]',
            '"AKIAIOSFODNN7EXAMPLE"',
            "aws_s3_bucket.b.id",
            "each.key",
            "count.index",
            'jsonencode({Statement = [{Effect = "Allow", Action = "*", Resource = "*"}]})',
            "null",
            "22",
            '"${var.v}/0"',
            "data.aws_ssm_parameter.p.value",
        ]
    ),
    st.text(max_size=6).map(hcl_string),
)
HCL_VALUES = st.recursive(
    HCL_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.dictionaries(st.sampled_from(NAMES), children, max_size=3).map(
            lambda d: "{" + ", ".join(f"{k} = {v}" for k, v in d.items()) + "}"
        ),
    ),
    max_leaves=8,
)


@st.composite
def block_body(draw: st.DrawFn, depth: int = 0) -> str:
    lines = [
        f"  {name} = {draw(HCL_VALUES)}"
        for name in draw(st.sets(st.sampled_from(NAMES), max_size=4))
    ]
    if depth < 2:
        for name in draw(st.lists(st.sampled_from(NAMES), max_size=2)):
            lines.append(f"  {name} {{\n{draw(block_body(depth + 1))}\n  }}")
        if draw(st.booleans()):
            lines.append(
                '  dynamic "ingress" {\n    for_each = var.m\n    content {\n'
                "      from_port = ingress.value\n    }\n  }"
            )
    return "\n".join(lines)


@st.composite
def terraform(draw: st.DrawFn) -> str:
    parts = [
        'variable "v" {\n  default = "10.0.0.0/8"\n}',
        'variable "m" {\n  default = { a = 22, b = 3389 }\n}',
        "locals {\n  l = var.v\n}",
        'data "aws_ssm_parameter" "p" {\n  name = "/x"\n}',
        'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}',
    ]
    for index in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(sorted(FAMILIES)))
        meta = draw(st.sampled_from(["", "  count = 2\n", "  for_each = var.m\n"]))
        parts.append(f'resource "{kind}" "r{index}" {{\n{meta}{draw(block_body())}\n}}')
    return "\n\n".join(parts) + "\n"


POLICIES = prepare(Options()).policies


def lint_and_render(path: Path) -> Report:
    report = lint(Options(paths=(str(path),), use_cache=False), POLICIES, [])
    for format_name in FORMATS:
        assert isinstance(render(report, format_name), str)
    return report


@PROFILE
@given(cloudformation(), st.booleans())
def test_plausible_templates_never_crash_the_pipeline(
    tmp_path_factory: pytest.TempPathFactory, template: dict[str, Any], as_json: bool
) -> None:
    # Long-form intrinsics in YAML too: short-form tags are fuzzed by test_properties.
    text = json.dumps(template) if as_json else yaml.safe_dump(template, sort_keys=False)
    folder = tmp_path_factory.mktemp("cfn")
    path = folder / ("t.json" if as_json else "t.yaml")
    path.write_text(text, encoding="utf-8")
    report = lint_and_render(path)
    assert all(d.file.endswith(path.name) for d in report.diagnostics)


# What SAM resources are written with, and the types the expansion reads.
SAM_NAMES = [
    "Policies",
    "Role",
    "Environment",
    "Variables",
    "VpcConfig",
    "Tracing",
    "Events",
    "Type",
    "Properties",
    "Queue",
    "Path",
    "Method",
    "FunctionUrlConfig",
    "AuthType",
    "DeadLetterQueue",
    "TargetArn",
    "CodeUri",
    "Statement",
    "S3ReadPolicy",
    "BucketName",
    "SSESpecification",
    "PrimaryKey",
    "StageName",
    "Location",
    "Fn::If",
]
SAM_VALUES = st.recursive(
    SCALARS | st.sampled_from(["NONE", "SQS", "Api", "AdministratorAccess", "*"]),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(SAM_NAMES), children, max_size=4),
    ),
    max_leaves=12,
)
SAM_TYPES = [
    f"AWS::Serverless::{name}"
    for name in ("Function", "StateMachine", "Api", "HttpApi", "SimpleTable", "LayerVersion")
] + ["AWS::Serverless::Application"]


@st.composite
def sam(draw: st.DrawFn) -> dict[str, Any]:
    resources = {}
    for index in range(draw(st.integers(1, 3))):
        body: dict[str, Any] = {
            "Type": draw(st.sampled_from(SAM_TYPES)),
            "Properties": draw(st.dictionaries(st.sampled_from(SAM_NAMES), SAM_VALUES, max_size=5)),
        }
        if draw(st.booleans()):
            body["IgnoreGlobals"] = draw(SAM_VALUES)
        resources[f"R{index}"] = body
    globals_section = draw(
        st.dictionaries(st.sampled_from(["Function", "Api", "HttpApi", "Nope"]), SAM_VALUES)
    )
    return {
        "Transform": "AWS::Serverless-2016-10-31",
        "Globals": globals_section,
        "Resources": resources,
    }


@PROFILE
@given(sam(), st.booleans())
def test_plausible_sam_templates_never_crash_the_pipeline(
    tmp_path_factory: pytest.TempPathFactory, template: dict[str, Any], as_json: bool
) -> None:
    text = json.dumps(template) if as_json else yaml.safe_dump(template, sort_keys=False)
    folder = tmp_path_factory.mktemp("sam")
    path = folder / ("t.json" if as_json else "t.yaml")
    path.write_text(text, encoding="utf-8")
    report = lint_and_render(path)
    assert not any("defect" in d.message for d in report.diagnostics)


@PROFILE
@given(terraform())
def test_plausible_terraform_never_crashes_the_pipeline(
    tmp_path_factory: pytest.TempPathFactory, module: str
) -> None:
    folder = tmp_path_factory.mktemp("tf")
    (folder / "main.tf").write_text(module, encoding="utf-8")
    lint_and_render(folder)

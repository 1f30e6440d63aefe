"""Bad input never takes a run down: each kind gets a located, readable error (or is
read correctly when it is not bad after all), and the other files are still linted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from iaclint.cli import main

GOOD = """\
Resources:
  Open:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
"""
HEADER = "AWSTemplateFormatVersion: '2010-09-09'\n"
GOOD_FINDING = "good.yaml:7:55: IAC001 high 22 open to the whole internet from 0.0.0.0/0 [Open]"

# name -> (bytes, the error's "file:line:column: error: message" after the folder). Where
# libyaml finds the fault, only our part of the message is asserted: its wording is its own.
ERRORS: dict[str, tuple[bytes, str]] = {
    "binary.yaml": (
        b"\x00\x01AWSTemplateFormatVersion\xff",
        "binary.yaml: error: binary file (contains NUL bytes), not a text template",
    ),
    "invalid-utf8.yaml": (
        (HEADER + "Description: caf\xe9\n").encode("latin-1"),
        "invalid-utf8.yaml:2:17: error: not valid UTF-8: byte 0xe9 at offset 55",
    ),
    "tabs.yaml": (
        (HEADER + "Resources:\n\tA:\n\t\tType: AWS::SNS::Topic\n").encode(),
        "tabs.yaml:3:1: error: invalid YAML: ",
    ),
    "foreach-without-transform.yaml": (
        (
            HEADER + "Resources:\n  Fn::ForEach::Topics:\n"
            "    - N\n    - [a, b]\n    - T${N}: {Type: AWS::SNS::Topic}\n"
        ).encode(),
        "foreach-without-transform.yaml:3:3: error: 'Fn::ForEach::Topics' needs 'Transform: "
        "AWS::LanguageExtensions', which the template does not declare (CloudFormation "
        "refuses it); the resources it would generate are not linted",
    ),
    "foreach-malformed.yaml": (
        (
            HEADER + "Transform: [AWS::LanguageExtensions]\nResources:\n  Fn::ForEach::Topics:\n"
            "    - N\n    - [a, b]\n"
        ).encode(),
        "foreach-malformed.yaml:4:3: error: 'Fn::ForEach::Topics' must be a list of 3: "
        "[identifier, collection, output]",
    ),
    "invalid.yaml": (
        (HEADER + "Resources: [unclosed\n").encode(),
        "invalid.yaml:3:1: error: invalid YAML: ",
    ),
    "invalid.json": (
        b'{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {',
        "invalid.json:1:58: error: invalid JSON: expected a property name in double quotes",
    ),
    "duplicate.yaml": (
        (
            HEADER + "Resources:\n  A: {Type: AWS::SNS::Topic}\n  A: {Type: AWS::SQS::Queue}\n"
        ).encode(),
        "duplicate.yaml:4:3: error: duplicate key 'A' (first at line 3); the later value is used",
    ),
    "unsafe.yaml": (
        (HEADER + "Resources:\n  A: !!python/object/apply:os.system ['echo pwned']\n").encode(),
        "unsafe.yaml:3:6: error: unsafe YAML tag '!!python/object/apply:os.system' refused",
    ),
    "type.yaml": (
        (HEADER + "Resources:\n  A:\n    Type: 42\n").encode(),
        "type.yaml:4:5: error: resource 'A' needs a 'Type' written as text, got int",
    ),
    "resources.yaml": (
        (HEADER + "Resources:\n  - Type: AWS::SNS::Topic\n").encode(),
        "resources.yaml:2:1: error: 'Resources' must be a mapping of logical ids to resources",
    ),
    "invalid.tf": (
        b'resource "aws_security_group" "x" {\n  ingress {\n',
        "invalid.tf:3:1: error: invalid HCL: unexpected the end of the file (expected '}')",
    ),
    "heredoc.tf": (
        b'resource "aws_instance" "x" {\n  user_data = <<EOT\nhello\n',
        "heredoc.tf:2:15: error: invalid HCL: heredoc <<EOT is never closed",
    ),
    "cycle.tf": (
        b"locals {\n  a = local.b\n  b = local.a\n}\n"
        b'resource "aws_security_group" "s" {\n  description = local.a\n}\n',
        "cycle.tf:2:3: error: local.a refers to itself (local.a -> local.b -> local.a)",
    ),
    "bad.plan.json": (
        b'{"format_version": "1.2", "planned_values": {"root_module": '
        b'{"resources": [{"address": 5}]}}}',
        "bad.plan.json:1:77: error: malformed plan: a resource needs its 'address' as text",
    ),
    "condition-cycle.yaml": (
        (
            HEADER + "Conditions:\n  A: !Or [!Condition B, !Condition A]\n"
            "  B: !Not [!Condition A]\nResources:\n"
            "  T: {Type: AWS::SNS::Topic, Condition: A}\n"
        ).encode(),
        "condition-cycle.yaml:3:3: error: condition 'A' depends on itself (A -> B -> A); "
        "CloudFormation refuses the template",
    ),
    "getatt.yaml": (
        (
            HEADER + "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n"
            "      TopicName: !GetAtt Other\n"
        ).encode(),
        "getatt.yaml:6:18: error: Fn::GetAtt needs 'Resource.Attribute' or [Resource, "
        "Attribute], got 'Other'; CloudFormation refuses the template",
    ),
}


def lint(
    folder: Path, capsys: pytest.CaptureFixture[str], *extra: str, cache: bool = False
) -> tuple[int, str]:
    before = Path.cwd()
    os.chdir(folder.parent)
    try:
        switches = [] if cache else ["--no-cache"]
        code = main([*switches, "--color", "never", *extra, folder.name])
    finally:
        os.chdir(before)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_bad_file_is_a_located_error_and_the_rest_is_linted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    data, error = ERRORS[name]
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / name).write_bytes(data)
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    code, output = lint(folder, capsys)
    assert code == 2
    assert f"run/{error}" in output
    assert f"run/{GOOD_FINDING}" in output
    assert "Traceback" not in output and "a defect in iaclint" not in output


@pytest.mark.parametrize(
    ("name", "data", "line"),
    [
        ("bom.yaml", b"\xef\xbb\xbf" + GOOD.encode(), 7),
        ("crlf.yaml", GOOD.replace("\n", "\r\n").encode(), 7),
        ("utf16.yaml", GOOD.encode("utf-16"), 7),
    ],
    ids=["utf-8 BOM", "CRLF", "utf-16 BOM"],
)
def test_encodings_and_line_ends_are_read_right(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, data: bytes, line: int
) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / name).write_bytes(data)
    code, output = lint(folder, capsys)
    assert code == 1
    assert f"run/{name}:{line}:55: IAC001 high 22 open" in output


def test_a_missing_path_is_an_error_and_the_others_are_linted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    code, output = lint(folder, capsys, str(tmp_path / "missing.yaml"))
    assert code == 2
    assert "missing.yaml: error:" in output and "no such file or directory" in output.lower()
    assert f"run/{GOOD_FINDING}" in output


def test_symlink_loops_and_directories_named_like_files_are_walked_safely(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "run"
    (folder / "x.yaml").mkdir(parents=True)
    (folder / "x.yaml" / "inner.yaml").write_text(GOOD, encoding="utf-8")
    os.symlink("loop", folder / "loop")
    os.symlink("..", folder / "x.yaml" / "up")
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    code, output = lint(folder, capsys)
    assert code == 1
    assert f"run/{GOOD_FINDING}" in output
    assert "run/x.yaml/inner.yaml:7:55: IAC001" in output
    assert output.count("IAC001") == 2  # the loop back up is not followed


# Inputs that are odd rather than bad: read as CloudFormation and Terraform read them,
# with a warning where a person may have meant something else; never an error.
ACCEPTED: dict[str, tuple[bytes, list[str]]] = {
    "empty.yaml": (b"", []),  # holds no template: skipped like any other non-template
    "yaml11.yaml": (
        (
            HEADER + "Resources:\n  Off:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
            "      GroupDescription: 2001-01-01\n      SecurityGroupIngress:\n"
            "        - {IpProtocol: tcp, FromPort: 0022, ToPort: 22, CidrIp: 10.0.0.0/8}\n"
        ).encode(),
        [
            "yaml11.yaml:8:39: warning: a number with a leading zero is read as octal (YAML "
            "1.1, as CloudFormation reads it); remove the zeros or quote it if a decimal was meant"
        ],
    ),
    "unknown-tag.yaml": (
        (
            HEADER + "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n"
            "      KmsMasterKeyId: !Bogus x\n"
        ).encode(),
        [
            "unknown-tag.yaml:6:23: warning: unknown tag '!Bogus' (a preprocessor's directive?): "
            "values under it are treated as unknown"
        ],
    ),
    "foreach.yaml": (
        (
            HEADER + "Transform: AWS::LanguageExtensions\nParameters:\n  Names:\n"
            "    Type: CommaDelimitedList\nResources:\n  Fn::ForEach::Topics:\n"
            "    - N\n    - !Ref Names\n    - T${N}: {Type: AWS::SNS::Topic}\n"
        ).encode(),
        [
            "foreach.yaml:9:7: warning: 'Fn::ForEach::Topics' loops over a collection known "
            "only at deployment (parameter Names has no default): what it generates is not linted"
        ],
    ),
    "serverless.yaml": (
        (
            HEADER + "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
            "    Type: AWS::Serverless::Connector\n    Properties: {Permissions: [Read]}\n"
        ).encode(),
        [
            "serverless.yaml:5:5: warning: 'Fn' (AWS::Serverless::Connector) is expanded by the "
            "AWS::Serverless transform at deployment; the resources it generates are not linted: "
            "it has no Source"
        ],
    ),
    "no-default.tf": (
        b'variable "cidr" {}\nresource "aws_security_group" "s" {\n  ingress {\n'
        b'    from_port = 22\n    to_port = 22\n    protocol = "tcp"\n'
        b"    cidr_blocks = [var.cidr]\n  }\n}\n",
        ["no-default.tf:7:20: IAC001 unknown variable cidr has no default and no value in .tfvars"],
    ),
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_odd_input_is_read_as_aws_reads_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    data, messages = ACCEPTED[name]
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / name).write_bytes(data)
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    code, output = lint(folder, capsys, "--show-unknown")
    assert code == 1  # the good file's finding, and nothing worse
    assert f"run/{GOOD_FINDING}" in output
    for message in messages:
        assert f"run/{message}" in output
    assert ": error: " not in output and "Traceback" not in output


def test_a_malformed_policy_is_an_error_and_the_files_are_still_linted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "ORG1.yaml").write_text("id: ORG1\ntitle: x\n", encoding="utf-8")
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    code, output = lint(folder, capsys, "--policies", str(policies))
    assert code == 2
    assert "ORG1.yaml:1:1: error: bad policy: missing required field" in output
    assert f"run/{GOOD_FINDING}" in output


def test_a_malformed_configuration_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("severity-threshold = \n", encoding="utf-8")
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    code, output = lint(folder, capsys, "--config", str(config))
    assert code == 2
    assert "bad.toml:1: error: invalid TOML: Invalid value" in output
    assert "Traceback" not in output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_is_an_error_and_the_rest_is_linted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    locked = folder / "locked.yaml"
    locked.write_text(GOOD, encoding="utf-8")
    locked.chmod(0)
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    try:
        code, output = lint(folder, capsys)
    finally:
        locked.chmod(0o600)
    assert code == 2
    assert "run/locked.yaml: error: cannot read: Permission denied" in output
    assert f"run/{GOOD_FINDING}" in output


def test_pipes_and_link_loops_named_or_walked_are_errors_and_never_block(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pipe with no writer would block a read forever; a loop of links never resolves.
    folder = tmp_path / "run"
    (folder / "module").mkdir(parents=True)
    (folder / "module" / "main.tf").write_text(
        'resource "aws_sns_topic" "t" {\n  name = "t"\n}\n', encoding="utf-8"
    )
    os.mkfifo(folder / "module" / "pipe.tf")
    os.mkfifo(folder / "pipe.yaml")
    os.symlink("loop", folder / "loop")
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv("IACLINT_CACHE_DIR", str(tmp_path / "cache"))
    for cache in (False, True, True):  # without the cache, filling it, reading it
        code, output = lint(folder, capsys, "run/loop", cache=cache)
        assert code == 2
        assert f"run/{GOOD_FINDING}" in output
        assert "run/pipe.yaml: error: cannot read: not a regular file" in output
        assert "run/module/pipe.tf: error: cannot read: not a regular file" in output
        assert "run/loop: error: symbolic link loop: not read" in output
        assert "Traceback" not in output and "a defect in iaclint" not in output


# Fn::GetAtt arguments CloudFormation refuses, as the short form and the long form write
# them: (YAML, JSON, what is wrong).
MALFORMED_GETATT = [
    (
        "!GetAtt [Role]",
        '{"Fn::GetAtt": ["Role"]}',
        "needs [Resource, Attribute], got a list of 1 item",
    ),
    (
        "!GetAtt [Role, Arn, Extra]",
        '{"Fn::GetAtt": ["Role", "Arn", "Extra"]}',
        "needs [Resource, Attribute], got a list of 3 items",
    ),
    (
        '!GetAtt ""',
        '{"Fn::GetAtt": ""}',
        "needs 'Resource.Attribute' or [Resource, Attribute], got an empty text",
    ),
    (
        "!GetAtt Role",
        '{"Fn::GetAtt": "Role"}',
        "needs 'Resource.Attribute' or [Resource, Attribute], got 'Role'",
    ),
    ('{"Fn::GetAtt": 3}', '{"Fn::GetAtt": 3}', "needs [Resource, Attribute], got the number 3"),
    (
        "!GetAtt [Role, '']",
        '{"Fn::GetAtt": ["Role", ""]}',
        "needs the attribute's name second, got an empty text",
    ),
    (
        "!GetAtt [[Role], Arn]",
        '{"Fn::GetAtt": [["Role"], "Arn"]}',
        "needs the resource's logical id as text first, got a list",
    ),
]


@pytest.mark.parametrize("form", ["yaml", "json"])
@pytest.mark.parametrize(
    ("yaml_value", "json_value", "problem"),
    MALFORMED_GETATT,
    ids=[case[0] for case in MALFORMED_GETATT],
)
def test_a_malformed_getatt_is_a_located_error_and_the_template_is_still_linted(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    form: str,
    yaml_value: str,
    json_value: str,
    problem: str,
) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    if form == "yaml":
        text = GOOD + (
            "  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
            "      AssumeRolePolicyDocument: {}\n"
            f"  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      KmsMasterKeyId: {yaml_value}\n"
        )
        # The long form's key is inside its braces.
        line, column = 15, 23 + yaml_value.startswith("{")
    else:
        text = (
            '{"Resources": {\n'
            ' "Open": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "g",\n'
            '  "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,'
            ' "CidrIp": "0.0.0.0/0"}]}},\n'
            ' "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},\n'
            ' "Topic": {"Type": "AWS::SNS::Topic", "Properties": {\n'
            f'  "KmsMasterKeyId": {json_value}}}}}\n'
            "}}\n"
        )
        line, column = 6, 22
    (folder / f"template.{form}").write_text(text, encoding="utf-8")
    code, output = lint(folder, capsys)
    assert code == 2
    expected = f"run/template.{form}:{line}:{column}: error: Fn::GetAtt {problem}; CloudFormation"
    assert expected in output, output
    assert f"run/template.{form}:" in output and "IAC001 high 22 open" in output
    assert output.count(": error: ") == 1
    assert "Traceback" not in output and "a defect in iaclint" not in output

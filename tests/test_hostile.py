"""Hostile input is bounded: alias bombs, deep nesting and oversized files finish or are
refused with a clear error, and never take the other files of the run down. Time and
memory are measured by benchmarks/hostile.py, never here."""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from iaclint.cli import main

from .conftest import ROOT


def generators() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hostile", ROOT / "benchmarks" / "hostile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOSTILE = generators()

CASES: list[tuple[str, Callable[[Path], Path], int, str | re.Pattern[str]]] = [
    (
        "alias bomb",
        HOSTILE.alias_bomb,
        2,
        "bomb.yaml:1:1: error: stopped resolving the template: it needs more than 200,000 "
        "values resolved",
    ),
    ("deep JSON", HOSTILE.deep_json, 2, "deep.json:1:307: error: invalid JSON: nesting deeper"),
    # Our reader or libyaml (6.0.4 has a depth limit of its own) stops first: either way a
    # located error, never a crash; the wording is not ours to assert.
    ("deep YAML", HOSTILE.deep_yaml, 2, re.compile(r"^deep\.yaml:6:\d+: error: ", re.MULTILINE)),
    (
        "deep HCL",
        HOSTILE.deep_hcl,
        1,
        "main.tf:2:108: warning: cannot read the value of 'x' (expression nested deeper than "
        "100 levels)",
    ),
    (
        "oversized template",
        HOSTILE.template_of(2.5),
        2,
        "big-2.5mb.yaml: error: 2.5 MB is over the 2 MB limit (CloudFormation itself accepts "
        "templates of up to 1 MB): not linted",
    ),
    ("long line", HOSTILE.long_line, 1, "No errors"),
]


@pytest.mark.parametrize(("label", "make", "code", "message"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input_is_bounded_and_the_rest_is_linted(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    label: str,
    make: Callable[[Path], Path],
    code: int,
    message: str | re.Pattern[str],
) -> None:
    (tmp_path / "good.yaml").write_text(HOSTILE.GOOD, encoding="utf-8")
    hostile = make(tmp_path)
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        exit_code = main(["--no-cache", "--color", "never", hostile.name, "good.yaml"])
    finally:
        os.chdir(before)
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert exit_code == code
    assert "good.yaml:7:55: IAC001 high 22 open to the whole internet" in output
    assert "Traceback" not in output and "a defect in iaclint" not in output
    if isinstance(message, re.Pattern):
        assert message.search(output), output
    elif message != "No errors":
        assert message in output
    else:
        assert ": error: " not in output


# JSON text inside a value (a policy written as a string, a plan's attribute) nested far
# deeper than Python's recursion limit: the value is unknown with the reason, at its place.
DEEP_TEXT = '{"a":' * 5000 + "1" + "}" * 5000


def _plan(resource_type: str, values: dict[str, object]) -> str:
    resource = {
        "address": f"{resource_type}.p",
        "mode": "managed",
        "type": resource_type,
        "name": "p",
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "values": values,
        "sensitive_values": {},
    }
    plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [resource]}},
    }
    return json.dumps(plan, indent=1)


DEEP_VALUES: list[tuple[str, str, str, str]] = [
    (
        "plan policy text",
        "p.plan.json",
        _plan("aws_iam_policy", {"name": "p", "policy": DEEP_TEXT}),
        "p.plan.json:14:7: IAC010 unknown a JSON document nested deeper than 200 levels",
    ),
    (
        "plan topic policy text",
        "t.plan.json",
        _plan("aws_sns_topic", {"name": "t", "policy": DEEP_TEXT}),
        "t.plan.json:14:7: IAC016 unknown a JSON document nested deeper than 200 levels",
    ),
    (
        "YAML template policy text",
        "deep-text.yaml",
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        f"      PolicyDocument: '{DEEP_TEXT}'\n",
        "deep-text.yaml:5:7: IAC010 unknown the policy document is nested deeper than 200 levels",
    ),
    (
        "JSON template policy text",
        "deep-text.json",
        json.dumps(
            {
                "Resources": {
                    "P": {
                        "Type": "AWS::IAM::ManagedPolicy",
                        "Properties": {"PolicyDocument": DEEP_TEXT},
                    }
                }
            },
            indent=1,
        ),
        "deep-text.json:6:5: IAC010 unknown the policy document is nested deeper than 200 levels",
    ),
    (
        "HCL heredoc",
        "heredoc/main.tf",
        f'resource "aws_iam_policy" "p" {{\n  policy = <<EOF\n{DEEP_TEXT}\nEOF\n}}\n',
        "heredoc/main.tf:2:3: IAC010 unknown a JSON document nested deeper than 200 levels",
    ),
    (
        "HCL jsondecode",
        "decoded/main.tf",
        'resource "aws_iam_policy" "p" {\n  policy = jsondecode("'
        + DEEP_TEXT.replace('"', '\\"')
        + '")\n}\n',
        "decoded/main.tf:2:3: IAC010 unknown cannot be evaluated: jsondecode(): invalid JSON: "
        "nested deeper than 200 levels",
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "unknown"),
    [case[1:] for case in DEEP_VALUES],
    ids=[case[0] for case in DEEP_VALUES],
)
def test_json_text_nested_too_deep_inside_a_value_is_unknown_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, unknown: str
) -> None:
    (tmp_path / "good.yaml").write_text(HOSTILE.GOOD, encoding="utf-8")
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        arguments = ["--no-cache", "--color", "never", "--show-unknown", "-j1"]
        exit_code = main([*arguments, name.split("/")[0], "good.yaml"])
    finally:
        os.chdir(before)
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert exit_code == 1, output
    assert "good.yaml:7:55: IAC001 high 22 open to the whole internet" in output
    assert unknown in output, output
    assert ": error: " not in output and "Traceback" not in output


def test_plan_nested_too_deep_and_blocks_nested_too_deep_are_located_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.yaml").write_text(HOSTILE.GOOD, encoding="utf-8")
    plan = _plan("aws_sns_topic", {"name": "t", "X": "@"}).replace('"@"', "[" * 5000 + "]" * 5000)
    (tmp_path / "deep.plan.json").write_text(plan, encoding="utf-8")
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "main.tf").write_text(
        'resource "aws_iam_policy" "p" {\n' + 'dynamic "x" {\n' * 5000 + "}\n" * 5001,
        encoding="utf-8",
    )
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        exit_code = main(
            ["--no-cache", "--color", "never", "deep.plan.json", "blocks", "good.yaml"]
        )
    finally:
        os.chdir(before)
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert exit_code == 2
    assert "good.yaml:7:55: IAC001 high 22 open to the whole internet" in output
    assert re.search(r"^deep\.plan\.json:14:\d+: error: invalid JSON: nesting deeper", output, re.M)
    assert (
        "blocks/main.tf:101:1: error: invalid HCL: blocks nested deeper than 100 levels" in output
    )
    assert "Traceback" not in output and "a defect in iaclint" not in output

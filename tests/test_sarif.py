"""SARIF 2.1.0 through the command line: valid against the OASIS schema, uploadable as is."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from iaclint.cli import main

from .conftest import FIXTURES, ROOT
from .test_cli import OPEN_SSH, write

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


@functools.cache
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def sarif(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    main(["--format", "sarif", *argv])
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    errors = sorted(validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []
    return document


def run_in(directory: Path) -> Any:
    before = Path.cwd()
    os.chdir(directory)
    return before


@pytest.mark.parametrize(
    "folder", [*sorted(p.name for p in (FIXTURES / "policies").iterdir()), "cdk"]
)
def test_every_fixture_run_is_valid_sarif(folder: str, capsys: pytest.CaptureFixture[str]) -> None:
    target = FIXTURES / "policies" / folder if folder != "cdk" else FIXTURES / "cdk"
    before = run_in(ROOT)
    try:
        document = sarif([str(target.relative_to(ROOT))], capsys)
    finally:
        os.chdir(before)
    (run,) = document["runs"]
    assert run["results"], "every fixture folder has fail cases"
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert (ROOT / artifact["uri"]).is_file()


def test_rules_describe_every_policy_that_ran(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "stack.yaml", OPEN_SSH)
    document = sarif(["--select", "network", "stack.yaml"], capsys)
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "iaclint"
    assert driver["informationUri"].startswith("https://")
    assert [rule["id"] for rule in driver["rules"]] == ["IAC001", "IAC002", "IAC004", "IAC005"]
    rule = driver["rules"][0]
    assert rule["helpUri"].endswith("/docs/policies/IAC001.md")
    for rule in driver["rules"]:  # the page helpUri names is the generated one in docs/
        assert (ROOT / "docs" / "policies" / f"{rule['id']}.md").is_file()
    rule = driver["rules"][1]  # IAC002, medium
    assert rule["defaultConfiguration"] == {"level": "warning"}
    assert rule["properties"]["security-severity"] == "5.5"
    assert rule["properties"]["tags"] == ["security", "network"]
    assert "How to fix:" in rule["help"]["text"]
    assert (
        rule["shortDescription"]["text"] == "Security group open to the world on unexpected ports"
    )
    (result,) = document["runs"][0]["results"]
    assert result["ruleId"] == "IAC001" and result["ruleIndex"] == 0
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "stack.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 11, "startColumn": 11, "endLine": 11, "endColumn": 28},
    }
    assert result["locations"][0]["logicalLocations"] == [
        {"name": "Group", "fullyQualifiedName": "Group", "kind": "resource"}
    ]


def test_partial_fingerprints_survive_line_shifts(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(in_tmp, "stack.yaml", OPEN_SSH)
    before = sarif(["stack.yaml"], capsys)["runs"][0]["results"][0]
    path.write_text("# moved\n\n\n" + OPEN_SSH, encoding="utf-8")
    after = sarif(["stack.yaml"], capsys)["runs"][0]["results"][0]
    region = after["locations"][0]["physicalLocation"]["region"]
    assert (
        region["startLine"] == before["locations"][0]["physicalLocation"]["region"]["startLine"] + 3
    )
    assert after["partialFingerprints"] == before["partialFingerprints"]
    # ...and whichever directory the run starts from (paths from the repository root).
    subprocess.run(["git", "init", "-q", str(in_tmp)], check=True)
    write(in_tmp, "infra/stack.yaml", OPEN_SSH)
    from_root = sarif(["infra/stack.yaml"], capsys)["runs"][0]["results"][0]
    os.chdir(in_tmp / "infra")
    from_sub = sarif(["stack.yaml"], capsys)["runs"][0]["results"][0]
    assert from_sub["partialFingerprints"] == from_root["partialFingerprints"]
    assert from_sub["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "infra/stack.yaml"
    )


def test_cdk_construct_path_is_a_logical_location(capsys: pytest.CaptureFixture[str]) -> None:
    before = run_in(ROOT)
    try:
        document = sarif(["fixtures/cdk"], capsys)
    finally:
        os.chdir(before)
    named = [
        location
        for result in document["runs"][0]["results"]
        for location in result["locations"][0]["logicalLocations"]
        if location["kind"] == "module"
    ]
    assert named, "CDK findings carry their construct path"
    for location in named:
        assert location["fullyQualifiedName"].endswith("/" + location["name"])
        assert "/" in location["fullyQualifiedName"]


def test_file_errors_are_tool_execution_notifications(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "stack.yaml", OPEN_SSH)
    write(in_tmp, "broken.yaml", 'AWSTemplateFormatVersion: "2010-09-09"\nResources: [\n')
    document = sarif(["."], capsys)
    (invocation,) = document["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert notification["message"]["text"].startswith("broken.yaml:")
    location = notification["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "broken.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] >= 2
    assert [r["ruleId"] for r in document["runs"][0]["results"]] == ["IAC001"]


def test_sarif_needs_no_git(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "stack.yaml", OPEN_SSH)
    path = os.environ["PATH"]
    os.environ["PATH"] = ""
    try:
        assert shutil.which("git") is None
        document = sarif(["stack.yaml"], capsys)
    finally:
        os.environ["PATH"] = path
    base = document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == in_tmp.resolve().as_uri() + "/"

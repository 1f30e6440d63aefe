"""CDK cloud assemblies end to end: the committed fixture app's seeded mistakes."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from iaclint.cli import main

from .conftest import FIXTURES
from .test_sarif import validator

APP = FIXTURES / "cdk"
EXPECTED = APP / "expected-findings.txt"


def expected() -> list[tuple[str, ...]]:
    lines = EXPECTED.read_text(encoding="utf-8").splitlines()
    return sorted(
        tuple(line.split()) for line in lines if line.strip() and not line.startswith("#")
    )


def seen(finding: dict[str, object]) -> tuple[str, ...]:
    key = (str(finding["policy_id"]), str(finding["construct_path"]))
    return (*key, "suppressed") if finding["suppression"] else key


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    main(["--format", "json", *args])
    report: dict[str, object] = json.loads(capsys.readouterr().out)
    return report


@pytest.mark.parametrize("assembly", ["cdk.out", "cdk.out-no-paths"])
def test_each_seeded_mistake_once_named_by_construct_path(
    capsys: pytest.CaptureFixture[str], assembly: str
) -> None:
    report = run_json(capsys, str(APP / assembly))
    findings = report["findings"]
    assert isinstance(findings, list)
    assert sorted(seen(f) for f in findings) == expected()
    # The safe constructs are judged, not left unknown.
    assert report["undetermined"] == []
    assert report["errors"] == []
    files = {Path(f["file"]).name for f in findings}
    assert files == {
        "Analytics.template.json",
        "Compute.template.json",
        "ComputeStorage251C8454.nested.template.json",
        "Kubernetes.template.json",
        "Logging.template.json",
        "ProdEdge216B1454.template.json",
        "ResourcePolicies.template.json",
    }


@pytest.mark.parametrize("assembly", ["cdk.out", "cdk.out-no-paths"])
def test_each_finding_points_at_the_property_or_the_resource_header(
    capsys: pytest.CaptureFixture[str], assembly: str
) -> None:
    findings = run_json(capsys, str(APP / assembly))["findings"]
    assert isinstance(findings, list)
    for finding in findings:
        text = Path(finding["file"]).read_text(encoding="utf-8").splitlines()[finding["line"] - 1]
        attribute = finding["attribute"]
        if not attribute:
            # A property left out: the resource header, where it has to be added.
            assert text.strip() == f'"{finding["resource"]}": {{', finding
        elif not attribute.endswith("]"):
            # The wrong property itself (list items are on their own lines).
            assert text.strip().startswith(f'"{attribute.rsplit(".", 1)[-1]}":'), finding


def test_stacks_nested_stacks_and_stages_are_all_linted(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(capsys, str(APP / "cdk.out"))
    summary = report["summary"]
    assert isinstance(summary, dict)
    # Compute, its nested stack Storage, Logging, ResourcePolicies, Prod/Edge from the
    # stage, Analytics, Encrypted, and the two EKS stacks with the construct's two
    # nested stacks each.
    assert summary["templates_linted"] == 13
    assert summary["files_skipped"] == 0


def test_walking_a_parent_directory_reads_assemblies_by_manifest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = run_json(capsys, str(APP))
    summary = report["summary"]
    assert isinstance(summary, dict)
    assert summary["templates_linted"] == 26  # two assemblies of thirteen templates


def test_text_report_shows_the_construct_path(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--select", "IAC001", str(APP / "cdk.out")])
    out = capsys.readouterr().out
    assert "[Compute/SshOpen/Resource (SshOpen1914A67C)]" in out


def test_asset_folders_are_never_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "cdk.out"
    shutil.copytree(APP / "cdk.out", copy)
    asset = next(copy.glob("asset.*"))
    (asset / "stack.template.json").write_text(
        '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"G": {"Type": "AWS::EC2::SecurityGroup",'
        ' "Properties": {"GroupDescription": "g", "SecurityGroupIngress": [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]}}}}'
    )
    report = run_json(capsys, str(tmp_path))
    findings = report["findings"]
    assert isinstance(findings, list)
    assert not any("asset." in f["file"] for f in findings)


def test_a_template_without_any_path_source_gets_one_notice(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = run_json(capsys, str(APP / "cdk.out-no-paths" / "Compute.template.json"))
    errors = report["errors"]
    assert isinstance(errors, list)
    notices = [e for e in errors if e["level"] == "notice"]
    assert len(notices) == 1
    assert "cdk synth" in notices[0]["message"]
    findings = report["findings"]
    assert isinstance(findings, list)
    assert all(f["construct_path"] is None for f in findings)
    with_paths = run_json(capsys, str(APP / "cdk.out" / "Compute.template.json"))
    assert with_paths["errors"] == []


@pytest.mark.skipif(
    importlib.util.find_spec("aws_cdk") is None, reason="aws-cdk-lib is not installed"
)
def test_the_app_still_synthesizes_to_the_committed_assembly(tmp_path: Path) -> None:
    """Re-synthesize (only where aws-cdk-lib is installed) and compare the resources."""
    subprocess.run(
        [sys.executable, str(APP / "app.py"), str(tmp_path / "out")],
        check=True,
        cwd=APP,
        capture_output=True,
    )

    def resources(root: Path) -> set[tuple[str, str, str]]:
        out = set()
        for template in root.rglob("*.template.json"):
            for logical_id, body in json.loads(template.read_text())["Resources"].items():
                out.add((template.name, logical_id, body["Type"]))
        return out

    assert resources(tmp_path / "out") == resources(APP / "cdk.out")


def test_creation_site_from_user_code_is_a_related_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A TypeScript app's creation stack has frames of the user's code; Python's has none."""
    copy = tmp_path / "cdk.out"
    shutil.copytree(APP / "cdk.out", copy)
    metadata_file = copy / "Compute.metadata.json"
    metadata = json.loads(metadata_file.read_text())
    for entry in metadata["/Compute/SshOpen/Resource"]:
        if entry["type"] == "aws:cdk:creationStack":
            entry["data"] = [
                "new SecurityGroup (/app/node_modules/aws-cdk-lib/aws-ec2/lib/security-group.js:1:2)",
                "new ComputeStack (/app/lib/compute-stack.ts:24:22)",
                "Object.<anonymous> (/app/bin/app.ts:7:1)",
            ]
    metadata_file.write_text(json.dumps(metadata))
    report = run_json(capsys, "--select", "IAC001,IAC003", str(copy))
    related = {f["construct_path"]: f["related"] for f in report["findings"]}  # type: ignore[union-attr]
    assert related["Compute/SshOpen/Resource"] == [
        {"file": "/app/lib/compute-stack.ts", "line": 24, "column": 22}
    ]
    assert related["Compute/LegacyInstance/Resource"] == []  # library frames only: nothing said
    main(["--select", "IAC001", str(copy)])
    assert "defined at /app/lib/compute-stack.ts:24:22" in capsys.readouterr().out
    # In SARIF, a related location a reviewer can click.
    main(["--select", "IAC001", "--format", "sarif", str(copy)])
    document = json.loads(capsys.readouterr().out)
    assert list(validator().iter_errors(document)) == []
    results = document["runs"][0]["results"]
    sited = [result for result in results if "relatedLocations" in result]
    assert len(sited) == 1 < len(results)
    (site,) = sited[0]["relatedLocations"]
    assert site["physicalLocation"]["artifactLocation"]["uri"].endswith("/app/lib/compute-stack.ts")
    assert site["physicalLocation"]["region"]["startLine"] == 24
    assert site["message"]["text"].endswith("is defined here")

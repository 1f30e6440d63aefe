"""Reporters are pure functions of a report: compared with golden files.

Set IACLINT_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from iaclint import __version__
from iaclint.diagnostics import Diagnostic
from iaclint.findings import (
    Finding,
    PolicyInfo,
    Report,
    Severity,
    Suppressed,
    Undetermined,
    fingerprint,
)
from iaclint.report import github, gitlab, json_report, junit, markdown, rdjson, sarif, text
from iaclint.report.location import SourceRoot
from iaclint.span import Span

from .test_sarif import validator

GOLDEN = Path(__file__).parent / "golden"


def sample() -> Report:
    ssh = PolicyInfo(
        "IAC001",
        "SSH or RDP open to the world",
        "network",
        Severity.HIGH,
        "r",
        "f",
        ("https://a",),
        "p1",
    )
    other = PolicyInfo("IAC002", "Port open", "network", Severity.MEDIUM, "r", "f", (), "p2")
    span = Span("stacks/web.yaml", 12, 11, 12, 28)
    findings = (
        Finding(
            "IAC001",
            Severity.HIGH,
            span,
            "Web",
            "AWS::EC2::SecurityGroup",
            "Properties.SecurityGroupIngress[0].CidrIp",
            "22 open to the whole internet from 0.0.0.0/0",
            fingerprint(
                "IAC001", span.file, "Web", "Properties.SecurityGroupIngress[0].CidrIp", ()
            ),
            (),
            "          CidrIp: 0.0.0.0/0",
        ),
        Finding(
            "IAC002",
            Severity.MEDIUM,
            Span("stacks/db.json", 8, 67, 8, 87),
            "Db",
            "AWS::EC2::SecurityGroup",
            "Properties.SecurityGroupIngress[0].CidrIp",
            "port 5432 open to the whole internet from 0.0.0.0/0 (when condition Prod is true)",
            "f" * 32,
            ("condition Prod is true",),
            '{"CidrIp": "0.0.0.0/0"}',
            "App/Stack/Db/Resource",
        ),
    )
    return Report(
        findings=findings,
        undetermined=(
            Undetermined(
                "IAC001",
                Span("stacks/web.yaml", 30, 11, 30, 20),
                "Admin",
                "Properties.SecurityGroupIngress[1].CidrIp",
                "parameter Source has no default",
            ),
        ),
        diagnostics=(
            Diagnostic.error(
                "stacks/broken.yaml", "invalid YAML: found unexpected end of stream", 4, 1
            ),
            Diagnostic.warning("stacks/rain.yaml", "unknown tag '!Rain::Embed'", 2, 9),
        ),
        policies=(other, ssh),
        files_linted=3,
        files_skipped=2,
        threshold=Severity.HIGH,
    )


def check(name: str, rendered: str) -> None:
    path = GOLDEN / name
    if os.environ.get("IACLINT_UPDATE_GOLDEN"):
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8")


def test_text_report() -> None:
    check("report.txt", text.render(sample()))


def test_text_report_in_colour() -> None:
    rendered = text.render(sample(), colour=True)
    assert "\033[1;31mhigh\033[0m" in rendered
    assert "\033[" not in text.render(sample())


def test_json_report() -> None:
    rendered = json_report.render(sample())
    check("report.json", rendered.replace(f'"version": "{__version__}"', '"version": "VERSION"'))
    assert json.loads(rendered)["summary"]["failing"] == 1


@pytest.mark.parametrize(
    ("report", "summary"),
    [
        (
            sample()._replace(findings=(), diagnostics=()),
            "No findings in 3 templates, 2 other files skipped.\n",
        ),
        (
            sample()._replace(findings=(), diagnostics=(), files_linted=1, files_skipped=0),
            "No findings in 1 template.\n",
        ),
    ],
)
def test_summary_lines(report: Report, summary: str) -> None:
    assert text.render(report._replace(undetermined=())).endswith(summary)


def suppressed_sample() -> Report:
    """The sample, plus a suppressed finding and one already at the merge base."""
    report = sample()
    first, second = report.findings
    hidden = first._replace(
        span=Span("stacks/web.yaml", 40, 11, 40, 28),
        resource="Lab",
        fingerprint="a" * 32,
        snippet='          CidrIp: 0.0.0.0/0  # iaclint: ignore[IAC001] reason="lab"',
        suppression=Suppressed("comment", "lab", Span("stacks/web.yaml", 40, 30, 40, 70), None),
    )
    return report._replace(findings=(first, second._replace(outside_diff=True), hidden))


def test_sarif_report() -> None:
    settings = sarif.SarifSettings(category="infra", include_suppressed=True)
    rendered = sarif.render(suppressed_sample(), SourceRoot("/repo", "infra/"), settings)
    assert list(validator().iter_errors(json.loads(rendered))) == []
    check("report.sarif", rendered.replace(f'"{__version__}"', '"VERSION"'))


def test_sarif_leaves_suppressed_findings_out_by_default() -> None:
    kept = json.loads(sarif.render(suppressed_sample(), SourceRoot("/repo", "infra/")))
    (run,) = kept["runs"]
    assert [location["logicalLocations"][0]["name"] for location in _locations(run)] == [
        "Web",
        "Db",
    ]
    assert run["properties"] == {"suppressedOmitted": 1, "resultsOmitted": 0}
    assert "automationDetails" not in run
    # The other results keep their keys whether the suppressed one is there or not.
    everything = json.loads(
        sarif.render(
            suppressed_sample(),
            SourceRoot("/repo", "infra/"),
            sarif.SarifSettings(include_suppressed=True),
        )
    )
    assert [r["partialFingerprints"] for r in run["results"]] == [
        r["partialFingerprints"] for r in everything["runs"][0]["results"][:2]
    ]


def _locations(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [result["locations"][0] for result in run["results"]]


def test_junit_report() -> None:
    rendered = junit.render(suppressed_sample())
    check("report.junit.xml", rendered)
    root = ElementTree.fromstring(rendered)
    assert {key: root.get(key) for key in ("tests", "failures", "errors", "skipped")} == {
        "tests": "4",
        "failures": "2",
        "errors": "1",
        "skipped": "1",
    }


def test_gitlab_report() -> None:
    rendered = gitlab.render(suppressed_sample(), SourceRoot("/repo", "infra/"))
    check("report.gitlab.json", rendered)
    issues = json.loads(rendered)
    assert [(i["check_name"], i["severity"], i["location"]["path"]) for i in issues] == [
        ("IAC001", "critical", "infra/stacks/web.yaml"),
        ("IAC002", "major", "infra/stacks/db.json"),
        ("iaclint-error", "major", "infra/stacks/broken.yaml"),
    ]
    assert len({issue["fingerprint"] for issue in issues}) == 3


def test_markdown_report() -> None:
    links = "https://github.com/o/r/blob/abc/"
    check("report.md", markdown.render(suppressed_sample(), SourceRoot("/repo", "infra/"), links))


def test_github_report() -> None:
    check("report.github.txt", github.render(suppressed_sample(), SourceRoot("/repo", "infra/")))


def test_rdjson_report() -> None:
    check("report.rdjson", rdjson.render(suppressed_sample()))


def test_text_and_json_show_suppression_and_diff_marks() -> None:
    rendered = text.render(suppressed_sample())
    assert "[Lab] (suppressed: lab)" in rendered
    assert "[App/Stack/Db/Resource (Db)] (already at the merge base)" in rendered
    assert rendered.endswith(
        "2 findings (1 high, 1 medium; 1 at or above high, 1 already at the merge base) in "
        "2 files; 1 suppressed; 3 templates linted, 2 other files skipped; 1 error.\n"
    )
    findings = json.loads(json_report.render(suppressed_sample()))["findings"]
    assert [(f["resource"], f["suppression"], f["outside_diff"]) for f in findings] == [
        ("Web", None, False),
        ("Db", None, True),
        (
            "Lab",
            {
                "kind": "comment",
                "reason": "lab",
                "expires": None,
                "file": "stacks/web.yaml",
                "line": 40,
            },
            False,
        ),
    ]

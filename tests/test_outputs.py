"""Reports for CI, through the command line: several from one run, SARIF as GitHub
code scanning takes it, JUnit, GitLab code quality and the Markdown summary."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

import iaclint.run
from iaclint.cli import main
from iaclint.findings import Finding, Report, Severity, fingerprint
from iaclint.report import junit, markdown
from iaclint.report.annotations import read_sarif, summary
from iaclint.report.identity import line_hashes
from iaclint.report.location import NO_ROOT
from iaclint.span import Span

from .test_cli import OPEN_DB, OPEN_SSH, write
from .test_sarif import validator

TWO_GROUPS = OPEN_SSH + OPEN_DB.split("Resources:\n", 1)[1].replace("Group:", "Db:")


def git_init(folder: Path) -> None:
    subprocess.run(["git", "init", "-q", str(folder)], check=True)


def valid_sarif(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    errors = sorted(validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []
    return document


def test_one_run_writes_every_report(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(in_tmp, "stack.yaml", TWO_GROUPS)
    runs: list[object] = []
    lint = iaclint.run.lint

    def counted(*args: Any, **kwargs: Any) -> Report:
        runs.append(args)
        return lint(*args, **kwargs)

    monkeypatch.setattr(iaclint.run, "lint", counted)
    argv = ["--no-cache", "stack.yaml", "-f", "sarif:out.sarif", "--format", "json:out.json"]
    assert main([*argv, "-f", "junit:out.xml", "-f", "text"]) == 1
    assert len(runs) == 1
    streams = capsys.readouterr()
    assert streams.out.startswith("stack.yaml:11:11: IAC001 high")
    assert streams.err.endswith("Report written to out.sarif, out.json, out.xml.\n")
    # Each report is the one its format gives alone.
    for name, file in (("sarif", "out.sarif"), ("json", "out.json"), ("junit", "out.xml")):
        assert main(["--no-cache", "stack.yaml", "--format", name]) == 1
        assert (in_tmp / file).read_text(encoding="utf-8") == capsys.readouterr().out
    # The former spelling still works: -o is the file of the format given without one.
    assert main(["--no-cache", "stack.yaml", "--format", "gitlab", "-o", "gl.json"]) == 1
    assert [i["check_name"] for i in json.loads((in_tmp / "gl.json").read_text())] == [
        "IAC001",
        "IAC002",
    ]
    assert main(["--no-cache", "stack.yaml", "-f", "sarif:-", "-f", "json:j.json"]) == 1
    assert json.loads(capsys.readouterr().out)["version"] == "2.1.0"


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["-f", "json", "-f", "text"], "json and text would both be written to stdout"),
        (["-f", "json:r", "-f", "sarif:./r"], "json and sarif would both be written to ./r"),
        (["-f", "json", "-f", "text", "-o", "r"], "but 2 are (write each as FORMAT:FILE)"),
        (["-f", "json:r", "-o", "s"], "but 0 are"),
        (["-f", "sarif:"], "no file after ':' (use sarif:- for stdout)"),
        (["-f", "yaml:r"], "unknown format 'yaml'"),
        (["--sarif-category", "infra"], "--sarif-category needs a SARIF report"),
        (["-f", "json", "--sarif-include-suppressed"], "needs a SARIF report (--format sarif)"),
        (["-f", "sarif", "--sarif-category", "a\x1bb"], "expected a name of printable characters"),
        (["-f", "sarif", "--sarif-category", "/"], "expected a name of printable characters"),
        (["--list-policies", "-f", "text", "-f", "json:p"], "prints text or json, not text and"),
    ],
)
def test_output_options_that_cannot_be_honoured_exit_2(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], argv: list[str], error: str
) -> None:
    write(in_tmp, "stack.yaml", OPEN_SSH)
    assert main(["--no-cache", *argv, "stack.yaml"]) == 2
    streams = capsys.readouterr()
    assert error in streams.err
    assert streams.out == ""
    assert sorted(path.name for path in in_tmp.iterdir()) == ["stack.yaml"]


# Ten rules open to the world on other ports (IAC002, medium) then ninety on SSH
# (IAC001, high), shared by 260 groups through a YAML alias: 26,000 findings from a
# 40 kB file, the mediums first in report order.
def many_findings() -> str:
    rules = [
        f"        - {{IpProtocol: tcp, FromPort: {port}, ToPort: {port}, CidrIp: 0.0.0.0/0,"
        f" Description: r{i}}}"
        for i, port in enumerate([8080 + i for i in range(10)] + [22] * 90)
    ]
    lines = ['AWSTemplateFormatVersion: "2010-09-09"', "Resources:"]
    lines += ["  G0:", "    Type: AWS::EC2::SecurityGroup", "    Properties:"]
    lines += ["      GroupDescription: x", "      SecurityGroupIngress: &rules", *rules]
    for group in range(1, 260):
        lines += [f"  G{group}:", "    Type: AWS::EC2::SecurityGroup", "    Properties:"]
        lines += ["      GroupDescription: x", "      SecurityGroupIngress: *rules"]
    return "\n".join(lines) + "\n"


def test_sarif_keeps_the_25000_most_severe_results(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "many.yaml", many_findings())
    argv = ["--no-cache", "-f", "sarif:out.sarif", "-f", "json:out.json", "many.yaml"]
    assert main(argv) == 1
    capsys.readouterr()
    everything = json.loads((in_tmp / "out.json").read_text(encoding="utf-8"))["findings"]
    assert len(everything) == 26_000
    (run,) = valid_sarif(in_tmp / "out.sarif")["runs"]
    results = run["results"]
    assert len(results) == 25_000
    # Every high one, then the first mediums in report order, in report order.
    highs = [f for f in everything if f["severity"] == "high"]
    mediums = [f for f in everything if f["severity"] == "medium"]
    assert (len(highs), len(mediums)) == (23_400, 2_600)
    expected = {f["fingerprint"] for f in highs + mediums[:1_600]}
    kept = [r["partialFingerprints"]["iaclint/v1"] for r in results]
    assert set(kept) == expected
    order = [f["fingerprint"] for f in everything]
    assert kept == [key for key in order if key in expected]
    (invocation,) = run["invocations"]
    # The analysis succeeded: the report left results out, the tool did not fail.
    assert invocation["executionSuccessful"] is True
    (capped,) = invocation["toolExecutionNotifications"]
    assert capped["level"] == "warning"
    assert capped["properties"] == {"kind": "results-capped", "omitted": 1_000, "total": 26_000}
    assert capped["message"]["text"].startswith("1,000 of 26,000 results left out")
    assert run["properties"] == {"suppressedOmitted": 0, "resultsOmitted": 1_000}
    # The action's step summary says what the report left out.
    found = read_sarif(json.loads((in_tmp / "out.sarif").read_text(encoding="utf-8")), Severity.LOW)
    assert found.omitted == 1_000
    assert "1,000 less severe left out of the SARIF report" in summary(found, Severity.LOW, 1)


def line_hash_of(path: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    main(["--no-cache", "-f", "sarif:out.sarif", *argv, path.name])
    capsys.readouterr()
    results = valid_sarif(path.parent / "out.sarif")["runs"][0]["results"]
    return [result["partialFingerprints"]["primaryLocationLineHash"] for result in results]


def test_code_scanning_keeps_an_alert_whose_lines_moved(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(in_tmp, "stack.yaml", TWO_GROUPS)
    first = line_hash_of(path, capsys)
    assert len(first) == 2 and all(key.endswith(":1") for key in first)
    assert len(set(first)) == 2
    # Lines inserted above: the same keys, though every line moved.
    path.write_text("# a comment\n\n" + TWO_GROUPS.replace("Db:", "# note\n  Db:"), "utf-8")
    assert line_hash_of(path, capsys) == first
    # A new value that is still flagged: the same problem, the same alert.
    path.write_text(TWO_GROUPS.replace("ToPort: 22", "ToPort: 23", 1), "utf-8")
    assert line_hash_of(path, capsys) == first
    # The resource renamed: another alert.
    path.write_text(TWO_GROUPS.replace("Group:", "Bastion:"), "utf-8")
    renamed = line_hash_of(path, capsys)
    assert renamed[1] == first[1] and renamed[0] != first[0]


def test_findings_of_one_fingerprint_are_counted() -> None:
    span = Span("a.yaml", 3, 1, 3, 9)
    same = fingerprint("IAC001", "a.yaml", "G", "x", ())
    findings = [
        Finding("IAC001", Severity.HIGH, span._replace(line=line), "G", "t", "x", "m", same)
        for line in (3, 7)
    ]
    hashes = line_hashes(findings, NO_ROOT)
    assert hashes == [f"{same}:1", f"{same}:2"]


def test_sarif_category_keeps_runs_apart(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(in_tmp, "stack.yaml", OPEN_SSH)
    line_hash_of(path, capsys, "--sarif-category", "terraform/prod")
    run = valid_sarif(in_tmp / "out.sarif")["runs"][0]
    assert run["automationDetails"] == {"id": "terraform/prod/"}
    line_hash_of(path, capsys, "--sarif-category", "infra/")
    assert valid_sarif(in_tmp / "out.sarif")["runs"][0]["automationDetails"] == {"id": "infra/"}
    line_hash_of(path, capsys)
    assert "automationDetails" not in valid_sarif(in_tmp / "out.sarif")["runs"][0]


def test_junit_report(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "stack.yaml", TWO_GROUPS)
    write(in_tmp, "broken.yaml", 'AWSTemplateFormatVersion: "2010-09-09"\nResources: [\n')
    assert main(["--no-cache", "--select", "network", "-f", "junit", "."]) == 2
    root = ElementTree.fromstring(capsys.readouterr().out)
    counts = {key: root.get(key) for key in ("tests", "failures", "errors", "skipped")}
    assert counts == {"tests": "5", "failures": "2", "errors": "1", "skipped": "0"}
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    ssh = suites["IAC001 SSH or RDP open to the world"]
    (case,) = ssh.iter("testcase")
    assert (case.get("classname"), case.get("name")) == ("IAC001", "stack.yaml:11 Group")
    assert (case.get("file"), case.get("line")) == ("stack.yaml", "11")
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "high"
    assert failure.get("message") == "22 open to the whole internet from 0.0.0.0/0"
    assert failure.text is not None and "   11 |           CidrIp: 0.0.0.0/0" in failure.text
    passing = suites["IAC004 Instance gets a public IP address"]
    assert [(c.get("name"), list(c)) for c in passing.iter("testcase")] == [("no findings", [])]
    (error,) = suites["iaclint"].iter("testcase")
    assert error.get("file") == "broken.yaml" and error.find("error") is not None


def test_junit_stays_well_formed_whatever_a_file_holds() -> None:
    span = Span("a\x00b.yaml", 1, 1, 1, 2)
    finding = Finding("IAC001", Severity.HIGH, span, "G\x1b[31m", "t", "", "m\x0c]]>", "f" * 32)
    report = Report((finding,), (), (), (), 1, 0, Severity.LOW)
    root = ElementTree.fromstring(junit.render(report))
    (case,) = root.iter("testcase")
    assert case.get("name") == "a\\x00b.yaml:1 G\\x1b[31m"
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == "m\\x0c]]>"


def test_gitlab_report(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(in_tmp, "infra/stack.yaml", TWO_GROUPS)
    git_init(in_tmp)  # the repository's root: paths are named from it
    (in_tmp / "infra" / "ok.yaml").write_text("Resources: {}\n", encoding="utf-8")
    assert main(["--no-cache", "-f", "gitlab", "infra"]) == 1
    issues = json.loads(capsys.readouterr().out)
    assert [
        (i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"])
        for i in issues
    ] == [
        ("IAC001", "critical", "infra/stack.yaml", 11),
        ("IAC002", "major", "infra/stack.yaml", 20),
    ]
    assert issues[0]["description"] == (
        "IAC001: 22 open to the whole internet from 0.0.0.0/0 [Group]"
    )
    # GitLab calls an issue new by its fingerprint: moved lines keep it.
    path.write_text("# moved\n" + TWO_GROUPS, encoding="utf-8")
    main(["--no-cache", "-f", "gitlab", "infra"])
    moved = json.loads(capsys.readouterr().out)
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in issues]
    assert moved[0]["location"]["lines"]["begin"] == 12


def test_markdown_summary_links_to_the_lines(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(in_tmp, "infra/stack.yaml", TWO_GROUPS)
    git_init(in_tmp)
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/infra")
    monkeypatch.setenv("GITHUB_SHA", "0123abc")
    monkeypatch.chdir(in_tmp / "infra")
    assert main(["--no-cache", "--severity-threshold", "high", "-f", "markdown", "."]) == 1
    out = capsys.readouterr().out
    assert "**2 findings** in 1 file: 1 at or above high (the threshold)." in out
    assert "| high | 1 |\n| medium | 1 |\n" in out
    assert "| network | 2 |\n" in out
    link = "(https://github.com/acme/infra/blob/0123abc/infra/stack.yaml#L11)"
    assert f"| high | IAC001 SSH or RDP open to the world | [infra/stack.yaml\\:11]{link} |" in out
    monkeypatch.delenv("GITHUB_SHA")
    main(["--no-cache", "-f", "markdown", "."])
    assert "| infra/stack.yaml\\:11 |" in capsys.readouterr().out


def test_markdown_summary_is_appended_to_the_step_summary(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GitHub collects a step's summary from one file its commands append to.
    write(in_tmp, "stack.yaml", TWO_GROUPS)
    step_summary = in_tmp / "step_summary.md"
    step_summary.write_text("## Tests\n\nAll green.\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    argv = ["--no-cache", "-f", f"markdown:{step_summary}", "-f", "json:out.json", "stack.yaml"]
    assert main(argv) == 1
    capsys.readouterr()
    text = step_summary.read_text(encoding="utf-8")
    assert text.startswith("## Tests\n\nAll green.\n")
    assert "**2 findings** in 1 file" in text
    # Another file is still replaced whole.
    assert len(json.loads((in_tmp / "out.json").read_text(encoding="utf-8"))["findings"]) == 2
    assert main(argv) == 1
    assert step_summary.read_text(encoding="utf-8").count("**2 findings**") == 2


def test_markdown_summary_is_bounded() -> None:
    findings = tuple(
        Finding(
            "IAC001",
            Severity.HIGH if number % 7 == 0 else Severity.LOW,
            Span(f"stacks/{number}.yaml", 1, 1, 1, 2),
            "R" * 5_000,
            "t",
            "",
            "<img src=https://x/y.png> [a](b) | `c` " * 200,
            f"{number:032d}",
        )
        for number in range(20_000)
    )
    rendered = markdown.render(Report(findings, (), (), (), 20_000, 0, Severity.LOW))
    assert len(rendered.encode("utf-8")) < 150_000  # GitHub refuses 1 MiB
    assert "### The 100 most severe findings" in rendered
    assert "… and 19,900 more findings, not listed here." in rendered
    rows = [line for line in rendered.splitlines() if line.startswith("| high | IAC001")]
    assert len(rows) == 100  # 2,858 high ones: the listed are all high
    assert "<img" not in rendered and "[a](b)" not in rendered
    assert all(row.count(" | ") == 4 for row in rows)  # no cell breaks the table


def test_sarif_keeps_what_a_baseline_accepted_only_when_asked(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(in_tmp, "stack.yaml", OPEN_SSH)
    before = line_hash_of(path, capsys)
    assert main(["--no-cache", "--write-baseline", "base.json", "stack.yaml"]) == 0
    path.write_text(TWO_GROUPS, encoding="utf-8")  # a new finding beside the accepted one
    new = line_hash_of(path, capsys, "--baseline", "base.json")
    run = valid_sarif(in_tmp / "out.sarif")["runs"][0]
    assert [result["ruleId"] for result in run["results"]] == ["IAC002"]
    assert run["properties"] == {"suppressedOmitted": 1, "resultsOmitted": 0}
    kept = line_hash_of(path, capsys, "--baseline", "base.json", "--sarif-include-suppressed")
    accepted, fresh = valid_sarif(in_tmp / "out.sarif")["runs"][0]["results"]
    assert accepted["suppressions"] == [
        {
            "status": "accepted",
            "justification": "accepted in the baseline base.json",
            "kind": "external",
        }
    ]
    assert "suppressions" not in fresh
    # The keys are those of a run without a baseline.
    assert kept == [before[0], new[0]] == line_hash_of(path, capsys)

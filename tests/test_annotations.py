"""The GitHub Action's reading of a run's SARIF: annotations sorted and capped as GitHub
shows them, the step summary counting the rest, the threshold worked out as the run
did, and the args that would change the report refused."""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint.cli import main as iaclint
from iaclint.config import ConfigError
from iaclint.findings import Severity
from iaclint.github_action import main, refused, threshold_of
from iaclint.report.annotations import (
    SHOWN_PER_KIND,
    SarifError,
    markdown_text,
    read_sarif,
    render,
    summary,
)

from .test_cli import OPEN_SSH, write

GROUP = """\
  {name}:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: {port}
          ToPort: {port}
          CidrIp: 0.0.0.0/0
"""
QUEUE = "  {name}:\n    Type: AWS::SQS::Queue\n"
COMMAND = re.compile(r"^::(error|warning|notice) (.*?)::(.*)$")


def template(ssh: int, web: int, queues: int) -> str:
    """`ssh` groups open on 22 (IAC001, high), `web` on 8080 (IAC002, medium) and
    `queues` queues without KMS (IAC025, low), in that order down the file."""
    parts = ['AWSTemplateFormatVersion: "2010-09-09"\nResources:\n']
    parts += [GROUP.format(name=f"Ssh{n:02}", port=22) for n in range(ssh)]
    parts += [GROUP.format(name=f"Web{n:02}", port=8080) for n in range(web)]
    parts += [QUEUE.format(name=f"Queue{n:02}") for n in range(queues)]
    return "".join(parts)


def sarif(folder: Path, *options: str) -> dict[str, object]:
    """The SARIF report of one real run over `folder` (the current directory)."""
    code = iaclint(["--no-cache", "--format", "sarif", "-o", "out.sarif", *options, "."])
    assert code in (0, 1, 2)
    document: dict[str, object] = json.loads((folder / "out.sarif").read_text(encoding="utf-8"))
    return document


def commands(text: str) -> list[tuple[str, dict[str, str], str]]:
    parsed = []
    for line in text.splitlines():
        match = COMMAND.match(line)
        assert match, line
        properties = dict(item.split("=", 1) for item in match.group(2).split(","))
        parsed.append((match.group(1), properties, match.group(3)))
    return parsed


def test_sorted_by_severity_and_capped_per_kind(in_tmp: Path) -> None:
    # Queues made critical by the configuration; one broken file (an input error).
    write(in_tmp, ".iaclint.toml", '[severity]\nIAC025 = "critical"\n')
    write(in_tmp, "a.yaml", template(ssh=12, web=12, queues=3))
    write(in_tmp, "b.yaml", 'AWSTemplateFormatVersion: "2010-09-09"\nResources: [\n')
    found = read_sarif(sarif(in_tmp), Severity.HIGH)
    shown = [(a.kind, a.severity, a.file, a.line) for a in found.shown]
    errors = [entry for entry in shown if entry[0] == "error"]
    warnings = [entry for entry in shown if entry[0] == "warning"]
    assert len(errors) == len(warnings) == SHOWN_PER_KIND
    # The file that could not be read first, then critical, then high in file order.
    assert errors[0][1:3] == (None, "b.yaml")
    assert [entry[1] for entry in errors[1:]] == [Severity.CRITICAL] * 3 + [Severity.HIGH] * 6
    high_lines = [entry[3] for entry in errors[4:]]
    assert high_lines == sorted(high_lines)
    assert {entry[1] for entry in warnings} == {Severity.MEDIUM}
    # What does not fit: 6 high errors and 2 medium warnings, counted, never printed.
    assert [(a.kind, a.severity) for a in found.hidden] == [("error", Severity.HIGH)] * 6 + [
        ("warning", Severity.MEDIUM)
    ] * 2
    printed = commands(render(found))
    assert [kind for kind, _, _ in printed] == ["error"] * 10 + ["warning"] * 10
    assert printed[1][1]["title"].startswith("IAC025 ")
    assert printed[1][1]["file"] == "a.yaml"
    assert printed[1][2].endswith("[Queue00]")


def test_summary_counts_everything_and_lists_the_rest(in_tmp: Path) -> None:
    write(in_tmp, "a.yaml", template(ssh=13, web=2, queues=1))
    found = read_sarif(sarif(in_tmp), Severity.MEDIUM)
    assert len(found.hidden) == 5  # 15 errors (high and medium), 10 shown
    text = summary(found, Severity.MEDIUM, 1)
    assert "| high | 13 |" in text and "| medium | 2 |" in text and "| low | 1 |" in text
    assert "| critical |" not in text
    rows = [line for line in text.splitlines() if line.startswith("| error |")]
    # The rows are the hidden annotations: the last three SSH groups and both web ones.
    assert len(rows) == 5
    assert [row.split(" | ")[1] for row in rows] == ["high"] * 3 + ["medium"] * 2
    assert "exit code 1" in text
    # Annotations turned off: every finding is listed.
    quiet = summary(found, Severity.MEDIUM, 1, annotated=False)
    assert len([line for line in quiet.splitlines() if line.startswith("| error |")]) == 15
    assert len([line for line in quiet.splitlines() if line.startswith("| warning |")]) == 1


@pytest.mark.parametrize("options", [(), ("--sarif-include-suppressed",)])
def test_suppressed_findings_are_counted_not_annotated(
    in_tmp: Path, options: tuple[str, ...]
) -> None:
    # Left out of the SARIF (counted in the run's properties) or kept with their
    # suppressions: counted in the summary either way, never annotated.
    suppressed = OPEN_SSH.replace(
        "  Group:", '  Group:  # iaclint: ignore[IAC001] reason="bastion"'
    )
    write(in_tmp, "a.yaml", suppressed)
    write(in_tmp, "b.yaml", OPEN_SSH)
    found = read_sarif(sarif(in_tmp, *options), Severity.LOW)
    assert [(a.file, a.kind) for a in found.shown] == [("b.yaml", "error")]
    assert found.suppressed == 1
    assert "1 suppressed" in summary(found, Severity.LOW, 1)


def test_names_from_the_files_cannot_break_commands_or_markdown(in_tmp: Path) -> None:
    name = "x,y:z|<img src=a>[l](http:e).yaml"
    write(in_tmp, name, OPEN_SSH)
    found = read_sarif(sarif(in_tmp), Severity.LOW)
    ((_, properties, _),) = commands(render(found))
    assert properties["file"] == "x%2Cy%3Az|<img src=a>[l](http%3Ae).yaml"
    text = summary(found, Severity.LOW, 1, annotated=False)
    (row,) = [line for line in text.splitlines() if line.startswith("| error |")]
    # Every < [ ( | of the name is escaped: no HTML, link or extra cell.
    assert row.split(" | ")[2] == r"x\,y\:z\|\<img src\=a\>\[l\]\(http\:e\)\.yaml\:11"
    assert re.search(r"(?<!\\)[<\[(]", row) is None
    assert markdown_text("a|b\n::error::x") == "a\\|b\\\\n\\:\\:error\\:\\:x"


def test_threshold_as_the_run_worked_it_out(tmp_path: Path) -> None:
    assert threshold_of([], tmp_path) is Severity.LOW
    write(tmp_path, ".iaclint.toml", 'severity-threshold = "medium"\n')
    assert threshold_of(["--select", "network"], tmp_path) is Severity.MEDIUM
    assert threshold_of(["--severity-threshold", "critical"], tmp_path) is Severity.CRITICAL
    assert threshold_of(["--severity-threshold=high"], tmp_path) is Severity.HIGH
    write(tmp_path, "ci/strict.toml", 'severity-threshold = "high"\n')
    assert threshold_of(["--config", "ci/strict.toml"], tmp_path) is Severity.HIGH
    write(tmp_path, "bad.toml", "severity-threshold = 3\n")
    with pytest.raises(ConfigError) as raised:
        threshold_of(["--config", "bad.toml"], tmp_path)
    assert raised.value.line == 1
    with pytest.raises(ValueError, match="severe"):
        threshold_of(["--severity-threshold", "severe"], tmp_path)


@pytest.mark.parametrize(
    ("args", "refused_words"),
    [
        (["--baseline", "b.json", "--exclude", "tests", "-q", "-j4o"], []),
        (["--format", "text"], ["--format"]),
        (["--form=json"], ["--form=json"]),
        (["--f", "text"], ["--f"]),
        (["--output", "x"], ["--output"]),
        (["--out=x", "-o", "y", "-ox", "-qo", "z"], ["--out=x", "-o", "-ox", "-qo"]),
        (["--list-policies"], ["--list-policies"]),
        (["--version"], ["--version"]),
        (["-h"], ["-h"]),
        (["--", "--format"], ["--", "--format"]),
        (["-j", "4", "--var-file", "prod.tfvars"], []),
    ],
)
def test_args_that_would_change_the_report_are_refused(
    args: list[str], refused_words: list[str]
) -> None:
    assert [reason.split("`")[1] for reason in refused(args)] == refused_words


def test_check_args_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-args", "--", "--baseline", "b.json"]) == 0
    assert main(["check-args", "--", "--format", "text", "--", "x"]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert [line.split("`")[1] for line in errors] == ["--format", "--"]


def test_report_command_prints_and_appends(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "a.yaml", template(ssh=1, web=1, queues=0))
    sarif(in_tmp)
    capsys.readouterr()
    write(in_tmp, "summary.md", "before\n")
    arguments = ["report", "out.sarif", "--exit-code", "1", "--summary", "summary.md"]
    assert main([*arguments, "--", "--severity-threshold", "high"]) == 0
    printed = commands(capsys.readouterr().out)
    assert [(kind, properties["title"][:6]) for kind, properties, _ in printed] == [
        ("error", "IAC001"),
        ("warning", "IAC002"),
    ]
    written = (in_tmp / "summary.md").read_text(encoding="utf-8")
    assert written.startswith("before\n## iaclint\n")
    assert main([*arguments, "--no-annotations"]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "out.sarif: cannot read the report"),
        ('{"version": "2.1.0",\n  "runs": [}', "out.sarif:2:12: not JSON"),
        ('{"version": "2.1.0", "runs": []}', "out.sarif: runs: expected the one run"),
        (
            '{"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": [{"ruleId": 3}]}]}',
            "out.sarif: runs[0].results[0].ruleId: expected a string",
        ),
    ],
)
def test_a_bad_report_is_a_located_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], content: str | None, expected: str
) -> None:
    if content is not None:
        write(in_tmp, "out.sarif", content)
    assert main(["report", "out.sarif"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"iaclint: error: {expected}")


def test_a_document_of_another_shape_is_refused() -> None:
    with pytest.raises(SarifError, match=r"not a SARIF 2\.1\.0 document"):
        read_sarif({"version": "2.0.0", "runs": []}, Severity.LOW)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def nodes(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += nodes(item, (*path, key))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            found += nodes(item, (*path, position))
    return found


@pytest.fixture(scope="module")
def real_sarif(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("sarif")
    write(folder, "a.yaml", template(ssh=2, web=1, queues=1))
    write(folder, "b.yaml", "Resources: [\n")
    before = Path.cwd()
    os.chdir(folder)
    try:
        return sarif(folder)
    finally:
        os.chdir(before)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_damage_to_the_report_is_a_sarif_error(
    real_sarif: dict[str, object], data: st.DataObject
) -> None:
    document = copy.deepcopy(real_sarif)
    path = data.draw(st.sampled_from(nodes(document)[1:]))
    parent: Any = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = data.draw(JSON)
    try:
        found = read_sarif(document, Severity.MEDIUM)
    except SarifError:
        return
    for annotation in found.shown:
        assert annotation.command().count("\n") == 0
    summary(found, Severity.MEDIUM, None)


def test_a_finding_already_at_the_merge_base_says_so(real_sarif: dict[str, object]) -> None:
    document = copy.deepcopy(real_sarif)
    results: Any = document["runs"]
    first = results[0]["results"][0]
    first["baselineState"] = "unchanged"  # --show-all: already there at the merge base
    found = read_sarif(document, Severity.LOW)
    messages = [a.message for a in found.shown if a.severity is not None]
    marked = [m for m in messages if m.endswith("(already there at the merge base)")]
    assert len(marked) == 1 and len(messages) == 4


def test_the_action_helper_reports_every_mistake_of_the_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "bad.toml", "bogus = 1\nseverity-threshold = 3\n")
    monkeypatch.chdir(tmp_path)
    assert main(["report", "none.sarif", "--", "--config", "bad.toml"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": '")[0] for line in lines] == [
        "iaclint: error: bad.toml:1",
        "iaclint: error: bad.toml:2",
    ]

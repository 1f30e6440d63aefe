"""Warnings of one kind in one file are said once, with a count, in every format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iaclint.cli import main
from iaclint.diagnostics import (
    KINDS,
    MODULE_NOT_FETCHED,
    SAM_TRANSFORM,
    UNKNOWN_TAG,
    Diagnostic,
    Kind,
    Level,
)
from iaclint.report.gather import gather

from .test_cli import OPEN_SSH, write
from .test_sarif import validator

FUNCTION = """\
  {name}:
    Type: AWS::Serverless::Connector
    Properties:
      Source:
        Id: Queue
      Permissions: [Read]
"""

NAMES = ("Api", "Auth", "Items", "Orders", "Users")


def sam(*names: str) -> str:
    """OPEN_SSH's group (a finding at line 12), then a SAM connector every six lines from
    13, not expanded: its source is not declared and it has no destination."""
    functions = "".join(FUNCTION.format(name=name) for name in names)
    return f"Transform: AWS::Serverless-2016-10-31\n{OPEN_SSH}{functions}"


GATHERED = (
    "expanded by the AWS::Serverless transform at deployment; the resources they "
    "generate are not linted (5 resources: Api, Auth, Items, …)"
)
ALONE = (
    "'Solo' (AWS::Serverless::Connector) is expanded by the AWS::Serverless transform at "
    "deployment; the resources it generates are not linted: it names 'Queue', which the "
    "template does not declare"
)


@pytest.fixture
def serverless(in_tmp: Path) -> Path:
    write(in_tmp, "api.yaml", sam(*NAMES))
    write(in_tmp, "one.yaml", sam("Solo"))
    return in_tmp


def warning(file: str, line: int, subject: str, kind: Kind = SAM_TRANSFORM) -> Diagnostic:
    return Diagnostic.warning(file, f"'{subject}' is said", line, 3, kind=kind, subject=subject)


def test_one_kind_in_one_file_is_said_once_at_the_first() -> None:
    first, second, third = (
        warning("a.yaml", line, name) for line, name in ((4, "A"), (9, "B"), (14, "C"))
    )
    error = Diagnostic.error("a.yaml", "invalid", 2)
    said, kept = gather([first, error, second, third])
    assert said.message == f"{SAM_TRANSFORM.gist} (3 resources: A, B, C)"
    assert (said.file, said.line, said.column, said.kind) == ("a.yaml", 4, 3, SAM_TRANSFORM)
    assert said.gathered == (first, second, third)
    assert kept is error


def test_kinds_files_and_levels_apart_are_said_apart() -> None:
    sam_a = warning("a.yaml", 4, "A")
    tag_a = warning("a.yaml", 5, "!Rain", UNKNOWN_TAG)
    sam_b = warning("b.yaml", 4, "B")
    notice = Diagnostic.notice("a.yaml", "'C' is said", 6, kind=SAM_TRANSFORM, subject="C")
    assert gather([sam_a, tag_a, sam_b, notice]) == (sam_a, tag_a, sam_b, notice)


def test_same_wording_without_a_kind_is_not_gathered() -> None:
    said = [Diagnostic.warning("a.yaml", "same words", line) for line in (1, 2)]
    assert gather(said) == tuple(said)


def test_errors_of_a_kind_are_each_said() -> None:
    errors = [warning("a.yaml", line, "X")._replace(level=Level.ERROR) for line in (1, 2)]
    assert gather(errors) == tuple(errors)


def test_subjects_named_once_and_lines_stand_in_for_none() -> None:
    tags = [warning("a.yaml", line, "!Rain", UNKNOWN_TAG) for line in (1, 2)]
    (said,) = gather(tags)
    assert said.message.endswith("(2 tags: !Rain)")
    octal = [w._replace(subject="") for w in tags]
    (said,) = gather(octal)
    assert said.message.endswith("(2 tags: line 1, line 2)")


def test_every_kind_reads_as_a_gathered_line() -> None:
    ids = [kind.id for kind in KINDS]
    assert len(set(ids)) == len(ids) >= 14
    assert SAM_TRANSFORM in KINDS and MODULE_NOT_FETCHED in KINDS
    for kind in KINDS:
        assert kind.nouns.endswith("s") and kind.gist and kind.gist == kind.gist.strip()


def test_text_says_the_kind_once_and_a_lone_one_as_it_is(
    serverless: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--no-cache", "--color", "never"]) == 1
    out = capsys.readouterr().out.splitlines()
    warnings = [line for line in out if ": warning: " in line]
    assert warnings == [f"api.yaml:14:5: warning: {GATHERED}", f"one.yaml:14:5: warning: {ALONE}"]


def test_quiet_prints_findings_and_errors_only(
    serverless: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(serverless, "broken.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n")
    assert main(["--no-cache", "--color", "never", "--quiet", "--show-unknown"]) == 2
    out = capsys.readouterr().out.splitlines()
    located = [line.split(": ", 2)[:2] for line in out if not line.startswith(" ")]
    assert located == [
        ["api.yaml:12:11", "IAC001 high 22 open to the whole internet from 0.0.0.0/0 [Group]"],
        ["one.yaml:12:11", "IAC001 high 22 open to the whole internet from 0.0.0.0/0 [Group]"],
        ["broken.yaml:3:1", "error"],
    ]


def report(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["--no-cache", *argv]) == 1
    return capsys.readouterr().out


def test_json_lists_what_a_gathered_line_stands_for(
    serverless: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    errors = json.loads(report(["--format", "json"], capsys))["errors"]
    said, alone = errors
    assert (said["file"], said["kind"], said["count"], said["message"]) == (
        "api.yaml",
        "sam-transform",
        5,
        GATHERED,
    )
    assert [(o["line"], o["subject"]) for o in said["occurrences"]] == [
        (14, "Api"),
        (20, "Auth"),
        (26, "Items"),
        (32, "Orders"),
        (38, "Users"),
    ]
    assert (alone["kind"], alone["subject"], alone["count"], alone["message"]) == (
        "sam-transform",
        "Solo",
        1,
        ALONE,
    )
    assert "occurrences" not in alone


def test_sarif_notifies_once_with_the_subjects(
    serverless: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document: dict[str, Any] = json.loads(report(["--format", "sarif"], capsys))
    assert list(validator().iter_errors(document)) == []
    notifications = document["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notifications] == [
        f"api.yaml:14:5: {GATHERED}",
        f"one.yaml:14:5: {ALONE}",
    ]
    assert notifications[0]["properties"] == {
        "kind": "sam-transform",
        "count": 5,
        "subjects": list(NAMES),
    }
    assert notifications[1]["properties"] == {"kind": "sam-transform", "subject": "Solo"}


def test_github_and_rdjson_say_it_once(
    serverless: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    annotations = [
        line
        for line in report(["--format", "github"], capsys).splitlines()
        if line.startswith("::warning ")
    ]
    assert annotations == [
        f"::warning file=api.yaml,line=14,col=5,title=iaclint::api.yaml:14:5: {GATHERED}",
        f"::warning file=one.yaml,line=14,col=5,title=iaclint::one.yaml:14:5: {ALONE}",
    ]
    diagnostics = json.loads(report(["--format", "rdjson"], capsys))["diagnostics"]
    warned = [d for d in diagnostics if d["severity"] == "WARNING"]
    assert [(d["location"]["path"], d["message"]) for d in warned] == [
        ("api.yaml", GATHERED),
        ("one.yaml", ALONE),
    ]


def test_unfetched_modules_of_a_file_are_said_once(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = "".join(
        f'module "{name}" {{\n  source = "terraform-aws-modules/{name}/aws"\n}}\n'
        for name in ("vpc", "eks", "iam", "rds")
    )
    write(in_tmp, "infra/main.tf", calls)
    assert main(["--no-cache", "--color", "never", "infra"]) == 0
    notices = [line for line in capsys.readouterr().out.splitlines() if ": notice: " in line]
    assert notices == [
        f"infra/main.tf:2:3: notice: {MODULE_NOT_FETCHED.gist} (4 module calls: vpc, eks, iam, …)"
    ]

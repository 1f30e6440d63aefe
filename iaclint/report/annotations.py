"""A SARIF report of iaclint's, read back as GitHub annotations and a step summary.

GitHub shows at most 10 error, 10 warning and 10 notice annotations of a step and
drops the rest silently. So the annotations are sorted, most important first, and
capped at that number per kind; the step summary counts everything and lists what
did not fit. Which annotations come first, within each kind:

    error    problems that kept a file from being linted, then findings at or
             above the threshold, critical first
    warning  findings below the threshold, highest first, then problems with the input
    notice   notes about the input

Findings of one severity keep the order of file, line and column. Suppressed
findings are not annotated (they are counted). The threshold is not in the SARIF
document: the caller passes the one the run used.

The document is read defensively: it is a file on disk that anything may have
written, so a value of the wrong shape is a `SarifError` naming where it is.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from iaclint.findings import Severity
from iaclint.report.escape import printable
from iaclint.report.github import escape_data, escape_property

# What GitHub shows of one step, per kind of annotation.
SHOWN_PER_KIND = 10
# Rows of the summary's table of findings that were not annotated.
SUMMARY_ROWS = 50

KINDS = ("error", "warning", "notice")
_NOTIFICATION_KINDS = {"error": "error", "warning": "warning", "note": "notice"}


class SarifError(Exception):
    """The document is not a SARIF report iaclint could have written; says where."""


class Annotation(NamedTuple):
    kind: str  # "error", "warning" or "notice": the workflow command
    order: tuple[int, str, int, int, str]  # rank, file, line, column, policy id
    file: str | None
    line: int | None
    end_line: int | None
    column: int | None
    end_column: int | None
    title: str
    message: str
    severity: Severity | None  # None for a problem with the input

    def command(self) -> str:
        properties: list[tuple[str, str]] = []
        if self.file is not None and self.line is not None:
            properties += [("file", self.file), ("line", str(self.line))]
            if self.end_line is not None:
                properties.append(("endLine", str(self.end_line)))
            if self.column is not None:
                properties.append(("col", str(self.column)))
            if self.end_column is not None:
                properties.append(("endColumn", str(self.end_column)))
        properties.append(("title", self.title))
        rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
        return f"::{self.kind} {rendered}::{escape_data(self.message)}"


class Annotations(NamedTuple):
    shown: tuple[Annotation, ...]  # in the order to print, at most SHOWN_PER_KIND per kind
    hidden: tuple[Annotation, ...]  # those GitHub would not show, in the same order
    suppressed: int  # findings suppressed in the source: never annotated
    omitted: int = 0  # findings the SARIF left out to stay under GitHub's limit


def read_sarif(document: object, threshold: Severity) -> Annotations:
    """Every annotation of the report, sorted and split at GitHub's limit."""
    run = _run(document)
    titles = _titles(run)
    everything: list[Annotation] = []
    suppressed = 0
    for position, result in enumerate(_list(run, "results", "runs[0]")):
        where = f"runs[0].results[{position}]"
        if not isinstance(result, Mapping):
            raise SarifError(f"{where}: expected an object")
        if _list(result, "suppressions", where):
            suppressed += 1
            continue
        everything.append(_finding(result, where, titles, threshold))
    # What the report left out, counted in the run's properties: suppressed (and
    # baselined) findings, and those past GitHub's limit on results.
    properties = run.get("properties")
    left_out = properties if isinstance(properties, Mapping) else {}
    suppressed += _count_of(left_out, "suppressedOmitted")
    omitted = _count_of(left_out, "resultsOmitted")
    for invocation in _list(run, "invocations", "runs[0]"):
        if not isinstance(invocation, Mapping):
            raise SarifError("runs[0].invocations: expected objects")
        notifications = _list(invocation, "toolExecutionNotifications", "runs[0].invocations")
        for position, notification in enumerate(notifications):
            where = f"runs[0].invocations.toolExecutionNotifications[{position}]"
            everything.append(_notification(notification, where))
    everything.sort(key=lambda annotation: (KINDS.index(annotation.kind), annotation.order))
    shown: list[Annotation] = []
    hidden: list[Annotation] = []
    for kind in KINDS:
        of_kind = [annotation for annotation in everything if annotation.kind == kind]
        shown += of_kind[:SHOWN_PER_KIND]
        hidden += of_kind[SHOWN_PER_KIND:]
    return Annotations(tuple(shown), tuple(hidden), suppressed, omitted)


def _count_of(properties: Mapping[str, object], key: str) -> int:
    value = properties.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SarifError(f"runs[0].properties.{key}: expected a count")
    return value


def render(annotations: Annotations) -> str:
    """The workflow commands of the annotations GitHub shows."""
    return "".join(f"{annotation.command()}\n" for annotation in annotations.shown)


def summary(
    annotations: Annotations, threshold: Severity, exit_code: int | None, annotated: bool = True
) -> str:
    """The step summary (GitHub-flavoured Markdown): every finding counted by
    severity, and the annotations GitHub does not show listed (up to SUMMARY_ROWS)."""
    everything = annotations.shown + annotations.hidden
    severities = [annotation.severity for annotation in everything if annotation.severity]
    problems = [annotation for annotation in everything if annotation.severity is None]
    failing = sum(1 for severity in severities if severity >= threshold)
    lines = ["## iaclint", ""]
    headline = (
        f"{_count(len(severities), 'finding')}, {failing} at or above the threshold "
        f"({threshold.label})"
    )
    if annotations.suppressed:
        headline += f"; {annotations.suppressed} suppressed"
    if annotations.omitted:
        headline += (
            f"; {annotations.omitted:,} less severe left out of the SARIF report"
            " (GitHub accepts 25,000 results)"
        )
    if exit_code is not None:
        headline += f"; exit code {exit_code}"
    lines += [headline + ".", ""]
    if severities:
        lines += ["| severity | findings |", "| --- | ---: |"]
        for severity in sorted(Severity, reverse=True):
            if severities.count(severity):
                lines.append(f"| {severity.label} | {severities.count(severity)} |")
        lines.append("")
    if problems:
        kinds = [
            _count(sum(1 for problem in problems if problem.kind == kind), kind)
            for kind in KINDS
            if any(problem.kind == kind for problem in problems)
        ]
        lines += ["Problems with the input: " + ", ".join(kinds) + ".", ""]
    if not annotated:
        rows = list(everything)
        if rows:
            lines += ["Annotations were turned off; what the run reported:", ""]
    else:
        rows = list(annotations.hidden)
        if rows:
            counts = ", ".join(
                f"{sum(1 for a in rows if a.kind == kind)} of "
                f"{sum(1 for a in everything if a.kind == kind)} {kind}s"
                for kind in KINDS
                if any(a.kind == kind for a in rows)
            )
            lines += [
                f"GitHub shows {SHOWN_PER_KIND} annotations of each kind per step: "
                f"{counts} are not annotated.",
                "",
            ]
    if rows:
        lines += ["| | severity | where | what |", "| --- | --- | --- | --- |"]
        for annotation in rows[:SUMMARY_ROWS]:
            lines.append(_row(annotation))
        if len(rows) > SUMMARY_ROWS:
            lines.append("")
            lines.append(
                f"{len(rows) - SUMMARY_ROWS} more not listed here: see the SARIF report "
                "(code scanning shows every finding)."
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def _count(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def _row(annotation: Annotation) -> str:
    where = annotation.file or ""
    if annotation.file is not None and annotation.line is not None:
        where = f"{annotation.file}:{annotation.line}"
    severity = annotation.severity.label if annotation.severity is not None else "input"
    what = f"{annotation.title}: {annotation.message}"
    return f"| {annotation.kind} | {severity} | {markdown_text(where)} | {markdown_text(what)} |"


# Every ASCII punctuation character may be escaped with a backslash in GitHub's
# Markdown; escaped, none of them can start a link, an image, HTML or a table cell.
_MARKDOWN_ESCAPES = str.maketrans({c: "\\" + c for c in string.punctuation})


def markdown_text(text: str) -> str:
    """`text` (written by whoever wrote the linted files) as literal Markdown text on
    one line: control characters escaped, punctuation taken literally."""
    return printable(text).translate(_MARKDOWN_ESCAPES)


def _run(document: object) -> Mapping[str, object]:
    if not isinstance(document, Mapping) or document.get("version") != "2.1.0":
        raise SarifError("not a SARIF 2.1.0 document")
    runs = document.get("runs")
    if not isinstance(runs, list) or len(runs) != 1 or not isinstance(runs[0], Mapping):
        raise SarifError("runs: expected the one run iaclint writes")
    run: Mapping[str, object] = runs[0]
    return run


def _titles(run: Mapping[str, object]) -> dict[str, str]:
    tool = run.get("tool")
    driver = tool.get("driver") if isinstance(tool, Mapping) else None
    if not isinstance(driver, Mapping):
        raise SarifError("runs[0].tool.driver: expected an object")
    titles: dict[str, str] = {}
    for position, rule in enumerate(_list(driver, "rules", "runs[0].tool.driver")):
        where = f"runs[0].tool.driver.rules[{position}]"
        if not isinstance(rule, Mapping):
            raise SarifError(f"{where}: expected an object")
        description = rule.get("shortDescription")
        title = description.get("text") if isinstance(description, Mapping) else None
        titles[_text(rule, "id", where)] = title if isinstance(title, str) else ""
    return titles


def _finding(
    result: Mapping[str, object], where: str, titles: dict[str, str], threshold: Severity
) -> Annotation:
    policy = _text(result, "ruleId", where)
    properties = result.get("properties")
    label = properties.get("severity") if isinstance(properties, Mapping) else None
    try:
        severity = Severity.parse(label) if isinstance(label, str) else None
    except ValueError:
        severity = None
    if severity is None:
        raise SarifError(f"{where}.properties.severity: expected low, medium, high or critical")
    message = _message(result, where)
    locations = _list(result, "locations", where)
    if not locations or not isinstance(locations[0], Mapping):
        raise SarifError(f"{where}.locations: expected a location")
    location = locations[0]
    file, line, end_line, column, end_column = _place(location, f"{where}.locations[0]")
    subjects = [
        logical.get("fullyQualifiedName")
        for logical in _list(location, "logicalLocations", f"{where}.locations[0]")
        if isinstance(logical, Mapping)
    ]
    # The construct path when there is one (CDK), else the resource, as in --format github.
    named = [subject for subject in subjects if isinstance(subject, str) and subject]
    if named:
        message = f"{message} [{named[-1]}]"
    if result.get("baselineState") == "unchanged":
        message += " (already there at the merge base)"
    heading = f"{policy} {titles[policy]}" if titles.get(policy) else policy
    return Annotation(
        kind="error" if severity >= threshold else "warning",
        order=(-int(severity), file or "", line or 0, column or 0, policy),
        file=file,
        line=line,
        end_line=end_line,
        column=column,
        end_column=end_column,
        title=f"{heading} ({severity.label})",
        message=message,
        severity=severity,
    )


def _notification(notification: object, where: str) -> Annotation:
    if not isinstance(notification, Mapping):
        raise SarifError(f"{where}: expected an object")
    level = notification.get("level")
    kind = _NOTIFICATION_KINDS.get(level) if isinstance(level, str) else None
    if kind is None:
        raise SarifError(f"{where}.level: expected error, warning or note")
    file = line = end_line = column = end_column = None
    locations = _list(notification, "locations", where)
    if locations and isinstance(locations[0], Mapping):
        file, line, end_line, column, end_column = _place(locations[0], f"{where}.locations[0]")
    # Errors (a file not linted) before every finding; warnings after them.
    rank = -10 if kind == "error" else 10
    return Annotation(
        kind=kind,
        order=(rank, file or "", line or 0, column or 0, ""),
        file=file,
        line=line,
        end_line=end_line,
        column=column,
        end_column=end_column,
        title="iaclint",
        message=_message(notification, where),
        severity=None,
    )


def _place(
    location: Mapping[str, object], where: str
) -> tuple[str | None, int | None, int | None, int | None, int | None]:
    physical = location.get("physicalLocation")
    if not isinstance(physical, Mapping):
        return None, None, None, None, None
    artifact = physical.get("artifactLocation")
    uri = artifact.get("uri") if isinstance(artifact, Mapping) else None
    if not isinstance(uri, str):
        raise SarifError(f"{where}.physicalLocation.artifactLocation.uri: expected a string")
    region = physical.get("region")
    if not isinstance(region, Mapping):
        return _path(uri), None, None, None, None
    line = _number(region, "startLine", where)
    end_line = _number(region, "endLine", where)
    column = _number(region, "startColumn", where)
    end_column = _number(region, "endColumn", where)
    # As --format github: an end column only on one line, and only past the start.
    one_line = end_line is not None and end_line == line
    if not one_line or (end_column is not None and column is not None and end_column <= column):
        end_column = None
    return _path(uri), line, end_line, column, end_column


def _path(uri: str) -> str:
    """A file as GitHub names it: the path under the repository's root as written
    (iaclint writes those relative to %SRCROOT%), else the absolute path."""
    if uri.startswith("file:"):
        path = unquote(urlsplit(uri).path)
        # file:///C:/x is the Windows path C:/x.
        return path[1:] if len(path) > 2 and path[2] == ":" else path
    return unquote(uri)


def _message(item: Mapping[str, object], where: str) -> str:
    message = item.get("message")
    text = message.get("text") if isinstance(message, Mapping) else None
    if not isinstance(text, str):
        raise SarifError(f"{where}.message.text: expected a string")
    return text


def _text(item: Mapping[str, object], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise SarifError(f"{where}.{key}: expected a string")
    return value


def _number(item: Mapping[str, object], key: str, where: str) -> int | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SarifError(f"{where}.region.{key}: expected a positive integer")
    return value


def _list(item: Mapping[str, object], key: str, where: str) -> Sequence[object]:
    value = item.get(key, [])
    if not isinstance(value, list):
        raise SarifError(f"{where}.{key}: expected an array")
    return value

"""GitHub Actions workflow commands: annotations on the pull request's lines.

    ::error file=stacks/web.yaml,line=12,endLine=12,col=11,endColumn=28,title=IAC001 …::message

A finding at or above the severity threshold is an `error`, one below it a
`warning`. Suppressed findings are not annotated: a review
comment on a line someone has already justified is noise. Problems with the
input are annotated at their file and line when they have one.

Paths are relative to the repository root, where GitHub resolves them. The
runner parses these lines, so the values are escaped as it requires: `%`,
carriage returns and newlines everywhere, and also `:` and `,` in properties.
"""

from __future__ import annotations

from iaclint.diagnostics import Diagnostic, Level
from iaclint.findings import Finding, Report
from iaclint.report.location import NO_ROOT, SourceRoot
from iaclint.report.text import summarize

_DIAGNOSTIC_COMMANDS = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTICE: "notice"}


def render(report: Report, root: SourceRoot = NO_ROOT, summary: bool = True) -> str:
    titles = {policy.id: policy.title for policy in report.policies}
    lines = [
        _finding(finding, report, titles, root)
        for finding in report.findings
        if finding.suppression is None
    ]
    lines.extend(_diagnostic(diagnostic, root) for diagnostic in report.diagnostics)
    if summary:
        lines.append(summarize(report))
    return "".join(f"{line}\n" for line in lines)


def _finding(finding: Finding, report: Report, titles: dict[str, str], root: SourceRoot) -> str:
    command = "error" if finding.severity >= report.threshold else "warning"
    span = finding.span
    properties = [("file", _path(span.file, root)), ("line", str(span.line))]
    properties.append(("endLine", str(max(span.end_line, span.line))))
    properties.append(("col", str(span.column)))
    if span.end_line == span.line and span.end_column > span.column:
        properties.append(("endColumn", str(span.end_column)))
    title = titles.get(finding.policy_id)
    heading = f"{finding.policy_id} {title}" if title else finding.policy_id
    properties.append(("title", f"{heading} ({finding.severity.label})"))
    subject = finding.construct_path or finding.resource
    message = f"{finding.message} [{subject}]" if subject else finding.message
    return _command(command, properties, message)


def _diagnostic(diagnostic: Diagnostic, root: SourceRoot) -> str:
    properties: list[tuple[str, str]] = []
    if diagnostic.line is not None:
        properties.append(("file", _path(diagnostic.file, root)))
        properties.append(("line", str(diagnostic.line)))
        if diagnostic.column is not None:
            properties.append(("col", str(diagnostic.column)))
    properties.append(("title", "iaclint"))
    message = f"{diagnostic.where()}: {diagnostic.message}"
    return _command(_DIAGNOSTIC_COMMANDS[diagnostic.level], properties, message)


def _path(file: str, root: SourceRoot) -> str:
    return root.relative(file) or file


def _command(name: str, properties: list[tuple[str, str]], message: str) -> str:
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{name} {rendered}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """A command's message, as the runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value: also `:` and `,`, which delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")

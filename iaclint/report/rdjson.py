"""reviewdog's diagnostic format (rdjson), for bots that post review comments.

    iaclint --format rdjson . | reviewdog -f=rdjson -reporter=github-pr-review

One `DiagnosticResult`: each finding is a diagnostic with its path (as the run
shows it; reviewdog relates it to the repository itself), its range, a severity
and the policy as its code, linked to the policy's documentation. reviewdog
counts columns in UTF-8 bytes, with an exclusive end; spans count characters,
so a finding carries its columns in bytes too (a finding made without them is
converted with its snippet, taken as the source line). Suppressed
findings are left out, as in the GitHub annotations.
"""

from __future__ import annotations

import json

from iaclint import HOMEPAGE
from iaclint.diagnostics import Diagnostic, Level
from iaclint.findings import Finding, Report, Severity

_SEVERITIES = {
    Severity.LOW: "INFO",
    Severity.MEDIUM: "WARNING",
    Severity.HIGH: "ERROR",
    Severity.CRITICAL: "ERROR",
}
_DIAGNOSTIC_SEVERITIES = {Level.ERROR: "ERROR", Level.WARNING: "WARNING", Level.NOTICE: "INFO"}
# A snippet cut to this many characters (and an ellipsis) is not the whole line.
_SNIPPET_LIMIT = 240


def render(report: Report) -> str:
    help_uris = {policy.id: policy.help_uri for policy in report.policies}
    diagnostics = [
        _finding(finding, help_uris.get(finding.policy_id))
        for finding in report.findings
        if finding.suppression is None
    ]
    diagnostics.extend(_diagnostic(diagnostic) for diagnostic in report.diagnostics)
    document = {"source": {"name": "iaclint", "url": HOMEPAGE}, "diagnostics": diagnostics}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _finding(finding: Finding, help_uri: str | None) -> dict[str, object]:
    span = finding.span
    if finding.byte_columns is not None:
        start, end = finding.byte_columns
    else:
        start = _byte_column(finding.snippet, span.column)
        end_column = span.end_column if span.end_line == span.line else None
        end = (
            _byte_column(finding.snippet, end_column)
            if end_column is not None
            else max(span.end_column, 1)
        )
    code: dict[str, object] = {"value": finding.policy_id}
    if help_uri:
        code["url"] = help_uri
    subject = finding.construct_path or finding.resource
    message = f"{finding.message} [{subject}]" if subject else finding.message
    return {
        "message": message,
        "location": {
            "path": finding.span.file,
            "range": {
                "start": {"line": span.line, "column": start},
                "end": {"line": max(span.end_line, span.line), "column": end},
            },
        },
        "severity": _SEVERITIES[finding.severity],
        "source": {"name": "iaclint", "url": HOMEPAGE},
        "code": code,
    }


def _byte_column(line: str, column: int) -> int:
    """A 1-based character column as a 1-based UTF-8 byte column on `line`."""
    if not line or (len(line) == _SNIPPET_LIMIT and line.endswith("…")):
        return column  # the line is not known in full: characters stand for bytes
    before = line[: column - 1].encode("utf-8", "surrogatepass")
    # Past the snippet's end lie the trailing blanks it was stripped of (one byte each).
    return len(before) + max(column - 1 - len(line), 0) + 1


def _diagnostic(diagnostic: Diagnostic) -> dict[str, object]:
    location: dict[str, object] = {"path": diagnostic.file}
    if diagnostic.line is not None:
        position = {"line": diagnostic.line}
        if diagnostic.column is not None:
            position["column"] = diagnostic.column
        location["range"] = {"start": position}
    return {
        "message": diagnostic.message,
        "location": location,
        "severity": _DIAGNOSTIC_SEVERITIES[diagnostic.level],
        "source": {"name": "iaclint", "url": HOMEPAGE},
    }

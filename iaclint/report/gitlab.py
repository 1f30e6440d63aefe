"""GitLab's code quality report: the findings a merge request's widget shows.

    iaclint --format gitlab:gl-code-quality-report.json .

A JSON array of issues (the Code Climate subset GitLab reads): a description,
the policy as `check_name`, a severity of GitLab's (`info`, `minor`, `major`,
`critical`, `blocker`), the file from the repository's root and the first line.
GitLab calls an issue new or fixed in a merge request by its `fingerprint`, so
ours is the line-independent identity code scanning gets too (`identity.py`):
edits that move lines keep it. Suppressed findings are left out, as in the GitHub
annotations. A file that could not be read is an issue too (`major`, at its file):
its findings are missing, and a widget that shows only findings would hide that.
"""

from __future__ import annotations

import hashlib
import json

from iaclint.diagnostics import Diagnostic, Level
from iaclint.findings import Finding, Report, Severity
from iaclint.report.identity import line_hashes
from iaclint.report.location import NO_ROOT, SourceRoot

SEVERITIES = {
    Severity.LOW: "minor",
    Severity.MEDIUM: "major",
    Severity.HIGH: "critical",
    Severity.CRITICAL: "blocker",
}
# What iaclint says about its own input (an unused suppression) is not a security issue.
NOT_SECURITY = "info"
ERROR_CHECK = "iaclint-error"


def render(report: Report, root: SourceRoot = NO_ROOT) -> str:
    security = {policy.id: policy.security for policy in report.policies}
    issues = [
        _finding(finding, key, root, security.get(finding.policy_id, True))
        for finding, key in zip(report.findings, line_hashes(report.findings, root), strict=True)
        if finding.suppression is None
    ]
    issues.extend(
        _error(diagnostic, root)
        for diagnostic in report.diagnostics
        if diagnostic.level is Level.ERROR
    )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def _finding(finding: Finding, key: str, root: SourceRoot, security: bool) -> dict[str, object]:
    subject = finding.construct_path or finding.resource
    message = f"{finding.message} [{subject}]" if subject else finding.message
    return {
        "type": "issue",
        "check_name": finding.policy_id,
        "description": f"{finding.policy_id}: {message}",
        "categories": ["Security"] if security else ["Style"],
        "severity": SEVERITIES[finding.severity] if security else NOT_SECURITY,
        "fingerprint": _digest(key),
        "location": {
            "path": _path(finding.file, root),
            "lines": {
                "begin": finding.span.line,
                "end": max(finding.span.end_line, finding.span.line),
            },
        },
    }


def _error(diagnostic: Diagnostic, root: SourceRoot) -> dict[str, object]:
    path = _path(diagnostic.file, root)
    return {
        "type": "issue",
        "check_name": ERROR_CHECK,
        "description": f"{diagnostic.where()}: {diagnostic.message}",
        "categories": ["Bug Risk"],
        "severity": "major",
        # What is wrong where: one issue per problem, whatever line it is on.
        "fingerprint": _digest("\x1f".join((ERROR_CHECK, path, diagnostic.message))),
        "location": {"path": path, "lines": {"begin": diagnostic.line or 1}},
    }


def _path(file: str, root: SourceRoot) -> str:
    return root.relative(file) or file


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]

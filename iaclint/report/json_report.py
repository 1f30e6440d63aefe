"""The machine report: findings, undetermined checks, errors and policies as JSON."""

from __future__ import annotations

import json

from iaclint import __version__
from iaclint.diagnostics import Diagnostic
from iaclint.findings import Finding, Report, Step


def render(report: Report) -> str:
    policies = {policy.id: policy for policy in report.policies}
    findings = []
    for finding in report.findings:
        policy = policies.get(finding.policy_id)
        span = finding.span
        entry: dict[str, object] = {
            "policy_id": finding.policy_id,
            "title": policy.title if policy else "",
            "category": policy.category if policy else "",
            "severity": finding.severity.label,
            "file": span.file,
            "line": span.line,
            "column": span.column,
            "end_line": span.end_line,
            "end_column": span.end_column,
            "resource": finding.resource,
            "resource_type": finding.resource_type,
            "construct_path": finding.construct_path,
            "related": [
                {"file": span.file, "line": span.line, "column": span.column}
                for span in finding.related
            ],
            "attribute": finding.attribute,
            "conditions": list(finding.conditions),
            "message": finding.message,
            "fingerprint": finding.fingerprint,
            "suppression": _suppression(finding),
            "outside_diff": finding.outside_diff,
        }
        if finding.path:
            # The way in from the internet (exposure findings only): each hop, in order.
            entry["path"] = [_step(step) for step in finding.path]
        findings.append(entry)
    document = {
        "tool": "iaclint",
        "version": __version__,
        "findings": findings,
        "undetermined": [
            {
                "policy_id": item.policy_id,
                "file": item.span.file,
                "line": item.span.line,
                "column": item.span.column,
                "resource": item.resource,
                "attribute": item.attribute,
                "reason": item.reason,
            }
            for item in report.undetermined
        ],
        "errors": [_diagnostic(diagnostic) for diagnostic in report.diagnostics],
        "policies": [
            {
                "id": policy.id,
                "title": policy.title,
                "category": policy.category,
                "severity": policy.severity.label,
            }
            for policy in sorted(report.policies, key=lambda policy: policy.id)
        ],
        "summary": {
            "templates_linted": report.files_linted,
            "files_skipped": report.files_skipped,
            "findings": len(report.findings),
            "suppressed": sum(1 for finding in report.findings if finding.suppression),
            "failing": len(report.failing()),
            "threshold": report.threshold.label,
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _step(step: Step) -> dict[str, object]:
    return {
        "role": step.role,
        "resource": step.resource,
        "construct_path": step.construct_path,
        "attribute": step.attribute,
        "file": step.span.file,
        "line": step.span.line,
        "column": step.span.column,
        "note": step.note,
    }


def _suppression(finding: Finding) -> dict[str, object] | None:
    suppressed = finding.suppression
    if suppressed is None:
        return None
    return {
        "kind": suppressed.kind,
        "reason": suppressed.reason,
        "expires": suppressed.expires,
        "file": suppressed.span.file,
        "line": suppressed.span.line,
    }


def _diagnostic(diagnostic: Diagnostic) -> dict[str, object]:
    """A problem with the input; one said for several of a kind lists them all."""
    out: dict[str, object] = {
        "level": diagnostic.level.value,
        "file": diagnostic.file,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "message": diagnostic.message,
        "kind": diagnostic.kind.id if diagnostic.kind else None,
        "subject": diagnostic.subject,
        "count": len(diagnostic.gathered) or 1,
    }
    if diagnostic.gathered:
        out["occurrences"] = [
            {
                "line": member.line,
                "column": member.column,
                "subject": member.subject,
                "message": member.message,
            }
            for member in diagnostic.gathered
        ]
    return out

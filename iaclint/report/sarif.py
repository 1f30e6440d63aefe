"""SARIF 2.1.0, as CI gates and GitHub code scanning read it.

One run: the driver describes every policy that ran as a rule (the same rule
order gives each result its `ruleIndex`); each finding is a result with its
file (relative to the repository root, under `%SRCROOT%`), its region, the
resource as a logical location (and the CDK construct path), and its
fingerprint as a partial fingerprint, which survives edits that move lines.
A suppressed finding carries its suppression and justification. Problems with
the input are tool execution notifications.

Columns count Unicode code points (as every reader of ours does), which the
run declares in `columnKind`; the end column is exclusive, as in `Span`.
"""

from __future__ import annotations

import json
import re

from iaclint import HOMEPAGE, __version__
from iaclint.diagnostics import Diagnostic, Level
from iaclint.findings import Finding, PolicyInfo, Report, Severity, Step
from iaclint.report.location import NO_ROOT, SourceRoot, file_uri, relative_uri
from iaclint.span import Span

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
ROOT_ID = "%SRCROOT%"
FINGERPRINT_KEY = "iaclint/v1"

_LEVELS = {
    Severity.LOW: "note",
    Severity.MEDIUM: "warning",
    Severity.HIGH: "error",
    Severity.CRITICAL: "error",
}
# GitHub code scanning reads these as low (0.1-3.9), medium, high (7.0-8.9), critical (9.0+).
SECURITY_SEVERITY = {
    Severity.LOW: "3.0",
    Severity.MEDIUM: "5.5",
    Severity.HIGH: "8.0",
    Severity.CRITICAL: "9.5",
}
_NOTIFICATION_LEVELS = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTICE: "note"}


def render(report: Report, root: SourceRoot = NO_ROOT) -> str:
    rules = sorted(report.policies, key=lambda policy: policy.id)
    index = {policy.id: position for position, policy in enumerate(rules)}
    run: dict[str, object] = {
        "tool": {
            "driver": {
                "name": "iaclint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": HOMEPAGE,
                "rules": [_rule(policy) for policy in rules],
            }
        },
        "invocations": [
            {
                "executionSuccessful": not any(
                    diagnostic.level is Level.ERROR for diagnostic in report.diagnostics
                ),
                "toolExecutionNotifications": [
                    _notification(diagnostic, root) for diagnostic in report.diagnostics
                ],
            }
        ],
        "columnKind": "unicodeCodePoints",
        "results": [_result(finding, index, root) for finding in report.findings],
    }
    if root.directory is not None:
        run["originalUriBaseIds"] = {ROOT_ID: {"uri": file_uri(root.directory.rstrip("/") + "/")}}
    document = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _rule(policy: PolicyInfo) -> dict[str, object]:
    # A user's policy may leave out its rationale and remediation: its title is its help.
    help_text = [policy.rationale] if policy.rationale else []
    help_markdown = list(help_text)
    if policy.remediation:
        help_text.append(f"How to fix: {policy.remediation}")
        help_markdown.append(f"**How to fix:** {policy.remediation}")
    if not help_text:
        help_text, help_markdown = [policy.title], [policy.title]
    if policy.references:
        help_text.append("References: " + " ".join(policy.references))
        help_markdown.append("References:\n\n" + "\n".join(f"- {r}" for r in policy.references))
    rule: dict[str, object] = {
        "id": policy.id,
        "name": rule_name(policy.title),
        "shortDescription": {"text": policy.title},
        "fullDescription": {"text": policy.description or policy.title},
        "help": {"text": "\n\n".join(help_text), "markdown": "\n\n".join(help_markdown)},
        "defaultConfiguration": {"level": _LEVELS[policy.severity]},
        "properties": {
            "tags": ["security", policy.category],
            "security-severity": SECURITY_SEVERITY[policy.severity],
            "severity": policy.severity.label,
        },
    }
    if policy.help_uri:
        rule["helpUri"] = policy.help_uri
    return rule


def rule_name(title: str) -> str:
    """A rule's name as an identifier: `SshOrRdpOpenToTheWorld`."""
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "".join(word[:1].upper() + word[1:] for word in words) or "Policy"


def _result(finding: Finding, index: dict[str, int], root: SourceRoot) -> dict[str, object]:
    logical = [{"name": finding.resource, "fullyQualifiedName": finding.resource}]
    if finding.resource:
        logical[0]["kind"] = "resource"
    if finding.construct_path:
        logical.append(
            {
                "name": finding.construct_path.rsplit("/", 1)[-1],
                "fullyQualifiedName": finding.construct_path,
                "kind": "module",
            }
        )
    location: dict[str, object] = {"physicalLocation": _physical(finding.span, root)}
    if finding.resource:
        location["logicalLocations"] = logical
    properties: dict[str, object] = {"severity": finding.severity.label}
    if finding.resource_type:
        properties["resourceType"] = finding.resource_type
    if finding.attribute:
        properties["attribute"] = finding.attribute
    if finding.conditions:
        properties["conditions"] = list(finding.conditions)
    if finding.outside_diff:
        properties["outsideDiff"] = True  # already at the merge base of --diff-base
    result: dict[str, object] = {
        "ruleId": finding.policy_id,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(finding, root)},
        "properties": properties,
    }
    if finding.path:
        # The way in from the internet: each hop a related location, and one thread
        # from the internet gateway to the resource.
        hops = [_hop(number, step, root) for number, step in enumerate(finding.path)]
        result["relatedLocations"] = hops
        result["codeFlows"] = [
            {
                "message": {"text": "from the internet to " + finding.resource},
                "threadFlows": [{"locations": [{"location": hop} for hop in hops]}],
            }
        ]
    if finding.policy_id in index:
        result["ruleIndex"] = index[finding.policy_id]
    if finding.outside_diff:
        result["baselineState"] = "unchanged"  # SARIF's word for "already there"
    if finding.suppression is not None:
        suppressed = finding.suppression
        suppression: dict[str, object] = {
            "kind": "inSource",
            "status": "accepted",
            "justification": suppressed.reason,
            "location": {"physicalLocation": _physical(suppressed.span, root)},
        }
        if suppressed.expires:
            suppression["properties"] = {"expires": suppressed.expires}
        result["suppressions"] = [suppression]
    return result


def _hop(number: int, step: Step, root: SourceRoot) -> dict[str, object]:
    text = f"{step.role}: {step.resource}" + (f" ({step.note})" if step.note else "")
    hop: dict[str, object] = {
        "id": number,
        "physicalLocation": _physical(step.span, root),
        "message": {"text": text},
    }
    logical = [{"name": step.resource, "fullyQualifiedName": step.resource, "kind": "resource"}]
    if step.construct_path:
        logical.append(
            {
                "name": step.construct_path.rsplit("/", 1)[-1],
                "fullyQualifiedName": step.construct_path,
                "kind": "module",
            }
        )
    hop["logicalLocations"] = logical
    return hop


def _fingerprint(finding: Finding, root: SourceRoot) -> str:
    """The finding's fingerprint with its file named from the repository root, so it
    is the same whichever directory the run starts in (and, like every fingerprint,
    holds no line number)."""
    return finding.fingerprint_as(root.relative(finding.file) or finding.file)


def _physical(span: Span, root: SourceRoot) -> dict[str, object]:
    return {
        "artifactLocation": _artifact(span.file, root),
        "region": {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": max(span.end_line, span.line),
            "endColumn": max(span.end_column, 1),
        },
    }


def _artifact(file: str, root: SourceRoot) -> dict[str, object]:
    relative = root.relative(file)
    if relative is not None:
        return {"uri": relative_uri(relative), "uriBaseId": ROOT_ID}
    absolute = root.absolute(file)
    if absolute is not None:
        return {"uri": file_uri(absolute)}
    return {"uri": relative_uri(file)}


def _notification(diagnostic: Diagnostic, root: SourceRoot) -> dict[str, object]:
    # The text names the place too: some diagnostics are about an option or the
    # configuration rather than a file, and only those with a line get a location.
    notification: dict[str, object] = {
        "level": _NOTIFICATION_LEVELS[diagnostic.level],
        "message": {"text": f"{diagnostic.where()}: {diagnostic.message}"},
    }
    if diagnostic.kind is not None:
        properties: dict[str, object] = {"kind": diagnostic.kind.id}
        if diagnostic.subject:
            properties["subject"] = diagnostic.subject
        if diagnostic.gathered:
            properties["count"] = len(diagnostic.gathered)
            properties["subjects"] = [member.subject for member in diagnostic.gathered]
        notification["properties"] = properties
    if diagnostic.line is not None:
        region: dict[str, object] = {"startLine": diagnostic.line}
        if diagnostic.column is not None:
            region["startColumn"] = diagnostic.column
        physical = {"artifactLocation": _artifact(diagnostic.file, root), "region": region}
        notification["locations"] = [{"physicalLocation": physical}]
    return notification

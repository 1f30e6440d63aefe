"""SARIF 2.1.0, as CI gates and GitHub code scanning read it.

One run: the driver describes every policy that ran as a rule (the same rule
order gives each result its `ruleIndex`); each finding is a result with its
file (relative to the repository root, under `%SRCROOT%`), its region, the
resource as a logical location (and the CDK construct path), and partial
fingerprints that survive edits moving lines. Problems with the input are tool
execution notifications.

What GitHub code scanning needs shapes the rest:

- It opens an alert for every result, `suppressions` or not, so suppressed
  findings, and those a baseline accepted, are left out unless
  `include_suppressed` (they then carry their suppression and justification:
  `inSource` where a comment or `Metadata` says it, `external` for a baseline).
  Findings already at the merge base
  (`--diff-base --show-all`) stay: they are real, and a PR's analysis without
  them would mark their alerts fixed.
- It rejects a whole upload of more than 25,000 results in a run. Above that,
  the most severe are kept (then in report order) and a warning notification
  says how many were left out. `executionSuccessful` stays what the analysis
  was: SARIF (3.20.14) makes it say whether the tool's execution succeeded, and
  leaving results out to fit a consumer's limit is not a failure of the analysis
  (a file that could not be read, an error notification, is).
- It tracks an alert by `partialFingerprints.primaryLocationLineHash` alone, and
  hashes the result's source line when the key is absent, which changes whenever
  the line does. Ours is `<hash>:<n>`: the hash of policy, file (from the
  repository root), resource, attribute path and conditions, with no line number
  and no text of the line, and `n` counting results of the same hash in report
  order. Lines moved by edits above keep the alert; a new value for the flagged
  attribute that is still flagged keeps it too (the problem is the same); fixing
  it closes it; renaming the resource or moving it to another file opens a new one.
- `automationDetails.id` (`category/`) keeps the alerts of several runs (one per
  folder or framework) apart: an upload closes only the alerts of its category.
- Rules for what iaclint says about its own input (`unused-suppression`) are
  not tagged `security` and have no `security-severity`, so they are not filed
  among security alerts.

Columns count Unicode code points (as every reader of ours does), which the
run declares in `columnKind`; the end column is exclusive, as in `Span`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import NamedTuple

from iaclint import HOMEPAGE, __version__
from iaclint.diagnostics import Diagnostic, Level
from iaclint.findings import Finding, PolicyInfo, Report, Severity, Step
from iaclint.report.identity import line_hashes
from iaclint.report.location import NO_ROOT, SourceRoot, file_uri, relative_uri
from iaclint.span import Span

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
ROOT_ID = "%SRCROOT%"
FINGERPRINT_KEY = "iaclint/v1"
# The key GitHub code scanning tracks alerts by.
LINE_HASH_KEY = "primaryLocationLineHash"
# GitHub code scanning rejects an upload with more results than this in a run.
MAX_RESULTS = 25_000

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


class SarifSettings(NamedTuple):
    """What the command line decides about the SARIF report."""

    # The run's category (`automationDetails.id` is `category/`); None: no category.
    category: str | None = None
    # Keep suppressed findings (with their `suppressions`) instead of leaving them out.
    include_suppressed: bool = False
    # At most this many results; the most severe are kept.
    max_results: int = MAX_RESULTS


DEFAULT = SarifSettings()


def render(report: Report, root: SourceRoot = NO_ROOT, settings: SarifSettings = DEFAULT) -> str:
    rules = sorted(report.policies, key=lambda policy: policy.id)
    index = {policy.id: position for position, policy in enumerate(rules)}
    # Keys are counted over every finding, those a baseline accepted included, so
    # that neither a baseline nor keeping suppressed findings changes another's key.
    everything = report.findings
    if report.baselined:
        everything = tuple(sorted((*everything, *report.baselined), key=Finding.sort_key))
    hashes = line_hashes(everything, root)
    listed = [
        (finding, line_hash)
        for finding, line_hash in zip(everything, hashes, strict=True)
        if settings.include_suppressed or finding.suppression is None
    ]
    kept = most_severe(listed, settings.max_results)
    notifications = [_notification(diagnostic, root) for diagnostic in report.diagnostics]
    if len(kept) < len(listed):
        notifications.append(_capped(len(listed), len(kept)))
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
                "toolExecutionNotifications": notifications,
            }
        ],
        "columnKind": "unicodeCodePoints",
        "results": [_result(finding, line_hash, index, root) for finding, line_hash in kept],
    }
    if settings.category is not None:
        category = settings.category
        run["automationDetails"] = {"id": category if category.endswith("/") else category + "/"}
    left_out = {
        "suppressedOmitted": len(everything) - len(listed),
        "resultsOmitted": len(listed) - len(kept),
    }
    if any(left_out.values()):
        run["properties"] = left_out
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
        "properties": (
            {
                "tags": ["security", policy.category],
                "security-severity": SECURITY_SEVERITY[policy.severity],
                "severity": policy.severity.label,
            }
            if policy.security
            else {"tags": ["maintainability"], "severity": policy.severity.label}
        ),
    }
    if policy.help_uri:
        rule["helpUri"] = policy.help_uri
    return rule


def rule_name(title: str) -> str:
    """A rule's name as an identifier: `SshOrRdpOpenToTheWorld`."""
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "".join(word[:1].upper() + word[1:] for word in words) or "Policy"


def most_severe(listed: Sequence[tuple[Finding, str]], limit: int) -> Sequence[tuple[Finding, str]]:
    """At most `limit` of `listed`: the most severe, then the first; in their order."""
    if len(listed) <= limit:
        return listed
    ranked = sorted(range(len(listed)), key=lambda position: -listed[position][0].severity)
    chosen = sorted(ranked[:limit])
    return [listed[position] for position in chosen]


def _capped(total: int, kept: int) -> dict[str, object]:
    omitted = total - kept
    return {
        "level": "warning",
        "message": {
            "text": f"{omitted:,} of {total:,} results left out: GitHub code scanning rejects "
            f"a run of more than {kept:,} results, so the {kept:,} most severe were kept "
            "(the text and JSON reports list them all)"
        },
        "properties": {"kind": "results-capped", "omitted": omitted, "total": total},
    }


def _result(
    finding: Finding, line_hash: str, index: dict[str, int], root: SourceRoot
) -> dict[str, object]:
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
        "partialFingerprints": {
            LINE_HASH_KEY: line_hash,
            # The same fingerprint, without the occurrence: iaclint's own key.
            FINGERPRINT_KEY: line_hash.rpartition(":")[0],
        },
        "properties": properties,
    }
    related: list[dict[str, object]] = []
    if finding.path:
        # The way in from the internet: each hop a related location, and one thread
        # from the internet gateway to the resource.
        related = [_hop(number, step, root) for number, step in enumerate(finding.path)]
        result["codeFlows"] = [
            {
                "message": {"text": "from the internet to " + finding.resource},
                "threadFlows": [{"locations": [{"location": hop} for hop in related]}],
            }
        ]
    for span in finding.related:
        # Where the user's code defines the resource (a CDK app's construct).
        related.append(
            {
                "id": len(related),
                "physicalLocation": _physical(span, root),
                "message": {"text": f"{finding.resource or 'the resource'} is defined here"},
            }
        )
    if related:
        result["relatedLocations"] = related
    if finding.policy_id in index:
        result["ruleIndex"] = index[finding.policy_id]
    if finding.outside_diff:
        result["baselineState"] = "unchanged"  # SARIF's word for "already there"
    if finding.suppression is not None:
        suppressed = finding.suppression
        # A baseline is a file beside the source: SARIF's `external`.
        external = suppressed.kind == "baseline"
        suppression: dict[str, object] = {
            "kind": "external" if external else "inSource",
            "status": "accepted",
            "justification": suppressed.reason,
        }
        if not external:
            suppression["location"] = {"physicalLocation": _physical(suppressed.span, root)}
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

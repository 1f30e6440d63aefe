"""What a run produces: findings, undetermined checks, and policy metadata.

These are the only things reporters see. A finding is complete when it is
created; its fingerprint holds no line numbers and no message text, so it
survives edits that move lines.
"""

from __future__ import annotations

import enum
import hashlib
from typing import NamedTuple

from iaclint.diagnostics import Diagnostic
from iaclint.span import Span


class Severity(enum.IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Severity from its name; raises ValueError naming the choices."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity '{text}' (expected one of: {choices})") from None


CATEGORIES = (
    "iam",
    "network",
    "encryption",
    "secrets",
    "logging",
    "imds",
    "images",
    "tagging",
    "exposure",
)


class PolicyInfo(NamedTuple):
    """A policy as reporters describe it."""

    id: str
    title: str
    category: str
    severity: Severity
    rationale: str
    remediation: str
    references: tuple[str, ...]
    source: str
    # What it flags, in a paragraph.
    description: str = ""
    # The policy's documentation page (bundled policies only).
    help_uri: str | None = None
    # False for what iaclint says about its own input (a suppression that matches
    # nothing): code hosts must not file it among security alerts.
    security: bool = True


class Checks(NamedTuple):
    """What a policy examines, for the catalogue: the resource kinds (or native types)
    it targets, the traits it names in its findings, and the severity they choose."""

    targets: tuple[str, ...] = ()
    traits: tuple[str, ...] = ()
    # (severity, the traits it needs), first match wins.
    severities: tuple[tuple[str, tuple[str, ...]], ...] = ()


class Suppressed(NamedTuple):
    """Why a finding is shown but does not count: a justified suppression."""

    # "comment" (in the source text), "metadata" (the resource's Metadata) or
    # "baseline" (accepted by a baseline file).
    kind: str
    reason: str
    # Where the suppression is written.
    span: Span
    # The last day it suppresses (ISO date), if it has one.
    expires: str | None = None


class Step(NamedTuple):
    """One hop of the way from the internet to a resource: what it is, and where it is
    written (a route, a subnet, a public address, a rule, a listener, a target group)."""

    role: str
    resource: str
    attribute: str
    span: Span
    # What this hop does, in words ("sends 0.0.0.0/0 to the internet gateway").
    note: str = ""
    construct_path: str | None = None


class Finding(NamedTuple):
    policy_id: str
    severity: Severity
    span: Span
    resource: str
    resource_type: str
    # The offending attribute as the user writes it (`Properties.X[0].Y`); "" for
    # the resource as a whole.
    attribute: str
    message: str
    fingerprint: str
    # Conditions under which the finding holds ("IsProd is true"); empty if always.
    conditions: tuple[str, ...] = ()
    # The source line at the span's start (a window of it around the span when it
    # is long), with every secret value masked.
    snippet: str = ""
    construct_path: str | None = None
    # Other places worth a look: where the user's code defines the resource.
    related: tuple[Span, ...] = ()
    # Where the resource is declared (its first line), for suppressions written there.
    resource_span: Span | None = None
    # Set when a justified suppression covers the finding: shown, never counted.
    suppression: Suppressed | None = None
    # Already at the merge base of --diff-base, shown (and counted) because of
    # --show-all; marked so readers can tell the change's findings from the rest.
    outside_diff: bool = False
    # The span's start and end columns in UTF-8 bytes (reviewdog counts them), worked
    # out on the source line: the snippet may be cut or masked. None when not known.
    byte_columns: tuple[int, int] | None = None
    # The way in from the internet, from the internet gateway to the resource
    # (exposure findings); empty for every other finding.
    path: tuple[Step, ...] = ()

    @property
    def counts(self) -> bool:
        """Whether the finding can fail the run (it is not suppressed)."""
        return self.suppression is None

    @property
    def file(self) -> str:
        return self.span.file

    def fingerprint_as(self, file: str) -> str:
        """The fingerprint with the file named as `file` (from the repository root, say),
        so that it does not depend on the directory the run started in."""
        return fingerprint(self.policy_id, file, self.resource, self.attribute, self.conditions)

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        span = self.span
        return (span.file, span.line, span.column, self.policy_id, self.resource, self.attribute)


class Undetermined(NamedTuple):
    """A check that could not be decided: not a finding, shown with --show-unknown."""

    policy_id: str
    span: Span
    resource: str
    attribute: str
    reason: str

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.file, self.span.line, self.span.column, self.policy_id, self.resource)


def fingerprint(
    policy_id: str, file: str, resource: str, attribute: str, conditions: tuple[str, ...]
) -> str:
    """A stable identity for a finding: no lines, no message."""
    text = "\x1f".join((policy_id, file.replace("\\", "/"), resource, attribute, *conditions))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class Report(NamedTuple):
    """Everything a reporter may show about a run."""

    findings: tuple[Finding, ...]
    undetermined: tuple[Undetermined, ...]
    diagnostics: tuple[Diagnostic, ...]
    policies: tuple[PolicyInfo, ...]
    files_linted: int
    files_skipped: int
    threshold: Severity
    # Every file the run read, as shown (where suppressions may be written).
    sources: tuple[str, ...] = ()
    # Findings a baseline accepted: in no report, but SARIF keeps them on request
    # (marked suppressed by the baseline), as it keeps suppressed findings.
    baselined: tuple[Finding, ...] = ()

    def failing(self) -> list[Finding]:
        """Findings that count (see Finding.counts) at or above the threshold."""
        return [
            finding
            for finding in self.findings
            if finding.counts and finding.severity >= self.threshold
        ]

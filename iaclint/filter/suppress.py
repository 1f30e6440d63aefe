"""Suppressions: a person's justified decision that a finding does not count.

Two ways to write one, both with a required reason and an optional last day:

    # iaclint: ignore[IAC001,IAC002] reason="bastion, reviewed by sec" expires=2026-12-31

in YAML and HCL (a `#` or `//` comment), on the offending line or on the
resource's first line; a comment alone on its line covers the next line that
holds something. Terraform's JSON syntax has comment properties instead, which
cover the object they are written in (a resource's body: the resource):

    "//": "iaclint: ignore[IAC001] reason=\"bastion, reviewed by sec\""
 And in a CloudFormation resource's `Metadata` (JSON or YAML,
which is also where CDK's `cfnOptions.metadata` ends up):

    "Metadata": {"iaclint": {"ignore": [{"id": "IAC001", "reason": "...",
                                         "expires": "2026-12-31"}]}}

A suppression without a reason, with a date that is not a date, naming anything
but the id of a loaded policy (a typo, `iac001` in lower case, a category), or
written in a way we cannot read is a located error (the run exits 2) and suppresses nothing:
a misspelt suppression must never pass silently, and a finding would let it be
baselined or suppressed itself. An expired one suppresses nothing and says so
(a warning at the suppression). One that matches no finding of a policy that ran
is a low finding at the suppression, so stale justifications get cleaned up.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from iaclint.diagnostics import EXPIRED_SUPPRESSION, Diagnostic, did_you_mean
from iaclint.findings import CATEGORIES, Finding, PolicyInfo, Severity, Suppressed, fingerprint
from iaclint.span import Span

# The marker that makes a comment ours; anything after it must follow the grammar.
_MARKER = re.compile(r"(?:#|//)\s*iaclint\s*:")
_COMMENT = re.compile(r"(?:#|//)\s*iaclint\s*:\s*ignore\[(?P<ids>[^\]]*)\](?P<rest>.*)$")
_ATTRIBUTE = re.compile(
    r"\s*(?P<key>[A-Za-z_]+)=(?:\"(?P<quoted>(?:[^\"\\]|\\.)*)\"|(?P<bare>\S+))"
)
_POLICY_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")

UNUSED_ID = "unused-suppression"
UNUSED_POLICY = PolicyInfo(
    id=UNUSED_ID,
    title="Suppression that matches no finding",
    category="iaclint",
    severity=Severity.LOW,
    rationale="A suppression that no longer matches anything hides nothing today, but it "
    "would silently hide the same finding if it came back.",
    remediation="Remove the suppression (or correct the policy id or the line it is on).",
    references=(),
    source="iaclint",
    description="An `iaclint: ignore[...]` comment or `Metadata` entry naming a policy that "
    "ran but found nothing there.",
    security=False,
)


class Suppression(NamedTuple):
    policy_ids: tuple[str, ...]
    reason: str
    expires: datetime.date | None
    # Where it is written.
    span: Span
    # "comment" or "metadata".
    kind: str
    # A comment covers findings on these lines (or whose resource starts there).
    lines: frozenset[int] = frozenset()
    # A Metadata entry covers the findings of this resource, and of the resources
    # a transform generates from it.
    resource: str | None = None
    generated: frozenset[str] = frozenset()

    def covers(self, finding: Finding) -> bool:
        if finding.policy_id not in self.policy_ids:
            return False
        if self.resource is not None:
            return finding.file == self.span.file and (
                finding.resource == self.resource or finding.resource in self.generated
            )
        starts = [finding.span]
        if finding.resource_span is not None:
            starts.append(finding.resource_span)
        return any(s.file == self.span.file and s.line in self.lines for s in starts)


class Found(NamedTuple):
    suppressions: list[Suppression]
    diagnostics: list[Diagnostic]


def read_comments(text: str, file: str) -> Found:
    """The suppression comments in a YAML or HCL file's text."""
    found = Found([], [])
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        marker = _MARKER.search(line)
        if marker is None:
            continue
        span = Span(file, number, marker.start() + 1, number, len(line) + 1)
        parsed = _parse_comment(line[marker.start() :], span, found.diagnostics)
        if parsed is None:
            continue
        policy_ids, reason, expires = parsed
        if line[: marker.start()].strip():
            covered = frozenset({number})
        else:  # alone on its line: the next line that holds something
            covered = frozenset({_next_code_line(lines, number)})
        found.suppressions.append(
            Suppression(policy_ids, reason, expires, span, "comment", lines=covered)
        )
    return found


def read_comment_properties(comments: Iterable[tuple[str, Span, frozenset[int]]]) -> Found:
    """Suppressions written as the text of a comment property (`"//"` in Terraform's
    JSON syntax), each with the lines it covers: those of the object holding it."""
    found = Found([], [])
    for text, span, covered in comments:
        if _MARKER.match("//" + text.lstrip()) is None:
            continue  # a comment of another kind
        parsed = _parse_comment("//" + text.lstrip(), span, found.diagnostics)
        if parsed is None:
            continue
        policy_ids, reason, expires = parsed
        found.suppressions.append(
            Suppression(policy_ids, reason, expires, span, "comment", lines=covered)
        )
    return found


def _next_code_line(lines: list[str], number: int) -> int:
    for index in range(number, len(lines)):
        stripped = lines[index].strip()
        if stripped and not stripped.startswith(("#", "//")):
            return index + 1
    return number


def _parse_comment(
    comment: str, span: Span, diagnostics: list[Diagnostic]
) -> tuple[tuple[str, ...], str, datetime.date | None] | None:
    def error(message: str) -> None:
        diagnostics.append(Diagnostic.error(span.file, message, span.line, span.column))

    match = _COMMENT.match(comment)
    if match is None:
        error(
            "unreadable iaclint comment: expected "
            '`iaclint: ignore[ID,...] reason="..." expires=YYYY-MM-DD`'
        )
        return None
    rest = match.group("rest")
    values: dict[str, str] = {}
    position = 0
    while position < len(rest):
        attribute = _ATTRIBUTE.match(rest, position)
        if attribute is None:
            if rest[position:].strip():
                error(f"suppression: cannot read '{rest[position:].strip()}'")
                return None
            break
        key = attribute.group("key")
        if key not in ("reason", "expires"):
            error(f"suppression: unknown field '{key}' (expected reason and expires)")
            return None
        quoted = attribute.group("quoted")
        values[key] = (
            re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else attribute.group("bare")
        )
        position = attribute.end()
    return _checked(match.group("ids").split(","), values, span, diagnostics)


def _checked(
    raw_ids: Iterable[object],
    values: dict[str, str],
    span: Span,
    diagnostics: list[Diagnostic],
) -> tuple[tuple[str, ...], str, datetime.date | None] | None:
    def error(message: str) -> None:
        diagnostics.append(Diagnostic.error(span.file, message, span.line, span.column))

    ids = tuple(str(item).strip() for item in raw_ids if str(item).strip())
    bad = [item for item in ids if not _POLICY_ID.match(item)]
    if not ids or bad:
        error(f"suppression: expected policy ids, got '{','.join(map(str, raw_ids))}'")
        return None
    reason = values.get("reason", "").strip()
    if not reason:
        error(f'suppression of {", ".join(ids)} has no reason: add reason="why this is fine"')
        return None
    expires: datetime.date | None = None
    if "expires" in values:
        try:
            expires = datetime.date.fromisoformat(values["expires"])
        except ValueError:
            error(f"suppression: expires '{values['expires']}' is not a date (YYYY-MM-DD)")
            return None
    return ids, reason, expires


def read_metadata(
    data: object,
    spans: dict[tuple[str | int, ...], Span],
    file: str,
    generated_by: Mapping[str, str] | None = None,
) -> Found:
    """Suppressions in CloudFormation resources' `Metadata.iaclint.ignore` lists.

    `generated_by` maps the resources a transform generates to the resource they
    come from: an entry on that resource covers them too.
    """
    found = Found([], [])
    generated: dict[str, set[str]] = {}
    for child, parent in (generated_by or {}).items():
        generated.setdefault(parent, set()).add(child)
    resources = data.get("Resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict):
        return found
    for name, resource in resources.items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Metadata"), dict):
            continue
        ours = resource["Metadata"].get("iaclint")
        if ours is None:
            continue
        base: tuple[str | int, ...] = ("Resources", name, "Metadata", "iaclint")
        span = _span(spans, base, file)
        entries = ours.get("ignore") if isinstance(ours, dict) else None
        if not isinstance(ours, dict) or set(ours) != {"ignore"} or not isinstance(entries, list):
            found.diagnostics.append(
                Diagnostic.error(
                    file,
                    "Metadata 'iaclint' must be {ignore: [{id, reason, expires}, ...]}",
                    span.line,
                    span.column,
                )
            )
            continue
        for index, entry in enumerate(entries):
            where = _span(spans, (*base, "ignore", index), file)
            found_entry = _metadata_entry(entry, where, found.diagnostics)
            if found_entry is None:
                continue
            ids, reason, expires = found_entry
            found.suppressions.append(
                Suppression(
                    ids,
                    reason,
                    expires,
                    where,
                    "metadata",
                    resource=str(name),
                    generated=frozenset(generated.get(str(name), ())),
                )
            )
    return found


def _metadata_entry(
    entry: object, span: Span, diagnostics: list[Diagnostic]
) -> tuple[tuple[str, ...], str, datetime.date | None] | None:
    if not isinstance(entry, dict) or not set(entry) <= {"id", "reason", "expires"}:
        diagnostics.append(
            Diagnostic.error(
                span.file,
                "Metadata iaclint.ignore entries are {id, reason, expires} mappings",
                span.line,
                span.column,
            )
        )
        return None
    raw_id = entry.get("id", "")
    ids: list[object] = list(raw_id) if isinstance(raw_id, list) else [raw_id]
    values = {key: str(entry[key]) for key in ("reason", "expires") if entry.get(key) is not None}
    return _checked(ids, values, span, diagnostics)


def _span(spans: dict[tuple[str | int, ...], Span], path: tuple[str | int, ...], file: str) -> Span:
    for end in range(len(path), -1, -1):
        span = spans.get(path[:end])
        if span is not None:
            return span
    return Span(file, 1, 1, 1, 1)


def known_only(suppressions: Sequence[Suppression], known: frozenset[str]) -> Found:
    """The suppressions whose ids all name a loaded policy, and an error at every
    other one for each id it gets wrong; those suppress nothing, like any bad one."""
    found = Found([], [])
    for suppression in suppressions:
        wrong = [item for item in suppression.policy_ids if item not in known]
        if not wrong:
            found.suppressions.append(suppression)
        span = suppression.span
        for item in wrong:
            if item in CATEGORIES:
                message = (
                    f"suppression names the category '{item}': a suppression names "
                    "policy ids (iaclint --list-policies shows them)"
                )
            else:
                message = f"suppression names unknown policy id '{item}'" + did_you_mean(
                    item, known
                )
            found.diagnostics.append(Diagnostic.error(span.file, message, span.line, span.column))
    return found


class Applied(NamedTuple):
    findings: list[Finding]
    diagnostics: list[Diagnostic]


def apply_suppressions(
    findings: Sequence[Finding],
    suppressions: Sequence[Suppression],
    ran: frozenset[str],
    today: datetime.date,
) -> Applied:
    """Mark covered findings as suppressed; report expired and unused suppressions."""
    live = [s for s in suppressions if s.expires is None or s.expires >= today]
    used: set[tuple[int, str]] = set()
    out: list[Finding] = []
    for finding in findings:
        for index, suppression in enumerate(live):
            if suppression.covers(finding):
                used.add((index, finding.policy_id))
                expires = suppression.expires.isoformat() if suppression.expires else None
                finding = finding._replace(
                    suppression=Suppressed(
                        suppression.kind, suppression.reason, suppression.span, expires
                    )
                )
                break
        out.append(finding)
    diagnostics = [
        Diagnostic.warning(
            s.span.file,
            f"suppression of {', '.join(s.policy_ids)} expired on {s.expires.isoformat()}: "
            "it no longer suppresses anything",
            s.span.line,
            s.span.column,
            kind=EXPIRED_SUPPRESSION,
        )
        for s in suppressions
        if s.expires is not None and s.expires < today
    ]
    for index, suppression in enumerate(live):
        for policy_id in suppression.policy_ids:
            if policy_id in ran and (index, policy_id) not in used:
                out.append(_unused(suppression, policy_id))
    return Applied(out, diagnostics)


def _unused(suppression: Suppression, policy_id: str) -> Finding:
    span = suppression.span
    resource = suppression.resource or ""
    return Finding(
        policy_id=UNUSED_ID,
        severity=UNUSED_POLICY.severity,
        span=span,
        resource=resource,
        resource_type="",
        attribute="",
        message=f"suppression of {policy_id} matches no finding: remove it",
        # Named by what it says, not by its line, like every fingerprint.
        fingerprint=fingerprint(UNUSED_ID, span.file, resource, policy_id, (suppression.reason,)),
    )

"""The human report: one line per finding, the source line beneath, a summary."""

from __future__ import annotations

from collections import Counter

from iaclint.diagnostics import Level
from iaclint.findings import Finding, Report, Severity, Step
from iaclint.report.escape import line_start, printable

_COLOURS = {
    Severity.CRITICAL: "\033[1;35m",
    Severity.HIGH: "\033[1;31m",
    Severity.MEDIUM: "\033[33m",
    Severity.LOW: "\033[36m",
}
_LEVEL_COLOURS = {Level.ERROR: "\033[1;31m", Level.WARNING: "\033[33m", Level.NOTICE: "\033[36m"}
_DIM = "\033[2m"
_BOLD = "\033[1m"
_RESET = "\033[0m"


def render(report: Report, colour: bool = False, summary: bool = True) -> str:
    """One line per finding, undetermined check and diagnostic, then (with `summary`)
    the summary line."""

    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    lines: list[str] = []
    for finding in report.findings:
        lines.extend(_finding(finding, paint))
    for item in report.undetermined:
        span = item.span
        lines.append(
            f"{line_start(span.file)}:{span.line}:{span.column}: {item.policy_id} "
            f"{paint(_DIM, 'unknown')} {printable(item.reason)} [{printable(item.resource)}]"
        )
    for diagnostic in report.diagnostics:
        label = paint(_LEVEL_COLOURS[diagnostic.level], diagnostic.level.value)
        lines.append(f"{line_start(diagnostic.where())}: {label}: {printable(diagnostic.message)}")
    if summary:
        lines.append(paint(_BOLD, summarize(report)))
    return "".join(f"{line}\n" for line in lines)


def _finding(finding: Finding, paint: object) -> list[str]:
    assert callable(paint)
    span = finding.span
    where = f"{line_start(span.file)}:{span.line}:{span.column}"
    severity = paint(_COLOURS[finding.severity], finding.severity.label)
    subject = finding.resource
    if finding.construct_path:
        subject = f"{finding.construct_path} ({finding.resource})"
    line = f"{where}: {finding.policy_id} {severity} {printable(finding.message)}"
    if subject:
        line += f" [{printable(subject)}]"
    if finding.suppression is not None:
        suppressed = finding.suppression
        until = f", until {suppressed.expires}" if suppressed.expires else ""
        line += " " + paint(_DIM, f"(suppressed: {printable(suppressed.reason)}{until})")
    elif finding.outside_diff:
        line += " " + paint(_DIM, "(already at the merge base)")
    out = [line]
    if finding.snippet:
        out.append(paint(_DIM, f"    {span.line:>5} | {printable(finding.snippet)}"))
    for place in finding.related:
        where = f"{printable(place.file)}:{place.line}:{place.column}"
        out.append(paint(_DIM, f"          defined at {where}"))
    for number, step in enumerate(finding.path):
        label = "way in:" if number == 0 else ""
        out.append(paint(_DIM, f"          {label:<7} {_step(step)}"))
    return out


def _step(step: Step) -> str:
    """One hop of a finding's way in: what it is, which resource, where, what it does."""
    name = step.resource
    if step.construct_path:
        name = f"{step.construct_path} ({step.resource})"
    where = f"{printable(step.span.file)}:{step.span.line}:{step.span.column}"
    note = f": {printable(step.note)}" if step.note else ""
    return f"{step.role} [{printable(name)}] at {where}{note}"


def summarize(report: Report) -> str:
    """One line: findings by severity, how many fail the run, what was linted."""
    templates = _plural(report.files_linted, "template")
    skipped = (
        f", {_plural(report.files_skipped, 'other file')} skipped" if report.files_skipped else ""
    )
    errors = sum(1 for d in report.diagnostics if d.level is Level.ERROR)
    error_text = f"; {_plural(errors, 'error')}" if errors else ""
    active = [finding for finding in report.findings if finding.suppression is None]
    suppressed = len(report.findings) - len(active)
    if not active:
        aside = f" ({suppressed} suppressed)" if suppressed else ""
        return f"No findings{aside} in {templates}{skipped}{error_text}."
    suppressed_text = f"; {suppressed} suppressed" if suppressed else ""
    counts = Counter(finding.severity for finding in active)
    by_severity = ", ".join(
        f"{counts[severity]} {severity.label}" for severity in sorted(counts, reverse=True)
    )
    failing = len(report.failing())
    gate = (
        f"{failing} at or above {report.threshold.label}"
        if failing
        else f"none at or above {report.threshold.label}"
    )
    outside = sum(1 for finding in active if finding.outside_diff)
    if outside:
        gate += f", {outside} already at the merge base"
    files = len({finding.file for finding in active})
    return (
        f"{_plural(len(active), 'finding')} ({by_severity}; {gate}) in "
        f"{_plural(files, 'file')}{suppressed_text}; {templates} linted{skipped}{error_text}."
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"

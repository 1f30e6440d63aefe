"""The human report: one line per finding, the source line beneath, a summary."""

from __future__ import annotations

from collections import Counter

from iaclint.diagnostics import Level
from iaclint.findings import Finding, Report, Severity

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


def render(report: Report, colour: bool = False) -> str:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    lines: list[str] = []
    for finding in report.findings:
        lines.extend(_finding(finding, paint))
    for item in report.undetermined:
        span = item.span
        lines.append(
            f"{span.file}:{span.line}:{span.column}: {item.policy_id} "
            f"{paint(_DIM, 'unknown')} {item.reason} [{item.resource}]"
        )
    for diagnostic in report.diagnostics:
        label = paint(_LEVEL_COLOURS[diagnostic.level], diagnostic.level.value)
        lines.append(f"{diagnostic.where()}: {label}: {diagnostic.message}")
    lines.append(paint(_BOLD, _summary(report)))
    return "\n".join(lines) + "\n"


def _finding(finding: Finding, paint: object) -> list[str]:
    assert callable(paint)
    span = finding.span
    where = f"{span.file}:{span.line}:{span.column}"
    severity = paint(_COLOURS[finding.severity], finding.severity.label)
    subject = finding.resource
    if finding.construct_path:
        subject = f"{finding.construct_path} ({finding.resource})"
    out = [f"{where}: {finding.policy_id} {severity} {finding.message} [{subject}]"]
    if finding.snippet:
        out.append(paint(_DIM, f"    {span.line:>5} | {finding.snippet}"))
    for place in finding.related:
        out.append(paint(_DIM, f"          defined at {place.file}:{place.line}:{place.column}"))
    return out


def _summary(report: Report) -> str:
    templates = _plural(report.files_linted, "template")
    skipped = f", {report.files_skipped} other files skipped" if report.files_skipped else ""
    errors = sum(1 for d in report.diagnostics if d.level is Level.ERROR)
    error_text = f"; {_plural(errors, 'error')}" if errors else ""
    if not report.findings:
        return f"No findings in {templates}{skipped}{error_text}."
    counts = Counter(finding.severity for finding in report.findings)
    by_severity = ", ".join(
        f"{counts[severity]} {severity.label}" for severity in sorted(counts, reverse=True)
    )
    failing = len(report.failing())
    gate = (
        f"{failing} at or above {report.threshold.label}"
        if failing
        else f"none at or above {report.threshold.label}"
    )
    files = len({finding.file for finding in report.findings})
    return (
        f"{_plural(len(report.findings), 'finding')} ({by_severity}; {gate}) in "
        f"{_plural(files, 'file')}; {templates} linted{skipped}{error_text}."
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"

"""A Markdown summary, for a CI job's page (`$GITHUB_STEP_SUMMARY`).

    iaclint --format sarif:iaclint.sarif --format markdown:"$GITHUB_STEP_SUMMARY" .

Counts by severity and by category, then the most severe findings, each linked to
its line when the command line knows where the repository's files are browsed
(`GITHUB_SERVER_URL`, `GITHUB_REPOSITORY`, `GITHUB_SHA`), then the errors (files
that could not be read) and warnings. GitHub refuses a step summary over 1 MiB, so
what is listed is bounded: at most `LISTED` findings and `LISTED_ERRORS` errors
and as many warnings, each cell cut to `CELL` characters, so a summary stays under
about 150 KB; the rest is counted.

What the linted files contain is printed inert: control characters escaped,
Markdown and HTML characters escaped so that a resource name cannot become a
link, an image or a tag on the job's page.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import quote

from iaclint.diagnostics import Level
from iaclint.findings import CATEGORIES, Finding, Report, Severity
from iaclint.report.escape import printable
from iaclint.report.location import NO_ROOT, SourceRoot

LISTED = 100
LISTED_ERRORS = 20
CELL = 300

# Characters Markdown may read as markup in a cell or a list item (`-` only starts
# a list at the start of a line, which a cell never is).
_MARKUP = re.compile(r"([\\`*_{}\[\]()#+!|~:@])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def render(report: Report, root: SourceRoot = NO_ROOT, links: str | None = None) -> str:
    active = [finding for finding in report.findings if finding.suppression is None]
    suppressed = len(report.findings) - len(active)
    errors = [d for d in report.diagnostics if d.level is Level.ERROR]
    failing = len(report.failing())
    out = ["## iaclint", ""]
    if active:
        files = len({finding.file for finding in active})
        out.append(
            f"**{_count(len(active), 'finding')}** in {_count(files, 'file')}: "
            f"{failing} at or above {report.threshold.label} (the threshold)."
        )
    else:
        out.append(f"**No findings** in {_count(report.files_linted, 'template')}.")
    notes = []
    if suppressed:
        notes.append(f"{suppressed} suppressed")
    if errors:
        notes.append(f"{_count(len(errors), 'file error')}: some files were not linted")
    if notes:
        out.append("")
        out.append("; ".join(notes).capitalize() + ".")
    if active:
        out.extend(["", *_by_severity(active), "", *_by_category(active, report)])
        out.extend(["", *_listed(active, report, root, links)])
    warnings = [d for d in report.diagnostics if d.level is Level.WARNING]
    for heading, listed in (("Errors", errors), ("Warnings", warnings)):
        if not listed:
            continue
        out.extend(["", f"### {heading}", ""])
        for diagnostic in listed[:LISTED_ERRORS]:
            out.append(f"- {_cell(diagnostic.where())}: {_cell(diagnostic.message)}")
        if len(listed) > LISTED_ERRORS:
            out.append(f"- … and {len(listed) - LISTED_ERRORS:,} more")
    return "\n".join(out) + "\n"


def _by_severity(active: list[Finding]) -> list[str]:
    counts = Counter(finding.severity for finding in active)
    rows = ["| severity | findings |", "|---|---:|"]
    for severity in sorted(Severity, reverse=True):
        if counts[severity]:
            rows.append(f"| {severity.label} | {counts[severity]:,} |")
    return rows


def _by_category(active: list[Finding], report: Report) -> list[str]:
    categories = {policy.id: policy.category for policy in report.policies}
    counts = Counter(categories.get(finding.policy_id, "") for finding in active)
    order = [*CATEGORIES, *sorted(set(counts) - set(CATEGORIES))]
    rows = ["| category | findings |", "|---|---:|"]
    for category in order:
        if counts[category]:
            rows.append(f"| {_cell(category) or 'other'} | {counts[category]:,} |")
    return rows


def _listed(
    active: list[Finding], report: Report, root: SourceRoot, links: str | None
) -> list[str]:
    titles = {policy.id: policy.title for policy in report.policies}
    # Most severe first, then in report order (by file and line).
    ranked = sorted(range(len(active)), key=lambda position: -active[position].severity)
    shown = [active[position] for position in ranked[:LISTED]]
    heading = "### Findings" if len(active) <= LISTED else f"### The {LISTED} most severe findings"
    rows = [
        heading,
        "",
        "| severity | policy | where | resource | message |",
        "|---|---|---|---|---|",
    ]
    for finding in shown:
        policy = f"{finding.policy_id} {titles.get(finding.policy_id, '')}".rstrip()
        subject = finding.construct_path or finding.resource
        rows.append(
            f"| {finding.severity.label} | {_cell(policy)} | {_where(finding, root, links)} | "
            f"{_cell(subject)} | {_cell(finding.message)} |"
        )
    if len(active) > LISTED:
        rows.extend(["", f"… and {len(active) - LISTED:,} more findings, not listed here."])
    return rows


def _where(finding: Finding, root: SourceRoot, links: str | None) -> str:
    path = root.relative(finding.file)
    shown = f"{path or finding.file}:{finding.span.line}"
    if links is None or path is None:
        return _cell(shown)
    return f"[{_cell(shown)}]({links}{quote(path)}#L{finding.span.line})"


def _cell(text: str) -> str:
    """`text` in a table cell or a list item: one line, inert, at most CELL characters."""
    text = printable(text)
    if len(text) > CELL:
        text = text[: CELL - 1] + "…"
    text = "".join(_HTML.get(character, character) for character in text)
    return _MARKUP.sub(r"\\\1", text)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"

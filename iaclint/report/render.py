"""One entry point for every report format, so the command line stays small."""

from __future__ import annotations

from typing import NamedTuple

from iaclint.diagnostics import Level
from iaclint.findings import Report
from iaclint.report.gather import gather
from iaclint.report.location import NO_ROOT, SourceRoot

FORMATS = ("text", "json", "sarif", "github", "rdjson", "junit", "gitlab", "markdown")
# The formats that name files from the repository's root (a code host reads them).
FROM_ROOT = ("sarif", "github", "gitlab", "markdown")


class Style(NamedTuple):
    """How a report is written, whatever its format."""

    # Where file names are taken from (the repository root for code hosts).
    root: SourceRoot = NO_ROOT
    # Colour (the text report only).
    colour: bool = False
    # Findings and errors only: no warnings, notices, undetermined checks or summary.
    quiet: bool = False
    # SARIF: the run's category (`automationDetails.id`), and whether suppressed
    # findings are kept.
    category: str | None = None
    include_suppressed: bool = False
    # Markdown: the URL files are linked under (`https://github.com/o/r/blob/SHA/`).
    links: str | None = None


# A report to a file or a pipe: names as the run shows them, no colour, everything.
PLAIN = Style()


def render(report: Report, format_name: str, style: Style = PLAIN) -> str:
    """The report in `format_name` (one of FORMATS), its warnings of one kind in one
    file said once (see `gather`)."""
    report = shown(report, quiet=style.quiet)
    root = style.root
    if format_name == "json":
        from iaclint.report import json_report

        return json_report.render(report)
    if format_name == "sarif":
        from iaclint.report import sarif

        return sarif.render(
            report, root, sarif.SarifSettings(style.category, style.include_suppressed)
        )
    if format_name == "github":
        from iaclint.report import github

        return github.render(report, root, summary=not style.quiet)
    if format_name == "rdjson":
        from iaclint.report import rdjson

        return rdjson.render(report)
    if format_name == "junit":
        from iaclint.report import junit

        return junit.render(report)
    if format_name == "gitlab":
        from iaclint.report import gitlab

        return gitlab.render(report, root)
    if format_name == "markdown":
        from iaclint.report import markdown

        return markdown.render(report, root, style.links)
    if format_name != "text":
        raise ValueError(f"unknown report format '{format_name}'")
    from iaclint.report import text

    return text.render(report, colour=style.colour, summary=not style.quiet)


def shown(report: Report, quiet: bool = False) -> Report:
    """What a report shows of `report`: its diagnostics gathered; with `quiet`, its
    findings and errors alone."""
    diagnostics = gather(report.diagnostics)
    if not quiet:
        return report._replace(diagnostics=diagnostics)
    errors = tuple(d for d in diagnostics if d.level is Level.ERROR)
    return report._replace(diagnostics=errors, undetermined=())

"""One entry point for every report format, so the command line stays small."""

from __future__ import annotations

from iaclint.findings import Report
from iaclint.report.location import SourceRoot

FORMATS = ("text", "json", "sarif", "github", "rdjson")


def render(report: Report, format_name: str, root: SourceRoot, colour: bool = False) -> str:
    """The report in `format_name` (one of FORMATS)."""
    if format_name == "json":
        from iaclint.report import json_report

        return json_report.render(report)
    if format_name == "sarif":
        from iaclint.report import sarif

        return sarif.render(report, root)
    if format_name == "github":
        from iaclint.report import github

        return github.render(report, root)
    if format_name == "rdjson":
        from iaclint.report import rdjson

        return rdjson.render(report)
    from iaclint.report import text

    return text.render(report, colour=colour)

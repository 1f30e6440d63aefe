"""New findings: those a change brings, judged against the findings of its merge base.

A change is responsible for a finding when the finding is not there at the merge
base (where the branch left the ref it will be merged into). Findings are matched
by fingerprint (policy, file, resource, attribute, conditions; no line numbers),
so they are recognised wherever lines moved, and a finding created far from the
lines a change touched (a variable's default opening SSH in another file) is
still the change's. A file renamed since the base answers under its old name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from iaclint.findings import Finding


class BaseFindings(NamedTuple):
    """What the merge base holds (see iaclint/merge_base.py)."""

    commit: str
    # How many of its files could not be read (their findings count as new).
    unreadable: int
    # Stable fingerprints of its findings, files named from the repository root.
    fingerprints: frozenset[str]
    # Repository-relative names: a file's name now -> its name at the merge base.
    renames: dict[str, str]


def select_new(
    findings: Sequence[Finding],
    base: BaseFindings,
    relative: Callable[[str], str],
    show_all: bool,
) -> list[Finding]:
    """The findings not at the base; with `show_all`, the others too, marked.
    `relative` names a finding's file from the repository root."""
    out: list[Finding] = []
    for finding in findings:
        file = relative(finding.file)
        if finding.fingerprint_as(base.renames.get(file, file)) not in base.fingerprints:
            out.append(finding)
        elif show_all:
            out.append(finding._replace(outside_diff=True))
    return out

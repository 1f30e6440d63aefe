"""A finding's identity as code hosts track it from one run to the next.

Hosts match a finding of this run with one of the last (to keep an alert open,
or to call a finding new in a merge request) by a key. Ours never holds a line
number or the text of a line, so edits that move lines keep it: it is the
finding's fingerprint (policy, file named from the repository root, resource,
attribute path, conditions) and the finding's occurrence among those of the same
fingerprint, in report order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from iaclint.findings import Finding
from iaclint.report.location import SourceRoot


def stable_fingerprint(finding: Finding, root: SourceRoot) -> str:
    """The finding's fingerprint with its file named from the repository root, so it
    is the same whichever directory the run starts in."""
    return finding.fingerprint_as(root.relative(finding.file) or finding.file)


def line_hashes(findings: Sequence[Finding], root: SourceRoot) -> list[str]:
    """Each finding's `primaryLocationLineHash`: its stable fingerprint (no line, no
    text of the line) and, after a colon, its occurrence among findings of the same
    fingerprint, in report order (from 1, as GitHub counts)."""
    seen: Counter[str] = Counter()
    out: list[str] = []
    for finding in findings:
        key = stable_fingerprint(finding, root)
        seen[key] += 1
        out.append(f"{key}:{seen[key]}")
    return out

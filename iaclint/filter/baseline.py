"""Baselines: the findings a project has accepted for now, by fingerprint.

    iaclint --write-baseline .iaclint-baseline.json .   # record today's findings
    iaclint --baseline .iaclint-baseline.json .          # report only new ones

The file is JSON, sorted, one entry per finding with what a reviewer needs to
recognise it (policy, file, resource, attribute) beside the fingerprint, which
alone decides. Fingerprints name files from the repository root and hold no
line numbers, so moved lines and runs from subdirectories still match. Entries
that match nothing any more (fixed, renamed) are counted, so the file can be
rewritten when it has gone stale.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import NamedTuple

from iaclint.diagnostics import Diagnostic
from iaclint.findings import Finding

VERSION = 1
# About 300 bytes an entry: room for some 170,000 accepted findings.
MAX_BASELINE_BYTES = 50 * 1024 * 1024


class BaselineError(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


def render_baseline(findings: Sequence[Finding], name: Callable[[Finding], str]) -> str:
    """The baseline document for `findings`; `name` gives each its stable fingerprint."""
    entries = sorted(
        (
            {
                "fingerprint": name(finding),
                "policy_id": finding.policy_id,
                "file": finding.file,
                "resource": finding.resource,
                "attribute": finding.attribute,
            }
            for finding in findings
        ),
        key=lambda entry: (
            entry["file"],
            entry["policy_id"],
            entry["resource"],
            entry["fingerprint"],
        ),
    )
    document = {"iaclint-baseline": VERSION, "findings": entries}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def read_baseline(text: str) -> frozenset[str]:
    """The fingerprints a baseline holds. Raises BaselineError (with a line if known)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"not JSON: {exc.msg}", exc.lineno) from None
    except ValueError:
        # An integer past Python's limit on converting digits (4,300 by default).
        raise BaselineError("it holds a number too long to read") from None
    except RecursionError:
        raise BaselineError("nested too deeply to read") from None
    if not isinstance(document, dict) or document.get("iaclint-baseline") != VERSION:
        raise BaselineError(
            f'not an iaclint baseline (expected "iaclint-baseline": {VERSION}); '
            "write one with --write-baseline"
        )
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str) for entry in entries
    ):
        raise BaselineError("'findings' must be a list of entries with a 'fingerprint'")
    return frozenset(entry["fingerprint"] for entry in entries)


class Baselined(NamedTuple):
    # Findings not in the baseline: the ones reported.
    findings: list[Finding]
    # How many findings the baseline hid, and how many of its entries matched nothing.
    hidden: int
    gone: int
    # The findings it hid.
    accepted: list[Finding]


def apply_baseline(
    findings: Sequence[Finding], accepted: frozenset[str], name: Callable[[Finding], str]
) -> Baselined:
    kept: list[Finding] = []
    hidden: list[Finding] = []
    matched: set[str] = set()
    for finding in findings:
        key = name(finding)
        if key in accepted and finding.suppression is None:
            matched.add(key)
            hidden.append(finding)
        else:
            kept.append(finding)
    return Baselined(kept, len(hidden), len(accepted - matched), hidden)


def summary(file: str, result: Baselined) -> Diagnostic:
    """A notice saying what the baseline did, and how much of it is stale."""
    message = f"baseline: {result.hidden} known finding{'s' * (result.hidden != 1)} not shown"
    if result.gone:
        entries = "entries no longer match" if result.gone != 1 else "entry no longer matches"
        message += (
            f"; {result.gone} baseline {entries} a finding (fixed or renamed): "
            "rewrite the file with --write-baseline"
        )
    return Diagnostic.notice(file, message)

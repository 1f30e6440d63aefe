"""Lint policy pass fixtures, each only with the policy it is a fixture of.

    python scripts/lint_pass_fixtures.py fixtures/policies/IAC001/pass-inline.yaml ...

A pass fixture of IAC001 may well contain what another policy flags (an IAM
role next to a security group, say), so linting it with every policy would fail
for reasons the fixture does not test. Files are grouped by their policy folder
(`fixtures/policies/<ID>/...`) and linted with `--select <ID>`; the exit code is
the worst of the runs. The pre-commit configuration of this repository uses it.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import PurePosixPath

from iaclint.cli import main as iaclint


def policy_of(path: str) -> str | None:
    parts = PurePosixPath(path.replace("\\", "/")).parts
    for index in range(len(parts) - 2):
        if parts[index : index + 2] == ("fixtures", "policies"):
            return parts[index + 2]
    return None


def main(paths: list[str]) -> int:
    groups: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        policy = policy_of(path)
        if policy is None:
            sys.stderr.write(f"{path}: not under fixtures/policies/<ID>/\n")
            return 2
        groups[policy].append(path)
    worst = 0
    for policy, files in sorted(groups.items()):
        worst = max(worst, iaclint(["--select", policy, *files]))
    return worst


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Lint policy pass fixtures, each only with the policy it is a fixture of.

    python scripts/lint_pass_fixtures.py fixtures/policies/IAC001/pass-inline.yaml ...

A pass fixture of IAC001 may well contain what another policy flags (an IAM
role next to a security group, say), so linting it with every policy would fail
for reasons the fixture does not test. Files are grouped by their policy folder
(`fixtures/policies/<ID>/...`) and linted with `--select <ID>` (and, for a policy
off until configured, its examples' parameters); the exit code is the worst of
the runs. The pre-commit configuration of this repository uses it.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from iaclint.catalog import builtin_policy_dir, load_policies
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
    examples = _example_parameters()
    worst = 0
    with tempfile.TemporaryDirectory() as scratch:
        for policy, files in sorted(groups.items()):
            options = ["--select", policy]
            if policy in examples:
                config = Path(scratch) / f"{policy}.iaclint.toml"
                settings = "".join(
                    f"{name} = {json.dumps(value)}\n" for name, value in examples[policy].items()
                )
                config.write_text(f"[parameters.{policy}]\n{settings}", encoding="utf-8")
                options += ["--config", str(config)]
            worst = max(worst, iaclint([*options, *files]))
    return worst


def _example_parameters() -> dict[str, Mapping[str, object]]:
    """Policies off until configured are linted with their examples' parameters."""
    loaded, _ = load_policies([builtin_policy_dir()], display_root=Path.cwd(), use_cache=False)
    return {policy.id: policy.example_parameters for policy in loaded if not policy.enabled}


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

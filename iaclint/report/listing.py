"""`--list-policies`: the catalogue by category."""

from __future__ import annotations

from collections import defaultdict

from iaclint.engine.policy import Policy
from iaclint.findings import CATEGORIES


def render_policies(policies: list[Policy]) -> str:
    by_category: dict[str, list[Policy]] = defaultdict(list)
    for policy in policies:
        by_category[policy.info.category].append(policy)
    lines: list[str] = []
    for category in CATEGORIES:
        members = sorted(by_category.get(category, []), key=lambda policy: policy.id)
        if not members:
            continue
        lines.append(f"{category}:")
        for policy in members:
            info = policy.info
            lines.append(f"  {info.id}  {info.severity.label:<8}  {info.title}")
        lines.append("")
    lines.append(f"{len(policies)} policies")
    return "\n".join(lines) + "\n"

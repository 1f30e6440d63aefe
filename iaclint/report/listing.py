"""`--list-policies`: the catalogue by category."""

from __future__ import annotations

from collections import defaultdict

from iaclint.findings import CATEGORIES, PolicyInfo


def render_policies(policies: list[PolicyInfo]) -> str:
    by_category: dict[str, list[PolicyInfo]] = defaultdict(list)
    for policy in policies:
        by_category[policy.category].append(policy)
    lines: list[str] = []
    for category in CATEGORIES:
        members = sorted(by_category.get(category, []), key=lambda policy: policy.id)
        if not members:
            continue
        lines.append(f"{category}:")
        for info in members:
            lines.append(f"  {info.id}  {info.severity.label:<8}  {info.title}")
        lines.append("")
    lines.append(f"{len(policies)} policies")
    return "\n".join(lines) + "\n"

"""`--list-policies`: the catalogue by category."""

from __future__ import annotations

from collections import defaultdict

from iaclint.findings import CATEGORIES, PolicyInfo
from iaclint.report.escape import printable


def render_policies(policies: list[PolicyInfo], off: set[str] | None = None) -> str:
    """The catalogue by category; `off`: ids of policies off until configured."""
    by_category: dict[str, list[PolicyInfo]] = defaultdict(list)
    for policy in policies:
        by_category[policy.category].append(policy)
    lines: list[str] = []
    # The bundled categories in their order, then the user's own (`org.storage`).
    own = sorted(set(by_category) - set(CATEGORIES))
    for category in (*CATEGORIES, *own):
        members = sorted(by_category.get(category, []), key=lambda policy: policy.id)
        if not members:
            continue
        lines.append(f"{category}:")
        for info in members:
            note = "  (off until configured)" if off and info.id in off else ""
            lines.append(f"  {info.id}  {info.severity.label:<8}  {printable(info.title)}{note}")
        lines.append("")
    count = f"{len(policies)} policies"
    if off:
        count += f", {len(off)} off until configured"
    lines.append(count)
    return "\n".join(lines) + "\n"

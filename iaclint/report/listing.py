"""`--list-policies`: the catalogue by category, or as JSON."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from typing import NamedTuple

from iaclint import __version__
from iaclint.findings import CATEGORIES, Checks, PolicyInfo
from iaclint.report.escape import printable


def _shown(trait: str) -> str:
    return trait.replace("_", " ")


def describe_checks(checks: Checks) -> list[str]:
    """The lines the text catalogue shows under a policy that has traits."""
    if not checks.traits:
        return []
    lines = [
        f"checks {', '.join(checks.targets)}; "
        f"traits: {', '.join(_shown(trait) for trait in checks.traits)}"
    ]
    for severity, needed in checks.severities:
        lines.append(f"{severity} when {' and '.join(_shown(trait) for trait in needed)}")
    return lines


def render_policies(
    policies: list[PolicyInfo],
    off: set[str] | None = None,
    checks: Mapping[str, Checks] | None = None,
) -> str:
    """The catalogue by category; `off`: ids of policies off until configured;
    `checks`: what policies with traits examine, shown beneath them."""
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
            found = checks.get(info.id) if checks else None
            lines.extend(f"{'':18}{printable(line)}" for line in describe_checks(found or Checks()))
        lines.append("")
    count = f"{len(policies)} policies"
    if off:
        count += f", {len(off)} off until configured"
    lines.append(count)
    return "\n".join(lines) + "\n"


class Listed(NamedTuple):
    """A policy as the machine-readable catalogue describes it."""

    info: PolicyInfo
    # The inputs it judges ("cloudformation", "cdk", "terraform", "terraform-plan").
    frameworks: tuple[str, ...]
    # The names of the parameters it takes.
    parameters: tuple[str, ...] = ()
    # Off until its parameters are configured (or it is selected by id).
    off: bool = False
    checks: Checks = Checks()


def render_policies_json(policies: list[Listed]) -> str:
    """The catalogue as JSON, ordered by id: what a script or a dashboard needs."""
    entries = [
        {
            "id": listed.info.id,
            "title": listed.info.title,
            "severity": listed.info.severity.label,
            "category": listed.info.category,
            "description": listed.info.description,
            "rationale": listed.info.rationale,
            "remediation": listed.info.remediation,
            "references": list(listed.info.references),
            "frameworks": list(listed.frameworks),
            "parameters": list(listed.parameters),
            "enabled": not listed.off,
            "checks": list(listed.checks.targets),
            "traits": list(listed.checks.traits),
            "severities": [
                {"severity": severity, "traits": list(needed)}
                for severity, needed in listed.checks.severities
            ],
            "help_uri": listed.info.help_uri,
        }
        for listed in sorted(policies, key=lambda listed: listed.info.id)
    ]
    document = {"tool": "iaclint", "version": __version__, "policies": entries}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

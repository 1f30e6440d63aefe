"""Terraform plan JSON (`terraform show -json plan.out`): which files are plans.

A plan is read by the JSON reader (so every value keeps its span); this module
only recognises one, cheaply on the text first, then on the data.
"""

from __future__ import annotations

import re

_MARKERS = re.compile(r'"(?:planned_values|resource_changes)"\s*:')
_FORMAT = re.compile(r'"format_version"\s*:')


def mentions_plan(text: str) -> bool:
    """Whether the text could be a plan (checked before parsing)."""
    return _FORMAT.search(text) is not None and _MARKERS.search(text) is not None


def is_plan(data: object) -> bool:
    """Whether parsed JSON is a Terraform plan."""
    return (
        isinstance(data, dict)
        and "format_version" in data
        and ("planned_values" in data or "resource_changes" in data)
    )

"""The named operators policies use, each written and tested once in Python."""

from __future__ import annotations

from iaclint.engine.operators import basic, iam, inventory, network, secrets
from iaclint.engine.operators import exposure as exposure_operators
from iaclint.engine.operators.base import Argument, Operator, Verdict, argument_fits, unknown

OPERATORS: dict[str, Operator] = {
    operator.name: operator
    for module in (basic, iam, inventory, network, secrets, exposure_operators)
    for operator in module.OPERATORS
}

__all__ = ["OPERATORS", "Argument", "Operator", "Verdict", "argument_fits", "unknown"]

"""Splats evaluated as Terraform evaluates them, chained ones included.

Every expected value here is what `terraform console` (1.11) prints for the
same expression.
"""

from __future__ import annotations

import pytest

from iaclint.graph.values import Reference, Unknown

from .test_terraform_evaluate import value

NESTED = "[for x in [1, 2] : {a = [{b = x, c = [x, 10]}, {b = x + 1, c = [x, 20]}]}]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{NESTED}[*].a[*].b", [[1, 2], [2, 3]]),
        (f"{NESTED}[*].a.*.b", [[1, 2], [2, 3]]),
        (f"{NESTED}[*].a[*].c[*]", [[[1, 10], [1, 20]], [[2, 10], [2, 20]]]),
        (f"{NESTED}[*].a[*].c[0]", [[1, 1], [2, 2]]),
        (f"{NESTED}[*].a[0].b", [1, 2]),
        (f"{NESTED}.*.a.0.b", [1, 2]),
        (f"{NESTED}.*.a.1.c", [[1, 20], [2, 20]]),
        ("{a = [{b = 1}, {b = 2}]}[*].a[*].b", [[1, 2]]),  # not a list: one element
        ('"text"[*]', ["text"]),
        ("null[*]", []),
        ("null[*].a[*].b", []),
        ("[{a = null}, {a = [{b = 1}]}][*].a[*].b", [[], [1]]),
        ("[[1, 2], [3]][*][*]", [[1, 2], [3]]),
        ("[[1, 2], [3]][*][0]", [1, 3]),
    ],
)
def test_splats_give_what_terraform_gives(text: str, expected: object) -> None:
    assert value(text) == expected


def test_an_attribute_of_a_legacy_splats_result_is_an_error_as_in_terraform() -> None:
    # `x.*.a` ends before `[*]`: `.b` is then asked of each list `a`.
    result = value(f"{NESTED}.*.a[*].b")
    assert isinstance(result, Unknown) and result.reason.startswith("cannot be evaluated")


def test_splats_over_resources_keep_what_is_known() -> None:
    assert value("aws_instance.web.*.id") == [Reference("aws_instance.web", "id")]
    (interfaces,) = value("aws_instance.web[*].network_interface[*].id")  # type: ignore[misc]
    assert isinstance(interfaces, Unknown)  # an instance's attribute: after deployment
    assert isinstance(value("var.u[*].a[*].b", {"u": Unknown("not known")}), Unknown)

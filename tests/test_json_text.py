from __future__ import annotations

import pytest

from iaclint.parse import json_text
from iaclint.parse.document import MAX_DEPTH


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ('"[[[{"', 0),
        ('{"a": [1, {"b": []}]}', 4),
        ('["\\"[", ["]"]]', 2),
        ('"unterminated [[[', 0),
    ],
)
def test_nesting_counts_brackets_outside_strings(text: str, depth: int) -> None:
    assert json_text.nesting(text) == depth


def test_text_as_deep_as_a_file_may_be_is_read_and_deeper_is_refused() -> None:
    deepest = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    value = json_text.loads(deepest)
    for _ in range(MAX_DEPTH - 1):
        assert isinstance(value, list)
        (value,) = value
    assert value == []
    with pytest.raises(json_text.TooDeep):
        json_text.loads("[" + deepest + "]")
    with pytest.raises(json_text.TooDeep):
        json_text.loads('{"a":' * 5000 + "1" + "}" * 5000)
    with pytest.raises(ValueError, match="Expecting"):
        json_text.loads("[1,")

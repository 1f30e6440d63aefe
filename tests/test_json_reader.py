from __future__ import annotations

import json

import pytest

from iaclint.parse.document import MAX_DEPTH, ParseError
from iaclint.parse.json_reader import read_json


def test_values_match_the_standard_library() -> None:
    text = '{"a": [1, -2.5, 1e3, true, false, null, "x\\u00e9\\ud83d\\ude00"], "b": {}, "c": []}'
    assert read_json(text, "t.json").data == json.loads(text)


def test_spans_run_from_key_to_value_end() -> None:
    text = '{\n  "Resources": {\n    "G": {"Type": "AWS::EC2::SecurityGroup"}\n  }\n}\n'
    spans = read_json(text, "t.json").spans
    assert spans[("Resources", "G")][1:] == (3, 5, 3, 45)
    assert spans[("Resources", "G", "Type")][1:] == (3, 11, 3, 44)
    assert spans[()][1:] == (1, 1, 5, 2)


def test_crlf_and_cr_count_as_line_breaks() -> None:
    spans = read_json('{\r\n"a": 1,\r"b": 2\r\n}', "t.json").spans
    assert spans[("a",)].line == 2
    assert spans[("b",)].line == 3


def test_duplicate_keys_are_reported() -> None:
    document = read_json('{"a": 1,\n "a": 2}', "t.json")
    assert document.data == {"a": 2}
    (problem,) = document.diagnostics
    assert (problem.line, problem.column) == (2, 2)
    assert "first at line 1" in problem.message


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('{"a": }', 1, 7, "unexpected character"),
        ('{"a": 1,}', 1, 9, "property name"),
        ("", 1, 1, "empty document"),
        ("[1,\n2", 2, 2, "expected ',' or ']'"),
        ('{"a": 1} x', 1, 10, "extra data"),
        ('{"a" 1}', 1, 6, "expected ':'"),
        ('{"a": "\x01"}', 1, 8, "control character"),
        ('{"a": "unterminated', 1, 7, "unterminated string"),
    ],
)
def test_errors_are_located(text: str, line: int, column: int, words: str) -> None:
    with pytest.raises(ParseError) as caught:
        read_json(text, "t.json")
    error = caught.value
    assert (error.line, error.column) == (line, column)
    assert words in error.message


def test_nesting_is_bounded() -> None:
    with pytest.raises(ParseError, match="nesting deeper"):
        read_json("[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2), "t.json")

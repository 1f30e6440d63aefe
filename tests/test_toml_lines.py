"""Lines of keys and array items in TOML text, for the configuration's errors."""

from __future__ import annotations

import tomllib

from hypothesis import given
from hypothesis import strategies as st

from iaclint.toml_lines import MAX_DEPTH, locate

TEXT = """\
# comment with = and [brackets]
select = ["network", # an item's comment
  "IAC003",
]
ignore = [
  'IAC0200',   # typo
  \"\"\"a ] b\"\"\",
]
"quoted.key" = 1
when = 1979-05-27 07:32:00Z
[severity]
IAC002 = "low"
"IAC003" = 'high'
[parameters.IAC002]
allowed_ports = [80,
  443]
[parameters]
IAC062 = { required_tags = ["a", "b"] }
[[rules]]
x = 1
[[rules]]
a.b = 2
"""


def test_keys_items_and_tables_are_found_at_their_lines() -> None:
    tomllib.loads(TEXT)  # valid TOML, as the scanner expects
    lines = locate(TEXT)
    assert lines.too_deep is None
    assert lines.line(("select", 1)) == 3
    assert lines.line(("ignore",)) == 5
    assert lines.line(("ignore", 0)) == 6
    assert lines.line(("ignore", 1)) == 7
    assert lines.line(("quoted.key",)) == 9
    assert lines.line(("severity", "IAC002")) == 12
    assert lines.line(("severity", "IAC003")) == 13
    assert lines.line(("parameters", "IAC002", "allowed_ports", 1)) == 16
    assert lines.line(("parameters", "IAC062", "required_tags")) == 18
    assert lines.line(("rules", 1, "a", "b")) == 22
    # A path not written in the file: the nearest enclosing one that is.
    assert lines.line(("severity", "IAC999")) == 11
    assert lines.line(("nowhere",)) is None


def test_nesting_beyond_the_limit_is_located() -> None:
    deep = "a = 1\nb = " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n"
    assert locate(deep).too_deep == 2
    assert locate("b = " + "[" * MAX_DEPTH + "]" * MAX_DEPTH).too_deep is None


@given(st.text(max_size=200))
def test_any_text_is_scanned_without_an_exception(text: str) -> None:
    locate(text)


def test_text_that_is_not_toml_is_scanned_as_far_as_it_goes() -> None:
    # The scan runs before tomllib, which then reports the mistake itself.
    assert locate('a = 1\n"\\UFFFFFFFF" = 1\n').lines == {("a",): 1}
    assert locate("a = [1,\n").line(("a", 0)) == 1

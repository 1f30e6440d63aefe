"""Text from the linted files, their names and the policies, made safe to print.

A report shows what a pull request wrote: resource names, values, file names,
comments. Printed raw on a terminal, an escape sequence in them would move the
cursor or recolour the output; in a GitHub Actions log, a line that starts with
`::` is a workflow command (`::error file=...::` forges an annotation,
`::add-mask::` or `::stop-commands::` change what the log shows); a line break in
a resource name would start such a line. So every human-readable report prints
that text through `printable`, and a path that begins a line through `line_start`.
"""

from __future__ import annotations

import re

# Control characters (C0 but the tab, DEL, C1), the bidirectional overrides and
# isolates that reorder what a reader sees, and the lone surrogates that stand for
# bytes of a file name that are not UTF-8.
_UNSAFE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r"}


def printable(text: str) -> str:
    """`text` with every unsafe character written as an escape (`\\x1b`, `\\u202e`)."""
    return _UNSAFE.sub(_escape, text)


def line_start(text: str) -> str:
    """`text` (a path, or `path:line:col`) fit to begin a line of a report: printable,
    and never read as a workflow command. `./` in front names the same file."""
    safe = printable(text)
    return "./" + safe if safe.lstrip().startswith("::") else safe


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    named = _NAMED.get(character)
    if named is not None:
        return named
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

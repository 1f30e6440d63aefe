"""Where a value sits in a source file.

Every stage that talks about places uses `Span`: 1-based lines and columns, with
the end column pointing just past the last character (as SARIF counts them).
Conversion from a parser's 0-based marks happens once, in `Span.from_marks`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# A path into a parsed document: mapping keys and sequence indices.
DocPath = tuple[str | int, ...]


class Span(NamedTuple):
    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def from_marks(
        cls, file: str, line0: int, column0: int, end_line0: int, end_column0: int
    ) -> Span:
        """Build a span from 0-based start and (exclusive) end marks."""
        return cls(file, line0 + 1, column0 + 1, end_line0 + 1, end_column0 + 1)

    def covering(self, other: Span) -> Span:
        """The span from the start of `self` to the end of `other` (same file)."""
        return Span(self.file, self.line, self.column, other.end_line, other.end_column)


def format_doc_path(path: DocPath) -> str:
    """Render a document path the way users write it: `A.B[0].C`."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif out:
            out.append(f".{part}")
        else:
            out.append(part)
    return "".join(out)


MASK = "****"
# A setting's name and its separator, as YAML, JSON and HCL write them.
_KEY = re.compile(r"""\s*(?:-\s+)?["']?[\w.\-/]+["']?\s*[:=]\s*""")


def masked_range(line: str, span: Span) -> tuple[int, int]:
    """The 0-based range of `line` (the first line of `span`) that a mask replaces.

    A value spanning several lines is masked to the end of its first line; one
    whose columns are not known, from the first non-blank character on. A span
    that starts at the setting's name keeps the name: only the value is hidden.
    """
    start = span.column - 1 if span.column and span.column > 0 else len(line) - len(line.lstrip())
    start = min(start, len(line))
    end = span.end_column - 1 if span.end_line == span.line and span.end_column else len(line)
    end = max(min(end, len(line)), start)
    if end == start:
        end = len(line)
    key = _KEY.match(line, start)
    if key is not None and key.end() < end:
        start = key.end()
    return start, end

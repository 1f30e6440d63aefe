"""Changed lines: which findings a change since a git ref is responsible for.

`git diff --unified=0 -M REF` (the working tree, staged or not, against REF)
gives the lines each file has now that differ from REF; files git does not know
yet, and files added since REF, are new in full. Renames are followed, so a
renamed file only answers for the lines that changed. Where lines were only
deleted, the lines on either side of the cut count as touched: deleting a
restriction can create a finding there. Paths are relative to the repository
root, as git prints them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from iaclint.filter.git import GitError, run_git
from iaclint.findings import Finding

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r"}


class Changes(NamedTuple):
    # Repository-relative path -> the lines (1-based, as the file is now) that changed.
    lines: dict[str, frozenset[int]]
    # Files that are new since the ref (added or untracked): every line is new.
    new_files: frozenset[str]

    def touches(self, file: str, first: int, last: int) -> bool:
        if file in self.new_files:
            return True
        changed = self.lines.get(file)
        return changed is not None and any(line in changed for line in range(first, last + 1))


def changes_since(ref: str, root: Path) -> Changes:
    """What changed in the work tree at `root` since `ref`. Raises GitError."""
    if ref.startswith("-"):
        raise GitError(f"'{ref}' is not a git revision")
    run_git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], root)
    diff = run_git(["diff", "--no-color", "--no-ext-diff", "--unified=0", "-M", ref, "--"], root)
    untracked = run_git(["ls-files", "--others", "--exclude-standard", "-z"], root)
    changes = parse_diff(diff)
    new = set(changes.new_files) | {name for name in untracked.split("\0") if name}
    return Changes(changes.lines, frozenset(new))


def parse_diff(text: str) -> Changes:
    """Changed lines per file from a unified diff with no context lines."""
    lines: dict[str, set[int]] = {}
    new: set[str] = set()
    current: str | None = None
    source_is_null = False
    for line in text.splitlines():
        if line.startswith("diff --git "):
            current, source_is_null = None, False
        elif line.startswith("--- "):
            source_is_null = line == "--- /dev/null"
        elif line.startswith("+++ "):
            target = line[4:]
            current = None if target == "/dev/null" else _unquote(target).removeprefix("b/")
            if current is not None and source_is_null:
                new.add(current)
        elif current is not None:
            hunk = _HUNK.match(line)
            if hunk is None:
                continue
            start = int(hunk.group(1))
            count = int(hunk.group(2)) if hunk.group(2) is not None else 1
            touched = range(start, start + count) if count else range(max(start, 1), start + 2)
            lines.setdefault(current, set()).update(touched)
    return Changes({file: frozenset(found) for file, found in lines.items()}, frozenset(new))


def _unquote(path: str) -> str:
    """git's C-style quoting of unusual paths ("a\\tb", octal bytes for UTF-8)."""
    if not (path.startswith('"') and path.endswith('"')):
        return path
    out = bytearray()
    body = path[1:-1]
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            following = body[index + 1]
            if following in "01234567":
                out.append(int(body[index + 1 : index + 4], 8))
                index += 4
                continue
            out.extend(_ESCAPES.get(following, following).encode())
            index += 2
            continue
        out.extend(char.encode())
        index += 1
    return out.decode("utf-8", "surrogateescape")


def select_changed(
    findings: Sequence[Finding],
    changes: Changes,
    relative: Callable[[str], str],
    show_all: bool,
) -> list[Finding]:
    """The findings a change touches; with `show_all`, the others too, marked."""
    out: list[Finding] = []
    for finding in findings:
        span = finding.span
        if changes.touches(relative(span.file), span.line, max(span.end_line, span.line)):
            out.append(finding)
        elif show_all:
            out.append(finding._replace(outside_diff=True))
    return out

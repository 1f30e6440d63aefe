"""Paths as code-review tools want them: relative to the repository's root.

Reports name files as the run shows them (relative to the current directory,
or as given on the command line). GitHub annotations and SARIF uploads resolve
paths against the repository's root, so a run from a subdirectory must add the
subdirectory in front. The command line works out the root (from git) and
passes it in; reporters stay pure.
"""

from __future__ import annotations

import posixpath
from typing import NamedTuple
from urllib.parse import quote


class SourceRoot(NamedTuple):
    # Absolute path (with forward slashes) of the repository root, when known.
    directory: str | None = None
    # The current directory relative to the root: "" or "infra/" (ends with "/"), or
    # "../" and the like when the run starts outside the repository of its files.
    prefix: str = ""

    def relative(self, file: str) -> str | None:
        """`file` relative to the root, or None when it lies outside it."""
        if self.directory is not None:
            absolute = self.absolute(file)
            assert absolute is not None
            inside = posixpath.relpath(absolute, self.directory)
        elif posixpath.isabs(file) or _is_drive_path(file):
            return None
        else:
            inside = posixpath.normpath(self.prefix + file)
        return None if inside.startswith("../") or inside == ".." else inside

    def absolute(self, file: str) -> str | None:
        """`file` as an absolute path, when the root is known."""
        if posixpath.isabs(file) or _is_drive_path(file):
            return file
        if self.directory is None:
            return None
        return posixpath.normpath(posixpath.join(self.directory, self.prefix, file))


# Paths reported as the run shows them, nothing known about a repository.
NO_ROOT = SourceRoot()


def file_uri(path: str) -> str:
    """An absolute path as a file URI (percent-encoded)."""
    if not path.startswith("/"):
        path = "/" + path  # a Windows drive path: file:///C:/...
    return "file://" + quote(path, safe="/:")


def relative_uri(path: str) -> str:
    return quote(path, safe="/")


def _is_drive_path(file: str) -> bool:
    return len(file) > 2 and file[1] == ":" and file[2] == "/"

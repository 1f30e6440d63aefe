"""What the run's readers see, after evaluation: paths as the repository names them.

The command line calls this between `lint` and the reporters; the filters it
applies live in `iaclint/filter/`.
"""

from __future__ import annotations

from pathlib import Path

from iaclint.filter.git import repository_root
from iaclint.report.location import SourceRoot


def source_root(cwd: Path) -> SourceRoot:
    """The repository root (or, outside git, the current directory) and where `cwd` is in it."""
    here = cwd.resolve()
    root = repository_root(here)
    if root is None:
        return SourceRoot(here.as_posix(), "")
    try:
        inside = here.relative_to(root.resolve()).as_posix()
    except ValueError:
        return SourceRoot(here.as_posix(), "")
    return SourceRoot(root.resolve().as_posix(), "" if inside == "." else inside + "/")

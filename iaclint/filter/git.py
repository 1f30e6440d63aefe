"""What git knows about the working tree: its root, and what changed since a ref.

Only `git` itself is run (never a shell), from the directory the user ran iaclint
in, so a run from a subdirectory sees the same repository.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


class GitError(Exception):
    """git is missing, the directory is not a repository, or a ref is unknown."""


def run_git(arguments: list[str], cwd: Path) -> str:
    try:
        completed = subprocess.run(
            ["git", *arguments],
            cwd=cwd,
            capture_output=True,
            check=False,
            timeout=60,
        )
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {' '.join(arguments)} took longer than 60 seconds") from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {arguments[0]} failed")
    return completed.stdout.decode("utf-8", "surrogateescape")


def repository_root(cwd: Path) -> Path | None:
    """The top of the work tree containing `cwd`, or None outside a repository."""
    try:
        return Path(run_git(["rev-parse", "--show-toplevel"], cwd).strip())
    except GitError:
        return None


def deleted_files(root: Path, from_ref: str | None = None, to_ref: str | None = None) -> list[str]:
    """Files (repository-relative) that the change being committed deletes: the staged
    deletions, or, given two refs, those deleted between their merge base and `to_ref`
    (as `pre-commit run --from-ref A --to-ref B` and pre-push hooks see a change).
    Raises GitError."""
    if from_ref and to_ref:
        for ref in (from_ref, to_ref):
            if ref.startswith("-"):
                raise GitError(f"'{ref}' is not a git revision")
        span = [f"{from_ref}...{to_ref}"]
    else:
        span = ["--cached"]
    listed = run_git(
        ["diff", "--name-only", "--no-renames", "--diff-filter=D", "-z", *span, "--"], root
    )
    return [name for name in listed.split("\0") if name]

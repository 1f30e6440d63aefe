"""What git knows about the working tree: its root, a change's merge base, deletions
and renames, and the files of a commit.

Only `git` itself is run (never a shell), from the directory the user ran iaclint
in, so a run from a subdirectory sees the same repository.
"""

from __future__ import annotations

import os
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
    staged = not (from_ref and to_ref)
    span = ["--cached"] if staged else [f"{_revision(from_ref or '')}...{_revision(to_ref or '')}"]
    listed = run_git(
        ["diff", "--name-only", "--no-renames", "--diff-filter=D", "-z", *span, "--"], root
    )
    return [name for name in listed.split("\0") if name]


def _revision(ref: str) -> str:
    if ref.startswith("-"):
        raise GitError(f"'{ref}' is not a git revision")
    return ref


def commit_of(ref: str, root: Path) -> str | None:
    """The commit `ref` names, or None when this repository does not have it.
    Raises GitError for a ref git would take as an option."""
    revision = _revision(ref)
    try:
        found = run_git(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"],
            root,
        )
    except GitError:
        return None
    return found.strip() or None


def merge_base(commit: str, root: Path) -> str | None:
    """The best common ancestor of `commit` and HEAD, or None when none is known here
    (unrelated histories, or a shallow clone that stops before it)."""
    try:
        return run_git(["merge-base", "--end-of-options", commit, "HEAD"], root).strip() or None
    except GitError:
        return None


def is_shallow(root: Path) -> bool:
    try:
        return run_git(["rev-parse", "--is-shallow-repository"], root).strip() == "true"
    except GitError:
        return False


def renames_since(commit: str, root: Path) -> dict[str, str]:
    """Files renamed between `commit` and the work tree: path now -> path then
    (repository-relative)."""
    listed = run_git(
        ["diff", "--name-status", "-M", "-z", "--no-ext-diff", "--end-of-options", commit, "--"],
        root,
    )
    fields = listed.split("\0")
    renames: dict[str, str] = {}
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index]
        if status.startswith(("R", "C")):
            old, new = fields[index + 1], fields[index + 2]
            if status.startswith("R"):
                renames[new] = old
            index += 3
        else:
            index += 2
    return renames


def write_tree(commit: str, root: Path, prefixes: list[str], destination: Path) -> int:
    """Write the files of `commit` below the repository-relative `prefixes` ("" for
    all) into `destination`, as git stores them; the work tree, the index and the
    repository are left untouched. Returns how many files were written."""
    listed = run_git(["ls-tree", "-r", "-z", "--full-tree", commit, "--", *prefixes], root)
    blobs: list[tuple[str, str, str]] = []
    for entry in listed.split("\0"):
        if not entry:
            continue
        meta, _, path = entry.partition("\t")
        mode, kind, sha = meta.split()
        if kind == "blob" and ".." not in Path(path).parts and not Path(path).is_absolute():
            blobs.append((mode, sha, path))
    try:
        process = subprocess.Popen(
            ["git", "cat-file", "--batch"],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        for mode, sha, path in blobs:
            # One request, one answer: a batch written ahead could fill both pipes.
            process.stdin.write(sha.encode() + b"\n")
            process.stdin.flush()
            header = process.stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                raise GitError(f"cannot read {path} at {commit[:12]}")
            content = process.stdout.read(int(header[2]))
            process.stdout.read(1)  # the newline after each object
            target = destination / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if mode == "120000":  # a symbolic link: kept as one, as a checkout would
                os.symlink(os.fsdecode(content), target)
            else:
                target.write_bytes(content)
    finally:
        process.stdin.close()
        process.stdout.close()
        process.wait()
    return len(blobs)

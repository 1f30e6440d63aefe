"""`--diff-base REF`: the findings of the merge base, to tell a change's own findings.

A change is judged against the point where it left REF (`git merge-base REF HEAD`),
not against REF's tip: a fix made on REF since then is not the change's to claim,
and a finding REF gained since is not the change's fault. That commit's files are
written into a temporary directory from git's objects (the work tree, the index and
the repository stay as they are) and linted there with the same policies and
options, suppressions applied as for the change itself. Their fingerprints, with
files named from the repository root, are what the change did not bring.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from iaclint.diagnostics import Level
from iaclint.engine.policy import Policy
from iaclint.filter.diff import BaseFindings
from iaclint.filter.git import (
    GitError,
    commit_of,
    is_shallow,
    merge_base,
    renames_since,
    repository_root,
    write_tree,
)
from iaclint.report.location import SourceRoot
from iaclint.review import stable_name, suppress, today
from iaclint.run import Options, lint

_FETCH = (
    "fetch the history it needs (in GitHub Actions: actions/checkout with fetch-depth: 0; "
    "elsewhere: git fetch --unshallow)"
)


class BaseError(Exception):
    """The merge base cannot be found or read; the message says what to do."""


def lint_merge_base(ref: str, options: Options, policies: list[Policy], cwd: Path) -> BaseFindings:
    """Lint the merge base of `ref` and HEAD as `options` lint the work tree. Raises
    BaseError."""
    root = repository_root(cwd)
    if root is None:
        raise BaseError("needs a git repository (none found here)")
    root = root.resolve()
    try:
        commit = commit_of(ref, root)
        shallow = is_shallow(root)
        if commit is None:
            where = "this shallow clone" if shallow else "this repository"
            raise BaseError(f"'{ref}' is not a commit {where} knows: {_FETCH}")
        base = merge_base(commit, root)
        if base is None:
            if shallow:
                raise BaseError(
                    f"the merge base of '{ref}' and HEAD is not in this shallow clone: {_FETCH}"
                )
            raise BaseError(f"'{ref}' and HEAD have no history in common")
        renames = renames_since(base, root)
    except GitError as exc:
        raise BaseError(f"cannot compare with '{ref}': {exc}") from None
    here = cwd.resolve()
    prefix = here.relative_to(root).as_posix() if here != root else ""
    with tempfile.TemporaryDirectory(prefix="iaclint-base-") as temporary:
        tree = Path(temporary).resolve()
        try:
            write_tree(base, root, _prefixes(options, here, root, prefix), tree)
        except (GitError, OSError) as exc:
            raise BaseError(f"cannot read the merge base {base[:12]}: {exc}") from None
        inside = tree / prefix
        inside.mkdir(parents=True, exist_ok=True)
        at_base = options._replace(
            paths=tuple(_at_base(path, here, root, tree) for path in options.paths)
            + tuple(_at_base(path, here, root, tree) for path in options.deleted),
            var_files=tuple(Path(_at_base(str(p), here, root, tree)) for p in options.var_files),
            deleted=(),
        )
        with contextlib.chdir(inside):
            # Ids are judged in the work tree, where errors are reported.
            report = suppress(lint(at_base, policies, []), today(), known_ids=None)
        name = stable_name(SourceRoot(tree.as_posix(), f"{prefix}/" if prefix else ""))
        fingerprints = frozenset(name(finding) for finding in report.findings)
        unreadable = len({d.file for d in report.diagnostics if d.level is Level.ERROR})
    return BaseFindings(base, unreadable, fingerprints, renames)


def _at_base(path: str, here: Path, root: Path, tree: Path) -> str:
    """A path given to the run, as the same place in the merge base's tree: relative
    paths stay as they are (the run starts in the same directory there)."""
    if not os.path.isabs(path):
        return path
    try:
        inside = Path(os.path.normpath(path)).relative_to(root)
    except ValueError:
        return path  # outside the repository: the same file at both ends
    return str(tree / inside)


def _prefixes(options: Options, here: Path, root: Path, prefix: str) -> list[str]:
    """The parts of the repository the run can read (as for the work tree: the current
    directory and what the command line names), repository-relative; [] for all."""
    if not prefix:
        return []
    wanted = [prefix]
    for path in (*options.paths, *options.deleted, *map(str, options.var_files)):
        target = Path(os.path.normpath(here / path))
        if not target.is_dir():
            target = target.parent  # a Terraform file is read with its directory
        try:
            inside = target.relative_to(root).as_posix()
        except ValueError:
            continue
        if inside == "." or not inside:
            return []
        if inside != prefix and not inside.startswith(prefix + "/"):
            wanted.append(inside)
    return wanted

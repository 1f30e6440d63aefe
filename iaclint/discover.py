"""Which files to read: the paths given, directories walked in a stable order.

Directories that never hold a user's templates are skipped (version control,
dependencies, virtualenvs, caches, CDK asset folders). Symbolic links met while
walking are not followed: a link inside the tree points at a file linted under
its own name, and a link out of the tree must not pull other files into a run
(or loop forever). A link named on the command line is read.
"""

from __future__ import annotations

import errno
import fnmatch
import functools
import glob
import os
import posixpath
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from iaclint.diagnostics import Diagnostic
from iaclint.parse.cloud_assembly import is_cloud_assembly

TEMPLATE_SUFFIXES = frozenset({".json", ".yaml", ".yml", ".template"})
# Terraform configuration: linted by directory (see run_terraform.py).
TERRAFORM_SUFFIXES = frozenset({".tf"})
LINTED_SUFFIXES = TEMPLATE_SUFFIXES | TERRAFORM_SUFFIXES
# A `.tf.json` file's suffix is `.json`: a walk for Terraform configuration keeps
# `.json` files, and `parse.hcl.is_terraform_configuration` sorts them by their names.
TERRAFORM_WALK_SUFFIXES = frozenset({".tf", ".json"})

SKIPPED_DIRECTORIES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".terraform",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".iaclint_cache",
    }
)


class Candidate(NamedTuple):
    path: Path
    # The path as reports show it: as given on the command line, joined with
    # the file's place below a given directory.
    shown: str
    # Named on the command line (rather than found by walking a directory).
    explicit: bool = False


class Discovery(NamedTuple):
    files: list[Candidate]
    diagnostics: list[Diagnostic]
    # CDK cloud assemblies (`cdk.out`): read through their manifest, not walked.
    assemblies: tuple[Candidate, ...] = ()


def discover(
    paths: Iterable[str], exclude: Iterable[str] = (), suffixes: frozenset[str] = LINTED_SUFFIXES
) -> Discovery:
    """The files to read below `paths`; walking a directory keeps the files with one
    of `suffixes` (a file named is kept whatever its suffix)."""
    patterns = list(exclude)
    files: list[Candidate] = []
    diagnostics: list[Diagnostic] = []
    seen: set[Path] = set()
    assemblies: list[Candidate] = []

    def resolved(path: Path, shown: str) -> Path | None:
        try:
            return path.resolve()
        except (RuntimeError, OSError):
            # A chain of symbolic links that never ends (RuntimeError up to Python 3.12).
            diagnostics.append(Diagnostic.error(shown, "symbolic link loop: not read"))
            return None

    def add(path: Path, shown: str, explicit: bool = False, key: Path | None = None) -> None:
        if key is None:
            key = resolved(path, shown)
        if key is not None and key not in seen:
            seen.add(key)
            files.append(Candidate(path, shown, explicit))

    for given in paths:
        path = Path(given)
        try:
            exists = path.exists() or path.is_symlink()
            is_directory = exists and path.is_dir()
        except OSError as exc:  # a directory on the way that the user may not enter
            diagnostics.append(Diagnostic.error(_clean(given), _cannot_read(exc)))
            continue
        if not exists:
            diagnostics.append(Diagnostic.error(given, "no such file or directory"))
        elif is_directory and is_cloud_assembly(path):
            assemblies.append(Candidate(path, _clean(given), explicit=True))
        elif is_directory:
            real = resolved(path, given)
            if real is None:
                continue
            walked = _walk(path, given, patterns, assemblies, real, diagnostics, suffixes)
            for candidate in walked:
                add(*candidate)
        elif not is_excluded(_clean(given), patterns):
            # A file named explicitly is read whatever its suffix; its content decides.
            add(path, _clean(given), explicit=True)
    return Discovery(files, diagnostics, tuple(assemblies))


def _cannot_read(exc: OSError) -> str:
    return f"cannot read: {exc.strerror or exc}"


def _walk(
    top: Path,
    given: str,
    patterns: list[str],
    assemblies: list[Candidate],
    real: Path,
    diagnostics: list[Diagnostic],
    suffixes: frozenset[str],
) -> list[tuple[Path, str, bool, Path]]:
    """Template files under `top` as `add` takes them, with their real paths: the
    walk follows no link, so a file's real path is `real` (the real `top`) and the
    way down. Paths are handled as text here (pathlib took a tenth of a corpus run's
    own time, and most of the walk of a large tree for one named file)."""
    out: list[tuple[Path, str, bool, Path]] = []
    top_text, real_text = str(top), str(real)

    def unreadable(exc: OSError, where: str | None = None) -> None:
        # A directory the user may not list: its files would be skipped in silence.
        if where is None:
            where = exc.filename if isinstance(exc.filename, str) else top_text
        shown = _clean(os.path.join(given, os.path.relpath(where, top_text)))
        problem = exc.strerror or str(exc)
        diagnostics.append(
            Diagnostic.error(
                shown, f"cannot read this directory ({problem}): its files are not linted"
            )
        )

    walk = os.walk(top_text, onerror=unreadable, followlinks=False)
    # os.walk joins each name to its parent: a directory below is `top_text` + sep + ...
    below = top_text if top_text.endswith(os.sep) else top_text + os.sep
    for directory, subdirectories, names in walk:
        relative = "." if directory == top_text else directory[len(below) :]
        kept = []
        for name in sorted(subdirectories):
            try:
                if _skip_directory(directory, name, top_text, given, patterns):
                    continue
                child = os.path.join(directory, name)
                # No manifest, no assembly: checked first, as text, for every directory.
                if os.path.isfile(os.path.join(child, "manifest.json")) and is_cloud_assembly(
                    Path(child)
                ):
                    assemblies.append(
                        Candidate(Path(child), _clean(os.path.join(given, relative, name)))
                    )
                    continue
            except OSError as exc:  # listed, but not searchable: nothing in it can be read
                unreadable(exc, os.path.join(directory, name))
                continue
            kept.append(name)
        subdirectories[:] = kept
        for name in sorted(names):
            suffix = os.path.splitext(name)[1].lower()
            if suffix not in suffixes:
                continue
            shown = _clean(os.path.join(given, relative, name))
            if is_excluded(shown, patterns):
                continue
            full = os.path.join(directory, name)
            if os.path.islink(full):
                continue  # its target is linted under its own name, or lies outside
            key = os.path.normpath(os.path.join(real_text, relative, name))
            out.append((Path(full), shown, False, Path(key)))
    return out


def _skip_directory(parent: str, name: str, top: str, given: str, patterns: list[str]) -> bool:
    if name in SKIPPED_DIRECTORIES:
        return True
    path = os.path.join(parent, name)
    if stat.S_ISLNK(_mode(path, os.lstat)):
        return True  # never followed: it may leave the tree or loop
    if name.startswith("asset.") and stat.S_ISREG(
        _mode(os.path.join(parent, "manifest.json"), os.stat)
    ):
        return True  # a CDK cloud assembly's asset folder
    if stat.S_ISREG(_mode(os.path.join(path, "pyvenv.cfg"), os.stat)):
        return True  # a virtualenv, whatever its name
    if not patterns:
        return False
    return is_excluded(_clean(os.path.join(given, os.path.relpath(path, top))), patterns)


# What a missing path raises: it is not there (pathlib's `is_file` rule). Any other
# error (a directory listed but not searchable) is raised, and reported.
_ABSENT = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})


def _mode(path: str, status: Callable[[str], os.stat_result]) -> int:
    """The file mode of `path` (0 when there is nothing there)."""
    try:
        return status(path).st_mode
    except OSError as exc:
        if exc.errno in _ABSENT:
            return 0
        raise


def is_excluded(shown: str, patterns: Sequence[str]) -> bool:
    """Whether `shown` (a path as the run shows it) matches an exclusion pattern.

    `./examples`, `examples/` and `examples` are one pattern. One without a `/`
    (`examples`, `*.json`) matches any file or folder of that name; one with a `/`
    (`stacks/examples`, `stacks/*/test_*.yaml`) matches from the current directory,
    and excludes everything below a folder it matches, however the path was given
    (`.`, `./stacks`, an absolute path)."""
    if not patterns:
        return False
    here = os.getcwd()
    names, anchored = _compiled(tuple(patterns), here)
    parts = shown.split("/")
    if any(name.match(part) for name in names for part in parts):
        return True
    if not anchored:
        return False
    path = posixpath.normpath(posixpath.join(here.replace(os.sep, "/"), shown))
    while True:
        if any(pattern.match(path) for pattern in anchored):
            return True
        parent = posixpath.dirname(path)
        if parent == path:
            return False
        path = parent


def anchored_at(patterns: Iterable[str], base: Path) -> tuple[str, ...]:
    """Exclusion patterns written in a file in `base` (the configuration's folder),
    as `is_excluded` reads them: those with a `/` made relative to the current
    directory."""
    offset = os.path.relpath(base, os.getcwd()).replace(os.sep, "/")
    if offset == ".":
        return tuple(patterns)
    out = []
    for pattern in patterns:
        plain = _plain(pattern)
        anchored = "/" in plain and not posixpath.isabs(plain)
        out.append(f"{glob.escape(offset)}/{plain}" if anchored else pattern)
    return tuple(out)


def _plain(pattern: str) -> str:
    """`./x/`, `x/` and `x` as one pattern: `x`."""
    while pattern.startswith("./"):
        pattern = pattern[2:].lstrip("/")
    stripped = pattern.rstrip("/")
    return stripped or pattern


@functools.lru_cache(maxsize=32)
def _compiled(
    patterns: tuple[str, ...], here: str
) -> tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]:
    """Patterns that match a name anywhere, and those anchored (made absolute at `here`)."""
    names: list[re.Pattern[str]] = []
    anchored: list[re.Pattern[str]] = []
    root = glob.escape(here.replace(os.sep, "/"))
    plains = [_plain(pattern) for pattern in patterns]
    # `**/x` also matches `x` at the top, as in a .gitignore.
    plains += [plain[3:] for plain in plains if plain.startswith("**/")]
    for plain in plains:
        if "/" not in plain:
            names.append(re.compile(fnmatch.translate(plain)))
            continue
        absolute = plain if posixpath.isabs(plain) else posixpath.join(root, plain)
        anchored.append(re.compile(fnmatch.translate(posixpath.normpath(absolute))))
    return tuple(names), tuple(anchored)


def _clean(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, "/")

"""The user's cache directory: what iaclint keeps between runs to start faster.

    $IACLINT_CACHE_DIR, else $XDG_CACHE_HOME/iaclint, else ~/.cache/iaclint

Entries are written atomically (a temporary file, then a rename) into a private
directory (mode 0700), so concurrent runs never see half a file. Readers treat a
missing, unreadable or damaged entry as absent; with no writable directory
nothing is cached and every run simply does the work again.
"""

from __future__ import annotations

import functools
import itertools
import os
import sys
import threading
from pathlib import Path

_NAMES = itertools.count()


def cache_directory() -> Path:
    configured = os.environ.get("IACLINT_CACHE_DIR")
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "iaclint"
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "iaclint" / "cache"
    return Path.home() / ".cache" / "iaclint"


@functools.cache
def code_stamps() -> tuple[str, ...]:
    """`relative/path.py:size:mtime` of every module of iaclint, sorted: what cached
    work depends on besides the version, since the code may change without a new
    one (a checkout being edited). Walked with `os.scandir`, whose entries come with
    their type: several times cheaper than `Path.rglob` and `stat`, at every start."""
    stamps: list[str] = []
    pending = [(os.path.dirname(os.path.abspath(__file__)), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(".py"):
                try:
                    stat = entry.stat()
                except OSError:
                    continue
                stamps.append(f"{prefix}{entry.name}:{stat.st_size}:{stat.st_mtime_ns}")
            elif entry.name != "__pycache__" and entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, f"{prefix}{entry.name}/"))
    return tuple(sorted(stamps))


def read_entry(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def write_entry(path: Path, data: bytes) -> None:
    """Write atomically; a cache that cannot be written is silently skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # A name no other process or thread uses (the pid, the thread, a counter),
        # created exclusively: `tempfile` would cost every run that writes about
        # 6 ms of imports (shutil, random, bz2, lzma).
        temporary = path.parent / f".tmp-{os.getpid()}-{threading.get_ident()}-{next(_NAMES)}"
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass

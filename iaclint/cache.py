"""The user's cache directory: what iaclint keeps between runs to start faster.

    $IACLINT_CACHE_DIR, else $XDG_CACHE_HOME/iaclint, else ~/.cache/iaclint

Entries are written atomically (a temporary file, then a rename) into a private
directory (mode 0700), so concurrent runs never see half a file. Readers treat a
missing, unreadable or damaged entry as absent; with no writable directory
nothing is cached and every run simply does the work again. A --no-cache run
turns the cache off (`enable(False)`): nothing is read from it and nothing,
not even its directory, is written.
"""

from __future__ import annotations

import _thread
import functools
import hashlib
import itertools
import os
import sys
from pathlib import Path

_NAMES = itertools.count()
# Whether this process reads and writes the cache (a --no-cache run turns it off).
_on = True


def enable(on: bool) -> bool:
    """Let this process use the cache, or not; returns the setting it replaces."""
    global _on
    previous, _on = _on, on
    return previous


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
def code_fingerprint() -> str:
    """What every cached result depends on besides its own input: Python's version
    and the size and time of every module of iaclint (`__init__.py`, which holds the
    version, among them), since the code may change without a new version (a
    checkout being edited)."""
    parts = (sys.version, *_code_stamps())
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _code_stamps() -> list[str]:
    """`relative/path.py:size:mtime` of every module of iaclint, sorted. Walked with
    `os.scandir`, whose entries come with their type: several times cheaper than
    `Path.rglob` and `stat`, at every start."""
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
    return sorted(stamps)


def sealed(header: bytes, payload: bytes) -> bytes:
    """An entry's bytes: its header (what it is, in which format), a checksum of the
    payload, then the payload."""
    return header + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload


def unsealed(header: bytes, data: bytes | None) -> bytes | None:
    """The payload of a sealed entry; None when it is absent, of another kind or
    format, or damaged."""
    if data is None or not data.startswith(header):
        return None
    checksum, _, payload = data[len(header) :].partition(b"\n")
    return payload if checksum == hashlib.sha256(payload).hexdigest().encode() else None


def read_entry(path: Path) -> bytes | None:
    if not _on:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def unique_suffix() -> str:
    """A name part no other process or thread uses: the pid, the thread, a counter."""
    return f"{os.getpid()}-{_thread.get_ident()}-{next(_NAMES)}"


def write_entry(path: Path, data: bytes) -> bool:
    """Write atomically; a cache that cannot be written, or is off, is skipped (False)."""
    if not _on:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Created exclusively: `tempfile` would cost every run that writes about
        # 6 ms of imports (shutil, random, bz2, lzma).
        temporary = path.parent / f".tmp-{unique_suffix()}"
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        return False
    return True

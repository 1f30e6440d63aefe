"""Results of unchanged inputs, kept between runs (the results cache).

An entry holds what linting one input produced, before suppressions, baselines
and changed-line filtering (those are applied afresh on every run). Its key is:

- iaclint's version and the size and time of every module of the package (an
  edited checkout never reuses results of the code it had before);
- the policies in effect: each one's file digest, severity and parameter values;
- the input: a template's shown name and bytes (and its construct paths); a
  Terraform root module's place, the places the run may read from and the
  `--var-file`s' bytes.

A Terraform root module depends on more than its own directory: the entry also
records every module directory and file it read, each with a digest of what it
held, and is reused only while all of them still hold the same.

Entries live under `results/` in the user's cache directory (see cache.py:
atomic writes, private directory). Each starts with a header and the SHA-256 of
its payload; an entry that is truncated, damaged or of another kind is deleted
and the input linted again. Nothing read from the cache is trusted unchecked.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
from collections.abc import Iterable, Mapping
from pathlib import Path

from iaclint.cache import (
    cache_directory,
    code_fingerprint,
    read_entry,
    sealed,
    unsealed,
    write_entry,
)
from iaclint.engine.policy import Policy
from iaclint.parse.text import read_regular

HEADER = b"iaclint-results/1\n"
# File names a Terraform module directory's results depend on.
TERRAFORM_NAMES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")


def policies_fingerprint(policies: Iterable[Policy]) -> str:
    parts = []
    for policy in policies:
        values = json.dumps(dict(policy.values), sort_keys=True, default=repr)
        parts.append(f"{policy.id}|{policy.source_digest}|{policy.info.severity.label}|{values}")
    return _digest(part.encode() for part in parts)


def directory_digest(path: str) -> str:
    """The names and bytes of a directory's Terraform files ('' when it cannot be listed)."""
    try:
        names = sorted(name for name in os.listdir(path) if name.endswith(TERRAFORM_NAMES))
    except OSError:
        return ""
    parts: list[bytes] = []
    for name in names:
        parts.append(name.encode("utf-8", "surrogateescape"))
        parts.append(_file_bytes(os.path.join(path, name)))
    return _digest(parts)


def file_digest(path: str) -> str:
    return _digest([_file_bytes(path)])


class ResultCache:
    """The results cache of one run (its policies and settings fixed)."""

    def __init__(self, policies: Iterable[Policy], settings: str = ""):
        self.base = _digest(
            [
                code_fingerprint().encode(),
                policies_fingerprint(policies).encode(),
                settings.encode(),
            ]
        )
        self.folder = cache_directory() / "results"
        self._writer: _Writer | None = None

    def entry(self, *parts: bytes) -> Path:
        return self.folder / f"{_digest([self.base.encode(), *parts])[:40]}.pickle"

    def load(self, entry: Path) -> object | None:
        """The value kept in an entry; None when absent. A damaged entry is deleted."""
        data = read_entry(entry)
        if data is None:
            return None
        payload = unsealed(HEADER, data)
        if payload is not None:
            try:
                value: object = pickle.loads(payload)
                return value
            except Exception:  # of another version or shape: not ours to trust
                pass
        self.discard(entry)
        return None

    def store(self, entry: Path, value: object) -> None:
        """Keep a value; written in the background until `flush`."""
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return
        if self._writer is None:
            self._writer = _Writer()
        self._writer.put(entry, sealed(HEADER, payload))

    def flush(self) -> None:
        """Wait until every stored value is written."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    @staticmethod
    def discard(entry: Path) -> None:
        with contextlib.suppress(OSError):
            entry.unlink()


class _Writer:
    """Writes entries on a thread of its own, so that creating hundreds of small
    files (a millisecond each on some disks) overlaps with linting."""

    def __init__(self) -> None:
        import queue
        import threading

        self._queue: queue.SimpleQueue[tuple[Path, bytes] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="iaclint-cache", daemon=True)
        self._thread.start()

    def put(self, entry: Path, data: bytes) -> None:
        self._queue.put((entry, data))

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            write_entry(*item)


def still_current(directories: Mapping[str, str], files: Mapping[str, str]) -> bool:
    """Whether every directory and file recorded with an entry still holds the same."""
    return all(directory_digest(path) == digest for path, digest in directories.items()) and all(
        file_digest(path) == digest for path, digest in files.items()
    )


def _file_bytes(path: str) -> bytes:
    try:
        return read_regular(Path(path))
    except OSError as exc:
        return f"\0unreadable:{exc.errno}".encode()


def _digest(parts: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()

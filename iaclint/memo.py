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

Entries are kept in packs under `results/` in the user's cache directory (see
cache.py: atomic writes, private directory): a run writes the entries it made
into one new pack per shard (the first digit of the key: 16 shards), rather
than one file each (creating hundreds of small files took a tenth of a second
and more of a corpus run on some disks), and reads a shard's packs once, when it
first looks up an entry of it: a run on a file or two reads a sixteenth of the
cache. A pack starts with a header and the SHA-256 of its payload; a pack that
is truncated, damaged or of another kind is deleted and its inputs linted
again. Nothing read from the cache is trusted unchecked: a value of the wrong
kind is ignored.

When a run finds more than MAX_PACKS packs in a shard it writes to, it writes
the entries of all of them and its own into one pack, newest first up to
MAX_BYTES (older entries are dropped: the cache does not grow without end), and
deletes the packs it read. Runs at the same time each write packs of their
own; two runs merging at once leave two packs holding the same entries, merged
again later.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from iaclint.cache import (
    cache_directory,
    code_fingerprint,
    read_entry,
    sealed,
    unique_suffix,
    unsealed,
    write_entry,
)
from iaclint.engine.policy import Policy
from iaclint.parse.text import read_regular

HEADER = b"iaclint-results/2\n"
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


MAX_PACKS = 8  # per shard (an entry's shard: the first digit of its key)
MAX_BYTES = 4 * 1024 * 1024  # per shard: 64 MiB in all


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
        self._shards: dict[str, _Shard] = {}
        self._new: dict[str, bytes] = {}

    def entry(self, *parts: bytes) -> str:
        """The key of an entry: what its value depends on, digested."""
        return _digest([self.base.encode(), *parts])[:40]

    def load(self, key: str) -> object | None:
        """The value kept under a key; None when there is none (or none to trust)."""
        payload = self._shard(key[:1]).known.get(key)
        if payload is None:
            return None
        try:
            value: object = pickle.loads(payload)
        except Exception:  # of another version or shape: not ours to trust
            return None
        return value

    def store(self, key: str, value: object) -> None:
        """Keep a value; written with the others of this run by `flush`."""
        try:
            self._new[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return

    def flush(self) -> None:
        """Write what this run stored: one pack per shard it touched."""
        new, self._new = self._new, {}
        by_shard: dict[str, dict[str, bytes]] = {}
        for key, payload in new.items():
            by_shard.setdefault(key[:1], {})[key] = payload
        for shard, entries in sorted(by_shard.items()):
            self._shard(shard).add(entries)

    def _shard(self, name: str) -> _Shard:
        if name not in self._shards:
            self._shards[name] = _Shard(self.folder, name)
        return self._shards[name]


class _Shard:
    """The packs of one shard, read when first needed."""

    def __init__(self, folder: Path, name: str):
        self.folder = folder
        self.prefix = f"pack-{name}-"
        self.known: dict[str, bytes] = {}  # key -> pickled value
        self.packs: list[Path] = []
        try:
            names = sorted(entry for entry in os.listdir(folder) if entry.startswith(self.prefix))
        except OSError:
            names = []
        for entry in names:  # oldest first: a newer entry replaces an older one
            path = folder / entry
            entries = _read_pack(path)
            if entries is not None:
                self.known.update(entries)
                self.packs.append(path)

    def add(self, new: dict[str, bytes]) -> None:
        if len(self.packs) < MAX_PACKS:
            _write_pack(self.folder, self.prefix, new)
        else:  # merge: newest first, this run's entries, then the packs from the newest
            merged: dict[str, bytes] = {}
            size = 0
            for key, payload in [*new.items(), *reversed(self.known.items())]:
                if key in merged:
                    continue
                size += len(payload)
                if size > MAX_BYTES:
                    break
                merged[key] = payload
            if _write_pack(self.folder, self.prefix, merged):
                for path in self.packs:
                    with contextlib.suppress(OSError):
                        path.unlink()  # or already merged by another run
                self.packs = []
        self.known.update(new)


def _write_pack(folder: Path, prefix: str, entries: dict[str, bytes]) -> bool:
    # Named by time after the shard, so that names sort from the oldest pack to the newest.
    name = f"{prefix}{time.time_ns():020d}-{unique_suffix()}"
    payload = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
    return write_entry(folder / name, sealed(HEADER, payload))


def _read_pack(path: Path) -> dict[str, bytes] | None:
    """A pack's entries; None when it is gone, or damaged (then it is deleted)."""
    data = read_entry(path)
    if data is None:
        return None  # merged and deleted by another run meanwhile
    payload = unsealed(HEADER, data)
    if payload is not None:
        try:
            entries = pickle.loads(payload)
        except Exception:
            entries = None
        if isinstance(entries, dict) and all(
            isinstance(key, str) and isinstance(value, bytes) for key, value in entries.items()
        ):
            return entries
    with contextlib.suppress(OSError):
        path.unlink()
    return None


def still_current(directories: Mapping[str, str], files: Mapping[str, str]) -> bool:
    """Whether every directory and file recorded with an entry still holds the same."""
    return all(directory_digest(path) == digest for path, digest in directories.items()) and all(
        file_digest(path) == digest for path, digest in files.items()
    )


def _file_bytes(path: str) -> bytes:
    try:
        # Bounded like the files linted (file_work.MAX_PLAN_BYTES): a larger one is
        # refused there, and its digest here need not read it.
        return read_regular(Path(path), 100 * 1024 * 1024)
    except OSError as exc:
        return f"\0unreadable:{exc.errno}".encode()


def _digest(parts: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()

"""The machine's cores, shared by the iaclint processes pre-commit runs at once.

pre-commit runs a hook whose `require_serial` is false (ours set it true; a
configuration may say otherwise) in batches of files, as many at once as there
are cores, a process each; and each process would start a worker per core. So a
run under pre-commit (PRE_COMMIT=1) takes its workers from slots shared by all
the user's iaclint processes, one per core: a slot is a lock (`flock`) on a file
of a private folder in the temporary directory, held while the run's workers
live and let go by the kernel when the process ends, however it ends. A run that
finds fewer than two slots free lints in its own process. At any time there are
then at most the batches, plus one worker per core.

Where no such lock exists (Windows), or the folder cannot be made private, the
run takes the workers it asked for, as it does outside pre-commit.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from types import TracebackType

_FOLDER_MODE = 0o700


class WorkerSlots:
    """The slots a run holds: `count` workers it may start, until it is closed."""

    def __init__(self, count: int, held: list[int]):
        self.count = count
        self._held = held

    def close(self) -> None:
        for handle in self._held:
            os.close(handle)  # the lock goes with it
        self._held = []

    def __enter__(self) -> WorkerSlots:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def worker_slots(wanted: int, cores: int) -> WorkerSlots:
    """Up to `wanted` workers: all of them outside pre-commit, else as many slots as are
    free of the `cores` shared (none when fewer than two are: one worker would only
    do what this process can)."""
    if not os.environ.get("PRE_COMMIT") or wanted < 2:
        return WorkerSlots(wanted, [])
    try:
        import fcntl
    except ImportError:  # no flock here
        return WorkerSlots(wanted, [])
    folder = _private_folder()
    if folder is None:
        return WorkerSlots(wanted, [])
    held: list[int] = []
    for index in range(max(cores, 1)):
        if len(held) == wanted:
            break
        try:
            handle = os.open(folder / f"slot-{index}", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # another run holds it
            os.close(handle)
            continue
        held.append(handle)
    slots = WorkerSlots(len(held), held)
    if slots.count < 2:
        slots.close()
        return WorkerSlots(1, [])
    return slots


def _private_folder() -> Path | None:
    """`iaclint-slots-<uid>` in the temporary directory, this user's alone; None if it
    cannot be made or is not (another user's, or open to others)."""
    base = Path(os.environ.get("TMPDIR") or ("/tmp" if sys.platform != "win32" else "."))
    folder = base / f"iaclint-slots-{os.getuid()}"
    try:
        folder.mkdir(mode=_FOLDER_MODE, exist_ok=True)
        found = folder.lstat()
    except OSError:
        return None
    if (
        not stat.S_ISDIR(found.st_mode)
        or found.st_uid != os.getuid()
        or stat.S_IMODE(found.st_mode) & 0o077
    ):
        return None
    return folder

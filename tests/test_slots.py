"""Worker slots: under pre-commit, the iaclint processes running at once share one worker
per core; elsewhere a run takes the workers it asks for."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from iaclint.slots import worker_slots

pytestmark = pytest.mark.skipif(os.name == "nt", reason="no flock")


@pytest.fixture
def temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setenv("PRE_COMMIT", "1")
    return tmp_path


def test_outside_pre_commit_a_run_takes_what_it_asks_and_writes_nothing(
    temporary: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PRE_COMMIT")
    with worker_slots(8, 2) as slots:
        assert slots.count == 8
    assert list(temporary.iterdir()) == []


def test_runs_at_once_share_the_cores(temporary: Path) -> None:
    with worker_slots(4, 3) as first:
        assert first.count == 3
        with worker_slots(4, 3) as second:
            assert second.count == 1  # none free: it lints in its own process
    with worker_slots(4, 3) as again:
        assert again.count == 3  # let go when closed


def test_a_single_free_slot_is_not_worth_a_worker(temporary: Path) -> None:
    with worker_slots(2, 3) as first:
        assert first.count == 2
        with worker_slots(2, 3) as second:
            assert second.count == 1
        with worker_slots(2, 3) as third:
            assert third.count == 1
    with worker_slots(3, 3) as after:
        assert after.count == 3  # the second's single slot was not kept


def test_a_run_that_is_killed_lets_its_slots_go(temporary: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from iaclint.slots import worker_slots\n"
            "slots = worker_slots(2, 2)\n"
            "print(slots.count, flush=True)\n"
            "time.sleep(60)\n",
        ],
        env={**os.environ},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "2"
        with worker_slots(2, 2) as meanwhile:
            assert meanwhile.count == 1
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with worker_slots(2, 2) as after:
        assert after.count == 2


def test_a_folder_others_may_write_to_is_not_trusted(temporary: Path) -> None:
    folder = temporary / f"iaclint-slots-{os.getuid()}"
    folder.mkdir(mode=0o700)
    folder.chmod(0o777)
    with worker_slots(4, 2) as first, worker_slots(4, 2) as second:
        assert (first.count, second.count) == (4, 4)  # as outside pre-commit
    assert list(folder.iterdir()) == []

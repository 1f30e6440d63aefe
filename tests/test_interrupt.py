"""A run that is stopped (Ctrl-C, SIGTERM from a CI step's timeout, SIGKILL) ends its
worker processes with it, says so, and leaves no half-written report behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from iaclint import cli

from .test_cli import OPEN_SSH

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the process table from /proc"
)

# One open security group, to be numbered.
GROUP = OPEN_SSH.split("Resources:\n", 1)[1]


def many_templates(folder: Path) -> Path:
    """Enough work for two workers to be busy for several seconds."""
    text = "Resources:\n" + "".join(GROUP.replace("Group:", f"Group{n}:") for n in range(100))
    folder.mkdir()
    for n in range(400):
        (folder / f"stack{n}.yaml").write_text(text, encoding="utf-8")
    return folder


def children(pid: int) -> set[int]:
    """The live processes whose parent is `pid`."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] not in "ZX":
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in "ZX"


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Run:
    """iaclint over a folder with two jobs; its output goes to files (a pipe would be
    held open by workers that outlive it, and reading it would never end)."""

    def __init__(self, folder: Path, *extra: str) -> None:
        self.out = folder.parent / "out.txt"
        self.err = folder.parent / "err.txt"
        with self.out.open("w") as out, self.err.open("w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "iaclint", "--no-cache", "--jobs", "2", *extra, str(folder)],
                stdout=out,
                stderr=err,
                start_new_session=True,
                # As from a terminal: a job started in the background of a script
                # (as CI runners do) inherits SIGINT ignored, and Python keeps it so.
                preexec_fn=_default_sigint,
            )

    def wait(self) -> tuple[int, str, str]:
        code = self.process.wait(timeout=30)
        return code, self.out.read_text(), self.err.read_text()


def ignores_ctrl_c(pid: int) -> bool:
    """Whether the process ignores SIGINT, as a worker does once it is set up
    (`SigIgn` in /proc: a mask of the signals ignored, bit n-1 for signal n)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) >> (signal.SIGINT - 1) & 1)
    return False


def start(folder: Path, *extra: str) -> tuple[Run, set[int]]:
    """The run, once both its workers are set up to take its work: a process just
    forked still has the run's own signal handlers (a Ctrl-C then would be a
    traceback in the worker, not the run's decision), so a worker counts once it
    ignores SIGINT, the first thing its set-up does. Under load that can take
    seconds; no fixed sleep is long enough, so the state itself is watched."""
    run = Run(folder, *extra)
    process = run.process
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while len(workers) < 2 or not all(ignores_ctrl_c(pid) for pid in workers):
        assert process.poll() is None, "the run ended before its workers were seen"
        assert time.monotonic() < deadline, "no workers were set up"
        time.sleep(0.01)
        workers = children(process.pid)
        _SEEN.update(workers)
    return run, workers


def gone_within(workers: set[int], seconds: float) -> set[int]:
    """The workers still running after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = {pid for pid in workers if alive(pid)}
        if not left:
            return left
        time.sleep(0.05)
    return {pid for pid in workers if alive(pid)}


# Every worker a test has seen: whatever a failing test left running is ended, not
# left to the machine (an orphan's parent is no longer the test's process).
_SEEN: set[int] = set()


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    yield many_templates(tmp_path / "stacks")
    for pid in _SEEN:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    _SEEN.clear()


def test_workers_of_a_killed_run_end_with_it(folder: Path) -> None:
    run, workers = start(folder)
    run.process.kill()  # SIGKILL: the run itself can do nothing
    run.wait()
    assert gone_within(workers, 10) == set()


def test_sigterm_ends_the_run_and_its_workers_without_a_report(
    folder: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    report.write_text("the previous report\n", encoding="utf-8")
    run, workers = start(folder, "--format", "json", "--output", str(report))
    run.process.terminate()
    code, out, err = run.wait()
    assert code == 128 + signal.SIGTERM, (err[-2000:], out[-500:])
    assert err.strip().splitlines()[-1] == "iaclint: terminated"
    assert gone_within(workers, 10) == set()
    assert report.read_text(encoding="utf-8") == "the previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "err.txt",
        "out.txt",
        "report.json",
        "stacks",
    ]


def test_ctrl_c_ends_the_run_at_once(folder: Path) -> None:
    run, workers = start(folder)
    began = time.monotonic()
    os.killpg(run.process.pid, signal.SIGINT)  # what the terminal sends: the whole group
    code, out, err = run.wait()
    took = time.monotonic() - began
    assert code == 130, (took, err[-2000:], out[-500:])
    assert err.strip().splitlines() == ["iaclint: interrupted"]  # no traceback
    assert out == ""
    assert gone_within(workers, 10) == set()
    # The rest of the work (seconds of it) was not waited for.
    assert took < 3


def test_a_worker_watches_its_parent_where_the_kernel_cannot(tmp_path: Path) -> None:
    """The fallback for systems without PR_SET_PDEATHSIG: a thread that sees the parent go."""
    pid_file = tmp_path / "worker.pid"
    script = f"""
import os, sys, time
from iaclint import schedule
parent = os.getpid()
if os.fork() == 0:
    sys.platform = "darwin"
    schedule._end_with_parent(parent)
    open({str(pid_file)!r}, "w").write(str(os.getpid()))
    time.sleep(60)
    os._exit(0)
while not os.path.exists({str(pid_file)!r}):
    time.sleep(0.01)
time.sleep(0.2)
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    worker = int(pid_file.read_text())
    try:
        assert gone_within({worker}, 5) == set()
    finally:
        if alive(worker):
            os.kill(worker, signal.SIGKILL)


def test_a_report_interrupted_while_written_leaves_the_previous_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = tmp_path / "report.sarif"
    report.write_text("the previous report\n", encoding="utf-8")

    def interrupted(source: object, target: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cli._emit("a new report\n", str(report))
    assert report.read_text(encoding="utf-8") == "the previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.sarif"]


def test_a_report_is_written_whole(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    assert cli._emit("a report\n", str(report))
    assert report.read_text(encoding="utf-8") == "a report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]
    assert not cli._emit("a report\n", str(tmp_path / "missing" / "report.txt"))

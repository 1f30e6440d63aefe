"""Time iaclint's first run in a fresh CI job: a new virtualenv, an empty cache.

    python benchmarks/cold.py                  # this checkout's HEAD
    python benchmarks/cold.py main HEAD        # two revisions, and the ratio
    python benchmarks/cold.py --corpus DIR --runs 3 main HEAD

For each git revision: its files (`git archive`) are built into a wheel, the wheel
is installed with its dependencies into a new virtualenv (bytecode compiled, as pip
does), and `iaclint --format json CORPUS` runs once with HOME, XDG_CACHE_HOME and
IACLINT_CACHE_DIR pointing at empty folders: what the first lint of a CI job costs.
Building and installing are not timed; the run is, as a whole process, from
outside. With --runs N each revision is installed once and run N times, each in
empty folders again; the median is reported. The corpus defaults to the Terraform
corpus beside the repository (../shared/corpus/terraform).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "terraform"


class Measure(NamedTuple):
    revision: str
    seconds: list[float]
    findings: int
    cache_files: int  # what the first run left in the cache

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def install(revision: str, work: Path) -> Path:
    """A new virtualenv with `revision` installed from a wheel; its `iaclint`."""
    source = work / "source"
    source.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    wheels = work / "wheels"
    quiet = {"stdout": subprocess.DEVNULL, "check": True}
    python = sys.executable
    subprocess.run(
        [python, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)], **quiet
    )
    (wheel,) = wheels.glob("iaclint-*.whl")
    subprocess.run([python, "-m", "venv", str(work / "venv")], **quiet)
    pip = work / "venv" / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", str(wheel)], **quiet)
    return work / "venv" / "bin" / "iaclint"


def run_cold(iaclint: Path, corpus: Path, work: Path) -> tuple[float, int, int]:
    """One run with an empty cache: wall seconds, findings, files left in the cache."""
    homes = {name: work / name.lower() for name in ("HOME", "XDG_CACHE_HOME", "IACLINT_CACHE_DIR")}
    for folder in homes.values():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    environment.update({name: str(folder) for name, folder in homes.items()})
    started = time.perf_counter()
    done = subprocess.run(
        [str(iaclint), "--format", "json", str(corpus)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"iaclint failed ({done.returncode}): {done.stderr}")
    findings = len(json.loads(done.stdout)["findings"])
    left = sum(1 for folder in homes.values() for path in folder.rglob("*") if path.is_file())
    return seconds, findings, left


def measure(revision: str, corpus: Path, runs: int) -> Measure:
    with tempfile.TemporaryDirectory(prefix="iaclint-cold-") as folder:
        work = Path(folder)
        iaclint = install(revision, work)
        seconds: list[float] = []
        findings = left = 0
        for index in range(runs):
            took, findings, cached = run_cold(iaclint, corpus, work)
            seconds.append(took)
            left = cached if index == 0 else left
        return Measure(revision, seconds, findings, left)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revisions", nargs="*", default=["HEAD"], help="git revisions")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=1, help="cold runs per revision")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        parser.error(f"no corpus at {args.corpus}")
    results = [measure(revision, args.corpus, args.runs) for revision in args.revisions]
    for result in results:
        times = ", ".join(f"{s:.2f}" for s in result.seconds)
        print(
            f"{result.revision}: {result.median:.2f} s (runs: {times}); "
            f"{result.findings} findings; {result.cache_files} files left in the cache"
        )
    if len(results) == 2:
        before, after = results
        print(f"{after.revision} / {before.revision}: {after.median / before.median:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

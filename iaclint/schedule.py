"""Where the run's work is done: from the results cache, in this process, or in others.

The work is a list of templates and a list of Terraform root modules. Each is
looked up in the results cache first (memo.py); what is left is linted here or,
when there is enough of it and more than one job is allowed, spread over worker
processes. Results always come back in the order of the inputs, so the report is
the same byte for byte whatever the number of jobs.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from iaclint import collector
from iaclint.engine.policy import Policy
from iaclint.file_work import MAX_PLAN_BYTES, FileResult, FileWork, lint_work
from iaclint.memo import ResultCache, directory_digest, file_digest, still_current
from iaclint.parse.text import read_regular

if TYPE_CHECKING:
    import threading
    from concurrent.futures import Future, ProcessPoolExecutor

    from iaclint.run_terraform import RootResult, TerraformSession
    from iaclint.terraform_roots import Root

# Fewer inputs than this to lint are linted in this process: starting workers
# costs more than they would save.
PARALLEL_MINIMUM = 8
# What linting any file costs besides its size, in bytes' worth of work.
PER_FILE_WEIGHT = 4096
# Where the kernel cannot end a worker with its parent, how often it looks.
_PARENT_POLL_SECONDS = 0.5
# How often the run looks up from waiting on a worker, to see an interrupt.
_RESULT_POLL_SECONDS = 0.2
# Held while the workers are forked (a worker lets them through again).
_HELD = {signal.SIGINT, signal.SIGTERM}
_PR_SET_PDEATHSIG = 1


class Settings(NamedTuple):
    jobs: int
    use_cache: bool
    # Paths given on the command line and the --var-files (Terraform's context).
    given: tuple[str, ...]
    var_files: tuple[Path, ...]


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Scheduler:
    def __init__(self, policies: list[Policy], settings: Settings):
        self.policies = policies
        self.settings = settings
        self.cache = ResultCache(policies) if settings.use_cache else None
        self._session: TerraformSession | None = None

    def session(self) -> TerraformSession:
        """This process's Terraform session (its --var-file problems are the run's)."""
        if self._session is None:
            from iaclint.run_terraform import TerraformSession

            self._session = TerraformSession(self.settings.given, self.settings.var_files)
        return self._session

    def run(
        self, files: Sequence[FileWork], roots: Sequence[Root]
    ) -> tuple[list[FileResult], list[RootResult]]:
        entries = [self._file_entry(work) for work in files]
        file_results = [self._cached_file(entry) for entry in entries]
        root_results: list[RootResult | None] = [self._cached_root(root) for root in roots]
        file_todo = [i for i, result in enumerate(file_results) if result is None]
        root_todo = [i for i, result in enumerate(root_results) if result is None]

        def done_root(i: int, result: RootResult) -> None:
            root_results[i] = result
            self._keep_root(roots[i], result)

        def done_file(i: int, result: FileResult) -> None:
            file_results[i] = result
            self._keep_file(entries[i], result)

        jobs = min(self.settings.jobs, len(file_todo) + len(root_todo))
        try:
            if jobs > 1 and len(file_todo) + len(root_todo) >= PARALLEL_MINIMUM:
                self._in_workers(jobs, roots, root_todo, files, file_todo, done_root, done_file)
            else:
                for i in root_todo:
                    done_root(i, self.session().lint_root(roots[i], self.policies))
                for i in file_todo:
                    done_file(i, lint_work(files[i], self.policies))
        finally:
            if self.cache is not None:
                self.cache.flush()
        return _all(file_results), _all(root_results)

    def _in_workers(
        self,
        jobs: int,
        roots: Sequence[Root],
        root_todo: list[int],
        files: Sequence[FileWork],
        file_todo: list[int],
        done_root: Callable[[int, RootResult], None],
        done_file: Callable[[int, FileResult], None],
    ) -> None:
        pool = _pool(jobs, self.policies, self.settings)
        try:
            weights = {i: _weight(files[i]) for i in file_todo}
            chunks = _balanced_parts(file_todo, weights, jobs * 8)
            # Submitting forks the workers. A Ctrl-C or SIGTERM arriving while Python
            # runs its after-fork hooks is lost ("Exception ignored") and the run goes
            # on to the end; held until the workers exist, it is acted on at once.
            _mask(signal.SIG_BLOCK)
            try:
                # Root modules first: they take longest, so they start first.
                root_futures = [pool.submit(_root_task, roots[i]) for i in root_todo]
                file_futures = [
                    pool.submit(_files_task, [files[i] for i in part]) for part in chunks
                ]
            finally:
                _mask(signal.SIG_UNBLOCK)
            # Results are kept as they arrive, while the workers go on.
            for i, root_future in zip(root_todo, root_futures, strict=True):
                done_root(i, _result(root_future))
            for part, file_future in zip(chunks, file_futures, strict=True):
                results: list[FileResult] = _result(file_future)
                for i, result in zip(part, results, strict=True):
                    done_file(i, result)
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM) or failed: the workers' remaining work is
            # nobody's any more. Waiting for it, as leaving the pool normally does,
            # would keep the run going long after it was told to stop.
            _stop(pool)
            raise
        pool.shutdown(wait=True)

    # -- the results cache ---------------------------------------------------------

    def _file_entry(self, work: FileWork) -> str | None:
        if self.cache is None:
            return None
        try:
            raw = read_regular(work.candidate.path, MAX_PLAN_BYTES)
        except OSError:
            return None  # linted afresh (or refused), and the error reported
        context = json.dumps(
            [
                dict(work.construct_paths or {}),
                {key: list(span) for key, span in (work.defined_at or {}).items()},
            ],
            sort_keys=True,
        )
        return self.cache.entry(
            b"template",
            work.candidate.shown.encode("utf-8", "surrogateescape"),
            raw,
            context.encode(),
        )

    def _cached_file(self, entry: str | None) -> FileResult | None:

        if entry is None or self.cache is None:
            return None
        value = self.cache.load(entry)
        return value if isinstance(value, FileResult) else None

    def _keep_file(self, entry: str | None, result: FileResult) -> None:
        if entry is not None and self.cache is not None and result.cacheable:
            self.cache.store(entry, result)

    def _root_entry(self, root: Root) -> str | None:
        if self.cache is None:
            return None
        context = [
            os.path.realpath(root.directory),
            root.shown,
            os.path.realpath(Path.cwd()),
            *(os.path.realpath(path) for path in self.settings.given),
        ]
        var_files = [
            f"{path.as_posix()}:{file_digest(str(path))}" for path in self.settings.var_files
        ]
        return self.cache.entry(b"terraform", json.dumps([context, var_files]).encode())

    def _cached_root(self, root: Root) -> RootResult | None:
        from iaclint.run_terraform import RootResult

        entry = self._root_entry(root)
        if entry is None or self.cache is None:
            return None
        value = self.cache.load(entry)
        if not (isinstance(value, tuple) and len(value) == 3):
            return None
        directories, files, result = value
        if not isinstance(result, RootResult) or not still_current(directories, files):
            return None
        return result

    def _keep_root(self, root: Root, result: RootResult) -> None:
        entry = self._root_entry(root)
        if entry is None or self.cache is None:
            return
        directories = {path: directory_digest(path) for path in sorted(result.directories)}
        files = {path: file_digest(path) for path in sorted(result.files)}
        self.cache.store(entry, (directories, files, result))


# -- worker processes ---------------------------------------------------------------

# What a worker process keeps between tasks: the policies and its Terraform session.
_WORKER: dict[str, object] = {}

T = TypeVar("T")


def _pool(jobs: int, policies: list[Policy], settings: Settings) -> ProcessPoolExecutor:
    # Imported here: a run small enough for one process never pays for them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor as Pool

    methods = multiprocessing.get_all_start_methods()
    # fork starts a worker in milliseconds and shares the compiled policies.
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return Pool(
        max_workers=jobs,
        mp_context=context,
        initializer=_start_worker,
        initargs=(policies, settings, os.getpid()),
    )


def _result(future: Future[T]) -> T:
    """A worker's result, waited for in short steps: Ctrl-C may reach another thread
    of this process (the pool's), and a wait without a timeout would only see it
    once the result arrives, seconds later."""
    from concurrent.futures import TimeoutError as NotYet

    while True:
        try:
            return future.result(timeout=_RESULT_POLL_SECONDS)
        except NotYet:
            continue


def _stop(pool: ProcessPoolExecutor) -> None:
    """End the workers now, whatever they are doing."""
    # Taken first: shutting the pool down forgets its processes and its thread.
    processes = list(pool._processes.values()) if pool._processes else []
    # (typeshed mistypes this attribute as the thread's pipe)
    manager: threading.Thread | None = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.kill()
    for process in processes:
        process.join(timeout=5)
    # The pool's thread sees its workers gone and closes its pipe. Waited for here:
    # at interpreter exit, Python 3.11 writes to the pipe of a thread still running
    # and prints "Exception ignored ... Bad file descriptor" when it was just closed.
    if manager is not None:
        manager.join(timeout=5)


def _mask(how: int) -> None:
    """Hold or let through `_HELD` in this thread (where signals can be held)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(how, _HELD)


def _start_worker(policies: list[Policy], settings: Settings, parent: int) -> None:
    # Ctrl-C reaches the whole process group: the parent alone decides what it
    # means (it ends the workers), and a SIGTERM handler of the parent's is not
    # the worker's.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Forked while the run held them (`_in_workers`): a SIGTERM must end a worker.
    _mask(signal.SIG_UNBLOCK)
    _end_with_parent(parent)
    collector.tune()  # inherited with fork, not with spawn
    _WORKER["scheduler"] = Scheduler(policies, settings._replace(jobs=1, use_cache=False))


def _end_with_parent(parent: int) -> None:
    """Make this worker end when the run's process does, even when that one is killed
    outright (SIGKILL, as a CI step's timeout does) and cannot end its workers itself:
    an orphan would go on with its task, holding its memory, for as long as it takes."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            # PR_SET_PDEATHSIG: the kernel sends SIGKILL when the parent goes, even
            # while this process is busy in C code (a long regular-expression match).
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # gone before the request was made
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass
    # Elsewhere: a thread that looks for the parent twice a second.
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="iaclint-parent-watch", daemon=True).start()


def _worker() -> Scheduler:
    scheduler = _WORKER["scheduler"]
    assert isinstance(scheduler, Scheduler)
    return scheduler


def _root_task(root: Root) -> RootResult:
    scheduler = _worker()
    return scheduler.session().lint_root(root, scheduler.policies)


def _files_task(files: list[FileWork]) -> list[FileResult]:
    policies = _worker().policies
    return [lint_work(work, policies) for work in files]


def _weight(work: FileWork) -> int:
    """About how long a file takes to lint: its size, plus what every file costs."""
    try:
        size = os.stat(work.candidate.path).st_size
    except OSError:
        size = 0
    return size + PER_FILE_WEIGHT


def _balanced_parts(todo: list[int], weights: Mapping[int, int], count: int) -> list[list[int]]:
    """The files in about `count` parts of equal weight, the heaviest first: a large
    template is a part of its own, handed out early, so that no worker is left with
    it while the others have finished (parts cut in directory order left one
    worker with a folder of large templates at the end of the run)."""
    heaviest_first = sorted(todo, key=lambda i: weights[i], reverse=True)
    target = max(1, sum(weights.values()) // count)
    parts: list[list[int]] = []
    part: list[int] = []
    weight = 0
    for i in heaviest_first:
        part.append(i)
        weight += weights[i]
        if weight >= target:
            parts.append(part)
            part, weight = [], 0
    if part:
        parts.append(part)
    return parts


def _all(results: list[T | None]) -> list[T]:
    out = [result for result in results if result is not None]
    assert len(out) == len(results)
    return out

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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from iaclint.discover import Candidate
from iaclint.engine.policy import Policy
from iaclint.memo import ResultCache, directory_digest, file_digest, still_current
from iaclint.parse.text import read_regular
from iaclint.span import Span

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from iaclint.run import FileResult
    from iaclint.run_terraform import Root, RootResult, TerraformSession

# Fewer inputs than this to lint are linted in this process: starting workers
# costs more than they would save.
PARALLEL_MINIMUM = 8


class FileWork(NamedTuple):
    candidate: Candidate
    # From the cloud assembly a template belongs to.
    construct_paths: Mapping[str, str] | None = None
    defined_at: Mapping[str, Span] | None = None


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
        file_results: list[FileResult | None] = [self._cached_file(work) for work in files]
        root_results: list[RootResult | None] = [self._cached_root(root) for root in roots]
        file_todo = [i for i, result in enumerate(file_results) if result is None]
        root_todo = [i for i, result in enumerate(root_results) if result is None]
        jobs = min(self.settings.jobs, len(file_todo) + len(root_todo))
        if jobs > 1 and len(file_todo) + len(root_todo) >= PARALLEL_MINIMUM:
            done_roots, done_files = self._in_workers(
                jobs, [roots[i] for i in root_todo], [files[i] for i in file_todo]
            )
        else:
            session = self.session() if root_todo else None
            done_roots = [
                session.lint_root(roots[i], self.policies) for i in root_todo if session is not None
            ]
            done_files = [_lint_file(files[i], self.policies) for i in file_todo]
        for i, root_result in zip(root_todo, done_roots, strict=True):
            root_results[i] = root_result
            self._keep_root(roots[i], root_result)
        for i, file_result in zip(file_todo, done_files, strict=True):
            file_results[i] = file_result
            self._keep_file(files[i], file_result)
        return _all(file_results), _all(root_results)

    def _in_workers(
        self, jobs: int, roots: list[Root], files: list[FileWork]
    ) -> tuple[list[RootResult], list[FileResult]]:
        with _pool(jobs, self.policies, self.settings) as pool:
            # Root modules first: they take longest, so they start first.
            root_futures = [pool.submit(_root_task, root) for root in roots]
            chunk = max(1, len(files) // (jobs * 4))
            file_futures = [
                pool.submit(_files_task, files[start : start + chunk])
                for start in range(0, len(files), chunk)
            ]
            done_roots = [future.result() for future in root_futures]
            done_files = [result for future in file_futures for result in future.result()]
        return done_roots, done_files

    # -- the results cache ---------------------------------------------------------

    def _file_entry(self, work: FileWork) -> Path | None:
        if self.cache is None:
            return None
        try:
            raw = read_regular(work.candidate.path)
        except OSError:
            return None  # linted afresh, and the error reported
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

    def _cached_file(self, work: FileWork) -> FileResult | None:
        from iaclint.run import FileResult

        entry = self._file_entry(work)
        if entry is None or self.cache is None:
            return None
        value = self.cache.load(entry)
        return value if isinstance(value, FileResult) else None

    def _keep_file(self, work: FileWork, result: FileResult) -> None:
        entry = self._file_entry(work)
        if entry is not None and self.cache is not None and result.cacheable:
            self.cache.store(entry, result)

    def _root_entry(self, root: Root) -> Path | None:
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


def _pool(jobs: int, policies: list[Policy], settings: Settings) -> Executor:
    # Imported here: a run small enough for one process never pays for them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    # fork starts a worker in milliseconds and shares the compiled policies.
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_start_worker,
        initargs=(policies, settings),
    )


def _start_worker(policies: list[Policy], settings: Settings) -> None:
    _WORKER["scheduler"] = Scheduler(policies, settings._replace(jobs=1, use_cache=False))


def _worker() -> Scheduler:
    scheduler = _WORKER["scheduler"]
    assert isinstance(scheduler, Scheduler)
    return scheduler


def _root_task(root: Root) -> RootResult:
    scheduler = _worker()
    return scheduler.session().lint_root(root, scheduler.policies)


def _files_task(files: list[FileWork]) -> list[FileResult]:
    policies = _worker().policies
    return [_lint_file(work, policies) for work in files]


def _lint_file(work: FileWork, policies: list[Policy]) -> FileResult:
    from iaclint.run import lint_file

    return lint_file(work.candidate, policies, work.construct_paths, work.defined_at)


def _all(results: list[T | None]) -> list[T]:
    out = [result for result in results if result is not None]
    assert len(out) == len(results)
    return out

"""The work on one file: a CloudFormation template (alone or from a CDK assembly) or a
Terraform plan, read, adapted, evaluated.

Both the run (run.py) and the scheduler that spreads files over processes
(schedule.py) use it; neither needs the other for it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from iaclint.diagnostics import Diagnostic, Level, defect
from iaclint.discover import TEMPLATE_SUFFIXES, Candidate
from iaclint.engine.evaluate import evaluate
from iaclint.engine.policy import Policy
from iaclint.findings import Finding, Undetermined
from iaclint.parse.document import ParseError
from iaclint.parse.terraform_plan import mentions_plan
from iaclint.parse.text import MAX_SOURCE_BYTES, FileTooLarge, decode, read_regular, split_lines
from iaclint.run_terraform import lint_plan
from iaclint.span import Span

# Plans of large estates are bigger than any source file, but bounded too.
MAX_TEMPLATE_BYTES = MAX_SOURCE_BYTES
MAX_PLAN_BYTES = 100 * 1024 * 1024


class FileWork(NamedTuple):
    candidate: Candidate
    # From the cloud assembly a template belongs to.
    construct_paths: Mapping[str, str] | None = None
    defined_at: Mapping[str, Span] | None = None


class FileResult(NamedTuple):
    linted: bool
    findings: list[Finding]
    undetermined: list[Undetermined]
    diagnostics: list[Diagnostic]
    # False when the result depends on other files too (a plan reads its configuration).
    cacheable: bool = True
    # A plan: the directory whose configuration it may have been made from (resolved).
    configuration: Path | None = None


def lint_work(work: FileWork, policies: list[Policy]) -> FileResult:
    return lint_file(work.candidate, policies, work.construct_paths, work.defined_at)


def lint_file(
    candidate: Candidate,
    policies: list[Policy],
    construct_paths: Mapping[str, str] | None = None,
    defined_at: Mapping[str, Span] | None = None,
) -> FileResult:
    """Lint one file. Never raises: every problem becomes a located diagnostic.

    `construct_paths` (logical id -> CDK construct path) comes from the cloud
    assembly a template belongs to.
    """
    try:
        return _lint_file(candidate, policies, construct_paths, defined_at)
    except Exception as exc:  # a defect in iaclint: this file fails, the others are linted
        if os.environ.get("IACLINT_DEBUG"):
            raise
        return _failed(defect(candidate.shown, exc))


def _lint_file(
    candidate: Candidate,
    policies: list[Policy],
    construct_paths: Mapping[str, str] | None,
    defined_at: Mapping[str, Span] | None,
) -> FileResult:
    from iaclint.adapt.cloudformation.template import adapt_template
    from iaclint.parse.cloudformation import is_template, mentions_template, read_template

    shown = candidate.shown
    try:
        raw = read_regular(candidate.path, MAX_PLAN_BYTES)
    except FileTooLarge as exc:
        return _failed(_too_large(shown, exc.size, MAX_PLAN_BYTES))
    except IsADirectoryError:
        return _failed(Diagnostic.error(shown, "is a directory, not a file"))
    except OSError as exc:
        return _failed(Diagnostic.error(shown, f"cannot read: {exc.strerror or exc}"))
    try:
        text = decode(raw)
    except ParseError as exc:
        # Undecodable bytes are an error in a file named like a template, or in
        # any file whose bytes mention a template; otherwise the file is not ours.
        named_like_template = candidate.path.suffix.lower() in TEMPLATE_SUFFIXES
        if not named_like_template and not mentions_template(raw.decode("latin-1")):
            return FileResult(False, [], [], [])
        return _failed(Diagnostic.error(shown, exc.message, exc.line, exc.column))
    if mentions_plan(text):
        plan = lint_plan(candidate, text, policies)
        if plan is not None:
            return FileResult(
                bool(plan.files_linted),
                plan.findings,
                plan.undetermined,
                plan.diagnostics,
                cacheable=False,
                configuration=candidate.path.parent.resolve(),
            )
    if not mentions_template(text):
        return FileResult(False, [], [], [])
    if len(raw) > MAX_TEMPLATE_BYTES:
        return _failed(_too_large(shown, len(raw), MAX_TEMPLATE_BYTES))
    try:
        document = read_template(text, shown)
    except ParseError as exc:
        return _failed(Diagnostic.error(shown, exc.message, exc.line, exc.column))
    except RecursionError:
        return _failed(Diagnostic.error(shown, "nested too deeply to read"))
    if not is_template(document.data):
        return FileResult(False, [], [], [])
    diagnostics = list(document.diagnostics)
    graph, problems = adapt_template(document, construct_paths, defined_at)
    diagnostics.extend(problems)
    lines: list[str] | None = None

    def line_of(span: Span) -> str | None:
        nonlocal lines
        if lines is None:
            lines = split_lines(text)
        if span.file != shown or not 0 < span.line <= len(lines):
            return None
        return lines[span.line - 1]

    evaluation = evaluate(graph, policies, line_of)
    for policy_id, span, message in evaluation.errors:
        diagnostics.append(
            Diagnostic.error(span.file, f"{policy_id}: {message}", span.line, span.column)
        )
    # The engine masks findings; the reader's and adapter's messages may quote a value.
    masked = evaluation.masker.diagnostics(diagnostics)
    return FileResult(True, evaluation.findings, evaluation.undetermined, masked)


def _too_large(shown: str, size: int, limit: int) -> Diagnostic:
    why = (
        "CloudFormation itself accepts templates of up to 1 MB"
        if limit == MAX_TEMPLATE_BYTES
        else "the largest file iaclint reads"
    )
    return Diagnostic.error(
        shown,
        f"{size / 1048576:.1f} MB is over the {limit // 1048576} MB limit ({why}): not linted",
    )


def _failed(diagnostic: Diagnostic) -> FileResult:
    return FileResult(False, [], [], [diagnostic])


def has_error(diagnostics: list[Diagnostic]) -> bool:
    return any(diagnostic.level is Level.ERROR for diagnostic in diagnostics)

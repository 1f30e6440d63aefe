"""What the run's readers see, after evaluation: paths as the repository names them.

The command line calls this between `lint` and the reporters; the filters it
applies live in `iaclint/filter/`.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from iaclint.diagnostics import Diagnostic, Level
from iaclint.filter.baseline import (
    MAX_BASELINE_BYTES,
    BaselineError,
    apply_baseline,
    read_baseline,
    render_baseline,
)
from iaclint.filter.baseline import summary as baseline_summary
from iaclint.filter.diff import BaseFindings, select_new
from iaclint.filter.suppress import (
    UNUSED_ID,
    UNUSED_POLICY,
    Found,
    Suppression,
    apply_suppressions,
    known_only,
    read_comment_properties,
    read_comments,
    read_metadata,
)
from iaclint.findings import Finding, Report, Suppressed
from iaclint.parse.cloudformation import mentions_template, read_template
from iaclint.parse.document import ParseError
from iaclint.parse.text import decode, read_regular
from iaclint.report.location import SourceRoot
from iaclint.span import Span


def source_root(cwd: Path, files: Sequence[str] = ()) -> SourceRoot:
    """The repository root and where `cwd` is in it: the repository of `cwd`, else
    (a run started outside it) the one holding the first of `files`, else the
    current directory."""
    from iaclint.filter.git import repository_root  # git and subprocess: only when needed

    here = cwd.resolve()
    root = repository_root(here)
    if root is None and files:
        folder = (here / files[0]).parent
        if folder.is_dir():
            root = repository_root(folder)
    if root is None:
        return SourceRoot(here.as_posix(), "")
    inside = os.path.relpath(here, root.resolve()).replace(os.sep, "/")
    return SourceRoot(root.resolve().as_posix(), "" if inside == "." else inside + "/")


def today() -> datetime.date:
    """The day suppressions are judged on (UTC, so every CI runner agrees)."""
    return datetime.datetime.now(datetime.UTC).date()


def suppress(report: Report, on: datetime.date, known_ids: frozenset[str] | None) -> Report:
    """Findings covered by a justified suppression marked so (they no longer count).

    A suppression naming anything but one of `known_ids` is an error and suppresses
    nothing; with None (the merge base, whose errors nobody sees) ids are not judged."""
    suppressions: list[Suppression] = []
    diagnostics: list[Diagnostic] = []
    # A file the run could not read has no findings to judge its suppressions by.
    unreadable = {d.file for d in report.diagnostics if d.level is Level.ERROR}
    for file in dict.fromkeys([*report.sources, *(f.file for f in report.findings)]):
        if file in unreadable:
            continue
        found = _suppressions_in(file)
        suppressions.extend(found.suppressions)
        diagnostics.extend(found.diagnostics)
    if known_ids is not None:
        judged = known_only(suppressions, known_ids)
        suppressions = judged.suppressions
        diagnostics.extend(judged.diagnostics)
    if not suppressions and not diagnostics:
        return report
    ran = frozenset(policy.id for policy in report.policies)
    applied = apply_suppressions(report.findings, suppressions, ran, on)
    findings = sorted(applied.findings, key=Finding.sort_key)
    policies = report.policies
    if any(finding.policy_id == UNUSED_ID for finding in findings):
        policies = (*policies, UNUSED_POLICY)
    return report._replace(
        findings=tuple(findings),
        diagnostics=(*report.diagnostics, *diagnostics, *applied.diagnostics),
        policies=policies,
    )


def _suppressions_in(file: str) -> Found:
    try:
        raw = read_regular(Path(file))
    except OSError:
        return Found([], [])  # unreadable files were reported by the run itself
    if b"iaclint" not in raw:
        return Found([], [])
    try:
        text = decode(raw)
    except ParseError:
        return Found([], [])
    if file.lower().endswith(".tf.json"):
        return _comment_properties(text, file)
    found = read_comments(text, file) if not _is_json(text) else Found([], [])
    if "Metadata" in text and mentions_template(text):
        try:
            document = read_template(text, file)
        except (ParseError, RecursionError):
            return found  # the run has reported why it cannot be read
        # Resources a loop generates carry the Metadata written in the loop, and
        # those SAM generates are covered by their SAM resource's. (Imported here: a
        # run without such a template never loads the CloudFormation adapter.)
        from iaclint.adapt.cloudformation.language_extensions import expand
        from iaclint.adapt.cloudformation.sam import generated_by

        document, _ = expand(document)  # its problems were reported by the run
        metadata = read_metadata(document.data, dict(document.spans), file, generated_by(document))
        found.suppressions.extend(metadata.suppressions)
        found.diagnostics.extend(metadata.diagnostics)
    return found


def _comment_properties(text: str, file: str) -> Found:
    """The suppressions of a `.tf.json` file, written in its `//` properties."""
    from iaclint.parse.hcl.json_syntax import comments, read_json_value
    from iaclint.parse.hcl.syntax import SourceText

    try:
        value = read_json_value(text, file)
    except (ParseError, RecursionError):
        return Found([], [])  # the run has reported why it cannot be read
    source = SourceText(file, text)
    written = []
    for comment, holder in comments(value):
        first, _ = source.position(holder.start)
        last, _ = source.position(holder.end)
        span = source.span(comment.start, comment.end)
        written.append((comment.value, span, frozenset(range(first, last + 1))))
    return read_comment_properties(written)


def _is_json(text: str) -> bool:
    return text.lstrip().startswith(("{", "["))


def stable_name(root: SourceRoot) -> Callable[[Finding], str]:
    """A finding's fingerprint with its file named from the repository root."""
    return lambda finding: finding.fingerprint_as(root.relative(finding.file) or finding.file)


def write_baseline(report: Report, path: Path, root: SourceRoot) -> str | None:
    """Record the findings that count today; the error text if the file cannot be written."""
    counted = [finding for finding in report.findings if finding.suppression is None]
    try:
        path.write_text(render_baseline(counted, stable_name(root)), encoding="utf-8")
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror or exc}"
    return None


def with_baseline(report: Report, path: Path, root: SourceRoot) -> Report:
    """Only the findings the baseline does not hold, and a notice of what it did."""
    shown = str(path)
    try:
        accepted = read_baseline(read_regular(path, MAX_BASELINE_BYTES).decode("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        problem = getattr(exc, "strerror", None) or str(exc)
        error = Diagnostic.error(shown, f"cannot read the baseline: {problem}")
        return report._replace(diagnostics=(*report.diagnostics, error))
    except BaselineError as exc:
        error = Diagnostic.error(shown, f"bad baseline: {exc.message}", exc.line)
        return report._replace(diagnostics=(*report.diagnostics, error))
    result = apply_baseline(report.findings, accepted, stable_name(root))
    # Where the baseline is, for the SARIF readers that are shown these findings.
    place = Span(shown, 1, 1, 1, 1)
    because = Suppressed("baseline", f"accepted in the baseline {shown}", place)
    return report._replace(
        findings=tuple(result.findings),
        diagnostics=(*report.diagnostics, baseline_summary(shown, result)),
        baselined=tuple(finding._replace(suppression=because) for finding in result.accepted),
    )


def only_new(report: Report, base: BaseFindings, cwd: Path, show_all: bool) -> Report:
    """The findings the merge base does not have (all of them, marked, with `show_all`),
    and a notice saying what they were compared with."""
    repository = source_root(cwd)

    def relative(file: str) -> str:
        return repository.relative(file) or file

    findings = select_new(report.findings, base, relative, show_all)
    message = f"compared with the merge base {base.commit[:12]}: {len(base.fingerprints)} " + (
        "finding there" if len(base.fingerprints) == 1 else "findings there"
    )
    if base.unreadable:
        message += (
            f"; {base.unreadable} file{'s' * (base.unreadable != 1)} could not be read there "
            "(their findings count as new)"
        )
    notice = Diagnostic.notice("--diff-base", message)
    return report._replace(findings=tuple(findings), diagnostics=(*report.diagnostics, notice))


class Review(NamedTuple):
    """What to do with the findings once the run has them (command line and config)."""

    # Every policy id loaded: what a suppression may name.
    known_ids: frozenset[str]
    baseline: Path | None = None
    write_baseline: Path | None = None
    # With --diff-base: what the merge base holds; only findings it lacks are reported.
    base: BaseFindings | None = None
    show_all: bool = False


def review(report: Report, settings: Review, cwd: Path) -> tuple[Report, str | None]:
    """Suppressions, then the baseline (judged against every finding), then what is
    new since the merge base. Returns the report and, if the baseline cannot be written, why."""
    report = suppress(report, today(), settings.known_ids)
    baseline = settings.baseline
    if settings.write_baseline is not None or baseline is not None:
        repository = source_root(cwd)
        if settings.write_baseline is not None:
            problem = write_baseline(report, settings.write_baseline, repository)
            if problem is not None:
                return report, problem
            baseline = settings.write_baseline
        assert baseline is not None
        report = with_baseline(report, baseline, repository)
    if settings.base is not None:
        report = only_new(report, settings.base, cwd, settings.show_all)
    return report, None

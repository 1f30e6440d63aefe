"""The Terraform part of a run: directories of `.tf` (and `.tf.json`) files, and
plan JSON files.

Terraform's unit is a directory, not a file: every directory holding configuration
files is linted as a root module, with its `.tfvars` files and the `--var-file`s, and
the local modules it calls are read and evaluated with the arguments it gives
them. A module directory that is also linted on its own, or called by several
roots, can yield the same finding more than once: a finding at the same place
for the same policy is reported once, by the first root that finds it (within one
root, every instance is reported: `aws_instance.web[0]` and `[1]` are two servers).

Which roots a run lints (those found by walking, and those a named or deleted
file can change) is decided by terraform_roots.py; each is reported whole.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from iaclint.diagnostics import Diagnostic, defect
from iaclint.discover import Candidate
from iaclint.engine.evaluate import evaluate
from iaclint.engine.policy import Policy
from iaclint.findings import Finding, Undetermined
from iaclint.span import Span
from iaclint.terraform_roots import Root, terraform_roots

if TYPE_CHECKING:  # the Terraform packages are imported only when a .tf file is found
    from iaclint.adapt.terraform.loader import ModuleLoader
    from iaclint.adapt.terraform.tfvars import VarValues


class TerraformResult(NamedTuple):
    files_linted: int
    findings: list[Finding]
    undetermined: list[Undetermined]
    diagnostics: list[Diagnostic]
    # The configuration files read (as shown): suppressions may be written in any of them.
    sources: tuple[str, ...] = ()


class RootResult(NamedTuple):
    """One root module's results, before they are merged with the other roots'."""

    findings: list[Finding]
    undetermined: list[Undetermined]
    diagnostics: list[Diagnostic]
    # The configuration files it read (as shown), for the count of files linted.
    tf_files: frozenset[str]
    # What the results depend on (real paths): module directories and files
    # read through file()/templatefile(). A results cache checks them.
    directories: frozenset[str]
    files: frozenset[str]


class TerraformSession:
    """What the root modules of one run share: the loader and the --var-file values."""

    def __init__(self, given: Iterable[str], var_files: Iterable[Path] = ()):
        from iaclint.adapt.terraform.loader import ModuleLoader

        self.loader = ModuleLoader(_tree(given))
        self.diagnostics: list[Diagnostic] = []
        self.extra: list[tuple[VarValues, str]] = []
        for path in var_files:
            shown = path.as_posix()
            if not path.is_file():
                self.diagnostics.append(Diagnostic.error(shown, "var file not found"))
                continue
            values, problems = _var_file(self.loader, path, shown)
            self.diagnostics.extend(problems)
            self.extra.append((values, shown))

    def lint_root(self, root: Root, policies: list[Policy]) -> RootResult:
        self.loader.start_root()
        findings, undetermined, diagnostics = _lint_root(root, self.loader, policies, self.extra)
        return RootResult(
            findings,
            undetermined,
            diagnostics,
            self.loader.root_files(),
            frozenset(self.loader.touched_directories),
            frozenset(self.loader.touched_files),
        )


def _var_file(loader: ModuleLoader, path: Path, shown: str) -> tuple[VarValues, list[Diagnostic]]:
    """A --var-file's values; whatever it holds, an error about it, never a crash."""
    from iaclint.adapt.terraform.build import too_large
    from iaclint.adapt.terraform.evaluate import TooLarge
    from iaclint.adapt.terraform.tfvars import read_var_file

    try:
        return read_var_file(loader, path, shown)
    except TooLarge as exc:
        return {}, [too_large(exc, shown, shown)]
    except RecursionError:
        return {}, [Diagnostic.error(shown, "nested too deeply to evaluate")]
    except Exception as exc:  # a defect must not lose the rest of the run
        if os.environ.get("IACLINT_DEBUG"):
            raise
        return {}, [defect(shown, exc, "this file")]


def lint_terraform(
    candidates: Iterable[Candidate],
    policies: list[Policy],
    given: Iterable[str],
    var_files: Iterable[Path] = (),
) -> TerraformResult:
    """Lint the root modules the `.tf` candidates belong to, one after the other."""
    roots, _ = terraform_roots(candidates, var_files=tuple(var_files))
    if not roots:
        return TerraformResult(0, [], [], [])
    session = TerraformSession(given, var_files)
    results = [session.lint_root(root, policies) for root in roots]
    return merge_roots(results, session.diagnostics)


def merge_roots(results: list[RootResult], diagnostics: list[Diagnostic]) -> TerraformResult:
    """The roots' results as one: each place reported once, by the first root finding it.
    Never raises."""
    diagnostics = list(diagnostics)
    findings: list[Finding] = []
    undetermined: list[Undetermined] = []
    tf_files: set[str] = set()
    # Places already reported by an earlier root: (policy, span, attribute).
    reported: set[tuple[str, Span, str]] = set()
    checked: set[tuple[str, Span, str]] = set()
    for result in results:
        diagnostics.extend(result.diagnostics)
        tf_files.update(result.tf_files)
        findings.extend(
            f for f in result.findings if (f.policy_id, f.span, f.attribute) not in reported
        )
        reported.update((f.policy_id, f.span, f.attribute) for f in result.findings)
        undetermined.extend(
            u for u in result.undetermined if (u.policy_id, u.span, u.attribute) not in checked
        )
        checked.update((u.policy_id, u.span, u.attribute) for u in result.undetermined)
    return TerraformResult(
        len(tf_files),
        sorted(findings, key=Finding.sort_key),
        sorted(undetermined, key=Undetermined.sort_key),
        list(dict.fromkeys(diagnostics)),
        tuple(sorted(tf_files)),
    )


# What a finding says, wherever it points: policy, resource, attribute path.
Said = tuple[str, str, str]


class ConfigurationFindings:
    """What each root module's `.tf` files found, for the plans beside them.

    A plan made from the configuration it sits beside finds what the
    configuration does. Its finding is dropped when the root module in the
    plan's directory found the same policy on the same resource at the same
    attribute or at one containing it (`policy` contains `policy.Statement[0]`),
    or at the single element of the plan's value (`Action[0]` for `Action`: the
    provider writes a list of one as its element). Anything else the plan finds
    is kept, since a plan knows values the configuration leaves unknown.
    """

    def __init__(self, roots: Iterable[Root], results: Iterable[RootResult]):
        self._found: dict[Path, dict[tuple[str, str], set[str]]] = {}
        self._undecided: dict[Path, dict[tuple[str, str], set[str]]] = {}
        for root, result in zip(roots, results, strict=True):
            directory = root.directory.resolve()
            found = self._found.setdefault(directory, {})
            for f in result.findings:
                found.setdefault((f.policy_id, f.resource), set()).add(f.attribute)
            undecided = self._undecided.setdefault(directory, {})
            for u in result.undetermined:
                undecided.setdefault((u.policy_id, u.resource), set()).add(u.attribute)

    def new_findings(self, directory: Path | None, findings: list[Finding]) -> list[Finding]:
        """The plan's findings its configuration did not find already."""
        found = self._found.get(directory) if directory is not None else None
        if not found:
            return findings
        return [f for f in findings if not _said(found, (f.policy_id, f.resource, f.attribute))]

    def new_undetermined(
        self, directory: Path | None, undetermined: list[Undetermined]
    ) -> list[Undetermined]:
        undecided = self._undecided.get(directory) if directory is not None else None
        if not undecided:
            return undetermined
        return [
            u for u in undetermined if not _said(undecided, (u.policy_id, u.resource, u.attribute))
        ]


_ELEMENT = re.compile(r"\[\d+\]")


def _said(found: dict[tuple[str, str], set[str]], said: Said) -> bool:
    policy_id, resource, attribute = said
    for written in found.get((policy_id, resource), ()):
        if written == attribute:
            return True
        if attribute.startswith(written) and attribute[len(written)] in ".[":
            return True  # the configuration's attribute contains the plan's
        if written.startswith(attribute) and _ELEMENT.fullmatch(written[len(attribute) :]):
            return True  # a list of one, and its element
    return False


def _tree(given: Iterable[str]) -> list[Path]:
    """The linted tree (see loader.linted_tree): the repositories of the paths given
    (a file: its directory), and the repository the run is in, whose files a hook
    names; never the current directory when it is in no repository (a home)."""
    from iaclint.adapt.terraform.loader import linted_tree

    paths = [Path(path) if Path(path).is_dir() else Path(path).parent for path in given]
    tree = linted_tree(paths)
    here = linted_tree([Path.cwd()])[0]
    if (here / ".git").exists() and here not in tree:
        tree.append(here)
    return tree


def _lint_root(
    root: Root, loader: ModuleLoader, policies: list[Policy], extra: list[tuple[VarValues, str]]
) -> tuple[list[Finding], list[Undetermined], list[Diagnostic]]:
    """One root's results; whatever its files hold, an error about them, never a crash."""
    try:
        return _evaluate_root(root, loader, policies, extra)
    except RecursionError:
        return [], [], [Diagnostic.error(root.shown, "nested too deeply to evaluate")]
    except MemoryError:
        return [], [], [Diagnostic.error(root.shown, "ran out of memory evaluating this module")]
    except Exception as exc:  # a defect must not lose the rest of the run
        if os.environ.get("IACLINT_DEBUG"):
            raise
        return [], [], [defect(root.shown, exc, "this root module")]


def _evaluate_root(
    root: Root, loader: ModuleLoader, policies: list[Policy], extra: list[tuple[VarValues, str]]
) -> tuple[list[Finding], list[Undetermined], list[Diagnostic]]:
    from iaclint.adapt.terraform.build import adapt_unit, too_large
    from iaclint.adapt.terraform.evaluate import TooLarge
    from iaclint.adapt.terraform.loader import NotRead
    from iaclint.adapt.terraform.module import Unit
    from iaclint.adapt.terraform.tfvars import root_values

    try:
        values, diagnostics = root_values(loader, root.directory, root.shown, extra)
        unit = Unit(loader, root.directory, root.shown, values)
        graph, problems = adapt_unit(unit)
    except NotRead as exc:
        return [], [], [Diagnostic.error(root.shown, f"not read: {exc}")]
    except TooLarge as exc:
        return [], [], [too_large(exc, root.shown, root.shown)]
    diagnostics.extend(problems)
    evaluation = evaluate(graph, policies, _lines(loader))
    for policy_id, span, message in evaluation.errors:
        diagnostics.append(
            Diagnostic.error(span.file, f"{policy_id}: {message}", span.line, span.column)
        )
    # The engine masks findings; the adapter's own messages may quote a value too.
    return (
        evaluation.findings,
        evaluation.undetermined,
        evaluation.masker.diagnostics(diagnostics),
    )


def _lines(loader: ModuleLoader) -> Callable[[Span], str | None]:
    def line_of(span: Span) -> str | None:
        source = loader.source(span.file)
        return None if source is None else source.line(span.line)

    return line_of


def lint_plan(candidate: Candidate, text: str, policies: list[Policy]) -> TerraformResult | None:
    """Lint a plan JSON file; None when the file is not a plan after all. Never raises."""
    from iaclint.adapt.terraform.loader import ModuleLoader
    from iaclint.adapt.terraform.plan import adapt_plan
    from iaclint.parse.document import ParseError
    from iaclint.parse.json_reader import read_json
    from iaclint.parse.terraform_plan import is_plan

    shown = candidate.shown
    try:
        document = read_json(text, shown)
    except ParseError as exc:
        error = Diagnostic.error(shown, exc.message, exc.line, exc.column)
        return TerraformResult(0, [], [], [error])
    except RecursionError:
        return TerraformResult(0, [], [], [Diagnostic.error(shown, "nested too deeply to read")])
    if not is_plan(document.data):
        return None
    directory = candidate.path.parent
    loader = ModuleLoader(_tree([str(directory)]))
    graph, diagnostics = adapt_plan(document, directory, loader)
    lines = text.splitlines()

    def line_of(span: Span) -> str | None:
        source = loader.source(span.file)
        if source is not None:
            return source.line(span.line)
        if span.file == shown and 0 < span.line <= len(lines):
            return lines[span.line - 1]
        return None

    evaluation = evaluate(graph, policies, line_of)
    problems = list(document.diagnostics) + diagnostics
    for policy_id, span, message in evaluation.errors:
        problems.append(
            Diagnostic.error(span.file, f"{policy_id}: {message}", span.line, span.column)
        )
    masked = evaluation.masker.diagnostics(problems)
    return TerraformResult(1, evaluation.findings, evaluation.undetermined, masked)

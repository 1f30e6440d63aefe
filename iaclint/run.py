"""One run of the pipeline: discover, parse, adapt, evaluate, collect.

    paths -> discover -> parse -> adapt -> graph -> evaluate -> report

Each file is linted on its own: a file that cannot be read gives a located error
and the run goes on with the others. Terraform configuration is linted by
directory, a module at a time (see run_terraform.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from iaclint.catalog import builtin_policy_dir, load_policies
from iaclint.diagnostics import Diagnostic, Level
from iaclint.discover import TEMPLATE_SUFFIXES, Candidate, discover
from iaclint.engine.evaluate import evaluate
from iaclint.engine.policy import Policy
from iaclint.findings import CATEGORIES, Finding, Report, Severity, Undetermined
from iaclint.parse.cloud_assembly import read_assembly
from iaclint.parse.document import ParseError
from iaclint.parse.terraform_plan import mentions_plan
from iaclint.parse.text import decode, read_regular, split_lines
from iaclint.run_terraform import is_terraform, lint_plan, merge_roots, terraform_roots
from iaclint.schedule import FileWork, Scheduler, Settings
from iaclint.span import Span

SNIPPET_LIMIT = 240

# CloudFormation accepts templates of up to 1 MB; one ten times larger cannot be
# deployed, and reading it would take tens of seconds and gigabytes. Plans of
# large estates are bigger, but bounded too.
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
MAX_PLAN_BYTES = 100 * 1024 * 1024


class Options(NamedTuple):
    paths: tuple[str, ...] = (".",)
    threshold: Severity = Severity.LOW
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    policy_dirs: tuple[Path, ...] = ()
    severity: Mapping[str, Severity] = {}
    parameters: Mapping[str, Mapping[str, object]] = {}
    exclude: tuple[str, ...] = ()
    show_unknown: bool = False
    # Terraform variable files applied to every root module (--var-file).
    var_files: tuple[Path, ...] = ()
    # Reuse what earlier runs kept in the user's cache (--no-cache turns it off).
    use_cache: bool = True
    # Processes to lint in (--jobs); the report is the same whatever the number.
    jobs: int = 1


class FileResult(NamedTuple):
    linted: bool
    findings: list[Finding]
    undetermined: list[Undetermined]
    diagnostics: list[Diagnostic]
    # False when the result depends on other files too (a plan reads its configuration).
    cacheable: bool = True


def prepare_policies(
    options: Options, off_too: bool = False
) -> tuple[list[Policy], list[Diagnostic]]:
    """Load the bundled and extra policies, then apply selection and configuration.

    Policies off until configured are left out unless configured or selected by
    id, or `off_too` asks for them (to list them).
    """
    folders = [builtin_policy_dir(), *options.policy_dirs]
    policies, diagnostics = load_policies(
        folders, display_root=Path.cwd(), use_cache=options.use_cache
    )
    known = {policy.id for policy in policies}

    def check(tokens: Iterable[str], option: str) -> set[str]:
        wanted = set()
        for token in tokens:
            if token in known or token in CATEGORIES:
                wanted.add(token)
            else:
                diagnostics.append(
                    Diagnostic.error(option, f"unknown policy id or category '{token}'")
                )
        return wanted

    selected = check(options.select, "--select")
    ignored = check(options.ignore, "--ignore")
    for name in [*options.severity, *options.parameters]:
        if name not in known:
            diagnostics.append(Diagnostic.error("configuration", f"no policy with id '{name}'"))
    chosen = []
    for policy in policies:
        tags = {policy.id, policy.info.category}
        if selected and not tags & selected:
            continue
        if tags & ignored:
            continue
        if not policy.enabled and policy.id not in options.parameters and not off_too:
            if policy.id not in selected:
                continue  # off until configured
            if policy.parameters:
                diagnostics.append(
                    Diagnostic.warning(
                        "configuration",
                        f"{policy.id} runs with its default parameters; set "
                        f"{', '.join(sorted(policy.parameters))} under "
                        f"[tool.iaclint.parameters.{policy.id}] to make it yours",
                    )
                )
        try:
            chosen.append(
                policy.configured(
                    options.severity.get(policy.id), options.parameters.get(policy.id)
                )
            )
        except ValueError as exc:
            diagnostics.append(Diagnostic.error("configuration", str(exc)))
    return chosen, diagnostics


def lint(options: Options, policies: list[Policy], diagnostics: list[Diagnostic]) -> Report:
    """Lint every file under the options' paths with the given policies."""
    found = discover(options.paths, options.exclude)
    all_diagnostics = [*diagnostics, *found.diagnostics]
    findings: list[Finding] = []
    undetermined: list[Undetermined] = []
    linted = skipped = 0
    sources = [candidate.shown for candidate in found.files]
    roots = terraform_roots(found.files)
    work: list[FileWork] = []
    for assembly in found.assemblies:
        read = read_assembly(assembly.path, assembly.shown)
        all_diagnostics.extend(read.diagnostics)
        for template in read.templates:
            shown = f"{assembly.shown}/{template.path.relative_to(assembly.path).as_posix()}"
            sources.append(shown)
            candidate = Candidate(template.path, shown)
            work.append(FileWork(candidate, template.construct_paths, template.defined_at))
    work.extend(FileWork(c) for c in found.files if not is_terraform(c))
    settings = Settings(options.jobs, options.use_cache, options.paths, options.var_files)
    scheduler = Scheduler(policies, settings)
    file_results, root_results = scheduler.run(work, roots)
    if roots:
        modules = merge_roots(roots, root_results, scheduler.session().diagnostics)
        linted += modules.files_linted
        findings.extend(modules.findings)
        undetermined.extend(modules.undetermined)
        all_diagnostics.extend(modules.diagnostics)
    for item, result in zip(work, file_results, strict=True):
        linted += result.linted
        if item.construct_paths is None:
            skipped += not result.linted and not _has_error(result.diagnostics)
        findings.extend(result.findings)
        undetermined.extend(result.undetermined)
        all_diagnostics.extend(result.diagnostics)
    # A plan beside its configuration finds what the configuration does, at the same places.
    findings = list({_place(f): f for f in reversed(findings)}.values())[::-1]
    undetermined = list({_place(u): u for u in reversed(undetermined)}.values())[::-1]
    findings.sort(key=Finding.sort_key)
    undetermined.sort(key=Undetermined.sort_key)
    return Report(
        findings=tuple(findings),
        undetermined=tuple(undetermined) if options.show_unknown else (),
        diagnostics=tuple(all_diagnostics),
        policies=tuple(policy.info for policy in policies),
        files_linted=linted,
        files_skipped=skipped,
        threshold=options.threshold,
        sources=tuple(sources),
    )


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
    from iaclint.adapt.cloudformation.template import adapt_template
    from iaclint.parse.cloudformation import is_template, mentions_template, read_template

    shown = candidate.shown
    try:
        size = candidate.path.stat().st_size
        if size > MAX_PLAN_BYTES:
            return _failed(_too_large(shown, size, MAX_PLAN_BYTES))
        raw = read_regular(candidate.path)
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
            return FileResult(bool(plan.files_linted), *plan[1:], cacheable=False)
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

    def snippet(span: Span) -> str:
        nonlocal lines
        if lines is None:
            lines = split_lines(text)
        if span.file != shown or not 0 < span.line <= len(lines):
            return ""
        line = lines[span.line - 1].rstrip()
        return line if len(line) <= SNIPPET_LIMIT else line[: SNIPPET_LIMIT - 1] + "…"

    evaluation = evaluate(graph, policies, snippet)
    for policy_id, span, message in evaluation.errors:
        diagnostics.append(
            Diagnostic.error(span.file, f"{policy_id}: {message}", span.line, span.column)
        )
    return FileResult(True, evaluation.findings, evaluation.undetermined, diagnostics)


def _place(item: Finding | Undetermined) -> tuple[str, Span, str, str]:
    return (item.policy_id, item.span, item.resource, item.attribute)


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


def _has_error(diagnostics: list[Diagnostic]) -> bool:
    return any(diagnostic.level is Level.ERROR for diagnostic in diagnostics)

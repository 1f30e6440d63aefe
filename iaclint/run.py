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
from iaclint.diagnostics import Diagnostic
from iaclint.discover import Candidate, discover
from iaclint.engine.policy import Policy
from iaclint.file_work import FileWork, has_error
from iaclint.findings import CATEGORIES, Finding, Report, Severity, Undetermined
from iaclint.parse.cloud_assembly import read_assembly
from iaclint.run_terraform import merge_roots
from iaclint.schedule import Scheduler, Settings
from iaclint.span import Span
from iaclint.terraform_roots import is_terraform, terraform_roots


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
    # Files the change being checked deletes (--hook): the root modules they
    # belonged to, or were read by, are linted.
    deleted: tuple[str, ...] = ()


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
    roots, notices = terraform_roots(
        found.files, deleted=options.deleted, var_files=options.var_files, exclude=options.exclude
    )
    all_diagnostics.extend(notices)
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
        modules = merge_roots(root_results, scheduler.session().diagnostics)
        linted += modules.files_linted
        sources.extend(modules.sources)
        findings.extend(modules.findings)
        undetermined.extend(modules.undetermined)
        all_diagnostics.extend(modules.diagnostics)
    for item, result in zip(work, file_results, strict=True):
        linted += result.linted
        if item.construct_paths is None:
            skipped += not result.linted and not has_error(result.diagnostics)
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
        sources=tuple(dict.fromkeys(sources)),
    )


def _place(item: Finding | Undetermined) -> tuple[str, Span, str, str]:
    return (item.policy_id, item.span, item.resource, item.attribute)

"""One run of the pipeline: discover, parse, adapt, evaluate, collect.

    paths -> discover -> parse -> adapt -> graph -> evaluate -> report

Each file is linted on its own: a file that cannot be read gives a located error
and the run goes on with the others. Terraform configuration is linted by
directory, a module at a time (see run_terraform.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from iaclint import cache
from iaclint.catalog import builtin_policy_dir, load_policies
from iaclint.config import Config, Place
from iaclint.diagnostics import DEFAULT_PARAMETERS, Diagnostic, defect, did_you_mean
from iaclint.discover import Candidate, discover
from iaclint.engine.policy import ParameterError, Policy
from iaclint.file_work import FileWork, has_error
from iaclint.findings import CATEGORIES, Finding, Report, Severity, Undetermined
from iaclint.parse.cloud_assembly import MANIFEST, Assembly, read_assembly
from iaclint.run_terraform import ConfigurationFindings, merge_roots
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


class Prepared(NamedTuple):
    """What a run needs before it reads any file, and what stops it if wrong."""

    # The policies to run, configured.
    policies: list[Policy]
    # Every policy id loaded, run or not: what selections and suppressions may name.
    known_ids: frozenset[str]
    # Warnings, and errors in policy files (reported with the run, as before).
    diagnostics: list[Diagnostic]
    # Mistakes in the options or the configuration: the run must not start.
    errors: list[Diagnostic]


def prepare(options: Options, config: Config | None = None, off_too: bool = False) -> Prepared:
    """Load the bundled and extra policies, then check and apply selection and configuration.

    An unknown id or category in a selection, an unknown id under `[severity]` or
    `[parameters]`, or a parameter the policy cannot take is an error located in the
    configuration (at the key or the array item) or naming the option: a typo there
    would silently weaken the gate. Policies off until configured are left out unless
    configured or selected by id, or `off_too` asks for them (to list them).
    """
    folders = [builtin_policy_dir(), *options.policy_dirs]
    policies, diagnostics = load_policies(
        folders, display_root=Path.cwd(), use_cache=options.use_cache
    )
    known = frozenset(policy.id for policy in policies)
    # The bundled categories and the user's own (`org.storage`) that a policy uses.
    categories = (*CATEGORIES, *sorted({p.info.category for p in policies} - set(CATEGORIES)))
    errors: list[Diagnostic] = []
    place = config.place if config is not None else Place("configuration")

    def at(message: str, *path: str | int) -> Diagnostic:
        return Diagnostic.error(place.file, message, place.line(*path) if path else None)

    def unknown(token: str, where: str = "", ids_only: bool = False) -> str | None:
        """What is wrong with naming `token` (in `where`), or None if nothing is."""
        if token in known or (not ids_only and token in categories):
            return None
        if ids_only and token in categories:
            return f"'{token}' is a category{where}: name policy ids (iaclint --list-policies)"
        what = "policy id" if ids_only else "policy id or category"
        choices = known if ids_only else (*known, *categories)
        return f"unknown {what} '{token}'{where}" + did_you_mean(token, choices)

    # The configuration's own entries, at their lines (even those the command line overrides).
    if config is not None:
        for key, tokens in (("select", config.select), ("ignore", config.ignore)):
            for index, token in enumerate(tokens):
                problem = unknown(token, f" in {place.name(key)}")
                if problem is not None:
                    errors.append(at(problem, key, index))
    for key, names in (("severity", options.severity), ("parameters", options.parameters)):
        for name in names:
            problem = unknown(name, f" in [{place.name(key)}]", ids_only=True)
            if problem is not None:
                errors.append(at(problem, key, name))
    # The command line's.
    for option, tokens, configured in (
        ("--select", options.select, config.select if config else ()),
        ("--ignore", options.ignore, config.ignore if config else ()),
    ):
        for token in tokens:
            problem = unknown(token)
            if problem is not None and token not in configured:
                errors.append(Diagnostic.error(option, problem))
    selected = set(options.select)
    ignored = set(options.ignore)
    chosen = []
    for policy in policies:
        tags = {policy.id, policy.info.category}
        try:
            configured_policy = policy.configured(
                options.severity.get(policy.id), options.parameters.get(policy.id)
            )
        except ParameterError as exc:
            errors.append(at(str(exc), "parameters", policy.id, exc.name))
            continue
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
                        kind=DEFAULT_PARAMETERS,
                        subject=policy.id,
                    )
                )
        chosen.append(configured_policy)
    return Prepared(chosen, known, diagnostics, errors)


def lint(options: Options, policies: list[Policy], diagnostics: list[Diagnostic]) -> Report:
    """Lint every file under the options' paths with the given policies."""
    # Without the cache, nothing is written to it at all: not even the parse tables
    # a run may have to make.
    previous = cache.enable(options.use_cache)
    try:
        return _lint(options, policies, diagnostics)
    finally:
        cache.enable(previous)


def _lint(options: Options, policies: list[Policy], diagnostics: list[Diagnostic]) -> Report:
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
        read = _read_assembly(assembly)
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
    configured = ConfigurationFindings(roots, root_results)
    for item, result in zip(work, file_results, strict=True):
        linted += result.linted
        if item.construct_paths is None:
            skipped += not result.linted and not has_error(result.diagnostics)
        findings.extend(configured.new_findings(result.configuration, result.findings))
        undetermined.extend(configured.new_undetermined(result.configuration, result.undetermined))
        all_diagnostics.extend(result.diagnostics)
    # The same finding twice at one place (a plan's, where its configuration is
    # read the same way) is reported once.
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


def _read_assembly(assembly: Candidate) -> Assembly:
    """An assembly's templates; a defect on its manifest fails that assembly alone."""
    try:
        return read_assembly(assembly.path, assembly.shown)
    except Exception as exc:
        if os.environ.get("IACLINT_DEBUG"):
            raise
        return Assembly([], [defect(f"{assembly.shown}/{MANIFEST}", exc)])


def _place(item: Finding | Undetermined) -> tuple[str, Span, str, str]:
    return (item.policy_id, item.span, item.resource, item.attribute)

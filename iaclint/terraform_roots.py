"""Which Terraform root modules a run lints.

Terraform's unit is a directory. Every directory found by walking the paths given
is linted as a root module. A file named on the command line (as a pre-commit hook
names the staged files), or deleted by the change a hook checks, can move findings
into other files and other directories, so naming it brings in every root module
whose result it can change, and each of those is reported whole:

- a `.tf` or `.tf.json` file: its directory, and every directory that calls it as a local
  module, directly or through other modules (`source = "./..."`, `"../..."`);
- `terraform.tfvars` or `*.auto.tfvars` (`.json` too): its directory, which loads it;
- a var file given with `--var-file` (or `terraform-var-files`): every root, since
  every root reads it; any other `.tfvars` file is read by no root, and the run
  says so;
- any file whose name a configuration file mentions (`file("policy.json")`,
  `templatefile("user_data.tftpl", ...)`): the directories mentioning it.

Callers are looked for below the current directory (a hook runs at the top of
the repository). Module calls and file names are found in the text of the `.tf`
and `.tf.json` files, never guessed from directory names: a commented-out call or a file name in
a string only adds a root to lint (more work), while a call written in any
way Terraform accepts is always found, since Terraform takes a module's source as a
literal string only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from iaclint.diagnostics import Diagnostic
from iaclint.discover import TERRAFORM_WALK_SUFFIXES, Candidate, discover, is_excluded
from iaclint.parse.hcl import is_terraform_configuration
from iaclint.parse.text import MAX_SOURCE_BYTES, read_regular

VAR_FILE_SUFFIXES = (".tfvars", ".tfvars.json")
# Terraform loads these from a root module's directory by itself.
_AUTOMATIC = re.compile(r"^(terraform\.tfvars(\.json)?|.*\.auto\.tfvars(\.json)?)$")
# A local module call: Terraform accepts a module source only as a literal string,
# and a local one only when it starts with ./ or ../ (`source = "./x"` in HCL,
# `"source": "./x"` in JSON).
_LOCAL_SOURCE = re.compile(r"""(?:source\s*=|"source"\s*:)\s*"(\.\.?/[^"\n]*)\"""")


class Root(NamedTuple):
    directory: Path
    shown: str


def is_terraform(candidate: Candidate) -> bool:
    """Terraform configuration or variable values: linted with a root module, not alone."""
    name = candidate.path.name.lower()
    return is_terraform_configuration(name) or name.endswith(VAR_FILE_SUFFIXES)


class _Directory(NamedTuple):
    shown: str
    # Real paths of the local module directories it calls.
    calls: frozenset[str]
    # The text of its configuration files, where file names are looked for.
    text: str


def terraform_roots(
    candidates: Iterable[Candidate],
    *,
    deleted: Sequence[str] = (),
    var_files: Sequence[Path] = (),
    exclude: Sequence[str] = (),
) -> tuple[list[Root], list[Diagnostic]]:
    """The root modules to lint, in a stable order, and notices about named files."""
    walked: dict[str, Root] = {}
    named: list[tuple[Path, str]] = []
    for candidate in candidates:
        if candidate.explicit:
            named.append((candidate.path, candidate.shown))
        elif is_terraform_configuration(candidate.path.name):
            key = os.path.realpath(candidate.path.parent)
            walked.setdefault(key, Root(Path(key), os.path.dirname(candidate.shown) or "."))
    # Deleted files come from git, not from discovery: excluded paths are left out here.
    named.extend(
        (Path(path), path)
        for path in deleted
        if not is_excluded(os.path.normpath(path).replace(os.sep, "/"), list(exclude))
    )
    if not named:
        return list(walked.values()), []
    project = _project(exclude)
    affected, diagnostics = _named_roots(named, project, var_files)
    roots = dict(walked)
    # In the order of a full run's walk, then directories outside the current one.
    order = {key: index for index, key in enumerate(project)}
    for key in sorted(affected, key=lambda key: (order.get(key, len(order)), key)):
        if key not in roots:
            shown = project[key].shown if key in project else affected[key]
            roots[key] = Root(Path(key), shown)
    return list(roots.values()), diagnostics


def _named_roots(
    named: list[tuple[Path, str]], project: dict[str, _Directory], var_files: Sequence[Path]
) -> tuple[dict[str, str], list[Diagnostic]]:
    """Real directory -> shown name, for every root a named file can change."""
    affected: dict[str, str] = {}
    diagnostics: list[Diagnostic] = []
    given_var_files = {os.path.realpath(path) for path in var_files}

    def add(directory: str, shown: str) -> None:
        if directory in project or _holds_configuration(directory):
            affected.setdefault(
                directory, project[directory].shown if directory in project else shown
            )

    for path, shown in named:
        name = path.name
        lowered = name.lower()
        directory = os.path.realpath(path.parent)
        shown_directory = os.path.dirname(shown) or "."
        if is_terraform_configuration(lowered):
            add(directory, shown_directory)
        elif lowered.endswith(VAR_FILE_SUFFIXES):
            if os.path.realpath(path) in given_var_files:
                for key, entry in project.items():
                    add(key, entry.shown)
            elif _AUTOMATIC.match(lowered):
                add(directory, shown_directory)
            else:
                diagnostics.append(
                    Diagnostic.notice(
                        shown,
                        "no root module reads this var file: Terraform loads terraform.tfvars "
                        "and *.auto.tfvars by itself; pass others with --var-file (or "
                        "terraform-var-files in the configuration)",
                    )
                )
        if not is_terraform_configuration(lowered):
            for key, entry in project.items():
                if name in entry.text:
                    add(key, entry.shown)
    # Every caller of an affected directory, however far up.
    callers: dict[str, list[str]] = {}
    for key, entry in project.items():
        for called in entry.calls:
            callers.setdefault(called, []).append(key)
    pending = list(affected)
    while pending:
        for caller in callers.get(pending.pop(), []):
            if caller not in affected:
                affected[caller] = project[caller].shown
                pending.append(caller)
    return affected, diagnostics


def _project(exclude: Sequence[str]) -> dict[str, _Directory]:
    """Every directory below the current one holding .tf or .tf.json files, in walk order."""
    found = discover(["."], exclude, TERRAFORM_WALK_SUFFIXES)
    files: dict[str, list[Candidate]] = {}
    for candidate in found.files:
        if is_terraform_configuration(candidate.path.name):
            files.setdefault(os.path.realpath(candidate.path.parent), []).append(candidate)
    project: dict[str, _Directory] = {}
    for key, members in files.items():
        texts = []
        for member in members:
            try:
                if os.stat(member.path).st_size > MAX_SOURCE_BYTES:
                    continue
                texts.append(read_regular(member.path).decode("utf-8", "replace"))
            except OSError:
                continue  # the run reports it when it lints the directory
        text = "\n".join(texts)
        calls = frozenset(
            os.path.realpath(os.path.join(key, source)) for source in _LOCAL_SOURCE.findall(text)
        )
        shown = os.path.dirname(members[0].shown) or "."
        project[key] = _Directory(shown, calls, text)
    return project


def _holds_configuration(directory: str) -> bool:
    try:
        return any(
            is_terraform_configuration(entry.name) and entry.is_file()
            for entry in os.scandir(directory)
        )
    except OSError:
        return False

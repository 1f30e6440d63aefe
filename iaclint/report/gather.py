"""Warnings of one kind in one file, said once: the step before every report format.

A SAM template of forty functions would otherwise print forty warnings that say
the same thing, burying its findings and errors. Diagnostics are gathered by
their `Kind` (never by their wording) with their file and level: two or more
become one, at the place of the first, that says the kind's gist with a count
and the first few subjects,

    stacks/api.yaml:12:5: warning: expanded by the AWS::Serverless transform at
    deployment; the resources they generate are not linted (40 resources: Api, Auth, Items, …)

and keeps the diagnostics it stands for in `gathered`, for machine reports.
Errors are never gathered: each is a problem to fix where it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from iaclint.diagnostics import Diagnostic, Kind, Level

# Subjects named on a gathered line; the count says how many there are in all.
NAMED = 3


def gather(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """`diagnostics` in their order, those of one kind, file and level said once."""
    listed = list(diagnostics)
    groups: dict[tuple[str, Level, Kind], list[Diagnostic]] = {}
    for diagnostic in listed:
        if diagnostic.kind is not None and diagnostic.level is not Level.ERROR:
            key = (diagnostic.file, diagnostic.level, diagnostic.kind)
            groups.setdefault(key, []).append(diagnostic)
    out: list[Diagnostic] = []
    for diagnostic in listed:
        if diagnostic.kind is None or diagnostic.level is Level.ERROR:
            out.append(diagnostic)
            continue
        members = groups[(diagnostic.file, diagnostic.level, diagnostic.kind)]
        if len(members) == 1:
            out.append(diagnostic)
        elif members[0] is diagnostic:
            out.append(_said_once(members, diagnostic.kind))
    return tuple(out)


def _said_once(members: list[Diagnostic], kind: Kind) -> Diagnostic:
    first = members[0]
    names = list(dict.fromkeys(_name(member) for member in members if _name(member)))
    listed = ", ".join(names[:NAMED]) + (", …" if len(names) > NAMED else "")
    count = f"{len(members)} {kind.nouns}"
    message = f"{kind.gist} ({count}: {listed})" if listed else f"{kind.gist} ({count})"
    return first._replace(message=message, subject="", gathered=tuple(members))


def _name(diagnostic: Diagnostic) -> str:
    """What a gathered line calls one of its diagnostics: its subject, else its line."""
    if diagnostic.subject:
        return diagnostic.subject
    return f"line {diagnostic.line}" if diagnostic.line is not None else ""

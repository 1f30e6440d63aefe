"""CDK cloud assemblies (`cdk.out/`): which templates to lint, and their construct paths.

`manifest.json` lists the artifacts. Every `aws:cloudformation:stack` artifact
names its template; every `cdk:cloud-assembly` artifact (a CDK Stage) is a nested
assembly read the same way. Per-construct metadata (in the artifact, or in its
`additionalMetadataFile`) maps construct paths to logical ids, and marks nested
stacks (`aws:cdk:templateFile`), whose `*.nested.template.json` are linted too.
Asset folders and other artifacts are never read.

Construct paths come from the templates themselves (`aws:cdk:path` resource
metadata) when CDK wrote them; the metadata read here names resources of
templates synthesized without them (an app calling `app.synth()` without the CDK
CLI's context still writes the metadata files).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

from iaclint.diagnostics import Diagnostic
from iaclint.parse.text import read_regular
from iaclint.span import Span

MANIFEST = "manifest.json"
MAX_DEPTH = 8  # nested assemblies (Stages within Stages)


class AssemblyTemplate(NamedTuple):
    path: Path
    # The stack as CDK users name it: "Compute", "Compute/Storage", "Prod/Edge".
    stack: str
    # Logical id -> construct path (without the leading slash).
    construct_paths: dict[str, str]
    # Logical id -> where the user's code created the construct, when the creation
    # stack has a frame of the user's code (TypeScript/JavaScript apps; Python apps'
    # stacks hold only library frames, and then nothing is said).
    defined_at: Mapping[str, Span]


class Assembly(NamedTuple):
    templates: list[AssemblyTemplate]
    diagnostics: list[Diagnostic]


def is_cloud_assembly(directory: Path) -> bool:
    manifest = directory / MANIFEST
    if not manifest.is_file():
        return False
    try:
        head = manifest.read_bytes()[:4096]
    except OSError:
        return False
    # CDK writes a `cdk.out` version file beside the manifest; older assemblies lack it.
    return (directory / "cdk.out").is_file() or b'"artifacts"' in head


def read_assembly(directory: Path, shown: str) -> Assembly:
    """The templates of an assembly and its nested assemblies; problems as diagnostics."""
    templates: list[AssemblyTemplate] = []
    diagnostics: list[Diagnostic] = []
    _read(directory, shown, templates, diagnostics, depth=0)
    return Assembly(templates, diagnostics)


def _read(
    directory: Path,
    shown: str,
    templates: list[AssemblyTemplate],
    diagnostics: list[Diagnostic],
    depth: int,
) -> None:
    manifest_shown = f"{shown}/{MANIFEST}"
    if depth > MAX_DEPTH:
        diagnostics.append(Diagnostic.error(manifest_shown, "cloud assemblies nested too deeply"))
        return
    manifest = _load_json(directory / MANIFEST, manifest_shown, diagnostics)
    if manifest is None:
        return
    artifacts = manifest.get("artifacts") if isinstance(manifest, dict) else None
    if not isinstance(artifacts, dict):
        diagnostics.append(
            Diagnostic.error(
                manifest_shown, "no 'artifacts' mapping: not a CDK cloud assembly manifest"
            )
        )
        return
    for name, artifact in artifacts.items():
        if not isinstance(artifact, dict):
            continue
        kind = artifact.get("type")
        properties = (
            artifact.get("properties") if isinstance(artifact.get("properties"), dict) else {}
        )
        assert isinstance(properties, dict)
        if kind == "cdk:cloud-assembly":
            nested = properties.get("directoryName")
            if isinstance(nested, str) and _inside(directory, nested):
                _read(directory / nested, f"{shown}/{nested}", templates, diagnostics, depth + 1)
        elif kind == "aws:cloudformation:stack":
            _stack(directory, shown, name, artifact, properties, templates, diagnostics)


def _stack(
    directory: Path,
    shown: str,
    name: str,
    artifact: dict[str, object],
    properties: dict[str, object],
    templates: list[AssemblyTemplate],
    diagnostics: list[Diagnostic],
) -> None:
    template = properties.get("templateFile")
    if not isinstance(template, str) or not _inside(directory, template):
        diagnostics.append(
            Diagnostic.error(
                f"{shown}/{MANIFEST}", f"stack artifact '{name}' names no template file"
            )
        )
        return
    display = artifact.get("displayName")
    stack = display if isinstance(display, str) else name
    entries = dict(_metadata(directory, shown, artifact, diagnostics))
    # Which template each construct's resource lands in: the nearest enclosing
    # nested stack's template, else the stack's own.
    nested = {
        path: file
        for path, items in entries.items()
        for kind, file in items
        if kind == "aws:cdk:templateFile" and isinstance(file, str) and _inside(directory, file)
    }
    by_template: dict[str, dict[str, str]] = {template: {}}
    sites: dict[str, dict[str, Span]] = {template: {}}
    for file in nested.values():
        by_template.setdefault(file, {})
        sites.setdefault(file, {})
    for path, items in entries.items():
        for kind, logical_id in items:
            if kind != "aws:cdk:logicalId" or not isinstance(logical_id, str):
                continue
            owner = template
            for ancestor in _ancestors(path):
                if ancestor in nested:
                    owner = nested[ancestor]
                    break
            by_template[owner][logical_id] = path.lstrip("/")
            site = _creation_site(items, path, entries)
            if site is not None:
                sites[owner][logical_id] = site
    stack_paths = {file: path.lstrip("/") for path, file in nested.items()}
    for file, construct_paths in by_template.items():
        if not (directory / file).is_file():
            diagnostics.append(
                Diagnostic.error(f"{shown}/{file}", "template named by the assembly is missing")
            )
            continue
        templates.append(
            AssemblyTemplate(
                directory / file, stack_paths.get(file, stack), construct_paths, sites[file]
            )
        )


def _metadata(
    directory: Path, shown: str, artifact: dict[str, object], diagnostics: list[Diagnostic]
) -> Iterator[tuple[str, list[tuple[str, object]]]]:
    sources: list[object] = [artifact.get("metadata")]
    extra = artifact.get("additionalMetadataFile")
    if isinstance(extra, str) and _inside(directory, extra) and (directory / extra).is_file():
        sources.append(_load_json(directory / extra, f"{shown}/{extra}", diagnostics))
    for source in sources:
        if not isinstance(source, dict):
            continue
        for path, items in source.items():
            if isinstance(path, str) and isinstance(items, list):
                yield (
                    path,
                    [
                        (str(item.get("type")), item.get("data"))
                        for item in items
                        if isinstance(item, dict)
                    ],
                )


_FRAME = re.compile(r"\(?(?P<file>[^()\s]+?):(?P<line>[0-9]+):(?P<column>[0-9]+)\)?$")
_LIBRARY = ("node_modules", "node:", "internal/", "aws-cdk-lib", "constructs", "jsii")


def _creation_site(
    items: list[tuple[str, object]], path: str, entries: dict[str, list[tuple[str, object]]]
) -> Span | None:
    """The first frame of the user's code in the creation stack of a construct.

    An L1 resource (`.../Resource`) is created by its L2 construct: the parent's
    stack is used when the resource's own has no user frame.
    """
    for candidate in (items, entries.get(path.rsplit("/", 1)[0], [])):
        for kind, frames in candidate:
            if kind != "aws:cdk:creationStack" or not isinstance(frames, list):
                continue
            for frame in frames:
                match = _FRAME.search(str(frame).strip())
                if match is None or any(part in match.group("file") for part in _LIBRARY):
                    continue
                line, column = int(match.group("line")), int(match.group("column"))
                return Span(match.group("file"), line, column, line, column)
    return None


def _ancestors(path: str) -> Iterator[str]:
    parts = path.split("/")
    for end in range(len(parts) - 1, 0, -1):
        yield "/".join(parts[:end])


def _inside(directory: Path, name: str) -> bool:
    """A file name from a manifest that stays within the assembly directory."""
    try:
        (directory / name).resolve().relative_to(directory.resolve())
    except (ValueError, OSError):
        return False
    return True


def _load_json(path: Path, shown: str, diagnostics: list[Diagnostic]) -> object | None:
    try:
        text = read_regular(path).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        diagnostics.append(Diagnostic.error(shown, f"cannot read: {exc}"))
        return None
    try:
        data: object = json.loads(text)
    except json.JSONDecodeError as exc:
        diagnostics.append(
            Diagnostic.error(shown, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)
        )
        return None
    return data

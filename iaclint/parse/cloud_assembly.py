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
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

from iaclint.diagnostics import Diagnostic
from iaclint.parse.text import read_head, read_regular
from iaclint.span import Span

MANIFEST = "manifest.json"
MAX_DEPTH = 8  # nested assemblies (Stages within Stages)
# A manifest or metadata file of a large app is a few megabytes.
MAX_MANIFEST_BYTES = 10 * 1024 * 1024
# Line and column numbers of a creation-stack frame; longer digit runs are not positions.
_MAX_POSITION_DIGITS = 9


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
    try:
        if not manifest.is_file():
            return False
        head = read_head(manifest, 4096)
    except OSError:
        return False
    # CDK writes a `cdk.out` version file beside the manifest; older assemblies lack it.
    return (directory / "cdk.out").is_file() or b'"artifacts"' in head


def read_assembly(directory: Path, shown: str) -> Assembly:
    """The templates of an assembly and its nested assemblies; problems as diagnostics."""
    templates: list[AssemblyTemplate] = []
    diagnostics: list[Diagnostic] = []
    _read(directory, shown, templates, diagnostics, depth=0, visited=set())
    return Assembly(templates, diagnostics)


def _read(
    directory: Path,
    shown: str,
    templates: list[AssemblyTemplate],
    diagnostics: list[Diagnostic],
    depth: int,
    visited: set[Path],
) -> None:
    manifest_shown = f"{shown}/{MANIFEST}"
    if depth > MAX_DEPTH:
        diagnostics.append(Diagnostic.error(manifest_shown, "cloud assemblies nested too deeply"))
        return
    visited.add(directory.resolve())  # `_inside` resolved it already
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
            if not isinstance(nested, str) or not _inside(directory, nested):
                continue
            if (directory / nested).resolve() in visited:
                # CDK never writes one; read again, every mention would multiply the
                # work at every level.
                diagnostics.append(
                    Diagnostic.error(
                        manifest_shown,
                        f"nested assembly '{name}' (directoryName '{nested}') names an "
                        "assembly already read (this one, or one that contains it): "
                        "not read again",
                    )
                )
            else:
                _read(
                    directory / nested,
                    f"{shown}/{nested}",
                    templates,
                    diagnostics,
                    depth + 1,
                    visited,
                )
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
    nesting = _PathTree(nested)
    for path, items in entries.items():
        for kind, logical_id in items:
            if kind != "aws:cdk:logicalId" or not isinstance(logical_id, str):
                continue
            owner = nesting.nearest_ancestor(path) or template
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
                place = _frame_place(str(frame))
                if place is None or any(part in place[0] for part in _LIBRARY):
                    continue
                file, line, column = place
                return Span(file, line, column, line, column)
    return None


def _frame_place(frame: str) -> tuple[str, int, int] | None:
    """The file, line and column a stack frame ends with: `at f (src/app.ts:12:5)` or
    `src/app.ts:12:5`. Split from the end, in linear time: a regex search of a long
    hostile frame backtracks."""
    text = frame.strip().removesuffix(")")
    head, *numbers = text.rsplit(":", 2)
    if len(numbers) != 2 or not all(_is_position(number) for number in numbers):
        return None
    if not head or head[-1].isspace():
        return None
    last = head.rsplit(None, 1)[-1]
    file = last[max(last.rfind("("), last.rfind(")")) + 1 :]
    if not file:
        return None
    return file, int(numbers[0]), int(numbers[1])


def _is_position(text: str) -> bool:
    return 0 < len(text) <= _MAX_POSITION_DIGITS and text.isascii() and text.isdigit()


class _PathNode:
    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.children: dict[str, _PathNode] = {}
        self.value: str | None = None


class _PathTree:
    """Construct paths as a tree of their segments, to find a path's nearest ancestor
    in time linear in the path's length (joining each of its prefixes is quadratic)."""

    def __init__(self, values: Mapping[str, str]):
        self.root = _PathNode()
        for path, value in values.items():
            node = self.root
            for segment in path.split("/"):
                node = node.children.setdefault(segment, _PathNode())
            node.value = value

    def nearest_ancestor(self, path: str) -> str | None:
        """The value of the longest proper prefix of `path` (whole segments) in the tree."""
        found: str | None = None
        node = self.root
        for segment in path.split("/")[:-1]:
            child = node.children.get(segment)
            if child is None:
                break
            node = child
            if node.value is not None:
                found = node.value
        return found


def _inside(directory: Path, name: str) -> bool:
    """A file name from a manifest that stays within the assembly directory."""
    try:
        (directory / name).resolve().relative_to(directory.resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symbolic link loop
        return False
    return True


def _load_json(path: Path, shown: str, diagnostics: list[Diagnostic]) -> object | None:
    try:
        text = read_regular(path, MAX_MANIFEST_BYTES).decode("utf-8")
    except OSError as exc:
        diagnostics.append(Diagnostic.error(shown, f"cannot read: {exc.strerror or exc}"))
        return None
    except UnicodeDecodeError as exc:
        diagnostics.append(Diagnostic.error(shown, f"cannot read: {exc}"))
        return None
    try:
        data: object = json.loads(text)
    except json.JSONDecodeError as exc:
        diagnostics.append(
            Diagnostic.error(shown, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)
        )
        return None
    except ValueError:
        # An integer past Python's limit on converting digits (4,300 by default).
        diagnostics.append(Diagnostic.error(shown, "invalid JSON: a number too long to read"))
        return None
    except RecursionError:
        diagnostics.append(Diagnostic.error(shown, "invalid JSON: nested too deeply to read"))
        return None
    return data

"""A Terraform module's configuration: every `.tf` file of one directory together.

Blocks are sorted into what the evaluator asks for by name: variables, locals,
outputs, managed resources, data sources, module calls, and the `aws` provider
blocks (their credentials are linted like a resource's secrets). Declaring one twice
is an error Terraform reports too; the first declaration is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from iaclint.diagnostics import Diagnostic
from iaclint.parse.hcl.syntax import Attribute, Block, HclFile, SourceText


class Declared(NamedTuple):
    """A block (or a local's attribute) and the file it is written in."""

    name: str
    block: Block
    source: SourceText


class LocalValue(NamedTuple):
    name: str
    attribute: Attribute
    source: SourceText


class ResourceDecl(NamedTuple):
    # "managed", "data", or "provider"/"output" (blocks linted for the secrets they hold)
    mode: str
    type: str
    name: str
    block: Block
    source: SourceText

    @property
    def key(self) -> str:
        return f"{self.type}.{self.name}"


class ModuleConfig:
    """A module's declarations, gathered from its files by `build_config`."""

    def __init__(self, shown: str) -> None:
        # The directory as reports show it ("." for a root linted from inside it).
        self.shown = shown
        self.files: list[HclFile] = []
        self.variables: dict[str, Declared] = {}
        self.locals: dict[str, LocalValue] = {}
        self.outputs: dict[str, Declared] = {}
        self.resources: dict[str, ResourceDecl] = {}
        self.data: dict[str, ResourceDecl] = {}
        self.modules: dict[str, Declared] = {}
        self.resource_types: set[str] = set()
        self.data_types: set[str] = set()
        # An `aws` provider block here sets `default_tags`, added to every resource's tags.
        self.default_tags = False
        self.providers: list[Declared] = []  # `provider "aws"` blocks, aliased ones too
        # `aws` provider blocks here, and whether a resource or module call here may
        # choose among several (`alias`, `provider`, `providers`): account settings
        # such as EBS encryption by default hold in one region only.
        self.aws_provider_blocks = 0
        self.provider_choices = False
        self.diagnostics: list[Diagnostic] = []


def build_config(shown: str, files: Iterable[HclFile]) -> ModuleConfig:
    config = ModuleConfig(shown)
    for hcl in files:
        config.files.append(hcl)
        config.diagnostics.extend(hcl.problems)
        for block in hcl.body.blocks:
            _add(config, block, hcl.source)
    return config


def _add(config: ModuleConfig, block: Block, source: SourceText) -> None:
    kind, labels = block.type, block.labels
    if kind == "provider":
        if labels == ("aws",):
            config.providers.append(Declared("aws", block, source))
            config.aws_provider_blocks += 1
            config.provider_choices |= "alias" in block.body.attributes
            if any(inner.type == "default_tags" for inner in block.body.blocks):
                config.default_tags = True
        return
    if kind == "locals":
        for name, attribute in block.body.attributes.items():
            earlier = config.locals.get(name)
            if earlier is not None:
                _duplicate(
                    config,
                    f"local value '{name}'",
                    earlier.source,
                    earlier.attribute.start,
                    source,
                    attribute.start,
                )
                continue
            config.locals[name] = LocalValue(name, attribute, source)
        return
    if kind in ("variable", "output", "module"):
        if len(labels) != 1:
            _error(config, source, block.start, f"a {kind} block needs one label (its name)")
            return
        table = {"variable": config.variables, "output": config.outputs, "module": config.modules}[
            kind
        ]
        name = labels[0]
        found = table.get(name)
        if found is not None:
            _duplicate(
                config, f"{kind} '{name}'", found.source, found.block.start, source, block.start
            )
            return
        table[name] = Declared(name, block, source)
        config.provider_choices |= kind == "module" and "providers" in block.body.attributes
        return
    if kind in ("resource", "data"):
        if len(labels) != 2:
            _error(config, source, block.start, f"a {kind} block needs two labels (type and name)")
            return
        mode = "managed" if kind == "resource" else "data"
        decl = ResourceDecl(mode, labels[0], labels[1], block, source)
        resources = config.resources if kind == "resource" else config.data
        existing = resources.get(decl.key)
        if existing is not None:
            prefix = "" if kind == "resource" else "data."
            _duplicate(
                config,
                f"{prefix}{decl.key}",
                existing.source,
                existing.block.start,
                source,
                block.start,
            )
            return
        resources[decl.key] = decl
        config.provider_choices |= "provider" in block.body.attributes
        (config.resource_types if kind == "resource" else config.data_types).add(decl.type)


def _duplicate(
    config: ModuleConfig,
    what: str,
    first: SourceText,
    first_at: int,
    again: SourceText,
    again_at: int,
) -> None:
    line, _ = first.position(first_at)
    where = f"line {line}" if first is again else f"{first.file}:{line}"
    _error(config, again, again_at, f"{what} is already declared at {where}; this one is ignored")


def _error(config: ModuleConfig, source: SourceText, offset: int, message: str) -> None:
    line, column = source.position(offset)
    config.diagnostics.append(Diagnostic.error(source.file, message, line, column))

"""A Terraform plan (`terraform show -json plan.out`) into the common resource graph.

The plan's `planned_values` hold every managed resource instance of the root
module and its child modules, already expanded (`aws_instance.web[0]`) and
resolved. They go through the same families as HCL, so every policy serves
plans unchanged.

Values Terraform does not know yet are absent from `planned_values` and marked
in `resource_changes[].change.after_unknown`. Such a value is unknown when the
configuration sets it (and a reference when the configuration's expression is a
single reference to another resource, so hops still work); when the
configuration does not set it, the provider will choose it, exactly as for an
argument left out of a `.tf` file, so it is absent.

Findings point at the resource's `.tf` file and line when the configuration is
on disk beside the plan (module sources followed as written in the plan);
otherwise at the value in the plan file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from iaclint.adapt.secrets import exposed_entry, secret_input, shown_settings
from iaclint.adapt.sensitive_values import of_plan
from iaclint.adapt.sourced import Src
from iaclint.adapt.terraform.build import Native, build_graph
from iaclint.adapt.terraform.config import ModuleConfig, ResourceDecl
from iaclint.adapt.terraform.documents import JsonDocument
from iaclint.adapt.terraform.exposed import exposed, secret_variables
from iaclint.adapt.terraform.loader import ModuleLoader, NotRead, shown_join
from iaclint.adapt.terraform.locate import locate
from iaclint.adapt.terraform.plan_documents import JsonPath, Places, document_places
from iaclint.diagnostics import PLAN_WITHOUT_VALUES, Diagnostic
from iaclint.graph.model import Graph, Location
from iaclint.graph.values import Input, Reference, Unknown
from iaclint.parse import json_text
from iaclint.parse.document import Document
from iaclint.parse.hcl.syntax import Literal
from iaclint.span import DocPath, Span

_REFERENCE = re.compile(r"^([a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*(?:\[[^\]]*\])?)(?:\.(.+))?$")
_NOT_RESOURCES = ("var.", "local.", "each.", "count.", "path.", "data.", "module.", "self.")


class _ModuleConfig(NamedTuple):
    """A module's part of the plan's `configuration`, and its directory if it is read."""

    plan: dict[str, object]
    tf: ModuleConfig | None


def adapt_plan(
    document: Document, directory: Path, loader: ModuleLoader
) -> tuple[Graph, list[Diagnostic]]:
    """Build the graph of a plan; `directory` holds the root module's `.tf` files, if any."""
    return _PlanAdapter(document, directory, loader).run()


class _PlanAdapter:
    def __init__(self, document: Document, directory: Path, loader: ModuleLoader):
        self.document = document
        self.plan = document.data if isinstance(document.data, dict) else {}
        self.directory = directory
        self.loader = loader
        self.diagnostics: list[Diagnostic] = []
        self.spans: dict[DocPath, Span] = {}
        self.changes = self._changes()
        self._modules: dict[tuple[str, ...], _ModuleConfig | None] = {}

    def run(self) -> tuple[Graph, list[Diagnostic]]:
        planned = self.plan.get("planned_values")
        natives: list[Native] = []
        if isinstance(planned, dict) and isinstance(planned.get("root_module"), dict):
            self._module(planned["root_module"], ("planned_values", "root_module"), natives)
        elif planned is not None:
            where: DocPath = ("planned_values",)
            if isinstance(planned, dict):
                where = (*where, "root_module") if "root_module" in planned else where
            self._malformed(where, "'planned_values' needs a 'root_module' mapping")
        elif "resource_changes" in self.plan:
            self.diagnostics.append(
                Diagnostic.warning(
                    self.document.file,
                    "the plan has no planned_values (made by an old Terraform?): not linted",
                    kind=PLAN_WITHOUT_VALUES,
                )
            )
        self._providers(natives)
        self._outputs(natives)
        graph = build_graph(
            natives,
            self.spans,
            sensitive=of_plan(self.document),
            several_regions=self._several_aws_providers(),
        )
        return graph, self.diagnostics

    def _several_aws_providers(self) -> bool:
        """Whether the plan's configuration has more than one aws provider
        configuration (`aws`, `aws.us`...), each possibly another region."""
        configuration = self.plan.get("configuration")
        providers = (
            configuration.get("provider_config") if isinstance(configuration, dict) else None
        )
        if not isinstance(providers, dict):
            return False
        names = [body.get("name") for body in providers.values() if isinstance(body, dict)]
        return names.count("aws") > 1

    def _changes(self) -> dict[str, object]:
        out: dict[str, object] = {}
        changes = self.plan.get("resource_changes")
        if isinstance(changes, list):
            for change in changes:
                if isinstance(change, dict) and isinstance(change.get("address"), str):
                    body = change.get("change")
                    if isinstance(body, dict):
                        out[change["address"]] = body.get("after_unknown")
        return out

    def _malformed(self, path: DocPath, message: str) -> None:
        span = self.document.span_of(path)
        self.diagnostics.append(
            Diagnostic.error(
                self.document.file,
                f"malformed plan: {message}; the rest of the plan is linted",
                span.line,
                span.column,
            )
        )

    def _module(self, module: dict[str, object], path: DocPath, natives: list[Native]) -> None:
        resources = module.get("resources")
        if isinstance(resources, list):
            for index, resource in enumerate(resources):
                where = (*path, "resources", index)
                if not isinstance(resource, dict):
                    self._malformed(where, "a resource must be a mapping")
                elif resource.get("mode", "managed") == "managed":
                    native = self._resource(resource, where)
                    if native is not None:
                        natives.append(native)
        elif resources is not None:
            self._malformed((*path, "resources"), "'resources' must be a list")
        children = module.get("child_modules")
        if isinstance(children, list):
            for index, child in enumerate(children):
                if isinstance(child, dict):
                    self._module(child, (*path, "child_modules", index), natives)
                else:
                    self._malformed((*path, "child_modules", index), "a module must be a mapping")
        elif children is not None:
            self._malformed((*path, "child_modules"), "'child_modules' must be a list")

    def _resource(self, resource: dict[str, object], path: DocPath) -> Native | None:
        address = resource.get("address")
        resource_type = resource.get("type")
        name = resource.get("name")
        if not isinstance(address, str) or not isinstance(resource_type, str):
            field = "address" if not isinstance(address, str) else "type"
            self._malformed(
                (*path, field) if field in resource else path,
                f"a resource needs its '{field}' as text",
            )
            return None
        module_path = _module_path(address, resource_type)
        prefix = "".join(f"{part}." for part in module_path)
        config = self._module_config(tuple(_strip_index(part) for part in module_path))
        decl = None
        expressions: object = None
        if config is not None and isinstance(name, str):
            if config.tf is not None:
                decl = config.tf.resources.get(f"{resource_type}.{name}")
            expressions = _expressions(config.plan, f"{resource_type}.{name}")
        root: DocPath = (address,)
        header_span = (
            decl.source.span(decl.block.start, decl.block.header_end)
            if decl is not None
            else self.document.span_of((*path, "address"))
        )
        self.spans[root] = header_span
        values = resource.get("values")
        module = config.tf if config is not None else None
        native = _Values(self, root, (*path, "values"), decl, prefix, module).build(
            values if isinstance(values, dict) else {},
            self.changes.get(address),
            expressions,
        )
        found: Src | None = None
        if decl is not None and config is not None and config.tf is not None:
            found = exposed(decl.block.body, address, secret_variables(config.tf))
        elif config is not None:
            found = self._exposed(address, expressions, config.plan)
        return Native(address, resource_type, native, Location("", header_span), (), found)

    def _exposed(self, address: str, expressions: object, module: dict[str, object]) -> Src | None:
        """Secret variables in a resource's user data, tags and environment variables,
        from the references the plan's configuration lists for them."""
        declared = module.get("variables")
        if not isinstance(expressions, dict) or not isinstance(declared, dict):
            return None
        secrets = {
            name
            for name, declaration in declared.items()
            if isinstance(declaration, dict)
            and secret_input(name, declaration.get("sensitive") is True, declaration.get("default"))
        }
        found: list[Src] = []

        def add(expression: object, where: DocPath, setting: str) -> None:
            references = expression.get("references") if isinstance(expression, dict) else None
            for reference in references if isinstance(references, list) else ():
                name = reference.removeprefix("var.") if isinstance(reference, str) else None
                if name is not None and name != reference and name in secrets:
                    found.append(exposed_entry(Src(None, where), setting, reference))

        for key, expression in expressions.items():
            shown = shown_settings(key)
            if shown in ("user data", "tags"):
                add(expression, (address, key), key)
            elif key == "environment" and isinstance(expression, list):
                for index, block in enumerate(expression):
                    if isinstance(block, dict):
                        where: DocPath = (address, "environment", index, "variables")
                        add(block.get("variables"), where, f"environment[{index}].variables")
        for entry in found:
            if entry.origin not in self.spans:
                self.spans[entry.origin] = self.spans[(address,)]
        return Src(found, (address,)) if found else None

    def _providers(self, natives: list[Native]) -> None:
        """The `aws` provider configurations (`configuration.provider_config`), whose
        literal arguments a plan prints as `constant_value`s: credentials too. An
        argument set from a variable is unknown: the plan does not say whether its
        value was written in a file or given on the command line."""
        configuration = self.plan.get("configuration")
        if not isinstance(configuration, dict):
            return
        providers = configuration.get("provider_config")
        if not isinstance(providers, dict):
            return
        for key, provider in providers.items():
            if not isinstance(provider, dict) or provider.get("name") != "aws":
                continue
            module = provider.get("module_address")
            prefix = f"{module}." if isinstance(module, str) and module else ""
            alias = provider.get("alias")
            name = f"aws.{alias}" if isinstance(alias, str) and alias else "aws"
            address = f"{prefix}provider.{name}"
            where: DocPath = ("configuration", "provider_config", key)
            decl = self._provider_block(prefix, alias if isinstance(alias, str) else None)
            root: DocPath = (address,)
            header = (
                decl.source.span(decl.block.start, decl.block.header_end)
                if decl is not None
                else self.document.span_of(where)
            )
            self.spans[root] = header
            fields: dict[str, Src] = {}
            expressions = provider.get("expressions")
            for argument, expression in (
                expressions.items() if isinstance(expressions, dict) else ()
            ):
                if not isinstance(expression, dict):
                    continue
                origin: DocPath = (address, argument)
                if decl is not None:
                    self.spans[origin] = locate(decl, (argument,))
                else:
                    inner = "constant_value" if "constant_value" in expression else "references"
                    self.spans[origin] = self.document.span_of(
                        (*where, "expressions", argument, inner)
                    )
                if "constant_value" in expression:
                    if expression["constant_value"] is not None:
                        fields[argument] = Src(expression["constant_value"], origin)
                else:
                    fields[argument] = Src(Unknown("set from a variable of the plan"), origin)
            natives.append(Native(address, "provider", Src(fields, root), Location("", header)))

    def _outputs(self, natives: list[Native]) -> None:
        """The root module's outputs (`configuration.root_module.outputs`): whether
        each is sensitive, and what its expression refers to or holds."""
        config = self._module_config(())
        outputs = config.plan.get("outputs") if config is not None else None
        if not isinstance(outputs, dict):
            return
        for name, output in outputs.items():
            if not isinstance(output, dict):
                continue
            address = f"output.{name}"
            where: DocPath = ("configuration", "root_module", "outputs", name)
            declared = config.tf.outputs.get(name) if config and config.tf else None
            decl = (
                ResourceDecl("output", "output", name, declared.block, declared.source)
                if declared is not None
                else None
            )
            root: DocPath = (address,)
            self.spans[root] = (
                decl.source.span(decl.block.start, decl.block.header_end)
                if decl is not None
                else self.document.span_of(where)
            )
            fields: dict[str, Src] = {}
            for argument, doc_path in (
                ("value", (*where, "expression")),
                ("sensitive", (*where, "sensitive")),
            ):
                origin: DocPath = (address, argument)
                self.spans[origin] = (
                    locate(decl, (argument,))
                    if decl is not None
                    else self.document.span_of(doc_path)
                )
            expression = output.get("expression")
            if isinstance(expression, dict) and "constant_value" in expression:
                fields["value"] = Src(expression["constant_value"], (address, "value"))
            elif expression is not None:
                value: object = _reference(expression, "") or self._variable(expression)
                fields["value"] = Src(
                    value or Unknown("known only after apply"), (address, "value")
                )
            if output.get("sensitive") is True:
                fields["sensitive"] = Src(True, (address, "sensitive"))
            natives.append(
                Native(address, "output", Src(fields, root), Location("", self.spans[root]))
            )

    def _variable(self, expression: dict[str, object]) -> Input | None:
        """A root variable an expression is (`var.name` alone), with the default the
        configuration declares for it, if any: a plan's value of it may come from
        anywhere, the command line included."""
        references = expression.get("references")
        if not isinstance(references, list) or len(references) != 1:
            return None
        reference = references[0]
        if not isinstance(reference, str) or not reference.startswith("var."):
            return None
        name = reference.removeprefix("var.")
        config = self._module_config(())
        declared = config.plan.get("variables") if config is not None else None
        declaration = declared.get(name) if isinstance(declared, dict) else None
        if not isinstance(declaration, dict):
            return None
        secret = declaration.get("sensitive") is True
        if "default" not in declaration:
            return Input(name, secret=secret)
        return Input(
            name,
            declaration["default"],
            has_default=True,
            secret=secret,
            origin=f"default of variable {name}",
        )

    def _provider_block(self, prefix: str, alias: str | None) -> ResourceDecl | None:
        """The provider block in the configuration beside the plan, to point into."""
        names = re.findall(r"module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?", prefix)
        config = self._module_config(tuple(_strip_index(part) for part in names))
        if config is None or config.tf is None:
            return None
        for declared in config.tf.providers:
            written = declared.block.body.attributes.get("alias")
            text = written.expr.value if written and isinstance(written.expr, Literal) else None
            if text == alias:
                name = f"aws.{alias}" if alias else "aws"
                return ResourceDecl("provider", "provider", name, declared.block, declared.source)
        return None

    def _module_config(self, names: tuple[str, ...]) -> _ModuleConfig | None:
        if names in self._modules:
            return self._modules[names]
        result: _ModuleConfig | None
        if not names:
            configuration = self.plan.get("configuration")
            root = configuration.get("root_module") if isinstance(configuration, dict) else None
            plan_config = root if isinstance(root, dict) else {}
            plan_directory = Path(self.document.file).parent.as_posix()
            result = _ModuleConfig(plan_config, self._read(self.directory, plan_directory))
        else:
            parent = self._module_config(names[:-1])
            calls = parent.plan.get("module_calls") if parent is not None else None
            call = calls.get(names[-1]) if isinstance(calls, dict) else None
            if not isinstance(call, dict) or parent is None:
                result = None
            else:
                module = call.get("module")
                plan_config = module if isinstance(module, dict) else {}
                source = call.get("source")
                tf = None
                if (
                    parent.tf is not None
                    and isinstance(source, str)
                    and source.startswith(("./", "../"))
                ):
                    directory = self._directory_of(names[:-1]) / source
                    shown = shown_join(parent.tf.shown, source)
                    tf = self._read(directory, shown)
                result = _ModuleConfig(plan_config, tf)
        self._modules[names] = result
        return result

    def _directory_of(self, names: tuple[str, ...]) -> Path:
        directory = self.directory
        for depth in range(len(names)):
            parent = self._module_config(names[:depth])
            calls = parent.plan.get("module_calls") if parent is not None else None
            call = calls.get(names[depth]) if isinstance(calls, dict) else None
            source = call.get("source") if isinstance(call, dict) else None
            directory = directory / str(source)
        return directory

    def _read(self, directory: Path, shown: str) -> ModuleConfig | None:
        try:
            config = self.loader.module(directory, shown)
        except NotRead:
            return None
        if not config.files:
            return None
        self.diagnostics.extend(config.diagnostics)
        return config


class _Values:
    """One resource's planned values as a Src tree, unknowns decided by the configuration."""

    def __init__(
        self,
        adapter: _PlanAdapter,
        root: DocPath,
        doc_root: DocPath,
        decl: ResourceDecl | None,
        prefix: str,
        module: ModuleConfig | None = None,
    ):
        self.adapter = adapter
        self.root = root
        self.doc_root = doc_root
        self.decl = decl
        self.prefix = prefix
        self.module = module  # the configuration of the resource's module

    def span(self, path: tuple[str | int, ...]) -> Span:
        if self.decl is not None:
            return locate(self.decl, path)
        return self.adapter.document.span_of((*self.doc_root, *path))

    def build(self, values: dict[str, object], unknown: object, expressions: object) -> Src:
        return self.node(values, unknown, expressions, ())

    def node(
        self, value: object, unknown: object, expressions: object, path: tuple[str | int, ...]
    ) -> Src:
        origin: DocPath = (*self.root, *path)
        self.adapter.spans[origin] = self.span(path)
        if isinstance(value, dict):
            fields: dict[str, Src] = {}
            unknowns = unknown if isinstance(unknown, dict) else {}
            for key in [*value, *(k for k in unknowns if k not in value)]:
                child_expression = _child(expressions, key)
                if unknowns.get(key) is True:
                    decided = self.unknown(child_expression, (*path, key))
                    if decided is not None:
                        fields[key] = decided
                    continue
                child = value.get(key)
                if child is None:
                    continue  # null: not set
                fields[key] = self.node(child, unknowns.get(key), child_expression, (*path, key))
            return Src(fields, origin)
        if isinstance(value, list):
            unknowns_list = unknown if isinstance(unknown, list) else []
            items = []
            for index, item in enumerate(value):
                marker = unknowns_list[index] if index < len(unknowns_list) else None
                child_expression = _child(expressions, index)
                if marker is True:
                    items.append(
                        self.unknown(child_expression, (*path, index), configured=True)
                        or Src(Unknown("known only after apply"), (*self.root, *path, index))
                    )
                    continue
                items.append(self.node(item, marker, child_expression, (*path, index)))
            return Src(items, origin)
        if isinstance(value, str) and self.decl is not None and value.startswith(("{", "[")):
            return self.document(value, path)
        return Src(value, origin)

    def document(self, text: str, path: tuple[str | int, ...]) -> Src:
        """JSON text the configuration builds as data (plan_documents.py): that data,
        each part where the configuration writes it, as the `.tf` file alone gives it."""
        origin: DocPath = (*self.root, *path)
        assert self.decl is not None
        try:
            data = json_text.loads(text)
        except ValueError:
            return Src(text, origin)
        places = document_places(self.module, self.decl, path, data)
        if places is None:
            return Src(text, origin)
        try:
            return Src(JsonDocument(self.data(data, path, (), places), text), origin)
        except RecursionError:  # nested too deeply to place: as without the configuration
            return Src(text, origin)

    def data(
        self, value: object, path: tuple[str | int, ...], inner: JsonPath, places: Places
    ) -> Src:
        origin: DocPath = (*self.root, *path, *inner)
        self.adapter.spans[origin] = places(inner)
        if isinstance(value, dict):
            return Src(
                {str(k): self.data(v, path, (*inner, str(k)), places) for k, v in value.items()},
                origin,
            )
        if isinstance(value, list):
            return Src(
                [self.data(item, path, (*inner, i), places) for i, item in enumerate(value)],
                origin,
            )
        return Src(value, origin)

    def unknown(
        self, expression: object, path: tuple[str | int, ...], configured: bool = False
    ) -> Src | None:
        """A value known only after apply: unknown if configured, absent if not."""
        origin: DocPath = (*self.root, *path)
        if expression is None and not configured and self.adapter.plan.get("configuration"):
            return None  # not set in the configuration: the provider chooses it
        self.adapter.spans[origin] = self.span(path)
        reference = _reference(expression, self.prefix)
        if reference is not None:
            return Src(
                _same_instance(reference, expression, self.root, self.adapter.changes), origin
            )
        return Src(Unknown("known only after apply"), origin)


def _child(expressions: object, key: str | int) -> object:
    """The configuration's expression (or nested block list) under `key`."""
    if isinstance(expressions, dict):
        if "references" in expressions or "constant_value" in expressions:
            return expressions  # an argument's expression covers its elements
        return expressions.get(key) if isinstance(key, str) else None
    if isinstance(expressions, list) and isinstance(key, int) and key < len(expressions):
        return expressions[key]
    return None


def _reference(expression: object, prefix: str) -> Reference | None:
    """A single reference to a resource attribute, as Terraform lists it."""
    if not isinstance(expression, dict):
        return None
    references = expression.get("references")
    if not isinstance(references, list) or not references:
        return None
    first = references[0]
    if not isinstance(first, str) or first.startswith(_NOT_RESOURCES):
        return None
    match = _REFERENCE.match(first)
    if match is None:
        return None
    return Reference(prefix + match.group(1), match.group(2))


def _same_instance(
    reference: Reference, expression: object, root: DocPath, planned: Mapping[str, object]
) -> Reference:
    """`aws_subnet.public[each.key]` (or `[count.index]`) written in a resource with
    `for_each` (or `count`): the plan lists the bare resource and `each.key`; the
    instance meant has the key of the resource's own instance."""
    references = expression.get("references") if isinstance(expression, dict) else None
    address = root[0] if root and isinstance(root[0], str) else ""
    if (
        reference.target.endswith("]")
        or not isinstance(references, list)
        or not ({"each.key", "count.index"} & set(references))
        or not address.endswith("]")
    ):
        return reference
    instance = reference.target + address[address.rindex("[") :]
    # Only when the plan has that instance: `each.key` may be used for something else.
    return Reference(instance, reference.attribute) if instance in planned else reference


def _expressions(module: dict[str, object], key: str) -> object:
    resources = module.get("resources")
    if isinstance(resources, list):
        for resource in resources:
            if (
                isinstance(resource, dict)
                and resource.get("address") == key
                and resource.get("mode", "managed") == "managed"
            ):
                return resource.get("expressions") or {}
    return None


def _module_path(address: str, resource_type: str) -> list[str]:
    """`module.a[0].module.b.aws_x.y[1]` -> ["module.a[0]", "module.b"]."""
    marker = f"{resource_type}."
    position = address.find(marker)
    while position > 0 and address[position - 1] != ".":
        position = address.find(marker, position + 1)
    head = address[: max(position - 1, 0)] if position > 0 else ""
    parts: list[str] = []
    for piece in re.finditer(r"module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?", head):
        parts.append(piece.group())
    return parts


def _strip_index(part: str) -> str:
    name = part.removeprefix("module.")
    bracket = name.find("[")
    return name if bracket == -1 else name[:bracket]

"""Module instances: variables, locals, outputs, resources and module calls, lazily.

A *unit* is one root module with the local modules it calls, evaluated together
into one graph. Each module instance (the root, `module.net`,
`module.web[0]`...) answers the names its expressions use. Everything is
evaluated on demand and remembered, so a local used by a thousand `for_each`
instances is computed once; a value that needs itself (`local.a` uses
`local.b`, which uses `local.a`) is a located error and unknown, never a hang.

Instances of a resource come from its `count` or `for_each` when they are known
(`aws_instance.web[0]`, `aws_s3_bucket.b["logs"]`). When they are not, the
resource is linted once, under its plain address, with `count.index`,
`each.key` and `each.value` unknown: whatever is wrong in every instance is
still found, and nothing that depends on the instance is guessed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from iaclint.adapt.terraform.config import Declared, ModuleConfig, ResourceDecl
from iaclint.adapt.terraform.datasources import COMPUTED
from iaclint.adapt.terraform.evaluate import (
    Bindings,
    Budget,
    Evaluator,
    TooLarge,
    Unresolved,
    iterate,
    need,
    to_number,
)
from iaclint.adapt.terraform.functions import FUNCTIONS
from iaclint.adapt.terraform.loader import ModuleLoader, NotRead, shown_join
from iaclint.adapt.terraform.types import convert, parse_type
from iaclint.adapt.terraform.values import (
    EvalError,
    Instance,
    Located,
    Namespace,
    Place,
    first_unknown,
    look_through,
    plain,
)
from iaclint.diagnostics import MODULE_NOT_FETCHED, MODULE_OUTSIDE, Diagnostic, Kind
from iaclint.graph.values import Input, PartialString, Reference, Unknown
from iaclint.parse.hcl.syntax import Attribute, Block, Body, Literal, SourceText, Variable
from iaclint.span import Span

MAX_MODULE_DEPTH = 20

# Arguments of a resource block that are Terraform's, not the resource's.
RESOURCE_META = frozenset(
    {"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"}
)
# Attributes the AWS provider returns exactly as configured: a reference to one
# is the configured value (a VPC's CIDR is the one its block states). Those it
# may fill in itself (an IPAM pool's CIDR) stay references when not configured.
ECHOED: Mapping[str, frozenset[str]] = {
    "aws_vpc": frozenset({"cidr_block"}),
    "aws_subnet": frozenset({"cidr_block"}),
    "aws_vpc_ipv4_cidr_block_association": frozenset({"cidr_block"}),
}
MODULE_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


class VariableValue(NamedTuple):
    """A root module variable's value from a .tfvars file or --var-file."""

    value: Located
    origin: str  # "from terraform.tfvars", for messages
    declared_at: Span | None


class CallInputs(NamedTuple):
    """A child module's arguments: expressions in the calling module."""

    body: Body
    caller: ModuleInstance
    source: SourceText
    bindings: Bindings


class Expansion(NamedTuple):
    # (address suffix, bindings) per instance; None when they are not known.
    keys: Sequence[tuple[str, Bindings]] | None
    # "count", "for_each" or "" (a single instance).
    kind: str
    reason: str = ""


class Unit:
    """One root module and its local modules: the scope of one graph."""

    def __init__(
        self,
        loader: ModuleLoader,
        directory: Path,
        shown: str,
        variables: dict[str, VariableValue],
    ):
        self.loader = loader
        self.directory = directory
        self.budget = Budget()
        self.diagnostics: list[Diagnostic] = []
        self.instances: dict[str, ResourceInstance] = {}
        self.configs: dict[int, ModuleConfig] = {}
        self._reported: set[str] = set()
        self._active: list[str] = []
        config = loader.module(directory, shown)
        self.root = ModuleInstance(self, config, directory, "", variables, 0, ())

    # -- shared services ----------------------------------------------------------

    def evaluator(self, module: ModuleInstance) -> Evaluator:
        return Evaluator(module, FUNCTIONS, self.budget)

    def constant_evaluator(self) -> Evaluator:
        return Evaluator(Constants(), FUNCTIONS, self.budget)

    def report(self, diagnostic: Diagnostic) -> None:
        key = f"{diagnostic.file}:{diagnostic.line}:{diagnostic.column}:{diagnostic.message}"
        if key not in self._reported:
            self._reported.add(key)
            self.diagnostics.append(diagnostic)

    def guarded(
        self, key: str, where: tuple[SourceText, int], compute: Callable[[], Located]
    ) -> Located:
        """Compute a named value, detecting a value that needs itself."""
        if key in self._active:
            cycle = [*self._active[self._active.index(key) :], key]
            source, offset = where
            line, column = source.position(offset)
            self.report(
                Diagnostic.error(
                    source.file,
                    f"{key} refers to itself ({' -> '.join(cycle)}); it is treated as unknown",
                    line,
                    column,
                )
            )
            raise Unresolved(Unknown(f"{key} refers to itself"))
        self._active.append(key)
        try:
            return compute()
        finally:
            self._active.pop()

    def resource_instances(self) -> list[ResourceInstance]:
        """Every managed resource instance in the root module and its local modules,
        then every `aws` provider configuration (`provider.aws`, `provider.aws.west`,
        `module.net.provider.aws`): its arguments may hold credentials; then the root
        module's outputs (`output.name`), which Terraform prints."""
        out: list[ResourceInstance] = []
        providers: list[ResourceInstance] = []
        for module in self.root.walk():
            self.configs.setdefault(id(module.config), module.config)
            for decl in module.config.resources.values():
                out.extend(module.instances_of(decl))
            providers.extend(module.providers())
        return out + providers + self.root.outputs()


class Constants:
    """The scope of a value that may not refer to anything (defaults, .tfvars)."""

    def root(self, name: str) -> Located:
        raise EvalError(f"'{name}' cannot be referred to here (only constant values)")

    def resolve(self, reference: Reference) -> str | None:
        return None

    def read_file(self, path: str) -> str:
        raise EvalError("files cannot be read here")


class ModuleInstance:
    def __init__(
        self,
        unit: Unit,
        config: ModuleConfig,
        directory: Path,
        prefix: str,
        inputs: dict[str, VariableValue] | CallInputs,
        depth: int,
        chain: tuple[str, ...],
    ):
        self.unit = unit
        self.config = config
        self.directory = directory
        self.prefix = prefix  # "" or "module.net." or "module.web[0]."
        self.inputs = inputs
        self.depth = depth
        self.chain = (*chain, os.path.realpath(directory))
        self.evaluator = unit.evaluator(self)
        self._variables: dict[str, Located] = {}
        self._locals: dict[str, Located] = {}
        self._outputs: dict[str, Located] = {}
        self._expansions: dict[str, Expansion] = {}
        self._instances: dict[str, list[ResourceInstance]] = {}
        self._children: dict[str, list[ModuleInstance]] = {}
        self._namespaces: dict[str, Located] = {}
        self._data: dict[str, Located] = {}

    @property
    def name(self) -> str:
        return self.prefix.rstrip(".") or "the root module"

    # -- the Scope protocol ---------------------------------------------------------

    def root(self, name: str) -> Located:
        found = self._namespaces.get(name)
        if found is not None:
            return found
        config = self.config
        attribute: Callable[[str], Located]
        if name == "var":
            attribute = self.variable
        elif name == "local":
            attribute = self.local
        elif name == "module":
            attribute = self.module_value
        elif name == "data":
            attribute = self.data_namespace
        elif name == "path":
            return Located(
                {
                    "module": Located(self.relative_directory()),
                    "root": Located("."),
                    "cwd": Located(str(self.unit.directory.resolve())),
                }
            )
        elif name == "terraform":
            return Located(
                {"workspace": Located(Unknown("the workspace is chosen when Terraform runs"))}
            )
        elif name in config.resource_types:
            resource_type = name
            attribute = lambda resource_name: self.resource_value(resource_type, resource_name)  # noqa: E731
        elif name in ("count", "each"):
            raise EvalError(f"'{name}' is only available in blocks that set {name}")
        elif name == "self":
            return Located(Unknown("'self' refers to the resource being created"))
        else:
            raise EvalError(f"reference to undeclared resource type or name '{name}'")
        namespace = Located(Namespace(name, attribute))
        self._namespaces[name] = namespace
        return namespace

    def resolve(self, reference: Reference) -> str | None:
        instance = self.unit.instances.get(reference.target)
        attribute = reference.attribute
        if instance is None or attribute is None or not attribute.isidentifier():
            return None
        return instance.configured_text(attribute)

    def read_file(self, path: str) -> str:
        target = Path(path)
        if not target.is_absolute():
            target = self.unit.directory / target
        try:
            return self.unit.loader.text(target)
        except FileNotFoundError:
            raise EvalError(f"no file {path}") from None
        except NotRead as exc:
            raise Unresolved(Unknown(f"file {path} is not read: {exc}")) from None

    def relative_directory(self) -> str:
        relative = os.path.relpath(self.directory, self.unit.directory)
        return relative.replace(os.sep, "/")

    # -- variables, locals, outputs ---------------------------------------------------

    def variable(self, name: str) -> Located:
        cached = self._variables.get(name)
        if cached is not None:
            return cached
        decl = self.config.variables.get(name)
        if decl is None:
            raise EvalError(f"variable '{name}' is not declared in {self.config.shown}")
        key = f"{self.prefix}var.{name}"
        value = self.unit.guarded(
            key, (decl.source, decl.block.start), lambda: self._variable(decl)
        )
        self._variables[name] = value
        return value

    def _variable(self, decl: Declared) -> Located:
        name = decl.name
        body = decl.block.body
        constants = self.unit.constant_evaluator()
        default_attribute = body.attributes.get("default")
        default = (
            constants.evaluate(default_attribute.expr, decl.source, {})
            if default_attribute is not None
            else None
        )
        declared_at = (
            decl.source.span(default_attribute.expr.start, default_attribute.expr.end)
            if default_attribute is not None
            else decl.source.span(decl.block.start, decl.block.header_end)
        )
        secret = _is_true(body.attributes.get("sensitive"))
        nullable = not _is_false(body.attributes.get("nullable"))
        type_attribute = body.attributes.get("type")
        constraint = parse_type(type_attribute.expr) if type_attribute is not None else None

        def typed(value: Located) -> Located:
            if constraint is None:
                return value
            try:
                return convert(
                    value, constraint, lambda expr: constants.evaluate(expr, decl.source, {})
                )
            except EvalError as exc:
                return Located(
                    Unknown(f"variable {name} does not match its type: {exc}"), *_place(value)
                )
            except Unresolved as exc:
                return Located(exc.unknown, *_place(value))

        inputs = self.inputs
        if isinstance(inputs, CallInputs):
            argument = inputs.body.attributes.get(name)
            if argument is not None:
                given = inputs.caller.evaluator.evaluate(
                    argument.expr, inputs.source, inputs.bindings
                )
                if given.value is not None or nullable or default is None:
                    return typed(given)
            if default is None:
                return Located(Unknown(f"variable {name} of {self.name} is not set by its caller"))
            origin = f"default of variable {name} in {self.name}"
            return input_tree(typed(default), name, secret, declared_at, origin)
        given_value = inputs.get(name)
        if given_value is not None and (given_value.value.value is not None or nullable):
            return input_tree(
                typed(given_value.value), name, secret, given_value.declared_at, given_value.origin
            )
        if default is None:
            return Located(Unknown(f"variable {name} has no default and no value in .tfvars"))
        return input_tree(typed(default), name, secret, declared_at, f"default of variable {name}")

    def local(self, name: str) -> Located:
        cached = self._locals.get(name)
        if cached is not None:
            return cached
        decl = self.config.locals.get(name)
        if decl is None:
            raise EvalError(f"local value '{name}' is not declared in {self.config.shown}")
        key = f"{self.prefix}local.{name}"
        value = self.unit.guarded(
            key,
            (decl.source, decl.attribute.start),
            lambda: self.evaluator.evaluate(decl.attribute.expr, decl.source, {}),
        )
        self._locals[name] = value
        return value

    def output(self, name: str) -> Located:
        cached = self._outputs.get(name)
        if cached is not None:
            return cached
        decl = self.config.outputs.get(name)
        if decl is None:
            raise EvalError(f"{self.name} has no output '{name}'")
        value_attribute = decl.block.body.attributes.get("value")
        if value_attribute is None:
            return Located(None)
        key = f"{self.prefix}output.{name}"
        value = self.unit.guarded(
            key,
            (decl.source, decl.block.start),
            lambda: self.evaluator.evaluate(value_attribute.expr, decl.source, {}),
        )
        self._outputs[name] = value
        return value

    # -- module calls ----------------------------------------------------------------------

    def module_value(self, name: str) -> Located:
        call = self.config.modules.get(name)
        if call is None:
            raise EvalError(f"module '{name}' is not declared in {self.config.shown}")
        source = _source_of(call)
        if source is None or not _is_local(source):
            return Located(Unknown(f"module.{name} comes from '{source}', which is not read"))
        expansion = self.expansion(f"module.{name}", call.block, call.source)
        children = self.children(name)
        if expansion.keys is None:
            return Located(
                Unknown(f"the instances of module.{name} are not known: {expansion.reason}")
            )
        if not children and expansion.keys:
            return Located(Unknown(f"module.{name} is not read"))

        def outputs(child: ModuleInstance) -> Located:
            return Located(Namespace(child.prefix.rstrip("."), child.output))

        if expansion.kind == "count":
            return Located([outputs(child) for child in children])
        if expansion.kind == "for_each":
            keys = [json.loads(suffix[1:-1]) for suffix, _ in expansion.keys]
            return Located({key: outputs(child) for key, child in zip(keys, children, strict=True)})
        return outputs(children[0])

    def children(self, name: str) -> list[ModuleInstance]:
        cached = self._children.get(name)
        if cached is not None:
            return cached
        self._children[name] = []  # a call that reaches itself finds no children
        self._children[name] = self._make_children(self.config.modules[name])
        return self._children[name]

    def _make_children(self, call: Declared) -> list[ModuleInstance]:
        name = call.name
        source = _source_of(call)
        source_attribute = call.block.body.attributes.get("source")
        at = (call.source, source_attribute.start if source_attribute else call.block.start)
        if source is None:
            self._say(Diagnostic.error, at, f"module '{name}' needs a literal 'source'")
            return []
        if not _is_local(source):
            self._say(
                Diagnostic.notice,
                at,
                f"module '{name}' comes from '{source}', which is never fetched: "
                "its resources are not linted",
                kind=MODULE_NOT_FETCHED,
                subject=name,
            )
            return []
        directory = self.directory / source
        shown = shown_join(self.config.shown, source)
        if self.depth >= MAX_MODULE_DEPTH or os.path.realpath(directory) in self.chain:
            self._say(
                Diagnostic.error, at, f"module '{name}' ({source}) calls itself; not read again"
            )
            return []
        try:
            self.unit.budget.spend_module_call()
        except TooLarge as exc:
            exc.where = at
            raise
        try:
            config = self.unit.loader.module(directory, shown)
        except NotRead as exc:
            outside = "outside" in str(exc)
            level = Diagnostic.warning if outside else Diagnostic.error
            kind = MODULE_OUTSIDE if outside else None
            self._say(level, at, f"module '{name}' is not read: {exc}", kind=kind, subject=name)
            return []
        expansion = self.expansion(f"module.{name}", call.block, call.source)
        keys = (
            expansion.keys if expansion.keys is not None else [("", _unknown_bindings(expansion))]
        )
        return [
            ModuleInstance(
                self.unit,
                config,
                directory,
                f"{self.prefix}module.{name}{suffix}.",
                CallInputs(call.block.body, self, call.source, bindings),
                self.depth + 1,
                self.chain,
            )
            for suffix, bindings in keys
        ]

    def walk(self) -> Iterator[ModuleInstance]:
        yield self
        for name in self.config.modules:
            for child in self.children(name):
                yield from child.walk()

    def _say(
        self,
        level: Callable[..., Diagnostic],
        at: tuple[SourceText, int],
        message: str,
        kind: Kind | None = None,
        subject: str = "",
    ) -> None:
        source, offset = at
        line, column = source.position(offset)
        said = level(source.file, message, line, column)
        self.unit.report(said._replace(kind=kind, subject=subject) if kind else said)

    # -- resources ----------------------------------------------------------------------

    def expansion(self, key: str, block: Block, source: SourceText) -> Expansion:
        cached = self._expansions.get(key)
        if cached is None:
            cached = self._expand(block, source)
            self._expansions[key] = cached
        return cached

    def _expand(self, block: Block, source: SourceText) -> Expansion:
        """The instances of a resource or module call, each spent from the unit's budget."""
        body = block.body
        count = body.attributes.get("count")
        for_each = body.attributes.get("for_each")
        if count is not None:
            value = self.evaluator.evaluate(count.expr, source, {})
            try:
                number = to_number(value)
            except Unresolved as exc:
                return Expansion(None, "count", f"count {exc.unknown.reason}")
            except EvalError as exc:
                return Expansion(None, "count", f"count cannot be evaluated: {exc}")
            if not float(number).is_integer() or number < 0:
                return Expansion(None, "count", f"count is {number}, not a whole number")
            self._spend_instances(int(number), source, count.expr.start)
            keys = [
                (f"[{index}]", {"count": Located({"index": Located(index)})})
                for index in range(int(number))
            ]
            return Expansion(keys, "count")
        if for_each is not None:
            value = self.evaluator.evaluate(for_each.expr, source, {})
            expansion = _for_each(value)
            self._spend_instances(len(expansion.keys or ()), source, for_each.expr.start)
            return expansion
        self._spend_instances(1, source, block.start)
        return Expansion([("", {})], "")

    def _spend_instances(self, count: int, source: SourceText, offset: int) -> None:
        try:
            self.unit.budget.spend_instances(count)
        except TooLarge as exc:
            exc.where = (source, offset)
            raise

    def providers(self) -> list[ResourceInstance]:
        """The module's `aws` provider blocks, named by their alias when it is known."""
        out: list[ResourceInstance] = []
        for declared in self.config.providers:
            name = declared.name
            alias = declared.block.body.attributes.get("alias")
            if alias is not None:
                try:
                    value = self.unit.constant_evaluator().evaluate(alias.expr, declared.source, {})
                except (EvalError, Unresolved):
                    value = Located(None)
                name = f"{name}.{value.value}" if isinstance(value.value, str) else name
            decl = ResourceDecl("provider", "provider", name, declared.block, declared.source)
            out.append(ResourceInstance(self, decl, f"{self.prefix}{decl.key}", {}))
        return out

    def outputs(self) -> list[ResourceInstance]:
        """The module's `output` blocks, read as `output.<name>` pseudo instances."""
        return [
            ResourceInstance(
                self,
                ResourceDecl("output", "output", name, declared.block, declared.source),
                f"{self.prefix}output.{name}",
                {},
            )
            for name, declared in self.config.outputs.items()
        ]

    def instances_of(self, decl: ResourceDecl) -> list[ResourceInstance]:
        cached = self._instances.get(decl.key)
        if cached is not None:
            return cached
        self._instances[decl.key] = []
        expansion = self.expansion(decl.key, decl.block, decl.source)
        base = f"{self.prefix}{decl.key}"
        keys = (
            expansion.keys if expansion.keys is not None else [("", _unknown_bindings(expansion))]
        )
        instances = [
            ResourceInstance(self, decl, base + suffix, bindings) for suffix, bindings in keys
        ]
        for instance in instances:
            self.unit.instances[instance.address] = instance
        self._instances[decl.key] = instances
        return instances

    def resource_value(self, resource_type: str, name: str) -> Located:
        decl = self.config.resources.get(f"{resource_type}.{name}")
        if decl is None:
            raise EvalError(
                f"resource {resource_type}.{name} is not declared in {self.config.shown}"
            )
        return self._instances_value(decl)

    def data_namespace(self, data_type: str) -> Located:
        if data_type not in self.config.data_types:
            raise EvalError(f"data source type {data_type} is not declared in {self.config.shown}")

        def named(name: str) -> Located:
            decl = self.config.data.get(f"{data_type}.{name}")
            if decl is None:
                raise EvalError(f"data.{data_type}.{name} is not declared")
            return self._instances_value(decl)

        return Located(Namespace(f"data.{data_type}", named))

    def _instances_value(self, decl: ResourceDecl) -> Located:
        data = decl.mode == "data"
        expansion = self.expansion(("data." if data else "") + decl.key, decl.block, decl.source)
        base = f"{self.prefix}{'data.' if data else ''}{decl.key}"
        if not data:
            self.instances_of(decl)
        if expansion.keys is None:
            return Located(Unknown(f"the instances of {base} are not known: {expansion.reason}"))

        def one(suffix: str, bindings: Bindings) -> Located:
            if data and decl.type in COMPUTED:
                return self._computed(decl, base + suffix, bindings)
            instance = self.unit.instances.get(base + suffix)
            if not data and instance is not None and decl.type in ECHOED:
                return Located(Instance(base + suffix, data, instance.echoed))
            return Located(Instance(base + suffix, data))

        if expansion.kind == "count":
            return Located([one(suffix, bindings) for suffix, bindings in expansion.keys])
        if expansion.kind == "for_each":
            return Located(
                {
                    json.loads(suffix[1:-1]): one(suffix, bindings)
                    for suffix, bindings in expansion.keys
                }
            )
        return one("", {})

    def _computed(self, decl: ResourceDecl, address: str, bindings: Bindings) -> Located:
        """A data source computed from its own arguments (see datasources.py)."""
        cached = self._data.get(address)
        if cached is not None:
            return cached
        here = Located(None, decl.source, decl.block.start, decl.block.header_end)

        results: dict[str, Located] = {}

        def attributes() -> Located:
            arguments = body_values(self.evaluator, decl.block.body, decl.source, bindings)
            results.update(COMPUTED[decl.type](arguments, here))
            return here

        def attribute(name: str) -> Located:
            if not results:
                self.unit.guarded(address, (decl.source, decl.block.start), attributes)
            found = results.get(name)
            if found is None:
                return Located(Unknown(f"data source {address} is read at plan time"))
            return found

        computed = Located(Namespace(address, attribute))
        self._data[address] = computed
        return computed


class ResourceInstance:
    """One instance of a managed resource, its arguments evaluated on demand."""

    def __init__(
        self, module: ModuleInstance, decl: ResourceDecl, address: str, bindings: Bindings
    ):
        self.module = module
        self.decl = decl
        self.address = address
        self.bindings = bindings
        self._native: dict[str, Located] | None = None
        self._resolving = False

    def header_span(self) -> Span:
        block = self.decl.block
        return self.decl.source.span(block.start, block.header_end)

    def native(self) -> dict[str, Located]:
        """The resource's arguments and nested blocks (dynamic blocks expanded)."""
        if self._native is None:
            values: dict[str, Located] = {}

            def evaluate() -> Located:
                decl = self.decl
                values.update(
                    body_values(self.module.evaluator, decl.block.body, decl.source, self.bindings)
                )
                return Located(values)

            self.module.unit.guarded(
                self.address, (self.decl.source, self.decl.block.start), evaluate
            )
            self._native = values
        return self._native

    def echoed(self, attribute: str) -> Located | None:
        """What `attribute` is before deployment, for those the provider returns as
        configured (`ECHOED`): the argument's value, when the configuration sets it."""
        if attribute not in ECHOED.get(self.decl.type, ()) or self._resolving:
            return None
        self._resolving = True
        try:
            found = self.native().get(attribute)
        except Unresolved:
            return None
        finally:
            self._resolving = False
        if found is None or look_through(found.value) is None:
            return None
        return found

    def configured_text(self, attribute: str) -> str | None:
        """The text an argument is set to, when it is known (for `"${aws_x.y.name}"`)."""
        if self._resolving:
            return None
        self._resolving = True
        try:
            found = self.native().get(attribute)
        except Unresolved:
            return None
        finally:
            self._resolving = False
        if found is None:
            return None
        value = look_through(found.value)
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return None


def body_values(
    evaluator: Evaluator, body: Body, source: SourceText, bindings: Bindings, top: bool = True
) -> dict[str, Located]:
    """A block's arguments and nested blocks, as the provider would receive them.

    A null argument is not set. Nested blocks become lists in the order they are
    written, `dynamic` blocks expanded in place; a dynamic block over a
    collection that is not known adds one unknown element.
    """
    # Terraform's own arguments (count, lifecycle...) exist only at the top.
    meta = RESOURCE_META if top else frozenset()
    out: dict[str, Located] = {}
    for name, attribute in body.attributes.items():
        if name in meta:
            continue
        value = _attribute_value(evaluator, attribute, source, bindings)
        if value.value is not None:
            out[name] = value
    blocks: dict[str, tuple[Block, list[Located]]] = {}
    for block in body.blocks:
        if block.type in meta or (block.type == "dynamic" and not block.labels):
            continue
        name = block.labels[0] if block.type == "dynamic" else block.type
        _, items = blocks.setdefault(name, (block, []))
        if block.type == "dynamic":
            items.extend(_dynamic(evaluator, block, source, bindings))
        else:
            content = body_values(evaluator, block.body, source, bindings, top=False)
            items.append(Located(content, source, block.start, block.header_end))
    for name, (first, items) in blocks.items():
        if name not in out:
            out[name] = Located(items, source, first.start, first.header_end)
    return out


def _attribute_value(
    evaluator: Evaluator, attribute: Attribute, source: SourceText, bindings: Bindings
) -> Located:
    value = evaluator.evaluate(attribute.expr, source, bindings)
    if value.place is None or (
        value.place is source and attribute.start <= value.start and value.end <= attribute.end
    ):
        # Written right here: the whole `name = value` is the place to edit.
        value = value._replace(place=source, start=attribute.start, end=attribute.end)
    return _anchored(value, source, attribute.start, attribute.end)


def _anchored(value: Located, source: SourceText, start: int, end: int) -> Located:
    """Values not known before deployment are reported where the resource uses them.

    A known value keeps the place it is written (a local, a caller's argument);
    an unknown or a reference has no such place worth editing, so it is placed
    on the argument that uses it rather than deep inside an output or a local.
    """
    inner = value.value
    if isinstance(inner, list):
        items = [_anchored(item, source, start, end) for item in inner]
        return value._replace(value=items)
    if isinstance(inner, dict):
        fields = {key: _anchored(item, source, start, end) for key, item in inner.items()}
        return value._replace(value=fields)
    if isinstance(inner, Unknown | Reference | PartialString) and (
        value.place is not source or not start <= value.start <= end
    ):
        return Located(inner, source, start, end)
    return value


def _dynamic(
    evaluator: Evaluator, block: Block, source: SourceText, bindings: Bindings
) -> list[Located]:
    body = block.body
    contents = body.blocks_of("content")
    for_each = body.attributes.get("for_each")
    where = (source, block.start, block.header_end)
    if for_each is None or not contents:
        return [Located(Unknown("a dynamic block without for_each or content"), *where)]
    iterator_attribute = body.attributes.get("iterator")
    iterator = block.labels[0]
    if iterator_attribute is not None and type(iterator_attribute.expr) is Variable:
        iterator = iterator_attribute.expr.name
    collection = evaluator.evaluate(for_each.expr, source, bindings)
    try:
        pairs = iterate(collection)
    except Unresolved as exc:
        return [Located(Unknown(f"dynamic '{block.labels[0]}' over {exc.unknown.reason}"), *where)]
    except EvalError as exc:
        return [Located(Unknown(f"dynamic '{block.labels[0]}': {exc}"), *where)]
    content = contents[0]
    out = []
    for key, value in pairs:
        inner = dict(bindings)
        inner[iterator] = Located({"key": key, "value": value})
        values = body_values(evaluator, content.body, source, inner, top=False)
        out.append(Located(values, source, block.start, block.header_end))
    return out


def _for_each(value: Located) -> Expansion:
    try:
        collection = need(value)
    except Unresolved as exc:
        return Expansion(None, "for_each", f"for_each {exc.unknown.reason}")
    if isinstance(collection, dict):
        keys = []
        for key in sorted(collection):
            each = Located({"key": Located(key), "value": collection[key]})
            keys.append((f"[{json.dumps(key)}]", {"each": each}))
        return Expansion(keys, "for_each")
    if isinstance(collection, list):
        keys = []
        for item in collection:
            element = look_through(item.value)
            if first_unknown(item) is not None:
                return Expansion(
                    None, "for_each", "for_each has elements known only after deployment"
                )
            if not isinstance(element, str):
                return Expansion(None, "for_each", "for_each needs a map or a set of strings")
            keys.append(
                (
                    f"[{json.dumps(element)}]",
                    {"each": Located({"key": Located(element), "value": item})},
                )
            )
        return Expansion(sorted(keys, key=lambda pair: pair[0]), "for_each")
    if collection is None:
        return Expansion(None, "for_each", "for_each is null")
    return Expansion(None, "for_each", "for_each needs a map or a set of strings")


def _unknown_bindings(expansion: Expansion) -> Bindings:
    unknown = Located(Unknown(f"the instance is not known: {expansion.reason}"))
    return {
        "count": Located({"index": unknown}),
        "each": Located({"key": unknown, "value": unknown}),
    }


def input_tree(
    value: Located, name: str, secret: bool, declared_at: Span | None, origin: str
) -> Located:
    """A variable's value with each leaf an Input, placed where the variable is used."""
    inner = value.value
    if isinstance(inner, list):
        return Located([input_tree(item, name, secret, declared_at, origin) for item in inner])
    if isinstance(inner, dict):
        return Located(
            {
                key: input_tree(item, name, secret, declared_at, origin)
                for key, item in inner.items()
            }
        )
    if inner is None or isinstance(inner, Input | Unknown | Reference):
        return Located(inner)
    return Located(
        Input(
            name=name,
            value=plain(value),
            has_default=True,
            secret=secret,
            declared_at=declared_at,
            origin=origin,
        )
    )


def _source_of(call: Declared) -> str | None:
    attribute = call.block.body.attributes.get("source")
    if attribute is None or type(attribute.expr) is not Literal:
        return None
    value = attribute.expr.value
    return value if isinstance(value, str) else None


def _is_local(source: str) -> bool:
    return source.startswith(("./", "../")) or source in (".", "..")


def _is_true(attribute: Attribute | None) -> bool:
    return (
        attribute is not None and type(attribute.expr) is Literal and attribute.expr.value is True
    )


def _is_false(attribute: Attribute | None) -> bool:
    return (
        attribute is not None and type(attribute.expr) is Literal and attribute.expr.value is False
    )


def _place(value: Located) -> tuple[Place | None, int, int]:
    return value.place, value.start, value.end

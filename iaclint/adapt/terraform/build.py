"""A Terraform unit (root module and its local modules) into the common resource graph.

Each resource instance's arguments are evaluated into located values, turned
into `Src` trees whose origin is `(instance address, *argument path)` — the
path as users write it (`ingress[0].cidr_blocks[1]`) — and mapped by the
resource type's family. Contributions from separate resources are then added
to the resources they name, and every tree is frozen into a `Resource` whose
locations come from the span table filled on the way.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import NamedTuple

from iaclint.adapt.normalize import to_bool
from iaclint.adapt.secrets import sensitive_settings
from iaclint.adapt.sensitive_values import of_resources, written
from iaclint.adapt.sourced import Locations, Src, freeze, obj
from iaclint.adapt.tags import terraform_tags
from iaclint.adapt.terraform import (
    data_services,
    databases,
    ec2,
    iam,
    observability,
    outputs,
    providers,
    resource_policies,
    storage,
)
from iaclint.adapt.terraform.documents import JsonDocument
from iaclint.adapt.terraform.evaluate import TooLarge, Unresolved
from iaclint.adapt.terraform.exposed import exposed, secret_variables, variables_in
from iaclint.adapt.terraform.family import Context, Contribution, Family
from iaclint.adapt.terraform.module import ResourceInstance, Unit
from iaclint.adapt.terraform.values import (
    Encoded,
    EvalError,
    FixedPlace,
    Instance,
    Located,
    Namespace,
    encoded_text,
    look_through,
    unknown_of,
)
from iaclint.diagnostics import Diagnostic
from iaclint.graph.model import Edge, Graph, Location, ModelPath, Resource, SensitiveValue
from iaclint.graph.values import Input, PartialString, Reference, Unknown, unknown_reason
from iaclint.span import DocPath, Span, format_doc_path

FAMILIES: dict[str, Family] = {
    **ec2.FAMILIES,
    **iam.FAMILIES,
    **storage.FAMILIES,
    **observability.FAMILIES,
    **databases.FAMILIES,
    **data_services.FAMILIES,
    **providers.FAMILIES,
    **outputs.FAMILIES,
    **resource_policies.FAMILIES,
}
# Resources no family maps still carry what every kind shares (`sensitive`).
_UNMODELLED = Family("unmodelled")
NAMED: dict[str, tuple[str, str]] = {
    **ec2.NAMED,
    **iam.NAMED,
    **storage.NAMED,
    **databases.NAMED,
}


class _Built(NamedTuple):
    native: Native
    family: Family
    model: Src | None


class Native(NamedTuple):
    """A resource instance as its provider would receive it, before mapping."""

    address: str
    type: str
    # Arguments and nested blocks; origins are `(address, *argument path)`.
    native: Src
    header: Location
    depends_on: tuple[str, ...] = ()
    # Secret variables written into its user data, environment or tags (exposed.py).
    exposed: Src | None = None
    # For an output: the secret variables written into its value, which evaluation
    # turns into text like any other (`"admin:${var.admin_password}"`).
    shown_variables: tuple[str, ...] = ()


def adapt_unit(unit: Unit) -> tuple[Graph, list[Diagnostic]]:
    """Build the graph of one unit, with the problems met on the way."""
    try:
        spans: dict[DocPath, Span] = {}
        natives = [_native(instance, spans) for instance in unit.resource_instances()]
        sensitive = [*_sensitive_variables(unit), *of_files_read(unit.loader.texts_read)]
        configs = unit.configs.values()
        several_regions = (
            any(config.provider_choices for config in configs)
            or sum(config.aws_provider_blocks for config in configs) > 1
        )
        graph = build_graph(
            natives, spans, unit.root.config.default_tags, sensitive, several_regions
        )
    except TooLarge as exc:
        root = unit.root.config
        file = root.files[0].file if root.files else root.shown
        unit.report(too_large(exc, root.shown, file))
        return Graph((), sensitive=of_files_read(unit.loader.texts_read)), _diagnostics(unit)
    return graph, _diagnostics(unit)


def too_large(exc: TooLarge, root: str, file: str) -> Diagnostic:
    """The error for a root module whose evaluation met a limit: located where it was
    met when that is known, else at the root's first file."""
    message = f"stopped evaluating {root}: {exc}"
    if exc.where is None:
        return Diagnostic.error(file, message)
    place, offset = exc.where
    span = place.span(offset, offset)
    return Diagnostic.error(span.file, message, span.line, span.column)


# A quoted string in a file read (a JSON value): what jsondecode() gives a message.
_QUOTED = re.compile(r'"((?:[^"\\\n]|\\.){4,})"')


def of_files_read(texts: list[str]) -> list[SensitiveValue]:
    """What file() and templatefile() read: the pull request chooses the file (a
    `.env` a previous step wrote, a key), so no report prints it, whole, a line of
    it, or a quoted string in it, in any case."""
    found: list[SensitiveValue] = []
    for text in texts:
        encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")  # filebase64()
        pieces = [text, encoded, *(line.strip() for line in text.splitlines())]
        pieces += _QUOTED.findall(text)
        # Adapters normalize some values' case (`http_tokens`, algorithms).
        pieces += [form for piece in pieces for form in (piece.lower(), piece.upper())]
        for piece in dict.fromkeys(pieces):
            if piece:  # the engine masks texts long enough to search for
                found.extend(written(piece, None))
    return found


def _sensitive_variables(unit: Unit) -> list[SensitiveValue]:
    """The values of the root module's variables declared `sensitive`, or named as
    secrets with a literal default, where written."""
    found: list[SensitiveValue] = []
    root = unit.root
    secrets = secret_variables(root.config)
    for name, decl in root.config.variables.items():
        if "sensitive" not in decl.block.body.attributes and name not in secrets:
            continue
        try:
            value = root.variable(name)
        except (EvalError, Unresolved):
            continue
        for leaf in _inputs(value):
            if (leaf.secret or name in secrets) and not isinstance(leaf.value, bool):
                text = leaf.value if isinstance(leaf.value, str) else str(leaf.value)
                if isinstance(leaf.value, str | int | float) and text.strip():
                    found.extend(written(text, leaf.declared_at))
    return found


def _inputs(value: Located) -> Iterator[Input]:
    inner = value.value
    if isinstance(inner, Input):
        yield inner
    elif isinstance(inner, list | dict):
        for item in inner.values() if isinstance(inner, dict) else inner:
            if isinstance(item, Located):
                yield from _inputs(item)


def _diagnostics(unit: Unit) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: set[int] = set()
    for module in unit.root.walk():
        config = module.config
        if id(config) not in seen:
            seen.add(id(config))
            out.extend(config.diagnostics)
    return out + unit.diagnostics


def _native(instance: ResourceInstance, spans: dict[DocPath, Span]) -> Native:
    root: DocPath = (instance.address,)
    header = instance.header_span()
    spans[root] = header
    native: Src
    # Every resource's arguments are evaluated, modelled or not: any may hold a secret.
    try:
        values = instance.native()
    except Unresolved as exc:
        native = Src(exc.unknown, root)
    else:
        native = Src(
            {name: _to_src(value, (*root, name), header, spans) for name, value in values.items()},
            root,
        )
        if instance.decl.mode == "provider":
            _at_defaults(values, root, spans)
    secrets = secret_variables(instance.module.config)
    body = instance.decl.block.body
    shown: tuple[str, ...] = ()
    if instance.decl.mode == "output" and "value" in body.attributes:
        found = variables_in(body.attributes["value"].expr)
        shown = tuple(name for name in dict.fromkeys(found) if name in secrets)
    return Native(
        instance.address,
        instance.decl.type,
        native,
        Location("", header),
        tuple(_depends_on(instance)),
        exposed(body, instance.address, secrets),
        shown,
    )


def _shown_variable(model: Src, names: tuple[str, ...]) -> Src:
    """An output whose value has a secret variable written into it shows that secret."""
    fields = model.value
    if not names or not isinstance(fields, dict) or fields.get("secret") is not None:
        return model
    value = fields.get("value")
    if not isinstance(value, Src):
        return model
    secret = value.with_value(f"var.{names[0]} (written into its value)")
    return model.with_value({**fields, "secret": secret})


def _at_defaults(values: dict[str, Located], root: DocPath, spans: dict[DocPath, Span]) -> None:
    """A provider argument set from a variable's default points at the default: a
    provider block is written once and the credential is changed where it is."""
    for name, located in values.items():
        value = located.value
        if (
            isinstance(value, Input)
            and value.declared_at is not None
            and (value.origin or "").startswith("default of variable")
        ):
            spans[(*root, name)] = value.declared_at


def _to_src(located: Located, path: DocPath, inherited: Span, spans: dict[DocPath, Span]) -> Src:
    span = located.span() or inherited
    spans[path] = span
    value = located.value
    if isinstance(value, list):
        return Src(
            [_to_src(item, (*path, index), span, spans) for index, item in enumerate(value)], path
        )
    if isinstance(value, dict):
        return Src(
            {key: _to_src(item, (*path, key), span, spans) for key, item in value.items()}, path
        )
    if isinstance(value, Instance):
        value = Reference(value.address)
    elif isinstance(value, Namespace):
        value = Unknown(f"'{value.name}' used as a value")
    elif isinstance(value, Encoded):
        # jsonencode(data): the data keeps its places, under the argument's path.
        data = _to_src(value.data, path, span, spans)
        try:
            text = encoded_text(value)
        except TooLarge as exc:
            exc.where = exc.where or (FixedPlace(span), 0)
            raise
        value = JsonDocument(data, text)
    return Src(value, path)


def _decoded(node: Src) -> Src:
    """Arguments with `jsonencode(...)` values seen as the data they encode."""
    value = node.value
    if isinstance(value, JsonDocument):
        return _decoded(value.data)
    if isinstance(value, dict):
        return node.with_value({key: _decoded(child) for key, child in value.items()})
    if isinstance(value, list):
        return node.with_value([_decoded(child) for child in value])
    return node


def build_graph(
    natives: list[Native],
    spans: dict[DocPath, Span],
    default_tags: bool = False,
    sensitive: Iterable[SensitiveValue] = (),
    several_regions: bool = False,
) -> Graph:
    """Map each resource by its family, add contributions, and freeze them into a graph.

    `default_tags`: the root module's aws provider adds tags to every resource.
    `sensitive`: secrets known outside the resources (a plan's sensitive values).
    `several_regions`: the unit may use several aws provider configurations, so a
    setting of one region (EBS encryption by default) may not hold for a resource.
    """
    return _GraphBuilder(natives, spans, default_tags, several_regions).build(sensitive)


class _GraphBuilder:
    def __init__(
        self,
        natives: list[Native],
        spans: dict[DocPath, Span],
        default_tags: bool,
        several_regions: bool = False,
    ):
        self.natives = natives
        self.spans = spans
        self.default_tags = default_tags
        self.several_regions = several_regions

    def build(self, sensitive: Iterable[SensitiveValue] = ()) -> Graph:
        built: dict[str, _Built] = {}
        for native in self.natives:
            family = FAMILIES.get(native.type, _UNMODELLED)
            built[native.address] = _Built(native, family, None)
        context = Context(self.names(built), self.ebs_default_encryption())
        for address, item in built.items():
            own = item.native.native
            if item.family.build is not None:
                model = item.family.build(own, context)
            else:
                model = Src({}, own.origin)
            model = _shown_variable(model, item.native.shown_variables)
            if isinstance(model.value, dict):
                shared = {
                    "tags": terraform_tags(own, self.default_tags),
                    "sensitive": sensitive_settings(_decoded(own)),
                    "exposed": item.native.exposed,
                }
                model = obj(model, {**model.value, **shared})
            built[address] = item._replace(model=model)
        contributed = self.contribute(built, context)
        resources: list[Resource] = []
        edges: list[Edge] = []
        for native in self.natives:
            address = native.address
            found = built.get(address)
            outgoing: list[Edge] = []
            if found is None or found.model is None:
                kind = found.family.kind if found is not None else "unmodelled"
                resource = Resource(address, kind, native.type, {}, native.header)
            else:
                resource = self.resource(found)
                outgoing = list(_edges(address, found.model))
            # References in arguments the model leaves out, for hops back from native types.
            modelled = {edge.target for edge in outgoing}
            outgoing += [
                Edge(address, reference.target, "ref")
                for _, reference in _references(native.native, ())
                if reference.target not in modelled
            ]
            edges.extend(outgoing)
            arguments, places, unknown = self.native_view(native)
            resources.append(
                resource._replace(native=arguments, native_locations=places, native_unknown=unknown)
            )
            edges.extend(Edge(address, target, "ref") for target in contributed.get(address, ()))
            edges.extend(Edge(address, target, "depends_on") for target in native.depends_on)
        return Graph(resources, edges, [*sensitive, *of_resources(resources)])

    def ebs_default_encryption(self) -> Src | None:
        """True when an `aws_ebs_encryption_by_default` of the unit turns it on
        (`enabled` defaults to true), unknown when its value is not known or the
        unit may use several regions (the setting holds in its provider's region
        only), None when none says so: the volumes that do not say are then judged
        on their own."""
        found: Src | None = None
        for native in self.natives:
            if native.type != "aws_ebs_encryption_by_default":
                continue
            enabled = native.native.get("enabled")
            value = True if enabled is None else to_bool(look_through(enabled.value))
            if value is True and self.several_regions:
                return Src(
                    Unknown(
                        "the account encrypts new EBS volumes by default in the region of "
                        f"{native.address}'s provider; the files use several aws providers, "
                        "and whether this volume is in that region is not known"
                    ),
                    native.native.origin,
                )
            if value is True:
                return Src(True, native.native.origin)
            unknown = unknown_of(value)
            if unknown is not None and found is None:
                found = Src(
                    Unknown(f"the account's EBS encryption by default: {unknown.reason}"),
                    native.native.origin,
                )
        return found

    def names(self, built: dict[str, _Built]) -> dict[tuple[str, str], str]:
        names: dict[tuple[str, str], str] = {}
        for address, item in built.items():
            named = NAMED.get(item.native.type)
            if named is None:
                continue
            kind, argument = named
            name = item.native.native.get(argument)
            value = look_through(name.value) if name is not None else None
            if isinstance(value, str):
                names[(kind, value)] = address
        return names

    def contribute(self, built: dict[str, _Built], context: Context) -> dict[str, list[str]]:
        """Add separate resources' contributions to the resources they name."""
        targets: dict[str, list[str]] = {}
        for address, item in list(built.items()):
            if item.family.contribute is None:
                continue
            for contribution in item.family.contribute(item.native.native, context):
                receiver = self.receiver(contribution, built, context)
                if receiver is None:
                    own = built[address]
                    if contribution.unclaimed is not None and own.model is not None:
                        kept = contribution._replace(property=contribution.unclaimed, mode="append")
                        built[address] = own._replace(model=_add(own.model, kept))
                    continue
                target = built[receiver]
                if target.model is None:
                    continue
                built[receiver] = target._replace(model=_add(target.model, contribution))
                targets.setdefault(address, []).append(receiver)
        return targets

    @staticmethod
    def receiver(
        contribution: Contribution, built: dict[str, _Built], context: Context
    ) -> str | None:
        value = look_through(contribution.target.value)
        if isinstance(value, Reference):
            found = built.get(value.target)
            if found is not None and found.family.kind in contribution.kinds:
                return value.target
            return None
        if isinstance(value, str):
            for kind in contribution.kinds:
                address = context.address_named(kind, value)
                if address is not None:
                    return address
        return None

    def native_view(
        self, native: Native
    ) -> tuple[Mapping[str, object], Mapping[ModelPath, Location], str | None]:
        """A resource's arguments as written (its `native` properties), their places,
        and why they cannot be known when they cannot."""
        arguments = _sanitized(native.native)
        if not isinstance(arguments.value, dict):
            return {}, {}, unknown_reason(arguments.value)
        data, origins = freeze(arguments)
        return data, Locations(origins, self.where(native)), None

    def where(self, native: Native) -> Callable[[DocPath], Location]:
        own = native.address
        header = native.header
        spans = self.spans

        def where(origin: DocPath) -> Location:
            return Location(_attribute(own, origin), spans.get(origin, header.span))

        return where

    def resource(self, item: _Built) -> Resource:
        assert item.model is not None
        model = _sanitized(item.model)
        if not isinstance(model.value, dict):
            model = Src({}, model.origin)
        data, origins = freeze(model)
        return Resource(
            address=item.native.address,
            kind=item.family.kind,
            native_type=item.native.type,
            properties=data,
            header=item.native.header,
            locations=Locations(origins, self.where(item.native)),
        )


def _add(model: Src, contribution: Contribution) -> Src:
    fields = model.value
    if not isinstance(fields, dict):
        return model
    current = fields.get(contribution.property)
    updated = dict(fields)
    if contribution.mode == "set":
        if current is None:
            updated[contribution.property] = contribution.value
    elif current is None:
        updated[contribution.property] = Src([contribution.value], contribution.value.origin)
    else:
        items = current.items()
        if items is None:
            return model  # an unknown list stays unknown
        updated[contribution.property] = Src([*items, contribution.value], current.origin)
    return model.with_value(updated)


def _attribute(own: str, origin: DocPath) -> str:
    address, *path = origin
    text = format_doc_path(tuple(path))
    if address == own:
        return text
    return f"{address}.{text}" if text else str(address)


def _sanitized(node: Src) -> Src:
    """Evaluator-only values become the model's: JSON text, or unknown."""
    value = node.value
    if isinstance(value, dict):
        return node.with_value({k: _sanitized(v) for k, v in value.items() if isinstance(v, Src)})
    if isinstance(value, list):
        return node.with_value([_sanitized(v) for v in value if isinstance(v, Src)])
    if isinstance(value, JsonDocument):
        return node.with_value(value.text)
    return node


def _edges(address: str, model: Src) -> Iterator[Edge]:
    for path, reference in _references(model, ()):
        yield Edge(address, reference.target, str(path[0]) if path else "ref")


def _references(
    node: Src, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], Reference]]:
    value = node.value
    if isinstance(value, Reference):
        yield path, value
    elif isinstance(value, PartialString):
        for part in value.parts:
            if isinstance(part, Reference):
                yield path, part
    elif isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, Src):
                yield from _references(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            if isinstance(child, Src):
                yield from _references(child, (*path, index))


def _depends_on(instance: ResourceInstance) -> Iterator[str]:
    attribute = instance.decl.block.body.attributes.get("depends_on")
    if attribute is None:
        return
    value = instance.module.evaluator.evaluate(
        attribute.expr, instance.decl.source, instance.bindings
    )
    stack = [value]
    while stack:
        current = stack.pop()
        inner = current.value
        if isinstance(inner, list):
            stack.extend(inner)
        elif isinstance(inner, dict):
            stack.extend(inner.values())
        elif isinstance(inner, Instance) and not inner.data:
            yield inner.address
        elif isinstance(inner, Reference):
            yield inner.target

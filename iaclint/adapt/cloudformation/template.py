"""A CloudFormation template into the common resource graph."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from iaclint.adapt.cloudformation import (
    data_services,
    databases,
    ec2,
    iam,
    language_extensions,
    observability,
    resource_policies,
    storage,
)
from iaclint.adapt.cloudformation.conditions import ConditionModel, TooLarge, Variant
from iaclint.adapt.cloudformation.context import Context, Mapper
from iaclint.adapt.cloudformation.intrinsics import Resolver, malformed_getatts
from iaclint.adapt.cloudformation.sam import expand_serverless
from iaclint.adapt.secrets import (
    exposed_entry,
    is_secret_variable,
    secret_input,
    sensitive_settings,
    shown_secret,
    shown_settings,
)
from iaclint.adapt.sensitive_values import of_parameters, of_resources
from iaclint.adapt.sourced import Locations, Src, freeze, obj
from iaclint.adapt.tags import template_tags
from iaclint.diagnostics import (
    CDK_WITHOUT_PATHS,
    SAM_TRANSFORM,
    STRUCTURED_TYPE,
    Diagnostic,
)
from iaclint.graph.model import Edge, Graph, Location, Resource
from iaclint.graph.values import PartialString, Reference, unknown_reason
from iaclint.parse.document import Document, Tagged
from iaclint.span import DocPath, Span, format_doc_path

MAPPERS: dict[str, Mapper] = {
    **ec2.MAPPERS,
    **iam.MAPPERS,
    **storage.MAPPERS,
    **observability.MAPPERS,
    **databases.MAPPERS,
    **data_services.MAPPERS,
    **resource_policies.MAPPERS,
}

# Resources other resources may name literally: type -> (kind, name property).
_NAMED = {
    "AWS::EC2::LaunchTemplate": ("ec2.launch_template", "LaunchTemplateName"),
    **iam.NAMED,
    **storage.NAMED,
}


def adapt_template(
    document: Document,
    construct_paths: Mapping[str, str] | None = None,
    defined_at: Mapping[str, Span] | None = None,
) -> tuple[Graph, list[Diagnostic]]:
    """Build the graph of one template, with the problems met on the way."""
    # Transforms first, in the order CloudFormation runs them: the language
    # extensions' loops, then SAM's serverless resources.
    document, looped = language_extensions.expand(document)
    document, expanded = expand_serverless(document)
    adapter = _TemplateAdapter(document, construct_paths or {}, defined_at or {})
    graph, problems = adapter.run()
    return graph, [*looped, *expanded, *problems]


class _TemplateAdapter:
    def __init__(
        self,
        document: Document,
        construct_paths: Mapping[str, str],
        defined_at: Mapping[str, Span],
    ):
        self.defined_at = defined_at
        # Logical id -> construct path, from a CDK cloud assembly's metadata: names
        # resources of templates synthesized without `aws:cdk:path`.
        self.construct_paths = construct_paths
        self.document = document
        self.file = document.file
        self.template = document.data if isinstance(document.data, dict) else {}
        self.diagnostics: list[Diagnostic] = []
        self.resources: list[Resource] = []
        self.edges: list[Edge] = []
        self._secrets: frozenset[str] | None = None

    def run(self) -> tuple[Graph, list[Diagnostic]]:
        section = self.template.get("Resources")
        if section is None:
            return Graph(()), self.diagnostics
        if not isinstance(section, dict):
            self._error(("Resources",), "'Resources' must be a mapping of logical ids to resources")
            return Graph(()), self.diagnostics
        for path, problem in malformed_getatts(self.template):
            span = self.document.span_of(path)
            self.diagnostics.append(
                Diagnostic.error(
                    self.file,
                    f"Fn::GetAtt {problem}; CloudFormation refuses the template",
                    span.line,
                    span.column,
                )
            )
        resolver = Resolver(self.template, self.document)
        context = Context(self._names(section))
        try:
            conditions = ConditionModel(self.template.get("Conditions"), resolver.budget)
            for cycle in conditions.cycles():
                self._error(
                    ("Conditions", cycle[0]),
                    f"condition '{cycle[0]}' depends on itself ({' -> '.join(cycle)}); "
                    "CloudFormation refuses the template",
                )
            for logical_id, body in section.items():
                self._resource(logical_id, body, resolver, conditions, context)
            self._outputs(section, resolver, conditions)
        except TooLarge as exc:
            self._error((), f"stopped resolving the template: {exc}")
        self._cdk_notice(section)
        sensitive = [*of_parameters(self.document), *of_resources(self.resources)]
        graph = Graph(self.resources, self.edges, sensitive)
        return graph, self.diagnostics

    def _names(self, section: dict[str, object]) -> dict[tuple[str, str], str]:
        names: dict[tuple[str, str], str] = {}
        for logical_id, body in section.items():
            if not isinstance(body, dict):
                continue
            named = _NAMED.get(str(body.get("Type")))
            properties = body.get("Properties")
            if named is not None and isinstance(properties, dict):
                name = properties.get(named[1])
                if isinstance(name, str):
                    names[(named[0], name)] = logical_id
        return names

    def _resource(
        self,
        logical_id: str,
        body: object,
        resolver: Resolver,
        conditions: ConditionModel,
        context: Context,
    ) -> None:
        path: DocPath = ("Resources", logical_id)
        if logical_id.startswith(language_extensions.LOOP_PREFIX):
            # Loops left here were not expanded: reported already, or no transform.
            if not language_extensions.declares_transform(self.template):
                self._error(
                    path,
                    f"'{logical_id}' needs 'Transform: {language_extensions.TRANSFORM}', "
                    "which the template does not declare (CloudFormation refuses it); "
                    "the resources it would generate are not linted",
                )
            return
        if not isinstance(body, dict):
            self._error(path, f"resource '{logical_id}' must be a mapping with a 'Type'")
            return
        native_type = body.get("Type")
        if isinstance(native_type, dict | Tagged):
            self.diagnostics.append(
                Diagnostic.warning(
                    self.file,
                    f"resource '{logical_id}' has a structured 'Type' (a preprocessor's "
                    "directive?); it is not linted",
                    *self._line_column((*path, "Type")),
                    kind=STRUCTURED_TYPE,
                    subject=logical_id,
                )
            )
            return
        if not isinstance(native_type, str):
            self._error(
                (*path, "Type") if "Type" in body else path,
                f"resource '{logical_id}' needs a 'Type' written as text, "
                f"got {type(native_type).__name__ if native_type is not None else 'none'}",
            )
            return
        if native_type.startswith("AWS::Serverless::"):
            # SAM resources become other resources at deployment: say they are not checked.
            self.diagnostics.append(
                Diagnostic.warning(
                    self.file,
                    f"'{logical_id}' ({native_type}) is expanded by the AWS::Serverless "
                    "transform at deployment; the resources it generates are not linted",
                    *self._line_column((*path, "Type")),
                    kind=SAM_TRANSFORM,
                    subject=logical_id,
                )
            )
        properties = body.get("Properties", {})
        if properties is None:
            properties = {}
        if not isinstance(properties, dict):
            self._error((*path, "Properties"), f"'Properties' of '{logical_id}' must be a mapping")
            return
        required = body.get("Condition")
        used = _conditions_used(resolver, conditions, properties)
        variants = conditions.variants(used, required if isinstance(required, str) else None)
        kind, build = MAPPERS.get(native_type, ("unmodelled", None))
        header = self._header(logical_id)
        construct_path = _construct_path(body) or self.construct_paths.get(logical_id)
        for variant in variants:
            self._variant(
                logical_id,
                native_type,
                kind,
                build,
                properties,
                variant,
                resolver,
                context,
                header,
                construct_path,
            )
        for target in _depends_on(body.get("DependsOn")):
            self.edges.append(Edge(logical_id, target, "depends_on"))

    def _variant(
        self,
        logical_id: str,
        native_type: str,
        kind: str,
        build: object,
        properties: dict[str, object],
        variant: Variant,
        resolver: Resolver,
        context: Context,
        header: Location,
        construct_path: str | None,
    ) -> None:
        origin: DocPath = ("Resources", logical_id, "Properties")
        resolved = resolver.resolve(properties, origin, variant)
        if not isinstance(resolved, Src):
            resolved = Src({}, origin)
        built = build(resolved, context) if callable(build) else Src({}, origin)
        if isinstance(built.value, dict):
            shared = {
                "tags": template_tags(resolved),
                "sensitive": sensitive_settings(resolved),
                "exposed": self._exposed(origin, properties),
            }
            built = obj(built, {**built.value, **shared})
        data, origins = freeze(built)
        span_of = self.document.span_of

        # Not a method of the adapter: the graph's locations would hold the adapter,
        # and the adapter the graph, a cycle only the collector frees.
        def where(doc_path: DocPath) -> Location:
            return Location(_attribute(logical_id, doc_path), span_of(doc_path))

        locations = Locations(origins, where)
        native, native_origins = freeze(resolved) if isinstance(resolved.value, dict) else ({}, {})
        native_unknown = (
            None if isinstance(resolved.value, dict) else unknown_reason(resolved.value)
        )
        self.resources.append(
            Resource(
                address=logical_id,
                kind=kind,
                native_type=native_type,
                properties=data,
                header=header,
                locations=locations,
                conditions=variant.conditions,
                construct_path=construct_path,
                defined_at=self.defined_at.get(logical_id),
                native=native,
                native_locations=Locations(native_origins, where),
                native_unknown=native_unknown,
            )
        )
        labelled = set()
        for path, reference in _references(built):
            label = str(path[0]) if path else "ref"
            labelled.add(reference.target)
            self.edges.append(Edge(logical_id, reference.target, label))
        for _, reference in _references(resolved):
            if reference.target not in labelled:
                self.edges.append(Edge(logical_id, reference.target, "ref"))

    def _outputs(
        self, section: dict[str, object], resolver: Resolver, conditions: ConditionModel
    ) -> None:
        """The template's `Outputs`, each an `output` named `Outputs.<name>`: every
        one is shown in the console and by `describe-stacks`."""
        outputs = self.template.get("Outputs")
        if not isinstance(outputs, dict):
            return

        def type_of(logical_id: str) -> str | None:
            body = section.get(logical_id)
            native_type = body.get("Type") if isinstance(body, dict) else None
            return native_type if isinstance(native_type, str) else None

        span_of = self.document.span_of

        def output_location(doc_path: DocPath) -> Location:
            """Where an output's value is written, named as in the output (`Value`)."""
            return Location(format_doc_path(doc_path[2:]), span_of(doc_path))

        for name, body in outputs.items():
            if not isinstance(body, dict) or "Value" not in body:
                continue
            path: DocPath = ("Outputs", name)
            required = body.get("Condition")
            used = _conditions_used(resolver, conditions, body["Value"])
            for variant in conditions.variants(
                used, required if isinstance(required, str) else None
            ):
                value = resolver.resolve(body["Value"], (*path, "Value"), variant)
                if not isinstance(value, Src):
                    continue
                secret = shown_secret(value.value, type_of) or self._secret_parameter_in(
                    body["Value"]
                )
                built = Src(
                    {
                        "value": value,
                        "secret": value.with_value(secret) if secret is not None else None,
                        "sensitive": sensitive_settings(Src({"Value": value}, path)),
                    },
                    path,
                )
                data, origins = freeze(built)
                span = self.document.span_of(path)
                header = Location(
                    "", Span(span.file, span.line, span.column, span.line, span.column + len(name))
                )
                self.resources.append(
                    Resource(
                        address=f"Outputs.{name}",
                        kind="output",
                        native_type="Output",
                        properties=data,
                        header=header,
                        locations=Locations(origins, output_location),
                        conditions=variant.conditions,
                        construct_path=self.construct_paths.get(name),
                        defined_at=self.defined_at.get(name),
                    )
                )

    def _secret_parameters(self) -> frozenset[str]:
        """The parameters holding secrets: `NoEcho`, or secret-named with a default."""
        if self._secrets is None:
            parameters = self.template.get("Parameters")
            names = set()
            for name, declaration in parameters.items() if isinstance(parameters, dict) else ():
                if isinstance(declaration, dict):
                    no_echo = declaration.get("NoEcho")
                    marked = no_echo is True or str(no_echo).lower() == "true"
                    if secret_input(str(name), marked, declaration.get("Default")):
                        names.add(str(name))
            self._secrets = frozenset(names)
        return self._secrets

    def _exposed(self, origin: DocPath, properties: dict[str, object]) -> Src | None:
        """Secret parameters written into user data, environment variables or tags."""
        secrets = self._secret_parameters()
        if not secrets:
            return None
        found: list[Src] = []
        _find_exposed(properties, origin, "", secrets, found)
        return Src(found, origin) if found else None

    def _secret_parameter_in(self, raw: object) -> str | None:
        """A secret parameter written into `raw` (`Ref`, or `${Name}` in `Fn::Sub`),
        named, or None: once substituted, its default is text like any other."""
        parameters = self.template.get("Parameters")
        if not isinstance(parameters, dict):
            return None
        for name in _parameters_used(raw):
            declaration = parameters.get(name)
            if not isinstance(declaration, dict):
                continue
            no_echo = declaration.get("NoEcho")
            if no_echo is True or str(no_echo).lower() == "true":
                return f"{name} (marked secret)"
            if isinstance(declaration.get("Default"), str) and is_secret_variable(name):
                return f"{name} (its default)"
        return None

    def _cdk_notice(self, section: dict[str, object]) -> None:
        """One notice for a CDK-synthesized template whose resources cannot be named."""
        parameters = self.template.get("Parameters")
        synthesized = "BootstrapVersion" in (
            parameters if isinstance(parameters, dict) else {}
        ) or any(
            isinstance(body, dict) and body.get("Type") == "AWS::CDK::Metadata"
            for body in section.values()
        )
        if synthesized and not any(resource.construct_path for resource in self.resources):
            self.diagnostics.append(
                Diagnostic.notice(
                    self.file,
                    "synthesized by CDK without construct paths: findings name logical ids. "
                    "Lint the whole cdk.out directory, or synthesize with the CDK CLI "
                    "(`cdk synth`), or give the app the context "
                    "`aws:cdk:enable-path-metadata: true`",
                    kind=CDK_WITHOUT_PATHS,
                )
            )

    def _header(self, logical_id: str) -> Location:
        span = self.document.span_of(("Resources", logical_id))
        # The first line of the resource: its logical id.
        first = Span(span.file, span.line, span.column, span.line, span.column + len(logical_id))
        return Location("", first)

    def _line_column(self, path: DocPath) -> tuple[int | None, int | None]:
        span = self.document.spans.get(path)
        return (span.line, span.column) if span is not None else (None, None)

    def _error(self, path: DocPath, message: str) -> None:
        line, column = self._line_column(path)
        self.diagnostics.append(Diagnostic.error(self.file, message, line, column))


def _conditions_used(resolver: Resolver, conditions: ConditionModel, value: object) -> list[str]:
    """The conditions `value` tests, each once. A template that defines none has one
    variant whatever its `Fn::If`s name: its properties are not searched for them."""
    if not conditions.definitions:
        return []
    return list(dict.fromkeys(resolver.conditions_used(value)))


def _attribute(logical_id: str, doc_path: DocPath) -> str:
    if doc_path[:2] == ("Resources", logical_id):
        return format_doc_path(doc_path[2:])
    return format_doc_path(doc_path)


def _construct_path(body: dict[str, object]) -> str | None:
    metadata = body.get("Metadata")
    if isinstance(metadata, dict):
        path = metadata.get("aws:cdk:path")
        if isinstance(path, str):
            return path
    return None


def _depends_on(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _references(node: Src) -> list[tuple[tuple[str | int, ...], Reference]]:
    """The references below `node`, with their paths, in document order."""
    found: list[tuple[tuple[str | int, ...], Reference]] = []
    _gather_references(node, (), found)
    return found


def _gather_references(
    node: Src,
    path: tuple[str | int, ...],
    found: list[tuple[tuple[str | int, ...], Reference]],
) -> None:
    # Appended to one list: nested generators cost a resumption per level for each
    # value, and a template's properties are walked twice per variant.
    value = node.value
    if isinstance(value, dict):
        for key, child in value.items():
            # Plain leaves, most values, hold no reference: not called for.
            if isinstance(child, Src) and type(child.value) not in _PLAIN_LEAVES:
                _gather_references(child, (*path, key), found)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            if isinstance(child, Src) and type(child.value) not in _PLAIN_LEAVES:
                _gather_references(child, (*path, index), found)
    elif isinstance(value, Reference):
        found.append((path, value))
    elif isinstance(value, PartialString):
        for part in value.parts:
            if isinstance(part, Reference):
                found.append((path, part))


# Values that cannot hold a reference.
_PLAIN_LEAVES = frozenset({str, int, float, bool, type(None)})

_SUBSTITUTED = re.compile(r"\$\{(?!!)([A-Za-z0-9_:]+)\}")


def _parameters_used(raw: object) -> Iterator[str]:
    """The names `raw` refers to with `Ref` or substitutes with `Fn::Sub`
    (`${Name}`; `${!Name}` is literal text, `${Res.Attr}` an attribute)."""
    if isinstance(raw, dict):
        for key, inner in raw.items():
            if key == "Ref" and isinstance(inner, str):
                yield inner
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) and inner else inner
                if isinstance(text, str):
                    yield from _SUBSTITUTED.findall(text)
                yield from _parameters_used(inner)
            else:
                yield from _parameters_used(inner)
    elif isinstance(raw, list):
        for item in raw:
            yield from _parameters_used(item)


def _find_exposed(
    node: object, path: DocPath, setting: str, secrets: frozenset[str], found: list[Src]
) -> None:
    """`exposed` entries below `node`: one per variable, tag or user data holding a
    secret parameter."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            _find_exposed(item, (*path, index), f"{setting}[{index}]", secrets, found)
        return
    if not isinstance(node, dict):
        return
    for key, child in node.items():
        if not isinstance(key, str) or key.startswith("Fn::") or key == "Ref":
            continue
        name = f"{setting}.{key}" if setting else key
        where: DocPath = (*path, key)
        shown = shown_settings(key)
        if shown == "user data":
            _add_exposed(child, where, name, secrets, found)
        elif shown is not None and isinstance(child, list):  # [{Name|Key, Value}]
            for index, pair in enumerate(child):
                if isinstance(pair, dict) and "Value" in pair:
                    label = pair.get("Name", pair.get("Key", index))
                    _add_exposed(
                        pair["Value"], (*where, index, "Value"), f"{name}.{label}", secrets, found
                    )
        elif shown is not None and isinstance(child, dict) and key != "Environment":
            for variable, value in child.items():
                _add_exposed(value, (*where, variable), f"{name}.{variable}", secrets, found)
        else:
            _find_exposed(child, where, name, secrets, found)


def _add_exposed(
    value: object, path: DocPath, setting: str, secrets: frozenset[str], found: list[Src]
) -> None:
    for parameter in dict.fromkeys(_parameters_used(value)):
        if parameter in secrets:
            found.append(exposed_entry(Src(None, path), setting, parameter))

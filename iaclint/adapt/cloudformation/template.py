"""A CloudFormation template into the common resource graph."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from iaclint.adapt.cloudformation import ec2, iam, observability, resource_policies, storage
from iaclint.adapt.cloudformation.conditions import ConditionModel, TooLarge, Variant
from iaclint.adapt.cloudformation.context import Context, Mapper
from iaclint.adapt.cloudformation.intrinsics import Resolver
from iaclint.adapt.secrets import sensitive_settings
from iaclint.adapt.sensitive_values import of_parameters, of_resources
from iaclint.adapt.sourced import Locations, Src, freeze, obj
from iaclint.adapt.tags import template_tags
from iaclint.diagnostics import Diagnostic
from iaclint.graph.model import Edge, Graph, Location, Resource
from iaclint.graph.values import PartialString, Reference
from iaclint.parse.document import Document, Tagged
from iaclint.span import DocPath, Span, format_doc_path

MAPPERS: dict[str, Mapper] = {
    **ec2.MAPPERS,
    **iam.MAPPERS,
    **storage.MAPPERS,
    **observability.MAPPERS,
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
    adapter = _TemplateAdapter(document, construct_paths or {}, defined_at or {})
    return adapter.run()


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

    def run(self) -> tuple[Graph, list[Diagnostic]]:
        section = self.template.get("Resources")
        if section is None:
            return Graph(()), self.diagnostics
        if not isinstance(section, dict):
            self._error(("Resources",), "'Resources' must be a mapping of logical ids to resources")
            return Graph(()), self.diagnostics
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
        if logical_id.startswith("Fn::ForEach::"):
            self.diagnostics.append(
                Diagnostic.warning(
                    self.file,
                    f"'{logical_id}' is expanded by the AWS::LanguageExtensions transform at "
                    "deployment; the resources it generates are not linted",
                    *self._line_column(path),
                )
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
                )
            )
        properties = body.get("Properties", {})
        if properties is None:
            properties = {}
        if not isinstance(properties, dict):
            self._error((*path, "Properties"), f"'Properties' of '{logical_id}' must be a mapping")
            return
        required = body.get("Condition")
        used = list(dict.fromkeys(resolver.conditions_used(properties)))
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
            }
            built = obj(built, {**built.value, **shared})
        data, origins = freeze(built)
        span_of = self.document.span_of

        def where(doc_path: DocPath) -> Location:
            return Location(self._attribute(logical_id, doc_path), span_of(doc_path))

        locations = Locations(origins, where)
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
            )
        )
        labelled = set()
        for path, reference in _references(built, ()):
            label = str(path[0]) if path else "ref"
            labelled.add(reference.target)
            self.edges.append(Edge(logical_id, reference.target, label))
        for _, reference in _references(resolved, ()):
            if reference.target not in labelled:
                self.edges.append(Edge(logical_id, reference.target, "ref"))

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
                )
            )

    def _header(self, logical_id: str) -> Location:
        span = self.document.span_of(("Resources", logical_id))
        # The first line of the resource: its logical id.
        first = Span(span.file, span.line, span.column, span.line, span.column + len(logical_id))
        return Location("", first)

    @staticmethod
    def _attribute(logical_id: str, doc_path: DocPath) -> str:
        if doc_path[:2] == ("Resources", logical_id):
            return format_doc_path(doc_path[2:])
        return format_doc_path(doc_path)

    def _line_column(self, path: DocPath) -> tuple[int | None, int | None]:
        span = self.document.spans.get(path)
        return (span.line, span.column) if span is not None else (None, None)

    def _error(self, path: DocPath, message: str) -> None:
        line, column = self._line_column(path)
        self.diagnostics.append(Diagnostic.error(self.file, message, line, column))


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

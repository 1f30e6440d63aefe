"""The expansion of SAM templates against AWS's own translator.

Each SAM template (those of fixtures/sam/, and the examples installed packages
document) is translated by `aws-sam-translator`, offline: the managed policies it
does not bundle are looked up in an empty map, never in AWS. Both the translated
template and the SAM template are then read by iaclint, and their graphs must
agree on what the policies judge: the roles and what they grant (managed policies,
inline statements, trust), the functions' environment variables, the tables' and
queues' encryption and the permissions given to other services.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from iaclint.adapt.cloudformation.sam import expand_serverless
from iaclint.adapt.cloudformation.template import adapt_template
from iaclint.graph.model import Graph
from iaclint.graph.values import Input, PartialString, Reference, Unknown
from iaclint.parse.cloudformation import read_template

from .conftest import FIXTURES

SAM_FIXTURES = sorted(
    path for path in (FIXTURES / "sam").iterdir() if path.suffix in (".yaml", ".json")
)
_BLOCK = re.compile(r"```ya?ml\n(.*?)```", re.S)


def installed_examples() -> list[tuple[str, str]]:
    """SAM templates shown in the descriptions of installed distributions."""
    found: dict[str, str] = {}
    for distribution in metadata.distributions():
        description = distribution.metadata.get_payload() or ""  # type: ignore[attr-defined]
        name = distribution.metadata["Name"]
        for index, block in enumerate(_BLOCK.findall(description)):
            if "AWS::Serverless-2016-10-31" in block and "Resources:" in block:
                found[f"{name}-{index}"] = block
    return sorted(found.items())


EXAMPLES = installed_examples()


class _NoLookups:
    """The translator's fallback lookup of managed policy names: never AWS."""

    def load(self) -> dict[str, str]:
        return {}


def translate(text: str) -> dict[str, Any]:
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    template = yaml_parse(text)
    result: dict[str, Any] = transform(template, {}, _NoLookups())
    return result


def canonical(value: object) -> object:
    """A value of the graph in a form both readings share: the partition the
    translator writes as `aws` and iaclint keeps as a symbol are the same."""
    if isinstance(value, PartialString):
        return "".join(str(canonical(part)) for part in value.parts)
    if isinstance(value, Unknown):
        return "aws" if value.symbol == "AWS::Partition" else f"<{value.symbol or 'unknown'}>"
    if isinstance(value, Reference):
        return f"<{value.target}{'.' + value.attribute if value.attribute else ''}>"
    if isinstance(value, Input):
        return canonical(value.value) if value.has_default else f"<{value.name}>"
    if isinstance(value, dict):
        return {key: canonical(child) for key, child in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(child) for child in value]
    return value


def _sorted(values: object) -> list[str]:
    items = values if isinstance(values, list) else [values]
    return sorted(json.dumps(canonical(item), sort_keys=True) for item in items)


def _statements(policy: object) -> list[str]:
    """A policy's statements, each with its lists sorted: their order means nothing
    (the transform writes an API's methods in an order of its own)."""
    if not isinstance(policy, dict):
        return []
    return sorted(
        json.dumps(_unordered(canonical(statement)), sort_keys=True)
        for statement in policy.get("statements") or []
    )


def _unordered(statement: object) -> dict[str, object]:
    """A statement with its lists sorted, and so the Deny statements it carries."""
    assert isinstance(statement, dict)
    fixed: dict[str, object] = {}
    for key, child in statement.items():
        if key == "denials" and isinstance(child, list):
            child = [_unordered(denial) for denial in child]
        fixed[key] = sorted(child, key=json.dumps) if isinstance(child, list) else child
    return fixed


def judged(graph: Graph) -> dict[str, object]:
    """What the policies see of a SAM application, by resource and variant, and how
    many resources of each type there are (generated ids may differ: a hash)."""
    types = Counter(resource.native_type for resource in graph.resources)
    out: dict[str, object] = {"resource types": dict(sorted(types.items()))}
    for resource in graph.resources:
        native = resource.native
        variant = " ".join(f"{name}={value}" for name, value in resource.conditions)
        address = f"{resource.address} {variant}".strip()
        if resource.kind == "iam.role":
            properties = resource.properties
            policies = properties.get("policies") or []
            out[address] = {
                "managed": _sorted(properties.get("managed_policy_arns") or []),
                "inline": sorted(
                    (str(p.get("name")), json.dumps(canonical(p.get("document")), sort_keys=True))
                    for p in policies
                    if isinstance(p, dict)
                ),
                "trust": canonical(properties.get("assume_role_policy")),
                "boundary": canonical(properties.get("permissions_boundary")),
            }
        elif resource.native_type == "AWS::Lambda::Function":
            out[address] = {
                "environment": canonical(native.get("Environment")),
                "kms": canonical(native.get("KmsKeyArn")),
                "role": canonical(native.get("Role")),
            }
        elif resource.native_type == "AWS::DynamoDB::Table":
            out[address] = {"encryption": canonical(native.get("SSESpecification"))}
        elif resource.native_type == "AWS::Lambda::Permission":
            out[address] = {
                "principal": canonical(native.get("Principal")),
                "action": canonical(native.get("Action")),
                "url_auth": canonical(native.get("FunctionUrlAuthType")),
                "function": canonical(native.get("FunctionName")),
                # What narrows a service's permission to the resource acting through it.
                "source_arn": canonical(native.get("SourceArn")),
                "source_account": canonical(native.get("SourceAccount")),
            }
        elif resource.native_type == "AWS::SQS::Queue":
            out[address] = {
                "kms": canonical(native.get("KmsMasterKeyId")),
                "managed_sse": canonical(native.get("SqsManagedSseEnabled")),
            }
        elif resource.native_type in ("AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy"):
            out[address] = {"document": canonical(resource.properties.get("document"))}
        elif resource.native_type == "AWS::ApiGateway::RestApi":
            out[address] = {"policy": _statements(resource.properties.get("policy"))}
        elif resource.native_type == "AWS::IAM::ManagedPolicy":
            out[address] = {
                "document": canonical(native.get("PolicyDocument")),
                "roles": canonical(native.get("Roles")),
            }
        elif resource.native_type == "AWS::Lambda::Url":
            out[address] = {"auth": canonical(native.get("AuthType"))}
    return out


def graph_of(text: str, name: str) -> Graph:
    graph, _ = adapt_template(read_template(text, name))
    return graph


def agree(text: str, name: str) -> None:
    ours = judged(graph_of(text, name))
    theirs = judged(graph_of(json.dumps(translate(text), indent=1), "translated.json"))
    assert ours == theirs


@pytest.fixture(autouse=True)
def _region(monkeypatch: pytest.MonkeyPatch) -> None:
    # The translator wants a region for the ARNs it writes; none is looked up.
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.mark.parametrize("path", SAM_FIXTURES, ids=lambda path: path.name)
def test_fixtures_expand_as_the_translator_does(path: Path) -> None:
    agree(path.read_text(encoding="utf-8"), path.name)


def test_the_translators_own_example_is_found() -> None:
    assert any(name.startswith("aws-sam-translator") for name, _ in EXAMPLES)


@pytest.mark.parametrize(("name", "text"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_installed_examples_expand_as_the_translator_does(name: str, text: str) -> None:
    agree(text, f"{name}.yaml")


def test_a_difference_is_seen() -> None:
    """The comparison is not blind: a managed policy the translator would not
    attach makes the two readings differ."""
    text = (FIXTURES / "sam" / "app.yaml").read_text(encoding="utf-8")
    translated = translate(text)
    role = translated["Resources"]["AdminFunctionRole"]["Properties"]
    role["ManagedPolicyArns"].append("arn:aws:iam::aws:policy/ReadOnlyAccess")
    ours = judged(graph_of(text, "app.yaml"))
    theirs = judged(graph_of(json.dumps(translated), "translated.json"))
    assert ours != theirs
    assert ours.keys() == theirs.keys()


@pytest.mark.parametrize("parameters", ["null", "''", "", "[]", "[BucketName]"])
def test_policy_template_parameters_the_translator_refuses_are_errors(parameters: str) -> None:
    from samtranslator.model.exceptions import InvalidDocumentException

    text = (
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Runtime: python3.12\n      Handler: a.h\n      CodeUri: s3://b/k.zip\n"
        "      Policies:\n        - CloudWatchPutMetricPolicy: {}\n"
        f"        - CloudWatchPutMetricPolicy: {parameters}\n"
    )
    with pytest.raises(InvalidDocumentException):
        translate(text)
    document, problems = expand_serverless(read_template(text, "t.yaml"))
    assert [(p.level.value, p.line, p.column) for p in problems] == [("error", 11, 11)]
    assert "the transform refuses this template" in problems[0].message
    assert isinstance(document.data, dict)
    role = document.data["Resources"]["FnRole"]["Properties"]
    # The empty mapping is a template without parameters; the refused one gives nothing.
    assert [policy["PolicyName"] for policy in role["Policies"]] == ["FnRolePolicy0"]

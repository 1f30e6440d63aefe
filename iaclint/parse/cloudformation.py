"""CloudFormation templates: which files are templates, and how to read them.

YAML short forms (`!Ref`, `!GetAtt a.b`, `!If`...) are read into the long forms
that JSON templates use, so everything downstream sees one shape. Other tags
(`!Rain::Embed`) belong to preprocessors: their values are kept as `Tagged`, and
become unknown, so the rest of the template is still linted.
"""

from __future__ import annotations

import re

from iaclint.parse.document import Document
from iaclint.parse.json_reader import read_json

# Short-form functions whose long form is `Fn::<Name>`.
_FUNCTIONS = frozenset(
    {
        "And",
        "Base64",
        "Cidr",
        "Contains",
        "EachMemberEquals",
        "EachMemberIn",
        "Equals",
        "FindInMap",
        "ForEach",
        "GetAZs",
        "GetAtt",
        "If",
        "ImportValue",
        "Join",
        "Length",
        "Not",
        "Or",
        "RefAll",
        "Select",
        "Split",
        "Sub",
        "ToJsonString",
        "Transform",
        "ValueOf",
        "ValueOfAll",
    }
)

# Cheap checks on the text before parsing: a file that mentions neither is not a
# template, and a broken file that matches one is reported rather than skipped.
_MARKERS = re.compile(
    r"AWSTemplateFormatVersion|[\"']?Type[\"']?\s*:\s*[\"']?(?:AWS|Custom|Alexa)::[A-Za-z]"
)


class CloudFormationTags:
    """The YAML short forms of CloudFormation's intrinsic functions."""

    def long_form_key(self, tag: str) -> str | None:
        name = tag[1:]
        if name == "Ref" or name == "Condition":
            return name
        if name in _FUNCTIONS:
            return "Fn::" + name
        return None  # not CloudFormation: kept as a preprocessor's directive

    def inner_value(self, tag: str, value: object) -> object:
        if tag == "!GetAtt" and isinstance(value, str):
            # `!GetAtt Resource.Attribute.With.Dots`: the logical id never has a dot.
            resource, dot, attribute = value.partition(".")
            if dot and resource and attribute:
                return [resource, attribute]
            # Kept as written: the adapter reports it at its place, and the rest of
            # the template is still linted.
        return value


CLOUDFORMATION_TAGS = CloudFormationTags()


def mentions_template(text: str) -> bool:
    """Whether the text could be a template (checked before parsing)."""
    return _MARKERS.search(text) is not None


def is_template(data: object) -> bool:
    """Whether parsed data is a CloudFormation template."""
    if not isinstance(data, dict):
        return False
    if "AWSTemplateFormatVersion" in data:
        return True
    resources = data.get("Resources")
    if not isinstance(resources, dict) or not resources:
        return False
    for name, resource in resources.items():
        if isinstance(name, str) and name.startswith("Fn::ForEach::"):
            return True  # a language extensions loop: only templates have them
        if isinstance(resource, dict):
            kind = resource.get("Type")
            if isinstance(kind, str) and kind.startswith(("AWS::", "Custom::", "Alexa::")):
                return True
    return False


def read_template(text: str, file: str) -> Document:
    """Read a template, JSON or YAML. Raises ParseError (located)."""
    if text.lstrip().startswith(("{", "[")):
        return read_json(text, file)
    # PyYAML is imported only when a YAML template is read: Terraform-only and
    # JSON-only runs never pay for it.
    from iaclint.parse.yaml_reader import read_yaml

    return read_yaml(text, file, CLOUDFORMATION_TAGS)

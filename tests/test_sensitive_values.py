"""The secrets adapters put on the graph: a plan's sensitive values, the `sensitive`
settings of any resource."""

from __future__ import annotations

from pathlib import Path

from iaclint.adapt.cloudformation.template import adapt_template
from iaclint.adapt.sensitive_values import of_parameters, of_plan, of_resources, written_forms
from iaclint.graph.model import Location, Resource
from iaclint.graph.values import Input
from iaclint.parse.cloudformation import read_template
from iaclint.parse.json_reader import read_json
from iaclint.span import Span

PLAN = Path(__file__).parent / "data" / "secrets" / "plan.json"


def test_written_forms_include_json_and_terraform_escapes() -> None:
    assert written_forms("plain-text") == ["plain-text"]
    assert written_forms('a<b&"c"') == ['a<b&"c"', 'a<b&\\"c\\"', 'a\\u003cb\\u0026\\"c\\"']
    assert written_forms("é\n") == ["é\n", "é\\n", "\\u00e9\\n"]


def test_a_plans_sensitive_values_are_found_where_they_are_written() -> None:
    text = PLAN.read_text(encoding="utf-8")
    found = of_plan(read_json(text, "plan.json"))
    texts = {value.text for value in found}
    # The sensitive variable, an attribute the provider marks, a tag's value in a
    # mask (not the whole mapping), as written and as decoded.
    assert texts == {
        "hunter2&Sup3r-S3cret",
        "hunter2\\u0026Sup3r-S3cret",
        "tok_9f8e7d6c5b4a",
        "x9z",
    }
    # Not the variable that is not sensitive, nor a value whose mask is false.
    assert "eu-west-3" not in texts and "0.0.0.0/0" not in texts
    placed = {value.span for value in found if value.text == "x9z"}
    assert len(placed) == 2  # planned_values and resource_changes
    for span in placed:
        assert span is not None
        assert text.splitlines()[0][span.column - 1 : span.end_column - 1] == '"Pin":"x9z"'


def resource(sensitive: list[dict[str, object]]) -> Resource:
    header = Location("Resources.R", Span("t.yaml", 2, 3, 2, 4))
    locations = {
        ("sensitive", index, "value"): Location(
            f"X{index}", Span("t.yaml", 10 + index, 7, 10 + index, 20)
        )
        for index in range(len(sensitive))
    }
    return Resource("R", "unmodelled", "AWS::X::Y", {"sensitive": sensitive}, header, locations)


def test_the_values_the_secrets_policies_judge_are_found() -> None:
    user_data = "#!/bin/sh\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
    found = of_resources(
        [
            resource(
                [
                    {"setting": "MasterUserPassword", "kind": "password", "value": "literal-pw"},
                    {
                        "setting": "Password",
                        "kind": "password",
                        "value": Input("P", "from-default", has_default=True),
                    },
                    {"setting": "Token", "kind": "password", "value": Input("T")},
                    {
                        "setting": "Secret",
                        "kind": "password",
                        "value": "{{resolve:ssm:/plain/name}}",
                    },
                    {"setting": "UserData", "kind": "access_key", "value": user_data},
                ]
            )
        ]
    )
    assert [(value.text, value.span) for value in found] == [
        ("literal-pw", Span("t.yaml", 10, 7, 10, 20)),
        # A default is written where its parameter is declared, not here.
        ("from-default", None),
        # Of a text holding a key, the key alone is a secret.
        ("AKIAIOSFODNN7EXAMPLE", None),
    ]


def test_the_defaults_of_no_echo_parameters_are_secrets() -> None:
    text = """\
Parameters:
  Token:
    Type: String
    NoEcho: true
    Default: tok-default-1234
  Pin:
    Type: String
    NoEcho: "true"
    Default: ab
  Shown:
    Type: String
    Default: not-a-secret
"""
    found = of_parameters(read_template(text, "t.yaml"))
    assert [(value.text, value.span and value.span.line) for value in found] == [
        ("tok-default-1234", 5),
        ("ab", 9),
    ]


def test_the_value_of_a_pair_named_as_a_secret_is_a_secret() -> None:
    text = (
        "Resources:\n"
        "  Service:\n"
        "    Type: AWS::AppRunner::Service\n"
        "    Properties:\n"
        "      SourceConfiguration:\n"
        "        ImageRepository:\n"
        "          ImageConfiguration:\n"
        "            RuntimeEnvironmentVariables:\n"
        "              - Name: DB_HOST\n"
        "                Value: db.internal\n"
        "              - Name: DB_PASSWORD\n"
        "                Value: pair-pw-1q9z\n"
    )
    graph, problems = adapt_template(read_template(text, "t.yaml"))
    assert problems == []
    texts = {value.text for value in graph.sensitive}
    assert "pair-pw-1q9z" in texts
    assert "db.internal" not in texts

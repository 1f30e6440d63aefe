"""The Terraform evaluator: known values computed, unknowns kept with their reason."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint.adapt.terraform.evaluate import Budget, Evaluator, TooLarge, Unresolved
from iaclint.adapt.terraform.functions import FUNCTIONS
from iaclint.adapt.terraform.types import convert, parse_type
from iaclint.adapt.terraform.values import (
    Encoded,
    EvalError,
    Instance,
    Located,
    Namespace,
    encoded_text,
    plain,
)
from iaclint.graph.values import Input, PartialString, Reference, Unknown
from iaclint.parse.hcl.expressions import HclSyntaxError, parse_expression
from iaclint.parse.hcl.syntax import SourceText


def located(value: object) -> Located:
    if isinstance(value, list):
        return Located([located(item) for item in value])
    if isinstance(value, dict):
        return Located({key: located(item) for key, item in value.items()})
    return Located(value)


class Scope:
    """var.* from a dict, aws_instance.* as instances, data.* unknown, files from a dict."""

    def __init__(self, variables: dict[str, object], files: dict[str, str] | None = None):
        self.variables = variables
        self.files = files or {}

    def root(self, name: str) -> Located:
        if name == "var":
            return Located(Namespace("var", self.variable))
        if name == "aws_instance":
            return Located(
                Namespace("aws_instance", lambda n: Located(Instance(f"aws_instance.{n}")))
            )
        if name == "data":
            return Located(
                Namespace(
                    "data",
                    lambda t: Located(
                        Namespace(t, lambda n: Located(Instance(f"data.{t}.{n}", True)))
                    ),
                )
            )
        raise EvalError(f"unknown root {name}")

    def variable(self, name: str) -> Located:
        if name not in self.variables:
            raise EvalError(f"no variable {name}")
        return located(self.variables[name])

    def resolve(self, reference: Reference) -> str | None:
        return "web-name" if reference.describe() == "aws_instance.named.name" else None

    def read_file(self, path: str) -> str:
        if path in self.files:
            return self.files[path]
        if path.startswith("/outside"):
            raise Unresolved(Unknown(f"file {path} is not read"))
        raise EvalError(f"no file {path}")


def evaluate(text: str, variables: dict[str, object] | None = None, **files: str) -> Located:
    source = SourceText("main.tf", text)
    expr, _ = parse_expression(text, 0)
    evaluator = Evaluator(
        Scope(variables or {}, {k.replace("_", "."): v for k, v in files.items()}),
        FUNCTIONS,
        Budget(),
    )
    return evaluator.evaluate(expr, source, {})


def value(text: str, variables: dict[str, object] | None = None, **files: str) -> object:
    return plain(evaluate(text, variables, **files))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("7 / 2", 3.5),
        ("8 / 2", 4),
        ("7 % 3", 1),
        ('"22" + 1', 23),
        ("1 < 2 && 2 <= 2", True),
        ('"a" == "a" && 1 != 2', True),
        ('1 == "1"', False),
        ("!true || false", False),
        ("true ? 1 : 2", 1),
        ('"x-${1 + 1}-${true}"', "x-2-true"),
        ("[1, 2, 3][1]", 2),
        ('{a = {b = "c"}}.a.b', "c"),
        ('{"k-1" = 1}["k-1"]', 1),
        ("[for v in [1, 2, 3] : v * 2 if v > 1]", [4, 6]),
        ("{for k, v in {b = 2, a = 1} : v => k}", {"1": "a", "2": "b"}),
        ('{for s in ["a", "b", "a"] : s => s...}', {"a": ["a", "a"], "b": ["b"]}),
        ("[{n = 1}, {n = 2}][*].n", [1, 2]),
        ("null", None),
        ('"%{ for x in [1, 2] }<${x}>%{ endfor }"', "<1><2>"),
        ('"%{ if 1 > 2 }yes%{ else }no%{ endif }"', "no"),
    ],
)
def test_known_values(text: str, expected: object) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jsondecode(jsonencode({b = [1, true], a = null}))", {"b": [1, True], "a": None}),
        ("merge({a = 1, b = 2}, null, {b = 3})", {"a": 1, "b": 3}),
        ("concat([1], [], [2, 3])", [1, 2, 3]),
        ('format("%s:%d %q %05.1f %t %%", "a", 22, "q", 3.14159, true)', 'a:22 "q" 003.1 true %'),
        ('formatlist("%s-%s", ["a", "b"], "x")', ["a-x", "b-x"]),
        ('lookup({a = 1}, "b", "dflt")', "dflt"),
        ('tolist(["a"])', ["a"]),
        ('toset(["b", "a", "b"])', ["a", "b"]),
        ('try({}.missing, [][0], "fallback")', "fallback"),
        ("can({}.missing)", False),
        ('coalesce(null, "", "x")', "x"),
        ('coalescelist([], ["y"])', ["y"]),
        ('compact(["a", "", null])', ["a"]),
        ("distinct([1, 1, 2])", [1, 2]),
        ('element(["a", "b"], 3)', "b"),
        ("flatten([[1, [2]], 3])", [1, 2, 3]),
        ("keys({b = 1, a = 2})", ["a", "b"]),
        ("values({b = 1, a = 2})", [2, 1]),
        ('length("abc") + length([1]) + length({a = 1})', 5),
        ('join("-", ["a", "b"], ["c"])', "a-b-c"),
        ('split(",", "a,b")', ["a", "b"]),
        ('replace("a-b-c", "-", "_")', "a_b_c"),
        ('replace("t3.micro", "/^t(2|3)\\\\..*$/", "burstable $1")', "burstable 3"),
        ('regexall("[0-9]+", "a1b22")', ["1", "22"]),
        ('lower("ABC") == "abc" && upper("a") == "A" && title("ab cd") == "Ab Cd"', True),
        ('trimprefix("prefix-x", "prefix-")', "x"),
        ('substr("hello", 1, 3)', "ell"),
        ('startswith("arn:aws", "arn:") && endswith("x.json", ".json")', True),
        ("range(3)", [0, 1, 2]),
        ("range(1, 7, 2)", [1, 3, 5]),
        ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
        ("slice([1, 2, 3, 4], 1, 3)", [2, 3]),
        ("max(1, 5, 3) + min(4, 2)", 7),
        ('one(["x"])', "x"),
        ('contains(["a", "b"], "b") && !contains([1], 2)', True),
        ('cidrsubnet("10.0.0.0/16", 8, 2)', "10.0.2.0/24"),
        ('cidrsubnets("10.0.0.0/16", 4, 8)', ["10.0.0.0/20", "10.0.16.0/24"]),
        ('cidrhost("10.0.0.0/24", 5)', "10.0.0.5"),
        ('cidrnetmask("10.0.0.0/12")', "255.240.0.0"),
        ('base64decode(base64encode("hé"))', "hé"),
        ('md5("a")', "0cc175b9c0f1b6a831c399e269772661"),
        ('basename("a/b/c.json")', "c.json"),
        ('setunion(["a"], ["b", "a"])', ["a", "b"]),
        ('setintersection(["a", "b"], ["b", "c"])', ["b"]),
        ('alltrue([true, "true"]) && anytrue([false, true])', True),
        ("sum([1, 2, 3.5])", 6.5),
        ("tostring(22)", "22"),
        ('tonumber("3")', 3),
        ('tobool("false")', False),
        ('indent(2, "a\\nb")', "a\n  b"),
    ],
)
def test_functions(text: str, expected: object) -> None:
    assert value(text) == expected


def test_jsonencode_keeps_its_data_and_gives_terraforms_text() -> None:
    result = evaluate('jsonencode({b = 1, a = ["x", var.v]})', {"v": True})
    assert isinstance(result.value, Encoded)
    assert encoded_text(result.value) == '{"a":["x",true],"b":1}'
    assert plain(result.value.data) == {"b": 1, "a": ["x", True]}
    assert value('"${jsonencode([1])}!"') == "[1]!"


def test_replace_in_a_json_document_keeps_the_rest_known() -> None:
    result = evaluate(
        'replace(jsonencode({Resource = "arn:aws:s3:::_B_/*", Effect = "Deny"}), "_B_", aws_instance.web.id)'
    )
    assert isinstance(result.value, Encoded)
    assert plain(result.value.data) == {
        "Resource": PartialString(("arn:aws:s3:::", Reference("aws_instance.web", "id"), "/*")),
        "Effect": "Deny",
    }
    assert value('replace(jsonencode({a = "x_B_"}), "_B_", "y")') == '{"a":"xy"}'
    assert value('replace(jsonencode({a = "q"}), "\\"", "")') == "{a:q}"


def test_unknowns_spread_with_their_reason() -> None:
    reference = evaluate("aws_instance.web.id")
    assert reference.value == Reference("aws_instance.web", "id")
    assert evaluate("aws_instance.web.tags.Name").value == Reference(
        "aws_instance.web", "tags.Name"
    )
    assert value('"arn:${aws_instance.web.arn}/x"') == PartialString(
        ("arn:", Reference("aws_instance.web", "arn"), "/x")
    )
    assert value('aws_instance.web.id == "x"') == Unknown(
        "depends on aws_instance.web.id, known only after deployment"
    )
    assert value("data.aws_caller_identity.me.account_id") == Unknown(
        "data source data.aws_caller_identity.me is read at plan time"
    )
    assert value("timestamp()") == Unknown("timestamp() depends on the time of the run")
    assert value("somefunction(1)") == Unknown(
        "function somefunction() is not evaluated by iaclint"
    )


def test_format_and_join_keep_unknown_text_in_place() -> None:
    partition = {"p": Unknown("AWS::Partition is known only at deployment", "AWS::Partition")}
    formatted = value('format("arn:%s:iam::aws:policy/%s", var.p, "Admin")', partition)
    assert formatted == PartialString(("arn:", partition["p"], ":iam::aws:policy/Admin"))
    joined = value('join(":", ["arn", var.p], ["iam::aws:policy/Admin"])', partition)
    assert joined == PartialString(("arn:", partition["p"], ":iam::aws:policy/Admin"))
    assert value('join("-", [aws_instance.web.id, "x"])') == PartialString(
        (Reference("aws_instance.web", "id"), "-x")
    )
    # A verb that formats its value (a width, a number) needs it known.
    assert isinstance(value('format("%5s", var.p)', partition), Unknown)
    assert isinstance(value('format("%d", aws_instance.web.id)'), Unknown)
    assert isinstance(value('join(",", var.p)', partition), Unknown)


def test_a_slice_of_a_list_read_at_plan_time_has_a_known_length() -> None:
    # Terraform stops on a list shorter than the slice's end, so a plan has exactly
    # end - start elements: the zones are unknown, their number is not.
    zones = "slice(data.aws_availability_zones.available.names, 0, 3)"
    read = Unknown("data source data.aws_availability_zones.available is read at plan time")
    assert value(zones) == [read, read, read]
    assert value(f"length({zones})") == 3
    assert value(f'[for k, v in {zones} : cidrsubnet("10.0.0.0/16", 8, k)]') == [
        "10.0.0.0/24",
        "10.0.1.0/24",
        "10.0.2.0/24",
    ]
    assert value("slice(var.zones, 1, 1)", {"zones": Input("zones")}) == []
    # Indexes that are not known, or out of order, decide nothing.
    assert isinstance(
        value("length(slice(var.zones, 0, var.n))", {"zones": read, "n": read}), Unknown
    )
    assert isinstance(value("slice(var.zones, 2, 1)", {"zones": read}), Unknown)


def test_the_known_side_decides_a_logical_operator() -> None:
    assert value('false && aws_instance.web.id == "x"') is False
    assert value('true || aws_instance.web.id == "x"') is True
    assert isinstance(value('true && aws_instance.web.id == "x"'), Unknown)
    assert isinstance(value('aws_instance.web.id == "x" ? 1 : 2'), Unknown)


def test_equality_is_decided_where_the_unknown_parts_cannot_change_it() -> None:
    # A known collection is never null, whatever its elements (Terraform's rule).
    volumes = {"vol": {"kms": Reference("aws_kms_key.k", "arn")}}
    assert value("var.v != null", {"v": volumes}) is True
    assert value("var.v == null", {"v": volumes}) is False
    assert value("[aws_instance.web.id] == null") is False
    # Different shapes are never equal, whatever the elements.
    assert value("var.v == {}", {"v": volumes}) is False
    assert value('[aws_instance.web.id] == ["a", "b"]') is False
    assert value('{a = aws_instance.web.id} == {b = "x"}') is False
    assert value("[aws_instance.web.id] == {}") is False
    # One element known to differ decides; otherwise an unknown element leaves it open.
    assert value('[aws_instance.web.id, "a"] == ["x", "b"]') is False
    assert value('[aws_instance.web.id, "a"] == ["x", "a"]') == Unknown(
        "depends on aws_instance.web.id, known only after deployment"
    )
    # An unknown compared with null stays unknown: it may be null.
    assert isinstance(value("aws_instance.web.id == null"), Unknown)
    assert isinstance(value("var.missing == null", {"missing": Input("missing")}), Unknown)
    assert value('{a = [1, "x"]} == {a = [1, "x"]}') is True
    # A variable's value holds plain data inside.
    whole = {"v": Input("v", {"a": [1, "x"]}, True)}
    assert value('var.v == {a = [1, "x"]}', whole) is True
    assert value('var.v != {a = [1, "y"]}', whole) is True
    assert value('jsonencode({a = 1}) == "{\\"a\\":1}"') is True


def test_references_resolve_to_configured_text_in_strings() -> None:
    assert value('"${aws_instance.named.name}-profile"') == "web-name-profile"
    assert evaluate("aws_instance.named.name").value == Reference("aws_instance.named", "name")


def test_try_returns_the_first_argument_without_error_even_if_unknown() -> None:
    assert value('try(aws_instance.web.id, "x")') == Reference("aws_instance.web", "id")
    assert value('try(var.missing, "default")', {}) == "default"


def test_errors_outside_try_make_the_value_unknown() -> None:
    result = value("[1][5]")
    assert isinstance(result, Unknown)
    assert result.reason == "cannot be evaluated: index 5 is out of range (the list has 1 items)"


def test_inputs_are_looked_through_and_kept_where_used_directly() -> None:
    cidr = Input("cidr", "0.0.0.0/0", has_default=True, origin="default of variable cidr")
    assert evaluate("var.cidr", {"cidr": cidr}).value == cidr
    # A template that is one interpolation is the value itself.
    assert evaluate('"${var.cidr}"', {"cidr": cidr}).value == cidr
    assert value('"from ${var.cidr}"', {"cidr": cidr}) == "from 0.0.0.0/0"
    assert value("var.port + 1", {"port": Input("port", 21, has_default=True)}) == 22


def test_places_follow_values_through_functions() -> None:
    text = 'concat(["10.0.0.0/8"], ["0.0.0.0/0"])'
    result = evaluate(text)
    spans = [item.span() for item in result.value]  # type: ignore[union-attr]
    assert [(s.line, s.column, s.end_column) for s in spans if s] == [(1, 9, 21), (1, 25, 36)]
    computed = evaluate('format("%s", "x")')
    assert computed.span() is not None and computed.span().column == 1  # type: ignore[union-attr]


def test_files_inside_the_tree_and_outside() -> None:
    assert value('file("policy.json")', policy_json='{"a": 1}') == '{"a": 1}'
    assert value('jsondecode(file("policy.json")).a', policy_json='{"a": 1}') == 1
    assert value('templatefile("t.tpl", {name = "x"})', t_tpl="hello ${name}!") == "hello x!"
    assert value('fileexists("nope.txt")') is False
    outside = value('file("/outside/secret")')
    assert outside == Unknown("file /outside/secret is not read")
    missing = value('file("nope.txt")')
    assert isinstance(missing, Unknown) and "no file nope.txt" in missing.reason


def test_templatefile_sees_only_its_variables() -> None:
    result = value('templatefile("t.tpl", {})', t_tpl="${var.secret}")
    assert (
        isinstance(result, Unknown) and "'var' is not a variable of the template" in result.reason
    )


def test_type_conversion_fills_optional_defaults() -> None:
    constraint_text = (
        'object({ tokens = optional(string, "required"), hops = optional(number), port = number })'
    )
    constraint_expr, _ = parse_expression(constraint_text, 0)
    constraint = parse_type(constraint_expr)
    source = SourceText("variables.tf", constraint_text)
    evaluator = Evaluator(Scope({}), FUNCTIONS, Budget())
    converted = convert(
        located({"port": "22", "extra": 1}),
        constraint,
        lambda expr: evaluator.evaluate(expr, source, {}),
    )
    assert plain(converted) == {"tokens": "required", "hops": None, "port": 22}
    with pytest.raises(EvalError, match="attribute 'port' is required"):
        convert(located({}), constraint, lambda expr: evaluator.evaluate(expr, source, {}))
    text = parse_type(parse_expression("string", 0)[0])
    encoded = Located(Encoded(located({"a": 1})))
    assert convert(encoded, text, lambda e: Located(None)) == encoded  # jsonencode() is text
    listed = parse_type(parse_expression("set(string)", 0)[0])
    assert plain(convert(located(["a", "a", 1]), listed, lambda e: Located(None))) == ["a", "1"]


def test_large_collections_are_refused_rather_than_slow() -> None:
    with pytest.raises(TooLarge, match=r"range\(\) of more than 100,000 elements"):
        value("range(1000000)")


def test_jsonencode_of_unknown_data_is_unknown_text() -> None:
    result = evaluate('"policy: ${jsonencode({a = aws_instance.web.id})}"')
    assert result.value == PartialString(
        (
            "policy: ",
            Unknown(
                "JSON of a value that is not known: depends on aws_instance.web.id, known only after deployment"
            ),
        )
    )
    known = evaluate('"policy: ${jsonencode({a = "x"})}"')
    assert json.loads(str(known.value).removeprefix("policy: ")) == {"a": "x"}


_PIECES = [
    "1",
    "-2.5",
    '"s"',
    '"a-${var.x}"',
    "true",
    "null",
    "var.x",
    "var.list",
    "var.map",
    "aws_instance.web.id",
    "data.aws_ami.x.id",
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    ",",
    "=",
    ":",
    "+",
    "*",
    "/",
    "%",
    "==",
    "&&",
    "||",
    "!",
    "?",
    "[*]",
    ".*",
    ".a",
    "[0]",
    '["k"]',
    "for v in",
    "if",
    "...",
    "merge(",
    "concat(",
    "lookup(",
    "try(",
    "format(",
    "jsonencode(",
    "cidrsubnet(",
    "element(",
    "length(",
    "flatten(",
    "coalesce(",
    "keys(",
    "range(",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=10))
def test_no_expression_crashes_the_evaluator(pieces: list[str]) -> None:
    text = " ".join(pieces)
    try:
        expr, _ = parse_expression(text, 0)
    except HclSyntaxError:
        return
    scope = Scope({"x": "v", "list": [1, "a", None], "map": {"a": {"b": 1}}})
    result = Evaluator(scope, FUNCTIONS, Budget()).evaluate(expr, SourceText("t.tf", text), {})
    assert isinstance(result, Located)


def test_pieces_of_text_join_into_text_or_a_partial_string() -> None:
    from iaclint.adapt.terraform.evaluate import join_pieces

    assert join_pieces([]) == ""
    assert join_pieces(["", ""]) == ""
    assert join_pieces(["a", "", "b", "c"]) == "abc"
    region = Unknown("the region")
    assert join_pieces(["", region, ""]) == PartialString((region,))
    assert join_pieces(["arn:", "", region, ":iam::", "aws"]) == PartialString(
        ("arn:", region, ":iam::aws")
    )
    # Many long pieces: joined once, each run of text one string.
    pieces: list[str | Unknown | Reference] = ["x" * 1000] * 5000 + [region] + ["y"] * 3
    assert join_pieces(pieces) == PartialString(("x" * 5_000_000, region, "yyy"))

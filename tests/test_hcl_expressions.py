"""The HCL expression parser: precedence, templates, traversals, for expressions."""

from __future__ import annotations

import pytest

from iaclint.parse.hcl.expressions import HclSyntaxError, parse_expression, parse_template
from iaclint.parse.hcl.syntax import (
    Binary,
    Call,
    Conditional,
    Expr,
    ForDirective,
    ForExpr,
    GetAttr,
    IfDirective,
    Index,
    Interpolation,
    Literal,
    ObjectExpr,
    Splat,
    SplatItem,
    Template,
    TupleExpr,
    Unary,
    Variable,
)


def parse(text: str) -> Expr:
    expr, end = parse_expression(text, 0)
    assert text[end:].strip() == "", f"stopped at {text[end:]!r}"
    return expr


def shape(expr: object) -> object:
    """A node without offsets, for comparing trees."""
    if isinstance(expr, tuple) and hasattr(expr, "_fields"):
        fields = [f for f in expr._fields if f not in ("start", "end")]
        return (type(expr).__name__, *(shape(getattr(expr, f)) for f in fields))
    if isinstance(expr, tuple):
        return tuple(shape(item) for item in expr)
    return expr


def test_operator_precedence_follows_the_specification() -> None:
    expr = parse("a || b && c == d + e * f")
    assert shape(expr) == shape(
        Binary(
            "||",
            Variable("a", 0, 0),
            Binary(
                "&&",
                Variable("b", 0, 0),
                Binary(
                    "==",
                    Variable("c", 0, 0),
                    Binary(
                        "+",
                        Variable("d", 0, 0),
                        Binary("*", Variable("e", 0, 0), Variable("f", 0, 0), 0, 0),
                        0,
                        0,
                    ),
                    0,
                    0,
                ),
                0,
                0,
            ),
            0,
            0,
        )
    )


def test_left_associativity_and_unary() -> None:
    assert shape(parse("10 - 3 - 2")) == shape(
        Binary("-", Binary("-", Literal(10, 0, 0), Literal(3, 0, 0), 0, 0), Literal(2, 0, 0), 0, 0)
    )
    assert shape(parse("!a && -b < 3")) == shape(
        Binary(
            "&&",
            Unary("!", Variable("a", 0, 0), 0, 0),
            Binary("<", Unary("-", Variable("b", 0, 0), 0, 0), Literal(3, 0, 0), 0, 0),
            0,
            0,
        )
    )
    assert parse("-1") == Literal(-1, 0, 2)


def test_conditional_is_lowest_and_right_associative() -> None:
    expr = parse("a == 1 ? x : b ? y : z")
    assert isinstance(expr, Conditional)
    assert isinstance(expr.condition, Binary)
    assert isinstance(expr.otherwise, Conditional)


def test_newlines_inside_brackets_and_after_operators() -> None:
    expr = parse("(\n  a\n  ? b\n  : c\n)")
    assert isinstance(expr, Conditional)
    assert isinstance(parse("[\n 1,\n 2,\n]"), TupleExpr)
    text = "var.a &&\n  var.b"
    assert isinstance(parse(text), Binary)


def test_a_newline_ends_the_expression() -> None:
    expr, end = parse_expression("x = a\nb = c", 3)
    assert expr == Variable("a", 4, 5)
    assert end == 5


def test_traversals_and_splats() -> None:
    assert shape(parse('aws_instance.web[0].tags["Name"]')) == shape(
        Index(
            GetAttr(
                Index(GetAttr(Variable("aws_instance", 0, 0), "web", 0, 0), Literal(0, 0, 0), 0, 0),
                "tags",
                0,
                0,
            ),
            Literal("Name", 0, 0),
            0,
            0,
        )
    )
    splat = parse("aws_instance.web[*].id")
    assert isinstance(splat, Splat)
    assert shape(splat.each) == shape(GetAttr(SplatItem(0, 0), "id", 0, 0))
    legacy = parse("aws_instance.web.*.id[0]")
    assert isinstance(legacy, Index)  # the attribute splat ends before an index
    assert isinstance(legacy.target, Splat)
    assert shape(parse("list.0")) == shape(Index(Variable("list", 0, 0), Literal(0, 0, 0), 0, 0))


def test_identifiers_may_contain_dashes() -> None:
    assert parse("var.my-name") == GetAttr(Variable("var", 0, 3), "my-name", 0, 11)


def test_objects_with_every_kind_of_key() -> None:
    expr = parse('{\n  a = 1\n  "b" = 2, c: 3\n  (var.k) = 4\n  "${x}-y" = 5\n}')
    assert isinstance(expr, ObjectExpr)
    assert [item.literal_key for item in expr.items] == ["a", None, "c", None, None]
    assert isinstance(expr.items[3].key, GetAttr)
    assert isinstance(expr.items[4].key, Template)


def test_function_calls_and_expansion() -> None:
    call = parse("merge(var.a, {b = 1}, local.list...)")
    assert isinstance(call, Call)
    assert (call.name, len(call.args), call.expand_last) == ("merge", 3, True)
    provider = parse('provider::aws::arn_parse("x")')
    assert isinstance(provider, Call)
    assert provider.name == "provider::aws::arn_parse"


def test_for_expressions() -> None:
    listed = parse('[for k, v in var.m : upper(v) if k != "x"]')
    assert isinstance(listed, ForExpr)
    assert (listed.key_var, listed.value_var, listed.key) == ("k", "v", None)
    assert listed.condition is not None
    grouped = parse("{for v in var.l : v.name => v...}")
    assert isinstance(grouped, ForExpr)
    assert grouped.grouping and grouped.key is not None


def test_strings_escapes_and_interpolations() -> None:
    assert parse(r'"a\"b\n\u00e9"') == Literal('a"b\né', 0, 14)
    assert parse('"$${literal} %%{also}"').value == "${literal} %{also}"  # type: ignore[union-attr]
    template = parse('"x-${var.a}-y"')
    assert isinstance(template, Template)
    assert template.parts[0] == "x-" and template.parts[2] == "-y"
    single = parse('"${var.a}"')
    assert isinstance(single, Template) and len(single.parts) == 1


def test_template_directives_and_strip_markers() -> None:
    template = parse_template(
        "a %{ if x ~} yes %{~ else } no %{ endif } %{ for i in l }[${i}]%{ endfor }"
    )
    assert isinstance(template, Template)
    kinds = [type(part).__name__ for part in template.parts]
    assert kinds == ["str", "IfDirective", "str", "ForDirective"]
    condition = template.parts[1]
    assert isinstance(condition, IfDirective)
    assert condition.then == ("yes",)  # stripped on both sides
    assert condition.otherwise == (" no ",)
    loop = template.parts[3]
    assert isinstance(loop, ForDirective)
    assert isinstance(loop.body[1], Interpolation)


def test_heredocs() -> None:
    plain = parse("<<EOT\nline ${x}\n  two\nEOT")
    assert isinstance(plain, Template)
    assert plain.parts == ("line ", plain.parts[1], "\n  two\n")
    flush = parse('<<-EOT\n    {\n      "a": 1\n    }\n    EOT')
    assert flush == Literal(
        '{\n  "a": 1\n}\n', 0, len('<<-EOT\n    {\n      "a": 1\n    }\n    EOT')
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"unterminated', "unterminated string"),
        ('"two\nlines"', "a quoted string cannot span lines"),
        ("[1, 2", "expected ',' or ']'"),
        ("<<EOT\nno end", "has no closing 'EOT'"),
        ("f(1 2)", "expected ',' or ')'"),
        ('"%{ if x }never closed"', "is never closed"),
        (r'"\q"', "invalid escape"),
    ],
)
def test_errors_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(HclSyntaxError) as caught:
        parse(text)
    assert message in caught.value.message


def test_chained_splats_nest_as_in_terraform() -> None:
    # A full splat takes the rest of the traversal, further splats included.
    chained = parse("var.x[*].a[*].b")
    assert shape(chained) == shape(
        Splat(
            GetAttr(Variable("var", 0, 0), "x", 0, 0),
            Splat(GetAttr(SplatItem(0, 0), "a", 0, 0), GetAttr(SplatItem(0, 0), "b", 0, 0), 0, 0),
            0,
            0,
        )
    )
    assert shape(parse("var.x[*].a.*.b")) == shape(chained)  # a legacy splat inside
    # A legacy splat keeps `.0` for each element, and ends at a bracket.
    legacy = parse("var.x.*.a.0.b")
    assert isinstance(legacy, Splat)
    assert shape(legacy.each) == shape(
        GetAttr(Index(GetAttr(SplatItem(0, 0), "a", 0, 0), Literal(0, 0, 0), 0, 0), "b", 0, 0)
    )
    after = parse("var.x.*.a[*].b")
    assert isinstance(after, Splat) and isinstance(after.target, Splat)


def test_a_splat_inside_a_legacy_splat_is_an_error_as_in_terraform() -> None:
    with pytest.raises(HclSyntaxError) as caught:
        parse("aws_instance.web.*.network_interface.*.id")
    assert caught.value.offset == len("aws_instance.web.*.network_interface")


def test_splats_nested_too_deeply_are_an_error() -> None:
    with pytest.raises(HclSyntaxError, match="nested deeper"):
        parse("x" + "[*]" * 150)


def test_flush_heredocs_dedent_as_hcl_does() -> None:
    # Any Unicode space counts as one character; lines of spaces only are kept.
    assert parse("<<-EOT\n   \u2003\u2003a\n    b\n  \n      \n    c\n  EOT\n").value == (  # type: ignore[union-attr]
        "\u2003a\nb\n  \n      \nc\n"
    )
    assert parse("<<-EOT\n\tx\n  y\n  EOT\n").value == "x\n y\n"  # type: ignore[union-attr]


def test_literal_text_is_in_normal_form_c() -> None:
    assert parse('"an\u0303o"').value == "a\u00f1o"  # type: ignore[union-attr]
    assert parse('"an\\u0303o"').value == "a\u00f1o"  # type: ignore[union-attr]
    assert parse("<<EOT\nn\u0303\nEOT\n").value == "\u00f1\n"  # type: ignore[union-attr]


def test_keywords_as_object_keys_are_their_names() -> None:
    expr = parse("{null = 1, true = 2}")
    assert isinstance(expr, ObjectExpr)
    assert [item.literal_key for item in expr.items] == ["null", "true"]

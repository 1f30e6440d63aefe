"""The HCL reader: structure from python-hcl2's grammar, places from our own parser."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint.parse.document import ParseError
from iaclint.parse.hcl.reader import read_hcl
from iaclint.parse.hcl.syntax import Attribute, Block, HclFile, Literal, Template, Unreadable


def read(text: str) -> HclFile:
    return read_hcl(text, "main.tf")


def where(hcl: HclFile, attribute: Attribute) -> tuple[int, int, int, int]:
    span = hcl.source.span(attribute.start, attribute.end)
    return span.line, span.column, span.end_line, span.end_column


def block(hcl: HclFile, *path: str) -> Block:
    body = hcl.body
    found = None
    for name in path:
        found = next(b for b in body.blocks if b.type == name or name in b.labels)
        body = found.body
    assert found is not None
    return found


def test_blocks_labels_and_attributes() -> None:
    hcl = read(
        'resource "aws_instance" "web" {\n'
        '  ami = "ami-1"\n'
        "  metadata_options {\n"
        '    http_tokens = "required"\n'
        "  }\n"
        "}\n"
    )
    (resource,) = hcl.body.blocks
    assert (resource.type, resource.labels) == ("resource", ("aws_instance", "web"))
    assert hcl.source.span(resource.start, resource.header_end)[1:] == (1, 1, 1, 31)
    assert list(resource.body.attributes) == ["ami"]
    (options,) = resource.body.blocks_of("metadata_options")
    tokens = options.body.attributes["http_tokens"]
    assert tokens.expr == Literal("required", tokens.expr.start, tokens.expr.end)
    assert where(hcl, tokens) == (4, 5, 4, 29)


def test_one_line_blocks() -> None:
    hcl = read('resource "a" "b" { x = 1 }\nlocals { y = "two" }\n')
    x = block(hcl, "b").body.attributes["x"]
    y = block(hcl, "locals").body.attributes["y"]
    assert where(hcl, x) == (1, 20, 1, 25)
    assert where(hcl, y) == (2, 10, 2, 19)


def test_nested_blocks_with_the_same_attribute_names() -> None:
    hcl = read(
        'resource "aws_security_group" "g" {\n'
        '  name = "outer"\n'
        "  ingress {\n"
        '    name = "first"\n'
        "  }\n"
        "  ingress {\n"
        '    name = "second"\n'
        "  }\n"
        "}\n"
    )
    group = block(hcl, "g")
    assert where(hcl, group.body.attributes["name"])[0] == 2
    first, second = group.body.blocks_of("ingress")
    assert where(hcl, first.body.attributes["name"])[0] == 4
    assert where(hcl, second.body.attributes["name"])[0] == 7


def test_heredocs_and_comments_do_not_confuse_places() -> None:
    hcl = read(
        "locals {\n"
        "  # x = 1 in a comment\n"
        "  // y = 2 in another\n"
        "  /* z = 3\n"
        "     over lines */\n"
        "  script = <<EOT\n"
        "x = 4 inside the heredoc\n"
        "  ${var.name} = 5\n"
        "EOT\n"
        "  x = 6 # trailing comment\n"
        "  y = 7 /* after */\n"
        "}\n"
    )
    body = block(hcl, "locals").body
    assert list(body.attributes) == ["script", "x", "y"]
    assert where(hcl, body.attributes["script"]) == (6, 3, 9, 4)
    assert where(hcl, body.attributes["x"]) == (10, 3, 10, 8)
    assert body.attributes["y"].expr.value == 7  # type: ignore[union-attr]
    script = body.attributes["script"].expr
    assert isinstance(script, Template)
    assert script.parts[0] == "x = 4 inside the heredoc\n  "


def test_list_elements_have_their_own_places() -> None:
    hcl = read('x = [\n  "10.0.0.0/8",\n  "0.0.0.0/0", # open\n]\n')
    items = hcl.body.attributes["x"].expr.items  # type: ignore[union-attr]
    spans = [hcl.source.span(item.start, item.end)[1:3] for item in items]
    assert spans == [(2, 3), (3, 3)]


def test_crlf_line_endings() -> None:
    hcl = read('locals {\r\n  a = "x"\r\n  b = 2\r\n}\r\n')
    body = block(hcl, "locals").body
    assert where(hcl, body.attributes["b"]) == (3, 3, 3, 8)
    assert body.attributes["a"].expr.value == "x"  # type: ignore[union-attr]


def test_syntax_error_is_located() -> None:
    with pytest.raises(ParseError) as caught:
        read('resource "a" "b" {\n  x = 1\n  y = = 2\n}\n')
    assert (caught.value.line, caught.value.column) == (3, 7)
    assert caught.value.message.startswith("invalid HCL: unexpected")


def test_a_label_broken_over_lines_is_located() -> None:
    """Found by fuzzing: a label's own syntax error escaped the reader."""
    with pytest.raises(ParseError) as caught:
        read('resource "|\naws_efs_file_system" "files" {\n  encrypted = true\n}\n')
    assert (caught.value.line, caught.value.column) == (1, 12)
    assert caught.value.message == (
        "invalid HCL: a quoted string cannot span lines (use a heredoc)"
    )


def test_unclosed_block_is_located() -> None:
    with pytest.raises(ParseError) as caught:
        read('resource "a" "b" {\n  x = 1\n')
    assert caught.value.line == 3
    assert "end of the file" in caught.value.message


def test_duplicate_attribute_is_an_error_and_the_later_value_is_used() -> None:
    hcl = read("locals {\n  a = 1\n  a = 2\n}\n")
    assert block(hcl, "locals").body.attributes["a"].expr.value == 2  # type: ignore[union-attr]
    (problem,) = hcl.problems
    assert (problem.level.value, problem.line, problem.column) == ("error", 3, 3)
    assert problem.message == "attribute 'a' is already set at line 2; the later value is used"


def test_an_expression_the_grammar_accepts_but_we_cannot_read_is_unknown() -> None:
    # python-hcl2's grammar accepts a `%{` directive keyword we do not know.
    hcl = read('x = "%{ bogus }"\n')
    attribute = hcl.body.attributes["x"]
    assert isinstance(attribute.expr, Unreadable)
    (problem,) = hcl.problems
    assert problem.level.value == "warning"
    assert "treated as unknown" in problem.message


_HCL_PIECES = st.sampled_from(
    [
        'resource "a" "b" {',
        "}",
        "x = 1",
        'y = "s${v}"',
        "z = [1, 2,",
        "]",
        "w = { a = 1 }",
        "<<EOT",
        "EOT",
        "# c",
        "q = a ? b : c",
        "r = [for x in y : x]",
        'dynamic "d" {',
        "content {",
        "/*",
        "*/",
        "\t",
        "f(1,",
        ")",
        '"',
        "${",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_HCL_PIECES, max_size=12), st.text(max_size=20))
def test_no_input_crashes_the_reader(pieces: list[str], noise: str) -> None:
    text = "\n".join(pieces) + noise
    message = "read"
    try:
        read(text)
    except ParseError as exc:
        message = exc.message
    assert message


def test_deep_nesting_is_a_warning_or_a_located_error_not_a_crash() -> None:
    hcl = read("x = " + "[" * 150 + "]" * 150 + "\ny = 1\n")
    assert isinstance(hcl.body.attributes["x"].expr, Unreadable)
    assert hcl.body.attributes["y"].expr.value == 1  # type: ignore[union-attr]
    assert [p.message for p in hcl.problems] == [
        "cannot read the value of 'x' (expression nested deeper than 100 levels); "
        "it is treated as unknown"
    ]
    with pytest.raises(ParseError) as raised:
        read("a {\n" * 3000 + "}\n" * 3000)
    # At the first block too deep, whatever the depth of the rest.
    assert (raised.value.line, raised.value.column) == (101, 1)
    assert "blocks nested deeper than 100 levels" in raised.value.message


@pytest.mark.parametrize(
    ("closing", "opener"),
    [("EOT  ", "<<EOT"), ("EOT\t", "<<EOT"), ("  EOT \t ", "<<-EOT"), ("EOT", "<<EOT")],
)
def test_a_heredoc_closes_on_its_marker_with_spaces_around_it(closing: str, opener: str) -> None:
    # Terraform takes the first line holding the marker alone, spaces aside. Before,
    # the grammar wanted a newline right after it and ran on to a later heredoc.
    hcl = read(f"a = {opener}\n  one\n{closing}\nbetween = 1\nb = <<EOT\ntwo\nEOT\n")
    assert hcl.problems == ()
    attributes = hcl.body.attributes
    assert attributes["a"].expr.value == ("one\n" if opener == "<<-EOT" else "  one\n")  # type: ignore[union-attr]
    assert where(hcl, attributes["between"]) == (4, 1, 4, 12)
    assert attributes["b"].expr.value == "two\n"  # type: ignore[union-attr]


def test_heredoc_markers_of_one_character_and_empty_heredocs() -> None:
    hcl = read("a = <<X\nx\nX\nb = <<-_E\n_E\n")
    assert hcl.problems == ()
    assert [a.expr.value for a in hcl.body.attributes.values()] == ["x\n", ""]  # type: ignore[union-attr]


def test_a_crlf_file_keeps_its_heredocs_as_terraform_does() -> None:
    hcl = read('a = <<EOT\r\nhi\r\nEOT\r\nb = <<-EOT\r\n  x\r\n  EOT\r\nc = "d"\r\n')
    assert hcl.problems == ()
    values = [a.expr.value for a in hcl.body.attributes.values()]  # type: ignore[union-attr]
    assert values == ["hi\r\n", "x\r\n", "d"]


def test_a_marker_followed_by_text_does_not_close_the_heredoc() -> None:
    hcl = read("a = <<EOT\nEOT and more\nEOT\n")
    assert hcl.body.attributes["a"].expr.value == "EOT and more\n"  # type: ignore[union-attr]
    with pytest.raises(ParseError) as caught:
        read("a = <<EOT\nEOT and more\n")
    assert (caught.value.line, caught.value.column) == (1, 5)
    assert "<<EOT" in caught.value.message


def test_a_heredoc_closed_at_the_very_end_of_the_file_is_an_error_but_read() -> None:
    # Terraform wants a newline after the closing marker ("unterminated template").
    hcl = read('x = "y"\na = <<EOT\nhi\nEOT  ')
    assert hcl.body.attributes["a"].expr.value == "hi\n"  # type: ignore[union-attr]
    ((line, column, level),) = [(p.line, p.column, p.level.value) for p in hcl.problems]
    assert (line, column, level) == (4, 1, "error")
    assert read("a = <<EOT\nhi\nEOT\n").problems == ()
    assert read('a = "${<<EOT\nhi\nEOT\n}"').problems == ()  # not at the end of the file


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ('a { b = "foo"\n}\n', (1, 14)),  # a one-line block closes on its line
        ('a { b = "foo"\n  c = "bar" }\n', (1, 14)),  # ... and holds one attribute
        ("a { d {} }\n", (1, 5)),  # ... and no block
        ("a { b = 1 # why\n}\n", (1, 10)),
        ("a { b = <<EOT\nx\nEOT\n}\n", (3, 4)),
        ("a {\n  b = 1 }\n", (2, 9)),  # a new line before the closing brace
        ("a {\n  b = 1 /* c */ }\n", (2, 17)),
        ('a {\n  d "x" {}}\n', (2, 11)),
        ("a {\n  d {\n  } e {\n  }\n}\n", (3, 5)),  # one block after another on a line
        ("a {\n  d {} /* c\n */ e {}\n}\n", (3, 5)),  # a block comment is no new line
    ],
)
def test_terraform_rules_on_lines_are_located_errors(text: str, place: tuple[int, int]) -> None:
    hcl = read(text)
    assert [(p.line, p.column, p.level.value) for p in hcl.problems] == [(*place, "error")]
    assert hcl.body.blocks[0].type == "a"  # still read as written


@pytest.mark.parametrize(
    "text",
    [
        "a { b = 1 }\n",
        "a {}\n",
        "a { }\n",
        "a { /* c */ }\n",
        "a {\n}\n",
        "a { # why\n  b = 1\n}\n",
        "a {\n  b = 1 /* c */\n  d {}\n  e {\n  }\n}\n",
        "a {\n  b = { c = 1 }\n}\n",
        'a { b = "}" }\n',
        "a {\n  b = <<EOT\n}\nEOT\n}\n",
        "a {\n  b = 1\n} # c\nd { e = 2 } // f\n",
    ],
)
def test_lines_terraform_accepts(text: str) -> None:
    assert read(text).problems == ()

"""Where the parts of a plan's JSON document are written in its configuration.

A plan holds a policy as the text Terraform made of it. Read alone, that text
is one value: every statement in it points at the argument. Where the
configuration beside the plan builds the document as data, the `.tf` file alone
places each statement on its own line, under its own attribute path
(`policy.Statement[1].Principal.AWS`). So that a plan and its configuration say
the same thing about the same statement, the plan's text is then read back into
data, each part placed where the configuration writes it:

- `jsonencode(...)` in the argument, or in the local value the argument names:
  the path into the data is followed through the literal's syntax;
- `data.aws_iam_policy_document.NAME.json` of a document made of its own
  `statement` blocks: `Statement[i]` is the i-th block, `Action` its `actions`,
  `Principal.AWS` the `principals` block of that type, `Condition.T.V` the
  `condition` block testing `V` with `T`.

Anything else (a heredoc, `file()`, a variable, a document merging others, whose
statements cannot be matched to blocks by position) stays text, as it is read
without the configuration.
"""

from __future__ import annotations

from collections.abc import Callable

from iaclint.adapt.terraform.config import ModuleConfig, ResourceDecl
from iaclint.adapt.terraform.locate import Written, encoded, locate, walk, written
from iaclint.parse.hcl.syntax import Block, GetAttr, Literal, SourceText, Template, Variable
from iaclint.span import Span

JsonPath = tuple[str | int, ...]
Places = Callable[[JsonPath], Span]

_STATEMENT_LISTS = {
    "Action": "actions",
    "NotAction": "not_actions",
    "Resource": "resources",
    "NotResource": "not_resources",
    "Sid": "sid",
    "Effect": "effect",
}
_PRINCIPALS = {"Principal": "principals", "NotPrincipal": "not_principals"}
_MERGING = ("source_policy_documents", "override_policy_documents", "source_json", "override_json")


def document_places(
    module: ModuleConfig | None, decl: ResourceDecl, path: JsonPath, data: object
) -> Places | None:
    """Where each part of the document `data`, the plan's value of the argument at
    `path`, is written; None when the configuration does not build it as data."""
    found = written(decl, path)
    if found.depth != len(path) or isinstance(found.node, list):
        return None
    node = found.node
    if encoded(node) is not None:
        return _through(decl.source, found)
    if module is None or type(node) is not GetAttr:
        return None
    names = _traversal(node)
    if names is None:
        return None
    if len(names) == 2 and names[0] == "local":
        local = module.locals.get(names[1])
        if local is None or encoded(local.attribute.expr) is None:
            return None
        attribute = local.attribute
        start = local.source.span(attribute.start, attribute.end)
        return _through(local.source, Written(start, attribute.expr, 0))
    if len(names) == 4 and names[:2] == ("data", "aws_iam_policy_document") and names[3] == "json":
        document = module.data.get(f"aws_iam_policy_document.{names[2]}")
        if document is None:
            return None
        return _policy_document(document, data)
    return None


def _through(source: SourceText, found: Written) -> Places:
    return lambda json_path: walk(source, found, json_path).span


def _traversal(node: GetAttr) -> tuple[str, ...] | None:
    """`a.b.c` as its names; None for anything with an index or a call in it."""
    names: list[str] = []
    current: object = node
    while type(current) is GetAttr:
        names.append(current.name)
        current = current.target
    if type(current) is not Variable:
        return None
    names.append(current.name)
    return tuple(reversed(names))


def _policy_document(document: ResourceDecl, data: object) -> Places | None:
    body = document.block.body
    if any(name in body.attributes for name in _MERGING):
        return None
    if any(block.type == "dynamic" for block in body.blocks):
        return None
    statements = body.blocks_of("statement")
    planned = data.get("Statement") if isinstance(data, dict) else None
    if not isinstance(planned, list) or len(planned) != len(statements):
        return None

    def places(json_path: JsonPath) -> Span:
        return locate(document, _block_path(json_path, statements))

    return places


def _block_path(json_path: JsonPath, statements: list[Block]) -> JsonPath:
    """The path in the data block's syntax of a path into the document it makes."""
    if not json_path or json_path[0] != "Statement":
        return ()
    if len(json_path) < 2 or not isinstance(json_path[1], int):
        return ("statement",)
    index = json_path[1]
    here: JsonPath = ("statement", index)
    if len(json_path) < 3 or index >= len(statements):
        return here
    key, rest = json_path[2], json_path[3:]
    statement = statements[index].body
    if isinstance(key, str) and key in _STATEMENT_LISTS:
        # The provider writes a set of one as a string, and sorts sets: past the
        # argument, positions need not match the list as written.
        return (*here, _STATEMENT_LISTS[key])
    if isinstance(key, str) and key in _PRINCIPALS:
        argument = _PRINCIPALS[key]
        blocks = statement.blocks_of(argument)
        kind = rest[0] if rest else None
        for number, block in enumerate(blocks):
            if _literal(block, "type") == kind:
                return (*here, argument, number, "identifiers")
        return (*here, argument)
    if key == "Condition":
        blocks = statement.blocks_of("condition")
        test = rest[0] if rest else None
        variable = rest[1] if len(rest) > 1 else None
        for number, block in enumerate(blocks):
            if _literal(block, "test") == test and _literal(block, "variable") == variable:
                return (*here, "condition", number, "values")
        return (*here, "condition")
    return here


def _literal(block: Block, name: str) -> object:
    attribute = block.body.attributes.get(name)
    if attribute is None:
        return None
    expr = attribute.expr
    if type(expr) is Literal:
        return expr.value
    if type(expr) is Template and len(expr.parts) == 1 and isinstance(expr.parts[0], str):
        return expr.parts[0]
    return None

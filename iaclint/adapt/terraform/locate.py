"""Where a resource's argument is written in its `.tf` file, found by walking the syntax.

A plan's values carry no lines. When the configuration is on disk, the resource
block is found by type and name, and an argument path such as
`ingress[0].cidr_blocks[1]` is followed through nested blocks, list and object
literals as far as it is written; the deepest place found is where a person
edits. Blocks after a `dynamic` block of the same type cannot be counted
statically, so the path stops at the block type there.
"""

from __future__ import annotations

from iaclint.adapt.terraform.config import ResourceDecl
from iaclint.parse.hcl.syntax import Block, Body, Expr, ObjectExpr, SourceText, TupleExpr
from iaclint.span import Span


def locate(decl: ResourceDecl, path: tuple[str | int, ...]) -> Span:
    """The span of the deepest written part of `path` in the resource block."""
    source: SourceText = decl.source
    span = source.span(decl.block.start, decl.block.header_end)
    node: Body | Expr | list[Block | None] = decl.block.body
    for part in path:
        if isinstance(node, Body):
            if not isinstance(part, str):
                break
            attribute = node.attributes.get(part)
            if attribute is not None:
                span = source.span(attribute.start, attribute.end)
                node = attribute.expr
                continue
            blocks: list[Block | None] = []
            for candidate in node.blocks:
                if candidate.type == part:
                    blocks.append(candidate)
                elif candidate.type == "dynamic" and candidate.labels[:1] == (part,):
                    blocks.append(None)  # from here on the count is not known
            if not blocks:
                break
            node = blocks
            continue
        if isinstance(node, list):
            if not isinstance(part, int) or part >= len(node):
                break
            block = node[part]
            if block is None or any(item is None for item in node[:part]):
                break
            span = source.span(block.start, block.header_end)
            node = block.body
            continue
        if type(node) is TupleExpr:
            if not isinstance(part, int) or part >= len(node.items):
                break
            item = node.items[part]
            span = source.span(item.start, item.end)
            node = item
            continue
        if type(node) is ObjectExpr and isinstance(part, str):
            found = next((item for item in node.items if item.literal_key == part), None)
            if found is None:
                break
            span = source.span(found.key.start, found.value.end)
            node = found.value
            continue
        break
    return span

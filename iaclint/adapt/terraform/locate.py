"""Where a resource's argument is written in its `.tf` file, found by walking the syntax.

A plan's values carry no lines. When the configuration is on disk, the resource
block is found by type and name, and an argument path such as
`ingress[0].cidr_blocks[1]` is followed through nested blocks, list and object
literals as far as it is written; the deepest place found is where a person
edits. `jsonencode(...)` is looked through: the path goes on into the data it
encodes, so `policy.Statement[1].Principal` is the statement's own line. Blocks
after a `dynamic` block of the same type cannot be counted statically, so the
path stops at the block type there.
"""

from __future__ import annotations

from typing import NamedTuple

from iaclint.adapt.terraform.config import ResourceDecl
from iaclint.parse.hcl.syntax import Block, Body, Call, Expr, ObjectExpr, SourceText, TupleExpr
from iaclint.span import Span


class Written(NamedTuple):
    """How far a path is written: the span of its deepest written part, the
    syntax there, and how many parts of the path it took to get there."""

    span: Span
    node: Body | Expr | list[Block | None]
    depth: int


def locate(decl: ResourceDecl, path: tuple[str | int, ...]) -> Span:
    """The span of the deepest written part of `path` in the resource block."""
    return written(decl, path).span


def written(decl: ResourceDecl, path: tuple[str | int, ...]) -> Written:
    """Follow `path` through the resource block as far as it is written."""
    header = decl.source.span(decl.block.start, decl.block.header_end)
    return walk(decl.source, Written(header, decl.block.body, 0), path)


def walk(source: SourceText, start: Written, path: tuple[str | int, ...]) -> Written:
    """Follow `path` from `start` (a body or an expression in `source`) as far as
    it is written; the depth counts on from the start's."""
    span, node, depth = start
    for part in path:
        inner = encoded(node)
        if inner is not None:
            node = inner
        if isinstance(node, Body):
            if not isinstance(part, str):
                break
            attribute = node.attributes.get(part)
            if attribute is not None:
                span = source.span(attribute.start, attribute.end)
                node = attribute.expr
                depth += 1
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
            depth += 1
            continue
        if isinstance(node, list):
            if not isinstance(part, int) or part >= len(node):
                break
            block = node[part]
            if block is None or any(item is None for item in node[:part]):
                break
            span = source.span(block.start, block.header_end)
            node = block.body
            depth += 1
            continue
        if type(node) is TupleExpr:
            if not isinstance(part, int) or part >= len(node.items):
                break
            item = node.items[part]
            span = source.span(item.start, item.end)
            node = item
            depth += 1
            continue
        if type(node) is ObjectExpr and isinstance(part, str):
            found = next((item for item in node.items if item.literal_key == part), None)
            if found is None:
                break
            span = source.span(found.key.start, found.value.end)
            node = found.value
            depth += 1
            continue
        break
    return Written(span, node, depth)


def encoded(node: Body | Expr | list[Block | None]) -> Expr | None:
    """The argument of `jsonencode(x)`, or None for anything else."""
    if (
        type(node) is Call
        and node.name == "jsonencode"
        and len(node.args) == 1
        and not node.expand_last
    ):
        return node.args[0]
    return None

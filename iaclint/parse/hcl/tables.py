"""Parse tables for our LALR driver (`lalr.py`), made with Lark from the grammar.

Lark builds the LALR(1) tables and the contextual lexer from python-hcl2's
grammar; what they are made of is read off the parser it builds: the action
table, for each rule how its tree node is shaped, and for each parser state the
terminals its lexer tries, in order. That reading relies on Lark's internals,
so anything unexpected stops it (`TablesUnavailable`), and `grammar.py` only
trusts tables that parse its probes exactly as Lark does.

This module is imported only when the tables are made, never by a run that
finds them in the cache.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from lark import Lark
from lark import Token as LarkToken
from lark import Tree as LarkTree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import BasicLexer, ContextualLexer, PatternStr, _create_unless
from lark.parse_tree_builder import (
    ChildFilterLALR,
    ChildFilterLALR_NoPlaceholders,
    ExpandSingleChild,
)
from lark.parsers.lalr_analysis import Reduce, Shift

from iaclint.parse.hcl.lalr import LexerSpec, ParseFailure, Rule, Tables, Token, Tree

OPTIONS: dict[str, Any] = {"parser": "lalr", "lexer": "contextual", "propagate_positions": False}


class TablesUnavailable(Exception):
    """Lark's parser is not built the way this module reads it."""


def build(grammar: str) -> Any:
    return Lark(grammar, **OPTIONS)


def tables_of(parser: Any) -> Tables:
    try:
        return _tables_of(parser)
    except TablesUnavailable:
        raise
    except Exception as exc:  # an attribute renamed, a shape changed: Lark's internals moved
        raise TablesUnavailable(f"{type(exc).__name__}: {exc}") from exc


def _tables_of(parser: Any) -> Tables:
    frontend = parser.parser
    lexer: Any = frontend.lexer
    lalr = frontend.parser.parser
    table = lalr.parse_table
    if not isinstance(lexer, ContextualLexer) or frontend.lexer_conf.postlex is not None:
        raise TablesUnavailable("not a contextual lexer without post-lexer")

    rule_index: dict[Any, int] = {}
    rules: list[Rule] = []
    for rule, callback in lalr.callbacks.items():
        rule_index[rule] = len(rules)
        rules.append(_rule(rule, callback))

    actions: list[dict[str, int]] = []
    for state in range(len(table.states)):
        row: dict[str, int] = {}
        for symbol, (action, argument) in table.states[state].items():
            if action is Shift:
                row[symbol] = int(argument)
            elif action is Reduce:
                row[symbol] = ~rule_index[argument]
            else:
                raise TablesUnavailable(f"unknown action {action!r}")
        actions.append(row)

    lexer_index: dict[int, int] = {}
    specs: list[LexerSpec] = []

    def spec_of(basic: Any) -> int:
        if not isinstance(basic, BasicLexer):
            raise TablesUnavailable(f"unknown lexer {type(basic).__name__}")
        key = id(basic)
        if key not in lexer_index:
            lexer_index[key] = len(specs)
            specs.append(_lexer_spec(basic))
        return lexer_index[key]

    lexer_of_state = [spec_of(lexer.lexers[state]) for state in range(len(table.states))]
    root_lexer: Any = lexer.root_lexer  # typed as Lark's abstract lexer
    root = spec_of(root_lexer)
    return Tables(
        actions=actions,
        rules=rules,
        lexer_of_state=lexer_of_state,
        lexers=specs,
        root_lexer=root,
        ignore=frozenset(root_lexer.ignore_types),
        start_state=int(table.start_states["start"]),
        end_state=int(table.end_states["start"]),
    )


def _rule(rule: Any, callback: Any) -> Rule:
    include: tuple[tuple[int, bool, int], ...] | None = None
    append_none = 0
    expand_single = False
    node = callback
    # Lark wraps the node builder: child filter outermost, then `?rule` expansion.
    if isinstance(node, ChildFilterLALR):
        include = tuple((int(i), bool(splice), int(nones)) for i, splice, nones in node.to_include)
        append_none = int(node.append_none)
        node = node.node_builder
    elif isinstance(node, ChildFilterLALR_NoPlaceholders):
        include = tuple((int(i), bool(splice), 0) for i, splice in node.to_include)
        node = node.node_builder
    if isinstance(node, ExpandSingleChild):
        expand_single = True
        node = node.node_builder
    if not (isinstance(node, functools.partial) and node.func is LarkTree and len(node.args) == 1):
        raise TablesUnavailable(f"rule {rule} builds its node in an unknown way")
    return Rule(
        origin=str(rule.origin.name),
        size=len(rule.expansion),
        name=str(node.args[0]),
        expand_single=expand_single,
        include=include,
        append_none=append_none,
    )


def _lexer_spec(basic: Any) -> LexerSpec:
    if basic.g_regex_flags or basic.use_bytes or basic.user_callbacks:
        raise TablesUnavailable("lexer flags, bytes or callbacks")
    create_unless: Any = _create_unless  # untyped in Lark
    terminals, callbacks = create_unless(basic.terminals, basic.g_regex_flags, re, False)
    keywords: dict[str, dict[str, str]] = {}
    for name, callback in callbacks.items():
        spelled: dict[str, str] = {}
        for word in callback.scanner.terminals:
            if not isinstance(word.pattern, PatternStr) or word.pattern.flags:
                raise TablesUnavailable(f"keyword {word.name} is not a plain string")
            spelled.setdefault(word.pattern.value, word.name)  # the first in Lark's order wins
        keywords[str(name)] = spelled
    return LexerSpec(
        terminals=tuple((str(t.name), t.pattern.to_regexp()) for t in terminals),
        keywords=keywords,
    )


class LarkParser:
    """Lark itself behind our parser's interface: the trees and failures it gives."""

    def __init__(self, parser: Any):
        self.parser = parser

    def parse(self, text: str) -> Tree:
        try:
            tree = self.parser.parse(text)
        except UnexpectedCharacters as exc:
            raise ParseFailure(exc.pos_in_stream or 0, None, frozenset(exc.allowed or ())) from None
        except UnexpectedToken as exc:
            token = _token(exc.token)
            raise ParseFailure(token.start_pos, token, frozenset(exc.expected or ())) from None
        except UnexpectedInput as exc:
            raise ParseFailure(exc.pos_in_stream or 0, None, frozenset()) from None
        converted = _convert(tree)
        assert isinstance(converted, Tree)
        return converted


def _token(token: Any) -> Token:
    start = token.start_pos or 0
    end = token.end_pos if token.end_pos is not None else start + len(token)
    return Token(str(token.type), str(token), start, end)


def _convert(node: Any) -> Any:
    if isinstance(node, LarkToken):
        return _token(node)
    if isinstance(node, LarkTree):
        return Tree(str(node.data), [_convert(child) for child in node.children])
    return node

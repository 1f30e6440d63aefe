"""Our LALR(1) driver for python-hcl2's grammar: tables in, syntax tree out.

The tables (`Tables`) are derived once from the grammar with Lark (`tables.py`)
and cached; running them needs neither Lark nor its imports, which were a
quarter of a small Terraform run. The driver does what Lark's LALR parser with
its contextual lexer does, step for step, so that it accepts, rejects and shapes
exactly as Lark would (checked when the tables are made, and by the tests):

- the lexer of the parser's current state tries that state's terminals in
  Lark's order and takes the first that matches (not the longest); terminals
  that are ignored (spaces) are skipped; a name that spells a keyword takes
  the keyword's terminal;
- a reduction keeps the children Lark keeps (`Rule.include`), splices those of
  inlined rules, and a `?rule` with one child gives that child;
- where no terminal of the state matches, a terminal of the whole grammar found
  there is reported as an unexpected token, else the character is.

Each lexer compiles one pattern per terminal, when first tried, and joins them
into one alternation once it has been used often: a small file compiles little,
a large one matches fast.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple, Protocol


class Token(NamedTuple):
    type: str
    value: str
    start_pos: int
    end_pos: int


class Tree(NamedTuple):
    data: str
    children: list[Any]  # Tree, Token, or None where an optional part is absent


class Parser(Protocol):
    def parse(self, text: str) -> Tree: ...


class ParseFailure(Exception):
    """The text does not follow the grammar at `offset`.

    `token` is what was found there (None when no terminal matches the text at
    all), `expected` the terminals that would have been accepted.
    """

    def __init__(self, offset: int, token: Token | None, expected: frozenset[str]):
        super().__init__(offset, token, expected)
        self.offset = offset
        self.token = token
        self.expected = expected


class Rule(NamedTuple):
    origin: str  # the nonterminal it reduces to
    size: int  # how many symbols it pops
    name: str  # the tree node it builds
    expand_single: bool  # `?rule`: one child is returned as it is
    # For each child kept: its index, whether its own children are spliced in,
    # and how many Nones (absent optional parts) go before it. None: every
    # child is kept as it is.
    include: tuple[tuple[int, bool, int], ...] | None
    append_none: int


class LexerSpec(NamedTuple):
    terminals: tuple[tuple[str, str], ...]  # (name, pattern), in the order tried
    keywords: dict[str, dict[str, str]]  # terminal -> {exact text: terminal it becomes}


class Tables(NamedTuple):
    actions: list[dict[str, int]]  # per state: symbol -> next state (>= 0) or ~rule index
    rules: list[Rule]
    lexer_of_state: list[int]  # per state: index into `lexers`
    lexers: list[LexerSpec]
    root_lexer: int  # every terminal of the grammar, for error reports
    ignore: frozenset[str]
    start_state: int
    end_state: int


# Patterns compiled in this process, shared by every lexer that tries them.
_COMPILED: dict[str, re.Pattern[str]] = {}
_JOIN_AFTER = 64  # matches by one lexer before its patterns are joined


class _Scanner:
    __slots__ = ("_joined", "_uses", "allowed", "keywords", "terminals")

    def __init__(self, spec: LexerSpec, ignore: frozenset[str]):
        self.terminals = spec.terminals
        self.keywords = spec.keywords
        self.allowed = frozenset(name for name, _ in spec.terminals) - ignore
        self._uses = 0
        self._joined: re.Pattern[str] | None = None

    def match(self, text: str, pos: int) -> tuple[str, str] | None:
        """The text of the first terminal that matches at `pos`, and its name."""
        joined = self._joined
        if joined is not None:
            found = joined.match(text, pos)
            return None if found is None else (found.group(), found.lastgroup or "")
        self._uses += 1
        if self._uses == _JOIN_AFTER:
            self._join()
        for name, pattern in self.terminals:
            compiled = _COMPILED.get(pattern)
            if compiled is None:
                compiled = _COMPILED[pattern] = re.compile(pattern)
            found = compiled.match(text, pos)
            if found is not None:
                return found.group(), name
        return None

    def kind(self, value: str, terminal: str) -> str:
        """The terminal a matched text stands for: a name that spells a keyword is the keyword."""
        keywords = self.keywords.get(terminal)
        return terminal if keywords is None else keywords.get(value, terminal)

    def _join(self) -> None:
        # An alternation matches the first alternative that matches, as the
        # loop above does; its last group is the outermost, the terminal's.
        source = "|".join(f"(?P<{name}>{pattern})" for name, pattern in self.terminals)
        try:
            self._joined = re.compile(source)
        except (re.error, AssertionError, OverflowError):  # too many groups: keep the loop
            self._joined = None


class LalrParser:
    def __init__(self, tables: Tables):
        self.tables = tables
        self._scanners = [_Scanner(spec, tables.ignore) for spec in tables.lexers]

    def parse(self, text: str) -> Tree:
        tables = self.tables
        lexer_of_state = tables.lexer_of_state
        actions = tables.actions
        rules = tables.rules
        scanners = self._scanners
        ignore = tables.ignore
        new_tuple = tuple.__new__
        states = [tables.start_state]
        values: list[Any] = []
        pos = 0
        end = len(text)
        last: Token | None = None
        while True:
            scanner = scanners[lexer_of_state[states[-1]]]
            token = None
            while pos < end:
                found = scanner.match(text, pos)
                if found is None:
                    raise self._no_terminal(text, pos, scanner.allowed)
                value, kind = found
                start = pos
                pos += len(value)
                if kind in ignore:
                    continue
                token = new_tuple(Token, (scanner.kind(value, kind), value, start, pos))
                break
            if token is None:
                break
            # What _feed does, inline: this loop runs once per token of the file.
            kind = token.type
            while True:
                action = actions[states[-1]].get(kind)
                if action is None:
                    self._feed(states, values, token, at_end=False)  # raises, located
                    raise AssertionError("unreachable: the token has no action")
                if action >= 0:
                    states.append(action)
                    values.append(token)
                    break
                rule = rules[~action]
                size = rule.size
                if size:
                    children = values[-size:]
                    del states[-size:]
                    del values[-size:]
                else:
                    children = []
                if rule.include is None and not rule.expand_single:
                    node: Any = new_tuple(Tree, (rule.name, children))
                else:
                    node = _node(rule, children)
                states.append(actions[states[-1]][rule.origin])
                values.append(node)
            last = token
        if last is None:
            final = Token("$END", "", 0, 0)
        else:  # placed where the last token is, as errors at the end are
            final = Token("$END", "", last.start_pos, last.end_pos)
        tree = self._feed(states, values, final, at_end=True)
        assert isinstance(tree, Tree)  # the start rule builds a node
        return tree

    def _feed(self, states: list[int], values: list[Any], token: Token, at_end: bool) -> Any:
        """Reduce as the token requires, then shift it (or, at the end, accept)."""
        actions = self.tables.actions
        rules = self.tables.rules
        while True:
            action = actions[states[-1]].get(token.type)
            if action is None:
                expected = frozenset(symbol for symbol in actions[states[-1]] if symbol.isupper())
                raise ParseFailure(token.start_pos, token, expected)
            if action >= 0:
                states.append(action)
                values.append(token)
                return None
            rule = rules[~action]
            size = rule.size
            if size:
                children = values[-size:]
                del states[-size:]
                del values[-size:]
            else:
                children = []
            node = _node(rule, children)
            state = actions[states[-1]][rule.origin]
            states.append(state)
            values.append(node)
            if at_end and state == self.tables.end_state:
                return node

    def _no_terminal(self, text: str, pos: int, allowed: frozenset[str]) -> ParseFailure:
        expected = allowed or frozenset({"<END-OF-FILE>"})
        root = self._scanners[self.tables.root_lexer]
        found = root.match(text, pos)
        if found is None:
            return ParseFailure(pos, None, expected)
        value, kind = found  # a terminal, but not one this place accepts
        return ParseFailure(
            pos, Token(root.kind(value, kind), value, pos, pos + len(value)), expected
        )


def _node(rule: Rule, children: list[Any]) -> Any:
    include = rule.include
    if include is not None:
        kept: list[Any] = []
        for index, splice, nones in include:
            if nones:
                kept += [None] * nones
            if splice:
                if kept:
                    kept += children[index].children
                else:  # a left-recursive list grows in place: no copy per item
                    kept = children[index].children
            else:
                kept.append(children[index])
        if rule.append_none:
            kept += [None] * rule.append_none
        children = kept
    if rule.expand_single and len(children) == 1:
        return children[0]
    return Tree(rule.name, children)

"""HCL's own conformance suite (tests/data/hcl-specsuite), read by iaclint.

Each case is NAME.hcl with NAME.hcldec, the schema HCL's `hcldec` decodes it
with, and NAME.t, the result (and its type) or the errors expected. Both are
HCL themselves, and are read here with iaclint's own reader. A small decoder
below does what `hcldec` does with the kinds of schema the suite uses,
evaluating every value with iaclint's expression evaluator and converting it
with iaclint's type conversions; an unknown kind of schema or expectation fails
the test rather than being passed over.

Where iaclint differs from HCL on purpose, the case says so here, with why.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import NamedTuple

import pytest

from iaclint.adapt.terraform.evaluate import Budget, Evaluator
from iaclint.adapt.terraform.functions import FUNCTIONS
from iaclint.adapt.terraform.types import (
    AnyType,
    Collection,
    ObjectType,
    Primitive,
    TupleType,
    Type,
    convert,
    parse_type,
)
from iaclint.adapt.terraform.values import EvalError, Located, first_unknown, plain
from iaclint.cli import main
from iaclint.diagnostics import Level
from iaclint.graph.values import Reference
from iaclint.parse.document import ParseError
from iaclint.parse.hcl.reader import read_hcl
from iaclint.parse.hcl.syntax import Block, Body, Expr, HclFile, Variable

SUITE = Path(__file__).parent / "data" / "hcl-specsuite"
CASES = sorted(path.relative_to(SUITE).with_suffix("").as_posix() for path in SUITE.rglob("*.t"))

# Numbers: Terraform computes with 512-bit binary floats, iaclint with Python's
# integers (exact) and 64-bit floats. A number of more than 15 significant digits,
# or a fraction computed from one (`11 % 5.1`), agrees to a 64-bit float's
# precision only, less where digits cancel out. Policies judge ports, sizes and
# counts, which are whole numbers and exact; so whole numbers are compared exactly,
# others to 14 significant digits.
FLOAT_TOLERANCE = 1e-14

# Where an error is expected and iaclint rejects the file at another place.
ELSEWHERE = {
    # HCL points at the `{` left open; iaclint at the end of the file, where the
    # `}` it still needs is missing (python-hcl2's grammar finds it there).
    "structure/blocks/single_unclosed": "the end of the file",
}

# HCL's JSON syntax: read as Terraform's `.tf.json` (see test_json_syntax_is_read).
JSON_INPUTS = sorted(path.name for path in SUITE.rglob("*.hcl.json"))


class Case(NamedTuple):
    name: str
    hcl: Path
    spec: HclFile
    expected: HclFile


def case(name: str) -> Case:
    base = SUITE / name
    return Case(
        name,
        base.with_suffix(".hcl"),
        read(base.with_suffix(".hcldec")),
        read(base.with_suffix(".t")),
    )


def read(path: Path) -> HclFile:
    return read_hcl(path.read_text(encoding="utf-8"), str(path))


def expects_errors(name: str) -> bool:
    return bool(case(name).expected.body.blocks_of("diagnostics"))


DECODED = [name for name in CASES if not expects_errors(name)]
REJECTED = [name for name in CASES if expects_errors(name)]


# -- evaluating with iaclint ---------------------------------------------------


class NoNames:
    """The scope of the suite's files: only hcldec's `variables` are defined."""

    def root(self, name: str) -> Located:
        raise EvalError(f"'{name}' is not defined")

    def resolve(self, reference: Reference) -> str | None:
        return None

    def read_file(self, path: str) -> str:
        raise EvalError("no files")


EVALUATOR = Evaluator(NoNames(), FUNCTIONS, Budget())


def evaluate(hcl: HclFile, expr: Expr, bindings: dict[str, Located] | None = None) -> Located:
    value = EVALUATOR.eval(expr, hcl.source, bindings or {})
    assert first_unknown(value) is None, f"not known: {first_unknown(value)}"
    return value


# -- a decoder for hcldec's schema -------------------------------------------------


class SchemaError(Exception):
    """What `hcldec` reports against the schema (not the syntax): where, and why."""

    def __init__(self, offset: int, reason: str):
        super().__init__(reason)
        self.offset = offset


class Decoder:
    def __init__(self, spec: HclFile, hcl: HclFile):
        self.spec = spec
        self.hcl = hcl
        self.bindings: dict[str, Located] = {}
        for variables in spec.body.blocks_of("variables"):
            for name, attribute in variables.body.attributes.items():
                self.bindings[name] = evaluate(spec, attribute.expr)

    def root(self) -> Located:
        (root,) = [block for block in self.spec.body.blocks if block.type != "variables"]
        return self.decode(root, self.hcl.body)

    def setting(self, spec: Block, name: str) -> object:
        attribute = spec.body.attributes.get(name)
        return None if attribute is None else plain(evaluate(self.spec, attribute.expr))

    def decode(self, spec: Block, body: Body) -> Located:
        self.check_schema(spec, body)
        kind = spec.type
        if kind == "literal":
            return evaluate(self.spec, spec.body.attributes["value"].expr)
        if kind == "object":
            return Located(
                {child.labels[0]: self.decode(child, body) for child in spec.body.blocks}
            )
        if kind == "attr":
            name = self.setting(spec, "name") or spec.labels[0]
            attribute = body.attributes.get(str(name))
            if attribute is None:
                assert not self.setting(spec, "required"), "required attributes: not in the suite"
                return Located(None)
            value = evaluate(self.hcl, attribute.expr, self.bindings)
            return convert(value, self.type_of(spec), lambda expr: evaluate(self.hcl, expr))
        if kind in ("block", "block_list", "block_map"):
            block_type = str(self.setting(spec, "block_type") or spec.labels[0])
            (inner,) = spec.body.blocks
            found = body.blocks_of(block_type)
            if kind == "block_list":
                return Located([self.decode(inner, block.body) for block in found])
            if kind == "block_map":
                return self.block_map(spec, inner, found)
            if len(found) > 1:
                raise SchemaError(found[1].start, f"only one '{block_type}' block is allowed")
            return self.decode(inner, found[0].body) if found else Located(None)
        raise AssertionError(f"a kind of hcldec schema this decoder does not know: {kind}")

    def block_map(self, spec: Block, inner: Block, found: list[Block]) -> Located:
        labels = self.setting(spec, "labels")
        assert isinstance(labels, list) and labels, "block_map needs its labels"
        out: dict[str, Located] = {}
        for block in found:
            if len(block.labels) != len(labels):
                raise SchemaError(block.start, f"{len(labels)} labels are required")
            level = out
            for label in block.labels[:-1]:
                nested = level.setdefault(label, Located({})).value
                assert isinstance(nested, dict)
                level = nested
            level[block.labels[-1]] = self.decode(inner, block.body)
        return Located(out)

    def type_of(self, spec: Block) -> Type:
        attribute = spec.body.attributes.get("type")
        return AnyType() if attribute is None else parse_type(attribute.expr)

    def check_schema(self, spec: Block, body: Body) -> None:
        """What a body may hold is what its schema names (hcldec's implied schema)."""
        if spec.type not in ("object", "literal"):
            return  # an attr or block schema is checked by the object holding it
        attributes, blocks = set(), set()
        for child in spec.body.blocks if spec.type == "object" else []:
            if child.type == "attr":
                attributes.add(str(self.setting(child, "name") or child.labels[0]))
            else:
                blocks.add(str(self.setting(child, "block_type") or child.labels[0]))
        for name, attribute in body.attributes.items():
            if name not in attributes:
                raise SchemaError(attribute.start, f"an attribute '{name}' is not expected")
        for block in body.blocks:
            if block.type not in blocks:
                raise SchemaError(block.start, f"a block '{block.type}' is not expected")

    def root_schema_check(self) -> None:
        """hcldec checks the whole file against its root schema, whatever its kind."""
        (root,) = [block for block in self.spec.body.blocks if block.type != "variables"]
        if root.type in ("block", "block_list", "block_map"):
            expected = str(self.setting(root, "block_type") or root.labels[0])
            for name, attribute in self.hcl.body.attributes.items():
                raise SchemaError(attribute.start, f"an attribute '{name}' is not expected")
            for block in self.hcl.body.blocks:
                if block.type != expected:
                    raise SchemaError(block.start, f"a block '{block.type}' is not expected")


def decode(spec: HclFile, hcl: HclFile) -> Located:
    decoder = Decoder(spec, hcl)
    decoder.root_schema_check()
    return decoder.root()


# -- comparing with what the .t file expects ------------------------------------------


def same(ours: object, expected: object) -> bool:
    """Equal values of the same kind (a bool is no number here), numbers as said above."""
    if isinstance(expected, bool) or isinstance(ours, bool):
        return type(ours) is type(expected) and ours == expected
    if isinstance(expected, int | float) and isinstance(ours, int | float):
        if isinstance(expected, int) and isinstance(ours, int):
            return ours == expected
        return math.isclose(ours, expected, rel_tol=FLOAT_TOLERANCE, abs_tol=0)
    if isinstance(expected, dict):
        return (
            isinstance(ours, dict)
            and ours.keys() == expected.keys()
            and all(same(ours[key], expected[key]) for key in expected)
        )
    if isinstance(expected, list):
        return (
            isinstance(ours, list)
            and len(ours) == len(expected)
            and all(same(a, b) for a, b in zip(ours, expected, strict=True))
        )
    return type(ours) is type(expected) and ours == expected


def conforms(value: object, kind: Type) -> bool:
    """Whether a value is of a type exactly (no conversion), as `result_type` states."""
    if value is None or isinstance(kind, AnyType):
        return True
    if isinstance(kind, Primitive):
        python = {"string": str, "bool": bool, "number": int | float}[kind.name]
        return isinstance(value, python) and (kind.name == "bool") == isinstance(value, bool)
    if isinstance(kind, Collection):
        items = value.values() if kind.kind == "map" else value
        wanted = dict if kind.kind == "map" else list
        return isinstance(value, wanted) and all(conforms(item, kind.element) for item in items)
    if isinstance(kind, ObjectType):
        return (
            isinstance(value, dict)
            and value.keys() == kind.attributes.keys()
            and all(conforms(value[k], a.type) for k, a in kind.attributes.items())
        )
    assert isinstance(kind, TupleType)
    return (
        isinstance(value, list)
        and len(value) == len(kind.items)
        and all(conforms(item, t) for item, t in zip(value, kind.items, strict=True))
    )


def references(node: object) -> list[str]:
    """The names an expression tree refers to (hcldec's "traversals")."""
    if isinstance(node, Variable):
        return [node.name]
    if isinstance(node, tuple):
        return [name for item in node for name in references(item)]
    if isinstance(node, dict):
        return [name for item in node.values() for name in references(item)]
    return []


def expected_errors(expected: HclFile) -> list[tuple[int, int, int]]:
    """(line, column, byte) where each expected error starts."""
    places = []
    (diagnostics,) = expected.body.blocks_of("diagnostics")
    for error in diagnostics.body.blocks:
        assert error.type == "error", f"an expectation this test does not know: {error.type}"
        (start,) = error.body.blocks_of("from")
        place = {
            name: plain(evaluate(expected, a.expr)) for name, a in start.body.attributes.items()
        }
        places.append((int(place["line"]), int(place["column"]), int(place["byte"])))  # type: ignore[call-overload]
    return places


def our_errors(text: str, spec: HclFile) -> list[tuple[int, int]]:
    """Where iaclint finds errors in a text: its reader's, then the schema's."""
    try:
        hcl = read_hcl(text, "case.hcl")
    except ParseError as error:
        return [(error.line or 0, error.column or 0)]  # (0, 0): placed nowhere, a failure
    found = [(p.line or 0, p.column or 0) for p in hcl.problems if p.level is Level.ERROR]
    if found:
        return found
    try:
        decode(spec, hcl)
    except SchemaError as error:
        return [hcl.source.position(error.offset)]
    return []


# -- the cases -------------------------------------------------------------------


@pytest.mark.parametrize("name", DECODED)
def test_cases_expected_to_decode_are_read_with_their_values(name: str) -> None:
    spec_case = case(name)
    known = {"result", "result_type"}
    assert set(spec_case.expected.body.attributes) <= known, "an expectation not known here"
    assert {block.type for block in spec_case.expected.body.blocks} <= {"traversals"}
    hcl = read(spec_case.hcl)
    assert hcl.problems == ()  # every expression read, nothing doubtful
    result = plain(decode(spec_case.spec, hcl))
    expected = spec_case.expected.body.attributes
    if "result" in expected:
        wanted = plain(evaluate(spec_case.expected, expected["result"].expr))
        assert same(result, wanted), f"{result!r} != {wanted!r}"
    if "result_type" in expected:
        assert conforms(result, parse_type(expected["result_type"].expr))
    for traversals in spec_case.expected.body.blocks_of("traversals"):
        assert traversals.body == Body({}, ()), "listed traversals: not in the suite yet"
        assert references(hcl.body) == []


@pytest.mark.parametrize("name", REJECTED)
def test_cases_expected_to_fail_are_rejected_at_a_place(name: str) -> None:
    spec_case = case(name)
    places = expected_errors(spec_case.expected)
    ours = our_errors(spec_case.hcl.read_text(encoding="utf-8"), spec_case.spec)
    assert ours, "read without an error"
    if name in ELSEWHERE:
        lines = spec_case.hcl.read_text(encoding="utf-8").split("\n")
        assert ours == [(len(lines), 1)]  # the end of the file (its last, empty, line)
        return
    assert ours[0] == places[0][:2]
    assert set(ours) <= {place[:2] for place in places}


def test_each_error_of_the_one_line_blocks_case_alone() -> None:
    # python-hcl2's grammar stops at this case's first error (a comma); the rules
    # on one-line blocks are iaclint's own, so each block is read on its own too.
    name = "structure/blocks/single_oneline_invalid"
    spec_case = case(name)
    text = spec_case.hcl.read_text(encoding="utf-8")
    starts = [offset for offset in range(len(text)) if text.startswith("a {", offset)]
    places = expected_errors(spec_case.expected)
    assert len(starts) == len(places) == 5
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        piece = text[start:end]
        wanted = [byte - start for _, _, byte in places if start <= byte < end]
        ours = our_errors(piece, spec_case.spec)
        offsets = [
            sum(len(line) + 1 for line in piece.split("\n")[: ln - 1]) + col - 1 for ln, col in ours
        ]
        assert offsets == wanted, piece


def test_every_case_has_its_three_files() -> None:
    inputs = {path.relative_to(SUITE).as_posix() for path in SUITE.rglob("*.hcl*")}
    for name in CASES:
        assert f"{name}.hcldec" in inputs
        assert f"{name}.hcl" in inputs or f"{name}.hcl.json" in inputs
    assert {name.split(".")[0] for name in inputs} == set(CASES)


@pytest.mark.parametrize("name", JSON_INPUTS)
def test_json_syntax_is_read(name: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Alone in its directory, and beside a .tf file: a module file linted like it.
    (in_tmp / "alone").mkdir()
    (in_tmp / "alone" / "main.tf.json").write_bytes((SUITE / name).read_bytes())
    (in_tmp / "mixed").mkdir()
    (in_tmp / "mixed" / "main.tf.json").write_bytes((SUITE / name).read_bytes())
    (in_tmp / "mixed" / "main.tf").write_text("", encoding="utf-8")
    assert main(["--color", "never", "."]) == 0
    assert capsys.readouterr().out == "No findings in 3 templates.\n"


def test_the_decoder_finds_what_differs() -> None:
    # The comparisons above can fail: a wrong value, kind or place is seen.
    assert not same(1, True) and not same("1", 1) and not same(0.80000000000001, 0.8)
    assert same(9.0, 9) and same(0.8000000000000007, 0.8)
    assert not conforms({"a": 1}, parse_type(_expr("object({a = string})")))
    assert conforms({"a": "x"}, parse_type(_expr("object({a = string})")))
    spec = read_hcl('object {\n  attr "a" {\n    type = string\n  }\n}\n', "s.hcldec")
    assert our_errors('a = "x"\nb = 1\n', spec) == [(2, 1)]
    assert plain(decode(spec, read_hcl("a = 1\n", "c.hcl"))) == {"a": "1"}


def _expr(text: str) -> Expr:
    return read_hcl(f"x = {text}\n", "t.hcl").body.attributes["x"].expr

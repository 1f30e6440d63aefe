"""Values for a root module's variables: `.tfvars` files, in Terraform's order.

    terraform.tfvars, terraform.tfvars.json, *.auto.tfvars(.json) in name order,
    then each --var-file in the order given; a later file wins.

A value must be a constant (Terraform refuses references in .tfvars); anything
else is unknown. Each value remembers its file, so a finding caused by it says
where it came from.
"""

from __future__ import annotations

from pathlib import Path

from iaclint.adapt.terraform.evaluate import Budget, Evaluator
from iaclint.adapt.terraform.functions import FUNCTIONS
from iaclint.adapt.terraform.loader import ModuleLoader, shown_join
from iaclint.adapt.terraform.module import Constants, VariableValue
from iaclint.adapt.terraform.values import FixedPlace, Located
from iaclint.diagnostics import TFVARS_BLOCK, Diagnostic
from iaclint.parse.document import Document, ParseError
from iaclint.parse.json_reader import read_json
from iaclint.parse.text import decode, read_regular
from iaclint.span import DocPath

VarValues = dict[str, VariableValue]


def automatic_var_files(directory: Path) -> list[str]:
    """The names of the .tfvars files Terraform loads by itself from a root module."""
    try:
        names = sorted(entry.name for entry in directory.iterdir() if entry.is_file())
    except OSError:
        return []
    first = [name for name in ("terraform.tfvars", "terraform.tfvars.json") if name in names]
    auto = [name for name in names if name.endswith((".auto.tfvars", ".auto.tfvars.json"))]
    return first + auto


def read_var_file(
    loader: ModuleLoader, path: Path, shown: str
) -> tuple[VarValues, list[Diagnostic]]:
    """The variable values in one .tfvars (HCL) or .tfvars.json file."""
    if shown.endswith(".json"):
        return _json_values(path, shown)
    loaded = loader.hcl_file(path, shown)
    if loaded.hcl is None:
        return {}, loaded.diagnostics
    evaluator = Evaluator(Constants(), FUNCTIONS, Budget())
    values: VarValues = {}
    source = loaded.hcl.source
    for name, attribute in loaded.hcl.body.attributes.items():
        value = evaluator.evaluate(attribute.expr, source, {})
        values[name] = VariableValue(
            value, f"from {shown}", source.span(attribute.expr.start, attribute.expr.end)
        )
    diagnostics = list(loaded.hcl.problems)
    for block in loaded.hcl.body.blocks:
        line, column = source.position(block.start)
        message = "a .tfvars file holds values only; this block is ignored"
        diagnostics.append(
            Diagnostic.warning(shown, message, line, column, kind=TFVARS_BLOCK, subject=block.type)
        )
    return values, diagnostics


def _json_values(path: Path, shown: str) -> tuple[VarValues, list[Diagnostic]]:
    try:
        document = read_json(decode(read_regular(path)), shown)
    except OSError as exc:
        return {}, [Diagnostic.error(shown, f"cannot read: {exc.strerror or exc}")]
    except ParseError as exc:
        return {}, [Diagnostic.error(shown, exc.message, exc.line, exc.column)]
    if not isinstance(document.data, dict):
        return {}, [Diagnostic.error(shown, "a .tfvars.json file must hold a JSON object", 1, 1)]
    values: VarValues = {}
    for name, value in document.data.items():
        located = _located(document, value, (name,))
        values[name] = VariableValue(located, f"from {shown}", document.span_of((name,)))
    return values, list(document.diagnostics)


def _located(document: Document, value: object, path: DocPath) -> Located:
    place = FixedPlace(document.span_of(path))
    if isinstance(value, list):
        return Located(
            [_located(document, item, (*path, i)) for i, item in enumerate(value)], place
        )
    if isinstance(value, dict):
        return Located(
            {key: _located(document, item, (*path, key)) for key, item in value.items()}, place
        )
    return Located(value, place)


def root_values(
    loader: ModuleLoader, directory: Path, shown: str, extra: list[tuple[VarValues, str]]
) -> tuple[VarValues, list[Diagnostic]]:
    """A root module's variable values: its automatic files, then the extra var files."""
    values: VarValues = {}
    diagnostics: list[Diagnostic] = []
    for name in automatic_var_files(directory):
        found, problems = read_var_file(loader, directory / name, shown_join(shown, name))
        values.update(found)
        diagnostics.extend(problems)
    for found, _ in extra:
        values.update(found)
    return values, diagnostics

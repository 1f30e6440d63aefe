"""Fuzzing every reader with real files gone wrong: the project's own fixtures
(CloudFormation YAML and JSON, Terraform modules and var files, plans, CDK cloud
assemblies and their manifests, the configuration) are cut, spliced and sprinkled
with the characters and fragments that upset readers: brackets, quotes, tags,
anchors, heredocs, huge numbers, control characters. Whatever comes out, the run
ends with a report: nothing escapes as an exception, and no input is met by an
internal error (a defect of iaclint's, however the input is wrong).

The number of cases follows IACLINT_FUZZ_EXAMPLES (150 by default, per test)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iaclint.cli import main
from iaclint.findings import Report

from .conftest import ROOT
from .test_fuzz import lint_and_render

PROFILE = settings(
    max_examples=int(os.environ.get("IACLINT_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

READ = {".yaml", ".yml", ".json", ".template", ".tf", ".tfvars"}
# Each fixture file with the folder it is linted in (its own, copied whole: a module's
# other files, an assembly's templates); folders of more than 40 files are left out.
SOURCES = sorted(
    path.relative_to(ROOT / "fixtures")
    for path in (ROOT / "fixtures").rglob("*")
    if path.suffix in READ
    and path.is_file()
    and path.stat().st_size < 64 * 1024
    and sum(1 for _ in path.parent.rglob("*")) <= 40
)

FRAGMENTS = [
    "{",
    "}",
    "[",
    "]",
    '"',
    "'",
    ":",
    ",",
    "\n",
    "  ",
    "\t",
    "-",
    "#",
    "//",
    "/*",
    "!Ref ",
    "!Sub '${",
    "!GetAtt ",
    "!If [",
    "&a ",
    "*a",
    "<<: *a",
    "? ",
    "|\n",
    ">-\n",
    "${",
    "%{",
    "<<EOF\n",
    "\nEOF",
    "[*]",
    ".*",
    "var.",
    "local.",
    "module.",
    "each.",
    "= ",
    "=> ",
    "?",
    "...",
    "\\",
    "\\u",
    "0x",
    "0o",
    "0b",
    "1e999",
    "-0",
    "007",
    "9" * 5000,
    "1:0:0:0",
    "\u00b2",
    "\x00",
    "\x1b[2J",
    "\ud7ff",
    "\u202e",
    "é",
    "\r\n",
    "null",
    "true",
    "~",
    "Fn::Select",
    "Fn::FindInMap",
    "Condition",
    "Ref",
    "Fn::Sub",
    '{"Ref": "AWS::Region"}',
    '{"Fn::Join": ["", []]}',
    "count = ",
    "for_each = ",
]


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """`text` changed in one to four places."""
    for _ in range(draw(st.integers(1, 4))):
        size = len(text)
        start = draw(st.integers(0, size))
        end = draw(st.integers(start, min(size, start + 40)))
        operation = draw(st.sampled_from(["insert", "delete", "replace", "repeat", "cut"]))
        fragment = draw(st.sampled_from(FRAGMENTS))
        if operation == "insert":
            text = text[:start] + fragment + text[start:]
        elif operation == "delete":
            text = text[:start] + text[end:]
        elif operation == "replace":
            text = text[:start] + fragment + text[end:]
        elif operation == "repeat":
            text = text[:end] + text[start:end] * draw(st.integers(2, 20)) + text[end:]
        else:
            text = text[:start]
    return text


def defects(report: Report) -> list[str]:
    return [
        f"{d.where()}: {d.message}"
        for d in report.diagnostics
        if "a defect in iaclint" in d.message
    ]


@PROFILE
@given(st.sampled_from(SOURCES), st.data())
def test_mutated_fixtures_never_crash_a_reader(
    tmp_path_factory: pytest.TempPathFactory, source: Path, data: st.DataObject
) -> None:
    folder = tmp_path_factory.mktemp("mutated") / "copy"
    shutil.copytree(ROOT / "fixtures" / source.parent, folder)
    target = folder / source.name
    text = data.draw(mutated(target.read_text(encoding="utf-8", errors="surrogateescape")))
    target.write_text(text, encoding="utf-8", errors="surrogateescape")
    report = lint_and_render(folder)
    assert defects(report) == []


CONFIG = """\
severity-threshold = "low"
select = ["IAC001", "IAC020"]
ignore = ["IAC002"]
exclude = ["build/**"]
show-unknown = true

[severity]
IAC020 = "medium"
"""


@PROFILE
@given(mutated(CONFIG))
def test_a_mutated_configuration_is_read_or_refused_at_a_line(
    tmp_path_factory: pytest.TempPathFactory, config: str
) -> None:
    folder = tmp_path_factory.mktemp("config")
    (folder / ".iaclint.toml").write_text(config, encoding="utf-8", errors="surrogateescape")
    (folder / "empty.yaml").write_text("{}\n", encoding="utf-8")
    code = _in(folder, ["--no-cache", "--format", "json", str(folder / "empty.yaml")])
    assert code in (0, 2)


def _in(folder: Path, argv: list[str]) -> int:
    before = Path.cwd()
    os.chdir(folder)
    try:
        # main() turns an escaped exception into exit 2 and "internal error": re-raised
        # here, so hypothesis sees it.
        os.environ["IACLINT_DEBUG"] = "1"
        return main(argv)
    finally:
        del os.environ["IACLINT_DEBUG"]
        os.chdir(before)

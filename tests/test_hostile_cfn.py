"""Untrusted pull requests: no CloudFormation, YAML, JSON, CDK or baseline
input crashes the run, hangs it or exhausts its memory. Each hostile input sits beside
a good template whose finding must still be reported; it ends as a located error, or
is linted in time linear in its size. Time and memory are measured by
benchmarks/hostile_cfn.py's inputs run whole, never here."""

from __future__ import annotations

import errno
import importlib.util
import os
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from iaclint.cli import main

from .conftest import ROOT


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOSTILE = _load("hostile_cfn")
GOOD = _load("hostile").GOOD
GOOD_FINDING = "good.yaml:7:55: IAC001 high 22 open to the whole internet"


def lint(folder: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        code = main(["--no-cache", "--color", "never", "--jobs", "1", *args])
    finally:
        os.chdir(before)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def check(output: str, code: int, expected_code: int, message: str | re.Pattern[str]) -> None:
    assert GOOD_FINDING in output, output
    assert "Traceback" not in output, output
    if "a defect in iaclint" not in str(message):  # unless a defect is what is tested
        assert "a defect in iaclint" not in output, output
    assert code == expected_code, output
    if isinstance(message, re.Pattern):
        assert message.search(output), output
    elif message:
        assert message in output, output
    else:
        assert ": error: " not in output, output


# label, generator, exit code, the located error ("" when linted without one)
CASES: list[tuple[str, Callable[[Path], Path], int, str | re.Pattern[str]]] = [
    (
        "long integer in a manifest",
        HOSTILE.long_integer_manifest,
        2,
        "cdk.out/manifest.json: error: invalid JSON: a number too long to read",
    ),
    (
        "manifest nested 100,000 deep",
        HOSTILE.deep_manifest,
        2,
        "cdk.out/manifest.json: error: invalid JSON: nested too deeply to read",
    ),
    (
        "nested assembly '.'",
        HOSTILE.self_nested_assembly,
        2,
        "cdk.out/manifest.json: error: nested assembly 'Stage0' (directoryName '.') names an "
        "assembly already read",
    ),
    (
        "long integer in a JSON template",
        HOSTILE.long_integer_json,
        2,
        "long-integer.json:1:111: error: invalid JSON: a number of more than 4,300 digits",
    ),
    (
        "long YAML hex literal",
        HOSTILE.long_hex_yaml,
        2,
        "long-hex.yaml:6:30: error: a number of more than 4,300 digits",
    ),
    (
        "long integer in a Terraform plan",
        HOSTILE.long_integer_plan,
        2,
        "plan.json:1:86: error: invalid JSON: a number of more than 4,300 digits",
    ),
    (
        "YAML base-60 integer of a million places",
        HOSTILE.sexagesimal,
        2,
        "base60.yaml:6:10: error: a number of more than 4,300 digits",
    ),
    ("Unicode digit as an Fn::Select index", HOSTILE.unicode_select_index, 1, ""),
    ("Fn::FindInMap that names itself", HOSTILE.self_mapping, 1, ""),
    ("chain of 1,100 conditions", HOSTILE.condition_chain, 1, ""),
    (
        "alias bomb in Conditions",
        HOSTILE.alias_bomb_in_conditions,
        2,
        "conditions-bomb.yaml:1:1: error: stopped resolving the template: its Conditions hold "
        "more than 200,000 values once YAML aliases are expanded",
    ),
    ("Fn::Join and Fn::Sub of 20,000 parts", HOSTILE.long_join, 1, ""),
    (
        "Fn::Join and Fn::Sub of 20,000 aliases of a long text",
        HOSTILE.joined_alias_text,
        2,
        "join-bomb.yaml:1:1: error: stopped resolving the template: Fn::Join and Fn::Sub build "
        "more than 10,485,760 characters of text",
    ),
    ("IAM action of 5,000 stars", HOSTILE.star_action, 1, ""),
    ("construct path of 200,000 segments", HOSTILE.long_construct_path, 1, ""),
    ("backtracking creation-stack frame", HOSTILE.backtracking_creation_stack, 1, ""),
    (
        "4 GiB sparse manifest",
        HOSTILE.sparse_manifest,
        2,
        "cdk.out/manifest.json: error: cannot read: 4096.0 MB is over the 10 MB limit",
    ),
    (
        "loop bomb",
        HOSTILE.loop_bomb,
        2,
        "loops.yaml:10:11: error: 'Fn::ForEach::C' and the loops around it would generate "
        "more than 200,000 values (nested loops multiply); no loop of the template is expanded",
    ),
    (
        "4 GiB sparse template",
        HOSTILE.sparse_template,
        2,
        "sparse.json: error: 4096.0 MB is over the 100 MB limit",
    ),
]


@pytest.mark.parametrize(("label", "make", "code", "message"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input_is_bounded_and_the_rest_is_linted(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    label: str,
    make: Callable[[Path], Path],
    code: int,
    message: str | re.Pattern[str],
) -> None:
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    hostile = make(tmp_path)
    exit_code, output = lint(tmp_path, capsys, hostile.name, "good.yaml")
    check(output, exit_code, code, message)


def test_a_defect_on_one_file_is_a_located_error_and_the_rest_is_linted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last-resort guard: whatever escapes a reader, an adapter or the evaluation
    ends that file alone, named, with the exception's kind but not its text."""
    from iaclint.adapt.cloudformation import template

    adapt = template.adapt_template

    def fails_on_one(document: object, *args: object) -> object:
        if getattr(document, "file", "") == "broken.yaml":
            raise ValueError("secret-looking text from the input")
        return adapt(document, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(template, "adapt_template", fails_on_one)
    monkeypatch.delenv("IACLINT_DEBUG", raising=False)
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text(GOOD, encoding="utf-8")
    exit_code, output = lint(tmp_path, capsys, "broken.yaml", "good.yaml")
    check(
        output,
        exit_code,
        2,
        "broken.yaml: error: not linted: a defect in iaclint on this input (ValueError); "
        "set IACLINT_DEBUG=1 to see where",
    )
    assert "secret-looking" not in output

    monkeypatch.setenv("IACLINT_DEBUG", "1")
    with pytest.raises(ValueError, match="secret-looking"):
        lint(tmp_path, capsys, "broken.yaml")


BASELINES: list[tuple[str, Callable[[Path], Path], str]] = [
    (
        "nested 100,000 deep",
        HOSTILE.bad_baseline,
        "baseline.json: error: bad baseline: nested too deeply to read",
    ),
    (
        "long integer",
        HOSTILE.long_integer_baseline,
        "baseline.json: error: bad baseline: it holds a number too long to read",
    ),
    (
        "4 GiB sparse file",
        HOSTILE.sparse_baseline,
        "baseline.json: error: cannot read the baseline: 4096.0 MB is over the 50 MB limit",
    ),
]


@pytest.mark.parametrize(("label", "make", "message"), BASELINES, ids=[c[0] for c in BASELINES])
def test_a_hostile_baseline_is_a_located_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    label: str,
    make: Callable[[Path], Path],
    message: str,
) -> None:
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    baseline = make(tmp_path)
    exit_code, output = lint(tmp_path, capsys, "--baseline", baseline.name, "good.yaml")
    check(output, exit_code, 2, message)


def test_a_directory_that_cannot_be_entered_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root enters any directory, so listing it is refused here by hand, as the kernel
    refuses it to other users (see the next test)."""
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    locked = HOSTILE.locked_directory(tmp_path)
    scandir = os.scandir

    def refusing(path: object = ".") -> object:
        if os.path.realpath(str(path)) == str(locked.resolve()):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return scandir(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", refusing)
    try:
        exit_code, output = lint(tmp_path, capsys, ".")
    finally:
        locked.chmod(0o700)
    check(
        output,
        exit_code,
        2,
        "locked: error: cannot read this directory (Permission denied): its files are not linted",
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root enters every directory")
def test_directories_the_user_cannot_enter_or_search_are_located_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    locked = HOSTILE.locked_directory(tmp_path)
    listed = tmp_path / "listed"  # its names can be read, but nothing in it
    (listed / "sub").mkdir(parents=True)
    (listed / "inside.yaml").write_text(GOOD, encoding="utf-8")
    listed.chmod(0o444)
    try:
        exit_code, output = lint(tmp_path, capsys, ".", "locked/inside.yaml")
    finally:
        locked.chmod(0o700)
        listed.chmod(0o700)
    check(output, exit_code, 2, "locked: error: cannot read this directory (Permission denied)")
    assert "listed: error: cannot read this directory (Permission denied)" in output, output
    assert "locked/inside.yaml: error: " in output, output


def test_a_defect_on_a_cloud_assembly_is_a_located_error_and_the_rest_is_linted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from iaclint.parse import cloud_assembly

    def fails(*args: object) -> None:
        raise KeyError("from the manifest")

    monkeypatch.setattr(cloud_assembly, "_stack", fails)
    monkeypatch.delenv("IACLINT_DEBUG", raising=False)
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    assembly = HOSTILE.long_construct_path(tmp_path)
    exit_code, output = lint(tmp_path, capsys, assembly.name, "good.yaml")
    check(
        output,
        exit_code,
        2,
        "cdk.out/manifest.json: error: not linted: a defect in iaclint on this input (KeyError)",
    )

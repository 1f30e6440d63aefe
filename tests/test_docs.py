from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "generate_docs", ROOT / "scripts" / "generate_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_docs_are_current() -> None:
    generator = load_generator()
    files = generator.generated()
    for name, render in files.items():
        path = ROOT / "docs" / name
        assert path.exists(), f"docs/{name} is missing: run python scripts/generate_docs.py"
        assert path.read_text(encoding="utf-8") == render(), (
            f"docs/{name} is out of date: run python scripts/generate_docs.py"
        )
    pages = {f"policies/{p.name}" for p in (ROOT / "docs" / "policies").glob("*.md")}
    assert pages <= set(files), f"pages for no policy: {sorted(pages - set(files))}"


def test_every_kind_and_operator_is_documented() -> None:
    generator = load_generator()
    from iaclint.engine.operators import OPERATORS
    from iaclint.graph.kinds import KINDS

    model = generator.model()
    operators = generator.operators()
    assert all(f"## `{kind}`" in model for kind in KINDS)
    assert all(f"## `{name}`" in operators for name in OPERATORS)


def test_policy_pages_have_every_section() -> None:
    generator = load_generator()
    for policy in generator.bundled_policies():
        page = generator.policy_page(policy)
        for section in (
            "## What it flags",
            "## Why",
            "## Example",
            "## How to fix",
            "## References",
        ):
            assert section in page, f"{policy.id} lacks {section}"


# -- the policy guide's examples ---------------------------------------------

GUIDE = ROOT / "docs" / "writing-policies.md"
_FENCE = re.compile(
    r"(?:<!-- expect: (?P<expect>[^>]*) -->\n)?```(?P<lang>\w+)\n(?P<body>.*?)```", re.S
)
_MARK = re.compile(r"#\s*expect(-unknown)?:\s*([A-Z]+[0-9]+)@(\S+)")


class _Example(NamedTuple):
    language: str
    text: str
    line: int
    # Findings a JSON example must give, from the comment above it: "line id resource".
    expect: str | None


def _examples() -> list[_Example]:
    text = GUIDE.read_text(encoding="utf-8")
    return [
        _Example(
            match["lang"], match["body"], text.count("\n", 0, match.start("body")) + 1,
            match["expect"],
        )
        for match in _FENCE.finditer(text)
    ]  # fmt: skip


def _is_policy(example: _Example) -> bool:
    from iaclint.catalog import looks_like_policy

    return example.language == "yaml" and looks_like_policy(_data(example.text))


def _data(text: str) -> object:
    from iaclint.parse.cloudformation import read_template

    return read_template(text, "example.yaml").data


def _is_template(example: _Example) -> bool:
    return (
        example.language == "hcl"
        or "Resources" in example.text
        or (example.language == "json" and "planned_values" in example.text)
    )


def test_every_policy_in_the_guide_loads(tmp_path: Path) -> None:
    from iaclint.catalog import load_policies

    policies = [example for example in _examples() if _is_policy(example)]
    assert len(policies) >= 4
    for index, example in enumerate(policies):
        folder = tmp_path / str(index)
        folder.mkdir()
        (folder / "policy.yaml").write_text(example.text, encoding="utf-8")
        loaded, problems = load_policies([folder])
        assert problems == [], f"the policy at docs/writing-policies.md:{example.line}"
        assert len(loaded) == 1


def test_the_guides_templates_give_the_findings_it_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each template is linted with the policy above it, through the command line."""
    from iaclint.cli import main

    monkeypatch.chdir(tmp_path)
    policy: _Example | None = None
    linted = 0
    for index, example in enumerate(_examples()):
        if _is_policy(example):
            policy = example
            continue
        if not _is_template(example):
            continue
        assert policy is not None, f"docs/writing-policies.md:{example.line} has no policy"
        data = _data(policy.text)
        assert isinstance(data, dict)
        policy_id = data["id"]
        folder = tmp_path / f"policies{index}"
        folder.mkdir()
        (folder / "policy.yaml").write_text(policy.text, encoding="utf-8")
        if example.language == "hcl":
            target = tmp_path / f"module{index}"
            target.mkdir()
            (target / "main.tf").write_text(example.text, encoding="utf-8")
            shown = f"module{index}/main.tf"
        else:
            shown = f"example{index}.{example.language}"
            target = tmp_path / shown
            target.write_text(example.text, encoding="utf-8")
        expected: set[tuple[str, str, str, int]] = set()
        unknown: set[tuple[str, str, str, int]] = set()
        for number, line in enumerate(example.text.splitlines(), start=1):
            for mark in _MARK.finditer(line):
                (unknown if mark[1] else expected).add((mark[2], mark[3], shown, number))
        for item in (example.expect or "").split(","):
            if item.strip():
                number, expected_id, resource = item.split()
                expected.add((expected_id, resource, shown, int(number)))
        assert expected, f"docs/writing-policies.md:{example.line} expects no finding"
        arguments = ["--policies", folder.name, "--select", policy_id, "--show-unknown"]
        main([*arguments, "--format", "json", target.name])
        report = json.loads(capsys.readouterr().out)
        assert report["errors"] == [] or all(
            error["level"] == "notice" for error in report["errors"]
        ), report["errors"]
        where = f"docs/writing-policies.md:{example.line}"
        found = {(f["policy_id"], f["resource"], f["file"], f["line"]) for f in report["findings"]}
        assert found == expected, where
        undecided = {
            (u["policy_id"], u["resource"], u["file"], u["line"]) for u in report["undetermined"]
        }
        assert undecided == unknown, where
        linted += 1
    assert linted >= 7


# A line git writes where a merge could not decide; a test catches what review may not.
CONFLICT_MARKER = re.compile(r"^(?:<{7}|>{7})(?: |$)|^={7}$", re.MULTILINE)
TEXT_SUFFIXES = {".md", ".py", ".yaml", ".yml", ".toml", ".txt", ".cfg", ".json", ".tf", ".sh"}


def test_no_file_keeps_a_merge_conflict_marker() -> None:
    marked = []
    for folder in ("docs", "iaclint", "policies", "tests", "fixtures", "scripts", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in TEXT_SUFFIXES or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if CONFLICT_MARKER.search(text):
                marked.append(str(path.relative_to(ROOT)))
    for name in ("README.md", "CHANGELOG.md", "pyproject.toml", "action.yml"):
        if CONFLICT_MARKER.search((ROOT / name).read_text(encoding="utf-8")):
            marked.append(name)
    assert marked == []

"""A bad policy is an error that names the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaclint.catalog import builtin_policy_dir, load_policies, policy_files
from iaclint.findings import Severity

GOOD = """\
id: XYZ100
title: A test policy
description: What it flags.
category: network
severity: low
rationale: Because.
remediation: Fix it.
references: [https://example.com]
message: "open from {value} ({ports})"
parameters:
  ports: {type: "list[int]", default: [22], description: ports}
check:
  targets:
    - kind: ec2.security_group
      each: $.ingress[*]
  when:
    all:
      - {path: $, op: opens_ports, ports: {param: ports}}
      - {path: "$.cidrs[*]", op: cidr_is_world}
"""


def load(tmp_path: Path, text: str):
    (tmp_path / "policy.yaml").write_text(text, encoding="utf-8")
    return load_policies([tmp_path], display_root=tmp_path)


def test_a_good_policy_loads(tmp_path: Path) -> None:
    policies, problems = load(tmp_path, GOOD)
    assert problems == []
    (policy,) = policies
    assert policy.id == "XYZ100"
    assert policy.info.severity is Severity.LOW
    assert policy.values == {"ports": [22]}


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("severity: low", "severity: urgent", 5, "unknown severity 'urgent'"),
        ("category: network", "category: cost", 4, "unknown category 'cost'"),
        ("id: XYZ100", "id: xyz", 1, "must look like IAC001"),
        ("title: A test policy\n", "", 1, "missing required field 'title'"),
        ("references: [https://example.com]", "references: https://example.com", 8, "list of URLs"),
        ("      each: $.ingress[*]", "      each: $.ingres[*]", 15, "selects nothing"),
        ("kind: ec2.security_group", "kind: ec2.securitygroup", 14, "unknown resource kind"),
        ("op: cidr_is_world", "op: cidr_is_wide", 19, "unknown operator 'cidr_is_wide'"),
        ('path: "$.cidrs[*]"', 'path: "$.cidr[*]"', 19, "matches no property"),
        ("{param: ports}", "{param: port}", 18, "no parameter named 'port'"),
        ("{param: ports}", "'22'", 18, "must be list[int]"),
        (
            "op: opens_ports, ports: {param: ports}",
            "op: opens_ports",
            18,
            "needs the argument 'ports'",
        ),
        ("op: cidr_is_world}", "op: cidr_is_world, extra: 1}", 19, "unknown field 'extra'"),
        ("default: [22]", "default: 22", 11, "default of 'ports' must be list[int]"),
        ('type: "list[int]"', 'type: "list[port]"', 11, "parameter type must be one of"),
        ('message: "open from {value} ({ports})"', 'message: "open {where}"', 9, "'{where}'"),
        ("    all:", "    every:", 17, "unknown condition 'every'"),
        ("      each: $.ingress[*]", "      each: $.ingress[?(@.x == 1)]", 15, "do not support"),
        ("rationale: Because.", "rationale: Because.\nowner: me", 7, "unknown field 'owner'"),
    ],
)
def test_mistakes_are_located(tmp_path: Path, old: str, new: str, line: int, words: str) -> None:
    assert old in GOOD
    policies, problems = load(tmp_path, GOOD.replace(old, new))
    assert policies == []
    (problem,) = problems
    assert problem.file == "policy.yaml"
    assert problem.line == line, problem.message
    assert words in problem.message


def test_field_is_named(tmp_path: Path) -> None:
    _, problems = load(tmp_path, GOOD.replace("op: cidr_is_world", "op: cidr_is_wide"))
    assert "(field check.when.all[1].op)" in problems[0].message


def test_invalid_yaml_and_duplicate_ids(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "c.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    policies, problems = load_policies([tmp_path], display_root=tmp_path)
    assert [p.id for p in policies] == ["XYZ100"]
    assert [(p.file, p.line) for p in problems] == [("b.yaml", 1), ("c.yaml", 2)]
    assert "already used by a.yaml" in problems[0].message


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    _, problems = load_policies([tmp_path / "nope"])
    assert "does not exist" in problems[0].message


def test_configured_values_are_checked(tmp_path: Path) -> None:
    (policy,), _ = load(tmp_path, GOOD)
    assert policy.configured(Severity.HIGH, {"ports": [2222]}).values == {"ports": [2222]}
    with pytest.raises(ValueError, match="must be list\\[int\\]"):
        policy.configured(values={"ports": "22"})
    with pytest.raises(ValueError, match="has no parameter 'port'"):
        policy.configured(values={"port": [22]})


def test_bundled_policies_all_load() -> None:
    folder = builtin_policy_dir()
    policies, problems = load_policies([folder])
    assert problems == []
    assert len(policies) == len(policy_files(folder))
    for policy in policies:
        assert policy.info.references
        assert all(reference.startswith("https://") for reference in policy.info.references)


def test_compiled_policies_are_cached_and_damage_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IACLINT_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "policy.yaml").write_text(GOOD, encoding="utf-8")
    (first,), _ = load_policies([folder], display_root=tmp_path)
    (entry,) = (tmp_path / "cache" / "policies").iterdir()
    (again,), _ = load_policies([folder], display_root=tmp_path)
    assert again == first
    entry.write_bytes(b"not a pickle")
    (rebuilt,), problems = load_policies([folder], display_root=tmp_path)
    assert problems == [] and rebuilt == first
    # A changed file is a different entry: the old compilation is never used.
    (folder / "policy.yaml").write_text(
        GOOD.replace("severity: low", "severity: high"), encoding="utf-8"
    )
    (changed,), _ = load_policies([folder], display_root=tmp_path)
    assert changed.info.severity is Severity.HIGH
    (uncached,), _ = load_policies([folder], display_root=tmp_path, use_cache=False)
    assert uncached.info.severity is Severity.HIGH

"""Every policy against its pass and fail fixtures, found automatically.

A fixture lives in fixtures/policies/<policy id>/. Its expected results are
written in the fixture itself, on the line a finding must point at:

    CidrIp: 0.0.0.0/0  # expect: IAC001@SshFromAnywhere
    CidrIp: !Ref Cidr  # expect-unknown: IAC001@Group

or, for JSON (which has no comments), in `<file>.expect` beside it:

    17 IAC001 WebAndSsh
    ? 21 IAC001 WebAndSsh        (a leading ? marks an expected unknown)

Findings of the fixture's own policy are compared exactly: policy, resource and
line, nothing missing and nothing extra.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from iaclint.discover import Candidate
from iaclint.engine.policy import Policy
from iaclint.run import lint_file

from .conftest import FIXTURES, ROOT

POLICY_FIXTURES = FIXTURES / "policies"
_MARK = re.compile(r"#\s*expect(-unknown)?:\s*([A-Z]+[0-9]+)@(\S+)")

Expected = set[tuple[str, str, int]]


def _fixture_files() -> list[Path]:
    return sorted(
        path
        for path in POLICY_FIXTURES.rglob("*")
        if path.is_file() and path.suffix in (".yaml", ".yml", ".json")
    )


def _expectations(path: Path) -> tuple[Expected, Expected]:
    findings: Expected = set()
    unknowns: Expected = set()
    sidecar = path.with_name(path.name + ".expect")
    if sidecar.exists():
        for raw in sidecar.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            target = unknowns if line.startswith("?") else findings
            number, policy_id, resource = line.lstrip("? ").split()
            target.add((policy_id, resource, int(number)))
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for match in _MARK.finditer(text):
            target = unknowns if match.group(1) else findings
            target.add((match.group(2), match.group(3), number))
    return findings, unknowns


def _policy_of(path: Path) -> str:
    return path.relative_to(POLICY_FIXTURES).parts[0]


@pytest.mark.parametrize(
    "path", _fixture_files(), ids=lambda p: p.relative_to(POLICY_FIXTURES).as_posix()
)
def test_fixture(path: Path, policies: list[Policy]) -> None:
    policy_id = _policy_of(path)
    shown = path.relative_to(ROOT).as_posix()
    result = lint_file(Candidate(path, shown), policies)
    assert result.linted, result.diagnostics
    assert result.diagnostics == []
    expected_findings, expected_unknowns = _expectations(path)
    for policy, _, _ in expected_findings | expected_unknowns:
        assert policy == policy_id, f"{path.name} expects {policy}, but it belongs to {policy_id}"
    found = {
        (f.policy_id, f.resource, f.span.line) for f in result.findings if f.policy_id == policy_id
    }
    undecided = {
        (u.policy_id, u.resource, u.span.line)
        for u in result.undetermined
        if u.policy_id == policy_id
    }
    assert found == expected_findings
    assert undecided == expected_unknowns
    for finding in result.findings:
        assert finding.span.file == shown


def test_every_policy_has_fixtures(policies: list[Policy]) -> None:
    """Each bundled policy has a fail and a pass fixture in both JSON and YAML."""
    files = _fixture_files()
    for policy in policies:
        mine = [path for path in files if _policy_of(path) == policy.id]
        kinds = set()
        for path in mine:
            findings, _ = _expectations(path)
            kinds.add(("fail" if findings else "pass", path.suffix))
        missing = {
            (verdict, suffix) for verdict in ("fail", "pass") for suffix in (".json", ".yaml")
        } - kinds
        assert not missing, f"{policy.id} lacks fixtures: {sorted(missing)}"


def test_fixture_folders_name_real_policies(policies: list[Policy]) -> None:
    ids = {policy.id for policy in policies}
    for folder in POLICY_FIXTURES.iterdir():
        assert folder.name in ids, f"fixtures/policies/{folder.name} names no policy"

"""The bundled catalogue: ids, metadata, and examples that do what they say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from iaclint.discover import Candidate
from iaclint.engine.policy import Policy
from iaclint.run_terraform import lint_terraform

from .conftest import lint_text

BUNDLED_ID = re.compile(r"^IAC[0-9]{3}$")


def test_ids_are_unique_and_well_formed(policies: list[Policy]) -> None:
    ids = [policy.id for policy in policies]
    assert len(ids) == len(set(ids))
    assert all(BUNDLED_ID.match(policy_id) for policy_id in ids)


def test_every_policy_documents_itself(policies: list[Policy]) -> None:
    for policy in policies:
        info = policy.info
        assert policy.description and info.rationale and info.remediation, policy.id
        assert info.references, policy.id
        assert set(policy.example) - {"format"} == {"fail", "pass"}, (
            f"{policy.id} needs a fail and a pass example"
        )


def test_file_name_is_the_id(policies: list[Policy]) -> None:
    for policy in policies:
        assert Path(policy.info.source).stem == policy.id
        assert Path(policy.info.source).parent.name == policy.info.category


@pytest.mark.parametrize("verdict", ["fail", "pass"])
def test_examples_do_what_they_say(tmp_path: Path, policies: list[Policy], verdict: str) -> None:
    for policy in policies:
        if policy.example.get("format") == "terraform":
            module = tmp_path / f"{policy.id}-{verdict}"
            module.mkdir()
            main = module / "main.tf"
            main.write_text(policy.example[verdict], encoding="utf-8")
            report = lint_terraform([Candidate(main, "main.tf")], policies, [str(module)])
            assert report.diagnostics == [], policy.id
            mine = [finding for finding in report.findings if finding.policy_id == policy.id]
            assert bool(mine) == (verdict == "fail"), f"{policy.id} {verdict} example"
            continue
        result = lint_text(
            tmp_path, policy.example[verdict], policies, name=f"{policy.id}-{verdict}.yaml"
        )
        assert result.linted and result.diagnostics == [], policy.id
        mine = [finding for finding in result.findings if finding.policy_id == policy.id]
        assert bool(mine) == (verdict == "fail"), f"{policy.id} {verdict} example"

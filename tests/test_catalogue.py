"""The bundled catalogue: ids, metadata, and examples that do what they say."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from iaclint.cli import main
from iaclint.discover import Candidate
from iaclint.engine.policy import Policy
from iaclint.run import Options, prepare
from iaclint.run_terraform import lint_terraform

from .conftest import lint_text

BUNDLED_ID = re.compile(r"^IAC[0-9]{3}$")


@pytest.fixture
def policies(catalogue: list[Policy]) -> list[Policy]:
    """Every bundled policy, including those off until configured (with their
    examples' parameters): the catalogue is tested whole."""
    return catalogue


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
        if policy.example_parameters:
            configured = policy.configured(values=policy.example_parameters)
            policies = [configured if p.id == policy.id else p for p in policies]
            policy = configured
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


def ids(options: Options) -> tuple[set[str], list[str]]:
    prepared = prepare(options)
    problems = [*prepared.diagnostics, *prepared.errors]
    return {policy.id for policy in prepared.policies}, [d.message for d in problems]


def test_policies_off_until_configured() -> None:
    default, _ = ids(Options())
    assert "IAC062" not in default and "IAC061" not in default
    configured, problems = ids(Options(parameters={"IAC062": {"required_tags": ["team"]}}))
    assert "IAC062" in configured and "IAC061" not in configured and problems == []
    selected, problems = ids(Options(select=("IAC062",)))
    assert selected == {"IAC062"}
    assert problems == [
        "IAC062 runs with its default parameters; set required_tags under "
        "[tool.iaclint.parameters.IAC062] to make it yours"
    ]
    by_category, _ = ids(Options(select=("tagging",)))
    assert by_category == set()


def test_a_wrongly_typed_parameter_is_a_clear_error() -> None:
    _, problems = ids(Options(parameters={"IAC062": {"required_tags": "team"}}))
    assert problems == ["parameter 'required_tags' of policy IAC062 must be list[str], got 'team'"]


def test_the_listing_marks_policies_off_until_configured(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--list-policies"]) == 0
    listing = capsys.readouterr().out
    assert "  IAC062  low       Required tags missing  (off until configured)\n" in listing
    assert listing.index("tagging:") > listing.index("images:") > listing.index("imds:")
    assert listing.rstrip().endswith("policies, 2 off until configured")


def test_the_listing_shows_what_a_policy_with_traits_checks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--list-policies"]) == 0
    listing = capsys.readouterr().out
    block = listing[listing.index("  IAC070 ") :].split("\n\n")[0].splitlines()
    assert block[1].strip() == (
        "checks ec2.instance, autoscaling.group; traits: directly reachable, imdsv1, "
        "administrator role, ssh or rdp open, secrets in configuration"
    )
    assert block[2].strip() == "critical when directly reachable and imdsv1 and administrator role"
    # A policy without traits keeps its one line.
    after = listing[listing.index("  IAC001 ") :].splitlines()
    assert after[1].startswith("  IAC")
    assert main(["--list-policies", "--format", "json"]) == 0
    listed = {p["id"]: p for p in json.loads(capsys.readouterr().out)["policies"]}
    assert listed["IAC070"]["checks"] == ["ec2.instance", "autoscaling.group"]
    assert listed["IAC070"]["severities"][-1] == {
        "severity": "medium",
        "traits": ["ssh_or_rdp_open"],
    }
    assert "ec2.network_acl" in listed["IAC001"]["checks"]
    assert listed["IAC001"]["traits"] == []

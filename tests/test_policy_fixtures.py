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

Terraform fixtures:

- a directory holding `.tf` or `.tf.json` files (`fail-hcl/main.tf`) is one
  fixture, linted as a root module with the local modules it calls (in
  subdirectories) and its `.tfvars`; markers go in `.tf` comments, in whichever
  file a finding must point into (`# expect: IAC001@aws_security_group.ssh`),
  and for a `.tf.json` file in `<file>.expect` beside it, as for JSON templates;
- `<name>.plan.json` beside the CloudFormation fixtures is a plan without its
  configuration: expectations in `<name>.plan.json.expect`, lines in the plan;
- `<name>.plan.json` inside a Terraform fixture directory is the plan of that
  configuration: it must give exactly the findings the `.tf` markers expect.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from iaclint.discover import Candidate
from iaclint.engine.policy import Policy
from iaclint.file_work import lint_file

from .conftest import FIXTURES, ROOT

POLICY_FIXTURES = FIXTURES / "policies"
_MARK = re.compile(r"#\s*expect(-unknown)?:\s*([A-Z]+[0-9]+)@(\S+)")

Expected = set[tuple[str, str, int]]


@pytest.fixture
def policies(catalogue: list[Policy]) -> list[Policy]:
    """Every bundled policy, including those off until configured (with their
    examples' parameters): the catalogue is tested whole."""
    return catalogue


def _fixture_files() -> list[Path]:
    """CloudFormation (and configuration-less plan) fixtures: files beside no .tf file."""
    return sorted(
        path
        for path in POLICY_FIXTURES.rglob("*")
        if path.is_file()
        and path.suffix in (".yaml", ".yml", ".json")
        and _terraform_root(path) is None
    )


def _terraform_root(path: Path) -> Path | None:
    """The Terraform fixture directory a file belongs to (a folder of a policy folder)."""
    parts = path.relative_to(POLICY_FIXTURES).parts
    if len(parts) < 3:
        return None
    root = POLICY_FIXTURES / parts[0] / parts[1]
    return root if _configuration(root) else None


def _configuration(directory: Path) -> list[Path]:
    """A directory's Terraform configuration files (`.tf` and `.tf.json`)."""
    return sorted([*directory.glob("*.tf"), *directory.glob("*.tf.json")])


def _terraform_fixtures() -> list[Path]:
    files = [*POLICY_FIXTURES.rglob("*.tf"), *POLICY_FIXTURES.rglob("*.tf.json")]
    return sorted({root for path in files if (root := _terraform_root(path))})


def _plans_with_configuration() -> list[Path]:
    return sorted(path for root in _terraform_fixtures() for path in root.glob("*.plan.json"))


def _sidecar(path: Path) -> tuple[Expected, Expected]:
    """The expectations of `<file>.expect` beside a JSON file (none without one)."""
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
    return findings, unknowns


def _expectations(path: Path) -> tuple[Expected, Expected]:
    findings, unknowns = _sidecar(path)
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


# Policies about how a value reached the configuration, which a plan no longer shows.
_PLANS_CANNOT_FAIL = {
    "IAC031": "a plan holds the values of variables, not whether they are marked sensitive",
}


def test_every_policy_has_fixtures(policies: list[Policy]) -> None:
    """Each bundled policy has fail and pass fixtures in every format it serves.

    JSON and YAML templates when it targets a kind CloudFormation resources map
    to; an HCL module and a plan when it targets a kind Terraform resources map to.
    """
    from iaclint.adapt.cloudformation.template import MAPPERS
    from iaclint.adapt.terraform.build import FAMILIES

    terraform_kinds = {family.kind for family in FAMILIES.values()}
    template_kinds = {kind for kind, _ in MAPPERS.values()}
    files = _fixture_files()
    for policy in policies:
        mine = [path for path in files if _policy_of(path) == policy.id]
        kinds = set()
        for path in mine:
            findings, _ = _expectations(path)
            suffix = ".plan.json" if path.name.endswith(".plan.json") else path.suffix
            kinds.add(("fail" if findings else "pass", suffix))
        for root in _terraform_fixtures():
            if _policy_of(root) == policy.id:
                findings, _ = _tree_expectations(root)
                kinds.add(("fail" if findings else "pass", ".tf"))
        targeted = {kind for target in policy.targets for kind in target.kinds}
        wanted = {".json", ".yaml"} if targeted & template_kinds else set()
        if targeted & terraform_kinds:
            wanted |= {".tf", ".plan.json"}
        missing = {(verdict, suffix) for verdict in ("fail", "pass") for suffix in wanted} - kinds
        if policy.id in _PLANS_CANNOT_FAIL:
            missing.discard(("fail", ".plan.json"))
        assert not missing, f"{policy.id} lacks fixtures: {sorted(missing)}"


def test_fixture_folders_name_real_policies(policies: list[Policy]) -> None:
    ids = {policy.id for policy in policies}
    for folder in POLICY_FIXTURES.iterdir():
        assert folder.name in ids, f"fixtures/policies/{folder.name} names no policy"


# -- Terraform ---------------------------------------------------------------

Located = set[tuple[str, str, str, int]]  # policy, resource, file, line


def _tree_expectations(root: Path) -> tuple[Located, Located]:
    """Markers in every .tf file of a Terraform fixture (modules included), and the
    `.expect` files beside its `.tf.json` files."""
    findings: Located = set()
    unknowns: Located = set()
    for path in sorted(root.rglob("*.tf.json")):
        shown = path.relative_to(ROOT).as_posix()
        marked, undecided = _sidecar(path)
        findings.update((policy, resource, shown, line) for policy, resource, line in marked)
        unknowns.update((policy, resource, shown, line) for policy, resource, line in undecided)
    for path in sorted(root.rglob("*.tf")):
        shown = path.relative_to(ROOT).as_posix()
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in _MARK.finditer(text):
                target = unknowns if match.group(1) else findings
                target.add((match.group(2), match.group(3), shown, number))
    return findings, unknowns


def _check(
    policy_id: str, findings: Located, unknowns: Located, expected: tuple[Located, Located]
) -> None:
    expected_findings, expected_unknowns = expected
    for policy, _, _, _ in expected_findings | expected_unknowns:
        assert policy == policy_id, f"expects {policy}, but the fixture belongs to {policy_id}"
    assert {f for f in findings if f[0] == policy_id} == expected_findings
    assert {u for u in unknowns if u[0] == policy_id} == expected_unknowns


@pytest.mark.parametrize(
    "root", _terraform_fixtures(), ids=lambda p: p.relative_to(POLICY_FIXTURES).as_posix()
)
def test_terraform_fixture(root: Path, policies: list[Policy]) -> None:
    from iaclint.run_terraform import lint_terraform

    candidates = [
        Candidate(path, path.relative_to(ROOT).as_posix()) for path in _configuration(root)
    ]
    result = lint_terraform(candidates, policies, [str(root)])
    assert result.diagnostics == [] or all(d.level.value == "notice" for d in result.diagnostics), (
        result.diagnostics
    )
    found = {(f.policy_id, f.resource, f.span.file, f.span.line) for f in result.findings}
    unknown = {(u.policy_id, u.resource, u.span.file, u.span.line) for u in result.undetermined}
    _check(_policy_of(root), found, unknown, _tree_expectations(root))


@pytest.mark.parametrize(
    "path", _plans_with_configuration(), ids=lambda p: p.relative_to(POLICY_FIXTURES).as_posix()
)
def test_plan_with_configuration(path: Path, policies: list[Policy]) -> None:
    """A plan beside its configuration: the same findings, at the same .tf lines."""
    root = _terraform_root(path)
    assert root is not None
    result = lint_file(Candidate(path, path.relative_to(ROOT).as_posix()), policies)
    assert result.linted, result.diagnostics
    assert result.diagnostics == []
    found = {(f.policy_id, f.resource, f.span.file, f.span.line) for f in result.findings}
    unknown = {(u.policy_id, u.resource, u.span.file, u.span.line) for u in result.undetermined}
    _check(_policy_of(root), found, unknown, _tree_expectations(root))


@pytest.mark.parametrize(
    "root",
    sorted({path.parent for path in _plans_with_configuration()}),
    ids=lambda p: p.relative_to(POLICY_FIXTURES).as_posix(),
)
def test_a_plan_beside_its_configuration_adds_nothing(
    root: Path, policies: list[Policy], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linting the folder (configuration and plan) gives the configuration's
    findings, each once, whatever their policy."""
    from iaclint.run import Options, lint
    from iaclint.run_terraform import lint_terraform

    monkeypatch.chdir(ROOT)
    shown = root.relative_to(ROOT).as_posix()
    report = lint(Options(paths=(shown,), use_cache=False), policies, [])
    assert [d for d in report.diagnostics if d.level.value == "error"] == []
    candidates = [
        Candidate(path, path.relative_to(ROOT).as_posix()) for path in _configuration(root)
    ]
    alone = lint_terraform(candidates, policies, [str(root)])
    folder = [(f.policy_id, f.span.file, f.span.line) for f in report.findings]
    assert folder == [(f.policy_id, f.span.file, f.span.line) for f in alone.findings]


@pytest.mark.parametrize(
    "name",
    [
        "fail-encrypted-domain.yaml",
        "fail-encrypted-domain.json",
        "fail-encrypted-domain.plan.json",
        "fail-encrypted-domain-hcl",
    ],
)
def test_an_encrypted_domain_open_to_everyone_is_reported_for_its_policy_alone(
    name: str, policies: list[Policy]
) -> None:
    """A domain's mapper reads its encryption and its access policy from the same
    resource: with encryption on, the open policy is reported, and no policy of
    the catalogue reports anything else in the file."""
    from iaclint.run_terraform import lint_terraform

    path = POLICY_FIXTURES / "IAC016" / name
    if path.is_dir():
        candidates = [
            Candidate(tf, tf.relative_to(ROOT).as_posix()) for tf in sorted(path.glob("*.tf"))
        ]
        result = lint_terraform(candidates, policies, [str(path)])
        marked, _ = _tree_expectations(path)
        expected = {(policy, resource, line) for policy, resource, _, line in marked}
    else:
        result = lint_file(Candidate(path, path.relative_to(ROOT).as_posix()), policies)
        expected, _ = _expectations(path)
    assert [policy for policy, _, _ in expected] == ["IAC016"]
    assert {(f.policy_id, f.resource, f.span.line) for f in result.findings} == expected
    assert result.undetermined == []

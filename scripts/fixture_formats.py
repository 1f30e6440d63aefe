"""Write a policy fixture in the other formats it needs, with its expectations.

    python scripts/fixture_formats.py json fixtures/policies/IAC020/fail.yaml
    python scripts/fixture_formats.py plan fixtures/plan-specs/IAC020/fail.yaml

`json` converts a YAML template (short-form tags included) to the long-form JSON
CloudFormation accepts, beside it. `plan` turns a compact list of planned
resources (`fixtures/plan-specs/<policy>/<name>.yaml`) into the JSON
`terraform show -json` prints for a plan, as
`fixtures/policies/<policy>/<name>.plan.json`. The spec is

    resources:
      - address: aws_ebs_volume.plain
        values: {availability_zone: eu-west-1a, encrypted: false}
        expect: [IAC020]          # policies that must fire on it (or `expect-unknown`)

JSON has no comments, so expectations go in `<file>.expect`. The lines there
are those of a run of the linter on the new file, written only after checking
that the run found exactly the (policy, resource) pairs the source expects
(the YAML fixture's `# expect:` markers, or the spec's `expect` lists): the
pairs are the oracle, the lines are the JSON reader's (tested on its own).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import cfn_flip
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from iaclint.catalog import builtin_policy_dir, load_policies  # noqa: E402
from iaclint.discover import Candidate  # noqa: E402
from iaclint.file_work import lint_file  # noqa: E402

_MARK = re.compile(r"#\s*expect(-unknown)?:\s*([A-Z]+[0-9]+)@(\S+)")

Pair = tuple[str, str, bool]  # policy, resource, unknown?


def yaml_pairs(text: str) -> set[Pair]:
    return {
        (match.group(2), match.group(3), bool(match.group(1))) for match in _MARK.finditer(text)
    }


def lint_pairs(path: Path, policy_id: str) -> list[tuple[int, Pair]]:
    loaded, problems = load_policies([builtin_policy_dir()], display_root=ROOT, use_cache=False)
    assert not problems, problems
    # As the test suite lints fixtures: policies off until configured use their
    # examples' parameters.
    policies = [
        policy if policy.enabled else policy.configured(values=policy.example_parameters)
        for policy in loaded
    ]
    result = lint_file(Candidate(path, path.name), policies)
    assert result.diagnostics == [], result.diagnostics
    out = [
        (finding.span.line, (finding.policy_id, finding.resource, False))
        for finding in result.findings
        if finding.policy_id == policy_id
    ]
    out += [
        (item.span.line, (item.policy_id, item.resource, True))
        for item in result.undetermined
        if item.policy_id == policy_id
    ]
    return sorted(out)


def write_expect(target: Path, expected: set[Pair], policy_id: str) -> None:
    found = lint_pairs(target, policy_id)
    pairs = {pair for _, pair in found}
    mine = {pair for pair in expected if pair[0] == policy_id}
    if pairs != mine:
        target.unlink()
        raise SystemExit(
            f"{target}: the run found {sorted(pairs)}, the source expects {sorted(mine)}"
        )
    lines = ["# line policy resource (one expected finding per line)"]
    for line, (policy, resource, unknown) in found:
        lines.append(f"{'? ' if unknown else ''}{line} {policy} {resource}")
    expect = target.with_name(target.name + ".expect")
    if len(lines) > 1:
        expect.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif expect.exists():
        expect.unlink()


def to_json(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    converted = json.loads(cfn_flip.to_json(text))
    target = source.with_suffix(".json")
    target.write_text(json.dumps(converted, indent=2) + "\n", encoding="utf-8")
    write_expect(target, yaml_pairs(text), source.parent.name)


def to_plan(spec_path: Path) -> None:
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    resources = []
    changes = []
    expected: set[Pair] = set()
    for item in spec["resources"]:
        address = item["address"]
        kind, name = address.split(".")[-2:]
        values = item.get("values", {})
        resources.append(
            {
                "address": address,
                "mode": "managed",
                "type": kind,
                "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "schema_version": 0,
                "values": values,
                "sensitive_values": {},
            }
        )
        changes.append(
            {
                "address": address,
                "mode": "managed",
                "type": kind,
                "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": values,
                    "after_unknown": {"id": True},
                    "before_sensitive": False,
                    "after_sensitive": {},
                },
            }
        )
        expected |= {(policy, address, False) for policy in item.get("expect", [])}
        expected |= {(policy, address, True) for policy in item.get("expect-unknown", [])}
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": resources}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"}
            }
        },
    }
    policy_id = spec_path.parent.name
    target = ROOT / "fixtures" / "policies" / policy_id / f"{spec_path.stem}.plan.json"
    target.write_text(json.dumps(plan, indent=2) + "\n", encoding="utf-8")
    write_expect(target, expected, spec_path.parent.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("format", choices=["json", "plan"])
    parser.add_argument("sources", nargs="+", type=Path)
    arguments = parser.parse_args()
    for source in arguments.sources:
        (to_json if arguments.format == "json" else to_plan)(source)


if __name__ == "__main__":
    main()

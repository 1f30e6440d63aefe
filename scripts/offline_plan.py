"""Write the plan of a Terraform policy fixture, as Terraform itself prints it.

    python scripts/offline_plan.py fixtures/policies/IAC016/fail-respol-hcl \
        fixtures/policies/IAC016/fail-respol.plan.json

Runs `terraform plan` and `terraform show -json` on a copy of the fixture's `.tf`
files, offline: the AWS provider comes from a filesystem mirror (`--plugins`,
default /opt/tf-plugins), is given fake credentials (in its environment, so the
plan holds none) and told to skip every call to AWS, and nothing is refreshed.
The fixture itself is never modified. The plan is written indented (its lines are
what the findings point at), and its `.expect` file is written by
`fixture_formats.write_expect`: only after a run of the linter on the plan found
exactly the (policy, resource) pairs the fixture's `# expect:` markers name.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixture_formats import write_expect, yaml_pairs

_PROVIDER = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region                      = "eu-west-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
"""


def plan(fixture: Path, plugins: Path, terraform: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="offline-plan-") as work:
        root = Path(work) / "root"
        shutil.copytree(fixture, root, ignore=shutil.ignore_patterns("*.json", ".terraform*"))
        (root / "zz_offline_provider.tf").write_text(_PROVIDER, encoding="utf-8")
        config = Path(work) / "terraform.rc"
        config.write_text(
            f'provider_installation {{\n  filesystem_mirror {{ path = "{plugins}" }}\n}}\n',
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "TF_CLI_CONFIG_FILE": str(config),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "TF_DATA_DIR": str(Path(work) / "data"),
            # The provider is told never to check them.
            "AWS_ACCESS_KEY_ID": "offline",
            "AWS_SECRET_ACCESS_KEY": "offline",
        }
        steps = (
            [terraform, "init", "-input=false", "-no-color"],
            [terraform, "plan", "-input=false", "-no-color", "-refresh=false", "-out=plan.out"],
        )
        for step in steps:
            subprocess.run(step, cwd=root, env=env, check=True, capture_output=True, timeout=600)
        shown = subprocess.run(
            [terraform, "show", "-json", "plan.out"],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
            timeout=600,
        )
    data: dict[str, object] = json.loads(shown.stdout)
    return data


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixture", type=Path, help="a Terraform fixture directory")
    parser.add_argument("target", type=Path, help="the .plan.json file to write")
    parser.add_argument("--plugins", type=Path, default=Path("/opt/tf-plugins"))
    parser.add_argument("--terraform", default="terraform")
    args = parser.parse_args(argv)
    data = plan(args.fixture, args.plugins, args.terraform)
    args.target.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    text = "\n".join(path.read_text(encoding="utf-8") for path in args.fixture.rglob("*.tf"))
    write_expect(args.target, yaml_pairs(text), args.target.parent.name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

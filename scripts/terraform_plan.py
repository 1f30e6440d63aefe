"""Make a real plan JSON (`terraform show -json`) for a Terraform fixture, offline.

    python scripts/terraform_plan.py fixtures/policies/IAC016/fail-encrypted-domain-hcl

writes `main.plan.json` in the fixture folder (`--output` to choose another
file, `-` for standard output). The folder is copied to a temporary directory
and planned there, so nothing is added to it but the plan: no `.terraform/`,
no lock file, no state.

No network is touched: the AWS provider comes from the local mirror
(`--plugins`, default /opt/tf-plugins) through a CLI configuration naming it
as the only installation method, and the provider is told to skip every call
that reaches AWS before a plan (credential validation, account id, metadata
API, region validation), with fake credentials from the environment. A
configuration without an `aws` provider block gets one; one with blocks gets
an override file (every `aws` block, aliased ones too). Data sources that do
call AWS (`aws_caller_identity`, `aws_ami`) cannot be planned this way: the
run fails with Terraform's own message.

The provider settings added here are visible in the plan's
`configuration.provider_config`; nothing else about the plan is changed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

TERRAFORM = "/usr/local/bin/terraform"
PLUGINS = "/opt/tf-plugins"

# Everything the AWS provider would ask AWS before it can plan.
_OFFLINE = """\
  region                      = "eu-west-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
"""

_PROVIDER_BLOCK = re.compile(r'^\s*provider\s+"?aws"?\s*\{', re.MULTILINE)
_ALIAS = re.compile(r'^\s*alias\s*=\s*"([^"]+)"', re.MULTILINE)


class PlanError(Exception):
    """Terraform could not plan the folder; the message says which step and why."""


def _provider_settings(folder: Path) -> tuple[str, str]:
    """(file name, text) of the provider settings to add to the root module.

    Terraform refuses an override for a provider block that does not exist, and
    a second block for one that does, so which file is written depends on what
    the configuration holds.
    """
    texts = [path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.tf"))]
    if not any(_PROVIDER_BLOCK.search(text) for text in texts):
        return "iaclint_offline_provider.tf", f'provider "aws" {{\n{_OFFLINE}}}\n'
    aliases = sorted({alias for text in texts for alias in _ALIAS.findall(text)})
    blocks = [f'provider "aws" {{\n{_OFFLINE}}}\n']
    blocks += [f'provider "aws" {{\n  alias = "{alias}"\n{_OFFLINE}}}\n' for alias in aliases]
    return "iaclint_offline_override.tf", "\n".join(blocks)


def _run(step: str, command: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        raise PlanError(f"terraform {step} failed:\n{done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def plan_json(folder: Path, terraform: str = TERRAFORM, plugins: str = PLUGINS) -> str:
    """The text `terraform show -json` prints for a plan of `folder`."""
    with tempfile.TemporaryDirectory(prefix="iaclint-plan-") as temporary:
        work = Path(temporary) / "root"
        shutil.copytree(
            folder,
            work,
            ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", "*.plan.json", "*.tfplan"),
        )
        name, text = _provider_settings(work)
        (work / name).write_text(text, encoding="utf-8")
        config = Path(temporary) / "terraform.rc"
        config.write_text(
            f'provider_installation {{\n  filesystem_mirror {{\n    path = "{plugins}"\n  }}\n}}\n',
            encoding="utf-8",
        )
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": temporary,
            "TF_CLI_CONFIG_FILE": str(config),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "offline-plan-not-a-real-secret",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        _run("init", [terraform, "init", "-input=false", "-backend=false", "-no-color"], work, env)
        plan = "fixture.tfplan"
        _run(
            "plan",
            [
                terraform,
                "plan",
                "-input=false",
                "-lock=false",
                "-refresh=false",
                "-no-color",
                "-out",
                plan,
            ],
            work,
            env,
        )
        shown = _run("show", [terraform, "show", "-json", plan], work, env)
    # Indented, as the other plan fixtures are, so findings have lines of their own.
    return json.dumps(json.loads(shown), indent=2) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder of .tf files (a root module)")
    parser.add_argument(
        "--output",
        help="where to write the plan (default: main.plan.json in the folder; - for stdout)",
    )
    parser.add_argument("--terraform", default=TERRAFORM, help="the terraform binary")
    parser.add_argument("--plugins", default=PLUGINS, help="the provider mirror directory")
    args = parser.parse_args(argv)
    folder: Path = args.folder
    if not folder.is_dir() or not any(folder.glob("*.tf")):
        print(f"{folder}: not a folder of .tf files", file=sys.stderr)
        return 2
    try:
        text = plan_json(folder, args.terraform, args.plugins)
    except (PlanError, OSError, subprocess.TimeoutExpired) as exc:
        print(f"{folder}: {exc}", file=sys.stderr)
        return 1
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    output = Path(args.output) if args.output else folder / "main.plan.json"
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

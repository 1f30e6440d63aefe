"""scripts/terraform_plan.py, which makes the real plans of Terraform fixtures offline."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import FIXTURES, ROOT


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "terraform_plan", ROOT / "scripts" / "terraform_plan.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_configuration_without_an_aws_provider_block_gets_one(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_sqs_queue" "q" {}\n', encoding="utf-8")
    name, text = script()._provider_settings(tmp_path)
    assert not name.endswith("_override.tf")
    assert text.count('provider "aws"') == 1
    for setting in ("skip_credentials_validation", "skip_requesting_account_id"):
        assert f"{setting} = true" in " ".join(text.split())


def test_every_aws_provider_block_is_overridden_aliases_too(tmp_path: Path) -> None:
    (tmp_path / "providers.tf").write_text(
        'provider "aws" {\n  region = "us-east-1"\n}\n'
        'provider "aws" {\n  alias  = "eu"\n  region = "eu-west-1"\n}\n',
        encoding="utf-8",
    )
    name, text = script()._provider_settings(tmp_path)
    assert name.endswith("_override.tf")  # a second block would be a duplicate
    assert text.count('provider "aws"') == 2
    assert 'alias = "eu"' in text


def test_a_folder_without_terraform_files_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert script().main([str(tmp_path)]) == 2
    assert "not a folder of .tf files" in capsys.readouterr().err


@pytest.mark.skipif(
    shutil.which(script().TERRAFORM) is None or not Path(script().PLUGINS).is_dir(),
    reason="needs Terraform and the AWS provider mirror",
)
def test_the_committed_plan_is_what_terraform_makes(tmp_path: Path) -> None:
    fixture = FIXTURES / "policies" / "IAC016" / "fail-encrypted-domain-hcl"
    before = sorted(path.name for path in fixture.iterdir())
    output = tmp_path / "plan.json"
    assert script().main([str(fixture), "--output", str(output)]) == 0
    assert sorted(path.name for path in fixture.iterdir()) == before  # nothing added there
    made = json.loads(output.read_text(encoding="utf-8"))
    committed = json.loads((fixture / "main.plan.json").read_text(encoding="utf-8"))
    for key in ("planned_values", "resource_changes", "configuration"):
        assert made[key] == committed[key]

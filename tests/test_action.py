"""action.yml, the composite GitHub Action, run step by step as the runner would
(bash -eo pipefail, inputs through the environment), offline, on a copy of this checkout."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT
from .test_cli import CLEAN, OPEN_SSH, write
from .test_sarif import validator
from .wheelhouse import build

EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def checkout_copy(target: Path) -> Path:
    ignored = shutil.ignore_patterns(".git", "*.egg-info", "__pycache__", "build", ".*_cache")
    shutil.copytree(ROOT, target, ignore=ignored)
    return target


def run_action(
    action_path: Path, workspace: Path, inputs: dict[str, str], environment: dict[str, str]
) -> tuple[int, dict[str, str], str]:
    """Run every step; returns the failing step's exit code (or 0), the outputs, the log."""
    action = yaml.safe_load((action_path / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    values = {f"inputs.{name}": spec.get("default", "") for name, spec in action["inputs"].items()}
    values.update({f"inputs.{name}": value for name, value in inputs.items()})
    temp = workspace.parent / "runner-temp"
    temp.mkdir(exist_ok=True)
    values.update({"github.action_path": str(action_path), "runner.temp": str(temp)})
    log = []
    for step in action["runs"]["steps"]:
        assert "${{" not in step["run"], "inputs reach scripts through env only"
        output_file = temp / f"output-{step.get('id', 'x')}"
        output_file.write_text("")
        env = dict(environment, GITHUB_OUTPUT=str(output_file), GITHUB_PATH=str(temp / "path"))
        for key, value in step.get("env", {}).items():
            env[key] = EXPRESSION.sub(lambda m: values[m.group(1)], str(value))
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        log.append(done.stdout + done.stderr)
        for line in output_file.read_text().splitlines():
            key, _, value = line.partition("=")
            values[f"steps.{step.get('id')}.outputs.{key}"] = value
        if done.returncode != 0:
            return done.returncode, values, "".join(log)
    return 0, values, "".join(log)


@pytest.fixture(scope="module")
def action(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    wheels = tmp_path_factory.mktemp("wheelhouse")
    build(wheels, ["PyYAML", "jsonpath-ng", "python-hcl2", "google-re2"])
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    environment.update(
        PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheels), PIP_DISABLE_PIP_VERSION_CHECK="1"
    )
    return checkout_copy(tmp_path_factory.mktemp("action") / "iaclint"), environment


def test_action_writes_sarif_annotates_and_fails_on_findings(
    tmp_path: Path, action: tuple[Path, dict[str, str]]
) -> None:
    action_path, environment = action
    workspace = tmp_path / "workspace"
    write(workspace, "infra/stack.yaml", OPEN_SSH)
    write(workspace, "infra/ok.yaml", CLEAN)
    code, values, log = run_action(
        action_path, workspace, {"paths": "infra", "sarif-file": "out/iaclint.sarif"}, environment
    )
    assert code == 1, log
    assert values["steps.lint.outputs.exit-code"] == "1"
    document = json.loads((workspace / "out/iaclint.sarif").read_text(encoding="utf-8"))
    assert list(validator().iter_errors(document)) == []
    assert [r["ruleId"] for r in document["runs"][0]["results"]] == ["IAC001"]
    assert "::error file=infra/stack.yaml,line=11," in log


def test_action_can_report_without_failing(
    tmp_path: Path, action: tuple[Path, dict[str, str]]
) -> None:
    action_path, environment = action
    workspace = tmp_path / "workspace"
    write(workspace, "stack.yaml", OPEN_SSH)
    inputs = {"fail-on-findings": "false", "annotations": "false", "severity-threshold": "critical"}
    code, values, log = run_action(action_path, workspace, inputs, environment)
    assert code == 0, log
    assert values["steps.lint.outputs.exit-code"] == "0"  # high is below critical
    assert "::error" not in log
    assert (workspace / "iaclint.sarif").is_file()


def test_action_fails_on_errors(tmp_path: Path, action: tuple[Path, dict[str, str]]) -> None:
    action_path, environment = action
    workspace = tmp_path / "workspace"
    write(workspace, "broken.yaml", 'AWSTemplateFormatVersion: "2010-09-09"\nResources: [\n')
    code, values, log = run_action(
        action_path, workspace, {"fail-on-findings": "false"}, environment
    )
    assert code == 2, log
    assert values["steps.lint.outputs.exit-code"] == "2"

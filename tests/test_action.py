"""action.yml, the composite GitHub Action, run step by step as the runner would
(bash -eo pipefail, inputs through the environment), offline, on a copy of this checkout."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

import iaclint

from .conftest import ROOT
from .test_cli import CLEAN, OPEN_SSH, write
from .test_sarif import validator
from .wheelhouse import build

EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def checkout_copy(target: Path) -> Path:
    ignored = shutil.ignore_patterns(".git", "*.egg-info", "__pycache__", "build", ".*_cache")
    shutil.copytree(ROOT, target, ignore=ignored)
    return target


class Run(NamedTuple):
    code: int  # the failing step's exit code, or 0
    values: dict[str, str]  # the expressions' values: inputs, steps' outputs
    log: str  # every step's output, in order
    logs: dict[str, str]  # each step's output, by its name
    summary: str  # what the steps appended to $GITHUB_STEP_SUMMARY
    used: list[dict[str, Any]]  # the `uses:` steps taken, their `with:` evaluated


# The conditions the action writes: `inputs.NAME == 'value'`.
CONDITION = re.compile(r"^inputs\.([a-z-]+) == '([^']*)'$")


def run_action(
    action_path: Path,
    workspace: Path,
    inputs: dict[str, str],
    environment: dict[str, str],
    after: Callable[[str, dict[str, str]], None] = lambda name, values: None,
) -> Run:
    """Run every step as the runner would. `uses:` steps are other actions, not run
    here: setup-python answers with this interpreter, the others are recorded.
    `after(step name, values)` is called after each step that ran."""
    action = yaml.safe_load((action_path / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    values = {f"inputs.{name}": spec.get("default", "") for name, spec in action["inputs"].items()}
    values.update({f"inputs.{name}": value for name, value in inputs.items()})
    temp = workspace.parent / "runner-temp"
    temp.mkdir(exist_ok=True)
    values.update(
        {
            "github.action_path": str(action_path),
            "runner.temp": str(temp),
            "runner.os": "Linux",
            "github.run_id": "1234",
            "github.run_attempt": "1",
        }
    )
    summary = temp / "step-summary"
    summary.write_text("")
    log: list[str] = []
    logs: dict[str, str] = {}
    used: list[dict[str, Any]] = []

    def evaluate(text: object) -> str:
        return EXPRESSION.sub(lambda m: values[m.group(1)], str(text))

    for step in action["runs"]["steps"]:
        if "if" in step:
            condition = CONDITION.match(step["if"])
            assert condition, f"a condition this test does not evaluate: {step['if']}"
            if values[f"inputs.{condition.group(1)}"] != condition.group(2):
                continue
        if "uses" in step:
            with_values = {key: evaluate(value) for key, value in step.get("with", {}).items()}
            used.append({"uses": step["uses"], "with": with_values})
            if step["uses"].startswith("actions/setup-python@"):
                version = ".".join(map(str, sys.version_info[:3]))
                values[f"steps.{step['id']}.outputs.python-path"] = sys.executable
                values[f"steps.{step['id']}.outputs.python-version"] = version
            continue
        assert "${{" not in step["run"], "inputs reach scripts through env only"
        output_file = temp / f"output-{step.get('id', 'x')}"
        output_file.write_text("")
        env = dict(
            environment,
            GITHUB_OUTPUT=str(output_file),
            GITHUB_PATH=str(temp / "path"),
            GITHUB_STEP_SUMMARY=str(summary),
        )
        for key, value in step.get("env", {}).items():
            env[key] = evaluate(value)
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        log.append(done.stdout + done.stderr)
        logs[step["name"]] = done.stdout + done.stderr
        for line in output_file.read_text().splitlines():
            key, _, value = line.partition("=")
            values[f"steps.{step.get('id')}.outputs.{key}"] = value
        if done.returncode != 0:
            return Run(done.returncode, values, "".join(log), logs, summary.read_text(), used)
        after(step["name"], values)
    return Run(0, values, "".join(log), logs, summary.read_text(), used)


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
    code, values, log, _, _, _ = run_action(
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
    code, values, log, _, _, _ = run_action(action_path, workspace, inputs, environment)
    assert code == 0, log
    assert values["steps.lint.outputs.exit-code"] == "0"  # high is below critical
    assert "::error" not in log
    assert (workspace / "iaclint.sarif").is_file()


def test_action_fails_on_errors(tmp_path: Path, action: tuple[Path, dict[str, str]]) -> None:
    action_path, environment = action
    workspace = tmp_path / "workspace"
    write(workspace, "broken.yaml", 'AWSTemplateFormatVersion: "2010-09-09"\nResources: [\n')
    code, values, log, _, _, _ = run_action(
        action_path, workspace, {"fail-on-findings": "false"}, environment
    )
    assert code == 2, log
    assert values["steps.lint.outputs.exit-code"] == "2"


def count_runs(log: Path) -> Callable[[str, dict[str, str]], None]:
    """After the install step: iaclint wrapped so that each run adds a line to `log`."""

    def wrap(step: str, values: dict[str, str]) -> None:
        if step != "Install iaclint":
            return
        program = Path(values["steps.install.outputs.bin"]) / "iaclint"
        program.rename(program.with_name("iaclint-real"))
        program.write_text(
            f'#!/bin/bash\necho "$*" >> "{log}"\nexec "{program}-real" "$@"\n', encoding="utf-8"
        )
        program.chmod(0o755)

    return wrap


GROUP = """\
  {name}:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: {port}
          ToPort: {port}
          CidrIp: 0.0.0.0/0
"""


def test_action_lints_once_and_annotates_the_most_severe(
    tmp_path: Path, action: tuple[Path, dict[str, str]]
) -> None:
    action_path, environment = action
    workspace = tmp_path / "workspace"
    # 12 groups open on 22 (high), 12 on 8080 (medium), 3 queues (low, made critical);
    # the threshold comes from the configuration, as the run reads it.
    resources = [GROUP.format(name=f"Ssh{n:02}", port=22) for n in range(12)]
    resources += [GROUP.format(name=f"Web{n:02}", port=8080) for n in range(12)]
    resources += [f"  Queue{n}:\n    Type: AWS::SQS::Queue\n" for n in range(3)]
    write(
        workspace,
        "stack.yaml",
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n' + "".join(resources),
    )
    write(workspace, "skipped/broken.yaml", "Resources: [\n")
    write(
        workspace, ".iaclint.toml", 'severity-threshold = "high"\n[severity]\nIAC025 = "critical"\n'
    )
    runs = tmp_path / "runs.log"
    inputs = {"args": "--exclude skipped"}
    run = run_action(action_path, workspace, inputs, environment, after=count_runs(runs))
    assert run.code == 1, run.log
    # One run of iaclint, writing SARIF; the user's args before the action's own.
    (invocation,) = runs.read_text(encoding="utf-8").splitlines()
    assert invocation == "--exclude skipped --format sarif --output iaclint.sarif -- ."
    document = json.loads((workspace / "iaclint.sarif").read_text(encoding="utf-8"))
    assert list(validator().iter_errors(document)) == []
    assert len(document["runs"][0]["results"]) == 27
    # GitHub shows 10 of each kind per step: the 3 critical, then 7 of the 12 high
    # (file order); 10 of the 12 medium as warnings, which are below the threshold.
    annotations = [line for line in run.logs["Annotate"].splitlines() if line.startswith("::")]
    kinds = [line.split(" ", 1)[0] for line in annotations]
    assert kinds == ["::error"] * 10 + ["::warning"] * 10
    policies = [re.findall(r"title=(IAC\d+)", line)[0] for line in annotations]
    assert policies == ["IAC025"] * 3 + ["IAC001"] * 7 + ["IAC002"] * 10
    lines = [int(re.findall(r",line=(\d+),", line)[0]) for line in annotations[3:10]]
    assert lines == sorted(lines)
    # The step summary counts them all and lists the 7 that were not annotated.
    assert "| critical | 3 |" in run.summary and "| high | 12 |" in run.summary
    assert "| medium | 12 |" in run.summary
    hidden = [
        line for line in run.summary.splitlines() if line.startswith(("| error", "| warning"))
    ]
    assert [row.split(" | ")[:2] for row in hidden] == [["| error", "high"]] * 5 + [
        ["| warning", "medium"]
    ] * 2


def test_action_sets_up_python_and_keeps_the_cache(
    tmp_path: Path, action: tuple[Path, dict[str, str]]
) -> None:
    action_path, environment = action
    workspace = tmp_path / "workspace"
    write(workspace, "stack.yaml", OPEN_SSH)
    run = run_action(action_path, workspace, {"fail-on-findings": "false"}, environment)
    assert run.code == 0, run.log
    python, cache = run.used
    assert python["uses"].startswith("actions/setup-python@")
    assert tuple(map(int, python["with"]["python-version"].split("."))) >= (3, 11)
    assert python["with"]["update-environment"] == "false"  # the job's PATH is left alone
    assert cache["uses"].startswith("actions/cache@")
    action = yaml.safe_load((action_path / "action.yml").read_text(encoding="utf-8"))
    (lint,) = [step for step in action["runs"]["steps"] if step.get("id") == "lint"]
    folder = Path(cache["with"]["path"])
    assert lint["env"]["IACLINT_CACHE_DIR"].replace(
        "${{ runner.temp }}", str(folder.parent)
    ) == str(folder)
    assert any(folder.rglob("*")), "the run keeps its cache in the folder actions/cache saves"
    version = run.values["steps.install.outputs.version"]
    assert version == iaclint.__version__
    key = cache["with"]["key"]
    assert key.startswith(f"iaclint-Linux-{version}-py") and key.endswith("-1234-1")
    restore = cache["with"]["restore-keys"].strip()
    assert key.startswith(restore) and "1234" not in restore


def test_action_args_cannot_change_the_report(
    tmp_path: Path, action: tuple[Path, dict[str, str]]
) -> None:
    action_path, environment = action
    workspace = tmp_path / "workspace"
    write(workspace, "stack.yaml", OPEN_SSH)
    runs = tmp_path / "runs.log"
    inputs = {"args": "--format text --quiet --output report.txt -- extra", "cache": "false"}
    run = run_action(action_path, workspace, inputs, environment, after=count_runs(runs))
    assert run.code == 2, run.log
    assert "::error title=iaclint::the args input may not change the report" in run.log
    refused = re.findall(r"args: `([^`]*)`", run.log)
    assert refused == ["--format", "--output", "--"]
    assert not runs.exists(), "iaclint did not run"
    assert not (workspace / "iaclint.sarif").exists()
    # The cache turned off: nothing restored nor saved.
    assert [used["uses"].split("@")[0] for used in run.used] == ["actions/setup-python"]

"""The real pre-commit runs this checkout's hooks (`pre-commit try-repo`) in a temporary
git repository, without a network: pip installs from a wheelhouse made here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_cli import CLEAN, OPEN_SSH, write
from .wheelhouse import build

HCL_MAIN = """\
resource "aws_security_group" "web" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.source]
  }
}
"""
HCL_VARIABLES = 'variable "source" {\n  default = "0.0.0.0/0"\n}\n'


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    wheels = tmp_path_factory.mktemp("wheelhouse")
    build(wheels, ["PyYAML", "jsonpath-ng", "python-hcl2"])
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PIP_", "PRE_COMMIT"))
    }
    environment.update(
        PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")),
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheels),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
    )
    return environment


def git(repo: Path, *arguments: str) -> None:
    subprocess.run(["git", *arguments], cwd=repo, check=True, capture_output=True)


def try_repo(
    repo: Path, hook: str, environment: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_per_file_hook_fails_on_a_bad_template_then_passes(
    tmp_path: Path, offline: dict[str, str]
) -> None:
    git(tmp_path, "init", "-q")
    write(tmp_path, "stack.yaml", OPEN_SSH)
    write(tmp_path, "untouched.yaml", OPEN_SSH)  # not staged: the per-file hook never sees it
    git(tmp_path, "add", "stack.yaml")
    failed = try_repo(tmp_path, "iaclint", offline)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "stack.yaml:11:11: IAC001 high 22 open to the whole internet" in failed.stdout
    assert "untouched.yaml" not in failed.stdout
    write(tmp_path, "stack.yaml", CLEAN)
    git(tmp_path, "add", "stack.yaml")
    passed = try_repo(tmp_path, "iaclint", offline)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "iaclint" in passed.stdout and "Passed" in passed.stdout


def test_terraform_file_is_linted_with_its_module(tmp_path: Path, offline: dict[str, str]) -> None:
    git(tmp_path, "init", "-q")
    write(tmp_path, "network/variables.tf", HCL_VARIABLES)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "variables")
    write(tmp_path, "network/main.tf", HCL_MAIN)
    git(tmp_path, "add", "network/main.tf")  # only main.tf is passed; the variable is not
    failed = try_repo(tmp_path, "iaclint", offline)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "network/main.tf:6:" in failed.stdout
    assert "IAC001 high 22 open to the whole internet from 0.0.0.0/0" in failed.stdout


def test_project_hook_lints_the_whole_repository(tmp_path: Path, offline: dict[str, str]) -> None:
    git(tmp_path, "init", "-q")
    write(tmp_path, "old/stack.yaml", OPEN_SSH)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "old")
    write(tmp_path, "new.yaml", CLEAN)
    git(tmp_path, "add", "new.yaml")
    failed = try_repo(tmp_path, "iaclint-project", offline)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "old/stack.yaml:11:11: IAC001" in failed.stdout

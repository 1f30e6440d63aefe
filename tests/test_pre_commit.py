"""The hooks as users wire them in: a `.pre-commit-config.yaml` naming this checkout (as
a repository, at a commit) and the real pre-commit, run on staged changes, through
`git commit`, and between two refs as CI runs it. No network: pip installs the hook's
environment from a wheelhouse made here, once for the module (the repository and
revision stay the same)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

from .conftest import ROOT
from .terraform_project import PROJECT, SG
from .test_cli import CLEAN, OPEN_SSH, write
from .wheelhouse import build

SG_VARIABLES = 'variable "admin_cidr" {\n  default = "DEFAULT"\n}\n'
MODULE_CALL = 'module "web" {\n  source = "../modules/web"\n  cidr   = "0.0.0.0/0"\n}\n'
MODULE_WEB = """\
variable "cidr" {}
resource "aws_security_group" "this" {
  ingress {
    from_port   = PORT
    to_port     = PORT
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}
"""
BUCKET = PROJECT["storage/bucket.tf"]
BUCKET_KMS = PROJECT["storage/encryption.tf"]


class Hooks(NamedTuple):
    repository: Path
    revision: str
    environment: dict[str, str]


def git(repo: Path, *arguments: str, environment: dict[str, str] | None = None) -> str:
    completed = subprocess.run(
        ["git", *arguments], cwd=repo, check=True, capture_output=True, text=True, env=environment
    )
    return completed.stdout


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> Hooks:
    """This checkout (its working tree, as it is) committed into a repository of its own."""
    repository = tmp_path_factory.mktemp("hook-repository")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (repository / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repository / name)
    wheels = tmp_path_factory.mktemp("wheelhouse")
    build(wheels, ["PyYAML", "jsonpath-ng", "python-hcl2", "google-re2"])
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PIP_", "PRE_COMMIT", "GIT_", "IACLINT"))
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
        IACLINT_CACHE_DIR=str(tmp_path_factory.mktemp("iaclint-cache")),
    )
    git(repository, "init", "-q", environment=environment)
    git(repository, "add", "-A", environment=environment)
    git(repository, "commit", "-q", "-m", "hooks", environment=environment)
    revision = git(repository, "rev-parse", "HEAD", environment=environment).strip()
    return Hooks(repository, revision, environment)


def project(path: Path, hooks: Hooks, hook: str, args: tuple[str, ...] = ()) -> Path:
    """A repository using `hook` from the hook repository, its configuration committed."""
    git(path, "init", "-q", environment=hooks.environment)
    arguments = f"\n        args: [{', '.join(args)}]" if args else ""
    write(
        path,
        ".pre-commit-config.yaml",
        f"repos:\n  - repo: {hooks.repository}\n    rev: {hooks.revision}\n"
        f"    hooks:\n      - id: {hook}{arguments}\n",
    )
    commit(path, hooks, "configuration")
    return path


def commit(repo: Path, hooks: Hooks, message: str) -> None:
    git(repo, "add", "-A", environment=hooks.environment)
    git(repo, "commit", "-q", "--no-verify", "-m", message, environment=hooks.environment)


def pre_commit(repo: Path, hooks: Hooks, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", *arguments],
        cwd=repo,
        env=hooks.environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def terraform_project(repo: Path) -> None:
    """A root module in `live/` with its variables, var file and a local module."""
    write(repo, "live/main.tf", SG)
    write(repo, "live/variables.tf", SG_VARIABLES.replace("DEFAULT", "10.0.0.0/8"))
    write(repo, "live/terraform.tfvars", 'admin_cidr = "10.1.0.0/16"\n')
    write(repo, "live/web.tf", MODULE_CALL)
    write(repo, "modules/web/main.tf", MODULE_WEB.replace("PORT", "443"))


def test_a_template_fails_the_hook_then_passes_once_fixed(tmp_path: Path, hooks: Hooks) -> None:
    repo = project(tmp_path, hooks, "iaclint")
    write(repo, "untouched.yaml", OPEN_SSH)
    commit(repo, hooks, "an old finding")
    write(repo, "stack.template", OPEN_SSH)  # .template: no pre-commit type tags it
    git(repo, "add", "stack.template", environment=hooks.environment)
    failed = pre_commit(repo, hooks)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "stack.template:11:11: IAC001 high 22 open to the whole internet" in failed.stdout
    assert "untouched.yaml" not in failed.stdout  # not staged: not this change's
    write(repo, "stack.template", CLEAN)
    git(repo, "add", "stack.template", environment=hooks.environment)
    passed = pre_commit(repo, hooks)
    assert passed.returncode == 0, passed.stdout + passed.stderr


@pytest.mark.parametrize(
    ("staged", "change", "expected"),
    [
        pytest.param(
            "live/terraform.tfvars",
            'admin_cidr = "0.0.0.0/0"\n',
            "live/main.tf:6:20: IAC001 high 22 open to the whole internet from 0.0.0.0/0 "
            "(from live/terraform.tfvars)",
            id="var file",
        ),
        pytest.param(
            "live/variables.tf",
            SG_VARIABLES.replace("DEFAULT", "0.0.0.0/0"),
            "",  # the var file still wins: nothing new
            id="variable default under a var file",
        ),
        pytest.param(
            "modules/web/main.tf",
            MODULE_WEB.replace("PORT", "22"),
            "live/web.tf:3:12: IAC001 high 22 open to the whole internet from 0.0.0.0/0",
            id="local module",
        ),
    ],
)
def test_a_change_to_one_file_of_a_root_module_is_judged_in_the_whole_root(
    tmp_path: Path, hooks: Hooks, staged: str, change: str, expected: str
) -> None:
    repo = project(tmp_path, hooks, "iaclint")
    terraform_project(repo)
    commit(repo, hooks, "terraform")
    assert pre_commit(repo, hooks, "--all-files").returncode == 0  # clean to begin with
    before = (repo / staged).read_text(encoding="utf-8")
    write(repo, staged, change)
    git(repo, "add", staged, environment=hooks.environment)
    result = pre_commit(repo, hooks)
    assert result.returncode == (1 if expected else 0), result.stdout + result.stderr
    assert expected in result.stdout
    write(repo, staged, before)  # fixed
    git(repo, "add", staged, environment=hooks.environment)
    assert pre_commit(repo, hooks).returncode == 0


def test_a_variable_default_is_judged_where_it_is_used(tmp_path: Path, hooks: Hooks) -> None:
    repo = project(tmp_path, hooks, "iaclint")
    write(repo, "network/main.tf", SG)
    write(repo, "network/variables.tf", SG_VARIABLES.replace("DEFAULT", "10.0.0.0/8"))
    commit(repo, hooks, "terraform")
    write(repo, "network/variables.tf", SG_VARIABLES.replace("DEFAULT", "0.0.0.0/0"))
    git(repo, "add", "network/variables.tf", environment=hooks.environment)
    failed = pre_commit(repo, hooks)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert (
        "network/main.tf:6:20: IAC001 high 22 open to the whole internet from 0.0.0.0/0 "
        "(default of variable admin_cidr)" in failed.stdout
    )
    write(repo, "network/variables.tf", SG_VARIABLES.replace("DEFAULT", "10.0.0.0/8"))
    git(repo, "add", "network/variables.tf", environment=hooks.environment)
    assert pre_commit(repo, hooks).returncode == 0


def test_a_root_file_and_its_module_file_staged_together_report_both(
    tmp_path: Path, hooks: Hooks
) -> None:
    repo = project(tmp_path, hooks, "iaclint")
    terraform_project(repo)
    commit(repo, hooks, "terraform")
    write(repo, "live/web.tf", MODULE_CALL.replace("0.0.0.0/0", "10.0.0.0/8"))
    module = MODULE_WEB.replace("PORT", "22").replace("[var.cidr]", '["0.0.0.0/0"]')
    write(repo, "modules/web/main.tf", module)
    git(repo, "add", "-A", environment=hooks.environment)
    failed = pre_commit(repo, hooks)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "modules/web/main.tf:7:20: IAC001 high 22 open to the whole internet" in failed.stdout


def test_a_commit_that_only_deletes_a_file_is_checked(tmp_path: Path, hooks: Hooks) -> None:
    repo = project(tmp_path, hooks, "iaclint", ("--select", "IAC026"))
    write(repo, "storage/bucket.tf", BUCKET)
    write(repo, "storage/encryption.tf", BUCKET_KMS)
    commit(repo, hooks, "an encrypted bucket")
    subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=repo,
        env=hooks.environment,
        check=True,
        capture_output=True,
    )
    git(repo, "rm", "-q", "storage/encryption.tf", environment=hooks.environment)
    refused = subprocess.run(
        ["git", "commit", "-q", "-m", "no more KMS"],
        cwd=repo,
        env=hooks.environment,
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "storage/bucket.tf:1:1: IAC026 low S3 bucket default encryption" in (
        refused.stdout + refused.stderr
    )
    assert git(repo, "log", "--format=%s", "-1", environment=hooks.environment).strip() == (
        "an encrypted bucket"
    )


def test_deletions_between_two_refs_count_in_ci(tmp_path: Path, hooks: Hooks) -> None:
    repo = project(tmp_path, hooks, "iaclint", ("--select", "IAC026"))
    write(repo, "storage/bucket.tf", BUCKET)
    write(repo, "storage/encryption.tf", BUCKET_KMS)
    commit(repo, hooks, "an encrypted bucket")
    git(repo, "rm", "-q", "storage/encryption.tf", environment=hooks.environment)
    commit(repo, hooks, "no more KMS")
    failed = pre_commit(repo, hooks, "--from-ref", "HEAD~1", "--to-ref", "HEAD")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "storage/bucket.tf:1:1: IAC026" in failed.stdout


@pytest.mark.parametrize(("hook", "code"), [("iaclint", 0), ("iaclint-project", 1)])
def test_a_commit_without_any_template(tmp_path: Path, hooks: Hooks, hook: str, code: int) -> None:
    """The per-file hook lints nothing; the project hook lints the whole repository."""
    repo = project(tmp_path, hooks, hook)
    write(repo, "old/stack.yaml", OPEN_SSH)
    commit(repo, hooks, "an old finding")
    write(repo, "README.md", "# notes\n")
    git(repo, "add", "README.md", environment=hooks.environment)
    result = pre_commit(repo, hooks)
    assert result.returncode == code, result.stdout + result.stderr
    assert ("old/stack.yaml:11:11: IAC001" in result.stdout) == bool(code)


def hook_processes(root: int) -> tuple[int, int]:
    """The iaclint processes under `root` now: (runs pre-commit started, their workers)."""
    parents: dict[int, int] = {}
    hooks: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # gone meanwhile
        pid = int(entry.name)
        parents[pid] = int(status.rpartition(")")[2].split()[1])
        if b"--hook" in argv:
            hooks.add(pid)

    def under_root(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == root:
                return True
        return False

    ours = {pid for pid in hooks if under_root(pid)}
    workers = {pid for pid in ours if parents[pid] in ours}
    return len(ours - workers), len(workers)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_parallel_batches_share_the_cores(tmp_path: Path, hooks: Hooks) -> None:
    # A configuration that lets pre-commit run the hook in parallel batches: each
    # iaclint process would start a worker per core, and the processes multiply.
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", environment=hooks.environment)
    write(
        repo,
        ".pre-commit-config.yaml",
        f"repos:\n  - repo: {hooks.repository}\n    rev: {hooks.revision}\n"
        "    hooks:\n      - id: iaclint\n        require_serial: false\n"
        "        args: [--no-cache]\n",  # every run lints: no results kept from the last
    )
    commit(repo, hooks, "configuration")
    for index in range(60):
        write(repo, f"stacks/stack{index}.yaml", OPEN_SSH)
    git(repo, "add", "-A", environment=hooks.environment)
    cores = len(os.sched_getaffinity(0))
    environment = {**hooks.environment, "TMPDIR": str(tmp_path)}
    assert pre_commit(repo, hooks, "--all-files").returncode == 1  # the hook is installed
    running = subprocess.Popen(
        [sys.executable, "-m", "pre_commit", "run"],
        cwd=repo,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    most_runs = most_workers = most_processes = 0
    while running.poll() is None:
        runs, workers = hook_processes(running.pid)
        most_runs = max(most_runs, runs)
        most_workers = max(most_workers, workers)
        most_processes = max(most_processes, runs + workers)
    output = running.communicate()[0]
    assert running.returncode == 1, output
    assert output.count("IAC001") == 60
    assert most_workers <= cores
    assert most_processes <= cores + most_runs
    if cores > 1:
        assert most_runs > 1  # batches in parallel indeed


@pytest.mark.parametrize(
    "name",
    [
        "main.tf",
        "main.tf.json",
        "modules/web/network_override.tf.json",
        "terraform.tfvars",
        "terraform.tfvars.json",
        "prod.auto.tfvars.json",
        "user_data.tftpl",
        "stack.template",
        "cdk.out/App.template.json",
        "stack.yaml",
        "STACK.YML",
        "plan.json",
    ],
)
def test_the_per_file_hook_is_given_every_kind_of_file_it_lints(name: str) -> None:
    (hook,) = [
        h
        for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
        if h["id"] == "iaclint"
    ]
    # pre-commit filters by `files` (a regex searched in the path) and by type tags;
    # no type tag names .template or .tftpl, so the hook filters by name alone.
    assert "types" not in hook and "types_or" not in hook
    assert re.search(hook["files"], name)
    assert hook["always_run"] is True  # a commit that only deletes files is checked too

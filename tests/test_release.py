"""A release is consistent: the package's version, the newest CHANGELOG section and
the versions the README pins agree; the hooks manifest is one pre-commit accepts; and
the README's pre-commit configuration follows a release tag with `pre-commit
autoupdate` (see docs/releasing.md)."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

import iaclint

from .conftest import ROOT

VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
SECTION = re.compile(r"^## (.+)$", re.MULTILINE)
RELEASE = re.compile(r"^(\d+\.\d+\.\d+) - (\d{4}-\d{2}-\d{2})$")
YAML_BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.MULTILINE | re.DOTALL)


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def sections() -> list[str]:
    return SECTION.findall((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))


def test_the_version_is_semantic() -> None:
    assert VERSION.match(iaclint.__version__)


def test_changelog_has_unreleased_on_top_then_releases_newest_first() -> None:
    headings = sections()
    assert headings[0] == "Unreleased"
    releases = [RELEASE.match(heading) for heading in headings[1:]]
    assert releases and all(releases), headings
    versions = [tuple(map(int, m.group(1).split("."))) for m in releases if m]
    dates = [datetime.date.fromisoformat(m.group(2)) for m in releases if m]
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions)
    assert dates == sorted(dates, reverse=True)
    # The newest release is the package's version.
    assert releases[0] and releases[0].group(1) == iaclint.__version__


def test_each_section_names_a_kind_of_change_once() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        kinds = re.findall(r"^### (.+)$", section, flags=re.MULTILINE)
        assert len(kinds) == len(set(kinds)), section.splitlines()[0]
        assert set(kinds) <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_readme_pins_the_released_version_only() -> None:
    text = readme()
    tag = f"v{iaclint.__version__}"
    uses = re.findall(r"uses: iaclint/iaclint@(\S+)", text)
    configs = [yaml.safe_load(block) for block in YAML_BLOCK.findall(text)]
    revs = [
        repo["rev"]
        for config in configs
        if isinstance(config, dict)
        for repo in config.get("repos", [])
        if "iaclint/iaclint" in repo.get("repo", "")
    ]
    pips = re.findall(r"pip install iaclint(\S*)", text)
    assert uses and revs and pips
    assert set(uses) == set(revs) == {tag}
    assert set(pips) == {f"=={iaclint.__version__}"}


def test_hooks_manifest_is_valid_for_pre_commit() -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_an_invalid_manifest_is_refused(tmp_path: Path) -> None:
    # The check above can fail: a hook without its entry is not a manifest.
    (tmp_path / "hooks.yaml").write_text("- id: iaclint\n  name: iaclint\n", encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", "hooks.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert checked.returncode != 0


def git(folder: Path, *arguments: str) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    environment.update(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    done = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *arguments],
        cwd=folder,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def test_pre_commit_autoupdate_moves_the_readme_config_to_the_release_tag(
    tmp_path: Path,
) -> None:
    # A repository with this manifest: a commit, then the release's tag as
    # docs/releasing.md makes it.
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    manifest = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    (hooks / ".pre-commit-hooks.yaml").write_text(manifest, encoding="utf-8")
    git(hooks, "init", "-q")
    git(hooks, "add", ".")
    git(hooks, "commit", "-qm", "before")
    before = git(hooks, "rev-parse", "HEAD")
    (hooks / "CHANGELOG.md").write_text("release\n", encoding="utf-8")
    git(hooks, "add", ".")
    git(hooks, "commit", "-qm", "release")
    tag = f"v{iaclint.__version__}"
    git(hooks, "tag", "-a", tag, "-m", f"iaclint {iaclint.__version__}")
    # The README's configuration, naming that repository at the older commit, with
    # every hook it shows (the commented one too).
    (block,) = [b for b in YAML_BLOCK.findall(readme()) if "rev:" in b and "repos:" in b]
    config = yaml.safe_load(block.replace("# - id:", "- id:"))
    (repo,) = config["repos"]
    assert repo["rev"] == tag
    repo.update(repo=str(hooks), rev=before)
    assert {hook["id"] for hook in repo["hooks"]} == {"iaclint", "iaclint-project"}
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    environment["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "autoupdate"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    updated = yaml.safe_load((project / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert updated["repos"][0]["rev"] == tag


def test_the_action_uses_released_actions() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    uses = [step["uses"] for step in action["runs"]["steps"] if "uses" in step]
    assert uses and all(re.fullmatch(r"[\w-]+/[\w-]+@v\d+", name) for name in uses), uses

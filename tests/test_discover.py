from __future__ import annotations

import os
from pathlib import Path

import pytest

from iaclint.discover import discover


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x: 1\n", encoding="utf-8")


def shown(root: Path, *args: str, exclude: tuple[str, ...] = ()) -> list[str]:
    before = Path.cwd()
    os.chdir(root)
    try:
        return [candidate.shown for candidate in discover(args or (".",), exclude).files]
    finally:
        os.chdir(before)


def test_stable_order_and_suffixes(tmp_path: Path) -> None:
    touch(tmp_path, "b.yaml", "a.json", "sub/c.yml", "sub/d.template", "notes.txt", "A.YAML")
    assert shown(tmp_path) == ["A.YAML", "a.json", "b.yaml", "sub/c.yml", "sub/d.template"]
    assert shown(tmp_path, "sub") == ["sub/c.yml", "sub/d.template"]
    assert shown(tmp_path, "./sub/") == ["sub/c.yml", "sub/d.template"]


def test_skipped_directories(tmp_path: Path) -> None:
    touch(
        tmp_path,
        ".git/config.yaml",
        "node_modules/pkg/package.json",
        ".terraform/modules/modules.json",
        "env/pyvenv.cfg",
        "env/lib/site.yaml",
        "cdk.out/manifest.json",
        "cdk.out/asset.1234/template.json",
        "cdk.out/Stack.template.json",
        "kept/t.yaml",
    )
    assert shown(tmp_path) == [
        "cdk.out/Stack.template.json",
        "cdk.out/manifest.json",
        "kept/t.yaml",
    ]


def test_explicit_files_whatever_their_suffix(tmp_path: Path) -> None:
    touch(tmp_path, "stack.cfn", "b.yaml")
    assert shown(tmp_path, "stack.cfn", "b.yaml", "b.yaml") == ["stack.cfn", "b.yaml"]


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    found = discover([str(tmp_path / "nope.yaml")])
    assert found.files == []
    assert found.diagnostics[0].message == "no such file or directory"


def test_exclude_globs(tmp_path: Path) -> None:
    touch(tmp_path, "a/x.yaml", "b/x.yaml", "b/keep.json")
    assert shown(tmp_path, exclude=("a",)) == ["b/keep.json", "b/x.yaml"]
    assert shown(tmp_path, exclude=("*.yaml",)) == ["b/keep.json"]
    assert shown(tmp_path, exclude=("b/x.yaml",)) == ["a/x.yaml", "b/keep.json"]


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_symlinks_never_leave_the_tree_or_loop(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    touch(outside, "secret.yaml")
    tree = tmp_path / "tree"
    touch(tree, "real.yaml")
    (tree / "link-out.yaml").symlink_to(outside / "secret.yaml")
    (tree / "link-in.yaml").symlink_to(tree / "real.yaml")
    (tree / "loop").symlink_to(tree)
    (tree / "dir-out").symlink_to(outside)
    assert shown(tree) == ["real.yaml"]
    assert shown(tree, "link-in.yaml") == ["link-in.yaml"]  # named explicitly: read


def test_terraform_files_are_found_and_named_files_are_marked(tmp_path: Path) -> None:
    touch(tmp_path, "infra/main.tf", "infra/terraform.tfvars", "infra/.terraform/modules/x/main.tf")
    assert shown(tmp_path) == ["infra/main.tf"]
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        (walked,) = discover(["infra"]).files
        (named,) = discover(["infra/main.tf"]).files
    finally:
        os.chdir(before)
    assert (walked.explicit, named.explicit) == (False, True)

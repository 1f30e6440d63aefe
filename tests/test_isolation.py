"""Nothing is fetched and nothing a user wrote is changed: every kind of run over the
fixtures works with the network cut, and leaves the linted tree byte for byte as it was."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
from pathlib import Path

import pytest

from iaclint.cli import main
from iaclint.report.render import FORMATS

from .conftest import FIXTURES


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise NetworkUsed(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def tree_digest(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    copy = tmp_path / "tree"
    shutil.copytree(FIXTURES, copy, symlinks=True)
    return copy


def run(tree: Path, capsys: pytest.CaptureFixture[str], *args: str) -> int:
    before = Path.cwd()
    os.chdir(tree)
    try:
        code = main(["--color", "never", *args, "."])
    finally:
        os.chdir(before)
    capsys.readouterr()
    return code


def test_every_kind_of_run_works_offline_and_changes_nothing(
    tree: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_network: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IACLINT_CACHE_DIR", str(tmp_path / "cache"))
    before = tree_digest(tree)
    baseline = tmp_path / "baseline.json"
    runs = [
        *(["--no-cache", "--format", name] for name in FORMATS),
        ["--format", "json"],  # fills the cache
        ["--format", "sarif"],  # reads it
        ["--jobs", "2", "--no-cache"],
        ["--write-baseline", str(baseline)],
        ["--baseline", str(baseline)],
        ["--show-unknown", "--select", "secrets"],
    ]
    codes = [run(tree, capsys, *args) for args in runs]
    # Findings everywhere; writing a baseline records them; against it, nothing is new.
    assert codes == [*([1] * len(FORMATS)), 1, 1, 1, 0, 0, 1]
    assert tree_digest(tree) == before
    assert baseline.is_file() and not (tree / "baseline.json").exists()


def test_the_network_really_is_cut(no_network: None) -> None:
    with pytest.raises(NetworkUsed):
        socket.create_connection(("203.0.113.1", 443), timeout=1)
    with pytest.raises(NetworkUsed):
        socket.getaddrinfo("example.com", 443)


def test_nothing_outside_the_linted_tree_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "boot.sh").write_text("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n")
    (outside / "open.yaml").write_text(
        "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
        "      GroupDescription: g\n      SecurityGroupIngress:\n"
        "        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n"
    )
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "main.tf").write_text(
        'resource "aws_instance" "web" {\n  ami       = "ami-1"\n'
        '  user_data = file("../outside/boot.sh")\n'
        '  metadata_options {\n    http_tokens = "required"\n  }\n}\n'
    )
    os.symlink(outside / "open.yaml", tree / "linked.yaml")
    os.symlink(outside, tree / "linked-folder")
    code = run(tree, capsys, "--no-cache", "--show-unknown")
    assert code == 0  # neither the file() read nor the links left the tree
    before = Path.cwd()
    os.chdir(tree)
    try:
        main(["--no-cache", "--show-unknown", "."])
    finally:
        os.chdir(before)
    output = capsys.readouterr().out
    assert "IAC032" not in output and "IAC001" not in output
    assert "AKIA" not in output

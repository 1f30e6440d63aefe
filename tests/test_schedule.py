"""--jobs and the results cache: the same report whatever the jobs, results reused only
while everything they depend on is unchanged, damaged entries never trusted."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import iaclint.cache
import iaclint.file_work
import iaclint.memo
import iaclint.schedule
from iaclint.engine.policy import Policy
from iaclint.findings import Report, Severity
from iaclint.run import Options, lint, prepare
from iaclint.schedule import Scheduler

from .conftest import FIXTURES, ROOT

SSH_OPEN = """\
Resources:
  Open:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
"""

MODULE_CALL = """\
module "web" {
  source = "./modules/web"
  cidr   = var.cidr
}
variable "cidr" {
  default = "10.0.0.0/8"
}
"""

MODULE = """\
variable "cidr" {}
resource "aws_security_group" "this" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}
"""


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("IACLINT_CACHE_DIR", str(folder))
    return folder


class Counted:
    """Counts what is linted afresh (not taken from the cache)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.files: list[str] = []
        self.roots: list[str] = []
        lint_work = iaclint.schedule.lint_work

        def counted_file(work: iaclint.file_work.FileWork, policies: list[Policy]) -> object:
            self.files.append(work.candidate.shown)
            return lint_work(work, policies)

        from iaclint.run_terraform import TerraformSession

        lint_root = TerraformSession.lint_root

        def counted_root(session: TerraformSession, root: object, policies: list[Policy]) -> object:
            self.roots.append(root.shown)  # type: ignore[attr-defined]
            return lint_root(session, root, policies)  # type: ignore[arg-type]

        monkeypatch.setattr(iaclint.schedule, "lint_work", counted_file)
        monkeypatch.setattr(TerraformSession, "lint_root", counted_root)

    def reset(self) -> None:
        self.files.clear()
        self.roots.clear()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counted:
    return Counted(monkeypatch)


def run(paths: list[Path], **options: object) -> Report:
    chosen = Options(paths=tuple(str(p) for p in paths), **options)  # type: ignore[arg-type]
    prepared = prepare(chosen)
    assert prepared.errors == []
    return lint(chosen, prepared.policies, prepared.diagnostics)


def cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "iaclint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


# -- --jobs ---------------------------------------------------------------------------


@pytest.mark.parametrize("format_name", ["text", "json", "sarif", "github", "rdjson"])
def test_every_format_is_byte_identical_whatever_the_jobs(format_name: str) -> None:
    args = ["--no-cache", "--color", "never", "--format", format_name, "fixtures"]
    one = cli("--jobs", "1", *args)
    assert one == cli("--jobs", "2", *args)
    assert one == cli("--jobs", "3", *args)


def test_enough_inputs_are_spread_over_worker_processes(
    monkeypatch: pytest.MonkeyPatch, cache_dir: Path
) -> None:
    used: list[int] = []
    in_workers = Scheduler._in_workers

    def spy(self: Scheduler, jobs: int, *rest: Any) -> None:
        used.append(jobs)
        in_workers(self, jobs, *rest)

    monkeypatch.setattr(Scheduler, "_in_workers", spy)
    parallel = run([FIXTURES / "policies"], jobs=2, use_cache=False)
    assert used == [2]
    alone = run([FIXTURES / "policies"], jobs=1, use_cache=False)
    assert parallel == alone


@pytest.mark.parametrize("use_cache", [True, False])
def test_parse_tables_a_run_must_make_are_made_once_before_the_workers_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_dir: Path, use_cache: bool
) -> None:
    # As when the installed python-hcl2 is not the one the package's tables were built
    # from, with an empty cache (a fresh CI job): each worker must not make them anew.
    from iaclint.parse.hcl import grammar

    monkeypatch.setattr(grammar, "BUNDLED", tmp_path / "not-built.pickle")
    grammar.hcl_parser.cache_clear()
    made_in = tmp_path / "made-in"
    made = grammar._made

    def counted(text: str) -> object:
        with made_in.open("a", encoding="utf-8") as stream:
            stream.write(f"{os.getpid()}\n")
        return made(text)

    monkeypatch.setattr(grammar, "_made", counted)
    for index in range(8):
        write_root(tmp_path / "live" / f"r{index}")
    try:
        report = run([tmp_path / "live"], jobs=2, use_cache=use_cache)
    finally:
        grammar.hcl_parser.cache_clear()
    assert len(report.findings) == 8
    assert made_in.read_text(encoding="utf-8").split() == [str(os.getpid())]


def write_root(folder: Path) -> None:
    (folder / "modules" / "web").mkdir(parents=True)
    (folder / "main.tf").write_text(MODULE_CALL.replace("10.0.0.0/8", "0.0.0.0/0"))
    (folder / "modules" / "web" / "main.tf").write_text(MODULE)


def test_files_are_handed_out_heaviest_first_in_parts_of_about_equal_weight() -> None:
    weights = {0: 10, 1: 500, 2: 20, 3: 30, 4: 480, 5: 40, 6: 15, 7: 5}
    parts = iaclint.schedule._balanced_parts(list(weights), weights, 4)
    assert parts == [[1], [4], [5, 3, 2, 6, 0, 7]]
    assert sorted(i for part in parts for i in part) == list(weights)
    # Equal weights: parts of equal length, every file in exactly one.
    even = iaclint.schedule._balanced_parts(list(range(10)), dict.fromkeys(range(10), 1), 5)
    assert [len(part) for part in even] == [2, 2, 2, 2, 2]


def test_a_few_inputs_are_linted_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_dir: Path
) -> None:
    monkeypatch.setattr(Scheduler, "_in_workers", None)  # calling it would raise
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(SSH_OPEN, encoding="utf-8")
    report = run([tmp_path], jobs=4, use_cache=False)
    assert len(report.findings) == 2


# -- the results cache --------------------------------------------------------------


def test_unchanged_templates_are_not_linted_again(
    tmp_path: Path, cache_dir: Path, counted: Counted
) -> None:
    (tmp_path / "a.yaml").write_text(SSH_OPEN, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(SSH_OPEN, encoding="utf-8")
    first = run([tmp_path])
    assert sorted(counted.files) == [f"{tmp_path}/a.yaml", f"{tmp_path}/b.yaml"]
    counted.reset()
    again = run([tmp_path])
    assert counted.files == []
    assert again == first
    assert [f.resource for f in again.findings] == ["Open", "Open"]


def test_a_changed_template_is_linted_again(
    tmp_path: Path, cache_dir: Path, counted: Counted
) -> None:
    template = tmp_path / "a.yaml"
    template.write_text(SSH_OPEN, encoding="utf-8")
    run([tmp_path])
    template.write_text(SSH_OPEN.replace("0.0.0.0/0", "10.0.0.0/8"), encoding="utf-8")
    counted.reset()
    assert run([tmp_path]).findings == ()
    assert counted.files == [f"{tmp_path}/a.yaml"]


@pytest.mark.parametrize(
    "change",
    [
        {"severity": {"IAC001": Severity.LOW}},
        {"select": ("IAC001",)},
        {"parameters": {"IAC002": {"allowed_ports": [80]}}},
    ],
    ids=["severity", "policy set", "parameters"],
)
def test_other_policies_or_settings_do_not_reuse_results(
    tmp_path: Path, cache_dir: Path, counted: Counted, change: dict[str, object]
) -> None:
    (tmp_path / "a.yaml").write_text(SSH_OPEN, encoding="utf-8")
    run([tmp_path])
    counted.reset()
    report = run([tmp_path], **change)
    assert counted.files == [f"{tmp_path}/a.yaml"]
    if "severity" in change:
        assert [f.severity for f in report.findings] == [Severity.LOW]


def test_another_version_of_the_code_does_not_reuse_results(
    tmp_path: Path, cache_dir: Path, counted: Counted, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.yaml").write_text(SSH_OPEN, encoding="utf-8")
    run([tmp_path])
    monkeypatch.setattr(iaclint.memo, "code_fingerprint", lambda: "an edited checkout")
    counted.reset()
    run([tmp_path])
    assert counted.files == [f"{tmp_path}/a.yaml"]


def write_module(root: Path) -> None:
    (root / "modules" / "web").mkdir(parents=True)
    (root / "main.tf").write_text(MODULE_CALL, encoding="utf-8")
    (root / "modules" / "web" / "main.tf").write_text(MODULE, encoding="utf-8")


def test_a_root_module_is_reused_until_a_file_it_read_changes(
    tmp_path: Path, cache_dir: Path, counted: Counted
) -> None:
    write_module(tmp_path)
    root = str(tmp_path)
    module_root = f"{root}/modules/web"  # walked, it is a root module of its own too
    assert run([tmp_path]).findings == ()
    assert counted.roots == [root, module_root]
    counted.reset()
    assert run([tmp_path]).findings == ()
    assert counted.roots == []
    # A variable file appearing in the root changes the module's inputs.
    (tmp_path / "open.auto.tfvars").write_text('cidr = "0.0.0.0/0"\n', encoding="utf-8")
    opened = run([tmp_path])
    assert counted.roots == [root]
    # Reported where the module is called with the open value (what a person changes).
    assert [f.span.file for f in opened.findings] == [f"{root}/main.tf"]
    # A change inside the called module, not in the root's own directory.
    counted.reset()
    module = tmp_path / "modules" / "web" / "main.tf"
    module.write_text(MODULE.replace("22", "3306"), encoding="utf-8")
    assert [f.policy_id for f in run([tmp_path]).findings] == ["IAC002"]
    assert counted.roots == [root, module_root]


def test_var_files_are_part_of_the_key(tmp_path: Path, cache_dir: Path, counted: Counted) -> None:
    write_module(tmp_path / "infra")
    values = tmp_path / "prod.tfvars"
    values.write_text('cidr = "10.1.0.0/16"\n', encoding="utf-8")
    run([tmp_path / "infra"], var_files=(values,))
    values.write_text('cidr = "0.0.0.0/0"\n', encoding="utf-8")
    counted.reset()
    report = run([tmp_path / "infra"], var_files=(values,))
    infra = str(tmp_path / "infra")
    assert counted.roots == [infra, f"{infra}/modules/web"]
    # The var file feeds every root: the call in infra/ and the module linted on its own.
    assert [(f.policy_id, f.span.file) for f in report.findings] == [
        ("IAC001", f"{infra}/main.tf"),
        ("IAC001", f"{infra}/modules/web/main.tf"),
    ]


def packs(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "results").glob("pack-*"))


def pack_entries(path: Path) -> dict[str, bytes]:
    payload = iaclint.cache.unsealed(iaclint.memo.HEADER, path.read_bytes())
    assert payload is not None
    entries = pickle.loads(payload)
    assert isinstance(entries, dict)
    return entries


def test_results_kept_by_worker_processes_are_reused_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_dir: Path, counted: Counted
) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    for index in range(12):
        (tree / f"t{index}.yaml").write_text(SSH_OPEN, encoding="utf-8")
    first = run([tree], jobs=2)
    assert len(first.findings) == 12
    # One entry per template linted by a worker process, one pack per shard of keys.
    written = packs(cache_dir)
    keys = [key for pack in written for key in pack_entries(pack)]
    assert len(keys) == 12
    assert len(written) == len({key[0] for key in keys})
    assert all(
        pack.name.startswith(f"pack-{key[0]}-") for pack in written for key in pack_entries(pack)
    )
    assert sorted((cache_dir / "results").iterdir()) == written
    monkeypatch.setattr(Scheduler, "_in_workers", None)  # nothing is left to hand out
    assert run([tree], jobs=2) == first
    assert counted.files == []
    assert packs(cache_dir) == written  # nothing new to keep


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),
        lambda data: b"not a cache entry at all",
        lambda data: b"",
    ],
    ids=["truncated", "one bit flipped", "foreign", "empty"],
)
def test_a_damaged_pack_is_discarded_and_its_files_linted_again(
    tmp_path: Path, cache_dir: Path, counted: Counted, damage: object
) -> None:
    (tmp_path / "a.yaml").write_text(SSH_OPEN, encoding="utf-8")
    first = run([tmp_path])
    [pack] = packs(cache_dir)
    pack.write_bytes(damage(pack.read_bytes()))  # type: ignore[operator]
    counted.reset()
    assert run([tmp_path]) == first
    assert counted.files == [f"{tmp_path}/a.yaml"]
    [rewritten] = packs(cache_dir)
    assert rewritten != pack  # the damaged pack deleted, a new one written
    assert rewritten.read_bytes().startswith(iaclint.memo.HEADER)


def test_an_intact_entry_of_the_wrong_kind_is_not_trusted(
    tmp_path: Path, cache_dir: Path, counted: Counted
) -> None:
    (tmp_path / "a.yaml").write_text(SSH_OPEN, encoding="utf-8")
    first = run([tmp_path])
    [key] = pack_entries(packs(cache_dir)[0])
    policies = prepare(Options()).policies
    forger = iaclint.memo.ResultCache(policies)
    forger.store(key, {"findings": "forged"})
    forger.flush()
    assert len(packs(cache_dir)) == 2  # the newer pack's value wins
    counted.reset()
    assert run([tmp_path]) == first
    assert counted.files == [f"{tmp_path}/a.yaml"]


def test_packs_are_merged_into_one_when_a_shard_has_too_many(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policies = prepare(Options()).policies
    for round_ in range(iaclint.memo.MAX_PACKS):
        writer = iaclint.memo.ResultCache(policies)
        writer.store(f"a{round_}", {"round": round_})  # all in shard "a"
        writer.store(f"b{round_}", {"round": round_})
        writer.flush()
    assert len(packs(cache_dir)) == 2 * iaclint.memo.MAX_PACKS
    # The next run to keep something in shard "a" merges it: its entries and every pack's.
    merger = iaclint.memo.ResultCache(policies)
    assert merger.load("a0") == {"round": 0}
    merger.store("anew", {"round": "new"})
    merger.flush()
    shard_a = [pack for pack in packs(cache_dir) if pack.name.startswith("pack-a-")]
    [merged] = shard_a
    assert len(pack_entries(merged)) == iaclint.memo.MAX_PACKS + 1
    assert len(packs(cache_dir)) == 1 + iaclint.memo.MAX_PACKS  # shard "b" untouched
    reader = iaclint.memo.ResultCache(policies)
    assert reader.load("anew") == {"round": "new"}
    assert reader.load("a0") == {"round": 0}
    assert reader.load("b0") == {"round": 0}


def test_a_merge_keeps_the_newest_entries_up_to_the_size_limit(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policies = prepare(Options()).policies
    monkeypatch.setattr(iaclint.memo, "MAX_PACKS", 2)
    for round_ in range(2):
        writer = iaclint.memo.ResultCache(policies)
        writer.store(f"c{round_}", "x" * 1000)
        writer.flush()
    monkeypatch.setattr(iaclint.memo, "MAX_BYTES", 2500)  # room for two entries
    merger = iaclint.memo.ResultCache(policies)
    merger.store("cnew", "y" * 1000)
    merger.flush()
    reader = iaclint.memo.ResultCache(policies)
    assert reader.load("cnew") == "y" * 1000
    assert reader.load("c1") == "x" * 1000
    assert reader.load("c0") is None  # the oldest, dropped
    assert len(packs(cache_dir)) == 1


def test_a_lookup_reads_only_the_packs_of_its_shard(cache_dir: Path) -> None:
    policies = prepare(Options()).policies
    writer = iaclint.memo.ResultCache(policies)
    writer.store("d1", 1)
    writer.store("e1", 2)
    writer.flush()
    for pack in packs(cache_dir):
        if pack.name.startswith("pack-e-"):
            pack.write_bytes(b"damaged")  # deleted if it were read
    reader = iaclint.memo.ResultCache(policies)
    assert reader.load("d1") == 1
    assert len(packs(cache_dir)) == 2  # shard "e" was never read
    assert reader.load("e1") is None
    assert len(packs(cache_dir)) == 1


def test_a_pack_deleted_by_another_run_is_a_miss(cache_dir: Path) -> None:
    policies = prepare(Options()).policies
    writer = iaclint.memo.ResultCache(policies)
    writer.store(writer.entry(b"a"), 1)
    writer.flush()
    [pack] = packs(cache_dir)
    pack.unlink()  # as a merging run does
    reader = iaclint.memo.ResultCache(policies)
    assert reader.load(reader.entry(b"a")) is None


def test_no_cache_reads_and_writes_nothing(
    tmp_path: Path, cache_dir: Path, counted: Counted
) -> None:
    (tmp_path / "a.yaml").write_text(SSH_OPEN, encoding="utf-8")
    run([tmp_path], use_cache=False)
    run([tmp_path], use_cache=False)
    assert counted.files == [f"{tmp_path}/a.yaml"] * 2
    assert not (cache_dir / "results").exists()


def test_concurrent_runs_share_one_cache_safely(tmp_path: Path) -> None:
    for index in range(12):
        (tmp_path / f"t{index}.yaml").write_text(SSH_OPEN, encoding="utf-8")
    env = {"IACLINT_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "iaclint", "--format", "json", "--jobs", "2", "."]
    runs = [
        subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outputs = [process.communicate()[0] for process in runs]
    assert all(process.returncode == 1 for process in runs)
    assert len(set(outputs)) == 1
    assert outputs[0] == cli("--format", "json", "--no-cache", ".", cwd=tmp_path)
    leftovers = list((tmp_path / "cache").rglob(".tmp-*"))
    assert leftovers == []


def test_every_entry_stored_is_there_after_flush_one_pack_per_shard(cache_dir: Path) -> None:
    policies = prepare(Options()).policies
    cache = iaclint.memo.ResultCache(policies)
    stored = {cache.entry(str(i).encode()): {"value": i} for i in range(200)}
    for entry, value in stored.items():
        cache.store(entry, value)
    cache.flush()
    written = packs(cache_dir)
    assert len(written) == 16  # one per shard: 200 keys fill all 16
    assert {key for pack in written for key in pack_entries(pack)} == set(stored)
    assert not list((cache_dir / "results").glob(".tmp-*"))  # every temporary renamed
    reader = iaclint.memo.ResultCache(policies)
    assert all(reader.load(entry) == value for entry, value in stored.items())
    cache.flush()  # nothing new: writes nothing
    assert packs(cache_dir) == written


def test_a_cache_that_cannot_be_written_does_not_stop_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("IACLINT_CACHE_DIR", str(blocker))
    (tmp_path / "a.yaml").write_text(SSH_OPEN, encoding="utf-8")
    report = run([tmp_path / "a.yaml"])
    assert [finding.policy_id for finding in report.findings] == ["IAC001"]

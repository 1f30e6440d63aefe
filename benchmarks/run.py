"""Benchmark iaclint against Checkov, in one run, and print medians, memory and ratios.

    python benchmarks/run.py                 # everything (Checkov is installed on first use)
    python benchmarks/run.py --runs 5        # more runs per side
    python benchmarks/run.py --only small    # workloads whose name contains "small"
    python benchmarks/run.py --no-checkov    # iaclint only: floors and stress curves

iaclint runs cold: its results cache is emptied before every run, so each does the
whole work (compiled policies and the HCL grammar stay cached, as installed state);
a second line shows the corpus with the results cache warm. iaclint is measured as
users get it: this checkout installed with `pip install .` into a virtualenv of its
own (bytecode compiled, no editable-install hook). Every measurement is a
whole process (start-up included), timed from outside, its peak memory read from
the kernel for that process alone (`wait4`). iaclint and Checkov alternate A B A B
after one warm-up each, and the median of each side is reported. Checkov runs
offline (`--skip-download`), restricted to the framework of the workload, in its
own virtualenv (created on first use under $IACLINT_BENCH_DIR or
~/.cache/iaclint-bench). The corpus defaults to ../shared/corpus beside the
repository (`--corpus` to change it).

Targets: one small file >= 20x faster than Checkov, and a small SAM file within 1.25x
of a small plain template; the CloudFormation
corpus >= 25x; the Terraform corpus >= 50x; a whole lint <= 2x the parse-only floor
of iaclint's own readers; peak memory <= half of Checkov's on every workload; the
stress templates' time growing about linearly with their size.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
CHECKOV_VERSION = "3.3.30"


class Sample(NamedTuple):
    seconds: float
    peak_mib: float
    exit_code: int


class Workload(NamedTuple):
    name: str
    iaclint: list[str]
    checkov: list[str] | None
    speed_target: float | None
    floor: list[str] | None = None  # parse-only command: lint must stay <= 2x of it
    # (workload, ratio): this one must take at most `ratio` times that one's time.
    within: tuple[str, float] | None = None


# iaclint's cache directory during the benchmark: compiled policies and the HCL
# grammar stay in it (installed state, like Checkov's own); results are forgotten
# before every cold run, so each does the whole work.
BENCH_CACHE = Path(tempfile.mkdtemp(prefix="iaclint-bench-cache-"))
atexit.register(shutil.rmtree, BENCH_CACHE, True)


def forget_results() -> None:
    """Move the results aside rather than delete them: deleting hundreds of files
    can keep the disk busy into the next measured run, which is no part of
    iaclint's work. They are deleted when the benchmark ends."""
    results = BENCH_CACHE / "results"
    if results.exists():
        results.rename(BENCH_CACHE / f"forgotten-{time.monotonic_ns()}")


# Exit codes of a run that did its work: 0 (nothing found) or 1 (findings). Any
# other from iaclint (2: errors in the input or the policies) means the timing is
# not of the work being compared, and the benchmark stops. Checkov's exit code is
# reported beside its time instead: it is what its users get (it exits 2 when one
# template makes it crash, and its report is lost).
COMPLETED = (0, 1)


def measure(command: Sequence[str], cwd: Path, cold: bool = False, strict: bool = True) -> Sample:
    """Run one whole process; its wall time and its own peak resident memory.
    `strict`: a run that does not complete stops the benchmark."""
    if cold:
        forget_results()
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if strict and process.returncode not in COMPLETED:
            errors.seek(0)
            sys.exit(
                f"{' '.join(command)}\nexited {process.returncode}, not 0 or 1; "
                f"its last error output:\n{errors.read()[-2000:].decode(errors='replace')}"
            )
    return Sample(seconds, usage.ru_maxrss / 1024, process.returncode)


def median(samples: list[Sample]) -> Sample:
    return Sample(
        statistics.median(sample.seconds for sample in samples),
        statistics.median(sample.peak_mib for sample in samples),
        max(sample.exit_code for sample in samples),
    )


def alternate(
    first: Sequence[str], second: Sequence[str], runs: int, cwd: Path
) -> tuple[Sample, Sample]:
    """iaclint (cold results) and Checkov, A B A B after a warm-up of each."""
    measure(first, cwd, cold=True)  # warm-up: files in the page cache, caches filled
    measure(second, cwd, strict=False)
    a: list[Sample] = []
    b: list[Sample] = []
    for _ in range(runs):
        a.append(measure(first, cwd, cold=True))
        b.append(measure(second, cwd, strict=False))
    return median(a), median(b)


def repeated(command: Sequence[str], runs: int, cwd: Path, cold: bool = False) -> Sample:
    measure(command, cwd, cold)
    return median([measure(command, cwd, cold) for _ in range(runs)])


def checkov_executable() -> Path:
    base = Path(os.environ.get("IACLINT_BENCH_DIR", Path.home() / ".cache" / "iaclint-bench"))
    venv = base / f"checkov-{CHECKOV_VERSION}"
    executable = venv / "bin" / "checkov"
    if not executable.exists():
        print(f"installing Checkov {CHECKOV_VERSION} into {venv} (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", f"checkov=={CHECKOV_VERSION}"],
            check=True,
        )
    return executable


def console_script(python: str) -> str:
    """The installed `iaclint` command beside `python`: run as users and pre-commit run it."""
    return str(Path(python).parent / "iaclint")


def workloads(python: str, corpus: Path, checkov: Path | None) -> list[Workload]:
    # Measured cold (results forgotten before each run, see BENCH_CACHE): the whole
    # work every time. The warm cache is shown on a line of its own.
    iaclint = [console_script(python), "--format", "json"]
    parse = [python, str(HERE / "parse_only.py")]

    def ck(target: Path, framework: str, single: bool = False) -> list[str] | None:
        if checkov is None:
            return None
        where = ["-f", str(target)] if single else ["-d", str(target)]
        return [
            str(checkov),
            *where,
            "--framework",
            framework,
            "--skip-download",
            "--quiet",
            "--compact",
        ]

    small_cfn = HERE / "workloads" / "small.yaml"
    small_tf = HERE / "workloads" / "small-tf" / "main.tf"
    small_sam = HERE / "workloads" / "small-sam.yaml"
    cfn = corpus / "cloudformation"
    tf = corpus / "terraform"
    return [
        Workload(
            "small CloudFormation file",
            [*iaclint, str(small_cfn)],
            ck(small_cfn, "cloudformation", True),
            20,
        ),
        Workload(
            "small Terraform file", [*iaclint, str(small_tf)], ck(small_tf, "terraform", True), 20
        ),
        # SAM is expanded by iaclint itself: a serverless template lints in about the
        # time of a plain one (AWS's translator would cost its import alone, ~1.5 s).
        Workload(
            "small SAM file",
            [*iaclint, str(small_sam)],
            ck(small_sam, "cloudformation", True),
            20,
            within=("small CloudFormation file", 1.25),
        ),
        Workload(
            "CloudFormation corpus",
            [*iaclint, str(cfn)],
            ck(cfn, "cloudformation"),
            25,
            [*parse, str(cfn)],
        ),
        Workload(
            "Terraform corpus", [*iaclint, str(tf)], ck(tf, "terraform"), 50, [*parse, str(tf)]
        ),
    ]


# -- stress: generated inputs of growing size -------------------------------------


def many_resources(size: int) -> dict[str, str]:
    resources = {}
    for index in range(size):
        resources[f"Group{index}"] = {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": f"group {index}",
                "SecurityGroupIngress": [
                    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.0.0.0/8"},
                    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"},
                ],
            },
        }
        resources[f"Server{index}"] = {
            "Type": "AWS::EC2::Instance",
            "Properties": {
                "ImageId": "ami-0123456789abcdef0",
                "MetadataOptions": {"HttpTokens": "required"},
            },
        }
    return {
        "template.json": json.dumps(
            {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
        )
    }


def many_conditions(size: int) -> dict[str, str]:
    """`size` conditions; each resource nests Fn::If five deep over its own conditions."""
    conditions = {f"C{i}": {"Fn::Equals": [{"Ref": f"P{i}"}, "yes"]} for i in range(size)}
    parameters = {f"P{i}": {"Type": "String", "Default": "no"} for i in range(size)}
    resources = {}
    for index in range(size):
        value: object = "10.0.0.0/8"
        for depth in range(5):
            value = {"Fn::If": [f"C{(index + depth) % size}", "0.0.0.0/0", value]}
        resources[f"Group{index}"] = {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": "g",
                "SecurityGroupIngress": [
                    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": value}
                ],
            },
        }
    body = {"Parameters": parameters, "Conditions": conditions, "Resources": resources}
    return {"template.json": json.dumps({"AWSTemplateFormatVersion": "2010-09-09", **body})}


def large_for_each(size: int) -> dict[str, str]:
    entries = "\n".join(
        f'    rule{i} = {{ port = {1000 + i}, cidr = "10.{i % 250}.0.0/16" }}' for i in range(size)
    )
    return {
        "main.tf": f"""locals {{
  rules = {{
{entries}
  }}
}}

resource "aws_security_group" "each" {{
  for_each = local.rules
  name     = each.key
  ingress {{
    protocol    = "tcp"
    from_port   = each.value.port
    to_port     = each.value.port
    cidr_blocks = [each.value.cidr]
  }}
}}
"""
    }


STRESS: list[tuple[str, Callable[[int], dict[str, str]], tuple[int, ...]]] = [
    ("CloudFormation, resources", many_resources, (250, 500, 1000, 2000)),
    ("CloudFormation, Fn::If conditions", many_conditions, (100, 200, 400, 800)),
    ("Terraform, for_each entries", large_for_each, (250, 500, 1000, 2000)),
]


def stress(python: str, runs: int) -> list[str]:
    lines = [
        "",
        f"Stress: size vs time (iaclint, median of {runs}); growth per doubling ~2.0 is linear",
    ]
    for title, generate, sizes in STRESS:
        lines.append(f"  {title}")
        previous: float | None = None
        for size in sizes:
            with tempfile.TemporaryDirectory() as folder:
                for name, text in generate(size).items():
                    (Path(folder) / name).write_text(text, encoding="utf-8")
                sample = repeated(
                    [console_script(python), "--format", "json", folder],
                    runs,
                    ROOT,
                    cold=True,
                )
            growth = f"x{sample.seconds / previous:.2f}" if previous else ""
            lines.append(
                f"    {size:>6}  {sample.seconds:7.3f} s  {sample.peak_mib:6.1f} MiB  {growth}"
            )
            previous = sample.seconds
    return lines


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def checkout_copy() -> Path:
    """The checkout's own files (tracked, or new and not ignored) copied aside: pip
    builds in the source tree, and a stale `build/` left there by an earlier install
    would be installed along (an old policy file in it once made every run exit 2)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
    )
    if listed.returncode != 0:
        sys.exit(
            f"the benchmark installs this checkout's files; git could not list them:\n"
            f"{listed.stderr.decode(errors='replace')}"
        )
    copy = Path(tempfile.mkdtemp(prefix="iaclint-bench-src-"))
    atexit.register(shutil.rmtree, copy, True)
    for name in listed.stdout.decode().split("\0"):
        source = ROOT / name
        if name and source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    return copy


def install_iaclint() -> str:
    """This checkout installed as a user installs it (`pip install .`, bytecode
    compiled, no editable-install hook), in a virtualenv of its own for this run.
    Returns that environment's Python."""
    venv = Path(tempfile.mkdtemp(prefix="iaclint-bench-venv-"))
    atexit.register(shutil.rmtree, venv, True)
    print("installing this checkout of iaclint into a fresh virtualenv ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    source = checkout_copy()
    installed = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source)],
        capture_output=True,
        text=True,
    )
    if installed.returncode != 0:
        sys.exit(f"pip could not install iaclint:\n{installed.stdout}{installed.stderr}")
    return python


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="measured runs per side (default 3)")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument(
        "--only", action="append", default=[], help="run workloads whose name contains this"
    )
    parser.add_argument(
        "--no-checkov", action="store_true", help="skip Checkov (floors and stress only)"
    )
    parser.add_argument("--no-stress", action="store_true", help="skip the stress curves")
    args = parser.parse_args(argv)
    os.environ["IACLINT_CACHE_DIR"] = str(BENCH_CACHE)
    python = install_iaclint()

    checkov = None if args.no_checkov else checkov_executable()
    chosen = [
        w
        for w in workloads(python, args.corpus, checkov)
        if not args.only or any(o in w.name for o in args.only)
    ]
    header = (
        f"{'workload':<28}{'iaclint':>10}{'checkov':>10}{'speed-up':>10}"
        f"  {'mem iaclint':>12}{'mem checkov':>12}{'mem ratio':>10}"
    )
    lines = [f"iaclint benchmark, {args.runs} runs per side, medians", header]
    notes = []
    seconds: dict[str, float] = {}
    for workload in chosen:
        if workload.checkov is not None:
            ours, theirs = alternate(workload.iaclint, workload.checkov, args.runs, ROOT)
            speed = theirs.seconds / ours.seconds
            memory = ours.peak_mib / theirs.peak_mib
            lines.append(
                f"{workload.name:<28}{ours.seconds:>9.3f}s{theirs.seconds:>9.3f}s{speed:>9.1f}x"
                f"  {ours.peak_mib:>9.1f}MiB{theirs.peak_mib:>9.1f}MiB{memory:>10.2f}"
            )
            target = workload.speed_target
            assert target is not None
            notes.append(
                f"  {workload.name}: speed-up >= {target:g}x {verdict(speed >= target)};"
                f" memory <= half {verdict(memory <= 0.5)}"
            )
            if theirs.exit_code not in COMPLETED:
                notes.append(
                    f"    (Checkov exited {theirs.exit_code} on this workload: it stopped on an"
                    " error and its report was lost; its time is until then)"
                )
        else:
            ours = repeated(workload.iaclint, args.runs, ROOT, cold=True)
            lines.append(
                f"{workload.name:<28}{ours.seconds:>9.3f}s{'-':>10}{'-':>10}"
                f"  {ours.peak_mib:>9.1f}MiB"
            )
        seconds[workload.name] = ours.seconds
        if workload.within is not None and workload.within[0] in seconds:
            other, limit = workload.within
            ratio = ours.seconds / seconds[other]
            notes.append(
                f"  {workload.name}: <= {limit:g}x the {other} {verdict(ratio <= limit)}"
                f" ({ratio:.2f})"
            )
        if workload.floor is not None:
            warm = repeated(workload.iaclint, args.runs, ROOT)
            lines.append(
                f"{'  iaclint, warm caches':<28}{warm.seconds:>9.3f}s"
                "   (results of unchanged files reused)"
            )
            floor = repeated(workload.floor, args.runs, ROOT)
            ratio = ours.seconds / floor.seconds
            lines.append(
                f"{'  parse-only floor':<28}{floor.seconds:>9.3f}s   lint / floor = {ratio:.2f}"
            )
            notes.append(
                f"  {workload.name}: whole lint <= 2x parse-only floor"
                f" {verdict(ratio <= 2.0)} ({ratio:.2f})"
            )
    if not args.no_stress:
        lines.extend(stress(python, args.runs))
    lines.append("")
    lines.append("Targets:")
    lines.extend(notes)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Hostile inputs: how long iaclint takes, and how much memory, to finish or refuse them.

    python benchmarks/hostile.py

Each input is generated in a temporary folder and linted by a whole `iaclint`
process beside a small template with a known finding (which must still be
reported); its wall time and peak memory (from the kernel, `wait4`) are printed
with the exit code and the first error line. The bounds stated in the README
("Limits") come from this script.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

GOOD = """\
Resources:
  Open:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
"""
HEADER = "AWSTemplateFormatVersion: '2010-09-09'\n"
DEPTH = 10_000


def alias_bomb(folder: Path) -> Path:
    lines = [HEADER.rstrip(), "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    lines += [
        "Resources:",
        "  T:",
        "    Type: AWS::SNS::Topic",
        "    Properties:",
        "      Tags: *a9",
    ]
    path = folder / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def deep_json(folder: Path) -> Path:
    path = folder / "deep.json"
    nested = "[" * DEPTH + "]" * DEPTH
    path.write_text(
        '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"T": {"Type": '
        f'"AWS::SNS::Topic", "Properties": {{"X": {nested}}}}}}}}}',
        encoding="utf-8",
    )
    return path


def deep_yaml(folder: Path) -> Path:
    path = folder / "deep.yaml"
    path.write_text(
        HEADER + "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n"
        f"      X: {'[' * DEPTH}{']' * DEPTH}\n",
        encoding="utf-8",
    )
    return path


def deep_hcl(folder: Path) -> Path:
    module = folder / "deep-tf"
    module.mkdir()
    (module / "main.tf").write_text(
        f"locals {{\n  x = {'[' * DEPTH}{']' * DEPTH}\n}}\n", encoding="utf-8"
    )
    return module


def resources_until(path: Path, limit: int, resource: Callable[[int], str]) -> Path:
    """A template of resources `resource(0)`, `resource(1)`, ... until `limit` bytes."""
    with path.open("w", encoding="utf-8") as stream:
        stream.write(HEADER + "Resources:\n")
        index = 0
        while stream.tell() < limit:
            stream.write(resource(index))
            index += 1
    return path


def template_of(megabytes: float) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        return resources_until(
            folder / f"big-{megabytes:g}mb.yaml",
            int(megabytes * 1024 * 1024),
            lambda index: (
                f"  Topic{index}:\n    Type: AWS::SNS::Topic\n    Properties:\n"
                f"      KmsMasterKeyId: alias/aws/sns\n      TopicName: t{index}{'x' * 200}\n"
            ),
        )

    return make


def densest_template(folder: Path) -> Path:
    """Just under the 2 MB limit, packed with small security groups that each have a
    rule (about 10,000 resources; CloudFormation accepts 500): the worst case read."""
    return resources_until(
        folder / "densest.yaml",
        2 * 1024 * 1024 - 4096,
        lambda index: (
            f"  Web{index}:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
            "      GroupDescription: web\n      SecurityGroupIngress:\n"
            "        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}\n"
        ),
    )


def long_line(folder: Path) -> Path:
    path = folder / "long-line.yaml"
    path.write_text(
        HEADER + f"Description: {'y' * 1_900_000}\nResources:\n"
        "  T: {Type: AWS::SNS::Topic, Properties: {KmsMasterKeyId: alias/aws/sns}}\n",
        encoding="utf-8",
    )
    return path


# Modules beside this one with inputs of their own (INPUTS, and BASELINES given with
# --baseline).
MORE = ("hostile_cfn", "hostile_terraform")

INPUTS: list[tuple[str, Callable[[Path], Path]]] = [
    ("YAML alias bomb (10^10 values)", alias_bomb),
    (f"JSON nested {DEPTH:,} deep", deep_json),
    (f"YAML nested {DEPTH:,} deep", deep_yaml),
    (f"HCL nested {DEPTH:,} deep", deep_hcl),
    ("1.9 MB template (under the limit)", template_of(1.9)),
    ("2 MB of security groups", densest_template),
    ("50 MB template", template_of(50)),
    ("1,900,000-character line", long_line),
]


def measure(arguments: list[str], scratch: Path) -> tuple[float, float, int, str]:
    """Seconds, peak MB, exit code and output of one whole iaclint process."""
    log = scratch / "output.txt"
    with log.open("w", encoding="utf-8") as stream:
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "iaclint", "--no-cache", "--jobs", "1", *arguments],
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, process.returncode, log.read_text(encoding="utf-8")


def _sibling(name: str) -> ModuleType | None:
    """A module of more inputs beside this file (loaded by path: this file is also
    loaded by path, by the tests)."""
    path = Path(__file__).with_name(f"{name}.py")
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def every_input() -> list[tuple[str, Callable[[Path], Path], str | None]]:
    """Each input's label, generator, and the option it is given with: None for a
    path to lint, `--baseline`, or `--var-file` (the root module it is for is the
    folder `root` beside it)."""
    rows: list[tuple[str, Callable[[Path], Path], str | None]] = [
        (label, make, None) for label, make in INPUTS
    ]
    for name in MORE:
        module = _sibling(name)
        if module is None:
            continue
        inputs = getattr(module, "INPUTS", [])
        var_files = set(getattr(module, "VAR_FILES", ()))
        for label, make in inputs.items() if isinstance(inputs, dict) else inputs:
            rows.append((label, make, "--var-file" if label in var_files else None))
        rows += [(label, make, "--baseline") for label, make in getattr(module, "BASELINES", [])]
    return rows


def main() -> None:
    print(f"{'input':<38} {'seconds':>8} {'peak MB':>8} {'exit':>5}  outcome")
    with tempfile.TemporaryDirectory() as scratch:
        for number, (label, make, option) in enumerate(every_input()):
            folder = Path(scratch) / f"input-{number}"
            folder.mkdir()
            good = folder / "good.yaml"
            good.write_text(GOOD, encoding="utf-8")
            hostile = make(folder)
            arguments = [str(hostile), str(good)]
            if option == "--baseline":
                arguments = ["--baseline", *arguments]
            elif option == "--var-file":
                arguments = ["--var-file", str(hostile), str(hostile.parent / "root"), str(good)]
            try:
                seconds, peak, code, output = measure(arguments, Path(scratch))
            finally:
                for path in (folder, *folder.rglob("*")):
                    if path.is_dir():
                        path.chmod(0o700)  # an input no one may enter is removed too
            lines = output.splitlines()
            errors = [line for line in lines if ": error: " in line or ": warning: " in line]
            outcome = errors[0].split(": ", 1)[1] if errors else lines[-1] if lines else ""
            still = "good.yaml:7:55: IAC001" in output
            crashed = "Traceback" in output or "internal error" in output
            note = "" if still and not crashed else "  << the other file was NOT linted"
            print(f"{label:<38} {seconds:>8.2f} {peak:>8.0f} {code:>5}  {outcome[:90]}{note}")


if __name__ == "__main__":
    main()

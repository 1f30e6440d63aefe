"""The benchmark is never timed in the suite; these only show that it starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from iaclint.discover import Candidate
from iaclint.engine.policy import Policy
from iaclint.file_work import lint_file

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_prints_its_usage() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--no-checkov" in done.stdout


def test_parse_only_floor_reads_the_fixture_templates() -> None:
    folder = ROOT / "fixtures" / "policies" / "IAC001"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "parse_only.py"), str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    templates = [p for p in folder.rglob("*") if p.suffix in {".yaml", ".json", ".tf"}]
    plans = [p for p in templates if p.name.endswith(".plan.json")]
    assert done.stdout.strip() == f"read {len(templates) - len(plans)} files"


def test_a_run_that_did_not_complete_stops_the_benchmark() -> None:
    # A run exiting 2 (errors) is not the work being compared: never timed as if it were.
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import run; "
        "run.measure([sys.executable, '-c', 'import sys; print(\"bad policy\", file=sys.stderr);"
        " sys.exit(2)'], run.ROOT)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "benchmarks")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "exited 2, not 0 or 1" in done.stderr
    assert "bad policy" in done.stderr


def test_exposure_benchmark_prints_its_usage() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "exposure.py"), "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--scale" in done.stdout


def test_exposure_benchmark_vpc_is_reachable_as_generated(
    tmp_path: Path, policies: list[Policy]
) -> None:
    # The generated VPC must give the findings its layout means, or the timing measures
    # something else: every instance behind a load balancer whose group lets 8080 in
    # (not a multiple of 3), and those with a public address in a public subnet whose
    # group is open to the world (multiples of 6).
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import exposure
    finally:
        sys.path.pop(0)
    template = tmp_path / "vpc.yaml"
    template.write_text(exposure.cloudformation(20, 4, 2), encoding="utf-8")
    chosen = [policy for policy in policies if policy.id == "IAC070"]
    found = {
        finding.resource for finding in lint_file(Candidate(template, "vpc.yaml"), chosen).findings
    }
    expected = {f"Server{i}" for i in range(20) if i % 3 != 0 or i % 6 == 0}
    assert found == expected

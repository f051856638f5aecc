"""The benchmark script still runs: ``benchmarks/run.py --smoke`` (tiny counts, no timings asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_script_runs_and_prints_its_table() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    lines = done.stdout.splitlines()
    assert any(line.startswith("Machine: ") and "botocore" in line for line in lines)
    assert "| # | measurement | versus | ratio | absolute figures (information) | target |" in lines
    for section in ("1", "2", "3", "4", "5"):
        assert any(line.startswith(f"| {section} | ") for line in lines), section
    for measurement in (
        "capture overhead",
        "moto mock_aws",
        "Stubber",
        "real HTTP round trip",
        "pytest start-up",
        "botocore imported by the plugin",
        "CPU time per captured request",
        "peak memory",
        "gzip_request_body",
    ):
        assert measurement in done.stdout, measurement
    # the plugin must not import botocore: the one row that is a fact, not a timing
    row = next(line for line in lines if "botocore imported by the plugin" in line)
    assert row.endswith("**met** |"), row

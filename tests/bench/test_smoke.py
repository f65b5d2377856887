"""Smoke tests of the benchmark scripts: they run and print their verified results.

Only that: no assertion on any timing (performance is measured by
``bench/bench.py`` and ``bench/bench_server.py`` themselves, against baselines
measured in the same run, never in a unit test).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "bench.py"
BENCH_SERVER = ROOT / "bench" / "bench_server.py"

pytest.importorskip("xlwings")
pytest.importorskip("anyio")


def test_bench_quick_runs_and_prints_both_parts():
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "A. Core functions on 100,000 rows" in proc.stdout, output
    assert "B. Worksheet path" in proc.stdout, output
    # Both parts verified their results against the baselines before timing.
    assert "verified: all" in proc.stdout, output
    assert "verified: every array result" in proc.stdout, output


def test_bench_server_small_runs_and_verifies():
    # Also without xlwings Server (an optional extra): the script then says so and exits 0.
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    proc = subprocess.run(
        [sys.executable, str(BENCH_SERVER), "--rows", "50"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert proc.stdout.startswith("xlwings Server benchmark"), output
    if "not run: xlwings Server is not installed" in proc.stdout:
        return
    # Verified cell for cell against the single-cell results before timing, then both rows printed.
    assert "verified: the array result equals the 50 single-cell results cell for cell" in proc.stdout, output
    assert "POST /xlwings/custom-functions-call" in proc.stdout, output
    assert "custom_functions_call (no HTTP)" in proc.stdout, output

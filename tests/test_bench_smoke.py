"""Smoke test of the benchmark script: it runs and prints both parts.

Only that: no assertion on any timing (performance is measured by
``bench/bench.py`` itself, against baselines measured in the same run, never
in a unit test).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench" / "bench.py"

pytest.importorskip("xlwings")
pytest.importorskip("anyio")


def test_bench_quick_runs_and_prints_both_parts():
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    proc = subprocess.run([sys.executable, str(BENCH), "--quick"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "A. Core functions on 100,000 rows" in proc.stdout, output
    assert "B. Worksheet path" in proc.stdout, output
    # Both parts verified their results against the baselines before timing.
    assert "verified: all" in proc.stdout, output
    assert "verified: every array result" in proc.stdout, output

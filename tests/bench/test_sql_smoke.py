"""Smoke test of bench/bench_sql.py: it runs on a tiny universe and verifies its sums.

No assertion on any timing: the script itself prints ratios against baselines measured in
the same run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")
pytest.importorskip("pandas")


def test_bench_sql_tiny_runs_and_verifies():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_sql.py"), "--rows", "5000"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert proc.stdout.startswith("SQL benchmark: 5,000 rows"), output
    for name in ("MARKETCAP", "EV", "FDMCAP, one table", "FDMCAP, a table per row"):
        assert f"  {name} " in proc.stdout, output
    own = duckdb.connect().execute("SELECT current_setting('threads')").fetchall()[0][0]
    if own > 1:  # one thread first, as xlfuncs sql runs it, then DuckDB's own choice
        assert "on DuckDB's own choice of" in proc.stdout, output
    assert "verified: every sum equals its baseline" in proc.stdout, output

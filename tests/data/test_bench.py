"""The data layer's benchmark script runs and checks its results (timings are not asserted)."""

from __future__ import annotations


def test_bench_data_runs_and_verifies():
    """bench/bench_data.py, small: it checks its three ways agree before it prints ratios."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "bench" / "bench_data.py"
    done = subprocess.run(
        [sys.executable, str(script), "--copies", "1"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "in-memory memo" in done.stdout

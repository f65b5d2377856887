"""``xlfuncs calc`` run as a user runs it: the command line in a process of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def calc_cli(*args: str | Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """``xlfuncs calc ARGS...`` from the repository, its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "xlfuncs.cli", "calc", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )

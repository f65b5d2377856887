"""Running ``xlfuncs`` as a user does, and a small workbook to run it on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def small_book(path: Path, formulas: int = 1) -> Path:
    """A small workbook with ``formulas`` formula cells (XlsxWriter, as the templates)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write("A1", 2)
    for row in range(1, formulas + 1):
        ws.write_formula(row, 1, "=A1*3")
    wb.close()
    return path


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "xlfuncs.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def one_line_failure(proc: subprocess.CompletedProcess, code: int = 2) -> str:
    text = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == code, text
    assert "Traceback" not in proc.stderr and len(text.splitlines()) == 1, text
    return text

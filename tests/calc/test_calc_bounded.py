"""Bounded: the formulas engine refuses, in one line naming the limit and its flag, a workbook of more
cells than it takes on, before reading it; LibreOffice computes the same book.  These tests need
LibreOffice; they fail, never skip, without it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.helpers.calc_cli import calc_cli
from xlfuncs.calc import formulas_engine

ROWS = 1_000_000


@pytest.fixture(scope="module")
def million(tmp_path_factory) -> Path:
    """1,000,000 rows of two constants and ``=SUM(A:A)`` (about 10 MB)."""
    import xlsxwriter

    path = tmp_path_factory.mktemp("million") / "million.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Big")
    ws.write_formula(0, 2, "=SUM(A:A)")
    for row in range(ROWS):
        ws.write_number(row, 0, 1)
        ws.write_number(row, 1, 2)
    wb.close()
    return path


def test_formulas_refuses_a_million_rows_in_one_line(million, tmp_path):
    out = tmp_path / "out.xlsx"
    proc = calc_cli(str(million), "-o", str(out), "--engine", "formulas")
    text = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 2 and len(text.splitlines()) == 1, text
    assert f"{2 * ROWS + 1:,} cells" in text and f"limit {formulas_engine.MAX_CELLS:,}" in text
    assert "--max-cells" in text and not out.exists()


def test_libreoffice_computes_a_million_rows(million, tmp_path):
    out = tmp_path / "out.xlsx"
    proc = calc_cli(str(million), "-o", str(out), "--engine", "libreoffice")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "with libreoffice," in proc.stdout.splitlines()[0]
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    assert b"<f>SUM(A:A)</f><v>1000000</v>" in xml


def test_a_caller_sets_its_own_limit(tmp_path):
    import xlsxwriter

    book = tmp_path / "small.xlsx"
    wb = xlsxwriter.Workbook(str(book))
    ws = wb.add_worksheet("S")
    ws.write_column("A1", [1, 2, 3])
    ws.write_formula("B1", "=SUM(A1:A3)")
    wb.close()
    refused = calc_cli(str(book), "-o", str(tmp_path / "a.xlsx"), "--engine", "formulas", "--max-cells", "3")
    assert refused.returncode == 2 and "4 cells" in refused.stdout and "limit 3," in refused.stdout
    computed = calc_cli(str(book), "-o", str(tmp_path / "b.xlsx"), "--engine", "formulas", "--max-cells", "4")
    assert computed.returncode == 0, computed.stdout

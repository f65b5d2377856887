"""LINEST, TREND and the pair functions (SLOPE, INTERCEPT, FORECAST) in the LibreOffice engine against
the values Excel stored for the same formulas over the same data in
``../shared/excel-oracle/18_stats.xlsx`` (sheets Stats, LinestArrayExp and Trend): arrays whose sizes
do not match, and x values that are all the same, where Calc by itself gives #VALUE!.
"""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from tests.helpers.calc_cli import calc_cli
from xlfuncs.calc.libreoffice import engine as libreoffice

pytestmark = pytest.mark.skipif(not libreoffice.engine_available(), reason="needs the LibreOffice engine")

#: Stats!J3:N7 of the oracle book (its formulas there give these values).
DATA = [[1, 2.1, 3.1, 4.1, 5.1], [-2, -4, -7, -9, -11], [1, 3, 6, 9, 12], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]]
#: LinestArrayExp!A2:B13 (B14 and A14 are empty).
CURVE = [
    (-6, 16.7), (-5, 12.1), (-4, 8.3), (-3, 5.4), (-2, 3.1), (-1, 1.7),
    (0, 1.1), (1, 1.3), (2, 2.3), (3, 4.1), (4, 6.7), (5, 10.1),
]  # fmt: skip

#: (cell, formula, array range or None, Excel's values row by row) as the oracle book has them.
CASES = [
    ("P3", "SLOPE(J3:N3,J4:N5)", None, [["#N/A"]]),
    ("Q3", "SLOPE(J3:N4,J5:N5)", None, [["#N/A"]]),
    ("R4", "INTERCEPT(J3:N3,K4:N4)", None, [["#N/A"]]),
    ("P5", "FORECAST(2.5, J3:N3,J4:N5)", None, [["#N/A"]]),
    ("B3", "SLOPE(J3:N3,J4:N4)", None, [[-0.44097744360902247]]),
    ("D3", "FORECAST(D2,J3:N3,J4:N4)", None, [[-0.9328947368421041]]),
    ("E5", "TREND(J5:N5,J6:N6,E2:F2)", "E5:F5", [[6.2, 6.2]]),
    ("G5", "LINEST(J5:N5,J6:N6)", "G5:H5", [[0, 6.2]]),
    ("E10", "TREND(J5:N5,J7:N7,E2)", "E10", [[6.2]]),
    ("E15", "TREND(J3:N3,J7:N7,E2:F2)", "E15:F15", [[3.08, 3.08]]),
    ("G20", "LINEST(J7:N7,J6:N6)", "G20:H20", [[0, 0]]),
    ("G3", "LINEST(J3:N3,J4:N4)", "G3:H3", [[-0.4409774436090227, 0.16954887218045034]]),
    ("E3", "TREND(J3:N3,J4:N4,E2:F2)", "E3:F3", [[-0.9328947368421063, -1.3738721804511291]]),
    ("P6", "TREND(J3:N3,J4:N5,2.5)", "P6", [["#REF!"]]),
    ("Q6", "TREND(J3:N4,J5:N5,2.5)", "Q6", [["#REF!"]]),
    ("P7", "LINEST(J3:N4,J5:N7)", "P7", [["#REF!"]]),
    ("R7", "LINEST(J3:N3,K4:N4)", "R7", [["#REF!"]]),
    ("B31", "TREND(D31:D33,E31:F33)", "B31:B33", [[2], [2], [2]]),
    # the same data as expressions, whose sizes are known only when computed
    ("R3", "SLOPE(J3:N3,J4:N5*1)", None, [["#N/A"]]),
    ("G9", "LINEST(J5:N5,J6:N6*1)", "G9:H9", [[0, 6.2]]),
    ("E9", "TREND(J5:N5,J6:N6*1,E2:F2)", "E9:F9", [[6.2, 6.2]]),
    ("Q7", "LINEST(J3:N4,J5:N5*1)", "Q7", [["#REF!"]]),
    ("C31", "TREND(D31:D33,E31:F33*1)", "C31:C33", [[2], [2], [2]]),
    ("C28", "LINEST(B39:B51,A39:A51^{1,2})", "C28", [["#VALUE!"]]),
    ("C29", "LINEST(B39:B51,A39:A50^{1,2})", "C29", [["#REF!"]]),
]


def test_regression_follows_excel(tmp_path):
    book, out = tmp_path / "stats.xlsx", tmp_path / "out.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, row in enumerate(DATA, start=3):
        for c, value in enumerate(row, start=10):
            ws.cell(r, c, value)
    ws["D2"], ws["E2"], ws["F2"] = 2.5, 2.5, 3.5
    for r, row in enumerate([[1, 2, 3], [2, 2, 3], [3, 2, 3]], start=31):  # Trend!D31:F33
        for c, value in enumerate(row, start=4):
            ws.cell(r, c, value)
    for r, (x, y) in enumerate(CURVE, start=39):  # A39:B50, with A51:B51 empty
        ws.cell(r, 1, x)
        ws.cell(r, 2, y)
    for cell, formula, array, _ in CASES:
        ws[cell] = ArrayFormula(array, f"={formula}") if array else f"={formula}"
    wb.save(book)
    proc = calc_cli(book, "-o", out, "--engine", "libreoffice")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = openpyxl.load_workbook(out, data_only=True).active
    wrong = {}
    for cell, formula, array, want in CASES:
        rows = got[array] if array and ":" in array else ((got[cell],),)
        values = [c.value for row in rows for c in row]
        flat = [v for row in want for v in row]
        if values != (flat if isinstance(flat[0], str) else pytest.approx(flat, rel=1e-9)):
            wrong[formula] = (values, flat)
    assert wrong == {}

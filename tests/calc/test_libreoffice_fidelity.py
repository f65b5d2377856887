"""The LibreOffice engine against Excel's own behaviour where Calc differs by itself: each case holds
the value Excel gives (Excel's stored values in ``../shared/excel-oracle/19_date_time.xlsx`` show the
same for DAY, MONTH and YEAR of 0, an empty cell and serials before March 1900).
"""

from __future__ import annotations

import openpyxl
import pytest

from tests.helpers.calc_cli import calc_cli
from xlfuncs.calc.libreoffice import engine as libreoffice

pytestmark = pytest.mark.skipif(not libreoffice.engine_available(), reason="needs the LibreOffice engine")

#: Serials in A1:I1 and, by hand from Excel's 1900 calendar (serial 1 is 1 January 1900, 60 its
#: 29 February 1900, 0 the "0 January 1900" an empty cell gives, a negative serial #NUM!), the
#: (DAY, MONTH, YEAR) Excel gives for each.  H1 is empty; I1 is a date text.
SERIALS = [0, 0.5, 1, 31, 59, 60, 61, None, "2023-03-15", -1, 45000]
EXCEL = [
    (0, 1, 1900),
    (0, 1, 1900),
    (1, 1, 1900),
    (31, 1, 1900),
    (28, 2, 1900),
    (29, 2, 1900),
    (1, 3, 1900),
    (0, 1, 1900),
    (15, 3, 2023),
    ("#NUM!", "#NUM!", "#NUM!"),
    (15, 3, 2023),
]


def test_day_month_year_follow_excels_1900_calendar(tmp_path):
    book, out = tmp_path / "dates.xlsx", tmp_path / "out.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for col, serial in enumerate(SERIALS, start=1):
        letter = openpyxl.utils.get_column_letter(col)
        if serial is not None:
            ws.cell(1, col, serial)
        for row, name in enumerate(("DAY", "MONTH", "YEAR"), start=2):
            ws.cell(row, col, f"={name}({letter}1)")
    ws["A6"] = '=DAY(A1)&" DAY("&MONTH(C1)'  # literals stay as they are
    wb.save(book)
    proc = calc_cli(book, "-o", out, "--engine", "libreoffice")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = openpyxl.load_workbook(out, data_only=True).active
    wrong = {
        (serial, name): (got.cell(row, col).value, want)
        for col, (serial, wants) in enumerate(zip(SERIALS, EXCEL, strict=True), start=1)
        for row, (name, want) in enumerate(zip(("DAY", "MONTH", "YEAR"), wants, strict=True), start=2)
        if got.cell(row, col).value != want
    }
    assert wrong == {}
    assert got["A6"].value == "0 DAY(1"

"""TEXT in the LibreOffice engine against the values Excel stored for the same formulas in
``../shared/excel-oracle/17_text.xlsx`` (sheets All, TextNumbers and TextDates): a format whose decimals
are all optional ends in the decimal point where none is shown, which Calc by itself drops, and a date
or time format of a number outside Excel's calendar is #VALUE!.
"""

from __future__ import annotations

import datetime

import openpyxl
import pytest

from tests.helpers.calc_cli import calc_cli
from xlfuncs.calc.libreoffice import engine as libreoffice

pytestmark = pytest.mark.skipif(not libreoffice.engine_available(), reason="needs the LibreOffice engine")

#: All!A2:A21's values (less the errors) and Excel's ``TEXT(A, "#.###")`` of each (All!L).
LITERAL = [
    (None, "."),
    (-1, "-1."),
    (0, "."),
    (1, "1."),
    (2, "2."),
    ("1", "1."),
    ("-1", "-1."),
    ("XYZZY", "XYZZY"),
    (1.23, "1.23"),
    (-2.34, "-2.34"),
    (datetime.datetime(2000, 1, 1), "36526."),
    (True, "TRUE"),
    (False, "FALSE"),
]
#: TextNumbers!A:C: a value, a format (in a cell there; written out here), and Excel's ``TEXT(A, B)``.
IN_CELLS = [
    (1, "#", "1"),
    (1, "#.", "1."),
    (1, "#.##", "1."),
    ("1.0", "#.", "1."),
    ("1.0", "#.#", "1."),
    ("1.001", "#.##", "1."),
    (890123.456789, "#.#", "890123.5"),
    (890123.456789, "#.###", "890123.457"),
    (890123.456789, "#%", "89012346%"),
    (890123.456789, "#.#%", "89012345.7%"),
    (890123.456789, ",#.00.0", ",890123.45.7"),
    (1234.56, ".#", "1234.6"),
    (1234.56, ".##0", "1234.560"),
    (0, "w;x;z@", "w"),
    (-1, '##.00;##.0;"ZERO";->@<-', "1.0"),
    # TextDates!A:C: Excel's calendar has no date before 0 January 1900 nor from the year 10000 on
    (-1, "[h]", "-24"),
    (-1, "[h]:m", "#VALUE!"),
    (0, "[h]:m", "0:0"),
    (-1, "h", "#VALUE!"),
    (-1, "[m]", "-1440"),
    (-1, "[m]:s", "#VALUE!"),
    (-1, "m", "#VALUE!"),
    (-1, "[s]", "-86400"),
    (0, "[s].000", "0.000"),
    (-1, "s", "#VALUE!"),
    (2958466, "h", "#VALUE!"),
    (2958466, "yy", "#VALUE!"),
    (2958465, "h", "0"),
]


def test_text_ends_in_the_decimal_point_as_excel_does(tmp_path):
    book, out = tmp_path / "text.xlsx", tmp_path / "out.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for row, (value, _) in enumerate(LITERAL, start=1):
        ws.cell(row, 1, value)
        ws.cell(row, 2, f'=TEXT(A{row}, "#.###")')
    for row, (value, fmt, _) in enumerate(IN_CELLS, start=1):
        ws.cell(row, 4, value)
        quoted = fmt.replace('"', '""')
        ws.cell(row, 6, f'=TEXT(D{row},"{quoted}")')
    ws["H1"] = '=TEXT(A4,"#.###")&" TEXT(A4,""#.###"")"&TEXT(D3,"#.##")'  # literals stay; LETs side by side
    ws["H2"], ws["H3"] = '=TEXT(-1,"h")', '=TEXT(A2*1,"[h]:m")'  # TextDates!C21 and C19, the formats written
    wb.save(book)
    proc = calc_cli(book, "-o", out, "--engine", "libreoffice")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = openpyxl.load_workbook(out, data_only=True).active
    # an empty text is read back as an empty cell
    wrong = {
        value: (got.cell(row, 2).value, want)
        for row, (value, want) in enumerate(LITERAL, start=1)
        if (got.cell(row, 2).value or "") != want
    }
    wrong |= {
        (value, fmt): (got.cell(row, 6).value, want)
        for row, (value, fmt, want) in enumerate(IN_CELLS, start=1)
        if (got.cell(row, 6).value or "") != want
    }
    assert wrong == {}
    assert got["H1"].value == '1. TEXT(A4,"#.###")1.'
    assert (got["H2"].value, got["H3"].value) == ("#VALUE!", "#VALUE!")

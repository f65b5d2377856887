"""Rows written as XML by rows_xml are the bytes XlsxWriter writes for the same cells."""

import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from xlfuncs.workbooks import universe_book
from xlfuncs.workbooks.rows_xml import Numbers, Spill, Strings, add_rows, cache_points_fast
from xlfuncs.workbooks.style import CREATED


def by_xlsxwriter(sheet, first_row, first_col, n, columns):
    """The same cells through XlsxWriter's own interface, each stored as a cell of its own."""
    for j, column in enumerate(columns):
        col = first_col + j
        if isinstance(column, Spill):
            write = sheet.write_dynamic_array_formula if column.dynamic else sheet.write_array_formula
            last = col + column.columns - 1
            write(first_row, col, first_row + n - 1, last, "=" + column.formula, column.fmt)
        else:
            sheet.write_column(first_row, col, column.values, column.fmt)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.mark.parametrize(("n", "note"), [(1, ""), (12, "a note"), (13, ""), (2000, "a note"), (10_050, "")])
def test_the_universe_is_the_file_xlsxwriter_writes_cell_by_cell(n, note, tmp_path, monkeypatch):
    """Every part, byte for byte: the sheets' rows, spans and dimension, the shared strings, the styles,
    the chart's cached points and the dynamic-array metadata.
    """
    universe_book.build_universe_screen(tmp_path / "fast.xlsx", n=n, note=note)
    monkeypatch.setattr(universe_book, "add_rows", by_xlsxwriter)
    monkeypatch.setattr(universe_book, "cache_points_fast", lambda chart: None)
    universe_book.build_universe_screen(tmp_path / "cells.xlsx", n=n, note=note)
    fast, cells = parts(tmp_path / "fast.xlsx"), parts(tmp_path / "cells.xlsx")
    assert list(fast) == list(cells)
    assert [name for name in cells if fast[name] != cells[name]] == []


def _book(path: Path, block: bool) -> None:
    """A sheet with cells of its own above the block, beside it (left and right) in some of its rows, in a
    row of its own height and below it, and every kind of column: strings (one repeated, one to escape),
    awkward numbers, array formulas of one and of three columns.
    """
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": CREATED})  # two books written a second apart: the same date
    sheet = book.add_worksheet("S")
    bold, money = book.add_format({"bold": True}), book.add_format({"num_format": "$#,##0.00"})
    sheet.write(0, 0, "title", bold)
    sheet.write(1, 11, "far right", bold)  # widens the spans of rows 1..16 beyond the block's columns
    sheet.set_row(0, 30)
    sheet.set_row(20, 25)  # a row of the block with a height of its own
    italic = book.add_format({"italic": True})  # first used beside the block: its index comes first
    sheet.write(2, 0, "left of the first row", italic)
    sheet.write(5, 0, 42)
    sheet.write(5, 10, "right", bold)
    sheet.write_formula(30, 10, "=A6*2", money)
    sheet.write(45, 2, "below")  # a column of the block, in a row below it
    n = 40
    numbers = [0.1 + 0.2, -0.0, 1e20, -12345678.9, 2**53 + 1.0, 5e-324, 80.43000000000001, 7] * 5
    columns = [
        Strings([f"T{i % 7}<&>" for i in range(n)], None),
        Numbers(numbers, money),
        Numbers(list(range(n)), None),
        Spill("SUM(B3:B42)*(C3>0)", money),
        Spill('IF(B3:B42<0,"neg","")', bold, dynamic=False),
        Spill("_xlfn._xlws.SORT(B3:D42)", bold, columns=3),
        Numbers([0] * n, money),
        Numbers([0] * n, italic),
    ]
    (add_rows if block else by_xlsxwriter)(sheet, 2, 1, n, columns)
    sheet.write(0, 12, "after the block", bold)  # a string written after the block's
    book.close()


def test_any_block_is_the_file_xlsxwriter_writes_cell_by_cell(tmp_path):
    _book(tmp_path / "fast.xlsx", block=True)
    _book(tmp_path / "cells.xlsx", block=False)
    fast, cells = parts(tmp_path / "fast.xlsx"), parts(tmp_path / "cells.xlsx")
    assert [name for name in cells if fast[name] != cells[name]] == []
    ws = openpyxl.load_workbook(tmp_path / "fast.xlsx")["S"]
    assert ws["B3"].value == "T0<&>" and ws["B42"].value == "T4<&>" and ws["M1"].value == "after the block"
    assert (
        ws["A3"].value == "left of the first row" and ws["K6"].value == "right" and ws["C46"].value == "below"
    )
    # 16 significant digits, as XlsxWriter writes numbers
    assert ws["C3"].value == 0.3 and ws["C5"].value == 1e20 and ws["D42"].value == 39
    assert ws["E3"].value.ref == "E3:E42" and ws["E3"].value.text == "=SUM(B3:B42)*(C3>0)"
    assert ws["F3"].value.ref == "F3:F42" and ws["F4"].value == 0 and ws["G3"].value.ref == "G3:I42"


def test_a_cell_of_the_sheet_inside_the_block_is_refused(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    sheet = book.add_worksheet()
    add_rows(sheet, 0, 0, 3, [Numbers([1, 2, 3], None)])
    sheet.write(1, 0, "mine")
    with pytest.raises(ValueError, match="cell A2 is both the sheet's and the block's"):
        book.close()


def test_a_column_of_another_length_is_refused(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    sheet = book.add_worksheet()
    with pytest.raises(ValueError, match="a column of 2 cells in a block of 3 rows"):
        add_rows(sheet, 0, 0, 3, [Numbers([1, 2], None)])
    book.close()


def _chart_book(path: Path, fast: bool) -> None:
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": CREATED})  # two books written a second apart: the same date
    sheet = book.add_worksheet("S")
    sheet.write_column(0, 0, [1, 2.5, None, -0.125, 1e-300, 3])
    sheet.write_column(0, 1, ["a", 2, 3, 4, 5, 6])  # a text point: XlsxWriter's own path
    chart = book.add_chart({"type": "scatter"})
    if fast:
        cache_points_fast(chart)
    chart.add_series({"categories": "=S!$A$1:$A$6", "values": "=S!$B$1:$B$6"})
    chart.add_series(
        {"categories": "=S!$A$1:$A$6", "values": "=S!$A$1:$A$6", "values_data": [0, 1.5, None, 2, 3, 4]}
    )
    sheet.insert_chart(0, 3, chart)
    book.close()


def test_a_charts_cached_points_are_those_xlsxwriter_writes(tmp_path):
    _chart_book(tmp_path / "fast.xlsx", True)
    _chart_book(tmp_path / "own.xlsx", False)
    fast, own = parts(tmp_path / "fast.xlsx"), parts(tmp_path / "own.xlsx")
    # A's 5 numbers (twice), B's 6 points as text (a text cell makes a string cache), the 5 given
    assert fast["xl/charts/chart1.xml"].count(b"<c:pt ") == 5 + 6 + 5 + 5
    assert fast == own

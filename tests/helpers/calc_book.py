"""The test book of ``xlfuncs calc``: ``Data`` and ``Summary`` sheets with our functions, Excel's
built-ins, array formulas and error values, each formula cell with its value computed by hand.
"""

from __future__ import annotations

import math

import openpyxl
import xlsxwriter

RRI = (232 / 100) ** (1 / 10) - 1  # =RRI(10,100,232): 0.0877993588...

# Data!A2:E6 (ticker, price, shares, debt, cash, earnings); row 4 has a negative price.
ROWS = [
    ("T1", 10, 1_000_000_000, 2_000_000_000, 500_000_000, 500_000_000),
    ("T2", 20, 15_000_000_000, 0, 1_000_000_000, -100_000_000),
    ("T3", -5, 1_000_000_000, 10, 20, 100_000_000),
    ("T4", 40, 100_000_000, 300_000_000, 100_000_000, 0),
    ("T5", 2, 100_000_000, 0, 50_000_000, 20_000_000),
]

# Every formula cell of the test book and its hand-computed value.
EXPECTED = {
    # MARKETCAP spilled over G2:G6: price x shares, #NUM! for the negative price
    ("Data", "G2"): 10_000_000_000,
    ("Data", "G3"): 300_000_000_000,
    ("Data", "G4"): "#NUM!",
    ("Data", "G5"): 4_000_000_000,
    ("Data", "G6"): 200_000_000,
    # EV = market cap + debt - cash; the error passes through
    ("Data", "H2"): 11_500_000_000,
    ("Data", "H3"): 299_000_000_000,
    ("Data", "H4"): "#NUM!",
    ("Data", "H5"): 4_200_000_000,
    ("Data", "H6"): 150_000_000,
    # MCAPCLASS labels: Large >= 10bn, Mega >= 200bn, Mid >= 2bn, Micro >= 50m
    ("Data", "I2"): "Large",
    ("Data", "I3"): "Mega",
    ("Data", "I4"): "#NUM!",
    ("Data", "I5"): "Mid",
    ("Data", "I6"): "Micro",
    # MULTIPLE market cap / earnings, NM for earnings <= 0
    ("Data", "J2"): 20,
    ("Data", "J3"): "NM",
    ("Data", "J4"): "#NUM!",
    ("Data", "J5"): "NM",
    ("Data", "J6"): 10,
    ("Summary", "B1"): 10_000,  # =MARKETCAP(10,1000)
    ("Summary", "B2"): "#N/A",  # =EV(B12,100,50), B12 =NA()
    ("Summary", "B3"): RRI,  # =_xlfn.RRI(10,100,232)
    ("Summary", "B4"): 309_200_000_000,  # SUMPRODUCT(price, shares) = 1e10 + 3e11 - 5e9 + 4e9 + 2e8
    ("Summary", "B5"): 3,  # COUNTIFS(market cap > 1bn) over the spilled range: 1e10, 3e11, 4e9
    ("Summary", "B6"): 1,  # COUNTIFS(class = "Mega")
    ("Summary", "B7"): 10_000_000_000,  # SUMIFS(market cap, class = "Large")
    ("Summary", "B8"): -1,  # IFERROR(#NUM! cell, -1)
    ("Summary", "B9"): 10_000_000_000,  # IFERROR(G2, -1)
    ("Summary", "B10"): "#NAME?",  # NOSUCHFUNC(1)
    ("Summary", "B11"): "NM",  # MULTIPLE(100, 0)
    ("Summary", "B12"): "#N/A",  # NA()
    ("Summary", "B13"): 4,  # COUNT(ANCHORARRAY(G2)), i.e. COUNT(G2#): the four numbers
    ("Summary", "B14"): True,  # ISERROR(G4)
}


def build_book(path):
    """The test workbook, written like a user's: XlsxWriter, dynamic arrays over declared ranges."""
    wb = xlsxwriter.Workbook(path)
    money = wb.add_format({"num_format": '$#,##0.0,,,"B";-$#,##0.0,,,"B"'})
    ws = wb.add_worksheet("Data")
    ws.write_row(
        0, 0, ["Ticker", "Price", "Shares", "Debt", "Cash", "Earnings", "MCap", "EV", "Class", "P/E"]
    )
    for r, row in enumerate(ROWS, start=1):
        ws.write_row(r, 0, row)
    ws.set_column("G:H", 14, money)
    ws.write_dynamic_array_formula("G2:G6", "=MARKETCAP(B2:B6,C2:C6)", money)
    ws.write_dynamic_array_formula("H2:H6", "=EV(G2:G6,D2:D6,E2:E6)", money)
    ws.write_dynamic_array_formula("I2:I6", "=MCAPCLASS(G2:G6)")
    ws.write_dynamic_array_formula("J2:J6", "=MULTIPLE(G2:G6,F2:F6)")
    s = wb.add_worksheet("Summary")
    formulas = [
        "=MARKETCAP(10,1000)",
        "=EV(B12,100,50)",
        "=_xlfn.RRI(10,100,232)",
        "=SUMPRODUCT(Data!B2:B6,Data!C2:C6)",
        '=COUNTIFS(Data!G2:G6,">1000000000")',
        '=COUNTIFS(Data!I2:I6,"Mega")',
        '=SUMIFS(Data!G2:G6,Data!I2:I6,"Large")',
        "=IFERROR(Data!G4,-1)",
        "=IFERROR(Data!G2,-1)",
        "=NOSUCHFUNC(1)",
        "=MULTIPLE(100,0)",
        "=NA()",
        "=COUNT(_xlfn.ANCHORARRAY(Data!G2))",
        "=ISERROR(Data!G4)",
    ]
    for r, formula in enumerate(formulas):
        s.write(r, 0, formula[1:].split("(")[0])
        s.write_formula(r, 1, formula)
    wb.close()
    return path


def cell_values(path):
    wb = openpyxl.load_workbook(path, data_only=True)
    return {(sheet, ref): wb[sheet][ref].value for sheet, ref in EXPECTED}


def same(actual, expected):
    if isinstance(expected, float):
        return isinstance(actual, float) and math.isclose(actual, expected, rel_tol=1e-12)
    return actual == expected and type(actual) is type(expected)

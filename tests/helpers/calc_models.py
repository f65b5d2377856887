"""Small models that need more of Excel than plain formulas: what-if data tables, spill references,
iteration, booleans in a book without cached values, a circular reference.  Written with openpyxl
and XlsxWriter (no cached values, as those libraries write); each comes with its values by hand.
"""

from __future__ import annotations

from pathlib import Path

#: The iterative model's fixed point: C1 = 0.1 * (A1 + 0.5 * C1) with A1 = 100.
INTEREST = 10 / (1 - 0.05)


def data_tables(path: Path) -> tuple[Path, dict[str, object]]:
    """A one- and a two-variable data table over a model whose inputs reach the result through
    another cell (B3 = B2 + B8, B2 = 10 * B1).
    """
    import openpyxl
    from openpyxl.worksheet.formula import DataTableFormula

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Model"
    ws["A1"], ws["B1"] = "x", 1
    ws["A2"], ws["B2"] = "10x", "=B1*10"
    ws["A3"], ws["B3"] = "out", "=B2+B8"
    ws["A8"], ws["B8"] = "y", 5
    # one variable: x in D2:D4, the result's formula in E1, the table in E2:E4 (column input B1)
    ws["E1"] = "=B3"
    for row, x in zip((2, 3, 4), (1, 2, 3), strict=True):
        ws.cell(row, 4, x)
    ws["E2"] = DataTableFormula(ref="E2:E4", dt2D=False, dtr=False, r1="B1")
    # two variables: y across H6:I6, x down G7:G8, the formula in the corner G6
    ws["G6"] = "=B3"
    ws["H6"], ws["I6"], ws["G7"], ws["G8"] = 0, 100, 1, 2
    ws["H7"] = DataTableFormula(ref="H7:I8", dt2D=True, dtr=False, r1="B8", r2="B1")
    ws["K1"] = "=SUM(E2:E4)"  # a formula that uses the table
    wb.save(path)
    expected = {
        "B2": 10,
        "B3": 15,
        "E1": 15,
        "E2": 15,
        "E3": 25,
        "E4": 35,
        "G6": 15,
        "H7": 10,
        "I7": 110,
        "H8": 20,
        "I8": 120,
        "K1": 75,
    }
    return path, expected


def spill_references(path: Path) -> tuple[Path, dict[str, object]]:
    """A spilled SEQUENCE in A1:A3 and formulas using it as ``A1#`` (``_xlfn.ANCHORARRAY``)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"use_future_functions": True})
    ws = wb.add_worksheet("Spill")
    ws.write_dynamic_array_formula("A1:A3", "=SEQUENCE(3)")
    ws.write_formula("B1", "=SUM(ANCHORARRAY(A1))")
    ws.write_formula("B2", "=SUM(ANCHORARRAY($A$1))*2")
    ws.write_formula("B3", "=B1+1")
    ws.write_formula("B4", "=ROWS(ANCHORARRAY(A1))")
    wb.close()
    return path, {"A1": 1, "A2": 2, "A3": 3, "B1": 6, "B2": 12, "B3": 7, "B4": 3}


def iterative(path: Path) -> tuple[Path, dict[str, object]]:
    """A circular interest model with iteration on (``iterate="1"``, 100 steps, 0.001)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Loop"
    ws["A1"] = 100
    ws["B1"] = "=A1+0.5*C1"
    ws["C1"] = "=B1*0.1"
    ws["D1"] = "=C1*2"
    wb.calculation.iterate = True
    wb.calculation.iterateCount = 100
    wb.calculation.iterateDelta = 0.001
    wb.save(path)
    return path, {"B1": 100 + 0.5 * INTEREST, "C1": INTEREST, "D1": 2 * INTEREST}


def booleans(path: Path) -> tuple[Path, dict[str, object]]:
    """Formulas whose results are booleans, and numbers that are 0 and 1, with no cached values."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Logic"
    ws["A1"] = 2
    ws["B1"] = "=A1>1"
    ws["B2"] = "=AND(TRUE,FALSE)"
    ws["B3"] = "=ISNUMBER(A1)"
    ws["B4"] = "=NOT(B1)"
    ws["B5"] = "=A1-1"
    ws["B6"] = "=TRUE()+0"
    ws["B7"] = "=IF(A1>1,B3,0)"
    ws["B8"] = "=A1*0"
    wb.save(path)
    return path, {"B1": True, "B2": False, "B3": True, "B4": False, "B5": 1, "B6": 1, "B7": True, "B8": 0}


def circular(path: Path) -> tuple[Path, dict[str, object]]:
    """A circular reference without iteration: Excel shows 0 in each cell of the loop."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Circle"
    ws["A1"] = "=B1+1"
    ws["B1"] = "=A1+1"
    ws["C1"] = "=2*3"
    wb.save(path)
    return path, {"A1": 0, "B1": 0, "C1": 6}

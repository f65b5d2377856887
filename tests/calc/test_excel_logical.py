"""The LibreOffice engine against Excel where Calc by itself differs in the logical functions, in the
error a call of several erroneous arguments gives, in text functions of TRUE and FALSE, and in YEARFRAC.  Every expected value is one Excel
stored in ``../shared/excel-oracle`` (16_logical, 17_text, 23_yearfrac; the cell is named beside it):
small books rebuild those cases, and the books themselves are computed where that folder is present.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from pathlib import Path

import openpyxl
import pytest

from tests.helpers.calc_cli import calc_cli
from xlfuncs.calc import workbook
from xlfuncs.calc.libreoffice import engine as libreoffice

pytestmark = pytest.mark.skipif(not libreoffice.engine_available(), reason="needs the LibreOffice engine")

ORACLE = Path(__file__).resolve().parents[3] / "shared" / "excel-oracle"
ERRORS = ["#DIV/0!", "#NUM!", "#NAME?", "#VALUE!", "#REF!", "#NULL!", "#N/A"]


def compute(tmp_path: Path, cells: dict[str, object], formulas: list[str]) -> list[object]:
    """The values the LibreOffice engine computes for ``formulas`` (in column Z) beside ``cells``."""
    book, out = tmp_path / "book.xlsx", tmp_path / "out.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for ref, value in cells.items():
        ws[ref] = value
        if value in ERRORS:
            ws[ref].data_type = "e"
    for row, formula in enumerate(formulas, start=1):
        ws.cell(row, 26, "=" + formula)
    wb.save(book)
    proc = calc_cli(book, "-o", out, "--engine", "libreoffice")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = openpyxl.load_workbook(out, data_only=True).active
    return [got.cell(row, 26).value for row in range(1, len(formulas) + 1)]


def test_the_first_erroneous_argument_gives_the_error(tmp_path):
    # A1:A7 hold the errors of 16_logical's Logical!A3:A9 (17_text's All!A3:A9); Excel's
    # AND/OR/XOR(Ai,Ai+1) (Logical!C3:I8) and FIND(Ai,Ai+1) (All!D3:D8) are Ai's error
    cells = {f"A{i}": e for i, e in enumerate(ERRORS, start=1)}
    formulas = [f"{f}(A{i},A{i + 1})" for i in range(1, 7) for f in ("AND", "OR", "_xlfn.XOR", "FIND")]
    expected = [ERRORS[i - 1] for i in range(1, 7) for _ in range(4)]
    # one error is the one there is (Logical!C9 and All!D9: #N/A, then -1); none (Logical!G10: -1, 0)
    cells |= {"A8": -1, "A9": 0}
    formulas += ["AND(A7,A8)", "FIND(A7,A8)", "OR(A8,A9)"]
    expected += ["#N/A", "#N/A", True]
    assert compute(tmp_path, cells, formulas) == expected


def test_text_is_no_condition(tmp_path):
    # Logical!A37:A41 and Logical!D/E/N: a text other than TRUE or FALSE is #VALUE! as a condition
    cells = {"A1": "1", "A2": "-1", "A3": "XYZZY", "A4": True, "A5": False, "B1": 0, "C1": 37}
    formulas = [
        'IF(A1,"Is True")',  # Logical!D37
        'IF(A2,,"Is False")',  # Logical!E38
        "_xlfn.IFS(A1,1,B1,2,C1,3)",  # Logical!N37
        "NOT(A1)",  # Logical!E14 (All!A14 holds "1")
        "NOT(A2)",  # Logical!E15
        "NOT(A3)",  # Logical!E16
        'IF(A3,"Is True")',  # Logical!D39
        'IF(A4,"Is True")',  # Logical!D40
        'IF(A5,,"Is False")',  # Logical!E41
        "_xlfn.IFS(A5,1,B1,2,C1,3)",  # Logical!N41
        "IF(1,A1)",  # Logical!F37: only the condition is checked
    ]
    expected = ["#VALUE!"] * 7 + ["Is True", "Is False", 3, "1"]
    assert compute(tmp_path, cells, formulas) == expected


def test_switch_matches_the_same_type(tmp_path):
    # the Switch sheet: TRUE is not 1, FALSE not 0 nor an empty cell, the text "1" not 1; an empty cell is 0
    cells = {"A1": True, "B1": 1, "A2": False, "B2": 0, "A3": False, "A4": 0, "A5": "XYZZY", "B5": 16}
    cells |= {"A6": True, "B6": True, "A7": "UPPER", "B7": "Upper", "A8": "#DIV/0!", "A9": "1", "B9": 14}
    formulas = [
        '_xlfn.SWITCH(A1,B1,"match")',  # C28
        '_xlfn.SWITCH(A2,B2,"match")',  # C29
        '_xlfn.SWITCH(A3,B3,"match")',  # C32 (B32 empty)
        '_xlfn.SWITCH(B4,A4,"match")',  # C37 (A37 empty, B37 0)
        "_xlfn.SWITCH(B5,A5,A5)",  # D16
        '_xlfn.SWITCH(A6,B6,"match")',  # C30
        '_xlfn.SWITCH(A7,B7,"match")',  # C33
        "_xlfn.SWITCH(A2,0,-1,A2,-2)",  # E18
        '_xlfn.SWITCH(A2,0,"match","no-match")',  # F18
        "_xlfn.SWITCH(A8,A8,B1)",  # C3
        "_xlfn.SWITCH(B9,A9,A9)",  # D14
        "_xlfn.SWITCH(A9,0,-1,A9,-2)",  # E14
        "_xlfn.SWITCH(B1,B1,A8)",  # H3
    ]
    expected = ["#N/A", "#N/A", "#N/A", "match", "#N/A", "match", "match", -2, "no-match"]
    expected += ["#DIV/0!", "#N/A", -2, "#DIV/0!"]
    assert compute(tmp_path, cells, formulas) == expected


def test_text_functions_read_true_and_false_as_text(tmp_path):
    # 17_text's All!A17 (TRUE) and A18 (FALSE), and Excel's B17:O18 (less TEXT, L)
    cells = {"A1": True, "A2": False}
    calls = [
        "_xlfn.CONCAT({})",
        "CONCATENATE({})",
        "LEFT({}, 2)",
        "LEN({})",
        "LOWER({})",
        "MID({},1,1)",
        'REPLACE({}, 1, 3, "z")',
        "RIGHT({},2)",
        'SUBSTITUTE({},"y", "q",2)',
        "TRIM({})",
        "UPPER({})",
        "VALUE({})",
    ]
    formulas = [c.format(cell) for cell in ("A1", "A2") for c in calls]
    expected = ["TRUE", "TRUE", "TR", 4, "true", "T", "zE", "UE", "TRUE", "TRUE", "TRUE", "#VALUE!"]
    expected += ["FALSE", "FALSE", "FA", 5, "false", "F", "zSE", "SE", "FALSE", "FALSE", "FALSE", "#VALUE!"]
    assert compute(tmp_path, cells, formulas) == expected


#: (start, end, basis, Excel's YEARFRAC) from 23_yearfrac.xlsx's YEARFRAC sheet, the cell beside.
YEARFRACS = [
    (1, 200, 0, 0.5472222222222223),  # K4: 1 January to 18 July 1900, 197 days of 30/360
    (0, 200, 0, 0.55),  # M4: from "0 January 1900"
    (1, 0, 0, 0.002777777777777778),  # R4
    (2958465, 200, 0, 8099.452777777778),  # N4
    (1, 2958465, 4, 8099.997222222222),  # S5
    (1, 0, 4, 0.002777777777777778),  # R5
    (-1, 200, 0, "#NUM!"),  # L4: before serial 0
    (2958466, 200, 0, "#NUM!"),  # O4: after 31 December 9999
    (1, 2958466, 4, "#NUM!"),  # T5
    (1, 200, -1, "#NUM!"),  # K3
    ("#DIV/0!", 200, -1, "#NUM!"),  # P3: the basis is checked first
    ("#DIV/0!", 200, 5, "#NUM!"),  # P6
    ("#DIV/0!", 200, "plugh", "#VALUE!"),  # P8
    (1, 200, True, "#VALUE!"),  # K9
    ("#DIV/0!", 200, True, "#VALUE!"),  # P9
    ("#DIV/0!", 200, 0, "#DIV/0!"),  # P4
    ("#DIV/0!", 200, "#N/A", "#N/A"),  # P11
    (1, 200, None, 0.5472222222222223),  # K7: an empty basis is 0
    (datetime.datetime(2001, 1, 31), datetime.datetime(2001, 3, 31), 0, 0.16666666666666666),  # C3
    (datetime.datetime(2004, 2, 29), datetime.datetime(2005, 2, 28), 0, 1),  # C6
    (datetime.datetime(2004, 2, 29), datetime.datetime(2005, 2, 28), 1, 0.9972677595628415),  # D6
    (datetime.datetime(2004, 2, 29), datetime.datetime(2005, 2, 28), 4, 0.9972222222222222),  # G6
    (datetime.datetime(2003, 1, 1), datetime.datetime(2001, 1, 2), 0, 1.9972222222222222),  # C8
]


def test_yearfrac_checks_its_basis_first_and_counts_on_excels_calendar(tmp_path):
    cells: dict[str, object] = {}
    formulas = []
    for row, (start, end, basis, _) in enumerate(YEARFRACS, start=1):
        for col, value in zip("ABC", (start, end, basis), strict=True):
            if value is not None:
                cells[f"{col}{row}"] = value
        formulas.append(f"YEARFRAC(A{row},B{row},C{row})")
    # the same with constants, and beside a rewrite that brings its own LET (Excel: YEAR(45000) is 2023)
    formulas += ["YEARFRAC(1,200,0)", "YEARFRAC(1,200)", "YEARFRAC(1,200,7)", "YEARFRAC(1,200)+YEAR(45000)"]
    got = compute(tmp_path, cells, formulas)
    want = [w for *_, w in YEARFRACS] + [0.5472222222222223, 0.5472222222222223, "#NUM!", 2023.5472222222222]
    wrong = {
        f: (g, w)
        for f, g, w in zip(formulas, got, want, strict=True)
        if not (g == w if isinstance(w, str) else math.isclose(g, w, rel_tol=1e-12))
    }
    assert wrong == {}


#: The cells of 16_logical.xlsx where Calc still differs: a blank text ("") that Calc reads as an
#: empty cell (so SWITCH matches it with an empty cell or 0), and IFS over a range in a formula.
LOGICAL_LEFT = {
    "Logical!O37",
    "Logical!O38",
    "Switch!C38",
    "Switch!C39",
    "Switch!C40",
}


@pytest.mark.skipif(
    not (ORACLE / "truth.json").is_file(),
    reason="needs ../shared/excel-oracle beside the repository (Excel-saved workbooks, kept out of it)",
)
@pytest.mark.parametrize(
    ("name", "cells", "left"),
    [
        ("23_yearfrac.xlsx", ".*", set()),
        ("16_logical.xlsx", ".*", LOGICAL_LEFT),
        # FIND's errors, and the text functions of TRUE and FALSE (TEXT, column L, is not here)
        ("17_text.xlsx", r"All!(D\d+|[B-KMNO]1[78])", set()),
    ],
)
def test_oracle_books(name, cells, left):
    truth = {
        ref: kv
        for ref, kv in json.loads((ORACLE / "truth.json").read_text())[name].items()
        if re.fullmatch(cells, ref)
    }
    values = workbook.compute(ORACLE / name, "libreoffice")
    got = {f"{sheet}!{ref}": value for (sheet, ref), value in values.items()}

    def agrees(kind: str, expected: object, value: object) -> bool:
        if kind == "n":
            return (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12)
            )
        return value == expected and (kind != "b" or isinstance(value, bool))

    wrong = {ref for ref, (kind, expected) in truth.items() if not agrees(kind, expected, got.get(ref))}
    assert wrong == left
    assert len(truth) > 10

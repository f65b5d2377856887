"""The ``formulas`` engine computes as Excel does where the ``formulas`` package alone does not
(:mod:`xlfuncs.calc.formulas_excel`).  Each expected value is one Excel stored: the cell of the
Excel-saved oracle workbook in ``../shared/excel-oracle`` is named beside it (a last test checks the
transcription where that folder is present), or the source that reports Excel's result is named.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from xlfuncs.calc.formulas_engine import compute
from xlfuncs.calc.formulas_excel import bahttext, cancels, digits15, excel_number
from xlfuncs.calc.results import ExcelError

ORACLE = Path(__file__).resolve().parents[3] / "shared" / "excel-oracle"

#: (oracle file, cell) -> the value Excel stored there, as used by the tests below.
EXCEL_STORED = {
    ("27_test.xlsx", "LOGICAL!X18"): 1.0,
    ("27_test.xlsx", "LOGICAL!X19"): 10.0,
    ("27_test.xlsx", "LOGICAL!Y23"): "#VALUE!",
    ("27_test.xlsx", "LOGICAL!Y24"): "#VALUE!",
    ("27_test.xlsx", "LOGICAL!AB18"): "#N/A",
    ("27_test.xlsx", "LOGICAL!AB19"): "#N/A",
    ("27_test.xlsx", "LOGICAL!AC18"): "#DIV/0!",
    ("27_test.xlsx", "LOGICAL!W18"): "#VALUE!",
    ("27_test.xlsx", "LOGICAL!R18"): 1.0,
    ("27_test.xlsx", "LOGICAL!T18"): 9.0,
    ("27_test.xlsx", "INFORMATION!Y19"): 1.0,
    ("27_test.xlsx", "TEXT!R6"): "ศูนย์บาทถ้วน",
    ("27_test.xlsx", "TEXT!S6"): "หนึ่งร้อยห้าสิบเจ็ดบาทถ้วน",
    ("27_test.xlsx", "TEXT!U6"): "หกสิบห้าบาทแปดสิบสตางค์",
    ("27_test.xlsx", "TEXT!V6"): "ลบหนึ่งบาทถ้วน",
    ("27_test.xlsx", "TEXT!X6"): "#VALUE!",
    ("27_test.xlsx", "TEXT!Y6"): "หนึ่งบาทถ้วน",
    ("27_test.xlsx", "ENGINEERING!S35"): "0.0000692442674613868-1.00005873951153j",
    ("27_test.xlsx", "ENGINEERING!S37"): "1.28233995888454E-06+4.33496947416312E-06j",
    ("27_test.xlsx", "ENGINEERING!S44"): "30.3+41.5j",
    ("27_test.xlsx", "ENGINEERING!V44"): "0",
    ("27_test.xlsx", "ENGINEERING!R50"): "4.05964961366707+3.07908346521285j",
    ("21_npv.xlsx", "NPV!D2"): -0.00041233522074435314,
    ("21_npv.xlsx", "NPV!D3"): 0.0,
}


def stored(book: str, cell: str):
    v = EXCEL_STORED[(book, cell)]
    return ExcelError(v) if isinstance(v, str) and v.startswith("#") else v


def computed(tmp_path: Path, cells: dict[str, object]) -> dict[str, object]:
    """Compute a one-sheet book of ``cells`` (an ``ArrayFormula`` for a multi-cell formula)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "S"
    for ref, value in cells.items():
        ws[ref] = value
    path = tmp_path / "book.xlsx"
    wb.save(path)
    values, _ = compute(path)
    return {ref: v for (_, ref), v in values.items()}


def test_scan_and_map_keep_errors_numbers_and_types(tmp_path):
    """27_test.xlsx LOGICAL: SCAN from an empty start, from text and from error values; MAP of a range
    and MAP with two LAMBDAs (an error); the numbers stay numbers beside the errors."""
    got = computed(
        tmp_path,
        {
            "C1": 1,
            "D1": 2,
            "E1": 3,
            "C2": 0,
            "D2": -1,
            "H1": "ciao",
            "A1": ArrayFormula("A1:A2", "=SCAN(G1,{1;3},LAMBDA(a,b,a+b^2))"),
            "B1": ArrayFormula("B1:B2", "=SCAN(H1,{1;3},LAMBDA(a,b,a+b^2))"),
            "F1": ArrayFormula("F1:F2", "=SCAN(NA(),{1;3},LAMBDA(a,b,a+b^2))"),
            "I1": ArrayFormula("I1:I2", "=SCAN(1/0,{1;3},LAMBDA(a,b,a+b^2))"),
            "J1": ArrayFormula("J1:L2", "=MAP(C1:E2,LAMBDA(a,a^2))"),
            "M1": ArrayFormula("M1", "=MAP({1,2;3,3},LAMBDA(a,a+1),LAMBDA(b,b+3))"),
            "N1": ArrayFormula("N1:N3", "=MAP({1;0;2},LAMBDA(a,IF(a,1/a,1/0)))"),
        },
    )
    assert (got["A1"], got["A2"]) == (
        stored("27_test.xlsx", "LOGICAL!X18"),
        stored("27_test.xlsx", "LOGICAL!X19"),
    )
    assert (got["B1"], got["B2"]) == (
        stored("27_test.xlsx", "LOGICAL!Y23"),
        stored("27_test.xlsx", "LOGICAL!Y24"),
    )
    assert (got["F1"], got["F2"]) == (
        stored("27_test.xlsx", "LOGICAL!AB18"),
        stored("27_test.xlsx", "LOGICAL!AB19"),
    )
    assert got["I1"] == stored("27_test.xlsx", "LOGICAL!AC18")
    assert all(isinstance(got[c], ExcelError) for c in ("B1", "B2", "F1", "F2", "I1", "I2", "M1"))
    assert (got["J1"], got["L1"]) == (
        stored("27_test.xlsx", "LOGICAL!R18"),
        stored("27_test.xlsx", "LOGICAL!T18"),
    )
    assert got["M1"] == stored("27_test.xlsx", "LOGICAL!W18")
    # by hand: 1/1, 1/0, 1/2, each keeping its type
    assert (got["N1"], got["N2"], got["N3"]) == (1.0, ExcelError("#DIV/0!"), 0.5)
    assert not isinstance(got["N1"], str)


def test_a_final_subtraction_of_nearly_equal_numbers_is_zero(tmp_path):
    """21_npv.xlsx: ``=C3-A3`` of 8.0257262800574303 (a constant) and the NPV 8.0257262800574267 is
    0 in Excel (2 units in the last place apart); ``=C2-A2`` keeps its difference."""
    got = computed(
        tmp_path,
        {
            "A2": "=NPV(0.1,-10000,3000,4200,6800)",
            "C2": 1188.443,
            "D2": "=C2-A2",
            "A3": "=NPV(0.08,1,3,2,4)",
            "C3": 8.0257262800574303,
            "D3": "=C3-A3",
            "E3": "=(C3-A3)",
            "F3": "=1*(C3-A3)",
        },
    )
    assert got["D3"] == stored("21_npv.xlsx", "NPV!D3")
    assert got["D2"] == pytest.approx(stored("21_npv.xlsx", "NPV!D2"), rel=1e-12)
    # only the formula's last operation, not one inside parentheses or under another operation
    assert got["E3"] == got["F3"] == pytest.approx(8.0257262800574303 - got["A3"], abs=0) != 0


def test_final_addition_and_subtraction_as_excel_reports(tmp_path):
    """Excel's results reported with the formulas: ``=0.5-0.4-0.1`` is 0 but ``=(0.5-0.4-0.1)`` and
    ``=1*(0.5-0.4-0.1)`` are -2.77556E-17 (Microsoft KB 78113; woody's lounge thread "Scientific number
    format giving wrong result"); 818562.54-778536.1+(-40026.44) keeps 5.82077E-11, 8 units in the
    last place (excelbanter/tech-archive "Simple subtraction formula returning strange results")."""
    got = computed(
        tmp_path,
        {
            "A1": "=0.5-0.4-0.1",
            "A2": "=(0.5-0.4-0.1)",
            "A3": "=1*(0.5-0.4-0.1)",
            "B1": 818562.54,
            "B2": -40026.44,
            "B3": 778536.1,
            "B4": "=B1-B3+B2",
            "A4": "=0.1+0.2-0.3",
        },
    )
    assert got["A1"] == 0 and got["A4"] == 0
    assert got["A2"] == got["A3"] == pytest.approx(-2.77556e-17, rel=1e-5)
    assert got["B4"] == pytest.approx(5.82077e-11, rel=1e-5)


def test_comparisons_round_to_15_digits(tmp_path):
    """Excel compares numbers rounded to 15 significant digits: ``=0.1+0.2=0.3`` is TRUE; 0.1 and
    0.1+2^-56 are equal, but their difference is not 0 (joeu2004, excelbanter "compare values");
    ``=0=0.5-0.4-0.1`` is FALSE (bebac forum "Floating point arithmetic, again")."""
    got = computed(
        tmp_path,
        {
            "A1": "=0.1+0.2=0.3",
            "A2": 0.1,
            "A3": "=A2+2^-56",
            "A4": "=A2=A3",
            "A5": "=A2-A3=0",
            "A6": "=0=0.5-0.4-0.1",
            "A7": "=A2<A3",
            "A8": "=A3<=A2",
            "A9": "=1-0.9<>0.1",
            "A10": '="a"="A"',
            "A11": "=1.5>1",
        },
    )
    assert got["A1"] is True and got["A4"] is True and got["A8"] is True and got["A11"] is True
    assert got["A5"] is False and got["A6"] is False and got["A7"] is False and got["A9"] is False
    assert got["A10"] is True


def test_the_rules_themselves():
    # 0.30000000000000004 and 0.3: 1 unit in the last place apart
    assert digits15(0.1 + 0.2) == digits15(0.3) == 0.3
    assert cancels(0.1 + 0.2, 0.3) and not cancels(0.3, 0.3) and not cancels(1e-300, -1e-300)
    assert excel_number(27142327967.108967) == "27142327967.109"
    assert excel_number(1e20) == "1E+20" and excel_number(-0.0) == "0"


def test_xlookup_returns_the_matching_row_or_column(tmp_path):
    """By hand: the row of the match in a return array of several columns, the column for a lookup
    row; if_not_found for a missing key; #VALUE! when the return array does not fit."""
    got = computed(
        tmp_path,
        {
            "A1": ArrayFormula("A1:B1", "=XLOOKUP(2,{1;2;3},{1,2;3,4;5,6})"),
            "A2": ArrayFormula("A2:A3", '=XLOOKUP("b",{"a","b"},{1,2;3,4})'),
            "A4": ArrayFormula("A4:B4", '=XLOOKUP(9,{1;2;3},{1,2;3,4;5,6},"none")'),
            "A5": ArrayFormula("A5:B5", "=XLOOKUP(9,{1;2;3},{1,2;3,4;5,6})"),
            "A6": ArrayFormula("A6:B6", "=XLOOKUP(2,{1;2;3},{1,2;3,4})"),
            "A7": ArrayFormula("A7:B7", "=XLOOKUP(2.5,{1;2;3},{1,2;3,4;5,6},,1)"),
            "A8": "=XLOOKUP(2,{1;2;3},{7;8;9})",
        },
    )
    assert (got["A1"], got["B1"]) == (3, 4)
    assert (got["A2"], got["A3"]) == (2, 4)
    assert got["A4"] == "none"
    assert got["A5"] == ExcelError("#N/A")
    assert got["A6"] == ExcelError("#VALUE!")
    assert (got["A7"], got["B7"]) == (5, 6)  # match mode 1: the next larger key, 3
    assert got["A8"] == 8


def test_n_bahttext_and_complex_numbers_as_excel_writes_them(tmp_path):
    """27_test.xlsx: N(TRUE); BAHTTEXT of 0, 157, 65.8, -1, text and TRUE; IM… results with 15 digits."""
    got = computed(
        tmp_path,
        {
            "A1": True,
            "B1": "=N(A1)",
            "A2": "=BAHTTEXT(0)",
            "B2": "=BAHTTEXT(157)",
            "C2": "=BAHTTEXT(65.8)",
            "D2": "=BAHTTEXT(-1)",
            "E2": '=BAHTTEXT("ciao")',
            "F2": "=BAHTTEXT(A1)",
            "A3": '=IMCOT("13+5j")',
            "B3": '=IMCSCH("13+5j")',
            "C3": '=IMPRODUCT("3.1+2j","13+5j")',
            "D3": '=IMPRODUCT(H3,"-13+25j")',
            "E3": '=IMSQRT("7+25j")',
        },
    )
    assert got["B1"] == stored("27_test.xlsx", "INFORMATION!Y19")
    for ref, cell in zip(
        ["A2", "B2", "C2", "D2", "E2", "F2"], ["R6", "S6", "U6", "V6", "X6", "Y6"], strict=True
    ):
        assert got[ref] == stored("27_test.xlsx", f"TEXT!{cell}"), ref
    for ref, cell in zip(["A3", "B3", "C3", "D3", "E3"], ["S35", "S37", "S44", "V44", "R50"], strict=True):
        assert got[ref] == stored("27_test.xlsx", f"ENGINEERING!{cell}"), ref


def test_bahttext_reads_thai_numbers():
    """Thai number reading (independent of the oracle): 11 สิบเอ็ด, 21 ยี่สิบเอ็ด, 101 หนึ่งร้อยเอ็ด,
    a million ล้าน, satang only."""
    assert bahttext(11) == "สิบเอ็ดบาทถ้วน"
    assert bahttext(21) == "ยี่สิบเอ็ดบาทถ้วน"
    assert bahttext(101) == "หนึ่งร้อยเอ็ดบาทถ้วน"
    assert bahttext(2_000_000) == "สองล้านบาทถ้วน"
    assert bahttext(0.5) == "ห้าสิบสตางค์"


@pytest.mark.skipif(not (ORACLE / "truth.json").is_file(), reason="needs ../shared/excel-oracle")
def test_the_values_above_are_what_excel_stored():
    truth = json.loads((ORACLE / "truth.json").read_text())
    for (book, cell), value in EXCEL_STORED.items():
        assert truth[book][cell][1] == value, (book, cell)

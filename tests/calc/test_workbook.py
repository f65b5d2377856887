"""`xlfuncs calc`: workbooks computed by `formulas` (the pip-only engine), results stored as cached values,
file kept intact.  The LibreOffice engine: tests/test_workbooks_libreoffice.py."""

import json
import math
import random
import re
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.worksheet.formula import ArrayFormula

from xlfuncs.workbooks import calc
from xlfuncs.workbooks.calc import ExcelError

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
ERRORS = {"#NUM!": 4, "#N/A": 2, "#NAME?": 1}


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


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    """The test book, computed once: (source, output, summary lines, exit code)."""
    folder = tmp_path_factory.mktemp("calc")
    src = build_book(folder / "book.xlsx")
    lines = []
    code = calc.main([str(src), "-o", str(folder / "out.xlsx"), "--engine", "formulas"], echo=lines.append)
    return src, folder / "out.xlsx", lines, code


def test_every_formula_cell_gets_its_value(computed):
    _src, out, lines, code = computed
    assert code == 0, lines
    values = cell_values(out)
    wrong = {k: (values[k], v) for k, v in EXPECTED.items() if not same(values[k], v)}
    assert not wrong


def test_calculate_returns_every_formula_cell_with_real_sheet_names(computed):
    src = computed[0]
    values = calc.calculate(src, "formulas")
    assert set(values) == set(EXPECTED)  # only formula cells; every cell of each spilled range
    assert list(values)[:2] == [("Data", "G2"), ("Data", "H2")]  # sheet, row, column order
    wrong = {
        k: (values[k], v)
        for k, v in EXPECTED.items()
        if not (math.isclose(values[k], v, rel_tol=1e-12) if isinstance(v, float) else values[k] == v)
    }
    assert not wrong
    assert values[("Summary", "B14")] is True and type(values[("Summary", "B5")]) is int
    assert values[("Data", "G4")] == "#NUM!" and isinstance(values[("Data", "G4")], ExcelError)
    assert values[("Data", "J3")] == "NM" and not isinstance(values[("Data", "J3")], ExcelError)


def test_formulas_formats_and_other_parts_are_kept(computed):
    src, out, _, _ = computed
    before, after = openpyxl.load_workbook(src), openpyxl.load_workbook(out)
    for sheet in ("Data", "Summary"):
        for row_a, row_b in zip(before[sheet].iter_rows(), after[sheet].iter_rows(), strict=True):
            for a, b in zip(row_a, row_b, strict=True):
                va, vb = a.value, b.value
                if isinstance(va, ArrayFormula):
                    assert isinstance(vb, ArrayFormula) and (va.ref, va.text) == (vb.ref, vb.text)
                elif (sheet, a.coordinate) not in EXPECTED:  # spill cells below an anchor hold values
                    assert va == vb, a.coordinate
                assert a.number_format == b.number_format, a.coordinate
    assert after["Data"]["G2"].value.text == "=MARKETCAP(B2:B6,C2:C6)"
    assert after["Data"]["G2"].value.ref == "G2:G6"
    assert after["Summary"]["B3"].value == "=_xlfn.RRI(10,100,232)"
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if not name.startswith("xl/worksheets/sheet"):
                assert a.read(name) == b.read(name), name
        sheet = b.read("xl/worksheets/sheet1.xml").decode()
    # the dynamic-array markers and the spill range stay; errors and labels are typed
    assert (
        re.search(
            r'<c r="G2" s="\d+" cm="1" t="e"><f t="array" ref="G2:G6">MARKETCAP\(B2:B6,C2:C6\)</f>'
            r"<v>10000000000</v></c>",
            sheet,
        )
        is None
    )  # G2 is a number: no t attribute
    assert re.search(
        r'<c r="G2" s="\d+" cm="1"><f t="array" ref="G2:G6">MARKETCAP\(B2:B6,C2:C6\)</f>'
        r"<v>10000000000</v></c>",
        sheet,
    )
    assert re.search(r'<c r="G4" s="\d+" t="e"><v>#NUM!</v></c>', sheet)
    assert '<c r="I2" cm="1" t="str"><f t="array" ref="I2:I6">MCAPCLASS(G2:G6)</f><v>Large</v></c>' in sheet


def test_summary_lists_the_error_values(computed):
    _, out, lines, _ = computed
    assert lines[0].startswith(f"book.xlsx: computed {len(EXPECTED)} formula cells in ")
    assert lines[0].endswith(f"values written -> {out}")
    assert lines[1:] == [
        "#NUM! 4 cells: Data!G4, Data!H4, Data!I4, Data!J4",
        "#N/A 2 cells: Summary!B2, Summary!B12",
        "#NAME? 1 cell: Summary!B10",
    ]
    summary = calc.calc(computed[0], out, "formulas")
    assert dict(summary.errors) == ERRORS and summary.cells == len(EXPECTED) and not summary.problems


def test_in_place_and_repeatable(tmp_path):
    book = build_book(tmp_path / "book.xlsx")
    summary = calc.calc(book, engine="formulas")  # no output: the values go into the book itself
    assert summary.output == book and "in place" in summary.lines()[0]
    values = cell_values(book)
    assert all(same(values[k], v) for k, v in EXPECTED.items())
    first = zipfile.ZipFile(book).read("xl/worksheets/sheet1.xml")
    calc.calc(book, engine="formulas")
    assert zipfile.ZipFile(book).read("xl/worksheets/sheet1.xml") == first
    assert not [p for p in tmp_path.iterdir() if p.name != "book.xlsx"]  # no temporary files left


def test_openpyxl_book_inline_strings_and_array_cells_not_in_the_file(tmp_path):
    """openpyxl writes inline strings and only the anchor cell of an array formula."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Caps"
    ws.append(["Price", "Shares", "MCap", "Class"])
    for row in [(10, 1_000_000_000), (-1, 5), (200, 1_000_000_000)]:
        ws.append(row)
    ws["C2"] = ArrayFormula("C2:C4", "=MARKETCAP(A2:A4,B2:B4)")
    ws["D2"] = ArrayFormula("D2:D4", "=MCAPCLASS(C2:C4)")
    ws["F1"] = "=SUM(C2:C4)"  # an error in the range makes SUM an error, as in Excel
    ws["F2"] = '=IFERROR(C3,"bad")'
    ws["F7"] = "=F2"  # a row of its own
    wb.save(tmp_path / "py.xlsx")
    assert (
        calc.main(
            [str(tmp_path / "py.xlsx"), "-o", str(tmp_path / "out.xlsx"), "--engine", "formulas"],
            echo=lambda line: None,
        )
        == 0
    )
    got = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["Caps"]
    assert [[c.value for c in row] for row in got["A1:D4"]] == [
        ["Price", "Shares", "MCap", "Class"],
        [10, 1_000_000_000, 10_000_000_000, "Large"],
        [-1, 5, "#NUM!", "#NUM!"],
        [200, 1_000_000_000, 200_000_000_000, "Mega"],
    ]
    assert (got["F1"].value, got["F2"].value, got["F7"].value) == ("#NUM!", "bad", "bad")
    formulas = openpyxl.load_workbook(tmp_path / "out.xlsx")["Caps"]
    assert formulas["C2"].value.ref == "C2:C4" and formulas["C3"].data_type == "e"  # a value, no formula


def test_write_values_types_and_new_cells(tmp_path):
    src = tmp_path / "a.xlsx"
    wb = xlsxwriter.Workbook(src)
    ws = wb.add_worksheet("My Sheet")
    ws.write("B2", "keep me")
    ws.write_formula("B3", "=1+1")
    ws.set_column("D:D", 10, wb.add_format({"num_format": "0.00"}))
    wb.close()
    calc.write_values(
        src,
        src,
        {
            ("My Sheet", "B3"): 2,
            ("my sheet", "A3"): 1.5,
            ("My Sheet", "C3"): 'a<b & "c"',
            ("My Sheet", "D3"): False,
            ("My Sheet", "E3"): ExcelError("#DIV/0!"),
            ("My Sheet", "F3"): float("nan"),
            ("My Sheet", "G3"): float("-inf"),
            ("My Sheet", "D9"): 1e20,
            ("My Sheet", "A1"): "#N/A",
        },
    )
    got = openpyxl.load_workbook(src, data_only=True)["My Sheet"]
    assert [c.value for c in got[3]] == [1.5, 2, 'a<b & "c"', False, "#DIV/0!", "#NUM!", "#NUM!"]
    assert got["B2"].value == "keep me" and got["D9"].value == 1e20 and got["A1"].value == "#N/A"
    assert got["D9"].number_format == "0.00"  # a new cell takes its column's format, as Excel shows it
    sheet = zipfile.ZipFile(src).read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="A1" t="str"><v>#N/A</v></c>' in sheet  # text, not an error: only ExcelError is one
    assert '<c r="B3"><f>1+1</f><v>2</v></c>' in sheet
    assert '<dimension ref="A1:G9"/>' in sheet
    with pytest.raises(KeyError, match="Nope"):
        calc.write_values(src, tmp_path / "b.xlsx", {("Nope", "A1"): 1})


def test_formulas_limits_are_reported_not_raised(tmp_path):
    wb = xlsxwriter.Workbook(tmp_path / "odd.xlsx")
    ws = wb.add_worksheet("S")
    ws.write_formula("A1", "=1e9*2")  # formulas rejects a lower-case exponent
    ws.write_formula("A2", "=A1+1")
    ws.write_formula("B1", "=C1+1")  # circular: Excel shows 0
    ws.write_formula("C1", "=B1+1")
    ws.write_formula("D1", "=2*3")
    wb.close()
    lines = []
    assert calc.main([str(tmp_path / "odd.xlsx"), "--engine", "formulas"], echo=lines.append) == 0
    assert lines[1:] == [
        "#VALUE! 2 cells: S!A1, S!A2",
        "warning: 1 cell formula not understood by formulas (written as #VALUE!): S!A1",
        "warning: 2 cells circular reference (written as 0): S!B1, S!C1",
    ]
    got = openpyxl.load_workbook(tmp_path / "odd.xlsx", data_only=True)["S"]
    assert [c.value for c in got[1]] == ["#VALUE!", 0, 0, 6]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.xlsx", None, "no such file"),
        ("fake.xlsx", b"Ticker,Price\nT1,10\n", "not an .xlsx workbook"),
        ("notes.txt", b"hello", "not an Excel workbook"),
        ("broken.xlsx", b"PK\x03\x04 truncated", "not an .xlsx workbook"),
    ],
)
def test_unusable_input_exit_code_2_one_line(tmp_path, capsys, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    lines = []
    assert calc.main([str(path)], echo=lines.append) == 2
    assert len(lines) == 1 and lines[0].startswith("xlfuncs calc: error: ") and message in lines[0]
    assert "Traceback" not in capsys.readouterr().err
    if content is not None:
        assert path.read_bytes() == content


def test_zip_without_workbook_and_unwritable_output(tmp_path):
    with zipfile.ZipFile(tmp_path / "other.xlsx", "w") as z:
        z.writestr("hello.txt", "not a workbook")
    lines = []
    assert calc.main([str(tmp_path / "other.xlsx")], echo=lines.append) == 2
    assert "not an .xlsx workbook" in lines[0]
    book = build_book(tmp_path / "book.xlsx")
    lines = []
    assert (
        calc.main(
            [str(book), "-o", str(tmp_path / "no" / "such" / "out.xlsx"), "--engine", "formulas"],
            echo=lines.append,
        )
        == 2
    )
    assert len(lines) == 1 and "cannot write" in lines[0]


def test_command_line_prints_only_the_summary(tmp_path):
    """No progress bar, warning or log output from formulas on the console."""
    book = build_book(tmp_path / "book.xlsx")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "xlfuncs.workbooks.calc",
            str(book),
            "-o",
            str(tmp_path / "o.xlsx"),
            "--engine",
            "formulas",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0 and run.stderr == ""
    assert run.stdout.splitlines()[1] == "#NUM! 4 cells: Data!G4, Data!H4, Data!I4, Data!J4"
    missing = subprocess.run(
        [sys.executable, "-m", "xlfuncs.workbooks.calc", str(tmp_path / "nope.xlsx")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and missing.stderr == ""
    assert missing.stdout.strip() == f"xlfuncs calc: error: {tmp_path / 'nope.xlsx'}: no such file"


def test_two_thousand_rows_with_spilled_columns_is_practical(tmp_path):
    """The issue's size: 2,000 rows, one spilled formula per column, a summary over the spills."""
    n, last = 2000, 2001
    rng = random.Random(3)
    rows = [
        (
            f"T{i:04d}",
            round(rng.uniform(1, 500), 2),
            rng.randint(1, 5000) * 1_000_000,
            rng.randint(0, 900) * 1_000_000,
            rng.randint(0, 400) * 1_000_000,
            rng.randint(-50, 500) * 1_000_000,
        )
        for i in range(n)
    ]
    wb = xlsxwriter.Workbook(tmp_path / "big.xlsx")
    ws = wb.add_worksheet("Data")
    ws.write_row(
        0, 0, ["Ticker", "Price", "Shares", "Debt", "Cash", "Earnings", "MCap", "EV", "Class", "P/E"]
    )
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, row)
    ws.write_dynamic_array_formula(1, 6, n, 6, f"=MARKETCAP(B2:B{last},C2:C{last})")
    ws.write_dynamic_array_formula(1, 7, n, 7, f"=EV(G2:G{last},D2:D{last},E2:E{last})")
    ws.write_dynamic_array_formula(1, 8, n, 8, f"=MCAPCLASS(G2:G{last})")
    ws.write_dynamic_array_formula(1, 9, n, 9, f"=MULTIPLE(G2:G{last},F2:F{last})")
    s = wb.add_worksheet("Summary")
    for r, label in enumerate(["Mega", "Large", "Mid", "Small", "Micro", "Nano"]):
        s.write(r, 0, label)
        s.write_formula(r, 1, f"=COUNTIFS(Data!I2:I{last},A{r + 1})")
        s.write_formula(r, 2, f"=SUMIFS(Data!G2:G{last},Data!I2:I{last},A{r + 1})")
    wb.close()

    start = time.perf_counter()
    summary = calc.calc(tmp_path / "big.xlsx", tmp_path / "out.xlsx", "formulas")
    seconds = time.perf_counter() - start
    print(f"2,000 rows: {summary.cells} formula cells in {seconds:.2f} s")
    assert summary.cells == 4 * n + 12 and not summary.errors
    assert seconds < 15  # about 1.5 s here; per-row formulas instead of spills take 15-19 s

    got = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)
    data = got["Data"]
    for r in (2, 1000, last):
        price, shares, debt, cash, earnings = rows[r - 2][1:]
        mcap = data[f"G{r}"].value
        assert math.isclose(mcap, price * shares, rel_tol=1e-15)
        assert math.isclose(data[f"H{r}"].value, mcap + debt - cash, rel_tol=1e-15)
        assert data[f"J{r}"].value == (mcap / earnings if earnings > 0 else "NM")
    classes = [data[f"I{r}"].value for r in range(2, last + 1)]
    counts = [got["Summary"][f"B{r}"].value for r in range(1, 7)]
    assert counts == [classes.count(c) for c in ["Mega", "Large", "Mid", "Small", "Micro", "Nano"]]
    assert sum(counts) == n


def test_sheet_xml_with_namespace_prefix_and_without_cell_references():
    """SpreadsheetML from other writers: an ``x:`` prefix, rows and cells without ``r``."""
    xml = (
        '<x:worksheet xmlns:x="urn"><x:dimension ref="A1:B1"/><x:sheetData><x:row><x:c><x:v>1</x:v></x:c>'
        '<x:c><x:f>A1*2</x:f></x:c></x:row><x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t>hi</x:t></x:is>'
        "</x:c></x:row></x:sheetData></x:worksheet>"
    )
    patched = calc._SheetPatcher(xml, {"B1": 2, "A2": ExcelError("#N/A"), "C3": "z"}).patch()
    assert patched == (
        '<x:worksheet xmlns:x="urn"><x:dimension ref="A1:C3"/><x:sheetData><x:row><x:c><x:v>1</x:v></x:c>'
        '<x:c><x:f>A1*2</x:f><x:v>2</x:v></x:c></x:row><x:row r="2"><x:c r="A2" t="e"><x:v>#N/A</x:v></x:c>'
        '</x:row><x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t>hi</x:t></x:is></x:c>'
        '<x:c r="C3" t="str"><x:v>z</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    )


# --- the one-pass patch (cells found by their r) against the general merge --------------------------

# A sheet as Excel writes one: shared strings, shared and array formulas, an empty styled cell, an inline
# string, a cached text result, a formula cell without a cached value.
SHEET = (
    '<worksheet xmlns="urn"><dimension ref="A1:E3"/><sheetData>'
    '<row r="1" spans="1:5"><c r="A1" t="s"><v>0</v></c><c r="B1" s="2"><f>1+1</f><v>0</v></c>'
    '<c r="C1" s="1"/><c r="D1" t="inlineStr"><is><t>old</t></is></c><c r="E1" t="str"><f>"a"</f><v>a</v></c>'
    "</row>"
    '<row r="2" spans="1:5"><c r="A2"><f t="shared" ref="A2:A3" si="0">B1*2</f><v>1</v></c>'
    '<c r="B2" cm="1"><f t="array" ref="B2:B3">SEQUENCE(2)</f><v>0</v></c><c r="C2"><f>1/0</f><v>0</v></c>'
    '<c r="D2"><v>5</v></c></row>'
    '<row r="3"><c r="A3"><f t="shared" si="0"/><v>1</v></c><c r="B3"><v>0</v></c>'
    '<c r="C3" s="4"><f>A1</f></c></row>'
    "</sheetData></worksheet>"
)
# Every cell but A1 and D2 written, one value of each kind.
SHEET_VALUES = {
    "B1": 2,
    "C1": "x<y",
    "D1": 1.5,
    "E1": None,
    "A2": 2.0,
    "B2": 7,
    "C2": ExcelError("#DIV/0!"),
    "A3": True,
    "B3": float("nan"),
    "C3": "_x0041_ & z",
}
# ... and the sheet with those values, written by hand.
SHEET_PATCHED = (
    '<worksheet xmlns="urn"><dimension ref="A1:E3"/><sheetData>'
    '<row r="1" spans="1:5"><c r="A1" t="s"><v>0</v></c><c r="B1" s="2"><f>1+1</f><v>2</v></c>'
    '<c r="C1" s="1" t="str"><v>x&lt;y</v></c><c r="D1"><v>1.5</v></c><c r="E1"><f>"a"</f></c>'
    "</row>"
    '<row r="2" spans="1:5"><c r="A2"><f t="shared" ref="A2:A3" si="0">B1*2</f><v>2</v></c>'
    '<c r="B2" cm="1"><f t="array" ref="B2:B3">SEQUENCE(2)</f><v>7</v></c>'
    '<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="D2"><v>5</v></c></row>'
    '<row r="3"><c r="A3" t="b"><f t="shared" si="0"/><v>1</v></c><c r="B3" t="e"><v>#NUM!</v></c>'
    '<c r="C3" s="4" t="str"><f>A1</f><v>_x005F_x0041_ &amp; z</v></c></row>'
    "</sheetData></worksheet>"
)


def prefixed(xml):
    """The same SpreadsheetML with every element in the ``x:`` prefix (as some writers use)."""
    return re.sub(r"<(/?)(\w)", r"<\1x:\2", xml).replace('xmlns="urn"', 'xmlns:x="urn"')


def both_ways(xml, cells):
    """(one pass, general merge, what patch() chose): the whole patched XML each way; no one pass (None)
    unless each cell to write is in the XML with its r first."""
    patcher = calc._SheetPatcher(xml, cells)
    head = patcher._dimension(patcher.head)
    one_pass = None
    if cells.keys() <= set(re.findall(r'<(?:\w+:)?c r="([^"]*)"', xml)):
        one_pass = head + "".join(patcher._patch_found(patcher._cuts())) + patcher.tail
    general = head + patcher._patch_general(patcher.body) + patcher.tail
    return one_pass, general, patcher.patch()


@pytest.mark.parametrize("piece", [calc._PIECE, 1])  # 1: a piece per row
@pytest.mark.parametrize("columns", [calc._COLUMNS, 2])  # 2: the five columns A:E matched as any letters
@pytest.mark.parametrize("form", [str, prefixed])
def test_one_pass_and_general_merge_write_the_same_bytes(form, columns, piece, monkeypatch):
    monkeypatch.setattr(calc, "_PIECE", piece)
    monkeypatch.setattr(calc, "_COLUMNS", columns)
    xml, expected = form(SHEET), form(SHEET_PATCHED)
    assert both_ways(xml, SHEET_VALUES) == (expected, expected, expected)


def test_a_cell_not_in_the_file_is_created_by_the_general_merge():
    """D3 (after the last cell of its row, in a styled column) and A5 (a new row) are missing; B1 is not."""
    xml = SHEET.replace("<dimension", '<cols><col min="4" max="4" width="9" style="7"/></cols><dimension')
    xml = xml.replace('<row r="3">', '<row r="3" spans="1:3">')
    one_pass, general, chosen = both_ways(xml, {"B1": 2, "D3": "new", "A5": 9})
    assert one_pass is None and general == chosen == (
        xml.replace('<v>0</v></c><c r="C1"', '<v>2</v></c><c r="C1"')
        .replace('<dimension ref="A1:E3"/>', '<dimension ref="A1:E5"/>')
        .replace(
            '<row r="3" spans="1:3">',
            '<row r="3">',  # spans, a hint that may now be too narrow, is dropped
        )
        .replace(
            '<c r="C3" s="4"><f>A1</f></c></row>',
            '<c r="C3" s="4"><f>A1</f></c><c r="D3" s="7" t="str"><v>new</v></c></row>'
            '<row r="5"><c r="A5"><v>9</v></c></row>',
        )
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('<c r="B1" s="2">', '<c s="2" r="B1">'),  # r not the first attribute
        ('<c r="A2">', "<c>"),  # a cell without r (A2: the first of its row)
        ('<c r="B1" s="2">', '<c r="b1" s="2">'),  # r not spelt as Excel does
    ],
)
def test_cells_the_one_pass_cannot_name_go_the_general_way(before, after):
    xml = SHEET.replace(before, after)
    one_pass, general, chosen = both_ways(xml, {"B1": 2, "A2": 2.0})
    assert one_pass is None
    expected = xml.replace("<f>1+1</f><v>0</v>", "<f>1+1</f><v>2</v>").replace(
        "B1*2</f><v>1</v>", "B1*2</f><v>2</v>"
    )
    assert chosen == general == expected


def test_references_with_dollars_or_lower_case_and_a_self_closed_sheet_data():
    """``$B$1`` and ``b1`` name B1 (the later value wins); ``<sheetData/>`` is opened for a new row."""
    patched = calc._SheetPatcher(SHEET, {"$B$1": 3, "b1": 2, "C3": "_x0041_ & z"}).patch()
    assert patched == SHEET.replace("<f>1+1</f><v>0</v>", "<f>1+1</f><v>2</v>").replace(
        '<c r="C3" s="4"><f>A1</f></c>', '<c r="C3" s="4" t="str"><f>A1</f><v>_x005F_x0041_ &amp; z</v></c>'
    )
    empty = '<worksheet><dimension ref="A1"/><sheetData/><pageMargins/></worksheet>'
    assert calc._SheetPatcher(empty, {"B2": 1}).patch() == (
        '<worksheet><dimension ref="A1:B2"/><sheetData><row r="2"><c r="B2"><v>1</v></c></row></sheetData>'
        "<pageMargins/></worksheet>"
    )


def test_size_bound_covers_the_longest_growth():
    """Control characters become _xHHHH_ (7 characters), non-ASCII text 2 to 4 bytes a character."""
    xml = '<worksheet><dimension ref="A1"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
    xml += "<headerFooter><oddHeader>\U0001f600\u20ac</oddHeader></headerFooter></worksheet>"
    cells = {"A1": "\x01" * 100, "B7": "\U0001f600" * 50, "XFD1048576": ExcelError("#DIV/0!"), "C1": -1e-300}
    patcher = calc._SheetPatcher(xml, cells)
    size = len(xml.encode("utf-8"))
    assert len(patcher.patch().encode("utf-8")) <= patcher.size_bound(size) < 10_000


def random_sheet_book(path, rows, rng):
    """An XlsxWriter book: numbers, text, formulas and a spilled formula, every cell with its r."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Data")
    for r in range(rows):
        ws.write_row(r, 0, [rng.random() * 1e6, f"T{r}", rng.randint(-5, 5)])
        ws.write_formula(r, 3, f"=A{r + 1}*C{r + 1}")
    ws.write_dynamic_array_formula(0, 4, rows - 1, 4, f"=A1:A{rows}*2")
    wb.close()
    return path


def test_one_pass_and_general_merge_agree_on_a_random_sheet_and_openpyxl_reads_the_values(tmp_path):
    rng = random.Random(11)
    src = random_sheet_book(tmp_path / "r.xlsx", 300, rng)
    kinds = [
        lambda: rng.random() * 10 ** rng.randint(-5, 20),
        lambda: rng.randint(-(10**6), 10**6),
        lambda: rng.choice(["plain", "a & b", "<tag>", "tab\there", "é€"]),
        lambda: rng.choice([True, False]),
        lambda: ExcelError(rng.choice(["#N/A", "#VALUE!", "#DIV/0!"])),
    ]
    values = {
        ("Data", f"{col}{row}"): rng.choice(kinds)()
        for row in range(1, 301)
        for col in "ABCDE"
        if rng.random() < 0.5
    }
    xml = zipfile.ZipFile(src).read("xl/worksheets/sheet1.xml").decode()
    one_pass, general, chosen = both_ways(xml, {ref: v for (_, ref), v in values.items()})
    assert one_pass == general == chosen
    calc.write_values(src, tmp_path / "out.xlsx", values)
    got = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["Data"]
    for (_, ref), value in values.items():
        assert got[ref].value == (str(value) if isinstance(value, ExcelError) else value), ref


def test_a_cell_missing_from_a_later_sheet_restarts_the_package_with_checks(tmp_path, monkeypatch):
    """Sheet A is written by the one pass, then sheet B misses Z9: the package is written again from its
    start, each sheet checked first (A by the one pass again, B by the general merge)."""
    src = tmp_path / "two.xlsx"
    wb = xlsxwriter.Workbook(src)
    for name in "AB":
        ws = wb.add_worksheet(name)
        for r in range(30):
            ws.write_formula(r, 0, f"=ROW()*{r}")
    wb.close()
    checked = []
    pieces = calc._SheetPatcher.pieces
    monkeypatch.setattr(calc._SheetPatcher, "pieces", lambda self, c: checked.append(c) or pieces(self, c))
    values = {("A", f"A{r}"): r * 1.5 for r in range(1, 31)} | {("B", "A3"): "x", ("B", "Z9"): 7}
    calc.write_values(src, tmp_path / "out.xlsx", values)
    assert checked == [False, False, True, True]
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        assert z.testzip() is None and z.namelist() == zipfile.ZipFile(src).namelist()
    got = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)
    assert [got["A"][f"A{r}"].value for r in range(1, 31)] == [r * 1.5 for r in range(1, 31)]
    assert (got["B"]["A3"].value, got["B"]["Z9"].value, got["B"]["A4"].value) == ("x", 7, 0)


def test_a_failing_writer_thread_stops_the_write_and_leaves_the_file(tmp_path, monkeypatch):
    """A write error in the compressing thread (a full disk) reaches the caller; nothing is left behind."""
    src = random_sheet_book(tmp_path / "r.xlsx", 50, random.Random(1))
    before = src.read_bytes()
    write, threads = zipfile._ZipWriteFile.write, []

    def full_disk(self, data):
        if self._zinfo.filename != "xl/worksheets/sheet1.xml":
            return write(self, data)
        threads.append(threading.current_thread())
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(calc, "_PIECE", 1)  # several pieces: the error comes while more are made
    monkeypatch.setattr(zipfile._ZipWriteFile, "write", full_disk)
    with pytest.raises(OSError, match="No space left"):
        calc.write_values(src, src, {("Data", f"D{r}"): r for r in range(1, 51)})
    assert threads and threading.main_thread() not in threads and src.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_a_bad_reference_is_refused_and_leaves_the_file(tmp_path):
    src = random_sheet_book(tmp_path / "r.xlsx", 5, random.Random(1))
    before = src.read_bytes()
    with pytest.raises(ValueError, match="not a cell reference: 'D'"):
        calc.write_values(src, src, {("Data", "D1"): 1, ("Data", "D"): 2})
    assert src.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_patched_parts_keep_their_zip_header(tmp_path):
    """Name, date, compression, and no ZIP64 extension for a part far from 2 GiB."""
    src = random_sheet_book(tmp_path / "r.xlsx", 20, random.Random(2))
    calc.write_values(src, tmp_path / "out.xlsx", {("Data", "D1"): 1})
    old, new = (
        zipfile.ZipFile(src).getinfo("xl/worksheets/sheet1.xml"),
        zipfile.ZipFile(tmp_path / "out.xlsx").getinfo("xl/worksheets/sheet1.xml"),
    )
    assert (new.date_time, new.compress_type, new.extract_version) == (old.date_time, old.compress_type, 20)
    assert new.extra == b""


ORACLE = Path(__file__).resolve().parents[2] / "shared" / "excel-oracle"


@pytest.mark.skipif(
    not (ORACLE / "truth.json").is_file(),
    reason="needs ../shared/excel-oracle beside the repository (Excel-saved workbooks, kept out of it)",
)
def test_one_pass_and_general_merge_agree_on_every_excel_saved_sheet():
    """Every cell of every sheet Excel saved in the oracle corpus written, with values of each kind
    in turn (one column of cells left out, so that some cells stay as they were)."""
    kinds = [1.25, -3, "a & <b>", True, ExcelError("#N/A"), None, 1e300, "é"]
    sheets = 0
    for book in sorted(ORACLE.glob("*.xlsx")):
        with zipfile.ZipFile(book) as z:
            for part in calc.xlsx.sheet_parts(z).values():
                xml = z.read(part).decode("utf-8")
                refs = [r for r in re.findall(r'<c r="([A-Z]+[0-9]+)"', xml) if not r.startswith("B")]
                cells = {ref: kinds[i % len(kinds)] for i, ref in enumerate(refs)}
                one_pass, general, chosen = both_ways(xml, cells)
                assert one_pass == general == chosen, (book.name, part)
                sheets += bool(cells)
    assert sheets >= 20


@pytest.mark.skipif(
    not (ORACLE / "truth.json").is_file(),
    reason="needs ../shared/excel-oracle beside the repository (Excel-saved workbooks, kept out of it)",
)
@pytest.mark.parametrize("name", ["25_advanced.xlsx", "26_basic_evaluation.xlsx"])
def test_formulas_engine_survives_what_solve_circular_cannot(name, tmp_path):
    """formulas 1.3's solve_circular raised AttributeError on these Excel-saved books (issue 10):
    now the cells it leaves out are #VALUE! and named in a warning, and the rest is computed."""
    truth = json.loads((ORACLE / "truth.json").read_text())[name]
    summary = calc.calc(ORACLE / name, tmp_path / "out.xlsx", "formulas")
    assert summary.problems[calc.UNCOMPUTED]
    got = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)
    numbers = [(ref, v) for ref, (kind, v) in truth.items() if kind == "n"]
    agree = 0
    for ref, expected in numbers:
        sheet, cell = ref.rsplit("!", 1)
        value = got[sheet][cell].value
        agree += isinstance(value, (int, float)) and math.isclose(
            value, expected, rel_tol=1e-9, abs_tol=1e-12
        )
    assert agree >= len(numbers) / 3, (agree, len(numbers))  # Excel's own values for most numbers


def test_libreoffice_failing_on_a_book_falls_back_to_formulas(tmp_path, monkeypatch):
    """Calc 25.2 aborts importing some Excel-saved books (27_test.xlsx of the oracle corpus): the book is
    then computed by formulas, and the summary says so for every cell."""
    from xlfuncs.workbooks import libreoffice

    def crash(path, *args, **kwargs):
        raise libreoffice.LibreOfficeError(
            "LibreOffice failed to convert book.xlsx: Fatal exception: Signal 6"
        )

    monkeypatch.setattr(libreoffice, "compute", crash)
    monkeypatch.setattr(libreoffice, "engine_available", lambda: True)
    book = build_book(tmp_path / "book.xlsx")
    summary = calc.calc(book, tmp_path / "out.xlsx", "libreoffice")
    [(problem, cells)] = summary.problems.items()
    assert problem.startswith(
        "computed with formulas: LibreOffice failed (LibreOfficeError: LibreOffice failed"
    )
    assert len(cells) == len(EXPECTED)
    values = cell_values(tmp_path / "out.xlsx")
    assert all(same(values[k], v) for k, v in EXPECTED.items())

"""`xlfuncs calc`: workbooks computed by `formulas` (the pip-only engine), results stored as cached values,
file kept intact.  The LibreOffice engine: tests/calc/test_libreoffice.py; the sheet patcher:
tests/xlsx/test_patch.py."""

import json
import math
import random
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.worksheet.formula import ArrayFormula

from tests.helpers.calc_book import EXPECTED, build_book, cell_values, same
from xlfuncs.calc import command, workbook
from xlfuncs.calc.results import UNCOMPUTED, ExcelError

ERRORS = {"#NUM!": 4, "#N/A": 2, "#NAME?": 1}


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    """The test book, computed once: (source, output, summary lines, exit code)."""
    folder = tmp_path_factory.mktemp("calc")
    src = build_book(folder / "book.xlsx")
    lines = []
    code = command.main([str(src), "-o", str(folder / "out.xlsx"), "--engine", "formulas"], echo=lines.append)
    return src, folder / "out.xlsx", lines, code


def test_every_formula_cell_gets_its_value(computed):
    _src, out, lines, code = computed
    assert code == 0, lines
    values = cell_values(out)
    wrong = {k: (values[k], v) for k, v in EXPECTED.items() if not same(values[k], v)}
    assert not wrong


def test_calculate_returns_every_formula_cell_with_real_sheet_names(computed):
    src = computed[0]
    values = workbook.compute(src, "formulas")
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
    summary = workbook.calc(computed[0], out, "formulas")
    assert dict(summary.errors) == ERRORS and summary.cells == len(EXPECTED) and not summary.problems


def test_in_place_and_repeatable(tmp_path):
    book = build_book(tmp_path / "book.xlsx")
    summary = workbook.calc(book, engine="formulas")  # no output: the values go into the book itself
    assert summary.output == book and "in place" in summary.lines()[0]
    values = cell_values(book)
    assert all(same(values[k], v) for k, v in EXPECTED.items())
    first = zipfile.ZipFile(book).read("xl/worksheets/sheet1.xml")
    workbook.calc(book, engine="formulas")
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
        command.main(
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
    workbook.write_values(
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
        workbook.write_values(src, tmp_path / "b.xlsx", {("Nope", "A1"): 1})


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
    assert command.main([str(tmp_path / "odd.xlsx"), "--engine", "formulas"], echo=lines.append) == 0
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
    assert command.main([str(path)], echo=lines.append) == 2
    assert len(lines) == 1 and lines[0].startswith("xlfuncs calc: error: ") and message in lines[0]
    assert "Traceback" not in capsys.readouterr().err
    if content is not None:
        assert path.read_bytes() == content


def test_zip_without_workbook_and_unwritable_output(tmp_path):
    with zipfile.ZipFile(tmp_path / "other.xlsx", "w") as z:
        z.writestr("hello.txt", "not a workbook")
    lines = []
    assert command.main([str(tmp_path / "other.xlsx")], echo=lines.append) == 2
    assert "not an OOXML package" in lines[0]
    book = build_book(tmp_path / "book.xlsx")
    lines = []
    assert (
        command.main(
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
            "xlfuncs.calc.command",
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
        [sys.executable, "-m", "xlfuncs.calc.command", str(tmp_path / "nope.xlsx")],
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
    summary = workbook.calc(tmp_path / "big.xlsx", tmp_path / "out.xlsx", "formulas")
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


ORACLE = Path(__file__).resolve().parents[3] / "shared" / "excel-oracle"


@pytest.mark.skipif(
    not (ORACLE / "truth.json").is_file(),
    reason="needs ../shared/excel-oracle beside the repository (Excel-saved workbooks, kept out of it)",
)
@pytest.mark.parametrize("name", ["25_advanced.xlsx", "26_basic_evaluation.xlsx"])
def test_formulas_engine_survives_what_solve_circular_cannot(name, tmp_path):
    """formulas 1.3's solve_circular raises AttributeError on these Excel-saved books: the cells it
    leaves out are #VALUE! and named in a warning, and the rest is computed."""
    truth = json.loads((ORACLE / "truth.json").read_text())[name]
    summary = workbook.calc(ORACLE / name, tmp_path / "out.xlsx", "formulas")
    assert summary.problems[UNCOMPUTED]
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
    """Calc 25.2 aborts importing some Excel-saved books (27_test.xlsx of the oracle corpus): with
    ``auto`` the book is then computed by formulas, and the summary's first line says so; asked for by
    name, LibreOffice's failure is the command's."""
    from xlfuncs.calc.libreoffice import engine as libreoffice
    from xlfuncs.runtimes.libreoffice.office import LibreOfficeError

    def crash(path, *args, **kwargs):
        raise LibreOfficeError("LibreOffice failed to convert book.xlsx: Fatal exception: Signal 6")

    monkeypatch.setattr(libreoffice, "compute", crash)
    monkeypatch.setattr(libreoffice, "engine_available", lambda: True)
    book = build_book(tmp_path / "book.xlsx")
    summary = workbook.calc(book, tmp_path / "out.xlsx", "auto")
    assert summary.engine.startswith("formulas (LibreOffice failed: LibreOfficeError: LibreOffice failed")
    assert summary.engine in summary.lines()[0] and summary.problems == {}
    with pytest.raises(workbook.CalcInputError, match="LibreOffice could not compute it"):
        workbook.calc(book, tmp_path / "out2.xlsx", "libreoffice")  # asked for by name: no fallback
    values = cell_values(tmp_path / "out.xlsx")
    assert all(same(values[k], v) for k, v in EXPECTED.items())

"""The committed template workbooks: reproducible, computed, spilling, and only known functions."""

import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from xlfuncs import REGISTRY
from xlfuncs.calc.workbook import calc
from xlfuncs.runtimes.names import builtin_functions
from xlfuncs.workbooks import universe_book
from xlfuncs.workbooks.demo import read_examples
from xlfuncs.workbooks.templates import TEMPLATES, _package, build, build_universe_screen, cells, write_all

WORKBOOKS = Path(__file__).resolve().parents[2] / "workbooks"


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_committed_workbook_equals_a_fresh_build(name, tmp_path):
    build(name, tmp_path / name)
    assert cells(WORKBOOKS / name) == cells(tmp_path / name), "run: xlfuncs workbooks --force"
    assert _package(WORKBOOKS / name) == _package(tmp_path / name), "run: xlfuncs workbooks --force"


def test_edited_workbook_is_kept_unless_forced(tmp_path):
    assert write_all(tmp_path, out=lambda _: None) == 0
    assert write_all(tmp_path, out=lambda _: None) == 0  # unchanged: nothing to do
    book = tmp_path / "valuation_bridge.xlsx"
    wb = openpyxl.load_workbook(book)
    wb["Valuation bridge"]["B5"] = 42  # someone typed their own share price
    wb.save(book)
    said = []
    assert write_all(tmp_path, out=said.append) == 1
    assert any("valuation_bridge.xlsx: differs" in line and "--force" in line for line in said)
    assert openpyxl.load_workbook(book)["Valuation bridge"]["B5"].value == 42
    assert write_all(tmp_path, force=True, out=lambda _: None) == 0
    assert openpyxl.load_workbook(book)["Valuation bridge"]["B5"].value == 50


def test_every_example_matches_the_article_after_xlfuncs_calc(tmp_path):
    """Compute a copy of the committed workbook from scratch and check every figure."""
    book = tmp_path / "article_examples.xlsx"
    shutil.copyfile(WORKBOOKS / book.name, book)
    summary = calc(book)
    assert not summary.errors, summary.lines()
    for example, rows, _ in read_examples(book):
        for row in rows:
            assert row["ok"], (example.sheet, row["figure"].label, row["ours"], row["native"], row["python"])


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_formulas_use_only_our_functions_and_excel_builtins(name):
    known = set(REGISTRY) | builtin_functions()
    wb = openpyxl.load_workbook(WORKBOOKS / name)
    used = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                text = getattr(c.value, "text", c.value)
                if isinstance(text, str) and text.startswith("="):
                    calls = re.findall(r"([A-Za-z_][\w.]*)\(", text)
                    used |= {n.removeprefix("_xlfn.").removeprefix("_xlws.") for n in calls}
    assert used and used <= known, used - known


def _xml(name: str) -> str:
    with zipfile.ZipFile(WORKBOOKS / name) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


def test_spilled_results_are_dynamic_array_formulas_with_plain_names():
    xml = _xml("universe_screen.xlsx")
    for column, function in zip("GHIJ", ("MARKETCAP", "EV", "MCAPCLASS", "MULTIPLE"), strict=True):
        cell = re.search(rf'<c r="{column}5"[^>]*>.*?</c>', xml).group(0)
        assert 'cm="1"' in cell  # dynamic-array cell metadata: Excel 365 spills it, no implicit @
        assert f'<f t="array" ref="{column}5:{column}2004">{function}(' in cell
    assert "_xludf" not in xml and "_xldudf" not in xml
    with zipfile.ZipFile(WORKBOOKS / "universe_screen.xlsx") as z:
        metadata = z.read("xl/metadata.xml").decode()
        book = z.read("xl/workbook.xml").decode()
    assert 'name="XLDAPR"' in metadata and 'fDynamic="1"' in metadata
    # the result columns read the rows that hold a ticker (they grow and shrink with the data);
    # without FILTER (Excel 2019) the rows written
    rows_with_ticker = '_xlfn._xlws.FILTER(Universe!$B$5:$B$10004,Universe!$A$5:$A$10004&lt;&gt;"")'
    price = f"IF(ISERROR(ROWS({rows_with_ticker})),Universe!$B$5:$B$2004,{rows_with_ticker})"
    assert f'<definedName name="Price">{price}</definedName>' in book


def test_cached_values_are_stored_for_viewers_without_the_add_in():
    wb = openpyxl.load_workbook(WORKBOOKS / "universe_screen.xlsx", data_only=True)
    ws = wb["Universe"]
    for r in (5, 1000, 2004):
        price, shares, debt, cash, ebitda = (ws.cell(r, c).value for c in range(2, 7))
        assert ws.cell(r, 7).value == pytest.approx(price * shares, rel=1e-12)
        assert ws.cell(r, 8).value == pytest.approx(price * shares + debt - cash, rel=1e-12)
        assert ws.cell(r, 9).value in {"Mega", "Large", "Mid", "Small", "Micro", "Nano"}
        multiple = ws.cell(r, 10).value
        assert (
            multiple == "NM"
            if ebitda <= 0
            else multiple == pytest.approx((price * shares + debt - cash) / ebitda)
        )
    assert wb["Summary"]["B11"].value == 2000


def test_a_changed_part_other_than_the_cells_counts_as_edited(tmp_path):
    """Names, charts and styles are compared too, not only the cells."""
    assert write_all(tmp_path, out=lambda _: None) == 0
    book = tmp_path / "universe_screen.xlsx"
    with zipfile.ZipFile(book) as z:
        parts = {info: z.read(info) for info in z.infolist()}
    with zipfile.ZipFile(book, "w") as z:
        for info, data in parts.items():
            if info.filename == "xl/workbook.xml":
                data = data.replace(b'<definedName name="Price">', b'<definedName name="Price2">')
            z.writestr(info, data)
    said = []
    assert write_all(tmp_path, out=said.append) == 1
    assert any("universe_screen.xlsx: differs" in line for line in said)


def _parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode() for n in z.namelist() if n.endswith(".xml")}


def test_a_book_beyond_10000_rows_covers_its_rows_in_every_formula(tmp_path):
    """--rows 12000: the names, the screen (both), the summary, the chart and the note cover rows 5..12004."""
    path = tmp_path / "universe_screen.xlsx"
    build_universe_screen(path, n=12_000)
    parts = _parts(path)
    universe, screen, summary = (parts[f"xl/worksheets/sheet{i}.xml"] for i in (1, 2, 3))
    rows_with_ticker = '_xlfn._xlws.FILTER(Universe!$B$5:$B$12004,Universe!$A$5:$A$12004&lt;&gt;"")'
    price = f"IF(ISERROR(ROWS({rows_with_ticker})),Universe!$B$5:$B$12004,{rows_with_ticker})"
    assert f'<definedName name="Price">{price}</definedName>' in parts["xl/workbook.xml"]
    assert '<c r="G5" s="10" cm="1"><f t="array" ref="G5:G12004">MARKETCAP(Price,Shares)</f>' in universe
    assert '<f t="array" ref="K5:K12004">IF(($G$5:$G$12004&gt;=Screen!$B$4)' in universe
    assert (
        "_xlfn._xlws.SORT(_xlfn._xlws.FILTER(Universe!$A$5:$J$12004,(Universe!$G$5:$G$12004&gt;=$B$4)"
        in screen
    )
    assert "<f>COUNT(Universe!$K$5:$K$12004)</f>" in screen
    assert '<f>IFERROR(LARGE(Universe!$K$5:$K$12004,20),"")</f>' in screen
    assert "<f>COUNTIFS(Universe!$I$5:$I$12004,$A5)</f>" in summary
    assert "<c:f>Universe!$J$5:$J$12004</c:f>" in parts["xl/charts/chart2.xml"]
    assert not any("$10004" in xml or "$12005" in xml for xml in parts.values())  # no bound but n
    note = openpyxl.load_workbook(path)["Universe"]["A2"].value
    assert "(up to 12,000 rows, no blank tickers)" in note


def test_a_small_book_leaves_room_for_10000_pasted_rows(tmp_path):
    path = tmp_path / "universe_screen.xlsx"
    build_universe_screen(path, n=300)
    parts = _parts(path)
    assert "Universe!$B$5:$B$304," in parts["xl/workbook.xml"]  # Excel 2019: the rows written
    assert "FILTER(Universe!$B$5:$B$10004,Universe!$A$5:$A$10004" in parts["xl/workbook.xml"]
    assert "<f>COUNTIFS(Universe!$I$5:$I$10004,$A5)</f>" in parts["xl/worksheets/sheet3.xml"]
    assert "(up to 10,000 rows, no blank tickers)" in openpyxl.load_workbook(path)["Universe"]["A2"].value


def test_rows_beyond_the_bound_are_refused_in_one_line_before_writing(tmp_path):
    with pytest.raises(ValueError, match=r"^rows must be between 1 and 100,000; got 100,001$"):
        build_universe_screen(tmp_path / "u.xlsx", n=100_001)
    run = subprocess.run(
        [sys.executable, "-m", "xlfuncs.cli", "workbooks", str(tmp_path / "w"), "--rows", "100001"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and not run.stdout
    assert run.stderr == "xlfuncs workbooks: error: rows must be between 1 and 100,000; got 100,001\n"
    assert not (tmp_path / "w").exists()


def _screen_by_hand(rows: list[tuple]) -> list[tuple[str, float]]:
    """(ticker, market cap) of every company the screen's defaults pass, by the articles' thresholds."""
    out = []
    for ticker, price, shares, debt, cash, ebitda in rows:
        cap = price * shares
        size = next(name for name, floor in CLASS_FLOORS if cap >= floor)
        if (
            cap >= 1e9
            and size in ("Large", "Mid", "Small")
            and ebitda > 0
            and (cap + debt - cash) / ebitda <= 15
        ):
            out.append((ticker, cap))
    return out


CLASS_FLOORS = (
    ("Mega", 200e9),
    ("Large", 10e9),
    ("Mid", 2e9),
    ("Small", 300e6),
    ("Micro", 50e6),
    ("Nano", 0),
)


def test_a_computed_book_beyond_10000_rows_counts_every_company(tmp_path):
    """10,050 companies: the summary, the screen and its spilled list reach the last row."""
    n = 10_050
    path = tmp_path / "universe_screen.xlsx"
    build("universe_screen.xlsx", path, rows=n, engine="auto")  # LibreOffice: 3 s; formulas: 25 s
    wb = openpyxl.load_workbook(path, data_only=True)
    rows = universe_book.universe_rows(n)
    in_order = _screen_by_hand(rows)
    assert universe_book.passing(rows, *universe_book.SCREEN_DEFAULTS) == [t for t, _ in in_order]
    by_hand = sorted(in_order, key=lambda c: -c[1])  # the spilled list: largest first
    assert wb["Summary"]["B11"].value == n
    counts = Counter(next(name for name, floor in CLASS_FLOORS if p * s >= floor) for _, p, s, *_ in rows)
    assert [wb["Summary"][f"B{5 + i}"].value for i in range(6)] == [counts[c] for c, _ in CLASS_FLOORS]
    screen = wb["Screen"]
    assert screen["B15"].value == len(by_hand)
    spilled = [screen.cell(4 + i, 12).value for i in range(len(by_hand) + 1)]
    assert spilled == [t for t, _ in by_hand] + [None]
    last = wb["Universe"]
    assert last[f"A{n + 4}"].value == rows[-1][0]
    assert last[f"G{n + 4}"].value == pytest.approx(rows[-1][1] * rows[-1][2], rel=1e-12)

"""The committed template workbooks: reproducible, computed, spilling, and only known functions."""

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from xlfuncs import REGISTRY
from xlfuncs.runtimes.names import builtin_functions
from xlfuncs.workbooks.calc import calc
from xlfuncs.workbooks.demo import read_examples
from xlfuncs.workbooks.templates import TEMPLATES, _package, build, cells, write_all

WORKBOOKS = Path(__file__).resolve().parents[1] / "workbooks"


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

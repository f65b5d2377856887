"""The sheet patcher of ``xlfuncs calc``: cached values written into sheet XML, everything else kept.
The one-pass patch (cells found by their ``r``) and the general merge write the same bytes."""

import itertools
import random
import re
import threading
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from xlfuncs.calc.results import ExcelError, encode
from xlfuncs.calc.workbook import write_values
from xlfuncs.xlsx import patch
from xlfuncs.xlsx.package import sheet_parts

ORACLE = Path(__file__).resolve().parents[3] / "shared" / "excel-oracle"


def sheet_patcher(xml, cells):
    return patch.SheetPatcher(xml, cells, encode)


def test_sheet_xml_with_namespace_prefix_and_without_cell_references():
    """SpreadsheetML from other writers: an ``x:`` prefix, rows and cells without ``r``."""
    xml = (
        '<x:worksheet xmlns:x="urn"><x:dimension ref="A1:B1"/><x:sheetData><x:row><x:c><x:v>1</x:v></x:c>'
        '<x:c><x:f>A1*2</x:f></x:c></x:row><x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t>hi</x:t></x:is>'
        "</x:c></x:row></x:sheetData></x:worksheet>"
    )
    patched = sheet_patcher(xml, {"B1": 2, "A2": ExcelError("#N/A"), "C3": "z"}).patch()
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
    patcher = sheet_patcher(xml, cells)
    head = patcher._dimension(patcher.head)
    one_pass = None
    if cells.keys() <= set(re.findall(r'<(?:\w+:)?c r="([^"]*)"', xml)):
        one_pass = head + "".join(patcher._patch_found(patcher._cuts())) + patcher.tail
    general = head + patcher._patch_general(patcher.body) + patcher.tail
    return one_pass, general, patcher.patch()


@pytest.mark.parametrize("piece", [patch._PIECE, 1])  # 1: a piece per row
@pytest.mark.parametrize("columns", [patch._COLUMNS, 2])  # 2: the five columns A:E matched as any letters
@pytest.mark.parametrize("form", [str, prefixed])
def test_one_pass_and_general_merge_write_the_same_bytes(form, columns, piece, monkeypatch):
    monkeypatch.setattr(patch, "_PIECE", piece)
    monkeypatch.setattr(patch, "_COLUMNS", columns)
    xml, expected = form(SHEET), form(SHEET_PATCHED)
    assert both_ways(xml, SHEET_VALUES) == (expected, expected, expected)


@pytest.mark.parametrize(("rows", "pieces"), [(10, 1), (20_000, 8), (200_000, 20)])
def test_a_sheet_is_cut_in_eighths_between_the_smallest_piece_and_the_largest(rows, pieces):
    """Compressing overlaps patching only from the second piece on: a small sheet is cut too."""
    row = '<row r="{0}"><c r="A{0}" s="1"><f>B{0}*2</f><v>0</v></c><c r="B{0}"><v>{0}</v></c></row>'
    body = "".join(row.format(r) for r in range(1, rows + 1))
    patcher = patch.SheetPatcher(f"<worksheet><sheetData>{body}</sheetData></worksheet>", {"A1": 1}, encode)
    cuts = patcher._cuts()
    assert len(cuts) == pieces
    assert cuts[0][0] == 0 and cuts[-1][1] == len(body)
    assert all(end == start for (_, end), (start, _) in itertools.pairwise(cuts))
    assert all(body[:end].endswith("</row>") for _, end in cuts)
    longest = max(end - start for start, end in cuts)
    assert longest < max(patch._SMALLEST_PIECE, min(patch._PIECE, len(body) // 8)) + len(row) + 12


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
    patched = sheet_patcher(SHEET, {"$B$1": 3, "b1": 2, "C3": "_x0041_ & z"}).patch()
    assert patched == SHEET.replace("<f>1+1</f><v>0</v>", "<f>1+1</f><v>2</v>").replace(
        '<c r="C3" s="4"><f>A1</f></c>', '<c r="C3" s="4" t="str"><f>A1</f><v>_x005F_x0041_ &amp; z</v></c>'
    )
    empty = '<worksheet><dimension ref="A1"/><sheetData/><pageMargins/></worksheet>'
    assert sheet_patcher(empty, {"B2": 1}).patch() == (
        '<worksheet><dimension ref="A1:B2"/><sheetData><row r="2"><c r="B2"><v>1</v></c></row></sheetData>'
        "<pageMargins/></worksheet>"
    )


def test_size_bound_covers_the_longest_growth():
    """Control characters become _xHHHH_ (7 characters), non-ASCII text 2 to 4 bytes a character."""
    xml = '<worksheet><dimension ref="A1"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
    xml += "<headerFooter><oddHeader>\U0001f600\u20ac</oddHeader></headerFooter></worksheet>"
    cells = {"A1": "\x01" * 100, "B7": "\U0001f600" * 50, "XFD1048576": ExcelError("#DIV/0!"), "C1": -1e-300}
    patcher = sheet_patcher(xml, cells)
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
    write_values(src, tmp_path / "out.xlsx", values)
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
    pieces = patch.SheetPatcher.pieces
    monkeypatch.setattr(patch.SheetPatcher, "pieces", lambda self, c: checked.append(c) or pieces(self, c))
    values = {("A", f"A{r}"): r * 1.5 for r in range(1, 31)} | {("B", "A3"): "x", ("B", "Z9"): 7}
    write_values(src, tmp_path / "out.xlsx", values)
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

    monkeypatch.setattr(patch, "_PIECE", 1)  # several pieces: the error comes while more are made
    monkeypatch.setattr(zipfile._ZipWriteFile, "write", full_disk)
    with pytest.raises(OSError, match="No space left"):
        write_values(src, src, {("Data", f"D{r}"): r for r in range(1, 51)})
    assert threads and threading.main_thread() not in threads and src.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_a_bad_reference_is_refused_and_leaves_the_file(tmp_path):
    src = random_sheet_book(tmp_path / "r.xlsx", 5, random.Random(1))
    before = src.read_bytes()
    with pytest.raises(ValueError, match="not a cell reference: 'D'"):
        write_values(src, src, {("Data", "D1"): 1, ("Data", "D"): 2})
    assert src.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_patched_parts_keep_their_zip_header(tmp_path):
    """Name, date, compression, and no ZIP64 extension for a part far from 2 GiB."""
    src = random_sheet_book(tmp_path / "r.xlsx", 20, random.Random(2))
    write_values(src, tmp_path / "out.xlsx", {("Data", "D1"): 1})
    old, new = (
        zipfile.ZipFile(src).getinfo("xl/worksheets/sheet1.xml"),
        zipfile.ZipFile(tmp_path / "out.xlsx").getinfo("xl/worksheets/sheet1.xml"),
    )
    assert (new.date_time, new.compress_type, new.extract_version) == (old.date_time, old.compress_type, 20)
    assert new.extra == b""


def test_patched_sheets_are_compressed_at_the_chosen_level(tmp_path):
    src = random_sheet_book(tmp_path / "r.xlsx", 2000, random.Random(3))
    write_values(src, tmp_path / "out.xlsx", {("Data", "D1"): 1})
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
        xml = z.read(info)
    sizes = {}
    for level in (patch._LEVEL, 6):
        deflate = zlib.compressobj(level, zlib.DEFLATED, -15)
        sizes[level] = len(deflate.compress(xml) + deflate.flush())
    assert sizes[patch._LEVEL] != sizes[6]  # (a sheet on which the two levels differ)
    assert info.compress_size == sizes[patch._LEVEL]


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
            for part in sheet_parts(z).values():
                xml = z.read(part).decode("utf-8")
                refs = [r for r in re.findall(r'<c r="([A-Z]+[0-9]+)"', xml) if not r.startswith("B")]
                cells = {ref: kinds[i % len(kinds)] for i, ref in enumerate(refs)}
                one_pass, general, chosen = both_ways(xml, cells)
                assert one_pass == general == chosen, (book.name, part)
                sheets += bool(cells)
    assert sheets >= 20

"""Runtime forms: the XML each one stores (as in workbooks Excel saved, see the notes), computed headlessly."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import unescape

import openpyxl
import pytest

from tests.helpers.forms import built_in_every_form
from xlfuncs.calc.workbook import compute
from xlfuncs.runtimes.lite import build_main_py, build_requirements
from xlfuncs.workbooks.templates import build
from xlfuncs.xlsx import calls

NAME = "valuation_bridge.xlsx"


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    return built_in_every_form(tmp_path_factory, NAME)


def _read(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


def test_each_form_stores_its_names(books):
    sheet = "xl/worksheets/sheet1.xml"
    assert '<f t="array" ref="H5">MARKETCAP(' in _read(books["classic"], sheet)
    assert '<f t="array" ref="H5">_xldudf_MARKETCAP(' in _read(books["lite"], sheet)
    assert '<f t="array" ref="H5">_xldudf_XLWINGS_MARKETCAP(' in _read(books["server"], sheet)
    assert [calls.inspect(books[f]).form for f in calls.FORMS] == list(calls.FORMS)
    assert calls.inspect(books["server"]).namespace == "XLWINGS"
    for form in ("classic", "server"):
        with zipfile.ZipFile(books[form]) as z:
            assert not [n for n in z.namelist() if n.startswith("xl/webextensions/")]


def test_every_form_computes_the_same_values(books):
    values = {form: compute(books[form]) for form in calls.FORMS}
    assert values["classic"] == values["lite"] == values["server"]
    assert values["classic"][("Valuation bridge", "H5")] == 50 * 200_000_000


def test_lite_parts_follow_the_structure_excel_saved(books):
    path = books["lite"]
    types = _read(path, "[Content_Types].xml")
    assert (
        '<Override PartName="/xl/webextensions/taskpanes.xml" '
        'ContentType="application/vnd.ms-office.webextensiontaskpanes+xml"/>' in types
    )
    assert (
        '<Override PartName="/xl/webextensions/webextension1.xml" '
        'ContentType="application/vnd.ms-office.webextension+xml"/>' in types
    )
    rels = _read(path, "_rels/.rels")
    assert re.search(
        r'Type="http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes" '
        r'Target="xl/webextensions/taskpanes.xml"',
        rels,
    )
    panes = _read(path, "xl/webextensions/taskpanes.xml")
    assert '<wetp:taskpane dockstate="right" visibility="0" width="438" row="3">' in panes
    assert 'r:id="rId1"' in panes
    assert (
        'Type="http://schemas.microsoft.com/office/2011/relationships/webextension" Target="webextension1.xml"'
        in (_read(path, "xl/webextensions/_rels/taskpanes.xml.rels"))
    )
    web = _read(path, "xl/webextensions/webextension1.xml")
    assert '<we:reference id="wa200008175" version="1.0.0.0" store="en-US" storeType="OMEX"/>' in web
    assert (
        '<we:alternateReferences><we:reference id="WA200008175" version="1.0.0.0" store="WA200008175" '
        'storeType="OMEX"/></we:alternateReferences>' in web
    )
    props = dict(re.findall(r'<we:property name="([^"]+)" value="([^"]*)"/>', web))
    assert list(props) == ["main.py", "pyodideVersion", "addinVersion", "requirements.txt"]
    decoded = {k: json.loads(unescape(v, {"&quot;": '"'})) for k, v in props.items()}
    assert decoded["main.py"] == build_main_py() and decoded["requirements.txt"] == build_requirements()
    assert "\\/" in props["requirements.txt"] or "/" not in decoded["requirements.txt"]
    assert '<a:ext xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ' in web
    assert "<we:containsCustomFunctions/>" in web
    listed = re.findall(r"<we:customFunctionIds>([^<]*)</we:customFunctionIds>", web)
    used = set(
        re.findall(
            r"(_xldudf_[A-Z]+)\(", "".join(_read(path, f"xl/worksheets/sheet{i}.xml") for i in (1, 2, 3))
        )
    )
    assert listed == sorted(used) and "_xldudf_FDTRANCHES" in listed
    assert not calls.inspect(path).problems()


def test_an_openpyxl_round_trip_of_a_lite_workbook_is_caught(books, tmp_path):
    saved = tmp_path / NAME
    openpyxl.load_workbook(books["lite"]).save(saved)
    stored = calls.inspect(saved)
    assert stored.form == "lite" and not stored.webextension
    assert any("web extension is missing" in p for p in stored.problems())


def test_server_namespace_and_reading_back(books, tmp_path):
    path = tmp_path / NAME
    calls.write_form(books["classic"], path, "server", "xlwings_dev")
    assert "_xldudf_XLWINGS_DEV_FDEV(" in _read(path, "xl/worksheets/sheet1.xml")
    assert calls.inspect(path).namespace == "XLWINGS_DEV"
    with calls.plain_copy(path) as plain:
        assert plain.name == NAME and calls.inspect(plain).form == "classic"


def test_classic_plain_names_from_excel_markers(tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"] = "=[1]!MARKETCAP(2,3)"
    book.active["A2"] = '=_xludf.EV(10,2,1)&"MARKETCAP("'
    path = tmp_path / "markers.xlsx"
    book.save(path)
    values = compute(path)
    assert values[("Sheet", "A1")] == 6
    assert values[("Sheet", "A2")] == "11MARKETCAP("
    assert calls.inspect(path).form == "classic"


def test_first_sheet_note_per_form(books):
    for form, path in books.items():
        wb = openpyxl.load_workbook(path, read_only=True)
        assert wb["Valuation bridge"]["A3"].value == calls.note(form)
    assert "Ctrl+Alt+Shift+F9" in calls.note("classic")


@pytest.mark.parametrize("form", ["lite", "server"])
def test_the_demo_reads_every_form(form, tmp_path):
    from xlfuncs.workbooks.demo import read_examples

    path = tmp_path / "article_examples.xlsx"
    build("article_examples.xlsx", path, form)
    assert calls.inspect(path).form == form
    results = read_examples(path)
    assert all(row["ok"] and row["article"] for _, rows, _ in results for row in rows)


def test_cli_writes_the_form_asked_for(tmp_path):
    import subprocess
    import sys

    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "xlfuncs.cli",
            "workbooks",
            str(tmp_path),
            "--for",
            "server",
            "--namespace",
            "acme",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("(server form)") == 3
    for name in ("article_examples.xlsx", "valuation_bridge.xlsx", "universe_screen.xlsx"):
        stored = calls.inspect(tmp_path / name)
        assert (stored.form, stored.namespace) == ("server", "ACME")

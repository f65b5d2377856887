"""LibreOffice as a second, independent engine for the template workbooks.

* The native cross-checks of article_examples.xlsx (column C) give the article's
  figures in LibreOffice too, while our functions are unknown there (#NAME?).
* With our functions frozen to the values ``formulas`` computed, LibreOffice
  recomputes every remaining (native) formula of every template and agrees with
  ``formulas`` to LibreOffice's 15 significant digits.

These tests need LibreOffice (``soffice``); they fail, never skip, without it.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula

from xlfuncs.calc.libreoffice import engine as libreoffice
from xlfuncs.calc.libreoffice import freeze, headless, rewrite
from xlfuncs.runtimes.libreoffice import office
from xlfuncs.runtimes.libreoffice.office import LibreOfficeError
from xlfuncs.workbooks import templates
from xlfuncs.workbooks.examples import EXAMPLES

REL_TOL = 1e-12  # LibreOffice writes 15 significant digits
ABS_TOL = 1e-12


@pytest.fixture(scope="module")
def soffice():
    if not office.available():
        pytest.fail(
            "LibreOffice (soffice) is not installed, so the templates cannot be checked against a "
            "second engine. scripts/test.sh installs it (CI installs it); by hand: "
            "apt-get install libreoffice-calc"
        )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The templates, freshly built (with the values ``formulas`` computed), once per module."""
    folder, done = tmp_path_factory.mktemp("templates"), {}

    def get(name: str) -> Path:
        if name not in done:
            done[name] = folder / name
            templates.build(name, done[name])
        return done[name]

    return get


def _is_formula(value) -> bool:
    return isinstance(value, ArrayFormula) or (isinstance(value, str) and value.startswith("="))


def _formula_cells(ws):
    """(cell, formula text) of every formula cell, each cell of an array formula's range included."""
    for row in ws.iter_rows():
        for cell in row:
            value = cell.value
            if isinstance(value, ArrayFormula):
                min_col, min_row, max_col, max_row = range_boundaries(value.ref or cell.coordinate)
                for r in range(min_row, max_row + 1):
                    for c in range(min_col, max_col + 1):
                        yield ws.cell(r, c).coordinate, value.text
            elif _is_formula(value):
                yield cell.coordinate, value


def _is_error(value) -> bool:
    return isinstance(value, str) and value in ERROR_CODES


def _same(got, want) -> bool:
    got, want = ("" if got is None else got), ("" if want is None else want)
    if isinstance(got, (int, float)) and isinstance(want, (int, float)):
        return math.isclose(got, want, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return got == want


# --- article_examples.xlsx as it is: native cross-checks in LibreOffice -----------------


def _figure_rows(ws):
    """Rows of the figure table: below the header row, every row with a Check formula."""
    header = next(
        r
        for r in range(1, ws.max_row + 1)
        if (ws.cell(r, 1).value, ws.cell(r, 2).value) == ("Figure", "Our functions")
    )
    return [r for r in range(header + 1, ws.max_row + 1) if _is_formula(ws.cell(r, 7).value)]


def test_native_cross_checks_give_the_articles_figures_in_libreoffice(soffice, built, tmp_path):
    src = built("article_examples.xlsx")
    out = libreoffice.recalculate(src, tmp_path / "lo")
    formulas_book = openpyxl.load_workbook(src)
    lo = openpyxl.load_workbook(out, data_only=True)
    problems, checked = [], 0
    for example in EXAMPLES:
        ws, values = formulas_book[example.sheet], lo[example.sheet]
        rows = _figure_rows(ws)
        expected_rows = sum(len(f.expected) if isinstance(f.expected, tuple) else 1 for f in example.figures)
        assert len(rows) == expected_rows, (
            f"{example.sheet}: {len(rows)} figure rows, {expected_rows} expected"
        )
        for r in rows:
            assert _is_formula(ws.cell(r, 3).value), f"{example.sheet}!C{r} is not a formula"
            got, want, tol = (values.cell(r, c).value for c in (3, 5, 6))
            where = f"{example.sheet}!C{r} ({ws.cell(r, 1).value})"
            checked += 1
            if _is_error(got) or got is None:
                problems.append(f"{where}: LibreOffice gives {got!r}")
            elif isinstance(want, str):
                if got != want:
                    problems.append(f"{where}: {got!r}, the article's figure is {want!r}")
            elif not isinstance(got, (int, float)) or abs(got - want) > tol:
                problems.append(f"{where}: {got!r}, expected {want!r} ± {tol}")
    assert not problems, "\n".join(problems)
    assert checked == sum(
        len(f.expected) if isinstance(f.expected, tuple) else 1 for e in EXAMPLES for f in e.figures
    )
    # LibreOffice does not know our functions: column B shows #NAME? there.
    first = EXAMPLES[0]
    row = _figure_rows(formulas_book[first.sheet])[0]
    assert "MARKETCAP(" in formulas_book[first.sheet].cell(row, 2).value.text
    assert lo[first.sheet].cell(row, 2).value == "#NAME?"


# --- every template, our functions frozen: two engines agree ----------------------------


@pytest.mark.parametrize("name", list(templates.TEMPLATES))
def test_libreoffice_agrees_with_formulas_on_every_native_formula(soffice, built, tmp_path, name):
    src = built(name)
    frozen_path = tmp_path / "frozen" / name
    frozen_path.parent.mkdir()
    frozen = freeze.freeze_our_functions(src, frozen_path)
    assert frozen, f"{name}: no cell computed by our functions"
    out = libreoffice.recalculate(frozen_path, tmp_path / "lo")

    ours = openpyxl.load_workbook(src, data_only=True)  # what `formulas` computed
    lo = openpyxl.load_workbook(out, data_only=True)
    book = openpyxl.load_workbook(frozen_path)
    problems, checked = [], 0
    for ws in book.worksheets:
        frozen_here = set(frozen.get(ws.title, ()))
        for ref, formula in _formula_cells(ws):
            assert ref not in frozen_here
            assert not rewrite.calls_our_function(formula), f"{ws.title}!{ref} still calls our function"
            want, got = ours[ws.title][ref].value, lo[ws.title][ref].value
            checked += 1
            if _is_error(got):
                problems.append(f"{ws.title}!{ref} {formula}: LibreOffice gives {got}")
            elif not _same(got, want):
                problems.append(f"{ws.title}!{ref} {formula}: LibreOffice {got!r}, formulas {want!r}")
    assert not problems, f"{name}: {len(problems)} of {checked} cells differ:\n" + "\n".join(problems[:50])
    assert checked, f"{name}: no native formula left to compare"


# --- the helpers themselves -------------------------------------------------------------


def test_freeze_keeps_values_and_styles_and_leaves_native_formulas(built, tmp_path):
    src = built("valuation_bridge.xlsx")
    dst = tmp_path / "frozen.xlsx"
    frozen = freeze.freeze_our_functions(src, dst)["Valuation bridge"]
    before, cached = (
        openpyxl.load_workbook(src)["Valuation bridge"],
        openpyxl.load_workbook(src, data_only=True)["Valuation bridge"],
    )
    after = openpyxl.load_workbook(dst)["Valuation bridge"]
    assert {"H5", "H7", "I7", "J7", "G18", "J33"} <= set(frozen)  # whole spill ranges
    for ref in frozen:
        assert after[ref].value == cached[ref].value and not _is_formula(after[ref].value), ref
        assert after[ref].number_format == before[ref].number_format, ref
        assert after[ref].fill.fgColor.rgb == before[ref].fill.fgColor.rgb, ref
    assert after["H17"].value == "=H4"  # native formulas stay formulas
    assert after.merged_cells.ranges == before.merged_cells.ranges


def test_freeze_handles_plain_and_shared_formulas_and_refuses_missing_values(tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"], book.active["A2"] = "=MARKETCAP(2,3)", "=A1*2"
    raw = tmp_path / "raw.xlsx"
    book.save(raw)  # openpyxl stores no values: the workbook was never computed
    with pytest.raises(ValueError, match="xlfuncs calc"):
        freeze.freeze_our_functions(raw, tmp_path / "frozen.xlsx")
    xml = (
        '<sheetData><row r="1"><c r="A1" t="str"><f t="shared" ref="A1:A2" si="0">MCAPCLASS(B1)</f>'
        '<v>Mid &amp; up</v></c><c r="B1"><f>SUM(C1:C2)</f><v>3</v></c></row>'
        '<row r="2"><c r="A2" t="str"><f t="shared" si="0"/><v>Small</v></c>'
        '<c r="B2"><f>_xludf.EV(B1,1,2)</f><v>2</v></c><c r="C2" t="e"><f>FDV(1,-1)</f><v>#NUM!</v></c>'
        "</row></sheetData>"
    )
    out, cells = freeze._freeze_sheet(xml, "test")
    assert cells == ["A1", "B2", "C2", "A2"]
    assert out == (
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve">Mid &amp; up</t>'
        '</is></c><c r="B1"><f>SUM(C1:C2)</f><v>3</v></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve">Small</t></is></c>'
        '<c r="B2"><v>2</v></c><c r="C2" t="e"><v>#NUM!</v></c></row></sheetData>'
    )


def test_missing_libreoffice_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("XLFUNCS_SOFFICE", "no-such-soffice-here")
    assert not office.available()
    book = tmp_path / "in" / "a.xlsx"
    book.parent.mkdir()
    book.write_bytes(b"")
    with pytest.raises(LibreOfficeError, match=r"scripts/test\.sh"):
        libreoffice.recalculate(book, tmp_path / "out")


def test_output_never_goes_into_the_input_folder(soffice, tmp_path):
    book = tmp_path / "a.xlsx"
    book.write_bytes(b"")
    with pytest.raises(ValueError, match="input's folder"):
        libreoffice.recalculate(book, tmp_path)
    with pytest.raises(FileNotFoundError):
        libreoffice.recalculate(tmp_path / "missing.xlsx", tmp_path / "out")


def test_a_broken_file_is_a_clear_error(soffice, tmp_path):
    book = tmp_path / "in" / "broken.xlsx"
    book.parent.mkdir()
    book.write_text("not a workbook")
    with pytest.raises(LibreOfficeError, match=r"broken\.xlsx"):
        libreoffice.recalculate(book, tmp_path / "out")
    assert not (tmp_path / "out" / "broken.xlsx").exists()
    assert os.listdir(book.parent) == ["broken.xlsx"]


# --- the LibreOffice engine of xlfuncs calc ----------------------------------------------------

#: Where the LibreOffice engine differs from Excel on tests/helpers/calc_book.py's book, and why.
ENGINE_DIFFERS = {
    # G4 is #NUM!; Calc hands an add-in no error inside a range, so the engine passes errors as text,
    # and Calc can name no error element by element except #N/A: the others arrive as #VALUE!
    ("Data", "H4"): "#VALUE!",
    ("Data", "I4"): "#VALUE!",
    ("Data", "J4"): "#VALUE!",
}


def test_calc_engine_computes_the_calc_test_book(soffice, tmp_path):
    from tests.helpers.calc_book import EXPECTED, build_book
    from xlfuncs.calc import workbook

    book = build_book(tmp_path / "book.xlsx")
    before = _parts(book)
    summary = workbook.calc(book, tmp_path / "out.xlsx", "libreoffice")
    assert summary.engine == "libreoffice" and not summary.problems and summary.cells == len(EXPECTED)
    got = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)
    for (sheet, ref), expected in EXPECTED.items():
        expected = ENGINE_DIFFERS.get((sheet, ref), expected)
        value = got[sheet][ref].value
        if isinstance(expected, float):
            assert math.isclose(value, expected, rel_tol=REL_TOL), (sheet, ref, value)
        else:
            assert value == expected, (sheet, ref, value)
    after = _parts(tmp_path / "out.xlsx")
    assert list(after) == list(before)  # the original package, values written into its sheets
    assert {n for n in before if before[n] != after[n]} == {
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
    }
    formulas = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert formulas["Data"]["G2"].value.text == "=MARKETCAP(B2:B6,C2:C6)"  # stored as it was


def _parts(path: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_our_functions_are_kept_beside_the_prepared_addin(soffice):
    """The prepared folder holds our functions' names as the engine's copy needs them, equal to what
    the registry gives; the kept file read back is the same, and a file of another shape is refused.
    """
    kept = rewrite.Ours.loads((libreoffice._prepared() / libreoffice.OURS).read_text(encoding="utf-8"))
    from xlfuncs import REGISTRY

    assert set(kept.names) == {s.excel_name for s in REGISTRY.values()}
    assert kept == rewrite.our_functions()
    assert "MCAPCLASS" in kept.labels and "FDBRIDGE" in kept.mixed and "MARKETCAP" not in kept.labels
    for text in ("[]", '{"names": ["EV"]}', '{"names": [1], "labels": [], "mixed": []}', "{"):
        with pytest.raises(ValueError):
            rewrite.Ours.loads(text)


def test_a_run_with_libreoffice_imports_neither_numpy_nor_the_kernels(soffice, tmp_path):
    """``xlfuncs calc --engine libreoffice`` on the article examples, in a fresh interpreter once the
    add-in is prepared: the values come from LibreOffice, so the command itself needs no kernels.
    """
    import json
    import subprocess
    import sys

    libreoffice._prepared()
    book = Path(__file__).resolve().parents[2] / "workbooks" / "article_examples.xlsx"
    code = (
        "import json, sys\n"
        "from xlfuncs.cli import main\n"
        f"code = main(['calc', {str(book)!r}, '-o', {str(tmp_path / 'out.xlsx')!r}, '--engine', 'libreoffice'])\n"
        "print(json.dumps([code, sorted(m for m in sys.modules if m.split('.')[0] == 'numpy'"
        " or m.startswith('xlfuncs.functions'))]))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout.strip().splitlines()[-1]) == [0, []]
    assert openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)  # values were written


def _defined_flags(soffice: str, name: str) -> set[str]:
    """The flags the LibreOffice installation of ``soffice`` defines for the filter ``name``."""
    share = Path(os.path.realpath(soffice)).parents[1] / "share"
    xcd = next(p for p in (share / "registry" / "calc.xcd", share / ".registry" / "calc.xcd") if p.is_file())
    oor = "{http://openoffice.org/2001/registry}"
    for node in ElementTree.parse(xcd).iter("node"):
        if node.get(f"{oor}name") == name and node.get(f"{oor}op") == "replace":
            flags = next(p for p in node.iter("prop") if p.get(f"{oor}name") == "Flags")
            return set(flags.findtext("value", "").split())
    raise AssertionError(f"{xcd} defines no filter {name!r}")


def test_profiles_open_books_with_the_filters_flags_but_signature_checks(soffice, tmp_path):
    # the profile's flags replace LibreOffice's own: they must be those of every LibreOffice tested
    installed = [office.executable(), os.environ.get("XLFUNCS_OLDER_SOFFICE")]
    for program in filter(None, installed):
        defined = _defined_flags(program, headless.OOXML_FILTER)
        assert "SUPPORTSSIGNING" in defined
        assert set(headless.OOXML_FILTER_FLAGS.split()) == defined - {"SUPPORTSSIGNING"}, program
    headless.write_profile(tmp_path)
    items = ElementTree.parse(tmp_path / "user" / "registrymodifications.xcu").getroot()
    path = f"org.openoffice.TypeDetection.Filter:Filter['{headless.OOXML_FILTER}']"
    [item] = [item for item in items if item.get("{http://openoffice.org/2001/registry}path").endswith(path)]
    assert item.findtext("prop/value") == headless.OOXML_FILTER_FLAGS

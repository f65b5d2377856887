"""``xlfuncs calc`` on an older LibreOffice too: Debian 12's own 7.4, beside the 25.2 the tests install.

Only one LibreOffice can be installed on a machine, so scripts/test.sh unpacks 7.4's packages into a
folder of their own (scripts/libreoffice-older.sh) and gives this test its ``soffice`` in
``XLFUNCS_OLDER_SOFFICE``; the test runs it through xlfuncs' own override, ``XLFUNCS_SOFFICE``.  7.4
does not bind the Excel names an .xlsx stores (``MARKETCAP(...)``) to the add-in, so the engine writes
our functions under the add-in's internal names into the copy LibreOffice opens; the output file keeps
the Excel names.  Every formula cell must get the value that the installed LibreOffice and the
``formulas`` engine give (7.4 has no LET, so mixed label/number results go through
``IF(ISTEXT(f),f&"",f)`` there; see :func:`xlfuncs.calc.libreoffice.rewrite.engine_formula`).
"""

from __future__ import annotations

import contextlib
import os
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import openpyxl
import pytest

from tests.helpers.engines import same
from xlfuncs.calc import workbook
from xlfuncs.calc.libreoffice import engine as libreoffice
from xlfuncs.calc.libreoffice import headstart
from xlfuncs.calc.results import ExcelError, Summary
from xlfuncs.runtimes.libreoffice import office

OLDER = os.environ.get("XLFUNCS_OLDER_SOFFICE", "")
pytestmark = pytest.mark.skipif(
    not OLDER,
    reason="XLFUNCS_OLDER_SOFFICE is not set (scripts/test.sh sets it to the soffice of Debian 12's "
    "LibreOffice 7.4, unpacked by scripts/libreoffice-older.sh)",
)

BOOKS = Path(__file__).resolve().parents[2] / "workbooks"
NAMES = ("article_examples.xlsx", "valuation_bridge.xlsx")


@contextlib.contextmanager
def _older() -> Iterator[None]:
    """LibreOffice is the older one inside; the version and the prepared add-in that xlfuncs remembers
    are forgotten on the way in and out, so no other test sees 7.4.  Its instance is kept for the
    module's runs (seconds apart), then ends itself: with none kept (0), a run that came as the
    previous one's instance was ending failed with BrokenPipeError (1 run in 11).
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLFUNCS_SOFFICE", OLDER)
        mp.setenv("XLFUNCS_LIBREOFFICE_KEEP", "30")
        office._version.cache_clear()
        headstart.addin_key.cache_clear()
        try:
            yield
        finally:
            office._version.cache_clear()
            headstart.addin_key.cache_clear()


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Summary, Path]]:
    """Each book as ``xlfuncs calc --engine libreoffice`` computes it on 7.4: (summary, output file)."""
    folder = tmp_path_factory.mktemp("older")
    with _older():
        return {
            name: (workbook.calc(BOOKS / name, folder / name, "libreoffice"), folder / name) for name in NAMES
        }


@pytest.fixture(scope="module")
def others() -> dict[str, tuple[dict[tuple[str, str], object], dict[tuple[str, str], object]]]:
    """Each book computed by the installed LibreOffice (which binds the Excel names) and by formulas."""
    if not libreoffice.engine_available() or not office.binds_excel_names():
        pytest.skip("needs the LibreOffice 25.2 that scripts/test.sh installs, with the add-in's needs")
    found = {}
    for name in NAMES:
        installed, problems = libreoffice.compute(BOOKS / name)
        assert problems == {}
        found[name] = (installed, workbook.compute(BOOKS / name, "formulas"))
    return found


def _stored(path: Path, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], object]:
    """The values ``calc`` stored in ``path`` for the cells ``keys`` (error cells as ExcelError)."""
    book = openpyxl.load_workbook(path, data_only=True)
    found: dict[tuple[str, str], object] = {}
    for sheet, ref in keys:
        cell = book[sheet][ref]
        value = ExcelError(cell.value) if cell.data_type == "e" else cell.value
        found[(sheet, ref)] = "" if value is None and cell.data_type == "str" else value  # <v></v>
    return found


def _formulas(path: Path) -> dict[tuple[str, str], str]:
    book = openpyxl.load_workbook(path)
    return {
        (ws.title, cell.coordinate): getattr(cell.value, "text", cell.value)
        for ws in book
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    }


def test_the_older_libreoffice_is_7_4_and_runs_from_its_own_folder() -> None:
    with _older():
        assert office.version()[:2] == (7, 4)
        assert not office.binds_excel_names()
        # the add-in's types are compiled by 7.4's own unoidl-write against 7.4's own type libraries
        own = Path(OLDER).resolve().parents[1]
        assert office.program_dir() == own / "program"
        assert Path(office.unoidl_write()).is_relative_to(own)
        assert all(p.is_relative_to(own) for p in office.type_registries())
        assert libreoffice.engine_available()


def test_7_4_binds_only_the_internal_name_of_a_plain_marketcap(tmp_path: Path) -> None:
    """MARKETCAP(10, 1000) = 10 x 1,000 = 10,000 (price times shares).  7.4 gives a plain MARKETCAP
    stored in an .xlsx #NAME? (observed); the engine's rewrite to the add-in's internal name binds it.
    """
    book = openpyxl.Workbook()
    book.active.title = "S"
    book.active.append([10, 1000, "=MARKETCAP(A1,B1)"])
    book.save(tmp_path / "plain.xlsx")
    with _older():
        plain, _ = libreoffice.compute(tmp_path / "plain.xlsx", rewrite=False)
        rewritten, problems = libreoffice.compute(tmp_path / "plain.xlsx")
    assert plain[("S", "C1")] == ExcelError("#NAME?")
    assert rewritten[("S", "C1")] == 10000 and problems == {}


@pytest.mark.parametrize("name", NAMES)
def test_calc_on_7_4_gives_the_values_of_the_other_engines(
    computed: dict[str, tuple[Summary, Path]], others: dict[str, tuple[dict, dict]], name: str
) -> None:
    summary, out = computed[name]
    assert summary.engine == "libreoffice" and summary.problems == {}  # no fallback to formulas
    installed, formulas = others[name]
    assert installed.keys() == formulas.keys() and len(formulas) > 300
    older = _stored(out, formulas)
    assert {k for k in formulas if not same(installed[k], formulas[k])} == set()
    # including the MATCH lookups of FDBRIDGE's labels (valuation_bridge H40 and what follows from it):
    # without LET (24.8+) the engine writes IF(ISTEXT(f),f&"",f) so that 7.4 finds the labels too
    assert {k for k in formulas if not same(older[k], formulas[k])} == set()


@pytest.mark.parametrize("name", NAMES)
def test_the_output_keeps_the_excel_names(computed: dict[str, tuple[Summary, Path]], name: str) -> None:
    """The round trip: the internal names are only in the engine's copy; the output has the input's
    formulas, cell by cell, and no internal name in any part.
    """
    _, out = computed[name]
    assert _formulas(out) == _formulas(BOOKS / name)
    assert any("MARKETCAP(" in f or "FDBRIDGE(" in f for f in _formulas(out).values())
    with zipfile.ZipFile(out) as book:
        assert not [n for n in book.namelist() if b"ORG.XLFUNCS" in book.read(n).upper()]

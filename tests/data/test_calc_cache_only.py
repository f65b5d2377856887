"""Inside ``xlfuncs calc`` the data functions read the cache only: a stranger's workbook makes
no request under the user's SEC identity.

The calculator computes inside :func:`xlfuncs.data.config.cache_only` by itself; here a workbook
calling FILING is computed by ``calc`` with each engine, against a local SEC that counts
requests, and the same figure is fetched afterwards outside calc to show the source was there.
LibreOffice runs FILING in its own process, with the add-in's packed data layer: that instance
is started for this test alone (a cache root of its own, kept for no time), so it carries this
test's settings and ``XLFUNCS_OFFLINE=1``.
"""

from __future__ import annotations

import pytest

from xlfuncs.data import companies
from xlfuncs.data.companies import company
from xlfuncs.data.errors import DataError

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("formulas")


def book(path, formulas):
    wb = openpyxl.Workbook()
    for row, formula in enumerate(formulas, start=1):
        wb.active.cell(row, 1, formula)
    wb.save(path)
    return path


@pytest.fixture(params=["formulas", "libreoffice"])
def engine(request, tmp_path, monkeypatch):
    if request.param == "libreoffice":
        from xlfuncs.calc.libreoffice import engine as libreoffice
        from xlfuncs.calc.libreoffice import instances

        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
        monkeypatch.setenv(instances.KEEP_VARIABLE, "0")
        if not libreoffice.engine_available():
            pytest.skip("LibreOffice with the add-in's needs is not installed")
    return request.param


def test_a_workbook_calling_filing_makes_no_request(serve_sec, httpserver, data_functions, tmp_path, engine):
    from xlfuncs.calc.workbook import calc

    serve_sec("0001318605")
    company("TSLA")  # the user's own earlier use filled the cache
    companies.forget()
    before = len(httpserver.log)
    path = book(
        tmp_path / "stranger.xlsx",
        ['=FILING("TSLA","shares")', '=FILING("AAPL","cash")', '=FILING("TSLA","cash")*2'],
    )
    calc(path, engine=engine)  # no cache_only() here: calc is cache-only by itself
    assert len(httpserver.log) == before  # AAPL is not cached: #N/A, and still no request
    values = [
        row[0] for row in openpyxl.load_workbook(path, data_only=True).active.iter_rows(values_only=True)
    ]
    assert values == [3_157_752_449, "#N/A", 2 * 19_532_000_000]
    companies.forget()
    with pytest.raises(DataError):  # outside calc the same call goes out (AAPL is not served)
        company("AAPL")
    assert len(httpserver.log) > before

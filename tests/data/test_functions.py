"""FILING and FILINGS: the worksheet functions on the same spec as the kernels.

Values are Tesla's own filings (see test_sec.py): the Q3 2022 10-Q and the 2015 10-K.
"""

from __future__ import annotations

from datetime import date

import pytest

import xlfuncs
from xlfuncs.data import functions
from xlfuncs.data.functions import serial
from xlfuncs.framework.errors import InputError
from xlfuncs.framework.sheet import call
from xlfuncs.functions import REGISTRY
from xlfuncs.runtimes import names

TSLA = "0001318605"
EPOCH_2016_03_01 = serial(date(2016, 3, 1))


def test_registered_only_on_request(data_functions):
    assert list(data_functions) == ["FILING", "FILINGS", "COINSUPPLY", "COINPRICE", "FXRATE"]
    assert names.problems(data_functions.values()) == []
    assert set(data_functions) == functions.NAMES


def test_registered_by_the_package_wherever_the_extra_is_installed():
    assert functions.installed()  # the test environment has the data extra
    assert list(REGISTRY)[-5:] == ["FILING", "FILINGS", "COINSUPPLY", "COINPRICE", "FXRATE"]
    assert all(
        REGISTRY[name].function is getattr(xlfuncs, REGISTRY[name].python_name) for name in functions.NAMES
    )


def test_filing_cells(serve_sec, data_functions):
    serve_sec(TSLA)
    f = data_functions["FILING"]
    assert call(f, "TSLA", "shares") == [[3_157_752_449.0]]
    assert call(f, "TSLA", "shares", "period_end") == [[serial(date(2022, 10, 18))]]
    assert call(f, "TSLA", "debt", "tag") == [["us-gaap:LongTermDebt"]]
    assert call(f, "TSLA", "cash", "form") == [["10-Q"]]
    assert call(f, "TSLA", "cash", "filed") == [[serial(date(2022, 10, 24))]]
    assert call(f, "TSLA", "options", "stale") == [[True]]
    assert call(f, "TSLA", "options_strike", "note")[0][0].startswith("stale: last reported for 2015-12-31")
    assert call(f, "TSLA", "cash", "note") == [[""]]
    assert call(f, "TSLA", "options", "period_end") == [[serial(date(2015, 12, 31))]]
    # A stale value is never used silently; a missing one is no zero.
    assert call(f, "TSLA", "options") == [["#N/A"]]
    assert call(f, "TSLA", "options", "value", EPOCH_2016_03_01) == [[20_015_180.0]]
    assert call(f, "TSLA", "nonsense") == [["#VALUE!"]]
    assert call(f, "NOPE", "shares") == [["#N/A"]]


def test_filing_errors_per_cell(serve_sec, data_functions):
    serve_sec(TSLA)
    f = data_functions["FILING"]
    assert call(f, [["TSLA"], ["NOPE"]], [["cash", "options"]]) == [
        [19_532_000_000.0, "#N/A"],
        ["#N/A", "#N/A"],
    ]
    assert call(f, "TSLA", [["shares", "rsus"]], "value", [[EPOCH_2016_03_01]]) == [
        [132_056_338.0, 2_439_674.0]
    ]


def test_as_of_hides_later_filings(serve_sec, data_functions):
    serve_sec(TSLA)
    f = data_functions["FILING"]
    # As of 1 Mar 2016 the latest cash is the 2015 10-K's, not a later one.
    assert call(f, "TSLA", "cash", "filed", EPOCH_2016_03_01) == [[serial(date(2016, 2, 24))]]
    assert call(f, "TSLA", "cash", "value", EPOCH_2016_03_01) == [[1_196_908_000.0]]


def test_python_raises_naming_the_argument(serve_sec, data_functions):
    serve_sec(TSLA)
    filing = data_functions["FILING"].function
    assert filing("TSLA", "cash") == 19_532_000_000
    with pytest.raises(InputError, match=r"^item: options: stale: last reported for 2015-12-31"):
        filing("TSLA", "options")
    with pytest.raises(InputError, match=r"^company: unknown ticker 'NOPE'"):
        filing("NOPE", "cash")


def test_filings_spills_the_table(serve_sec, data_functions):
    serve_sec(TSLA)
    rows = call(data_functions["FILINGS"], "TSLA")
    assert rows[0] == ["item", "value", "unit", "period end", "form", "filed", "stale", "link", "note"]
    table = {row[0]: row for row in rows[1:]}
    assert table["cash"][1:7] == [
        19_532_000_000.0,
        "USD",
        serial(date(2022, 9, 30)),
        "10-Q",
        serial(date(2022, 10, 24)),
        False,
    ]
    assert table["options"][6] is True
    assert table["options"][8].startswith("stale: last reported for 2015-12-31")
    assert table["cash"][7].endswith("/000095017022019867/0000950170-22-019867-index.htm")
    assert call(data_functions["FILINGS"], "NOPE") == [["#N/A"]]
    frame = data_functions["FILINGS"].function("TSLA")
    assert list(frame["item"])[:2] == ["shares", "options"]


def test_missing_is_na_not_zero(serve_sec, data_functions):
    serve_sec("0001640147")
    with pytest.raises(InputError, match=r"^item: rsus: missing: not reported \("):
        data_functions["FILING"].function("SNOW", "rsus")
    assert call(data_functions["FILING"], "SNOW", "rsus") == [["#N/A"]]
    assert call(data_functions["FILING"], "SNOW", "rsus", "stale") == [[False]]
    table = {row[0]: row for row in call(data_functions["FILINGS"], "SNOW")[1:]}
    assert table["rsus"][1] == "#N/A"


def test_composes_with_fdmcap(serve_sec, data_functions):
    """=FDMCAP(price, FILING(…,"shares"), FILING(…,"options"), FILING(…,"options_strike")) as of 2016."""
    serve_sec(TSLA)
    f = data_functions["FILING"]
    shares, options, strike = (
        call(f, "TSLA", item, "value", EPOCH_2016_03_01)[0][0]
        for item in ("shares", "options", "options_strike")
    )
    price = 200.0
    expected = (shares + options) * price  # FDMCAP's default: every in-the-money option, gross
    assert call(REGISTRY["FDMCAP"], price, shares, options, strike)[0][0] == pytest.approx(expected)

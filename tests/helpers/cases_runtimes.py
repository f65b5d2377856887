"""The shared table of worksheet cases: every runtime's test reads the same inputs and expectations.

Each case gives the arguments as the matrices Excel sends (one 2-D list per parameter, None
for an omitted optional) and the result Office.js returns (runtime 1.4: error cells as
Office.js error objects).  tests/runtimes/test_officejs.py sends them through xlwings'
Office.js runtime; tests/runtimes/test_libreoffice.py writes them into a workbook computed by
LibreOffice Calc with the add-in, and compares with the same expectations (:func:`excel_value`
turns an Office.js result into what a cell holds).
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from importlib import metadata

import xlfuncs


def err(kind):
    """An error cell as custom_functions_call returns it (runtime 1.4)."""
    return {"type": "Error", "errorType": kind}


NA, VALUE, NUM, DIV0 = err("NotAvailable"), err("Value"), err("Num"), err("Div0")
# Error cells as Excel sends them in an argument.
NA_CELL = {"type": "Error", "basicType": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
DIV0_CELL = {"type": "Error", "basicType": "Error", "basicValue": "#DIV/0!", "errorType": "Div0"}

# XYZ: 50m shares at $10, 10m options and 10m warrants struck at $5, cash $100m, no debt.
XYZ = [[[10]], [[50e6]], [[0]], [[100e6]], [[10e6], [10e6]], [[5], [5]]]
XYZ_BRIDGE = [  # gross method: both tranches in the money, proceeds 20m x $5 added to cash
    ["Share price", 10.0],
    ["Basic shares", 50e6],
    ["Instruments counted", 20e6],
    ["Exercise proceeds", 100e6],
    ["Shares repurchased", 0.0],
    ["Shares from convertibles", 0.0],
    ["FD shares", 70e6],
    ["Market cap", 500e6],
    ["FD market cap", 700e6],
    ["Debt", 0.0],
    ["Debt converted", 0.0],
    ["Preferred", 0.0],
    ["Minority interest", 0.0],
    ["Cash", 100e6],
    ["Cash + proceeds", 200e6],
    ["Investments", 0.0],
    ["EV", 400e6],
    ["FD EV", 500e6],
]
XYZ_TSM = [  # treasury stock method: 100m proceeds buy back 10m shares at $10, no cash added
    10.0,
    50e6,
    20e6,
    100e6,
    10e6,
    0.0,
    60e6,
    500e6,
    600e6,
    0.0,
    0.0,
    0.0,
    0.0,
    100e6,
    100e6,
    0.0,
    400e6,
    500e6,
]


@dataclass(frozen=True)
class Case:
    label: str
    func: str
    args: list  # one 2-D matrix per parameter, None for an omitted optional
    expected: object
    runtime: str = "1.4"


CASES = [
    # MARKETCAP: scalars, ranges, empty and error cells, bad input, runtime 1.3
    Case("marketcap scalar", "MARKETCAP", [[[10]], [[1000]]], [[10000.0]]),
    Case(
        "marketcap 2-D range",
        "MARKETCAP",
        [[[10, 20], [30, 40]], [[1000]]],
        [[10000.0, 20000.0], [30000.0, 40000.0]],
    ),
    Case(
        "marketcap error cells pass through",
        "MARKETCAP",
        [[[10, NA_CELL], [DIV0_CELL, 40]], [[1000]]],
        [[10000.0, NA], [DIV0, 40000.0]],
    ),
    Case("marketcap empty cell in a range", "MARKETCAP", [[[10, None]], [[1000]]], [[10000.0, NA]]),
    Case("marketcap empty required argument", "MARKETCAP", [[[10]], [[None]]], [[NA]]),
    Case(
        "marketcap bad input",
        "MARKETCAP",
        [[[-1, "abc", True, "12"]], [[1000]]],
        [[NUM, VALUE, VALUE, 12000.0]],
    ),
    Case("marketcap boolean in a numeric range", "MARKETCAP", [[[10, True]], [[1000]]], [[10000.0, VALUE]]),
    Case(
        "marketcap runtime 1.3: errors are text",
        "MARKETCAP",
        [[[-1, "abc", True, NA_CELL, 2]], [[1000]]],
        [["#NUM!", "#VALUE!", "#VALUE!", "#N/A", 2000.0]],
        runtime="1.3",
    ),
    # EV: omitted and empty optionals take the default, Excel-style broadcasting
    Case("ev omitted optionals", "EV", [[[100]], [[20]], [[5]], None, None, None], [[115.0]]),
    Case("ev empty optional cells", "EV", [[[100]], [[20]], [[5]], [[None]], [[None]], [[None]]], [[115.0]]),
    Case("ev all arguments", "EV", [[[100]], [[20]], [[5]], [[10]], [[2]], [[7]]], [[120.0]]),
    Case(
        "ev column x row",
        "EV",
        [[[100], [200]], [[20, 40]], [[5]], None, None, None],
        [[115.0, 135.0], [215.0, 235.0]],
    ),
    Case("ev net cash is negative", "EV", [[[200]], [[0]], [[250]], None, None, None], [[-50.0]]),
    # checks per element
    Case("freefloat", "FREEFLOAT", [[[100, 0, 50]], [[30, 0, 60]]], [[0.7, DIV0, NUM]]),
    Case("ffmcap", "FFMCAP", [[[50]], [[100e6]], [[0.5, 1.5]]], [[2.5e9, NUM]]),
    Case("dilution", "DILUTION", [[[100e6]], [[25e6, -100e6]]], [[0.2, NUM]]),
    Case("ownership", "OWNERSHIP", [[[1e6]], [[100e6, 125e6, 0]]], [[0.01, 0.008, DIV0]]),
    Case("multiple NM", "MULTIPLE", [[[1400]], [[175], [0], [-20]]], [[8.0], ["NM"], ["NM"]]),
    # fully diluted: XYZ
    Case(
        "fdshares methods side by side",
        "FDSHARES",
        XYZ[:2] + XYZ[4:] + [[["gross", "tsm", "all"]]],
        [[70e6, 60e6, 70e6]],
    ),
    Case("fdshares unknown method", "FDSHARES", XYZ[:2] + XYZ[4:] + [[["bogus"]]], [[VALUE]]),
    Case("fdmcap xyz", "FDMCAP", XYZ[:2] + XYZ[4:] + [None], [[700e6]]),
    Case("fdmcap without tranches", "FDMCAP", [*XYZ[:2], None, None, None], [[500e6]]),
    Case("fdev xyz", "FDEV", XYZ + [None] * 4, [[500e6]]),
    Case("fdev xyz tsm", "FDEV", [*XYZ, [["tsm"]], None, None, None], [[500e6]]),
    # an empty strikes cell is "omitted": every tranche counts with no proceeds, 10 x 70m - 100m
    Case("fdev empty strikes cell", "FDEV", XYZ[:5] + [[[None]]] + [None] * 4, [[600e6]]),
    Case("fdbridge xyz 2-column spill", "FDBRIDGE", XYZ + [None] * 4, XYZ_BRIDGE),
    Case(
        "fdbridge gross and tsm side by side",
        "FDBRIDGE",
        [*XYZ, [["gross", "tsm"]], None, None, None],
        [[*row, tsm] for row, tsm in zip(XYZ_BRIDGE, XYZ_TSM, strict=True)],
    ),
    # per-tranche schedule (header row, TRUE/FALSE), convertibles, implied price
    Case(
        "fdtranches tsm schedule",
        "FDTRANCHES",
        [[[20]], [[100e3], [50e3]], [[10], [25]], [["tsm"]]],
        [
            ["count", "strike", "in the money", "counted", "proceeds", "repurchased", "net new"],
            [100e3, 10.0, True, 100e3, 1e6, 50e3, 50e3],
            [50e3, 25.0, False, 0.0, 0.0, 0.0, 0.0],
        ],
    ),
    Case("fdtranches one price only", "FDTRANCHES", [[[20, 30]], [[100e3]], None, None], [[VALUE]]),
    Case("convshares per price", "CONVSHARES", [[[80, 40]], [[500e6]], [[50]], None], [[10e6, 0.0]]),
    Case("convshares net", "CONVSHARES", [[[80]], [[500e6]], [[50]], [["net"]]], [[3.75e6]]),
    Case(
        "fdev convertible above debt",
        "FDEV",
        [[[80]], [[100e6]], [[1000e6, 400e6]], [[200e6]], *[None] * 6, [[500e6]], [[50]], None],
        [[9100e6, NUM]],
    ),
    Case("impliedprice xyz", "IMPLIEDPRICE", [[[600e6, -1]], [[50e6]], [[20e6]], [[5]]], [[10.0, NUM]]),
    Case(
        "combinedmcap share classes",
        "COMBINEDMCAP",
        [[[10], [5], [1]], [[3], [None], [4]], [[None], [2], [None]]],
        [[10 * 3 + 5 * 2 * 3 + 1 * 4.0]],
    ),
    Case("combinedmcap no class priced", "COMBINEDMCAP", [[[1]], [[None]], None], [[NA]]),
    Case(
        "tomajor minor units",
        "TOMAJOR",
        [[[250, 250, 5000, 1]], [["GBp", "GBP", "ZAc", "gbp"]]],
        [[2.5, 250.0, 50.0, VALUE]],
    ),
    # crypto
    Case("fdv max supply", "FDV", [[[60000]], [[21e6]], None], [[1.26e12]]),
    Case("fdv unlimited supply", "FDV", [[[3000]], [[0]], [[120e6]]], [[3.6e11]]),
    Case("fdv no supply known", "FDV", [[[3000]], [[0]], None], [[NA]]),
    # labels
    Case(
        "mcapclass defaults",
        "MCAPCLASS",
        [[[250e9], [5e9], [1.4e9], [10e6]], None, None],
        [["Mega"], ["Mid"], ["Small"], ["Nano"]],
    ),
    Case("mcapclass empty optional cells", "MCAPCLASS", [[[5e9]], [[None]], [[None]]], [["Mid"]]),
    Case(
        "mcapclass custom",
        "MCAPCLASS",
        [[[12e9, 5]], [[0, 1e9, 10e9]], [["small", "mid", "large"]]],
        [["large", "small"]],
    ),
    Case("mcapclass below custom thresholds", "MCAPCLASS", [[[5]], [[10]], [["x"]]], [[NA]]),
    Case(
        "mcapclass bad input", "MCAPCLASS", [[[5e9, -1, "x", NA_CELL]], None, None], [["Mid", NUM, VALUE, NA]]
    ),
    # The functions that fetch (xlfuncs.data), each with input refused before any request: the
    # tests make none, and what a source answers is tested in tests/data.
    Case("filing unknown item", "FILING", [[["TSLA"]], [["nonsense"]], None, None], [[VALUE]]),
    Case("filing no company", "FILING", [[[""]], [["shares"]], None, None], [[NA]]),
    Case("filings takes one company", "FILINGS", [[["TSLA", "AAPL"]]], [[VALUE]]),
    Case("coinsupply unknown kind", "COINSUPPLY", [[["bitcoin"]], [["nonsense"]]], [[VALUE]]),
    Case("coinprice no coin", "COINPRICE", [[[""]], None], [[NA]]),
    Case("fxrate as_of not a date", "FXRATE", [[["USD"]], [["EUR"]], [["abc"]]], [[VALUE]]),
    Case(
        "xlfuncs version info",
        "XLFUNCS",
        [],
        [
            [
                f"xlfuncs {xlfuncs.__version__}, xlwings {metadata.version('xlwings')}, "
                f"runtime Office.js (xlwings Lite/Server), python {platform.python_version()}"
            ]
        ],
    ),
]


#: Office.js error types and the Excel error values they stand for.
ERROR_TYPES = {
    "NotAvailable": "#N/A",
    "Value": "#VALUE!",
    "Num": "#NUM!",
    "Div0": "#DIV/0!",
    "Ref": "#REF!",
    "Name": "#NAME?",
    "Null": "#NULL!",
}


def excel_value(v):
    """An Office.js result or argument element as a cell holds it: error objects as Excel error text."""
    if isinstance(v, dict) and v.get("type") == "Error":
        return v.get("basicValue") or ERROR_TYPES[v["errorType"]]
    return v

"""Per-cell semantics that must agree with the docs and between runtimes, each case
through both xlwings runtimes (xlwings' real call paths, tests/helpers/runtime_officejs.py and
tests/helpers/runtime_classic.py) and the Python API.

The cases where the runtimes' own conversions differ: an error value in MCAPCLASS
``labels``; the newer error values (#SPILL!, #CALC!, #GETTING_DATA, ...), which classic
delivers as negative numbers; a date cell (classic delivers a datetime, Office.js its
serial number; both compute with the serial); ``Decimal('sNaN')``, ``'5\\x00'`` and a pandas ``Int64`` NA.
"""

from __future__ import annotations

import decimal
from pathlib import Path

import pytest

import xlfuncs
from tests.helpers.classic_harness import ERR, NEWER_ERR
from tests.helpers.runtime_officejs import OFFICE_JS, run_runtime
from xlfuncs import InputError

ROOT = Path(__file__).resolve().parents[2]


def officejs_error(text, kind):
    """An error cell as the Office.js client sends it."""
    return {"type": "Error", "basicType": "Error", "basicValue": text, "errorType": kind}


def err(kind):
    """An error value as custom-functions-call returns it (CustomFunctionsRuntime 1.4)."""
    return {"type": "Error", "errorType": kind}


# label: (function, Office.js args, Office.js result, classic args, classic result)
# Serial 45293 is 2024-01-02 (Excel's 1900 date system, as Office.js sends date cells).
CASES = {
    "error value in MCAPCLASS labels": (
        "MCAPCLASS",
        [[[5e9]], [[0], [1e9]], [["small"], [officejs_error("#N/A", "NotAvailable")]]],
        [[err("NotAvailable")]],
        [5e9, {"ref": [[0], [1e9]]}, {"ref": [["small"], [ERR["#N/A"]]]}],
        "#N/A",
    ),
    "#DIV/0! in MCAPCLASS labels": (
        "MCAPCLASS",
        [[[5e9]], [[0], [1e9]], [["small"], [officejs_error("#DIV/0!", "Div0")]]],
        [[err("Div0")]],
        [5e9, {"ref": [[0], [1e9]]}, {"ref": [["small"], [ERR["#DIV/0!"]]]}],
        "#DIV/0!",
    ),
    "newer error values pass through (as text)": (
        "MARKETCAP",
        [
            [
                [
                    officejs_error("#SPILL!", "Spill"),
                    officejs_error("#CALC!", "Calc"),
                    officejs_error("#GETTING_DATA", "GettingData"),
                    10,
                ]
            ],
            [[1000]],
        ],
        [["#SPILL!", "#CALC!", "#GETTING_DATA", 10000.0]],
        [{"ref": [[NEWER_ERR["#SPILL!"], NEWER_ERR["#CALC!"], NEWER_ERR["#GETTING_DATA"], 10]]}, 1000],
        ["#SPILL!", "#CALC!", "#GETTING_DATA", 10000.0],
    ),
    "newer error value as text": (
        "EV",
        [[["#BUSY!"]], [[1]], [[1]], None, None, None],
        [["#BUSY!"]],
        [{"ref": [["#BUSY!"]]}, 1, 1, None, None, None],
        "#BUSY!",
    ),
    "date cell computes as its serial number": (
        "MARKETCAP",
        [[[45293]], [[2]]],
        [[90586.0]],
        [{"date": "2024-01-02"}, 2],
        90586.0,
    ),
}


@pytest.fixture(scope="module")
def officejs():
    calls = [{"func_name": f, "args": a} for f, a, _, _, _ in CASES.values()]
    return dict(zip(CASES, run_runtime("runtime_officejs.py", calls, OFFICE_JS)["calls"], strict=True))


@pytest.fixture(scope="module")
def classic():
    from tests.helpers.classic_harness import MISSING

    calls = [
        {"func_name": f, "args": [MISSING if a is None else a for a in args]}
        for f, _, _, args, _ in CASES.values()
    ]
    return dict(zip(CASES, run_runtime("runtime_classic.py", calls)["calls"], strict=True))


@pytest.mark.parametrize("label", list(CASES))
def test_officejs(officejs, label):
    assert officejs[label] == CASES[label][2]


@pytest.mark.parametrize("label", list(CASES))
def test_classic(classic, label):
    assert classic[label] == CASES[label][4]


# The Python API: InputError naming the argument, with the Excel error the same cell gives.


@pytest.mark.parametrize(
    ("value", "excel_error"),
    [
        (decimal.Decimal("sNaN"), "#NUM!"),
        (decimal.Decimal("NaN"), "#NUM!"),
        ("5\x00", "#VALUE!"),
        (b"5", "#VALUE!"),
        ("#SPILL!", "#SPILL!"),
    ],
)
def test_python_api_refuses_with_input_error(value, excel_error):
    with pytest.raises(InputError) as raised:
        xlfuncs.marketcap(value, 1)
    assert raised.value.argument == "price" and raised.value.excel_error == excel_error


@pytest.mark.parametrize("dtype", ["Int64", "Float64"])
def test_pandas_na_is_blank_and_blank_is_na(dtype):
    pandas = pytest.importorskip("pandas")
    with pytest.raises(InputError) as raised:
        xlfuncs.marketcap(pandas.Series([1, None], dtype=dtype), 2)
    assert raised.value.excel_error == "#N/A" and "blank" in str(raised.value)
    assert str(raised.value).endswith("(#N/A in Excel)")
    full = xlfuncs.marketcap(pandas.Series([1, 3], dtype=dtype, index=["a", "b"]), 2)
    assert full.tolist() == [2.0, 6.0] and list(full.index) == ["a", "b"]


def test_series_with_different_indexes_are_refused_not_multiplied_by_position():
    pandas = pytest.importorskip("pandas")
    price = pandas.Series([1.0, 2.0], index=["x", "y"])
    shares = pandas.Series([10.0, 20.0], index=["y", "x"])  # before: x 10.0, y 40.0 (by position)
    with pytest.raises(InputError) as raised:
        xlfuncs.marketcap(price, shares)
    assert raised.value.argument == "shares" and "align" in str(raised.value)
    aligned = xlfuncs.marketcap(*price.align(shares))
    assert aligned.to_dict() == {"x": 20.0, "y": 20.0}
    assert xlfuncs.marketcap(price, 3).to_dict() == {"x": 3.0, "y": 6.0}  # one Series: its index kept

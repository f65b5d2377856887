"""Worksheet semantics: xlfuncs.framework.sheet.call and the xlfuncs.runtimes.excel functions, called in-process.

Arguments arrive as xlwings delivers them (scalars, 2-D lists, None for an empty
cell, "#N/A" for an error cell); results are 2-D lists of numbers, labels and
Excel error strings.  Expected values are hand arithmetic.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest

import xlfuncs.runtimes.excel
from xlfuncs import REGISTRY
from xlfuncs.framework.sheet import call

M = 1e6
NA, VALUE, NUM, DIV0, REF = "#N/A", "#VALUE!", "#NUM!", "#DIV/0!", "#REF!"
ERRORS = ["#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!"]

XYZ_COUNTS = [[10 * M], [10 * M]]  # a 2×1 range of tranches
XYZ_STRIKES = [[5.0], [5.0]]


@pytest.fixture(autouse=True)
def no_catch_all(caplog):
    """The sheet layer's catch-all (which logs at ERROR) must never be what produced a result."""
    caplog.set_level(logging.WARNING, logger="xlfuncs.framework.sheet")
    yield
    errors = [r for r in caplog.records if r.name == "xlfuncs.framework.sheet" and r.levelno >= logging.ERROR]
    assert not errors, errors[0].getMessage()


def assert_grid(result):
    """A non-empty 2-D list of equal-length rows whose cells are float or str."""
    assert isinstance(result, list) and result
    assert all(isinstance(row, list) and len(row) == len(result[0]) and row for row in result)
    for row in result:
        for cell in row:
            assert type(cell) in (float, str), repr(cell)
    return result


class _Checked:
    """xlfuncs.runtimes.excel, with every result checked by assert_grid."""

    def __getattr__(self, name):
        function = getattr(xlfuncs.runtimes.excel, name)
        return lambda *args: assert_grid(function(*args))


X = _Checked()


# --------------------------------------------------------------------------- broadcasting


def test_call_with_spec_equals_excel_function():
    assert assert_grid(call(REGISTRY["MARKETCAP"], 100, 1_000_000)) == [[100 * 1e6]]
    assert X.MARKETCAP(100, 1_000_000) == [[100 * 1e6]]


def test_scalar_gives_1x1():
    assert X.EV(1e9, 500e6, 100e6) == [[1e9 + 500e6 - 100e6]]


def test_1x1_expands_over_row_and_column():
    assert X.MARKETCAP([[2.0]], [[10.0, 20.0, 30.0]]) == [[2 * 10.0, 2 * 20.0, 2 * 30.0]]
    assert X.MARKETCAP([[1.0], [2.0]], 5) == [[1 * 5.0], [2 * 5.0]]


def test_row_and_column_expand_over_table():
    table = [[1.0, 2.0], [3.0, 4.0]]
    assert X.MARKETCAP(table, [[10.0, 100.0]]) == [[1 * 10.0, 2 * 100.0], [3 * 10.0, 4 * 100.0]]
    assert X.MARKETCAP(table, [[10.0], [100.0]]) == [[1 * 10.0, 2 * 10.0], [3 * 100.0, 4 * 100.0]]


def test_column_against_row_is_outer_table():
    out = X.MARKETCAP([[1.0], [2.0], [3.0]], [[10.0, 20.0]])
    assert out == [[p * s for s in (10.0, 20.0)] for p in (1.0, 2.0, 3.0)]


def test_shorter_range_pads_with_na():
    """A 3×1 range against a 2×1 range: the third row is #N/A (as =A1:A3*B1:B2)."""
    assert X.MARKETCAP([[1.0], [2.0], [3.0]], [[10.0], [20.0]]) == [[1 * 10.0], [2 * 20.0], [NA]]
    assert X.MARKETCAP([[1.0, 2.0, 3.0]], [[10.0, 20.0]]) == [[1 * 10.0, 2 * 20.0, NA]]


def test_mismatched_tables_pad_both_dimensions():
    out = X.MARKETCAP([[1.0, 2.0], [3.0, 4.0]], [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]])
    assert out == [[1.0, 2.0, NA], [3.0, 4.0, NA], [NA, NA, NA]]


def test_numpy_array_arguments():
    assert X.MARKETCAP(np.array([[1.0], [2.0]]), np.float64(3)) == [[1 * 3.0], [2 * 3.0]]


def test_1d_list_is_a_row():
    assert X.MARKETCAP([1.0, 2.0], 10) == [[10.0, 20.0]]


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "first, second, expected",
    [
        (DIV0, NA, DIV0),
        (NA, DIV0, NA),
        (-1, "abc", NUM),
        ("abc", -1, VALUE),
        (None, REF, NA),
        (REF, None, REF),
        (True, -1, VALUE),
    ],
)
def test_first_error_in_argument_order_wins(first, second, expected):
    assert X.MARKETCAP(first, second) == [[expected]]


def test_first_error_per_element():
    out = X.MARKETCAP([[-1, "x", 5, None, 2]], [[REF, 2, None, "#NAME?", 3]])
    assert out == [[NUM, VALUE, NA, NA, 2 * 3.0]]


@pytest.mark.parametrize("error", ERRORS)
def test_error_cells_pass_through(error):
    assert X.MARKETCAP(error, 10) == [[error]]
    assert X.MARKETCAP(10, [[1.0, error]]) == [[10.0, error]]
    assert X.FDSHARES(10, 50, [[error]]) == [[error]]  # error inside a tranche table


def test_blank_required_is_na():
    assert X.MARKETCAP(None, 10) == [[NA]]
    assert X.EV(1e9, None, 100e6) == [[NA]]
    assert X.MARKETCAP([[1.0, None]], 10) == [[10.0, NA]]


def test_omitted_required_is_na():
    assert X.MARKETCAP(10) == [[NA]]
    assert X.DILUTION() == [[NA]]


def test_blank_optional_amount_is_zero():
    """EV's preferred, minority interest and investments: an empty cell means 0."""
    expected = 1e9 + 500e6 - 100e6
    assert X.EV(1e9, 500e6, 100e6, None, None, None) == [[expected]]
    assert X.EV(1e9, 500e6, 100e6, [[None]], [[None]], [[None]]) == [[expected]]
    assert X.EV(1e9, 500e6, 100e6, [[None, 5.0]]) == [[expected, expected + 5.0]]


def test_numeric_text_is_a_number():
    assert X.MARKETCAP(" 2e9 ", 2) == [[2e9 * 2]]
    assert X.MARKETCAP("12.5", [["4000000"]]) == [[12.5 * 4_000_000]]


@pytest.mark.parametrize("value", [True, False, "abc", "1,5", "12 %"])
def test_booleans_and_text_are_value_errors(value):
    assert X.MARKETCAP(value, 1) == [[VALUE]]
    assert X.MARKETCAP(1, [[value]]) == [[VALUE]]


@pytest.mark.parametrize("value", [-1, -1e-300, float("nan"), float("inf"), float("-inf"), 10**400, "1e400"])
def test_negative_and_non_finite_are_num(value):
    assert X.MARKETCAP(value, 1) == [[NUM]]
    assert X.EV(1, 2, value) == [[NUM]]


def test_overflowing_result_is_num():
    assert X.MARKETCAP(1e200, 1e200) == [[NUM]]


def test_unknown_method_only_in_its_element():
    """Method {"gross", "foo", "TSM"}: 700m, #VALUE!, 600m."""
    out = X.FDMCAP(10, 50 * M, XYZ_COUNTS, XYZ_STRIKES, [["gross", "foo", "TSM"]])
    assert out == [[10 * 70 * M, VALUE, 10 * 60 * M]]
    assert X.FDMCAP(10, 50 * M, XYZ_COUNTS, XYZ_STRIKES, "nope") == [[VALUE]]


def test_blank_method_is_gross():
    assert X.FDMCAP(10, 50 * M, XYZ_COUNTS, XYZ_STRIKES, [[None, ""]]) == [[700 * M, 700 * M]]


def test_tranche_table_error_hits_every_element_after_earlier_errors():
    """A bad tranche spoils every element, but an earlier argument's own error still wins."""
    assert X.FDSHARES([[-1, 20]], 50, [[REF]]) == [[NUM, REF]]
    assert X.FDSHARES([[10, 20]], 50, [[1.0], [-1.0]]) == [[NUM, NUM]]


def test_counts_and_strikes_of_different_lengths():
    assert X.FDSHARES([[10, 20]], 50, [[1.0], [2.0]], [[5.0]]) == [[VALUE, VALUE]]


def test_counts_missing_is_na():
    assert X.FDSHARES(10, 50) == [[NA]]


def test_multiple_not_meaningful_is_nm():
    assert X.MULTIPLE([[84, 84, 84, -84]], [[7, 0, -7, 7]]) == [[84 / 7, "NM", "NM", -84 / 7]]


def test_fdv():
    assert X.FDV(60_000, 21 * M) == [[60_000 * 21e6]]
    assert X.FDV(3_000, [[0, None]], 120 * M) == [[3_000 * 120e6, 3_000 * 120e6]]
    assert X.FDV(3_000, None, None) == [[NA]]
    assert X.FDV(3_000, 0) == [[NA]]


def test_div0_and_part_exceeding_whole():
    assert X.FREEFLOAT([[0, 100, 100]], [[0, 30, 101]]) == [[DIV0, (100 - 30) / 100, NUM]]
    assert X.OWNERSHIP([[0, 3, 101]], [[0, 120, 100]]) == [[DIV0, 3 / 120, NUM]]


def test_dilution_and_ffmcap():
    assert X.DILUTION([[100, 90, 100, 100]], [[25, -10, -100, -150]]) == [[25 / 125, -10 / 80, NUM, NUM]]
    assert X.FFMCAP(50, 100e6, [[0.7, 1.5, -0.1]]) == [[50 * 100e6 * 0.7, NUM, NUM]]


# --------------------------------------------------------------------------- size classes


def test_mcapclass_defaults_column():
    caps = [[250e9], [10e9], [10e9 - 1], [1.4e9], [50e6], [1.0]]
    assert X.MCAPCLASS(caps) == [["Mega"], ["Large"], ["Mid"], ["Small"], ["Micro"], ["Nano"]]


def test_mcapclass_custom_thresholds():
    thresholds, labels = [[10], [0], [5]], [["hi"], ["lo"], ["mid"]]  # unsorted is fine
    assert X.MCAPCLASS([[0, 5, 10]], thresholds, labels) == [["lo", "mid", "hi"]]


def test_mcapclass_below_all_custom_thresholds_is_na():
    assert X.MCAPCLASS([[0.5, 2]], [[1], [5]], [["a"], ["b"]]) == [[NA, "a"]]


def test_mcapclass_mismatched_lengths():
    assert X.MCAPCLASS([[1, 2]], [[1], [5]], [["a"]]) == [[VALUE, VALUE]]


def test_mcapclass_trailing_blank_rows_in_tables_are_ignored():
    assert X.MCAPCLASS(7, [[0], [5], [None]], [["a"], ["b"], [None]]) == [["b"]]


# --------------------------------------------------------------------------- shapes


@pytest.mark.parametrize("bad", [[[1, 2], [3]], [[1, 2], 3], [[[1]]], [[]]])
def test_ragged_input_is_value(bad):
    assert X.MARKETCAP(bad, 1) == [[VALUE]]
    assert X.FDSHARES(10, 50, bad) == [[VALUE]]


def test_too_many_arguments():
    assert X.MARKETCAP(1, 2, 3) == [[VALUE]]
    assert X.XLFUNCS(1) == [[VALUE]]
    assert assert_grid(call(REGISTRY["EV"], *([1] * 7))) == [[VALUE]]


def test_xlfuncs_version_cell():
    out = assert_grid(X.XLFUNCS())
    assert len(out) == 1 and len(out[0]) == 1
    assert out[0][0].startswith("xlfuncs ")


# --------------------------------------------------------------------------- FDBRIDGE spill

BRIDGE_LABELS = [
    "Share price",
    "Basic shares",
    "Instruments counted",
    "Exercise proceeds",
    "Shares repurchased",
    "Shares from convertibles",
    "FD shares",
    "Market cap",
    "FD market cap",
    "Debt",
    "Debt converted",
    "Preferred",
    "Minority interest",
    "Cash",
    "Cash + proceeds",
    "Investments",
    "EV",
    "FD EV",
]


def test_fdbridge_spills_one_column_per_method():
    out = assert_grid(X.FDBRIDGE(10, 50 * M, 0, 100 * M, XYZ_COUNTS, XYZ_STRIKES, [["gross", "tsm", "all"]]))
    assert [row[0] for row in out] == BRIDGE_LABELS
    assert all(len(row) == 1 + 3 for row in out)
    rows = {row[0]: row[1:] for row in out}
    assert rows["Instruments counted"] == [20 * M] * 3
    assert rows["Exercise proceeds"] == [20 * M * 5] * 3
    assert rows["Shares repurchased"] == [0.0, 100 * M / 10, 0.0]
    assert rows["FD shares"] == [70 * M, 60 * M, 70 * M]
    assert rows["FD market cap"] == [700 * M, 600 * M, 700 * M]
    assert rows["Cash + proceeds"] == [200 * M, 100 * M, 200 * M]
    assert rows["EV"] == [500 * M - 100 * M] * 3
    assert rows["FD EV"] == [700 * M - 200 * M, 600 * M - 100 * M, 700 * M - 200 * M]


def test_fdbridge_single_element_and_errors_in_some_columns():
    out = X.FDBRIDGE([[10, -1]], 50 * M, 0, 100 * M, XYZ_COUNTS, XYZ_STRIKES)
    rows = {row[0]: row[1:] for row in out}
    assert rows["FD EV"] == [500 * M, NUM]
    assert rows["Share price"] == [10.0, NUM]


def test_fdbridge_all_bad_is_one_error_cell():
    assert X.FDBRIDGE(10, 50 * M, 0, 100 * M, [[1.0], [2.0]], [[5.0]]) == [[VALUE]]


# --------------------------------------------------------------------------- universes

N = 2_000


def test_universe_marketcap_and_ev():
    price = [[float(i + 1)] for i in range(N)]
    out = X.MARKETCAP(price, 1_000)
    assert len(out) == N and all(len(r) == 1 for r in out)
    assert out == [[(i + 1) * 1_000.0] for i in range(N)]
    out = X.EV(out, [[10.0]] * N, 500)
    assert out == [[(i + 1) * 1_000.0 + 10 - 500] for i in range(N)]


def test_universe_mcapclass_and_multiple():
    caps = [[float(i) * 1e8] for i in range(N)]  # 0 .. 199.9bn
    out = X.MCAPCLASS(caps)
    assert len(out) == N
    expected = [
        "Nano"
        if i * 1e8 < 50e6
        else "Micro"
        if i * 1e8 < 300e6
        else "Small"
        if i * 1e8 < 2e9
        else "Mid"
        if i * 1e8 < 10e9
        else "Large"
        for i in range(N)
    ]
    assert [r[0] for r in out] == expected
    out = X.MULTIPLE(caps, [[float(i % 3)] for i in range(N)])
    assert len(out) == N
    assert [r[0] for r in out] == ["NM" if i % 3 == 0 else i * 1e8 / (i % 3) for i in range(N)]


def test_office_js_raw_cell_objects():
    """Office.js arguments arrive unconverted: error objects pass through, typed numbers are
    numbers, Pyodide's JsNull (an empty cell in xlwings Lite) is blank, in numbers and methods."""
    from xlfuncs.runtimes.excel import FDMCAP, MARKETCAP

    class JsNull:  # stands in for pyodide.ffi.JsNull, recognised by its type name
        pass

    na = {"type": "Error", "basicType": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
    formatted = {"type": "FormattedNumber", "basicValue": 12.5, "numberFormat": "$0.00"}
    assert MARKETCAP([[10.0], [na], [formatted], [JsNull()]], 4) == [[40.0], ["#N/A"], [50.0], ["#N/A"]]
    methods = [["tsm", JsNull(), {"type": "Error", "basicValue": "#REF!"}]]
    xyz = FDMCAP(10, 50e6, [[10e6], [10e6]], [[5], [5]], methods)
    assert xyz == [[600e6, 700e6, "#REF!"]]  # tsm; blank = default gross; error passed through

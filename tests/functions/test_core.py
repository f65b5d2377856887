"""The Python API: the articles' numbers, hand-computed cases, error rules, input types.

Every expected value is written out as arithmetic in the test, never copied
from the package's output.
"""

from __future__ import annotations

import math
import platform

import numpy as np
import pandas as pd
import pytest

import xlfuncs
from xlfuncs import (
    InputError,
    combinedmcap,
    convshares,
    dilution,
    ev,
    fdbridge,
    fdev,
    fdmcap,
    fdshares,
    fdtranches,
    fdv,
    ffmcap,
    freefloat,
    impliedprice,
    marketcap,
    mcapclass,
    multiple,
    ownership,
    tomajor,
    version_info,
)

M, BN = 1e6, 1e9

# XYZ from the source article: 50m shares at $10, 10m options and 10m warrants struck
# at $5, cash $100m, no debt.
XYZ = dict(price=10.0, shares=50 * M, debt=0.0, cash=100 * M, counts=[10 * M, 10 * M], strikes=[5.0, 5.0])

# A tranche table with one in-the-money, one out-of-the-money, one at-the-money
# tranche and one RSU tranche (no strike), valued at $20 a share.
P_A, SHARES_A, DEBT_A, CASH_A = 20.0, 1_000_000.0, 3_000_000.0, 2_000_000.0
COUNTS_A = [100_000.0, 50_000.0, 20_000.0, 30_000.0]
STRIKES_A = [10.0, 25.0, 20.0, None]  # ITM, OTM, ATM (strike == price is not ITM), RSU


def assert_input_error(call, excel_error, argument, position=None):
    """``call()`` raises InputError (a ValueError) with these attributes and a message naming the place."""
    with pytest.raises(InputError) as info:
        call()
    err = info.value
    assert isinstance(err, ValueError)
    assert err.excel_error == excel_error
    assert err.argument == argument
    assert err.position == position
    where = argument if position is None else f"{argument}[{', '.join(str(i) for i in position)}]"
    assert where in str(err)
    return err


# --------------------------------------------------------------------------- articles


def test_article_marketcap_one_million_shares_at_100():
    assert marketcap(100, 1_000_000) == 100 * 1_000_000 == 100 * M


def test_article_abc_corporation_ev():
    """EV = 1bn + 500m − 100m = 1.4bn, 400m above the market cap."""
    value = ev(1 * BN, 500 * M, 100 * M)
    assert value == 1.4 * BN
    assert value - 1 * BN == pytest.approx(400 * M, rel=1e-15)


def test_article_xyz_gross():
    """Gross: 70m FD shares × $10 = 700m; FD EV = 700m − (100m + 20m × $5) = 500m."""
    assert fdshares(10, 50 * M, XYZ["counts"], XYZ["strikes"]) == 50 * M + 20 * M
    assert fdmcap(**{k: XYZ[k] for k in ("price", "shares", "counts", "strikes")}) == 700 * M
    assert fdev(**XYZ) == 700 * M - (100 * M + 20 * M * 5)
    assert fdev(**XYZ, method="gross") == 500 * M


def test_article_xyz_tsm():
    """TSM: 20m − 100m/$10 = 10m net new shares → 60m × $10 = 600m; FD EV 600m − 100m = 500m."""
    fd_shares = 50 * M + 20 * M - (20 * M * 5) / 10
    assert fdshares(10, 50 * M, XYZ["counts"], XYZ["strikes"], "tsm") == fd_shares == 60 * M
    assert fdmcap(10, 50 * M, XYZ["counts"], XYZ["strikes"], "tsm") == 600 * M
    assert fdev(**XYZ, method="tsm") == 600 * M - 100 * M == 500 * M


def test_article_coin():
    """A coin at $0.10 with 50bn coins in circulation is a $5bn market cap."""
    assert marketcap(0.10, 50 * BN) == 0.10 * 50e9 == 5 * BN


# --------------------------------------------------------------------------- marketcap, ev


def test_marketcap_hand_cases():
    assert marketcap(12.5, 4_000_000) == 12.5 * 4_000_000
    assert marketcap(0, 4_000_000) == 0.0
    assert marketcap(12.5, 0) == 0.0
    assert marketcap(" 2e9 ", 2) == 4e9  # numeric text is a number
    assert marketcap([1.0, 2.5], [100, 200]).tolist() == [1.0 * 100, 2.5 * 200]


def test_ev_all_components():
    """EV = mcap + debt + preferred + minority − cash − investments."""
    assert ev(250, 40, 15, preferred=5, minority_interest=7, investments=3) == 250 + 40 + 5 + 7 - 15 - 3
    assert ev(250, 40, 15, None, None, None) == 250 + 40 - 15  # optional None means 0


def test_ev_negative_when_net_cash_exceeds_market_cap():
    assert ev(200 * M, 0, 250 * M) == 200 * M - 250 * M


# --------------------------------------------------------------------------- free float, ownership


def test_freefloat_hand_cases():
    assert freefloat(80 * M, 20 * M) == (80 - 20) / 80
    assert freefloat(10, 0) == 1.0
    assert freefloat(10, 10) == 0.0


def test_ffmcap_hand_cases():
    assert ffmcap(20, 5 * M, 0.6) == pytest.approx(20 * 5e6 * 0.6, rel=1e-15)
    assert ffmcap(20, 5 * M, 1) == 20 * 5 * M  # both ends of 0..1 are allowed
    assert ffmcap(20, 5 * M, 0) == 0.0


def test_ownership_hand_cases():
    assert ownership(3 * M, 120 * M) == 3e6 / 120e6
    assert ownership(120, 120) == 1.0
    assert ownership(0, 120) == 0.0


# --------------------------------------------------------------------------- dilution, multiple


def test_dilution_issue_and_buyback():
    """dilution = new / (shares + new); a buyback (new < 0) is negative."""
    assert dilution(100, 25) == 25 / (100 + 25) == 0.2
    assert dilution(90, -10) == -10 / (90 - 10) == -0.125
    assert dilution(100, 0) == 0.0
    assert dilution(0, 5) == 1.0


def test_multiple_hand_cases():
    assert multiple(84, 7) == 84 / 7 == 12.0
    assert multiple(-84, 7) == -12.0  # the value may be negative
    assert multiple(1.4 * BN, 175 * M) == 1.4e9 / 175e6


@pytest.mark.parametrize("metric", [0, -0.0, -1, -1e-300])
def test_multiple_metric_not_positive_is_nan(metric):
    assert math.isnan(multiple(10, metric))


def test_multiple_arrays_mix_nan_and_values():
    out = multiple([10, 10, 10], [2, 0, -5])
    assert out[0] == 5.0 and math.isnan(out[1]) and math.isnan(out[2])


# --------------------------------------------------------------------------- fdv


def test_fdv_max_supply():
    assert fdv(60_000, 21 * M) == 60_000 * 21e6
    assert fdv(2, 100, 50) == 2 * 100  # max supply wins when given


@pytest.mark.parametrize("max_supply", [None, 0])
def test_fdv_unlimited_max_supply_uses_total(max_supply):
    assert fdv(3_000, max_supply, 120 * M) == 3_000 * 120e6


@pytest.mark.parametrize("max_supply", [None, 0])
def test_fdv_neither_supply_is_nan(max_supply):
    assert math.isnan(fdv(3_000, max_supply))
    assert math.isnan(fdv(3_000, max_supply, None))


# --------------------------------------------------------------------------- mcapclass


@pytest.mark.parametrize(
    "cap, label",
    [
        (1e15, "Mega"),
        (200e9, "Mega"),
        (200e9 - 1, "Large"),
        (10e9, "Large"),
        (10e9 - 1, "Mid"),
        (2e9, "Mid"),
        (2e9 - 1, "Small"),
        (300e6, "Small"),
        (300e6 - 1, "Micro"),
        (50e6, "Micro"),
        (50e6 - 1, "Nano"),
        (1.0, "Nano"),
        (0.0, "Nano"),
    ],
)
def test_mcapclass_default_boundaries(cap, label):
    """Lower bounds are inclusive: exactly 10e9 is Large, 10e9 − 1 is Mid."""
    assert mcapclass(cap) == label


def test_mcapclass_default_array():
    assert mcapclass([250e9, 5e9, 10e6]).tolist() == ["Mega", "Mid", "Nano"]


@pytest.mark.parametrize(
    "cap, label",
    [
        (0, "lo"),
        (4.99, "lo"),
        (5, "mid"),
        (9.99, "mid"),
        (10, "hi"),
        (1e6, "hi"),
    ],
)
def test_mcapclass_custom_unsorted_thresholds(cap, label):
    assert mcapclass(cap, [10, 0, 5], ["hi", "lo", "mid"]) == label


def test_mcapclass_below_all_custom_thresholds_is_none():
    assert mcapclass(0.5, [1, 5], ["a", "b"]) is None
    assert mcapclass([0.5, 2], [1, 5], ["a", "b"]).tolist() == [None, "a"]


def test_mcapclass_numeric_labels_become_text():
    assert mcapclass(5, [0, 1], [1, 2]) == "2"


def test_mcapclass_mismatched_lengths():
    assert_input_error(lambda: mcapclass(5, [0, 1], ["a"]), "#VALUE!", "labels")
    assert_input_error(lambda: mcapclass(5, [0, 1]), "#VALUE!", "labels")


def test_mcapclass_bad_tables():
    assert_input_error(lambda: mcapclass(5, [0, 5, 5], ["a", "b", "c"]), "#VALUE!", "thresholds")
    assert_input_error(lambda: mcapclass(5, [0, None], ["a", "b"]), "#VALUE!", "thresholds")


# --------------------------------------------------------------------------- fully diluted


def test_fd_gross_mixed_tranches():
    """Gross: only strike < price (and RSUs) count: 100k ITM + 30k RSU; proceeds 100k × $10."""
    fd_shares = SHARES_A + 100_000 + 30_000
    proceeds = 100_000 * 10.0
    assert fdshares(P_A, SHARES_A, COUNTS_A, STRIKES_A) == fd_shares
    assert fdmcap(P_A, SHARES_A, COUNTS_A, STRIKES_A, "gross") == P_A * fd_shares
    assert fdev(P_A, SHARES_A, DEBT_A, CASH_A, COUNTS_A, STRIKES_A) == P_A * fd_shares + DEBT_A - (
        CASH_A + proceeds
    )


def test_fd_tsm_mixed_tranches():
    """TSM: ITM tranche adds 100k × (20 − 10)/20 = 50k; the RSU adds 30k; no proceeds to cash."""
    fd_shares = SHARES_A + 100_000 * (20 - 10) / 20 + 30_000
    assert fdshares(P_A, SHARES_A, COUNTS_A, STRIKES_A, "tsm") == fd_shares
    assert fdmcap(P_A, SHARES_A, COUNTS_A, STRIKES_A, "tsm") == P_A * fd_shares
    assert (
        fdev(P_A, SHARES_A, DEBT_A, CASH_A, COUNTS_A, STRIKES_A, "tsm") == P_A * fd_shares + DEBT_A - CASH_A
    )


def test_fd_all_mixed_tranches():
    """All: every tranche counted and every tranche's proceeds added to cash."""
    fd_shares = SHARES_A + 100_000 + 50_000 + 20_000 + 30_000
    proceeds = 100_000 * 10 + 50_000 * 25 + 20_000 * 20 + 30_000 * 0
    assert fdshares(P_A, SHARES_A, COUNTS_A, STRIKES_A, "all") == fd_shares
    assert fdmcap(P_A, SHARES_A, COUNTS_A, STRIKES_A, "all") == P_A * fd_shares
    assert (
        fdev(P_A, SHARES_A, DEBT_A, CASH_A, COUNTS_A, STRIKES_A, "all")
        == P_A * fd_shares + DEBT_A - (CASH_A + proceeds)
        == 22_350_000
    )


@pytest.mark.parametrize("method", ["gross", "tsm"])
def test_fdev_gross_equals_tsm_mixed_tranches(method):
    """Both give 20 × 1.13m + 3m − 3m = 22.6m (the ITM tranche's intrinsic value is 100k × $10)."""
    assert fdev(P_A, SHARES_A, DEBT_A, CASH_A, COUNTS_A, STRIKES_A, method) == 22_600_000


def test_fdev_bridge_components():
    """Preferred, minority interest and investments enter FD EV as in EV."""
    fd_shares = SHARES_A + 130_000
    expected = P_A * fd_shares + DEBT_A + 500_000 + 200_000 - (CASH_A + 100_000 * 10) - 100_000
    assert (
        fdev(
            P_A,
            SHARES_A,
            DEBT_A,
            CASH_A,
            COUNTS_A,
            STRIKES_A,
            "gross",
            preferred=500_000,
            minority_interest=200_000,
            investments=100_000,
        )
        == expected
    )


@pytest.mark.parametrize(
    "method, expected",
    [
        ("GROSS", 1_130_000),
        (" Tsm ", 1_080_000),
        ("All", 1_200_000),
        ("gRoSs", 1_130_000),
    ],
)
def test_fd_method_is_case_insensitive(method, expected):
    assert fdshares(P_A, SHARES_A, COUNTS_A, STRIKES_A, method) == expected


def test_fd_method_none_is_gross():
    assert fdshares(P_A, SHARES_A, COUNTS_A, STRIKES_A, None) == SHARES_A + 130_000


@pytest.mark.parametrize("rsu_strike", [None, 0, 0.0, ""])
@pytest.mark.parametrize("method", ["gross", "tsm", "all"])
def test_rsus_always_counted_without_proceeds(rsu_strike, method):
    """A blank or 0 strike is an RSU: counted 1:1 under every method, no proceeds."""
    assert fdshares(10, 1_000, [40], [rsu_strike], method) == 1_000 + 40
    assert fdev(10, 1_000, 50, 30, [40], [rsu_strike], method) == 10 * (1_000 + 40) + 50 - 30
    assert fdbridge(10, 1_000, 50, 30, [40], [rsu_strike], method)["Exercise proceeds"] == 0.0


def test_strikes_omitted_means_all_rsus():
    assert fdshares(10, 100, [5, 7]) == 100 + 5 + 7
    assert fdshares(10, 100, [5, 7], None, "tsm") == 100 + 5 + 7


def test_fd_without_tranches_is_basic():
    assert fdmcap(10, 50 * M) == 10 * 50e6
    assert fdev(10, 50 * M, 7 * M, 3 * M) == 10 * 50e6 + 7e6 - 3e6


def test_blank_count_is_zero():
    assert fdshares(10, 100, [None, 7], [5, 5]) == 100 + 7


@pytest.mark.parametrize(
    "method, fd_shares, fd_ev",
    [
        # price 0: no option is in the money; the 40 RSUs count; TSM repurchases nothing.
        ("gross", 1_000 + 40, 0 + 50 - 30),
        ("tsm", 1_000 + 40, 0 + 50 - 30),
        # all: the $5 tranche counts and its 100 × $5 proceeds go to cash.
        ("all", 1_000 + 100 + 40, 0 + 50 - (30 + 100 * 5)),
    ],
)
def test_fd_price_zero(method, fd_shares, fd_ev):
    assert fdshares(0, 1_000, [100, 40], [5, 0], method) == fd_shares
    assert fdmcap(0, 1_000, [100, 40], [5, 0], method) == 0.0
    assert fdev(0, 1_000, 50, 30, [100, 40], [5, 0], method) == fd_ev


def test_fd_price_array_moves_tranches_in_the_money():
    """At $5 only the RSU counts, at $15 the $10 tranche too, at $30 every tranche."""
    out = fdshares([5, 15, 30], SHARES_A, COUNTS_A, STRIKES_A)
    assert out.tolist() == [
        SHARES_A + 30_000,
        SHARES_A + 100_000 + 30_000,
        SHARES_A + 100_000 + 50_000 + 20_000 + 30_000,
    ]


def test_fd_method_array():
    out = fdshares(P_A, SHARES_A, COUNTS_A, STRIKES_A, ["gross", "tsm", "all"])
    assert out.tolist() == [1_130_000, 1_080_000, 1_200_000]


XYZ_BRIDGE = {
    # label: (gross, tsm, all)
    "Share price": (10, 10, 10),
    "Basic shares": (50 * M, 50 * M, 50 * M),
    "Instruments counted": (20 * M, 20 * M, 20 * M),
    "Exercise proceeds": (20 * M * 5, 20 * M * 5, 20 * M * 5),
    "Shares repurchased": (0, 20 * M * 5 / 10, 0),
    "Shares from convertibles": (0, 0, 0),
    "FD shares": (70 * M, 60 * M, 70 * M),
    "Market cap": (500 * M, 500 * M, 500 * M),
    "FD market cap": (700 * M, 600 * M, 700 * M),
    "Debt": (0, 0, 0),
    "Debt converted": (0, 0, 0),
    "Preferred": (0, 0, 0),
    "Minority interest": (0, 0, 0),
    "Cash": (100 * M, 100 * M, 100 * M),
    "Cash + proceeds": (100 * M + 100 * M, 100 * M, 100 * M + 100 * M),
    "Investments": (0, 0, 0),
    "EV": (500 * M - 100 * M, 500 * M - 100 * M, 500 * M - 100 * M),
    "FD EV": (700 * M - 200 * M, 600 * M - 100 * M, 700 * M - 200 * M),
}


@pytest.mark.parametrize("column, method", list(enumerate(["gross", "tsm", "all"])))
def test_fdbridge_xyz_every_row(column, method):
    bridge = fdbridge(**XYZ, method=method)
    assert list(bridge) == list(XYZ_BRIDGE)
    for label, values in XYZ_BRIDGE.items():
        assert type(bridge[label]) is float, label
        assert bridge[label] == values[column], label


def test_fdbridge_broadcasts_each_row():
    bridge = fdbridge(**XYZ, method=["gross", "tsm", "all"])
    for label, values in XYZ_BRIDGE.items():
        assert bridge[label].tolist() == list(values), label


# --------------------------------------------------------------------------- version_info


def test_version_info():
    info = version_info()
    assert sorted(info) == ["python", "runtime", "xlfuncs", "xlwings"]
    assert info["xlfuncs"] == xlfuncs.__version__
    assert info["python"] == platform.python_version()
    assert all(isinstance(v, str) and v for v in info.values())


# --------------------------------------------------------------------------- error rules

# Per function: valid keyword arguments, which arguments are required (None -> #N/A),
# which are numeric (text/bool/nan/inf -> #VALUE!/#NUM!), which must be >= 0,
# and which are tables (tranches, thresholds) rather than broadcast.
TRANCHES = dict(counts=[10 * M, 10 * M], strikes=[5.0, 5.0])
CONVERTIBLE = dict(conv_principal=[100 * M, 50 * M], conv_price=[20.0, 40.0])
FUNCTIONS = {
    "marketcap": (
        marketcap,
        dict(price=10.0, shares=5.0),
        ["price", "shares"],
        ["price", "shares"],
        ["price", "shares"],
        [],
    ),
    "ev": (
        ev,
        dict(market_cap=100.0, debt=10.0, cash=5.0, preferred=1.0, minority_interest=1.0, investments=1.0),
        ["market_cap", "debt", "cash"],
        ["market_cap", "debt", "cash", "preferred", "minority_interest", "investments"],
        ["market_cap", "debt", "cash", "preferred", "minority_interest", "investments"],
        [],
    ),
    "fdshares": (
        fdshares,
        dict(price=10.0, shares=50 * M, **TRANCHES, method="gross"),
        ["price", "shares", "counts"],
        ["price", "shares", "counts", "strikes"],
        ["price", "shares", "counts", "strikes"],
        ["counts", "strikes"],
    ),
    "fdmcap": (
        fdmcap,
        dict(price=10.0, shares=50 * M, **TRANCHES, method="tsm"),
        ["price", "shares"],
        ["price", "shares", "counts", "strikes"],
        ["price", "shares", "counts", "strikes"],
        ["counts", "strikes"],
    ),
    "fdev": (
        fdev,
        dict(
            price=10.0,
            shares=50 * M,
            debt=1.0,
            cash=100 * M,
            **TRANCHES,
            method="all",
            preferred=1.0,
            minority_interest=1.0,
            investments=1.0,
        ),
        ["price", "shares", "debt", "cash"],
        [
            "price",
            "shares",
            "debt",
            "cash",
            "counts",
            "strikes",
            "preferred",
            "minority_interest",
            "investments",
        ],
        [
            "price",
            "shares",
            "debt",
            "cash",
            "counts",
            "strikes",
            "preferred",
            "minority_interest",
            "investments",
        ],
        ["counts", "strikes"],
    ),
    "fdbridge": (
        fdbridge,
        dict(
            price=10.0,
            shares=50 * M,
            debt=1.0,
            cash=100 * M,
            **TRANCHES,
            method="gross",
            preferred=1.0,
            minority_interest=1.0,
            investments=1.0,
        ),
        ["price", "shares", "debt", "cash"],
        [
            "price",
            "shares",
            "debt",
            "cash",
            "counts",
            "strikes",
            "preferred",
            "minority_interest",
            "investments",
        ],
        [
            "price",
            "shares",
            "debt",
            "cash",
            "counts",
            "strikes",
            "preferred",
            "minority_interest",
            "investments",
        ],
        ["counts", "strikes"],
    ),
    "fdtranches": (
        fdtranches,
        dict(price=10.0, **TRANCHES, method="tsm"),
        ["price", "counts"],
        ["price", "counts", "strikes"],
        ["price", "counts", "strikes"],
        ["counts", "strikes"],
    ),
    "convshares": (
        convshares,
        dict(price=80.0, conv_principal=[500 * M, 100 * M], conv_price=[50.0, 40.0], conv_settlement="net"),
        ["price", "conv_principal", "conv_price"],
        ["price", "conv_principal", "conv_price"],
        ["price", "conv_principal", "conv_price"],
        ["conv_principal", "conv_price"],
    ),
    "impliedprice": (
        impliedprice,
        dict(equity_value=600 * M, shares=50 * M, **TRANCHES, method="tsm", **CONVERTIBLE),
        ["equity_value", "shares"],
        ["equity_value", "shares", "counts", "strikes", "conv_principal", "conv_price"],
        ["equity_value", "shares", "counts", "strikes", "conv_principal", "conv_price"],
        ["counts", "strikes", "conv_principal", "conv_price"],
    ),
    "combinedmcap": (
        combinedmcap,
        dict(shares=[5.8e9, 0.86e9], prices=[170.0, 171.0], ratios=[1.0, 1.0]),
        ["shares", "prices"],
        ["shares", "prices", "ratios"],
        ["shares", "prices", "ratios"],
        ["shares", "prices", "ratios"],
    ),
    "tomajor": (
        tomajor,
        dict(amount=250.0, currency_code="GBp"),
        ["amount", "currency_code"],
        ["amount"],
        [],
        [],
    ),
    "freefloat": (
        freefloat,
        dict(shares=100.0, restricted=30.0),
        ["shares", "restricted"],
        ["shares", "restricted"],
        ["shares", "restricted"],
        [],
    ),
    "ffmcap": (
        ffmcap,
        dict(price=50.0, shares=100.0, free_float=0.7),
        ["price", "shares", "free_float"],
        ["price", "shares", "free_float"],
        ["price", "shares", "free_float"],
        [],
    ),
    "fdv": (
        fdv,
        dict(price=10.0, max_supply=100.0, total_supply=50.0),
        ["price"],
        ["price", "max_supply", "total_supply"],
        ["price", "max_supply", "total_supply"],
        [],
    ),
    "mcapclass": (
        mcapclass,
        dict(market_cap=5e9, thresholds=[0.0, 1e9], labels=["s", "l"]),
        ["market_cap"],
        ["market_cap", "thresholds"],
        ["market_cap", "thresholds"],
        ["thresholds", "labels"],
    ),
    "dilution": (
        dilution,
        dict(shares=100.0, new_shares=25.0),
        ["shares", "new_shares"],
        ["shares", "new_shares"],
        ["shares"],
        [],
    ),
    "ownership": (
        ownership,
        dict(holding=1.0, shares=100.0),
        ["holding", "shares"],
        ["holding", "shares"],
        ["holding", "shares"],
        [],
    ),
    "multiple": (multiple, dict(value=84.0, metric=7.0), ["value", "metric"], ["value", "metric"], [], []),
}


def _error_cases():
    bad_numeric = [
        ("abc", "#VALUE!"),
        ("1,5", "#VALUE!"),
        (True, "#VALUE!"),
        (False, "#VALUE!"),
        (math.nan, "#NUM!"),
        (math.inf, "#NUM!"),
        (-math.inf, "#NUM!"),
        (10**400, "#NUM!"),
        ("#REF!", "#REF!"),
    ]
    for name, (_fn, _base, required, numeric, nonneg, _tables) in FUNCTIONS.items():
        for arg in required:
            yield pytest.param(name, arg, None, "#N/A", id=f"{name}-{arg}-None")
        for arg in numeric:
            cases = list(bad_numeric) + ([(-1.0, "#NUM!"), (-1e-300, "#NUM!")] if arg in nonneg else [])
            for bad, code in cases:
                yield pytest.param(name, arg, bad, code, id=f"{name}-{arg}-{bad!r}")
    for name in ("fdshares", "fdmcap", "fdev", "fdbridge", "fdtranches", "impliedprice"):
        for bad in ("foo", "gros", True, 1):
            yield pytest.param(name, "method", bad, "#VALUE!", id=f"{name}-method-{bad!r}")
    for bad in ("foo", "share", True, 1):
        yield pytest.param(
            "convshares", "conv_settlement", bad, "#VALUE!", id=f"convshares-settlement-{bad!r}"
        )
    for bad in ("FOO", "gbp", "ils", True, 1, "#REF!"):
        code = "#REF!" if bad == "#REF!" else "#VALUE!"
        yield pytest.param("tomajor", "currency_code", bad, code, id=f"tomajor-currency_code-{bad!r}")
    yield pytest.param("ffmcap", "free_float", 1.0000001, "#NUM!", id="ffmcap-free_float-above-1")


def _select(cases, *, second_element_of_broadcast_list):
    """Cases for the two tests below.

    False: every case as given (tables get the bad value as their second element).
    True: the broadcast arguments' cases again, the bad value as a list's second element.
    """
    for p in cases:
        name, arg, bad, _code = p.values
        is_table = arg in FUNCTIONS[name][5]
        if second_element_of_broadcast_list and (bad is None or is_table):
            continue
        yield p


@pytest.mark.parametrize(
    "name, arg, bad, code", list(_select(_error_cases(), second_element_of_broadcast_list=False))
)
def test_error_rule_scalar_or_table(name, arg, bad, code):
    """One bad argument -> InputError with the rule's Excel error, naming the argument.

    Broadcast arguments are given the bad value as a scalar (no position); a table
    (tranches, thresholds) gets it as its second element (position (1,)), except a
    whole-table None.
    """
    fn, base, *_, tables = FUNCTIONS[name]
    kwargs = dict(base)
    if arg in tables and bad is not None:
        kwargs[arg] = [base[arg][0], bad]
        position = (1,)
    else:
        kwargs[arg] = bad
        position = None
    assert_input_error(lambda: fn(**kwargs), code, arg, position)


@pytest.mark.parametrize(
    "name, arg, bad, code", list(_select(_error_cases(), second_element_of_broadcast_list=True))
)
def test_error_rule_array_position(name, arg, bad, code):
    """The same bad value as the second element of a list names the position, e.g. price[1]."""
    fn, base, *_ = FUNCTIONS[name]
    kwargs = dict(base, **{arg: [base[arg], bad]})
    assert_input_error(lambda: fn(**kwargs), code, arg, (1,))


def test_error_position_2d_and_series_label():
    err = assert_input_error(
        lambda: marketcap(np.array([[1.0, 2.0], [3.0, -4.0]]), 3), "#NUM!", "price", (1, 1)
    )
    assert "price[1, 1]" in str(err)
    err = assert_input_error(
        lambda: marketcap(pd.Series([1.0, -2.0], index=["AAA", "BBB"]), 3), "#NUM!", "price", (1,)
    )
    assert "BBB" in str(err)


def test_error_message_says_excel_error():
    err = assert_input_error(lambda: marketcap([10, 20, "n/a"], 5), "#VALUE!", "price", (2,))
    assert str(err).startswith("price[2]")
    assert "#VALUE!" in str(err)


def test_first_bad_argument_and_element_is_reported():
    assert_input_error(lambda: marketcap([1, -1, "x"], None), "#NUM!", "price", (1,))
    assert_input_error(lambda: ev(1, [1, "x", -1], None), "#VALUE!", "debt", (1,))


@pytest.mark.parametrize("new_shares", [-100, -150, -1e9])
def test_dilution_shares_plus_new_not_positive(new_shares):
    """shares + new_shares ≤ 0 (everything bought back, or more) -> #NUM!."""
    assert_input_error(lambda: dilution(100, new_shares), "#NUM!", "new_shares")


def test_dilution_check_position():
    assert_input_error(lambda: dilution(100, [10, -100]), "#NUM!", "new_shares", (1,))
    assert_input_error(lambda: dilution([100, 0], 0), "#NUM!", "new_shares", (1,))


@pytest.mark.parametrize(
    "fn, kwargs",
    [
        (freefloat, dict(shares=0, restricted=0)),
        (ownership, dict(holding=0, shares=0)),
    ],
)
def test_shares_zero_is_div0(fn, kwargs):
    assert_input_error(lambda: fn(**kwargs), "#DIV/0!", "shares")


def test_div0_position():
    assert_input_error(lambda: freefloat([100, 0], 0), "#DIV/0!", "shares", (1,))
    assert_input_error(lambda: ownership(0, [[5, 5], [5, 0]]), "#DIV/0!", "shares", (1, 1))


def test_part_exceeds_whole_is_num():
    assert_input_error(lambda: freefloat(100, [10, 100.5]), "#NUM!", "restricted", (1,))
    assert_input_error(lambda: ownership(101, 100), "#NUM!", "holding")


@pytest.mark.parametrize("fn", [fdshares, fdmcap])
def test_counts_and_strikes_of_different_lengths(fn):
    assert_input_error(lambda: fn(10, 50 * M, [1, 2], [5]), "#VALUE!", "strikes")
    assert_input_error(lambda: fn(10, 50 * M, [1, 2], [5, 5, 5]), "#VALUE!", "strikes")


def test_fdev_counts_and_strikes_of_different_lengths():
    assert_input_error(lambda: fdev(10, 50 * M, 0, 0, [1, 2], [5]), "#VALUE!", "strikes")
    assert_input_error(lambda: fdbridge(10, 50 * M, 0, 0, [1], [5, 5]), "#VALUE!", "strikes")


def test_fdshares_counts_required():
    assert_input_error(lambda: fdshares(10, 50 * M, None), "#N/A", "counts")


def test_ragged_list_is_input_error():
    assert_input_error(lambda: marketcap([[1, 2], [3]], 1), "#VALUE!", "price")


# --------------------------------------------------------------------------- input types


def test_scalar_inputs_give_python_scalars():
    assert type(marketcap(3, 4)) is float and marketcap(3, 4) == 12.0
    assert type(marketcap(np.float64(3), np.array(4))) is float
    assert type(ev(1, 2, 3)) is float
    assert type(mcapclass(1e9)) is str
    assert type(multiple(1, 0)) is float


def test_lists_and_1d_arrays():
    out = marketcap([1.0, 2.0, 3.0], np.array([10.0, 20.0, 30.0]))
    assert isinstance(out, np.ndarray)
    assert out.tolist() == [1 * 10, 2 * 20, 3 * 30]
    assert marketcap((1, 2), 5).tolist() == [5.0, 10.0]


def test_2d_arrays():
    out = marketcap(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([10.0, 100.0]))
    assert out.shape == (2, 2)
    assert out.tolist() == [[1 * 10, 2 * 100], [3 * 10, 4 * 100]]


def test_broadcasting_column_times_row():
    """price shape (3, 1) × shares shape (4,) -> (3, 4), element [i, j] = price[i] × shares[j]."""
    price = np.array([[1.0], [2.0], [3.0]])
    shares = np.array([10.0, 20.0, 30.0, 40.0])
    out = marketcap(price, shares)
    assert out.shape == (3, 4)
    assert out.tolist() == [[p * s for s in (10.0, 20.0, 30.0, 40.0)] for p in (1.0, 2.0, 3.0)]


def test_incompatible_shapes():
    with pytest.raises(InputError) as info:
        marketcap([1, 2, 3], [1, 2])
    assert isinstance(info.value, ValueError)
    assert info.value.excel_error == "#VALUE!"
    with pytest.raises(InputError):
        ev(np.ones((2, 3)), np.ones(2), 0)


def test_series_keeps_index():
    price = pd.Series([10.0, 20.0, 0.5], index=["AAA", "BBB", "CCC"], name="price")
    out = marketcap(price, 1_000)
    assert isinstance(out, pd.Series)
    assert list(out.index) == ["AAA", "BBB", "CCC"]
    assert out.tolist() == [10 * 1_000, 20 * 1_000, 0.5 * 1_000]


def test_series_with_series_and_list():
    shares = pd.Series([100.0, 200.0], index=["x", "y"])
    out = marketcap([2.0, 3.0], shares)
    assert isinstance(out, pd.Series) and list(out.index) == ["x", "y"]
    assert out.tolist() == [200.0, 600.0]


def test_series_mcapclass_and_fd():
    caps = pd.Series([250e9, 1e6], index=["big", "tiny"])
    out = mcapclass(caps)
    assert isinstance(out, pd.Series) and list(out.index) == ["big", "tiny"]
    assert out.tolist() == ["Mega", "Nano"]
    prices = pd.Series([10.0, 4.0], index=["d1", "d2"])
    out = fdshares(prices, 50 * M, XYZ["counts"], XYZ["strikes"])
    assert isinstance(out, pd.Series) and list(out.index) == ["d1", "d2"]
    assert out.tolist() == [50 * M + 20 * M, 50 * M]  # at $4 the $5 tranches are out of the money


def test_fdbridge_series_values():
    prices = pd.Series([10.0, 4.0], index=["d1", "d2"])
    bridge = fdbridge(prices, 50 * M, 0, 100 * M, XYZ["counts"], XYZ["strikes"])
    assert list(bridge["FD EV"].index) == ["d1", "d2"]
    assert bridge["FD EV"].tolist() == [700 * M - 200 * M, 4 * 50 * M - 100 * M]


# --------------------------------------------------------------------------- edge cases


def test_boolean_inside_numeric_list():
    """A boolean among numbers is refused: numpy alone would read [10.0, True] as [10.0, 1.0]."""
    assert_input_error(lambda: marketcap([10.0, True], 2), "#VALUE!", "price", (1,))
    assert_input_error(lambda: fdshares(10, 50 * M, (10 * M, False), [5, 5]), "#VALUE!", "counts", (1,))


def test_table_series_index_not_used_for_result():
    """A Series given as a tranche table does not lend its index to a broadcast result."""
    counts = pd.Series([10 * M, 10 * M], index=["options", "warrants"])
    out = fdshares([10.0, 4.0], 50 * M, counts, [5, 5])
    assert not isinstance(out, pd.Series)
    assert out.tolist() == [70 * M, 50 * M]


def test_all_blank_custom_size_table_means_the_default_classes():
    """As in the worksheet, where an empty table range is the same as no table."""
    assert mcapclass(5e9, [None], [None]) == "Mid"
    assert mcapclass(5e9, [None, None], [None, None]) == "Mid"


def test_only_ascii_digits_are_numbers():
    """Excel does not read other scripts' digits as numbers."""
    assert_input_error(lambda: marketcap("\u0661\u0662", 2), "#VALUE!", "price", None)
    assert marketcap(" 12 ", 2) == 24.0

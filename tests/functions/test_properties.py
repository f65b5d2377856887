"""Hypothesis property tests: identities, monotonicity, broadcasting, sheet == Python."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import xlfuncs
import xlfuncs.runtimes.excel as X
from xlfuncs import (
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
)
from xlfuncs.runtimes.fetching import fetches

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
PER_FUNCTION = settings(SETTINGS, max_examples=60)  # tests parametrized over the functions


def amounts(lo=0.0, hi=1e12):
    """Finite amounts in [lo, hi], with exact zeros and round numbers likely."""
    return st.one_of(
        st.just(lo),
        st.floats(lo, hi, allow_nan=False, allow_infinity=False),
        st.integers(math.ceil(lo), int(hi)).map(float),
    )


prices = amounts(0.0, 1e5)
share_counts = amounts(0.0, 1e10)
strike_values = st.one_of(st.just(0.0), amounts(0.0, 1e5))
tranches = st.lists(st.tuples(amounts(0.0, 1e8), strike_values), max_size=8)
methods = st.sampled_from(["gross", "tsm", "all", "GROSS", " Tsm ", "All"])


def split(table):
    return [c for c, _ in table], [k for _, k in table]


def scale(price, shares, debt, cash, counts, strikes):
    """The size of the terms in FD EV, for an absolute tolerance of float rounding."""
    return (
        price * (shares + sum(counts))
        + debt
        + cash
        + sum(c * k for c, k in zip(counts, strikes, strict=True))
    )


# --------------------------------------------------------------------------- identities


@SETTINGS
@given(prices, share_counts, amounts(), amounts(), tranches)
def test_fdev_gross_equals_tsm(price, shares, debt, cash, table):
    """Gross and the treasury stock method always give the same FD EV."""
    counts, strikes = split(table)
    gross = fdev(price, shares, debt, cash, counts, strikes, "gross")
    tsm = fdev(price, shares, debt, cash, counts, strikes, "tsm")
    tol = 1e-9 * scale(price, shares, debt, cash, counts, strikes) + 1e-6
    assert math.isclose(gross, tsm, rel_tol=1e-9, abs_tol=tol)


@SETTINGS
@given(prices, share_counts, amounts(), amounts(), tranches, methods, amounts(), amounts(), amounts())
def test_fdbridge_rows_add_up(price, shares, debt, cash, table, method, pref, minority, inv):
    """FD EV = FD market cap + debt + preferred + minority − (cash + proceeds added) − investments;
    FD market cap = price × FD shares; the bridge agrees with FDSHARES, FDMCAP and FDEV."""
    counts, strikes = split(table)
    b = fdbridge(price, shares, debt, cash, counts, strikes, method, pref, minority, inv)
    tol = 1e-9 * (scale(price, shares, debt, cash, counts, strikes) + pref + minority + inv) + 1e-6

    def close(x, y):
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=tol)

    assert close(b["FD shares"], b["Basic shares"] + b["Instruments counted"] - b["Shares repurchased"])
    assert close(b["FD market cap"], price * b["FD shares"])
    assert close(b["FD EV"], b["FD market cap"] + debt + pref + minority - b["Cash + proceeds"] - inv)
    assert close(b["EV"], ev(price * shares, debt, cash, pref, minority, inv))
    assert close(b["FD EV"], fdev(price, shares, debt, cash, counts, strikes, method, pref, minority, inv))
    assert close(b["FD market cap"], fdmcap(price, shares, counts, strikes, method))
    assert close(b["FD shares"], fdshares(price, shares, counts, strikes, method))


convertible_tables = st.lists(st.tuples(amounts(0.0, 1e9), amounts(0.01, 1e5)), max_size=4)


@SETTINGS
@given(prices, share_counts, amounts(), amounts(), tranches, methods, convertible_tables)
def test_fdev_same_for_if_converted_and_net_settlement(price, shares, debt, cash, table, method, bonds):
    """If converted: principal ÷ K shares and the principal leaves debt; net: the spread
    (P − K) × principal ÷ K ÷ P in shares and the principal stays.  P × shares − principal is
    the same as P × spread shares, so FD EV is the same (as gross and TSM are for options)."""
    counts, strikes = split(table)
    principal, conv_price = split(bonds)
    debt += sum(principal)
    conv = dict(conv_principal=principal, conv_price=conv_price)
    converted = fdev(price, shares, debt, cash, counts, strikes, method, **conv)
    net = fdev(price, shares, debt, cash, counts, strikes, method, **conv, conv_settlement="net")
    if method.strip().lower() == "all":  # out of the money, "all" converts but net adds nothing
        assume(all(k < price for k in conv_price))
    tol = 1e-9 * (scale(price, shares, debt, cash, counts, strikes) + 2 * sum(principal)) + 1e-6
    assert math.isclose(converted, net, rel_tol=1e-9, abs_tol=tol)


@SETTINGS
@given(prices, share_counts, tranches, methods)
def test_fdtranches_net_new_sums_to_fd_shares_less_shares(price, shares, table, method):
    counts, strikes = split(table)
    schedule = fdtranches(price, counts, strikes, method)
    assert len(schedule) == len(counts)
    total = fdshares(price, shares, counts, strikes, method) - shares
    assert math.isclose(schedule["net_new"].sum(), total, rel_tol=1e-9, abs_tol=1e-9 * (shares + sum(counts)))
    assert (schedule["net_new"] >= 0).all()


equity_values = amounts(0.0, 1e13)


@SETTINGS
@given(equity_values, amounts(0.0, 1e10), tranches, convertible_tables)
def test_fdmcap_of_impliedprice_is_the_equity_value(equity, shares, table, bonds):
    """Under TSM P × FD shares(P) = E; with convertibles net settled (the principal stays debt)
    the same, and if converted E + the principal converted (it joins the equity)."""
    counts, strikes = split(table)
    principal, conv_price = split(bonds)
    conv = dict(conv_principal=principal, conv_price=conv_price)
    price = impliedprice(equity, shares, counts, strikes, "tsm", **conv)
    assume(not math.isnan(price))  # no shares at all
    assert price >= 0
    assert impliedprice(equity, shares, counts, strikes, "gross", **conv) == price
    tol = 1e-9 * (equity + sum(c * k for c, k in zip(counts, strikes, strict=True)) + sum(principal)) + 1e-6
    if not any(principal):  # the property as it stands: fdmcap(impliedprice(E)) == E
        assert math.isclose(fdmcap(price, shares, counts, strikes, "tsm"), equity, rel_tol=1e-9, abs_tol=tol)
    got = fdmcap(price, shares, counts, strikes, "tsm", **conv, conv_settlement="net")
    assert math.isclose(got, equity, rel_tol=1e-9, abs_tol=tol)
    converted = fdbridge(price, shares, sum(principal), 0, counts, strikes, "tsm", **conv)["Debt converted"]
    got = fdmcap(price, shares, counts, strikes, "tsm", **conv)
    assert math.isclose(got, equity + converted, rel_tol=1e-9, abs_tol=tol)


@SETTINGS
@given(st.lists(equity_values, min_size=2, max_size=2), amounts(1.0, 1e10), tranches, methods)
def test_impliedprice_non_decreasing_in_equity_value(equity, shares, table, method):
    counts, strikes = split(table)
    low, high = sorted(equity)
    assert impliedprice(low, shares, counts, strikes, method) <= impliedprice(
        high, shares, counts, strikes, method
    )


@SETTINGS
@given(prices, convertible_tables)
def test_convshares_net_at_most_if_converted(price, bonds):
    principal, conv_price = split(bonds)
    net = convshares(price, principal, conv_price, "net")
    assert 0 <= net <= convshares(price, principal, conv_price) * (1 + 1e-12)


@SETTINGS
@given(st.lists(st.tuples(share_counts, amounts(0.01, 1e5)), min_size=1, max_size=5), st.data())
def test_combinedmcap_is_the_sum_over_listed_classes(classes, data):
    """All listed: Σ shares × price, in any order; a class unlisted at ratio r is worth r × the
    first listed price, so unlisting it at r = its price ÷ the first price changes nothing."""
    shares, class_prices = split(classes)
    total = sum(s * p for s, p in classes)
    tol = 1e-9 * total + 1e-6
    assert math.isclose(combinedmcap(shares, class_prices), total, rel_tol=1e-9, abs_tol=tol)
    order = data.draw(st.permutations(range(len(classes))))
    permuted = combinedmcap([shares[i] for i in order], [class_prices[i] for i in order])
    assert math.isclose(permuted, total, rel_tol=1e-9, abs_tol=tol)
    if len(classes) > 1:
        k = data.draw(st.integers(1, len(classes) - 1))
        unlisted = [None if i == k else p for i, p in enumerate(class_prices)]
        ratios = [class_prices[k] / class_prices[0] if i == k else 1.0 for i in range(len(classes))]
        assert math.isclose(combinedmcap(shares, unlisted, ratios), total, rel_tol=1e-9, abs_tol=tol)


@SETTINGS
@given(amounts(-1e12, 1e12), st.sampled_from(["GBX", "GBp", "ZAc", "ZAC", "ILA", "ILs"]))
def test_tomajor_minor_units_are_hundredths(amount, code):
    assert math.isclose(tomajor(amount, code) * 100, amount, rel_tol=1e-15, abs_tol=1e-300)
    major = {"GB": "GBP", "ZA": "ZAR", "IL": "ILS"}[code[:2]]
    assert tomajor(amount, major) == amount


# --------------------------------------------------------------------------- monotonicity


@SETTINGS
@given(st.lists(prices, min_size=2, max_size=2), st.lists(share_counts, min_size=2, max_size=2))
def test_marketcap_non_decreasing(p, s):
    p1, p2 = sorted(p)
    s1, s2 = sorted(s)
    assert marketcap(p1, s1) <= marketcap(p2, s1) <= marketcap(p2, s2)
    assert marketcap(p1, s1) <= marketcap(p1, s2)


@SETTINGS
@given(prices, share_counts, tranches)
def test_fd_shares_gross_ge_tsm_ge_basic_and_all_ge_gross(price, shares, table):
    counts, strikes = split(table)
    gross = fdshares(price, shares, counts, strikes, "gross")
    tsm = fdshares(price, shares, counts, strikes, "tsm")
    every = fdshares(price, shares, counts, strikes, "all")
    tol = 1e-9 * (shares + sum(counts))
    assert gross >= tsm
    assert tsm >= shares - tol
    assert every >= gross - tol
    assert (
        fdmcap(price, shares, counts, strikes, "all")
        >= fdmcap(price, shares, counts, strikes, "gross") - price * tol
    )


@SETTINGS
@given(
    amounts(), amounts(), amounts(), amounts(1.0, 1e12), amounts(0, 1e12), amounts(0, 1e12), amounts(0, 1e12)
)
def test_ev_decreasing_in_cash(mcap, debt, cash, delta, pref, minority, inv):
    base = ev(mcap, debt, cash, pref, minority, inv)
    assert ev(mcap, debt, cash + delta, pref, minority, inv) < base


RANK = ["Nano", "Micro", "Small", "Mid", "Large", "Mega"]


@SETTINGS
@given(st.lists(amounts(0.0, 1e13), min_size=2, max_size=2))
def test_mcapclass_rank_non_decreasing(caps):
    small, big = sorted(caps)
    assert RANK.index(mcapclass(small)) <= RANK.index(mcapclass(big))


@SETTINGS
@given(amounts(1.0, 1e10), st.lists(amounts(-0.999, 1e10), min_size=2, max_size=2))
def test_dilution_increasing_in_new_shares(shares, new):
    """new/(shares + new) = 1 − shares/(shares + new) rises with new (buybacks included)."""
    n1, n2 = sorted([-x * shares if x < 0 else x for x in new])
    assume(shares + n1 > 0)
    assert dilution(shares, n1) <= dilution(shares, n2) + 1e-12
    if n2 - n1 > 1e-6 * (shares + abs(n2)):
        assert dilution(shares, n1) < dilution(shares, n2)


# --------------------------------------------------------------------------- broadcasting

# Per broadcasting function: a strategy for each broadcast argument's values, chosen so
# that every combination is valid (e.g. restricted ≤ shares), and fixed table arguments.
XYZ_TABLES = dict(counts=[10e6, 5e6, 3e6], strikes=[5.0, 12.0, 0.0])
BROADCAST = {
    "marketcap": (marketcap, dict(price=prices, shares=share_counts), {}),
    "ev": (
        ev,
        dict(
            market_cap=amounts(),
            debt=amounts(),
            cash=amounts(),
            preferred=amounts(),
            minority_interest=amounts(),
            investments=amounts(),
        ),
        {},
    ),
    "fdshares": (fdshares, dict(price=prices, shares=share_counts, method=methods), XYZ_TABLES),
    "fdmcap": (fdmcap, dict(price=prices, shares=share_counts, method=methods), XYZ_TABLES),
    "fdev": (
        fdev,
        dict(
            price=prices,
            shares=share_counts,
            debt=amounts(),
            cash=amounts(),
            method=methods,
            preferred=amounts(),
            minority_interest=amounts(),
            investments=amounts(),
        ),
        XYZ_TABLES,
    ),
    "fdbridge": (
        fdbridge,
        dict(
            price=prices,
            shares=share_counts,
            debt=amounts(),
            cash=amounts(),
            method=methods,
            preferred=amounts(),
            minority_interest=amounts(),
            investments=amounts(),
        ),
        XYZ_TABLES,
    ),
    "convshares": (
        convshares,
        dict(price=prices, conv_settlement=st.sampled_from(["shares", "net", " NET "])),
        dict(conv_principal=[500e6, 200e6], conv_price=[50.0, 120.0]),
    ),
    "impliedprice": (
        impliedprice,
        dict(equity_value=amounts(0, 1e12), shares=amounts(1, 1e10), method=methods),
        dict(XYZ_TABLES, conv_principal=[500e6], conv_price=[50.0]),
    ),
    "tomajor": (
        tomajor,
        dict(amount=amounts(-1e12, 1e12), currency_code=st.sampled_from(["GBp", "GBP", "ZAc", "usd", "ILA"])),
        {},
    ),
    "freefloat": (freefloat, dict(shares=amounts(1e3, 1e10), restricted=amounts(0, 1e3)), {}),
    "ffmcap": (ffmcap, dict(price=prices, shares=share_counts, free_float=amounts(0, 1)), {}),
    "fdv": (fdv, dict(price=prices, max_supply=amounts(0, 1e12), total_supply=amounts(0, 1e12)), {}),
    "mcapclass": (mcapclass, dict(market_cap=amounts(0, 1e13)), {}),
    "mcapclass_custom": (
        mcapclass,
        dict(market_cap=amounts(0, 100)),
        dict(thresholds=[50.0, 10.0, 1.0], labels=["big", "mid", "small"]),
    ),
    "dilution": (dilution, dict(shares=amounts(1, 1e10), new_shares=amounts(-0.5, 1e10)), {}),
    "ownership": (ownership, dict(holding=amounts(0, 1e3), shares=amounts(1e3, 1e10)), {}),
    "multiple": (multiple, dict(value=amounts(-1e12, 1e12), metric=amounts(-1e9, 1e9)), {}),
}


TEXT_ARGS = ("method", "conv_settlement", "currency_code")


def _item(x):
    """A numpy element as a plain Python scalar."""
    return x.item() if isinstance(x, np.generic) else x


def _same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-6)
    return a == b


@pytest.mark.parametrize("name", sorted(BROADCAST))
@PER_FUNCTION
@given(data=st.data())
def test_broadcasting_matches_elementwise_scalar_calls(name, data):
    fn, rules, tables = BROADCAST[name]
    shapes = data.draw(mutually_broadcastable_shapes(num_shapes=len(rules), max_dims=2, max_side=3))
    kwargs = {}
    for (arg, values), shape in zip(rules.items(), shapes.input_shapes, strict=True):
        size = int(np.prod(shape))
        cells = data.draw(st.lists(values, min_size=size, max_size=size))
        kwargs[arg] = np.array(cells, dtype=object if arg in TEXT_ARGS else float).reshape(shape)
    out = fn(**kwargs, **tables)
    shape = shapes.result_shape
    for index in np.ndindex(*shape):
        scalars = {a: _item(np.broadcast_to(v, shape)[index]) for a, v in kwargs.items()}
        expected = fn(**scalars, **tables)
        if isinstance(expected, dict):
            assert list(out) == list(expected)
            for label in expected:
                got = np.asarray(out[label]).reshape(shape)[index].item() if shape else out[label]
                assert _same(got, expected[label]), (label, index)
        else:
            got = np.asarray(out, dtype=object).reshape(shape)[index] if shape else out
            assert _same(got, expected), index


# --------------------------------------------------------------------------- sheet == Python


def _grid_shapes(n_args):
    """Excel-compatible shapes: each argument is 1×1, 1×c, r×1 or r×c for a common r×c."""
    return st.tuples(st.integers(1, 3), st.integers(1, 3)).flatmap(
        lambda rc: st.lists(
            st.sampled_from([(1, 1), (1, rc[1]), (rc[0], 1), rc]), min_size=n_args, max_size=n_args
        )
    )


NAN_CELL = {"MULTIPLE": "NM", "FDV": "#N/A"}


@pytest.mark.parametrize("name", sorted(BROADCAST))
@PER_FUNCTION
@given(data=st.data())
def test_sheet_matches_python_api(name, data):
    """Valid numeric 2-D ranges: the worksheet function gives the Python results cell by cell."""
    fn, rules, tables = BROADCAST[name]
    excel_name = fn.spec.excel_name
    shapes = data.draw(_grid_shapes(len(rules)))
    ranges, arrays = [], {}
    for (arg, values), shape in zip(rules.items(), shapes, strict=True):
        cells = data.draw(st.lists(values, min_size=shape[0] * shape[1], max_size=shape[0] * shape[1]))
        grid = [cells[i * shape[1] : (i + 1) * shape[1]] for i in range(shape[0])]
        ranges.append(grid)
        arrays[arg] = np.array(grid, dtype=object if arg in TEXT_ARGS else float)
    # Positional worksheet arguments in the function's order, tables as columns.
    sheet_args = {**dict(zip(rules, ranges, strict=True)), **{k: [[v] for v in t] for k, t in tables.items()}}
    order = [a.name for a in fn.spec.args]
    args = [sheet_args.get(a) for a in order]
    while args and args[-1] is None:
        args.pop()
    cells = getattr(X, excel_name)(*args)
    expected = fn(**arrays, **tables)
    if isinstance(expected, dict):  # FDBRIDGE: a label column, then one column per element
        assert [row[0] for row in cells] == list(expected)
        for row, (label, values) in zip(cells, expected.items(), strict=True):
            assert len(row) == 1 + np.size(values)
            for got, want in zip(row[1:], np.ravel(values), strict=True):
                assert got == want, label
        return
    expected = np.asarray(expected, dtype=object)
    assert np.shape(cells) == expected.shape
    for got, want in zip(np.ravel(np.asarray(cells, dtype=object)), expected.ravel(), strict=True):
        if want is None:
            assert got == "#N/A"
        elif isinstance(want, str):
            assert got == want
        elif math.isnan(want):
            assert got == NAN_CELL[excel_name]
        elif math.isinf(want):
            assert got == "#NUM!"
        else:
            assert type(got) is float and got == want


def test_every_broadcasting_function_is_covered():
    """Schedules (FDTRANCHES) take one price: they spill rows of a table, not a broadcast.

    The functions that fetch their inputs have their own broadcasting tests over recorded
    answers (tests/data/test_functions.py): these properties hold for the pure kernels.
    """
    names = {
        spec.python_name
        for spec in xlfuncs.REGISTRY.values()
        if spec.broadcast_args and spec.result != "schedule" and not fetches(spec)
    }
    assert names == {fn.__name__ for fn, _, _ in BROADCAST.values()}

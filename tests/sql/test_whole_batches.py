"""Batches computed in one kernel call give what the worksheet gives, row by row.

A batch without NULLs whose every table column has lists of one length goes to the kernel
in one call, without grouping its rows.  Two clean universes take that path: one constant
table for every row, and a table of its own per row.  A few rows still hold what the rules
refuse (a negative price), fail a check (convertibles above debt, restricted above shares)
or make the kernel refuse its arguments (a convertible without a conversion price), so the
per-row errors of that path are checked too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

duckdb = pytest.importorskip("duckdb")
pa = pytest.importorskip("pyarrow")

from tests.helpers.sql_universe import arrow_table, column_name, duckdb_universe, expected, same  # noqa: E402
from xlfuncs.sql.batches import BatchFunction  # noqa: E402
from xlfuncs.sql.signatures import signatures  # noqa: E402

ROWS = 2100  # one batch of DuckDB's 2,048 rows and a short one
SIGNATURES = signatures()


def clean_universe(own_tables: bool) -> dict[str, list[Any]]:
    rng = np.random.default_rng(31 + own_tables)

    def amounts(scale: float) -> list[Any]:
        return (rng.lognormal(0, 1, ROWS) * scale).round(2).tolist()

    def signed(scale: float) -> list[Any]:
        return (rng.normal(0, 1, ROWS) * scale).round(2).tolist()

    def table(width: int, low: float, high: float) -> list[Any]:
        rows = rng.uniform(low, high, (ROWS if own_tables else 1, width)).round(2).tolist()
        return rows if own_tables else rows * ROWS

    def choice(options: list[str]) -> list[Any]:
        return [options[i] for i in rng.integers(0, len(options), ROWS)]

    price = amounts(20.0)
    price[5] = -1.0  # refused by its rule: #NUM! in that row only
    conv_price = table(1, 1.0, 40.0)
    if own_tables:
        conv_price[7] = [0.0]  # a convertible without a conversion price: the kernel refuses it
    thresholds = sorted(rng.uniform(0, 1e10, 3).round(0).tolist())
    return {
        "id": list(range(ROWS)),
        "price": price,
        "shares": amounts(1e8),
        "debt": amounts(1e9),
        "cash": amounts(5e8),
        "preferred": amounts(1e7),
        "minority_interest": amounts(1e7),
        "investments": amounts(1e7),
        "market_cap": amounts(1e9),
        "restricted": amounts(3e7),
        "holding": amounts(3e7),
        "free_float": rng.uniform(0, 1, ROWS).round(4).tolist(),
        "new_shares": signed(1e7),
        "value": signed(1e9),
        "metric": signed(1e8),
        "equity_value": amounts(2e9),
        "max_supply": amounts(1e7),
        "total_supply": amounts(1e7),
        "amount": signed(100.0),
        "currency_code": choice(["USD", "GBp", "ZAc"]),
        "method": choice(["gross", "tsm", "all"]),
        "conv_settlement": choice(["shares", "net"]),
        "counts_list": table(3, 0.0, 1e7),
        "strikes_list": table(3, 0.0, 40.0),
        "conv_principal_list": table(1, 0.0, 2e9),  # above debt in some rows: #NUM!
        "conv_price_list": conv_price,
        "shares_list": table(2, 0.0, 1e8),
        "prices_list": table(2, 0.0, 100.0),
        "ratios_list": table(2, 0.5, 2.0),
        "thresholds_list": [thresholds] * ROWS,
        "labels_list": [["small", "mid", "large"]] * ROWS,
    }


@pytest.fixture(scope="module", params=[False, True], ids=["one table", "own tables"])
def universe(request):
    return clean_universe(request.param)


@pytest.fixture(scope="module")
def con(universe):
    return duckdb_universe(universe)


def batch(universe: dict[str, list[Any]], sig: Any) -> list[Any]:
    """The first 2,048 rows of every argument of ``sig``, as DuckDB hands them over."""
    table = arrow_table(universe).slice(0, 2048)
    return [table.column(column_name(p.name, p.table)).combine_chunks() for p in sig.params]


@pytest.mark.parametrize("sig", SIGNATURES, ids=lambda s: s.name)
def test_every_row_as_the_worksheet(con, universe, sig):
    args = ", ".join(column_name(p.name, p.table) for p in sig.params)
    got = [r[0] for r in con.sql(f"SELECT {sig.name}({args}) FROM universe ORDER BY id").fetchall()]
    want = expected(sig, universe, len(sig.params))
    bad = same(got, want)
    assert not bad, [(i, got[i], want[i]) for i in bad[:5]]


@pytest.mark.parametrize("sig", SIGNATURES, ids=lambda s: s.name)
def test_one_call_equals_the_grouped_rows(universe, sig, monkeypatch):
    function = BatchFunction(sig)
    columns = batch(universe, sig)
    one_table = all(
        len(set(map(tuple, universe[column_name(p.name, True)]))) == 1 for p in sig.params if p.table
    )
    if one_table or sig.row_tables:  # the batches this path is for: it must take them
        assert function._whole(columns, 2048) is not None
    together = function(columns)
    monkeypatch.setattr(BatchFunction, "_whole", lambda self, arrays, rows: None)
    assert together.equals(function(columns))


def gross(price: np.ndarray, shares: np.ndarray, counts: list[float], strikes: list[float]) -> np.ndarray:
    """FD market cap by the gross method, by hand: a tranche counts when its strike is 0 or below the price."""
    c, s = np.array(counts), np.array(strikes)
    counted = np.where((s == 0) | (s < price[:, None]), c, 0.0).sum(axis=1)
    return price * (shares + counted)


#: One function over every batch below: it keeps the last list that every row shared.
FDMCAP = BatchFunction(next(s for s in SIGNATURES if s.name == "FDMCAP"))


def fdmcap_batch(
    price: np.ndarray, shares: np.ndarray, counts: list[list[float]], strikes: list[list[float]]
) -> Any:
    lists = pa.list_(pa.float64())
    columns = [pa.array(price), pa.array(shares), pa.array(counts, lists), pa.array(strikes, lists)]
    return np.array(FDMCAP(columns).to_pylist(), dtype=float)


def test_a_constant_list_that_changes_between_batches():
    rng = np.random.default_rng(5)
    price, shares = rng.uniform(1, 500, 2048), rng.uniform(1e6, 1e9, 2048)
    tables = [
        ([2e6, 5e6, 3e6], [0.0, 50.0, 300.0]),
        ([1e6, 4e6], [100.0, 250.0]),
        ([2e6, 5e6, 3e6], [0.0, 60.0, 300.0]),
    ]
    for counts, strikes in tables + tables[:1]:  # the first again after the others
        got = fdmcap_batch(price, shares, [counts] * 2048, [strikes] * 2048)
        np.testing.assert_allclose(got, gross(price, shares, [counts], [strikes]), rtol=1e-13)


def test_rows_sharing_a_list_but_one():
    rng = np.random.default_rng(6)
    price, shares = rng.uniform(1, 500, 2048), rng.uniform(1e6, 1e9, 2048)
    price[1500] = 400.0  # its options struck at 600, not 50: out of the money, unlike every other row's
    counts, strikes = [[2e6, 5e6, 3e6]] * 2048, [[0.0, 50.0, 300.0]] * 2048
    strikes = [*strikes[:1500], [0.0, 600.0, 300.0], *strikes[1501:]]
    got = fdmcap_batch(price, shares, counts, strikes)
    np.testing.assert_allclose(got, gross(price, shares, counts, strikes), rtol=1e-13)


def test_a_result_beyond_the_float_range_is_null_alone():
    function = BatchFunction(next(s for s in SIGNATURES if s.name == "MARKETCAP"))
    price = np.full(2048, 10.0)
    price[7] = 1e300  # 1e300 × 1e10 shares: beyond the largest double, #NUM! in Excel
    got = function([pa.array(price), pa.array(np.full(2048, 1e10))]).to_pylist()
    assert got[7] is None
    assert got[:7] + got[8:] == [1e11] * 2047

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

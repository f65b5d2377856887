"""DuckDB computes every per-row function as the worksheet layer does, row by row."""

from __future__ import annotations

import pytest

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")

from tests.helpers.sql_universe import calls, column_name, duckdb_universe, same  # noqa: E402
from xlfuncs.sql import duckdb as xlduck  # noqa: E402


@pytest.fixture(scope="module")
def con(universe):
    return duckdb_universe(universe)


@pytest.mark.parametrize(("sig", "given"), calls(), ids=lambda v: getattr(v, "name", str(v)))
def test_every_row_as_the_worksheet(con, worksheet, sig, given):
    args = ", ".join(column_name(p.name, p.table) for p in sig.params[:given])
    got = [r[0] for r in con.sql(f"SELECT {sig.name}({args}) FROM universe ORDER BY id").fetchall()]
    want = worksheet(sig, given)
    bad = same(got, want)
    assert not bad, [(i, got[i], want[i]) for i in bad[:5]]
    assert any(v is None for v in want) and any(v is not None for v in want)


@pytest.fixture(scope="module")
def bare():
    con = duckdb.connect()
    xlduck.register(con)
    return con


def one(con, sql):
    return con.sql(f"SELECT {sql}").fetchall()[0][0]


def test_the_articles_examples(bare):
    # XYZ: 50m shares at $10, 10m options and 10m warrants at $5 (source article)
    assert one(bare, "FDMCAP(10, 50e6, [10e6, 10e6], [5, 5])") == 700e6
    assert one(bare, "FDMCAP(10, 50e6, [10e6, 10e6], [5, 5], 'tsm')") == 600e6
    assert one(bare, "EV(1e9, 500e6, 100e6)") == 1.4e9
    assert one(bare, "MCAPCLASS(12e9, [0, 1e9, 10e9], ['small', 'mid', 'large'])") == "large"


def test_null_follows_the_blank_rules(bare):
    assert one(bare, "EV(1e9, 500e6, 100e6, NULL, NULL, NULL)") == 1.4e9  # blank optional: 0
    assert one(bare, "EV(NULL, 500e6, 100e6)") is None  # blank required: #N/A
    assert one(bare, "FDMCAP(10, 50e6, NULL)") == 500e6  # omitted tranches: none
    assert one(bare, "FDMCAP(10, 50e6, [10e6, NULL], [5, 5])") == 600e6  # a blank count is 0
    assert one(bare, "FDMCAP(10, 50e6, [10e6, 10e6], [5, 5], NULL)") == 700e6  # blank method: gross
    assert one(bare, "FDV(3000, NULL, 120e6)") == 360e9  # blank max supply: unlimited


def test_a_bad_row_is_null_alone(bare):
    # a convertible without a conversion price refuses the call (#NUM!) for its own row only
    rows = bare.sql(
        "SELECT CONVSHARES(80, p, c) FROM (VALUES (1, [500e6], [50.0]), (2, [500e6], [0.0]), (3, [100e6], [40.0])) t(i, p, c) ORDER BY i"
    ).fetchall()
    assert rows == [(10e6,), (None,), (2.5e6,)]


@pytest.mark.parametrize(
    "sql",
    [
        "MARKETCAP(1, 2, 3)",  # more arguments than the function has
        "FDMCAP(10, 50e6, 5)",  # a number where a list belongs
    ],
)
def test_a_call_duckdb_cannot_bind_is_an_error(bare, sql):
    with pytest.raises(duckdb.Error):
        one(bare, sql)


def test_registering_again_replaces_the_functions(bare):
    assert "FDMCAP" in xlduck.register(bare)
    assert one(bare, "MARKETCAP(100, 1e6)") == 100e6

"""SQL benchmark: the functions in DuckDB against the same computation in pandas.

Run from the repository root (needs ``pip install -e ".[duckdb,test]"``)::

    .venv/bin/python bench/bench_sql.py               # 10,000,000 rows
    .venv/bin/python bench/bench_sql.py --rows 20000  # smoke run

One universe table in DuckDB and the same columns in a pandas DataFrame.  Each query
sums one function over every row, so the time is the computation, not moving the result
out.  Printed per function: our DuckDB function (registered by xlfuncs.sql.duckdb); the
pandas path as an analyst runs it without us in SQL, the columns pulled out of DuckDB
into pandas and computed with xlfuncs' Python API (the baseline; goal: DuckDB within 2x
of it); the Python API alone on columns already in pandas; and for MARKETCAP and EV
DuckDB's own arithmetic.  DuckDB runs on one thread, as ``xlfuncs sql`` runs it
(``--threads``); the three queries of one table are then timed again on DuckDB's own
number of threads, one per core, where every thread queues for Python's global lock at
every batch.  First, what DuckDB's hand-over of 2,048-row Arrow batches to
any Python function costs (a function returning its argument): the floor of every row.

FDMCAP runs twice: with one tranche table for every row (a constant list in SQL, one
table in the Python API), and with a ragged table per row (0 to 4 tranches).  The Python
API takes one table per call, so for tables per row the pandas path is the idiomatic one
without a loop over rows: the columns pulled out of DuckDB (lists as object columns),
exploded to one row per tranche, the gross method's rule by hand (a tranche counts when
its strike is 0 or below the price), summed back per company.  Printed beside it: the
same rule in plain numpy straight over Arrow's offsets, the fastest hand-written path,
not a pandas one.

Then, per batch of 2,048 rows, where the time of MARKETCAP, EV and FDMCAP with one table
goes: DuckDB's hand-over of the same arguments to a Python function returning its first
(with the constant lists for FDMCAP), and one call of ours alone, on a batch as DuckDB
hands it over, best of 5,000 calls per part: converting the columns (Arrow to numpy, the
lists' checks), the arguments' rules, the kernel, the result back to Arrow (NULLs), and
the rest (dispatch, error state).  The machine's load average is printed before and after:
on a shared machine every figure moves with it, the ratios least.

Every sum is checked against the baseline's before anything is timed.  Nothing here
asserts on timings; the script exits 0 unless a result is wrong or something crashes.
"""

from __future__ import annotations

import argparse
import inspect
import math
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

GOAL = 2.0  # DuckDB function time / pandas time, at most
SEED = 20261204
REPEAT = 3  # best of
BATCH = 2048  # rows DuckDB hands a Python function per call
CALLS = 5000  # calls of one batch per part of the breakdown
COUNTS, STRIKES = [2e6, 5e6, 3e6], [0.0, 50.0, 300.0]  # RSUs, options at 50, warrants at 300


def universe(rows: int):
    """One random universe as an Arrow table; tranche lists of 0 to 4 per row."""
    import pyarrow as pa

    rng = np.random.default_rng(SEED)
    columns = {
        "price": rng.uniform(1, 500, rows),
        "shares": rng.uniform(1e6, 1e9, rows),
        "debt": rng.uniform(0, 1e10, rows),
        "cash": rng.uniform(0, 1e10, rows),
        "preferred": rng.uniform(0, 1e8, rows),
        "minority_interest": rng.uniform(0, 1e8, rows),
        "investments": rng.uniform(0, 1e8, rows),
    }
    columns["market_cap"] = columns["price"] * columns["shares"]
    lengths = rng.integers(0, 5, rows)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    counts = pa.ListArray.from_arrays(offsets, pa.array(rng.uniform(0, 1e7, offsets[-1]).round(0)))
    strikes = pa.ListArray.from_arrays(offsets, pa.array(rng.uniform(0, 500, offsets[-1]).round(2)))
    return pa.table({**columns, "counts": counts, "strikes": strikes})


def best(fn) -> tuple[float, object]:
    times, value = [], None
    for _ in range(REPEAT):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return min(times), value


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="DuckDB's threads (default 1, as xlfuncs sql runs it; 0: DuckDB's own choice, one per core)",
    )
    args = parser.parse_args()
    try:
        import duckdb
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as exc:
        print(f"SQL benchmark: not run: {exc.name} is not installed (pip install -e '.[duckdb,test]')")
        return 0
    import xlfuncs
    from xlfuncs.sql import duckdb as xlduck

    rows = args.rows
    con = duckdb.connect()
    own = con.execute("SELECT current_setting('threads')").fetchall()[0][0]  # DuckDB's own choice
    threads = args.threads or own
    con.execute(f"SET threads = {threads}")
    print(f"SQL benchmark: {rows:,} rows, best of {REPEAT}; goal: DuckDB function <= {GOAL:g}x pandas")
    print(f"  load average {load()}")
    print(
        f"  Python {platform.python_version()}, duckdb {metadata.version('duckdb')}, "
        f"pyarrow {metadata.version('pyarrow')}, pandas {metadata.version('pandas')}, "
        f"numpy {np.__version__}; DuckDB threads {threads}, CPUs {os.cpu_count()}"
    )
    table = universe(rows)
    con.register("universe_arrow", table)
    con.execute("CREATE TABLE u AS SELECT * FROM universe_arrow")
    con.unregister("universe_arrow")
    del table
    xlduck.register(con)

    def sql(query: str):
        return lambda: con.execute(query).fetchall()[0][0]

    def pulled(columns: str, compute):
        """The pandas path as an analyst runs it today: the columns out of DuckDB, then the API."""

        def run():
            frame = con.execute(f"SELECT {columns} FROM u").df()
            return compute(frame)

        return run

    ev_columns = "market_cap, debt, cash, preferred, minority_interest, investments"
    lists = f"{COUNTS}, {STRIKES}"
    timed: dict[str, float] = {}  # our DuckDB function's time per case
    pandas_times: dict[str, float] = {}  # the pandas path's, per case
    cases = [
        (
            "MARKETCAP",
            sql("SELECT sum(MARKETCAP(price, shares)) FROM u"),
            "price, shares",
            lambda f: float(xlfuncs.marketcap(f.price, f.shares).sum()),
            sql("SELECT sum(price * shares) FROM u"),
        ),
        (
            "EV",
            sql(f"SELECT sum(EV({ev_columns})) FROM u"),
            ev_columns,
            lambda f: float(
                xlfuncs.ev(
                    f.market_cap, f.debt, f.cash, f.preferred, f.minority_interest, f.investments
                ).sum()
            ),
            sql("SELECT sum(market_cap + debt + preferred + minority_interest - cash - investments) FROM u"),
        ),
        (
            "FDMCAP, one table",
            sql(f"SELECT sum(FDMCAP(price, shares, {lists})) FROM u"),
            "price, shares",
            lambda f: float(xlfuncs.fdmcap(f.price, f.shares, COUNTS, STRIKES).sum()),
            None,
        ),
    ]
    # what any Python function costs DuckDB per batch of 2,048 rows: one that returns its argument
    con.create_function("identity", lambda a, b: a, ["DOUBLE", "DOUBLE"], "DOUBLE", type="arrow")
    t_floor, _ = best(sql("SELECT sum(identity(price, shares)) FROM u"))
    print(f"  DuckDB's hand-over to any Python function (identity of price): {t_floor:.3f}s")
    print(
        f"  {'function':<26}{'DuckDB fn':>10}{'pandas':>10}{'ratio':>7}{'API only':>10}{'ratio':>7}"
        f"{'DuckDB arith':>13}{'ratio':>7}"
    )
    print(f"  {'':<26}{'':>10}{'(pull+API)':>10}")
    verified = True
    for name, ours, columns, compute, arithmetic in cases:
        frame = con.execute(f"SELECT {columns} FROM u").df()
        want = compute(frame)
        checks = [ours(), pulled(columns, compute)()] + ([arithmetic()] if arithmetic else [])
        if not all(close(v, want) for v in checks):
            print(f"  {name}: WRONG: {checks} != {want}")
            verified = False
            continue
        t_ours, _ = best(ours)
        timed[name] = t_ours
        t_pandas, _ = best(pulled(columns, compute))
        pandas_times[name] = t_pandas
        t_api, _ = best(lambda compute=compute, frame=frame: compute(frame))
        line = f"  {name:<26}{t_ours:>9.3f}s{t_pandas:>9.3f}s{t_ours / t_pandas:>6.1f}x{t_api:>9.3f}s{t_ours / t_api:>6.0f}x"
        if arithmetic:
            t_arith, _ = best(arithmetic)
            line += f"{t_arith:>12.3f}s{t_ours / t_arith:>6.0f}x"
        else:
            line += " " * 19
        mark = "PASS" if t_ours / t_pandas <= GOAL else "MISS"
        print(f"{line}  {mark}")
        del frame
    # Ragged tranches per row: pandas exploded to one row per tranche; plain numpy beside it.
    ragged = sql("SELECT sum(FDMCAP(price, shares, counts, strikes)) FROM u")
    want = ragged_numpy(con)
    checks = [ragged(), ragged_pandas(con)]
    if not all(close(v, want) for v in checks):
        print(f"  FDMCAP, ragged: WRONG: {checks} != {want}")
        verified = False
    else:
        t_ours, _ = best(ragged)
        t_pandas, _ = best(lambda: ragged_pandas(con))
        t_numpy, _ = best(lambda: ragged_numpy(con))
        mark = "PASS" if t_ours / t_pandas <= GOAL else "MISS"
        print(
            f"  {'FDMCAP, a table per row':<26}{t_ours:>9.3f}s{t_pandas:>9.3f}s{t_ours / t_pandas:>6.1f}x"
            f"{t_numpy:>9.3f}s{t_ours / t_numpy:>6.1f}x{'':>19}  {mark}"
        )
        print(
            "    (pandas: exploded to one row per tranche; beside it, not pandas: numpy over Arrow's offsets)"
        )
    if verified and threads != own:
        print_other_threads(con, own, threads, cases, pandas_times)
    if verified:
        print_breakdown(con, rows, timed, ev_columns, lists)
    print("  verified: every sum equals its baseline" if verified else "  verified: NO")
    print(f"  load average {load()}")
    return 0 if verified else 1


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"


def print_other_threads(con, own: int, threads: int, cases, pandas_times: dict[str, float]) -> None:
    """The same queries on DuckDB's own number of threads, against the pandas times above: every
    thread hands its batches to Python, and Python runs them one at a time under its global lock.
    """
    con.execute(f"SET threads = {own}")
    t_floor, _ = best(lambda: con.execute("SELECT sum(identity(price, shares)) FROM u").fetchall())
    print(f"  on DuckDB's own choice of {own} threads (the pandas times as above):")
    print(f"    hand-over to any Python function (identity of price): {t_floor:.3f}s")
    for name, ours, *_ in cases:
        t_ours, _ = best(ours)
        print(f"    {name:<24}{t_ours:>9.3f}s{t_ours / pandas_times[name]:>6.1f}x")
    con.execute(f"SET threads = {threads}")


def print_breakdown(con, rows: int, timed: dict[str, float], ev_columns: str, lists: str) -> None:
    """Per batch: DuckDB's hand-over of the arguments, and where one call of ours goes."""
    from xlfuncs.sql import batches
    from xlfuncs.sql.signatures import by_name

    batches_run = -(-rows // BATCH)
    cases = [
        ("MARKETCAP", "MARKETCAP", "price, shares", ["DOUBLE"] * 2),
        ("EV", "EV", ev_columns, ["DOUBLE"] * 6),
        ("FDMCAP, one table", "FDMCAP", f"price, shares, {lists}", ["DOUBLE"] * 2 + ["DOUBLE[]"] * 2),
    ]
    print(f"  per batch of {BATCH:,} rows, µs; one call alone: best of {CALLS:,} per part")
    for case, name, arguments, types in cases:
        handed: list[tuple] = []

        def hand_over(*columns, handed=handed):
            if not handed:
                handed.append(columns)  # one batch as DuckDB hands it over, for the calls below
            return columns[0]

        # DuckDB counts the Python function's parameters against the SQL ones
        positional = inspect.Parameter.POSITIONAL_ONLY
        hand_over.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter(f"a{i}", positional) for i in range(len(types))]
        )
        function_name = f"hand_over_{len(types)}_{types.count('DOUBLE[]')}"
        con.create_function(function_name, hand_over, types, "DOUBLE", type="arrow", null_handling="special")
        t_floor, _ = best(
            lambda q=f"SELECT sum({function_name}({arguments})) FROM u": con.execute(q).fetchall()
        )
        con.remove_function(function_name)
        parts = call_parts(batches, batches.BatchFunction(by_name(name)), handed[0])
        floor, ours = t_floor / batches_run * 1e6, timed[case] / batches_run * 1e6
        rest = parts["call"] - sum(v for k, v in parts.items() if k != "call")
        print(
            f"  {case:<20} in DuckDB {ours:6.1f} = hand-over {floor:6.1f} + {ours - floor:6.1f};"
            f" one call alone {parts['call']:5.1f}: conversion {parts['conversion']:5.1f},"
            f" rules {parts['rules']:5.1f}, kernel {parts['kernel']:5.1f}, output {parts['output']:5.1f},"
            f" rest {rest:5.1f}"
        )


def call_parts(batches, function, columns) -> dict[str, float]:
    """µs per call of one batch, best of :data:`CALLS`: blocks of 10 calls, the parts taking turns,
    so that a block the scheduler interrupts (a shared machine) is one of many."""
    rows = len(columns[0])
    arrays = [batches._array(c) for c in columns]
    inputs, codes = function._whole(arrays, rows)
    result, codes = batches._compute(function.sig, inputs, codes, rows)
    numbers = [  # the columns read with their rules in the call (the lists' reading is kept)
        (a.arg.rule, np.asarray(c.to_numpy(zero_copy_only=False)))
        for a, c in zip(function.arguments, arrays, strict=False)
        if not a.param.table and not a.param.text
    ]
    kernel = function.sig.spec.kernel

    def compute_kernel():
        with np.errstate(all="ignore"):
            kernel(**inputs)

    steps = {
        "call": lambda: function(columns),
        "whole": lambda: function._whole([batches._array(c) for c in columns], rows),
        "rules": lambda: [rule.read(values) for rule, values in numbers],
        "kernel": compute_kernel,
        "output": lambda: batches._result(function.sig, result, codes),
    }
    best_us = dict.fromkeys(steps, math.inf)
    for _ in range(CALLS // 10):
        for name, step in steps.items():
            start = time.perf_counter_ns()
            for _ in range(10):
                step()
            best_us[name] = min(best_us[name], (time.perf_counter_ns() - start) / 10 / 1000)
    whole = best_us.pop("whole")
    return {**best_us, "conversion": whole - best_us["rules"]}


def ragged_pandas(con) -> float:
    """Σ FDMCAP over rows with their own tranches (gross method) in pandas: one row per tranche."""
    frame = con.execute("SELECT price, shares, counts, strikes FROM u").df()
    tranches = frame[["counts", "strikes"]].explode(["counts", "strikes"]).dropna().astype(float)
    price = frame.price.loc[tranches.index]
    counted = tranches.counts.where((tranches.strikes == 0) | (tranches.strikes < price), 0.0)
    options = counted.groupby(level=0).sum().reindex(frame.index, fill_value=0.0)
    return float((frame.price * (frame.shares + options)).sum())


def ragged_numpy(con) -> float:
    """Σ FDMCAP over rows with their own tranches (gross method), by plain numpy: a tranche counts
    when its strike is 0 or below the price."""
    price, shares, counts, strikes = (
        con.sql("SELECT price, shares, counts, strikes FROM u").to_arrow_table().combine_chunks().columns
    )
    import pyarrow.compute as pc

    lengths = pc.list_value_length(counts).to_numpy(zero_copy_only=False)
    rows = np.repeat(np.arange(len(lengths)), lengths)
    c = pc.list_flatten(counts).to_numpy()
    s = pc.list_flatten(strikes).to_numpy()
    p = price.to_numpy()
    counted = np.where((s == 0) | (s < p[rows]), c, 0.0)
    fd_shares = shares.to_numpy() + np.bincount(rows, counted, minlength=len(lengths))
    return float(np.sum(p * fd_shares))


if __name__ == "__main__":
    sys.exit(main())

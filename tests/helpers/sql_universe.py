"""A 10,000-row universe with ragged tranches, and what the worksheet layer gives per row.

Every argument name of every per-row function is a column (tables as lists, named
``<argument>_list``); values are drawn to hit every rule: NULLs (blank cells), NULL list
elements, negative and out-of-range numbers, mismatched list lengths, unknown keywords.
The expected values come from :func:`xlfuncs.framework.sheet.call`, one row at a time,
its error values read as NULL.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from xlfuncs.framework import sheet
from xlfuncs.sql.signatures import Signature, signatures

ROWS = 10_000


def column_name(name: str, table: bool) -> str:
    return f"{name}_list" if table else name


def _numbers(rng: np.random.Generator, n: int, scale: float, signed: bool = False) -> list[Any]:
    x = rng.lognormal(0, 1.5, n) * scale
    if signed:
        x = x * rng.choice([-1.0, 1.0], n)
    out: list[Any] = x.tolist()
    for i in np.flatnonzero(rng.random(n) < 0.03):
        out[i] = None
    for i in np.flatnonzero(rng.random(n) < 0.02):
        out[i] = -1.0 if not signed else 0.0
    for i in np.flatnonzero(rng.random(n) < 0.02):
        out[i] = 0.0
    return out


def _lists(rng: np.random.Generator, n: int, most: int, scale: float, blank: float = 0.05) -> list[Any]:
    lengths = rng.integers(0, most + 1, n)
    out: list[Any] = []
    for length in lengths:
        if rng.random() < 0.05:
            out.append(None)
            continue
        row: list[Any] = (rng.lognormal(0, 1, length) * scale).round(2).tolist()
        for j in range(length):
            u = rng.random()
            if u < blank:
                row[j] = None
            elif u < blank + 0.01:
                row[j] = -1.0
            elif u < blank + 0.08:
                row[j] = 0.0
        out.append(row)
    return out


def _like(rng: np.random.Generator, lists: list[Any], scale: float, mismatch: float = 0.03) -> list[Any]:
    """A list per row as long as the other one's (sometimes one longer: #VALUE!)."""
    out: list[Any] = []
    for row in lists:
        length = 0 if row is None else len(row)
        if rng.random() < mismatch:
            length += 1
        if row is None and rng.random() < 0.5:
            out.append(None)
            continue
        values = (rng.lognormal(0, 0.7, length) * scale).round(2).tolist()
        out.append([None if rng.random() < 0.03 else v for v in values])
    return out


def _choice(rng: np.random.Generator, n: int, options: list[Any]) -> list[Any]:
    return [options[i] for i in rng.integers(0, len(options), n)]


def make_universe(rows: int = ROWS, seed: int = 2026) -> dict[str, list[Any]]:
    rng = np.random.default_rng(seed)
    price = _numbers(rng, rows, 20.0)
    counts = _lists(rng, rows, 6, 1e6)
    principal = _lists(rng, rows, 2, 2e8)
    class_shares = _lists(rng, rows, 4, 1e8)
    thresholds = [
        None if u < 0.7 else [0.0, 1e9, 10e9] if u < 0.9 else (rng.random(3) * 1e10).round(0).tolist()
        for u in rng.random(rows)
    ]
    labels = [
        None
        if t is None
        else ["small", "mid", "large"]
        if rng.random() < 0.9
        else ["a", None, "c", "d"][: len(t)]
        for t in thresholds
    ]
    return {
        "id": list(range(rows)),
        "price": price,
        "shares": _numbers(rng, rows, 1e8),
        "debt": _numbers(rng, rows, 1e9),
        "cash": _numbers(rng, rows, 5e8),
        "preferred": _numbers(rng, rows, 1e7),
        "minority_interest": _numbers(rng, rows, 1e7),
        "investments": _numbers(rng, rows, 1e7),
        "market_cap": _numbers(rng, rows, 1e9),
        "restricted": _numbers(rng, rows, 3e7),
        "holding": _numbers(rng, rows, 3e7),
        "free_float": [None if v is None else min(v / 5, 1.2) for v in _numbers(rng, rows, 1.0)],
        "new_shares": _numbers(rng, rows, 1e7, signed=True),
        "value": _numbers(rng, rows, 1e9, signed=True),
        "metric": _numbers(rng, rows, 1e8, signed=True),
        "equity_value": _numbers(rng, rows, 2e9),
        "max_supply": _numbers(rng, rows, 1e7),
        "total_supply": _numbers(rng, rows, 1e7),
        "amount": _numbers(rng, rows, 100.0, signed=True),
        "currency_code": _choice(rng, rows, ["GBp", "GBX", "USD", "ZAc", "gbp", "usd", "XX", "", None]),
        "method": _choice(rng, rows, ["gross", "tsm", "all", "TSM", " all ", "bad", None]),
        "conv_settlement": _choice(rng, rows, ["shares", "net", "NET", "x", None]),
        "counts_list": counts,
        "strikes_list": _like(rng, counts, 20.0),
        "conv_principal_list": principal,
        "conv_price_list": _like(rng, principal, 25.0),
        "shares_list": class_shares,
        "prices_list": _like(rng, class_shares, 100.0),
        "ratios_list": [None if rng.random() < 0.5 else r for r in _like(rng, class_shares, 1.0)],
        "thresholds_list": thresholds,
        "labels_list": labels,
    }


def sql_types(sigs: list[Signature]) -> dict[str, tuple[bool, bool]]:
    """Every argument column: (text, table)."""
    types = {}
    for sig in sigs:
        for p in sig.params:
            types[column_name(p.name, p.table)] = (p.text, p.table)
    return types


def arrow_table(universe: dict[str, list[Any]]) -> Any:
    """The universe as an Arrow table: DOUBLE, VARCHAR and lists of them."""
    import pyarrow as pa

    base = {False: pa.float64(), True: pa.string()}
    fields = [pa.field("id", pa.int64())]
    for name, (text, table) in sql_types(signatures()).items():
        fields.append(pa.field(name, pa.list_(base[text]) if table else base[text]))
    schema = pa.schema(fields)
    return pa.table({f.name: universe[f.name] for f in fields}, schema=schema)


def duckdb_universe(universe: dict[str, list[Any]]) -> Any:
    """A DuckDB connection with every function registered and the universe as table ``universe``."""
    import duckdb

    from xlfuncs.sql import duckdb as xlduck

    con = duckdb.connect()
    xlduck.register(con)
    con.register("universe_arrow", arrow_table(universe))
    con.execute("CREATE TABLE universe AS SELECT * FROM universe_arrow")
    return con


def as_sql_value(cell: Any, text: bool) -> Any:
    """A worksheet cell as SQL returns it: numbers (finite) or labels, errors as None."""
    if text:
        return cell if isinstance(cell, str) and not cell.startswith("#") else None
    return float(cell) if isinstance(cell, (int, float)) and math.isfinite(cell) else None


def expected(sig: Signature, universe: dict[str, list[Any]], given: int) -> list[Any]:
    columns = [universe[column_name(p.name, p.table)] for p in sig.params[:given]]
    out = []
    for i in range(len(universe["id"])):
        cells = sheet.call(sig.spec, *(c[i] for c in columns))
        assert len(cells) == 1 and len(cells[0]) == 1, (sig.name, cells)
        out.append(as_sql_value(cells[0][0], sig.text))
    return out


def calls() -> list[tuple[Signature, int]]:
    """Every per-row function with every argument, and with only the required ones."""
    out = []
    for sig in signatures():
        out.append((sig, len(sig.params)))
        if sig.least < len(sig.params):
            out.append((sig, sig.least))
    return out


def same(got: list[Any], want: list[Any]) -> list[int]:
    """The rows where two result columns differ (numbers to 1e-12 relative)."""
    bad = []
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        if g is None or w is None or isinstance(w, str):
            if g != w:
                bad.append(i)
        elif not math.isclose(g, w, rel_tol=1e-12, abs_tol=0.0):
            bad.append(i)
    return bad

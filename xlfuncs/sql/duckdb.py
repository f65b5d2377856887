"""Every per-row function as a vectorised DuckDB function.

:func:`register` adds, for each function of :func:`xlfuncs.sql.signatures.signatures`, a
Python function ``xlfuncs_<name>`` taking every argument, computed over whole Arrow
batches (``type='arrow'``) with NULLs handed over (``null_handling='special'``), and a
macro ``<name>`` with one overload per number of arguments Excel allows, which passes
NULL for the omitted ones::

    import duckdb
    from xlfuncs.sql import duckdb as xlduck

    con = duckdb.connect()
    xlduck.register(con)
    con.sql("SELECT ticker, FDMCAP(price, shares, option_counts, option_strikes) FROM universe")

A row whose worksheet result would be an error value is NULL.  A call DuckDB cannot bind
(too many arguments, a number where a list belongs) is a DuckDB error, as is an
unexpected failure inside the function.
"""

from __future__ import annotations

import contextlib
import inspect
from typing import TYPE_CHECKING, Any

from .batches import evaluate, require
from .signatures import Param, Signature, signatures

if TYPE_CHECKING:
    import duckdb

_TYPES = {False: "DOUBLE", True: "VARCHAR"}


def sql_type(param: Param) -> str:
    """The DuckDB type of an argument: DOUBLE or VARCHAR, a list of them for a table."""
    base = _TYPES[param.text]
    return f"{base}[]" if param.table else base


def register(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Register every per-row function on ``con``; returns their names.

    Registering again (a second call on the same connection) replaces the functions.
    """
    require("duckdb")
    import duckdb

    names = []
    for sig in signatures():
        with contextlib.suppress(duckdb.InvalidInputException):  # not registered yet
            con.remove_function(f"xlfuncs_{sig.name}")
        # type and null_handling as text: what every DuckDB release takes (the stubs list enums only)
        con.create_function(  # type: ignore[call-overload]
            f"xlfuncs_{sig.name}",
            _batch_function(sig),
            [sql_type(p) for p in sig.params],
            _TYPES[sig.text],
            type="arrow",
            null_handling="special",
            side_effects=False,
        )
        con.execute(macro(sig))
        names.append(sig.name)
    return names


def _batch_function(sig: Signature) -> Any:
    def batch(*columns: Any) -> Any:
        return evaluate(sig, columns)

    batch.__name__ = f"xlfuncs_{sig.name}"
    # DuckDB counts the Python function's parameters against the SQL ones
    positional = inspect.Parameter.POSITIONAL_ONLY
    batch.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(p.name, positional) for p in sig.params]
    )
    return batch


def macro(sig: Signature) -> str:
    """``CREATE MACRO``: one overload per number of arguments, omitted ones NULL (blank)."""
    overloads = []
    for given in range(max(sig.least, 1), len(sig.params) + 1):
        names = [p.name for p in sig.params[:given]]
        omitted = [f"CAST(NULL AS {sql_type(p)})" for p in sig.params[given:]]
        call = ", ".join(names + omitted)
        overloads.append(f"({', '.join(names)}) AS xlfuncs_{sig.name}({call})")
    return f"CREATE OR REPLACE MACRO {sig.name} " + ", ".join(overloads)


def describe() -> list[str]:
    """One line per function: its SQL arguments (optional ones in brackets) and result type."""
    lines = []
    for sig in signatures():
        required = [f"{p.name} {sql_type(p)}" for p in sig.params[: sig.least]]
        optional = [f"{p.name} {sql_type(p)}" for p in sig.params[sig.least :]]
        arguments = ", ".join(required) + (f" [, {', '.join(optional)}]" if optional else "")
        lines.append(f"{sig.name}({arguments}) -> {_TYPES[sig.text]}")
    return lines

"""Every per-row function as a vectorised DuckDB function.

:func:`register` adds, for each function of :func:`xlfuncs.sql.signatures.signatures`
and each number of arguments ``n`` Excel allows, a Python function ``xlfuncs_<name>_<n>``
taking the first ``n`` arguments, computed over whole Arrow batches (``type='arrow'``)
with NULLs handed over (``null_handling='special'``), and a macro ``<name>`` with one
overload per number of arguments, which calls the matching Python function; the omitted
arguments are blank::

    import duckdb
    from xlfuncs.sql import duckdb as xlduck

    con = duckdb.connect()
    xlduck.register(con)
    con.sql("SELECT ticker, FDMCAP(price, shares, option_counts, option_strikes) FROM universe")

A row whose worksheet result would be an error value is NULL.  A call DuckDB cannot bind
(too many arguments, a number where a list belongs) is a DuckDB error, as is an
unexpected failure inside the function.

Every DuckDB thread calls these functions, and they run one at a time under Python's global
lock: a query whose time goes mostly into them runs faster with ``SET threads = 1``, as
``xlfuncs sql`` runs unless told otherwise (docs/sql.md measures it).
"""

from __future__ import annotations

import contextlib
import inspect
from typing import TYPE_CHECKING, Any

from .batches import BatchFunction, require
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
        function = BatchFunction(sig)
        for given in _counts(sig):
            name = python_name(sig, given)
            with contextlib.suppress(duckdb.InvalidInputException):  # not registered yet
                con.remove_function(name)
            # type and null_handling as text: what every DuckDB release takes (the stubs list enums only)
            con.create_function(  # type: ignore[call-overload]
                name,
                _batch_function(function, name, given),
                [sql_type(p) for p in sig.params[:given]],
                _TYPES[sig.text],
                type="arrow",
                null_handling="special",
                side_effects=False,
            )
        con.execute(macro(sig))
        names.append(sig.name)
    return names


def python_name(sig: Signature, given: int) -> str:
    """The name of the Python function that takes the first ``given`` arguments."""
    return f"xlfuncs_{sig.name}_{given}"


def _counts(sig: Signature) -> range:
    """The numbers of arguments a call may give, as Excel allows them."""
    return range(max(sig.least, 1), len(sig.params) + 1)


def _batch_function(function: BatchFunction, name: str, given: int) -> Any:
    def batch(*columns: Any) -> Any:
        return function(columns)

    batch.__name__ = name
    # DuckDB counts the Python function's parameters against the SQL ones
    positional = inspect.Parameter.POSITIONAL_ONLY
    batch.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(p.name, positional) for p in function.sig.params[:given]]
    )
    return batch


def macro(sig: Signature) -> str:
    """``CREATE MACRO``: one overload per number of arguments, each calling the Python function
    that takes just those (DuckDB hands a Python function every argument it declares, so a
    NULL passed for an omitted one would cost a column per batch).
    """
    overloads = []
    for given in _counts(sig):
        names = ", ".join(p.name for p in sig.params[:given])
        overloads.append(f"({names}) AS {python_name(sig, given)}({names})")
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

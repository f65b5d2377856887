"""``xlfuncs sql QUERY [-t NAME=FILE ...] [-o OUT]``: a query over CSV/Parquet files, in DuckDB.

Every per-row function is registered first (:mod:`xlfuncs.sql.duckdb`), so an analyst can
screen a Parquet file from the shell::

    xlfuncs sql "SELECT ticker, FDMCAP(price, shares, option_counts, option_strikes) AS fd_mcap
                 FROM universe ORDER BY fd_mcap DESC LIMIT 20" -t universe=universe.parquet

QUERY is SQL text, or a ``.sql`` file (several statements run in order; the last one's rows
are the output).  DuckDB also reads a file named in the query itself
(``FROM 'universe.parquet'``).  The rows go to stdout as CSV, or with ``-o`` into a
``.parquet`` or ``.csv`` file.  ``--functions`` lists the functions with their SQL types.

DuckDB runs the query on one thread unless ``--threads N`` says otherwise.  Every DuckDB
thread calls the Python functions, and those run one at a time under Python's global lock,
so more threads only make them wait for each other (measured in docs/sql.md).

Exit codes: 0 when the query ran; 2 for unusable input (a missing file, SQL DuckDB refuses,
DuckDB not installed): one line, no traceback.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path
from typing import Any

from ..i18n.messages import msg

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_READERS = {".csv": "read_csv", ".tsv": "read_csv", ".parquet": "read_parquet"}
_BATCH = 10_000  # rows fetched at a time for stdout
_ROWS = {"SELECT", "EXPLAIN", "PRAGMA"}  # the statements whose rows are the output
#: Most DuckDB threads ``--threads`` takes (each thread holds buffers of its own).
MAX_THREADS = 256


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="?", help="SQL text, or a .sql file of statements")
    parser.add_argument(
        "-t",
        "--table",
        action="append",
        default=[],
        metavar="NAME=FILE",
        help="a CSV or Parquet file the query reads as the view NAME (repeatable)",
    )
    parser.add_argument(
        "-o", "--output", metavar="OUT", help="write the rows to a .parquet or .csv file instead of stdout"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        metavar="N",
        help="DuckDB's threads (default 1: our functions run one at a time under Python's lock, "
        "and more threads wait for each other)",
    )
    parser.add_argument(
        "--functions", action="store_true", help="list the SQL functions and their arguments, then exit"
    )


def run(args: argparse.Namespace) -> int:
    if args.functions:
        from .duckdb import describe

        for line in describe():
            print(line)
        return 0
    if args.query is None:
        return _refuse(msg("give a query (SQL text or a .sql file), or --functions"))
    try:
        import duckdb
    except ImportError:
        return _refuse(msg('DuckDB is not installed: pip install "xlfuncs[duckdb]"'))
    from . import duckdb as xlduck

    if not 1 <= args.threads <= MAX_THREADS:
        return _refuse(
            msg("--threads must be from 1 to {most}; got {got}", most=MAX_THREADS, got=args.threads)
        )
    try:
        text = _query_text(args.query)
        tables = [_table(spec) for spec in args.table]
        output = _output(args.output)
    except ValueError as exc:
        return _refuse(str(exc))
    con = duckdb.connect(config={"threads": args.threads})
    try:
        xlduck.register(con)
        for name, path in tables:
            reader = _READERS[path.suffix.lower()]
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM {reader}({_literal(path)})")
        statements = con.extract_statements(text)
        if not statements:
            return _refuse(msg("no SQL statement given"))
        *before, last = statements
        for statement in before:
            con.execute(statement)
        rows = last.type.name in _ROWS
        if output is not None:
            if not rows:
                return _refuse(msg("--output needs the last statement to be a query"))
            fmt = "parquet" if output.suffix.lower() == ".parquet" else "csv"
            con.execute(f"COPY ({last.query.strip().rstrip(';')}) TO {_literal(output)} (FORMAT {fmt})")
        else:
            cursor = con.execute(last)
            if rows:
                _print_csv(cursor)
    except duckdb.Error as exc:
        return _refuse(_one_line(exc))
    finally:
        con.close()
    return 0


def _refuse(message: str) -> int:
    print(msg("xlfuncs sql: error: {message}", message=message), file=sys.stderr)
    return 2


def _one_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _query_text(query: str) -> str:
    if query.strip().lower().endswith(".sql"):
        path = Path(query.strip())
        if not path.is_file():
            raise ValueError(msg("{path}: no such SQL file", path=path))
        return path.read_text(encoding="utf-8")
    return query


def _table(spec: str) -> tuple[str, Path]:
    name, sep, file = spec.partition("=")
    if not sep or not _NAME.match(name):
        raise ValueError(msg("--table {spec!r}: give NAME=FILE, NAME a plain SQL name", spec=spec))
    path = Path(file)
    if path.suffix.lower() not in _READERS:
        raise ValueError(msg("--table {spec!r}: a .csv, .tsv or .parquet file", spec=spec))
    if not path.is_file():
        raise ValueError(msg("{path}: no such file", path=path))
    return name, path


def _output(output: str | None) -> Path | None:
    if output is None:
        return None
    path = Path(output)
    if path.suffix.lower() not in (".parquet", ".csv"):
        raise ValueError(msg("--output {output!r}: a .parquet or .csv file", output=output))
    return path


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _print_csv(cursor: Any) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(column[0] for column in cursor.description)
    while rows := cursor.fetchmany(_BATCH):
        writer.writerows(rows)

"""The per-row functions in SQL engines: DuckDB (:mod:`.duckdb`) and Spark (:mod:`.spark`).

Needs ``pip install "xlfuncs[duckdb]"`` or ``"xlfuncs[spark]"``; the core imports neither.

May import: :mod:`xlfuncs.framework`, :mod:`xlfuncs.functions`, DuckDB, Spark and pyarrow.
"""

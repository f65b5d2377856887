"""Every per-row function for Spark SQL and DataFrames, vectorised over Arrow batches.

:func:`register` registers each function of :func:`xlfuncs.sql.signatures.signatures`
under its Excel name as an Arrow UDF (``pyspark.sql.functions.arrow_udf``, Spark 4.1+):
Spark hands every batch over as ``pyarrow`` arrays, array columns (the tranches) as
Arrow lists, and the whole batch is computed at once.  Optional arguments may be left
off at the end, as in Excel; numbers of any numeric type are read as doubles::

    from pyspark.sql import SparkSession
    from xlfuncs.sql import spark as xlspark

    spark = SparkSession.builder.getOrCreate()
    fn = xlspark.register(spark)
    spark.sql("SELECT ticker, FDMCAP(price, shares, option_counts, option_strikes) FROM universe")
    df.select(fn["FDMCAP"]("price", "shares", "option_counts", "option_strikes"))

A row whose worksheet result would be an error value is NULL.
"""

from __future__ import annotations

import functools
from typing import Any

from .batches import BatchFunction, require
from .signatures import Signature, by_name, signatures


def register(spark: Any) -> dict[str, Any]:
    """Register every per-row function with ``spark``; returns them by name, for DataFrames."""
    require("spark")
    from pyspark.sql.functions import arrow_udf

    functions = {}
    for sig in signatures():
        # the function's type hints make it a scalar Arrow UDF; the stubs would have that spelled
        # out as functionType, for which Spark warns that it prefers the hints
        function = arrow_udf(_batch_function(sig), "string" if sig.text else "double")  # type: ignore[call-overload]
        functions[sig.name] = spark.udf.register(sig.name, function)
    return functions


def _batch_function(sig: Signature) -> Any:
    name = sig.name  # the worker finds the function by its name

    def batch(*columns: Any) -> Any:
        return _function(name)(columns)

    import pyarrow as pa  # type: ignore[import-untyped]

    batch.__annotations__ = {"columns": pa.Array, "return": pa.Array}  # tells Spark: arrays in, one out
    batch.__name__ = sig.name
    return batch


@functools.cache
def _function(name: str) -> BatchFunction:
    """A worker's function by its name, made once per worker process."""
    return BatchFunction(by_name(name))

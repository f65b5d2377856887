"""Spark SQL (local mode) computes every per-row function as the worksheet layer does.

Marked ``spark``: ``pytest -m "not spark"`` skips them (a JVM start and a Python worker).
One small session for the whole run: ``local[1]``, one shuffle partition, no UI.
"""

from __future__ import annotations

import os
import shutil
import sys

import pytest

pytestmark = pytest.mark.spark

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")
if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
    pytest.skip("no Java runtime for Spark", allow_module_level=True)

from tests.helpers.sql_universe import arrow_table, calls, column_name, same  # noqa: E402
from xlfuncs.sql import spark as xlspark  # noqa: E402

CALLS = calls()


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers import xlfuncs from this venv
    session = (
        SparkSession.builder.master("local[1]")
        .appName("xlfuncs-tests")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def functions(spark):
    return xlspark.register(spark)


@pytest.fixture(scope="module")
def results(spark, functions, universe):
    """Every call over the universe in one query, one column each, in id order."""
    spark.createDataFrame(arrow_table(universe)).createOrReplaceTempView("universe")
    columns = [
        f"{sig.name}({', '.join(column_name(p.name, p.table) for p in sig.params[:given])}) AS c{i}"
        for i, (sig, given) in enumerate(CALLS)
    ]
    table = spark.sql(f"SELECT id, {', '.join(columns)} FROM universe ORDER BY id").toArrow()
    return {key: table.column(f"c{i}").to_pylist() for i, key in enumerate(CALLS)}


@pytest.mark.parametrize(("sig", "given"), CALLS, ids=lambda v: getattr(v, "name", str(v)))
def test_every_row_as_the_worksheet(results, worksheet, sig, given):
    got, want = results[sig, given], worksheet(sig, given)
    bad = same(got, want)
    assert not bad, [(i, got[i], want[i]) for i in bad[:5]]


def test_dataframe_api_and_the_articles_example(spark, functions):
    from pyspark.sql import functions as F

    df = spark.createDataFrame(
        [(10.0, 50e6, [10e6, 10e6], [5.0, 5.0])],
        "price double, shares double, counts array<double>, strikes array<double>",
    )
    row = df.select(
        functions["FDMCAP"]("price", "shares", "counts", "strikes").alias("gross"),
        functions["FDMCAP"]("price", "shares", "counts", "strikes", F.lit("tsm")).alias("tsm"),
        functions["MARKETCAP"](F.col("price"), F.lit(1_000_000)).alias(
            "mcap"
        ),  # an integer column is read as a number
    ).first()
    assert (row.gross, row.tsm, row.mcap) == (700e6, 600e6, 10e6)


def test_too_few_or_too_many_arguments_fail_the_query(spark, functions):
    from pyspark.errors import PySparkException

    for sql in ("SELECT FDMCAP(10)", "SELECT MARKETCAP(1, 2, 3)"):
        with pytest.raises(PySparkException, match=r"(MARKETCAP|FDMCAP) (needs at least|takes at most)"):
            spark.sql(sql).collect()

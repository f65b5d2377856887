"""``xlfuncs sql``: a query over CSV/Parquet files with the functions registered."""

from __future__ import annotations

import pytest

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")

from xlfuncs.cli import main  # noqa: E402


@pytest.fixture
def files(tmp_path):
    # the source article's XYZ (50m shares, 10m options and 10m warrants at $5) at $10 and $4
    duckdb.sql(
        "COPY (SELECT * FROM (VALUES ('XYZ', 10.0, 50e6, [10e6, 10e6], [5.0, 5.0]), "
        "('LOW', 4.0, 50e6, [10e6, 10e6], [5.0, 5.0])) t(ticker, price, shares, counts, strikes)) "
        f"TO '{tmp_path / 'u.parquet'}' (FORMAT parquet)"
    )
    (tmp_path / "u.csv").write_text('ticker,price,shares,counts\nXYZ,10,50000000,"[10e6, 10e6]"\n')
    return tmp_path


def test_a_parquet_file_as_a_view(files, capsys):
    query = "SELECT ticker, FDMCAP(price, shares, counts, strikes) AS fd FROM u ORDER BY ticker"
    assert main(["sql", query, "-t", f"u={files / 'u.parquet'}"]) == 0
    assert capsys.readouterr().out.splitlines() == ["ticker,fd", "LOW,200000000.0", "XYZ,700000000.0"]


def test_a_sql_file_of_statements_over_csv(files, capsys):
    script = files / "screen.sql"
    script.write_text(
        f"CREATE TABLE t AS SELECT * FROM '{files / 'u.csv'}';\n"
        "SELECT ticker, FDMCAP(price, shares, CAST(counts AS DOUBLE[])) AS fd FROM t;\n"
    )
    assert main(["sql", str(script)]) == 0
    assert capsys.readouterr().out.splitlines() == ["ticker,fd", "XYZ,700000000.0"]


def test_rows_into_a_parquet_file(files):
    out = files / "out.parquet"
    query = f"SELECT ticker, MARKETCAP(price, shares) AS mcap FROM '{files / 'u.parquet'}' ORDER BY ticker"
    assert main(["sql", query, "-o", str(out)]) == 0
    assert duckdb.sql(f"SELECT * FROM '{out}'").fetchall() == [("LOW", 200e6), ("XYZ", 500e6)]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sql", "SELEC 1"], "Parser Error"),
        (["sql", "SELECT 1", "-t", "u=missing.parquet"], "missing.parquet: no such file"),
        (["sql", "SELECT 1", "-t", "no name"], "give NAME=FILE"),
        (["sql", "missing.sql"], "no such SQL file"),
        (["sql", "SELECT MARKETCAP(1)"], "Binder Error"),
        (["sql", "SELECT 1", "-o", "out.xlsx"], "a .parquet or .csv file"),
        (["sql", " "], "no SQL statement given"),
        (["sql", "SELECT 1", "--threads", "0"], "--threads must be from 1 to 256; got 0"),
        (["sql", "SELECT 1", "--threads", "257"], "--threads must be from 1 to 256; got 257"),
    ],
)
def test_unusable_input_is_one_line_and_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("xlfuncs sql: error: ") and message in err and err.count("\n") == 1, err


def test_functions_lists_the_sql_signatures(capsys):
    assert main(["sql", "--functions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "MARKETCAP(price DOUBLE, shares DOUBLE) -> DOUBLE" in lines
    fdmcap = next(line for line in lines if line.startswith("FDMCAP("))
    assert fdmcap.startswith(
        "FDMCAP(price DOUBLE, shares DOUBLE [, counts DOUBLE[], strikes DOUBLE[], method VARCHAR"
    )
    assert not any(line.startswith(("FDBRIDGE(", "FDTRANCHES(", "XLFUNCS(", "FILING(")) for line in lines)


@pytest.mark.parametrize(("argv", "threads"), [([], "1"), (["--threads", "2"], "2")])
def test_duckdb_runs_on_one_thread_unless_told(argv, threads, capsys):
    """Our functions run one at a time under Python's lock: more DuckDB threads only wait for it."""
    assert main(["sql", "SELECT current_setting('threads') AS threads", *argv]) == 0
    assert capsys.readouterr().out.splitlines() == ["threads", threads]

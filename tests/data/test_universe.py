"""``xlfuncs filings --many IDS.txt -o FILE``: one row per company, CSV or Parquet."""

from __future__ import annotations

import csv

import pytest

from xlfuncs.data import universe

from .helpers import run_filings


def test_csv_one_row_per_company(serve_sec, httpserver, tmp_path, capsys):
    serve_sec("0001318605", "0001640147")
    ids = tmp_path / "ids.txt"
    ids.write_text("TSLA\n# a comment\n\nSNOW  # Snowflake\nNOPE\n", encoding="utf-8")
    out = tmp_path / "universe.csv"
    assert run_filings("--many", str(ids), "-o", str(out), "--as-of", "2025-06-30") == 0
    streams = capsys.readouterr()
    assert "2 companies, 1 failed" in streams.out
    assert "NOPE: unknown ticker 'NOPE'" in streams.err
    with open(out, newline="", encoding="utf-8") as f:
        rows = {row["id"]: row for row in csv.DictReader(f)}
    assert list(rows) == ["TSLA", "SNOW", "NOPE"]
    tesla, snow = rows["TSLA"], rows["SNOW"]
    assert (tesla["cik"], tesla["latest_period"], tesla["stopped_reporting"]) == (
        "0001318605",
        "2022-09-30",
        "True",
    )
    assert (tesla["cash_value"], tesla["cash_period_end"], tesla["options_stale"]) == (
        "19532000000.0",
        "2022-09-30",
        "True",
    )
    assert (snow["options_value"], snow["options_stale"], snow["rsus_value"], snow["rsus_stale"]) == (
        "20806000.0",
        "False",
        "",
        "",
    )
    assert rows["NOPE"]["error"] == "unknown ticker 'NOPE' (not in the SEC's company_tickers.json)"


def test_parquet_has_typed_columns(serve_sec, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    serve_sec("0001318605")
    ids = tmp_path / "ids.txt"
    ids.write_text("TSLA\n", encoding="utf-8")
    out = tmp_path / "universe.parquet"
    assert run_filings("--many", str(ids), "-o", str(out)) == 0
    table = pq.read_table(out).to_pylist()
    assert table[0]["shares_value"] == 3_157_752_449
    assert str(table[0]["shares_period_end"]) == "2022-10-18"
    assert table[0]["options_stale"] is True


def test_the_list_is_bounded(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(universe, "MAX_COMPANIES", 3)
    ids = tmp_path / "ids.txt"
    ids.write_text("A\nB\nC\nD\n", encoding="utf-8")
    assert run_filings("--many", str(ids), "-o", str(tmp_path / "u.csv")) == 2
    assert "more than 3 companies" in capsys.readouterr().err
    assert not (tmp_path / "u.csv").exists()


def test_many_and_an_id_are_exclusive(tmp_path, capsys):
    assert run_filings("TSLA", "--many", str(tmp_path / "x.txt"), "-o", str(tmp_path / "u.csv")) == 2
    assert run_filings() == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "go together" in err and "give a company ID" in err

"""``xlfuncs company ID``: the model workbook, computed, its checks, overrides kept on refresh."""

from __future__ import annotations

import argparse

import pytest

from xlfuncs.workbooks import company_command

openpyxl = pytest.importorskip("openpyxl")

SNOW = "0001640147"


def run_company(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="xlfuncs company")
    company_command.add_arguments(parser)
    return company_command.run(parser.parse_args(argv))


def rows_by_label(path):
    book = openpyxl.load_workbook(path, data_only=True)
    sheet = book["Model"]
    return {row[0].value: row for row in sheet.iter_rows() if row[0].value}, sheet


def test_model_computes_and_its_checks_are_ok(serve_sec, tmp_path, capsys):
    serve_sec(SNOW)
    out = tmp_path / "snow.xlsx"
    assert run_company("SNOW", "-o", str(out), "--price", "150") == 0
    assert "SNOWFLAKE INC." in capsys.readouterr().out
    rows, _ = rows_by_label(out)
    shares, options, strike = (
        rows[label][3].value
        for label in ("Basic shares outstanding", "Options outstanding", "Options: weighted-average strike")
    )
    assert (shares, options, strike) == (333_700_000, 20_806_000, 21.37)  # Snowflake's 10-Q to 30 Apr 2025
    assert rows["Options outstanding"][8].hyperlink.target.endswith("-index.htm")
    assert rows["RSUs (nonvested)"][9].value.startswith("missing")
    # Treasury stock method by hand: options buy back strike/price of themselves; RSUs are missing (0).
    fd_shares = shares + options * (1 - strike / 150)
    assert rows["Fully diluted shares"][1].value == pytest.approx(fd_shares)
    assert rows["FD market cap"][1].value == pytest.approx(fd_shares * 150)
    assert rows["Share price typed"][1].value == "OK"
    assert rows["No stale input without an override"][1].value == "OK"
    # 351.5 m by the treasury method against 332.7 m reported (year to 31 Jan 2025): within 10 %.
    assert rows["FD shares (TSM) within 10% of the reported diluted count"][1].value == "OK"


def test_stale_inputs_and_overrides_survive_a_refresh(serve_sec, tmp_path):
    serve_sec("0001318605")
    out = tmp_path / "tsla.xlsx"
    assert run_company("TSLA", "-o", str(out)) == 0
    rows, _ = rows_by_label(out)
    assert rows["Share price typed"][1].value == "TYPE THE PRICE"
    assert rows["No stale input without an override"][1].value == "CHECK"  # options and RSUs end in 2015
    assert rows["Options outstanding"][9].value.startswith("stale: last reported for 2015-12-31")
    # The user types a price and current option figures, then refreshes from the filings.
    book = openpyxl.load_workbook(out)
    sheet = book["Model"]
    for row in sheet.iter_rows():
        label = row[0].value
        if label == "Share price (type it)":
            row[2].value = 220.0
        elif label in ("Options outstanding", "Options: weighted-average strike", "RSUs (nonvested)"):
            row[2].value = {"Options outstanding": 1e7, "Options: weighted-average strike": 50.0}.get(
                label, 2e7
            )
    book.save(out)
    assert run_company("TSLA", "-o", str(out)) == 0
    rows, _ = rows_by_label(out)
    assert rows["Options outstanding"][2].value == 1e7 and rows["Options outstanding"][3].value == 1e7
    assert rows["Options outstanding"][9].value == "override (typed)"
    assert rows["Share price (type it)"][3].value == 220.0
    assert rows["No stale input without an override"][1].value == "OK"
    assert rows["Market cap"][1].value == pytest.approx(220.0 * 3_157_752_449)


def test_offline_from_the_cache_and_errors(serve_sec, tmp_path, monkeypatch, capsys):
    serve_sec(SNOW)
    assert run_company("SNOW", "-o", str(tmp_path / "a.xlsx")) == 0
    monkeypatch.setenv("XLFUNCS_OFFLINE", "1")
    from xlfuncs.data import companies

    companies.forget()
    assert run_company("SNOW", "-o", str(tmp_path / "b.xlsx")) == 0
    assert run_company("NOPE", "-o", str(tmp_path / "c.xlsx")) == 1
    assert "unknown ticker 'NOPE'" in capsys.readouterr().err
    assert run_company("SNOW", "-o", str(tmp_path / "d.xlsx"), "--price", "-1") == 2

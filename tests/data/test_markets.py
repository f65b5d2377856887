"""ECB reference rates and CoinGecko market data: FXRATE, COINPRICE, COINSUPPLY, ``xlfuncs coin``.

ECB values are read from the recorded feeds themselves (the daily feed of 9 May 2025 and the
90-day history of 3 March 2017); the CoinGecko answers are written in the documented shape
(fixtures/PROVENANCE.md).
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, timedelta, timezone

import pytest

from xlfuncs.data import ecb, http
from xlfuncs.data.commands import coin as coin_command
from xlfuncs.data.errors import NoSuchFact, UnknownId
from xlfuncs.data.functions import serial
from xlfuncs.framework.errors import InputError
from xlfuncs.framework.sheet import call
from xlfuncs.functions import REGISTRY


def test_latest_rate_and_crosses_through_eur(serve_markets):
    serve_markets()
    usd = ecb.rate("EUR", "USD")
    assert (usd.rate, usd.day) == (1.1252, date(2025, 5, 9))
    assert ecb.rate("usd", "eur").rate == pytest.approx(1 / 1.1252)
    assert ecb.rate("GBP", "JPY").rate == pytest.approx(163.36 / 0.84770)
    assert ecb.rate("CHF", "CHF").rate == 1.0


def test_rate_as_of_a_date_is_the_latest_published_on_or_before(serve_markets):
    serve_markets()
    assert ecb.rate("EUR", "USD", date(2017, 3, 1)).rate == 1.0533
    weekend = ecb.rate("EUR", "GBP", date(2017, 2, 26))  # a Sunday: Friday's publication
    assert (weekend.rate, weekend.day) == (0.84503, date(2017, 2, 24))
    assert ecb.rate("USD", "JPY", date(2017, 3, 3)).rate == pytest.approx(120.83 / 1.0565)


def test_unknown_currency(serve_markets):
    serve_markets()
    with pytest.raises(UnknownId, match="no reference rate for XYZ"):
        ecb.rate("EUR", "XYZ")
    with pytest.raises(UnknownId, match="not an ISO 4217"):
        ecb.rate("EURO", "USD")


def test_the_answer_holds_until_the_next_publication():
    due = http._next_ecb_publication()
    now = datetime.now(timezone(timedelta(hours=1)))
    assert now < due <= now + timedelta(days=3, hours=1)
    assert (due.weekday(), due.hour, due.minute) < (5, 0, 0) and (due.hour, due.minute) == (16, 15)


def test_fxrate_cells(serve_markets, data_functions):
    serve_markets()
    f = data_functions["FXRATE"]
    assert call(f, "EUR", "USD") == [[1.1252]]
    assert call(f, "EUR", [["USD", "XYZ"]], serial(date(2017, 3, 1))) == [[1.0533, "#N/A"]]
    with pytest.raises(InputError, match=r"^base: the ECB publishes no reference rate for XYZ"):
        f.function("XYZ", "USD")


def test_coin_functions_compose_with_fdv(serve_markets, data_functions):
    serve_markets()
    price = call(data_functions["COINPRICE"], "bitcoin")[0][0]
    supply = call(data_functions["COINSUPPLY"], "bitcoin", "max")[0][0]
    assert (price, supply) == (97012.0, 21_000_000.0)
    # =FDV(COINPRICE("bitcoin"), COINSUPPLY("bitcoin","max")), by hand and as CoinGecko states it.
    assert call(REGISTRY["FDV"], price, supply) == [[97012 * 21_000_000]] == [[2_037_252_000_000]]
    assert call(data_functions["COINSUPPLY"], "ethereum", "max") == [[0.0]]  # uncapped: FDV's "unlimited"
    assert call(data_functions["COINSUPPLY"], [["bitcoin", "no-such-coin"]]) == [[19_805_812.0, "#N/A"]]
    with pytest.raises(InputError, match=r"^coin: CoinGecko knows no coin .no-such-coin."):
        data_functions["COINPRICE"].function("no-such-coin")


def run_coin(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="xlfuncs coin")
    coin_command.add_arguments(parser)
    return coin_command.run(parser.parse_args(argv))


def test_coin_command(serve_markets, capsys):
    serve_markets()
    assert run_coin("bitcoin", "--json") == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["fdv"] == 2_037_252_000_000
    assert figures["market_cap_to_fdv"] == pytest.approx(1_921_386_254_213 / 2_037_252_000_000)
    assert run_coin("ethereum") == 0
    out = capsys.readouterr().out
    assert "max supply          unlimited" in out
    assert "FDV                 399,114,689,227 USD (total supply: no maximum)" in out
    assert run_coin("no-such-coin") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "knows no coin" in err


def test_demo_key_is_sent(serve_markets, httpserver, monkeypatch):
    serve_markets()
    monkeypatch.setenv("XLFUNCS_COINGECKO_KEY", "CG-test")
    from xlfuncs.data.coingecko import coin

    coin("bitcoin")
    assert httpserver.log[-1][0].headers["x-cg-demo-api-key"] == "CG-test"


def test_a_date_before_the_last_90_days_reads_the_full_history(serve_markets, httpserver, fixture):
    serve_markets()
    httpserver.expect_request(ecb.HISTORY).respond_with_data(
        fixture("eurofxref-hist-90d.xml"), content_type="text/xml"
    )  # the same shape; the real history starts in 1999
    with pytest.raises(NoSuchFact, match="no ECB reference rate published on or before 2017-01-02"):
        ecb.rate("EUR", "USD", date(2017, 1, 2))
    assert [r.path for r, _ in httpserver.log][-2:] == [ecb.LAST_90_DAYS, ecb.HISTORY]

"""SEC companyfacts end to end: real recorded responses replayed over HTTP.

Expected values are the filings' own figures: Tesla's 10-Q for the quarter to
30 Sep 2022 (accession 0000950170-22-019867) and 10-K for 2015 (0001564590-16-013195),
Snowflake's 10-Q to 30 Apr 2025 and 10-K to 31 Jan 2025, and the 20-F (IFRS) of Logistic
Properties of the Americas for 2024.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from xlfuncs.data import chains, companies, sec
from xlfuncs.data.companies import company

from .helpers import run_filings

TSLA, SNOW, LPA = "0001318605", "0001640147", "0001997711"
Q3_2022 = "0000950170-22-019867"
FY_2015 = "0001564590-16-013195"


def run_json(capsys, *argv):
    code = run_filings(*argv, "--json")
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out), out.err


def test_tesla_items_dates_and_stale_flags(serve_sec, capsys):
    serve_sec(TSLA)
    data, err = run_json(capsys, "TSLA")
    assert (data["ticker"], data["cik"], data["name"]) == ("TSLA", TSLA, "Tesla, Inc.")
    assert data["latest_period"] == "2022-09-30"
    assert data["stopped_reporting"] is True  # the recording ends in 2022: today it is years old
    assert "may have stopped reporting" in err
    items = data["items"]
    assert set(items) == set(chains.ITEMS)
    for item in items.values():
        assert {"value", "unit", "period_end", "tag", "form", "filed", "accn", "url", "stale"} <= set(item)
    shares = items["shares"]  # cover page of the Q3 2022 10-Q, after the 3-for-1 split
    assert (shares["value"], shares["period_end"], shares["tag"]) == (
        3_157_752_449,
        "2022-10-18",
        "dei:EntityCommonStockSharesOutstanding",
    )
    assert (shares["form"], shares["filed"], shares["accn"], shares["stale"]) == (
        "10-Q",
        "2022-10-24",
        Q3_2022,
        False,
    )
    assert shares["url"].endswith(
        f"/Archives/edgar/data/1318605/{Q3_2022.replace('-', '')}/{Q3_2022}-index.htm"
    )
    assert (items["cash"]["value"], items["cash"]["period_end"]) == (19_532_000_000, "2022-09-30")
    assert items["minority_interest"]["value"] == 852_000_000
    assert items["preferred"]["value"] == 0
    assert items["diluted_reported"]["value"] == 3_468_000_000  # the quarter, not the nine months
    # The option and RSU tags end with the 2015 10-K: shown with their date, flagged stale.
    options, strike, rsus = items["options"], items["options_strike"], items["rsus"]
    assert (options["value"], options["period_end"], options["accn"], options["stale"]) == (
        20_015_180,
        "2015-12-31",
        FY_2015,
        True,
    )
    assert (strike["value"], strike["unit"], strike["stale"]) == (46.14, "USD/shares", True)
    assert "approximates" in strike["note"]
    assert (rsus["value"], rsus["stale"]) == (2_439_674, True)
    # LongTermDebtNoncurrent ends in 2014; LongTermDebt runs on and is the current basis.
    debt = items["debt"]
    assert (debt["value"], debt["period_end"], debt["stale"]) == (1_418_000_000, "2022-09-30", False)
    assert debt["components"]["long_term_debt"]["tag"] == "us-gaap:LongTermDebt"
    assert debt["components"]["short_term_borrowings"]["value"] is None


def test_debt_never_adds_the_current_portion_to_long_term_debt():
    """Tesla's 10-K for 2012: LongTermDebt 452,336,000 = noncurrent 401,495,000 + current 50,841,000."""
    facts = json.loads(
        (
            __import__("pathlib").Path(__file__).parent / "fixtures" / f"companyfacts-CIK{TSLA}.json"
        ).read_text()
    )
    period, items = chains.resolve_all(sec.index(facts, TSLA), date(2013, 6, 1), 400)
    assert period == date(2013, 3, 31)
    debt = items["debt"]
    assert debt.value == 452_336_000
    assert [c.tag for c in debt.components if c.value is not None] == ["us-gaap:LongTermDebt"]


def test_as_of_hides_later_filings(serve_sec, capsys):
    serve_sec(TSLA)
    data, _ = run_json(capsys, "TSLA", "--as-of", "2016-03-01")
    items = data["items"]
    assert data["latest_period"] == "2015-12-31"
    assert data["latest_period_age_days"] == (date(2016, 3, 1) - date(2015, 12, 31)).days
    assert data["stopped_reporting"] is False
    assert all(i["filed"] is None or i["filed"] <= "2016-03-01" for i in items.values())
    # The 2015 10-K's cover page: 132,056,338 shares on 31 Jan 2016.
    assert (items["shares"]["value"], items["shares"]["period_end"]) == (132_056_338, "2016-01-31")
    assert (items["options"]["value"], items["options"]["stale"]) == (20_015_180, False)
    assert items["cash"]["value"] == 1_196_908_000


def test_snowflake_reports_options_but_no_rsus_or_debt(serve_sec, capsys):
    serve_sec(SNOW)
    data, _ = run_json(capsys, "SNOW")
    items = data["items"]
    assert data["latest_period"] == "2025-04-30"
    assert (items["options"]["value"], items["options"]["period_end"], items["options"]["stale"]) == (
        20_806_000,
        "2025-04-30",
        False,
    )
    assert items["options_strike"]["value"] == 21.37
    assert items["shares"]["value"] == 333_700_000
    # Snowflake's RSUs sit on an award-type axis, which companyfacts drops: missing, not zero.
    for missing in ("rsus", "debt"):
        assert items[missing]["value"] is None
        assert items[missing]["stale"] is None
    assert items["diluted_reported"]["period_end"] == "2025-01-31"  # the 10-K's; the 10-Q has none


def test_foreign_private_issuer_in_ifrs(serve_sec, capsys):
    serve_sec(LPA)
    data, _ = run_json(capsys, "1997711")  # a CIK
    assert data["ticker"] == "LPA"
    items = data["items"]
    assert data["latest_period"] == "2024-12-31"
    assert items["debt"]["tag"] == "ifrs-full:Borrowings"
    assert items["debt"]["value"] == 267_216_692
    assert items["cash"]["value"] == 28_827_347
    assert items["minority_interest"]["value"] == 41_836_542
    assert items["diluted_reported"]["value"] == 30_995_079
    assert items["shares"]["form"] == "20-F/A"


def test_the_table(serve_sec, capsys):
    serve_sec(TSLA)
    assert run_filings("tsla", "--as-of", "2022-12-31") == 0
    out = capsys.readouterr()
    assert "Tesla, Inc. (TSLA, CIK 0001318605)" in out.out
    assert "latest period 2022-09-30 (92 days ago)" in out.out
    assert "STALE" in out.out and "3,157,752,449" in out.out
    assert out.err == ""


def test_user_agent_is_sent(serve_sec, httpserver):
    serve_sec(TSLA)
    company("TSLA")
    agents = {request.headers.get("User-Agent") for request, _ in httpserver.log}
    assert agents == {"xlfuncs tests tests@example.com"}


def test_cache_answers_a_second_call(serve_sec, httpserver):
    serve_sec(TSLA)
    first = company("TSLA")
    companies.forget()  # past the in-memory memo: the HTTP cache on disk answers
    second = company("TSLA")
    assert len(httpserver.log) == 2  # the ticker file and the companyfacts, once each
    assert second.items == first.items
    assert second is not first


def test_memo_is_bounded(serve_sec, monkeypatch):
    serve_sec(TSLA)
    monkeypatch.setattr(companies, "MEMO_SIZE", 3)
    for year in range(2015, 2021):
        company("TSLA", date(year, 6, 30))
    assert len(companies._memo) == 3
    assert company("TSLA", date(2020, 6, 30)) is company("TSLA", date(2020, 6, 30))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["NOPE"], "unknown ticker 'NOPE'"),
        (["not a ticker!"], "is neither a ticker nor a CIK"),
        (["999"], "CIK 999 has no XBRL facts at the SEC"),
    ],
)
def test_unknown_ids_are_one_line(serve_sec, httpserver, capsys, argv, message):
    serve_sec(TSLA)
    httpserver.expect_request("/api/xbrl/companyfacts/CIK0000000999.json").respond_with_data("", status=404)
    assert run_filings(*argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and err.startswith("xlfuncs filings: error: ")


def test_latest_period_ignores_ends_after_their_filing():
    def entry(concept, end, filed):
        return chains.Entry(concept, "USD", None, end, 1.0, "10-K", filed, "a", "u")

    index = {
        "us-gaap:Cash": [entry("us-gaap:Cash", date(2024, 12, 31), date(2025, 2, 1))],
        "us-gaap:Odd": [entry("us-gaap:Odd", date(2030, 12, 31), date(2025, 2, 1))],  # mis-dated
        "dei:EntityCommonStockSharesOutstanding": [
            entry("dei:EntityCommonStockSharesOutstanding", date(2025, 1, 20), date(2025, 2, 1))
        ],
    }
    assert chains.latest_period(index, None) == date(2024, 12, 31)
    assert chains.latest_period(index, date(2025, 1, 31)) is None  # nothing filed yet

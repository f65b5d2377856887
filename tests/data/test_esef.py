"""ESEF via filings.xbrl.org and GLEIF: ``FILING("ISIN:…")`` and ``xlfuncs filings LEI:…``.

The filings list is a real answer of filings.xbrl.org (ASML's 2022 report, recorded by
lsalmela/xbrl-filings-api, MIT); the GLEIF record and the xBRL-JSON report are written in the
documented shapes (fixtures/PROVENANCE.md), so the expected values are the report's own.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from xlfuncs.data.companies import company
from xlfuncs.data.errors import NoSuchFact, UnknownId

from .helpers import run_filings

LEI = "724500Y6DUVHQD6OXN27"
JSON_URL = f"/{LEI}/2022-12-31/ESEF/NL/0/asml-2022-12-31-en.json"


@pytest.fixture
def serve_esef(httpserver, fixture):
    gleif = json.loads(fixture("gleif-lei-records-isin-NL0010273215.json"))
    httpserver.expect_request(
        "/api/v1/lei-records", query_string={"filter[isin]": "NL0010273215"}
    ).respond_with_json(gleif)
    httpserver.expect_request(f"/api/v1/lei-records/{LEI}").respond_with_json({"data": gleif["data"][0]})
    httpserver.expect_request("/api/filings").respond_with_data(
        fixture("esef-filings-asml-2022.json"), content_type="application/vnd.api+json"
    )
    httpserver.expect_request(JSON_URL).respond_with_data(
        fixture("esef-xbrl-json-written.json"), content_type="application/json"
    )


def test_isin_to_lei_to_the_latest_report(serve_esef, httpserver):
    found = company("ISIN:NL0010273215")
    assert (found.lei, found.name, found.source) == (LEI, "ASML Holding N.V.", "esef")
    assert found.latest_period == date(2022, 12, 31)  # 2023-01-01T00:00:00 is an exclusive end
    items = found.items
    assert (items["cash"].value, items["cash"].unit, items["cash"].period_end) == (
        7e9,
        "EUR",
        date(2022, 12, 31),
    )
    assert items["cash"].filed == date(2023, 2, 16)  # date_added of the filing
    assert items["cash"].url.endswith(
        f"/{LEI}/2022-12-31/ESEF/NL/0/asml-2022-12-31-en/reports/ixbrlviewer.html"
    )
    debt = items["debt"]
    assert debt.value == 4.3e9 and debt.tag == "ifrs-full:LongtermBorrowings + ifrs-full:ShorttermBorrowings"
    assert (items["options"].value, items["options_strike"].value, items["options_strike"].unit) == (
        1e6,
        100.5,
        "EUR/shares",
    )
    assert items["diluted_reported"].value == 395e6
    assert items["shares"].value is None  # only on ClassesOfShareCapitalAxis: missing, not zero
    filings_query = next(r for r, _ in httpserver.log if r.path == "/api/filings")
    assert filings_query.args["filter[entity.identifier]"] == LEI


def test_lei_and_as_of(serve_esef, capsys):
    assert run_filings(f"LEI:{LEI}", "--json", "--as-of", "2023-06-30") == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["lei"], data["name"], data["latest_period_age_days"]) == (LEI, "ASML Holding N.V.", 181)
    assert data["items"]["cash"]["value"] == 7e9
    with pytest.raises(
        NoSuchFact, match="holds no ESEF report of LEI 724500Y6DUVHQD6OXN27 added by 2023-01-31"
    ):
        company(f"LEI:{LEI}", date(2023, 1, 31))


def test_bad_identifiers(serve_esef, httpserver):
    httpserver.expect_request(
        "/api/v1/lei-records", query_string={"filter[isin]": "US0000000000"}
    ).respond_with_json({"data": []})
    with pytest.raises(UnknownId, match="GLEIF maps no LEI to ISIN US0000000000"):
        company("ISIN:US0000000000")
    with pytest.raises(UnknownId, match="is not an ISIN"):
        company("ISIN:123")
    with pytest.raises(UnknownId, match="is not an LEI"):
        company("LEI:ABC")

"""Fixtures of the data-layer tests: no network but loopback, a fresh cache, a local SEC.

The recorded responses in ``fixtures/`` (see ``fixtures/PROVENANCE.md``) are served over
real HTTP by pytest-httpserver, so the whole path runs: User-Agent, rate limit, cache,
retries, offline mode.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_socket import socket_allow_hosts

from xlfuncs.data import companies, http

FIXTURES = Path(__file__).parent / "fixtures"
AGENT = "xlfuncs tests tests@example.com"


@pytest.fixture(autouse=True)
def _no_network(httpserver):
    """Only loopback: a request that would leave the machine fails the test."""
    socket_allow_hosts(["127.0.0.1", "::1", "localhost"], allow_unix_socket=True)
    yield


@pytest.fixture(autouse=True)
def data_env(tmp_path, monkeypatch, httpserver):
    """A fresh cache and config, every source pointed at the local server."""
    for name in list(__import__("os").environ):
        if name.startswith("XLFUNCS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XLFUNCS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XLFUNCS_CONFIG", str(tmp_path / "config.ini"))
    monkeypatch.setenv("XLFUNCS_SEC_USER_AGENT", AGENT)
    base = httpserver.url_for("").rstrip("/")
    for name in ("SEC_URL", "SEC_FILES_URL", "ESEF_URL", "GLEIF_URL", "COINGECKO_URL", "ECB_URL"):
        monkeypatch.setenv("XLFUNCS_" + name, base)
    monkeypatch.setenv("XLFUNCS_COINGECKO_INTERVAL", "0")
    yield tmp_path
    companies.forget()
    http.close_all()


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def serve_sec(httpserver):
    """Serve the ticker file and the companyfacts of the given CIKs (10 digits)."""

    def serve(*ciks: str) -> None:
        httpserver.expect_request("/files/company_tickers.json").respond_with_data(
            fixture_bytes("company_tickers.json"), content_type="application/json"
        )
        for cik in ciks:
            httpserver.expect_request(f"/api/xbrl/companyfacts/CIK{cik}.json").respond_with_data(
                fixture_bytes(f"companyfacts-CIK{cik}.json"), content_type="application/json"
            )

    return serve


@pytest.fixture
def fixture():
    """The bytes of a recorded response in fixtures/."""
    return fixture_bytes


@pytest.fixture
def data_functions():
    """FILING, FILINGS... registered for one test; REGISTRY as it was afterwards."""
    from xlfuncs.data import functions
    from xlfuncs.framework.spec import REGISTRY

    saved = dict(REGISTRY)
    specs = {spec.excel_name: spec for spec in functions.register()}
    yield specs
    REGISTRY.clear()
    REGISTRY.update(saved)


@pytest.fixture
def serve_markets(httpserver):
    """Serve the ECB feeds and CoinGecko's markets answers for bitcoin and ethereum (usd)."""

    def serve() -> None:
        for path, name in (
            ("/stats/eurofxref/eurofxref-daily.xml", "eurofxref-daily.xml"),
            ("/stats/eurofxref/eurofxref-hist-90d.xml", "eurofxref-hist-90d.xml"),
        ):
            httpserver.expect_request(path).respond_with_data(fixture_bytes(name), content_type="text/xml")
        for coin in ("bitcoin", "ethereum"):
            httpserver.expect_request(
                "/api/v3/coins/markets", query_string={"vs_currency": "usd", "ids": coin}
            ).respond_with_data(
                fixture_bytes(f"coingecko-markets-{coin}.json"), content_type="application/json"
            )
        httpserver.expect_request(
            "/api/v3/coins/markets", query_string={"vs_currency": "usd", "ids": "no-such-coin"}
        ).respond_with_json([])

    return serve

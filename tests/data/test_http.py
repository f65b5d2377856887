"""The HTTP path: cache, offline mode (expired entries too), rate limit, retries, errors."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import time
from datetime import timedelta

import pytest
from werkzeug import Response

from xlfuncs.data import companies, config, http
from xlfuncs.data.companies import company
from xlfuncs.data.errors import NotCached, NoUserAgent, RateLimited, Unreachable

from .helpers import fetch, run_filings

TSLA = "0001318605"


def test_offline_answers_from_the_cache_also_when_expired(serve_sec, httpserver, monkeypatch, capsys):
    monkeypatch.setitem(http.SOURCES, "sec", http.Source("sec", 0.1, lambda: timedelta(seconds=1)))
    serve_sec(TSLA)
    online = company("TSLA")
    time.sleep(1.2)  # both entries are now past their time-to-live
    httpserver.clear()  # and the source is gone
    monkeypatch.setenv("XLFUNCS_OFFLINE", "1")
    monkeypatch.delenv("XLFUNCS_SEC_USER_AGENT")  # offline needs no identity
    offline = company("TSLA")
    assert httpserver.log == []
    assert offline.items == online.items
    assert offline.expired is True
    assert abs(offline.fetched - online.fetched) < timedelta(seconds=1)  # the date it was fetched
    assert run_filings("TSLA") == 0
    assert "offline: from the cache of" in capsys.readouterr().out


def test_expired_entry_is_fetched_again_online(serve_sec, httpserver, monkeypatch):
    monkeypatch.setitem(http.SOURCES, "sec", http.Source("sec", 0.1, lambda: timedelta(seconds=1)))
    serve_sec(TSLA)
    company("TSLA")
    time.sleep(1.2)
    companies.forget()
    company("TSLA")
    assert len(httpserver.log) == 4


def test_the_cache_is_bounded_by_age(serve_sec, monkeypatch):
    serve_sec(TSLA)
    company("TSLA")
    http.close_all()
    companies.forget()
    monkeypatch.setattr(http, "KEEP", timedelta(milliseconds=1))
    time.sleep(0.01)  # both answers are now older than that
    monkeypatch.setenv("XLFUNCS_OFFLINE", "1")
    with pytest.raises(NotCached):
        company("TSLA")


def test_cache_only_context_makes_no_request(serve_sec, httpserver):
    serve_sec(TSLA)
    with config.cache_only(), pytest.raises(NotCached, match="offline and nothing cached"):
        company("TSLA")
    assert httpserver.log == []


def test_cache_only_holds_in_every_thread_of_the_process(serve_sec, httpserver, data_functions):
    """What xlfuncs calc does around a stranger's workbook: cached figures, and no request."""
    from concurrent.futures import ThreadPoolExecutor

    from xlfuncs.framework.sheet import call

    serve_sec(TSLA)
    company("TSLA")  # the user's own earlier session filled the cache
    companies.forget()
    seen = len(httpserver.log)
    with config.cache_only(), ThreadPoolExecutor(2) as pool:
        cells = list(pool.map(lambda item: call(data_functions["FILING"], "TSLA", item), ["cash", "debt"]))
        assert call(data_functions["FILING"], "AAPL", "cash") == [["#N/A"]]  # not cached: no request
    assert cells == [[[19_532_000_000.0]], [[1_418_000_000.0]]]
    assert len(httpserver.log) == seen
    assert not config.offline()


def test_offline_with_nothing_cached_is_one_line(monkeypatch, httpserver, capsys):
    monkeypatch.setenv("XLFUNCS_OFFLINE", "yes")
    assert run_filings("TSLA") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "offline and nothing cached" in err
    assert httpserver.log == []


def test_no_user_agent_no_request(monkeypatch, httpserver, capsys):
    monkeypatch.delenv("XLFUNCS_SEC_USER_AGENT")
    with pytest.raises(NoUserAgent, match="XLFUNCS_SEC_USER_AGENT"):
        company("TSLA")
    monkeypatch.setenv("XLFUNCS_SEC_USER_AGENT", "no email here")
    assert run_filings("TSLA") == 1
    assert "User-Agent naming you and an email" in capsys.readouterr().err
    assert httpserver.log == []


def test_user_agent_from_the_config_file(serve_sec, monkeypatch, data_env, httpserver):
    monkeypatch.delenv("XLFUNCS_SEC_USER_AGENT")
    (data_env / "config.ini").write_text("[xlfuncs]\nsec_user_agent = Jane Doe jane@example.com\n")
    serve_sec(TSLA)
    company("TSLA")
    assert {r.headers["User-Agent"] for r, _ in httpserver.log} == {"Jane Doe jane@example.com"}


def test_429_retry_after_is_honoured(httpserver):
    url = httpserver.url_for("/slow.json")
    httpserver.expect_oneshot_request("/slow.json").respond_with_response(
        Response("", status=429, headers={"Retry-After": "1"})
    )
    httpserver.expect_request("/slow.json").respond_with_json({"ok": True})
    start = time.monotonic()
    answer = http.get("sec", url)
    assert time.monotonic() - start >= 1.0
    assert answer.json() == {"ok": True}
    assert len(httpserver.log) == 2


def test_429_asking_too_long_a_wait_is_rate_limited(httpserver):
    httpserver.expect_request("/busy.json").respond_with_response(
        Response("", status=429, headers={"Retry-After": str(int(http.MAX_WAIT) + 60)})
    )
    start = time.monotonic()
    with pytest.raises(RateLimited, match="rate-limited"):
        http.get("sec", httpserver.url_for("/busy.json"))
    assert time.monotonic() - start < 5
    assert len(httpserver.log) == 1


def test_server_errors_are_retried_then_unreachable(httpserver):
    httpserver.expect_request("/down.json").respond_with_response(
        Response("", status=503, headers={"Retry-After": "0"})
    )
    with pytest.raises(Unreachable, match="answered HTTP 503"):
        http.get("sec", httpserver.url_for("/down.json"))
    assert len(httpserver.log) == http.RETRIES + 1


def test_sec_403_says_why(httpserver):
    httpserver.expect_request("/refused.json").respond_with_data("", status=403)
    with pytest.raises(Unreachable, match="HTTP 403: the SEC refuses a User-Agent that does not name you"):
        http.get("sec", httpserver.url_for("/refused.json"))


def test_unreachable_source(monkeypatch):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("XLFUNCS_SEC_FILES_URL", f"http://127.0.0.1:{port}")
    with pytest.raises(Unreachable, match="cannot be reached"):
        company("TSLA")


def test_a_cached_answer_does_not_wait_for_the_rate(httpserver, monkeypatch):
    monkeypatch.setenv("XLFUNCS_SEC_INTERVAL", "2")
    httpserver.expect_request("/x.json").respond_with_json({})
    http.get("sec", httpserver.url_for("/x.json"))
    start = time.monotonic()
    for _ in range(5):
        assert http.get("sec", httpserver.url_for("/x.json")).cached
    assert time.monotonic() - start < 1.0


def test_the_rate_holds_across_processes_under_a_burst(httpserver, data_env):
    """Three processes, six distinct requests each, at 10 a second shared by the machine."""
    arrivals: list[float] = []

    def handler(request):
        arrivals.append(time.time())
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/burst").respond_with_handler(handler)
    env = {k: v for k, v in os.environ.items() if k.startswith("XLFUNCS_")}
    context = multiprocessing.get_context("spawn")
    jobs = [
        context.Process(
            target=fetch, args=(env, [httpserver.url_for(f"/burst?p={p}&i={i}") for i in range(6)])
        )
        for p in range(3)
    ]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(60)
        assert job.exitcode == 0
    arrivals.sort()
    assert len(arrivals) == 18
    interval = http.SOURCES["sec"].interval
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    # Slots are reserved one interval apart; arrival jitter may shift a single gap a little.
    assert arrivals[-1] - arrivals[0] >= 17 * interval * 0.95
    for start in range(len(arrivals) - 10):
        assert arrivals[start + 10] - arrivals[start] >= 10 * interval * 0.9, gaps


def test_only_loopback_is_reachable():
    import socket

    from pytest_socket import SocketConnectBlockedError

    with pytest.warns(UserWarning, match="192.0.2.1"), pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 443), timeout=1)  # TEST-NET-1: never a real host

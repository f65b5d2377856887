"""The one HTTP session of the data layer: a persistent cache, the sources' rules, offline mode.

- **Cache:** ``requests-cache`` in SQLite (``http.sqlite`` in the cache folder), with a
  time-to-live per source (:data:`SOURCES`).
- **Rate:** each source's rate is shared by all processes (:mod:`.ratelimit`), and only
  requests that leave the machine count; a cache hit never waits.
- **Retries:** 429 and 5xx are retried, honouring ``Retry-After``, up to :data:`RETRIES` times
  and as long as the wait stays under :data:`MAX_WAIT` seconds.
- **Offline** (:func:`xlfuncs.data.config.offline`): the cache answers, expired entries
  included, and each answer carries its fetch date.  requests-cache's ``only_if_cached``
  answers 504 for an expired entry, so the entry is read from the cache store directly.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

try:
    import requests
    import requests_cache
    from requests.adapters import HTTPAdapter
except ImportError as exc:  # the data layer is an optional extra
    raise ImportError(f"the data functions need {exc.name}: pip install 'xlfuncs[data]'") from None

from ..settings import setting
from . import config, ratelimit
from .errors import DataError, NotCached, RateLimited, Unreachable

RETRIES = 3
MAX_WAIT = 60.0  # seconds; a longer Retry-After is a RateLimited error, not a frozen cell
TIMEOUT = 30.0
#: Answers fetched longer ago than this are deleted when a process opens the cache: offline
#: mode serves expired answers, so without a bound the cache would only grow.
KEEP = timedelta(days=90)


@dataclass(frozen=True)
class Source:
    name: str
    interval: float  # seconds between requests, machine-wide
    ttl: Callable[[], timedelta | datetime]  # how long an answer stays fresh


def _next_ecb_publication() -> datetime:
    """The ECB publishes around 16:00 CET on working days; the answer holds until then."""
    cet = timezone(timedelta(hours=1))
    now = datetime.now(cet)
    due = now.replace(hour=16, minute=15, second=0, microsecond=0)
    if now >= due:
        due += timedelta(days=1)
    while due.weekday() >= 5:
        due += timedelta(days=1)
    return due


def _coingecko_interval() -> float:
    # Keyless: about 5 to 15 calls a minute per IP; a demo key: 30 a minute.
    return 2.0 if setting("coingecko_key") else 6.0


SOURCES = {
    "sec": Source("sec", 0.1, lambda: timedelta(days=1)),  # fair access: 10 requests a second
    "esef": Source("esef", 0.2, lambda: timedelta(days=1)),
    "gleif": Source("gleif", 0.2, lambda: timedelta(days=7)),
    "coingecko": Source("coingecko", 6.0, lambda: timedelta(minutes=5)),
    "ecb": Source("ecb", 0.2, _next_ecb_publication),
}


@dataclass(frozen=True)
class Answer:
    """A JSON or text answer and where it came from."""

    url: str
    text: str
    fetched: datetime  # when the source sent it (the cache's creation date for a cached answer)
    cached: bool
    expired: bool  # answered offline from an entry past its time-to-live

    def json(self) -> Any:
        import json

        return json.loads(self.text)


_local = threading.local()  # the source of the request being sent, read by the adapter


def _interval(source: str) -> float:
    override = setting(f"{source}_interval")
    if override is not None:
        try:
            return max(0.0, float(override))
        except ValueError:
            raise ValueError(
                f"XLFUNCS_{source.upper()}_INTERVAL: {override!r} is not a number of seconds"
            ) from None
    return _coingecko_interval() if source == "coingecko" else SOURCES[source].interval


def retry_after(response: requests.Response, attempt: int) -> float:
    """Seconds to wait before retrying: the server's ``Retry-After`` (seconds or a date), else 1, 2, 4..."""
    header = response.headers.get("Retry-After")
    if header:
        header = header.strip()
        if header.isdigit():
            return float(header)
        with_date = email.utils.parsedate_to_datetime(header) if header else None
        if with_date is not None:
            if with_date.tzinfo is None:
                with_date = with_date.replace(tzinfo=timezone.utc)
            return max(0.0, (with_date - datetime.now(timezone.utc)).total_seconds())
    return float(2**attempt)


class _PolicyAdapter(HTTPAdapter):
    """Sends only what the cache could not answer: at the source's shared rate, retrying 429/5xx."""

    def send(self, request, **kwargs):
        source = getattr(_local, "source", None)
        path = config.cache_dir() / f"rate-{source or 'other'}"
        interval = _interval(source) if source else 0.0
        for attempt in range(RETRIES + 1):
            ratelimit.wait(path, interval)
            response = super().send(request, **kwargs)
            if response.status_code != 429 and response.status_code < 500:
                return response
            delay = retry_after(response, attempt)
            if attempt == RETRIES or delay > MAX_WAIT:
                return response
            response.close()
            time.sleep(delay)
        raise AssertionError("unreachable")  # the loop returns on its last attempt


_sessions: dict[str, requests_cache.CachedSession] = {}
_sessions_lock = threading.Lock()


def session() -> requests_cache.CachedSession:
    """The cached session of this process for the current cache folder."""
    folder = config.cache_dir()
    key = str(folder)
    with _sessions_lock:
        cached = _sessions.get(key)
        if cached is None:
            folder.mkdir(parents=True, exist_ok=True)
            cached = requests_cache.CachedSession(
                str(folder / "http.sqlite"), backend="sqlite", expire_after=timedelta(days=1)
            )
            cached.cache.delete(older_than=KEEP)
            adapter = _PolicyAdapter()
            cached.mount("http://", adapter)
            cached.mount("https://", adapter)
            _sessions[key] = cached
        return cached


def close_all() -> None:
    """Close every session (their SQLite files); the next request opens a new one."""
    with _sessions_lock:
        for s in _sessions.values():
            s.close()
        _sessions.clear()


def get(
    source: str,
    url: str,
    *,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    not_found: Callable[[], DataError] | None = None,
) -> Answer:
    """GET ``url`` through the cache under ``source``'s rules.

    Raises
    ------
    NotCached
        Offline and the cache holds no answer.
    RateLimited
        Still 429 after the retries.
    Unreachable
        No connection, a timeout or a server error.
    DataError
        What ``not_found()`` gives for a 404 (an unknown company...).
    """
    s = session()
    if config.offline():
        return _from_cache(s, source, url, params, headers)
    _local.source = source
    try:
        response = s.get(
            url, params=params, headers=headers, expire_after=SOURCES[source].ttl(), timeout=TIMEOUT
        )
    except requests.RequestException as exc:
        raise Unreachable(f"{source}: {url} cannot be reached ({type(exc).__name__})") from None
    finally:
        _local.source = None
    if response.status_code == 404 and not_found is not None:
        raise not_found()
    if response.status_code == 429:
        raise RateLimited(f"{source}: rate-limited (429) after {RETRIES} retries: try again later")
    if response.status_code == 403 and source == "sec":
        raise Unreachable(
            f"sec: {response.url} answered HTTP 403: the SEC refuses a User-Agent that does not name "
            "you and an email, and any client above 10 requests a second"
        )
    if response.status_code >= 400:
        raise Unreachable(f"{source}: {response.url} answered HTTP {response.status_code}")
    cached = bool(getattr(response, "from_cache", False))
    created = getattr(response, "created_at", None) if cached else None
    return Answer(response.url, response.text, _utc(created), cached, False)


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(timezone.utc)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _from_cache(
    s: requests_cache.CachedSession,
    source: str,
    url: str,
    params: dict[str, str] | None,
    headers: dict[str, str] | None,
) -> Answer:
    request = s.prepare_request(requests.Request("GET", url, params=params, headers=headers))
    cached = s.cache.get_response(s.cache.create_key(request))
    if cached is None:
        raise NotCached("{source}: offline and nothing cached for {url}", source=source, url=request.url)
    return Answer(request.url or url, cached.text, _utc(cached.created_at), True, bool(cached.is_expired))

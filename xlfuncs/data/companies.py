"""A company's inputs from its filings: one entry point for every kind of identifier."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import date

from . import chains, config, sec
from .errors import UnknownId
from .records import Company

#: Parsed companies kept in memory, so that a sheet's many FILING cells parse a company's
#: facts once (a large filer's companyfacts is megabytes of JSON): at most MEMO_SIZE, each
#: for MEMO_SECONDS.
MEMO_SIZE = 64
MEMO_SECONDS = 60.0
_memo: OrderedDict[tuple[object, ...], tuple[float, Company]] = OrderedDict()
_memo_lock = threading.Lock()


def forget() -> None:
    """Empty the in-memory memo (the HTTP cache on disk stays)."""
    with _memo_lock:
        _memo.clear()


def company(identifier: str, as_of: date | None = None) -> Company:
    """The inputs of ``identifier`` (ticker, CIK, ``ISIN:…`` or ``LEI:…``) filed by ``as_of``.

    Parameters
    ----------
    identifier : str
        A ticker (``TSLA``), a CIK (``1318605``), ``ISIN:DE0007164600`` or ``LEI:…``.
    as_of : datetime.date, optional
        Only facts filed on or before this date count (a model of a past date sees no later
        figure); the age of the latest period is counted to it.  Default: today.

    Raises
    ------
    xlfuncs.data.errors.DataError
        Unknown identifier, offline with nothing cached, rate-limited, no User-Agent, source
        unreachable: one line saying which.
    """
    key = (
        identifier.strip().upper(),
        as_of,
        config.offline(),
        str(config.cache_dir()),
        config.stale_days(),
        config.url("sec_url"),
    )
    now = time.monotonic()
    with _memo_lock:
        kept = _memo.get(key)
        if kept is not None and kept[0] > now:
            _memo.move_to_end(key)
            return kept[1]
    found = _company(identifier, as_of)
    with _memo_lock:
        _memo[key] = (now + MEMO_SECONDS, found)
        _memo.move_to_end(key)
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return found


def _company(identifier: str, as_of: date | None) -> Company:
    text = identifier.strip()
    prefix, _, rest = text.partition(":")
    if prefix.upper() in ("ISIN", "LEI") and rest:
        from . import esef

        return esef.company(prefix.upper(), rest.strip().upper(), as_of)
    if not text:
        raise UnknownId("no company given")
    ticker, cik = sec.resolve_id(text)
    facts, answer = sec.companyfacts(cik)
    if ticker is None:
        ticker = _ticker_of(cik)
    return chains.company(
        sec.index(facts, cik),
        as_of,
        filed_by=as_of,
        ids=(ticker, cik, None),
        name=str(facts.get("entityName") or ""),
        fetched=answer.fetched,
        expired=answer.expired,
        source="sec",
    )


def _ticker_of(cik: str) -> str | None:
    """The first ticker of a CIK, when the ticker file can be had (it is optional here)."""
    from .errors import DataError

    try:
        table = sec.tickers()
    except DataError:
        return None
    return next((t for t, (c, _) in table.items() if c == cik), None)

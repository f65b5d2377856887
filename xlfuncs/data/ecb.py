"""The ECB's euro foreign exchange reference rates, with crosses through the euro.

The ECB publishes one rate per currency against the euro around 16:00 CET on TARGET working
days; an answer is kept until the next publication.  A rate as of a date is the latest
published on or before it: the last 90 days from ``eurofxref-hist-90d.xml``, earlier dates
from the full history ``eurofxref-hist.xml``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime

from . import config, http
from .errors import NoSuchFact, UnknownId, Unreachable

DAILY = "/stats/eurofxref/eurofxref-daily.xml"
LAST_90_DAYS = "/stats/eurofxref/eurofxref-hist-90d.xml"
HISTORY = "/stats/eurofxref/eurofxref-hist.xml"
_CODE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class Rate:
    """Units of ``quote`` for one unit of ``base`` on ``day`` (the ECB's publication date)."""

    base: str
    quote: str
    rate: float
    day: date
    url: str
    fetched: datetime
    expired: bool


def parse(text: str) -> dict[date, dict[str, float]]:
    """``{day: {currency: units per euro}}`` of an ECB reference-rate feed (daily or history)."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise Unreachable(f"ecb: the answer is not the reference-rate feed ({exc})") from None
    out: dict[date, dict[str, float]] = {}
    for cube in root.iter():
        day = cube.get("time")
        if cube.tag.endswith("Cube") and day:
            out[date.fromisoformat(day)] = {
                c.get("currency", ""): float(c.get("rate", "nan")) for c in cube if c.get("currency")
            }
    return out


def _feed(path: str) -> tuple[dict[date, dict[str, float]], http.Answer]:
    answer = http.get("ecb", config.url("ecb_url") + path)
    return parse(answer.text), answer


def _code(text: str, argument: str) -> str:
    code = text.strip().upper()
    if not _CODE.fullmatch(code):
        raise UnknownId(f"{argument} {text!r} is not an ISO 4217 currency code")
    return code


def rate(base: str, quote: str, as_of: date | None = None) -> Rate:
    """The ECB reference rate of ``base`` in ``quote`` (crosses through EUR), as of a date.

    Raises
    ------
    UnknownId
        A currency the ECB does not publish.
    NoSuchFact
        No publication on or before ``as_of``.
    """
    base, quote = _code(base, "base"), _code(quote, "quote")
    if as_of is None:
        days, answer = _feed(DAILY)
    else:
        days, answer = _feed(LAST_90_DAYS)
        if not days or as_of < min(days):
            days, answer = _feed(HISTORY)
    published = [d for d in days if as_of is None or d <= as_of]
    if not published:
        raise NoSuchFact(f"no ECB reference rate published on or before {as_of}")
    day = max(published)
    table = {"EUR": 1.0, **days[day]}
    for code in (base, quote):
        if code not in table:
            raise UnknownId(f"the ECB publishes no reference rate for {code} (on {day})")
    return Rate(base, quote, table[quote] / table[base], day, answer.url, answer.fetched, answer.expired)

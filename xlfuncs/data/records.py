"""The records the data layer returns: each figure with where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Fact:
    """One figure of a filing, or the reason it is missing (``value`` None).

    Attributes
    ----------
    item : str
        ``shares``, ``options``, ``debt``...
    value : float or None
        None when the company did not report the item (dimensional facts, which the
        companyfacts API drops, are missing too: never a zero).
    stale : bool
        The period ends more than the staleness limit before the company's latest period.
    components : tuple of Fact
        The named parts of a sum (``debt``): each shown, the missing ones with value None.
    """

    item: str
    value: float | None
    unit: str | None = None
    period_end: date | None = None
    tag: str | None = None
    form: str | None = None
    filed: date | None = None
    accn: str | None = None
    url: str | None = None
    stale: bool = False
    note: str = ""
    components: tuple[Fact, ...] = field(default=())

    @property
    def missing(self) -> bool:
        return self.value is None

    @property
    def reason(self) -> str:
        """Why the value is missing or stale, with the note; else the note ("" when none)."""
        if self.value is None:
            return "missing: " + (self.note or "not reported")
        if self.stale:
            stale = (
                f"stale: last reported for {self.period_end} ({self.tag}), more than the staleness "
                "limit before the company's latest period"
            )
            return f"{stale}; {self.note}" if self.note else stale
        return self.note

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "value": self.value,
            "unit": self.unit,
            "period_end": self.period_end.isoformat() if self.period_end else None,
            "tag": self.tag,
            "form": self.form,
            "filed": self.filed.isoformat() if self.filed else None,
            "accn": self.accn,
            "url": self.url,
            "stale": self.stale if self.value is not None else None,
        }
        if self.note:
            out["note"] = self.note
        if self.components:
            out["components"] = {c.item: c.as_json() for c in self.components}
        return out


@dataclass(frozen=True)
class Company:
    """A company's inputs from its filings, as of a date."""

    ticker: str | None
    cik: str | None
    lei: str | None
    name: str
    latest_period: date | None
    age_days: int | None  # days from the latest period to the as-of date (today by default)
    stopped: bool  # the latest report is older than the staleness limit
    items: dict[str, Fact]
    fetched: datetime  # when the source sent the facts (offline: the cached copy's date)
    expired: bool  # answered offline from an expired cache entry
    source: str  # "sec" or "esef"

    def as_json(self) -> dict[str, object]:
        return {
            "ticker": self.ticker,
            "cik": self.cik,
            "lei": self.lei,
            "name": self.name,
            "latest_period": self.latest_period.isoformat() if self.latest_period else None,
            "latest_period_age_days": self.age_days,
            "stopped_reporting": self.stopped,
            "source": self.source,
            "fetched": self.fetched.isoformat(timespec="seconds"),
            "from_expired_cache": self.expired,
            "items": {name: fact.as_json() for name, fact in self.items.items()},
        }

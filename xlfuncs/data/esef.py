"""ESEF annual reports (EU issuers in IFRS) from filings.xbrl.org, found by LEI; ISIN -> LEI by GLEIF.

Both APIs answer without a key.  A report's facts come as xBRL-JSON: ``facts.ID.{value,
dimensions: {concept, entity, period, unit, …}}``.  An instant period's end is exclusive
(``2023-01-01T00:00:00`` is 31 December 2022).  Facts on any further axis (share classes,
segments) are left out, as the SEC's companyfacts leaves them out: such an item is missing,
never a zero.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from . import chains, config, http
from .chains import Entry, Index
from .errors import NoSuchFact, UnknownId
from .records import Company

_ISIN = re.compile(r"[A-Z]{2}[A-Z0-9]{9}[0-9]")
_LEI = re.compile(r"[A-Z0-9]{18}[0-9]{2}")
_PLAIN = {"concept", "entity", "period", "unit", "language"}


def lei_of(isin: str) -> tuple[str, str]:
    """(LEI, legal name) of an ISIN, from GLEIF."""
    if not _ISIN.fullmatch(isin):
        raise UnknownId(f"ISIN:{isin} is not an ISIN (2 letters, 9 letters or digits, a check digit)")
    answer = http.get("gleif", config.url("gleif_url") + "/api/v1/lei-records", params={"filter[isin]": isin})
    records = answer.json().get("data") or []
    if not records:
        raise UnknownId(f"GLEIF maps no LEI to ISIN {isin}")
    return records[0]["id"], _name(records[0])


def _name(record: dict[str, Any]) -> str:
    entity = (record.get("attributes") or {}).get("entity") or {}
    return str((entity.get("legalName") or {}).get("name") or record.get("id", ""))


def name_of(lei: str) -> str:
    answer = http.get(
        "gleif",
        config.url("gleif_url") + f"/api/v1/lei-records/{lei}",
        not_found=lambda: UnknownId(f"GLEIF knows no LEI {lei}"),
    )
    return _name(answer.json().get("data") or {})


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def _unit(text: str | None) -> str:
    if not text:
        return "pure"
    parts = [p.split(":", 1)[-1] for p in text.split("/")]
    return "/".join(parts)


def index(report: dict[str, Any], filed: date, accn: str, url: str) -> Index:
    """The xBRL-JSON report's plain facts (no further axis) as :class:`Entry` lists by concept."""
    out: Index = {}
    for fact in (report.get("facts") or {}).values():
        dims = fact.get("dimensions") or {}
        if set(dims) - _PLAIN or "concept" not in dims or "period" not in dims:
            continue
        try:
            value = float(fact["value"])
        except (KeyError, TypeError, ValueError):  # text facts
            continue
        start_text, _, end_text = str(dims["period"]).rpartition("/")
        end = _day(end_text)
        if end_text[11:19] == "00:00:00":  # the exclusive end of a day: the day before
            end -= timedelta(days=1)
        concept = str(dims["concept"])
        out.setdefault(concept, []).append(
            Entry(
                concept,
                _unit(dims.get("unit")),
                _day(start_text) if start_text else None,
                end,
                value,
                "ESEF",
                filed,
                accn,
                url,
            )
        )
    return out


def company(kind: str, identifier: str, as_of: date | None) -> Company:
    """A company's inputs from its latest ESEF report added by ``as_of`` (``kind``: ISIN or LEI)."""
    if kind == "ISIN":
        lei, name = lei_of(identifier)
    else:
        if not _LEI.fullmatch(identifier):
            raise UnknownId(f"LEI:{identifier} is not an LEI (20 letters or digits)")
        lei, name = identifier, name_of(identifier)
    base = config.url("esef_url")
    listing = http.get(
        "esef",
        base + "/api/filings",
        params={"filter[entity.identifier]": lei, "sort": "-period_end", "page[size]": "50"},
    ).json()
    filings = [
        f
        for f in listing.get("data") or []
        if (f.get("attributes") or {}).get("json_url")
        and (as_of is None or _day(f["attributes"]["date_added"]) <= as_of)
    ]
    if not filings:
        when = f" added by {as_of}" if as_of else ""
        raise NoSuchFact(f"filings.xbrl.org holds no ESEF report of LEI {lei}{when}")
    latest = max(filings, key=lambda f: (f["attributes"]["period_end"], f["attributes"]["date_added"]))
    attributes = latest["attributes"]
    answer = http.get("esef", base + attributes["json_url"])
    link = base + (attributes.get("viewer_url") or attributes.get("report_url") or attributes["json_url"])
    entries = index(
        answer.json(), _day(attributes["date_added"]), str(attributes.get("fxo_id") or latest.get("id")), link
    )
    return chains.company(
        entries,
        as_of,
        filed_by=None,  # the report was chosen by its date added; its comparatives came with it
        ids=(None, None, lei),
        name=name,
        fetched=answer.fetched,
        expired=answer.expired,
        source="esef",
    )

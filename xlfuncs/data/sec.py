"""SEC EDGAR (US issuers and foreign private issuers): the ticker file and ``companyfacts``.

Fair access: every request carries a User-Agent naming the user and an email
(``XLFUNCS_SEC_USER_AGENT`` or ``sec_user_agent`` in the config file; there is no default
identity), and the machine sends at most 10 requests a second (:mod:`.http`).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ..settings import config_path, setting
from . import config, http
from .chains import Entry, Index
from .errors import DataError, NoUserAgent, UnknownId

_CIK = re.compile(r"(?:CIK)?0*(\d{1,10})", re.I)
_TICKER = re.compile(r"[A-Z][A-Z0-9.\-]{0,9}")


def user_agent() -> str:
    """The configured SEC User-Agent ("Name email@example.com")."""
    agent = setting("sec_user_agent")
    if not agent or "@" not in agent:
        raise NoUserAgent(
            "the SEC needs a User-Agent naming you and an email: set XLFUNCS_SEC_USER_AGENT "
            "(e.g. 'Jane Doe jane@example.com') or sec_user_agent in "
            f"{config_path()} [xlfuncs]"
        )
    return agent


def _get(base: str, path: str, not_found: DataError | None = None) -> http.Answer:
    headers = {} if config.offline() else {"User-Agent": user_agent()}
    return http.get(
        "sec",
        config.url(base) + path,
        headers=headers,
        not_found=(lambda: not_found) if not_found is not None else None,
    )


def tickers() -> dict[str, tuple[str, str]]:
    """Ticker (upper case) -> (CIK as 10 digits, company name), from the SEC's ticker file."""
    answer = _get("sec_files_url", "/files/company_tickers.json")
    rows = answer.json()
    return {
        str(row["ticker"]).upper(): (f"{int(row['cik_str']):010d}", str(row["title"]))
        for row in rows.values()
    }


def resolve_id(identifier: str) -> tuple[str | None, str]:
    """(ticker or None, 10-digit CIK) of a ticker or a CIK."""
    text = identifier.strip()
    number = _CIK.fullmatch(text)
    if number and (text.isdigit() or text.upper().startswith("CIK")):
        return None, f"{int(number.group(1)):010d}"
    ticker = text.upper().replace(".", "-")  # the SEC spells share classes BRK-B
    if not _TICKER.fullmatch(ticker):
        raise UnknownId(f"{identifier!r} is neither a ticker nor a CIK")
    found = tickers().get(ticker)
    if found is None:
        raise UnknownId(f"unknown ticker {identifier!r} (not in the SEC's company_tickers.json)")
    return ticker, found[0]


def filing_url(cik: str, accn: str) -> str:
    """The index page of a filing on EDGAR."""
    return f"{config.url('sec_files_url')}/Archives/edgar/data/{int(cik)}/{accn.replace('-', '')}/{accn}-index.htm"


def companyfacts(cik: str) -> tuple[dict[str, Any], http.Answer]:
    answer = _get(
        "sec_url",
        f"/api/xbrl/companyfacts/CIK{cik}.json",
        UnknownId(f"CIK {int(cik)} has no XBRL facts at the SEC"),
    )
    return answer.json(), answer


def _date(text: str) -> date:
    return date.fromisoformat(text[:10])


def index(facts: dict[str, Any], cik: str) -> Index:
    """The companyfacts response as :class:`Entry` lists by ``taxonomy:tag``."""
    out: Index = {}
    for taxonomy, tags in (facts.get("facts") or {}).items():
        for tag, body in tags.items():
            entries = out.setdefault(f"{taxonomy}:{tag}", [])
            for unit, rows in (body.get("units") or {}).items():
                for row in rows:
                    try:
                        entries.append(
                            Entry(
                                f"{taxonomy}:{tag}",
                                unit,
                                _date(row["start"]) if row.get("start") else None,
                                _date(row["end"]),
                                float(row["val"]),
                                str(row.get("form", "")),
                                _date(row["filed"]),
                                str(row.get("accn", "")),
                                filing_url(cik, str(row.get("accn", ""))),
                            )
                        )
                    except (KeyError, TypeError, ValueError):  # a malformed row is no fact
                        continue
    return out

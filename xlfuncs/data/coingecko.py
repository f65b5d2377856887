"""CoinGecko's public API: prices and supplies of coins, keyless or with a free demo key.

Keyless calls are limited per IP (about 5 to 15 a minute); a demo key
(``XLFUNCS_COINGECKO_KEY``, sent as ``x-cg-demo-api-key``) raises the limit.  Answers are
kept five minutes.  A coin is named by its CoinGecko API id (``bitcoin``, ``ethereum``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from ..settings import setting
from . import config, http
from .errors import UnknownId

MARKETS = "/api/v3/coins/markets"
_ID = re.compile(r"[a-z0-9][a-z0-9\-]{0,99}")
_VS = re.compile(r"[a-z]{3,5}")


@dataclass(frozen=True)
class Coin:
    """A coin's market data from CoinGecko, in ``vs`` (a currency such as ``usd``)."""

    id: str
    symbol: str
    name: str
    vs: str
    price: float | None
    market_cap: float | None
    circulating: float | None
    total: float | None
    max: float | None  # None: the protocol sets no maximum
    last_updated: str | None
    url: str
    fetched: datetime
    expired: bool


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def coin(identifier: str, vs: str = "usd") -> Coin:
    """Market data of one coin by its CoinGecko id.

    Raises
    ------
    UnknownId
        CoinGecko knows no such coin id (or currency).
    """
    coin_id, vs = identifier.strip().lower(), vs.strip().lower()
    if not _ID.fullmatch(coin_id):
        raise UnknownId(f"{identifier!r} is not a CoinGecko coin id (e.g. bitcoin, ethereum)")
    if not _VS.fullmatch(vs):
        raise UnknownId(f"{vs!r} is not a currency CoinGecko quotes in (e.g. usd, eur, btc)")
    key = setting("coingecko_key")
    answer = http.get(
        "coingecko",
        config.url("coingecko_url") + MARKETS,
        params={"vs_currency": vs, "ids": coin_id},
        headers={"x-cg-demo-api-key": key} if key else None,
    )
    rows = answer.json()
    if not isinstance(rows, list) or not rows:
        raise UnknownId(f"CoinGecko knows no coin {coin_id!r} (use its API id, e.g. bitcoin)")
    row = rows[0]
    return Coin(
        str(row.get("id", coin_id)),
        str(row.get("symbol", "")),
        str(row.get("name", "")),
        vs,
        _number(row.get("current_price")),
        _number(row.get("market_cap")),
        _number(row.get("circulating_supply")),
        _number(row.get("total_supply")),
        _number(row.get("max_supply")),
        row.get("last_updated"),
        f"https://www.coingecko.com/en/coins/{coin_id}",
        answer.fetched,
        answer.expired,
    )

"""``xlfuncs coin ID``: a coin's price, supplies, FDV and the ratio of market cap to FDV (CoinGecko)."""

from __future__ import annotations

import argparse
import json

from ...i18n.messages import msg
from ..errors import DataError
from .common import fail, number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="CoinGecko's API id of the coin (bitcoin, ethereum, solana…)")
    parser.add_argument("--vs", default="usd", help="the currency of prices and values (default: usd)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")


def run(args: argparse.Namespace) -> int:
    from ...functions.crypto import fdv
    from ..coingecko import coin

    try:
        found = coin(args.id, args.vs)
    except (DataError, ValueError) as exc:
        return fail("coin", exc)
    value = None
    if found.price is not None and (found.max or found.total):
        value = float(
            fdv(found.price, found.max or 0.0, found.total if found.total is not None else float("nan"))
        )
    ratio = found.market_cap / value if found.market_cap is not None and value else None
    figures = {
        "id": found.id,
        "name": found.name,
        "symbol": found.symbol,
        "vs": found.vs,
        "price": found.price,
        "circulating_supply": found.circulating,
        "total_supply": found.total,
        "max_supply": found.max,
        "market_cap": found.market_cap,
        "fdv": value,
        "market_cap_to_fdv": ratio,
        "last_updated": found.last_updated,
        "url": found.url,
        "fetched": found.fetched.isoformat(timespec="seconds"),
        "from_expired_cache": found.expired,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    vs = found.vs.upper()
    lines = [
        msg(
            "{name} ({symbol}), CoinGecko, last updated {updated}",
            name=found.name,
            symbol=found.symbol.upper(),
            updated=found.last_updated,
        ),
        msg(
            "price               {price} {vs}",
            price=number(found.price) if (found.price or 0) >= 1000 else found.price,
            vs=vs,
        ),
        msg("circulating supply  {n}", n=number(found.circulating)),
        msg("total supply        {n}", n=number(found.total)),
        msg("max supply          {n}", n=number(found.max) if found.max is not None else msg("unlimited")),
        msg("market cap          {n} {vs}", n=number(found.market_cap), vs=vs),
        msg("FDV                 {n} {vs}", n=number(value), vs=vs)
        + ("" if found.max else msg(" (total supply: no maximum)")),
        msg("market cap / FDV    {ratio:.4f}", ratio=ratio)
        if ratio is not None
        else msg("market cap / FDV    missing"),
        found.url,
    ]
    if found.expired:
        lines.insert(
            1, msg("offline: from the cache of {fetched:%Y-%m-%d %H:%M} UTC, expired", fetched=found.fetched)
        )
    print("\n".join(lines))
    return 0

"""``xlfuncs filings ID``: a company's inputs from its filings, with dates and links."""

from __future__ import annotations

import argparse
import json
import sys

from ..errors import DataError
from ..records import Company
from .common import fail, iso_date, number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="a ticker (TSLA), a CIK (1318605), ISIN:… or LEI:…")
    parser.add_argument("--json", action="store_true", help="print the inputs as JSON")
    parser.add_argument(
        "--as-of",
        type=iso_date,
        default=None,
        metavar="DATE",
        help="only facts filed on or before DATE (YYYY-MM-DD); default: everything filed",
    )


def run(args: argparse.Namespace) -> int:
    from ..companies import company

    try:
        found = company(args.id, args.as_of)
    except (DataError, ValueError) as exc:
        return fail("filings", exc)
    if found.stopped:
        print(f"xlfuncs filings: warning: {_stopped(found)}", file=sys.stderr)
    if args.json:
        print(json.dumps(found.as_json(), indent=2))
    else:
        print(table(found))
    return 0


def _stopped(found: Company) -> str:
    if found.latest_period is None:
        return f"{found.name}: no financial facts reported"
    return (
        f"{found.name}: latest report for {found.latest_period.isoformat()}, {found.age_days} days old: "
        "it may have stopped reporting"
    )


def table(found: Company) -> str:
    """The inputs as a plain-text table: item, value, unit, period end, form, filed, stale, link."""
    ids = ", ".join(x for x in (found.ticker, f"CIK {found.cik}" if found.cik else None, found.lei) if x)
    lines = [f"{found.name} ({ids})"]
    if found.latest_period:
        lines.append(f"latest period {found.latest_period.isoformat()} ({found.age_days} days ago)")
    if found.expired:
        lines.append(f"offline: from the cache of {found.fetched:%Y-%m-%d %H:%M} UTC, expired")
    header = ("item", "value", "unit", "period end", "form", "filed", "", "link")
    rows = [header]
    for name, fact in found.items.items():
        rows.append(
            (
                name,
                number(fact.value),
                fact.unit or "",
                fact.period_end.isoformat() if fact.period_end else "",
                fact.form or "",
                fact.filed.isoformat() if fact.filed else "",
                "STALE" if fact.stale and fact.value is not None else "",
                fact.url or "",
            )
        )
        for part in fact.components:
            rows.append(
                (f"  {part.item}", number(part.value), part.unit or "", "", "", "", "", part.tag or "")
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    notes = sorted({f"{n}: {f.note}" for n, f in found.items.items() if f.note and f.value is not None})
    lines += notes
    return "\n".join(lines)

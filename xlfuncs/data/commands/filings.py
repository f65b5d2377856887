"""``xlfuncs filings ID``: a company's inputs from its filings, with dates and links;
``xlfuncs filings --many IDS.txt -o universe.parquet``: one row per company.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ...i18n.messages import msg
from ..errors import DataError
from ..records import Company
from .common import fail, iso_date, number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", nargs="?", help="a ticker (TSLA), a CIK (1318605), ISIN:… or LEI:…")
    parser.add_argument(
        "--many",
        type=Path,
        metavar="IDS.txt",
        help="a file of identifiers, one a line: write one row per company to -o",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="with --many: the table to write, .csv or .parquet (needs pyarrow)",
    )
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

    if args.many is not None or args.output is not None:
        return _many(args)
    if args.id is None:
        return fail("filings", ValueError(msg("give a company ID, or --many IDS.txt -o FILE")))
    try:
        found = company(args.id, args.as_of)
    except (DataError, ValueError) as exc:
        return fail("filings", exc)
    if found.stopped:
        print(msg("xlfuncs filings: warning: {warning}", warning=_stopped(found)), file=sys.stderr)
    if args.json:
        print(json.dumps(found.as_json(), indent=2))
    else:
        print(table(found))
    return 0


def _stopped(found: Company) -> str:
    if found.latest_period is None:
        return msg("{name}: no financial facts reported", name=found.name)
    return msg(
        "{name}: latest report for {period}, {days} days old: it may have stopped reporting",
        name=found.name,
        period=found.latest_period.isoformat(),
        days=found.age_days,
    )


def table(found: Company) -> str:
    """The inputs as a plain-text table: item, value, unit, period end, form, filed, stale, link."""
    ids = ", ".join(x for x in (found.ticker, f"CIK {found.cik}" if found.cik else None, found.lei) if x)
    lines = [f"{found.name} ({ids})"]
    if found.latest_period:
        lines.append(
            msg(
                "latest period {period} ({days} days ago)",
                period=found.latest_period.isoformat(),
                days=found.age_days,
            )
        )
    if found.expired:
        lines.append(
            msg("offline: from the cache of {fetched:%Y-%m-%d %H:%M} UTC, expired", fetched=found.fetched)
        )
    header = (
        msg("item"),
        msg("value"),
        msg("unit"),
        msg("period end"),
        msg("form"),
        msg("filed"),
        "",
        msg("link"),
    )
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
    lines += [f"{name}: {fact.reason}" for name, fact in found.items.items() if fact.reason]
    return "\n".join(lines)


def _many(args: argparse.Namespace) -> int:
    from .. import universe

    if args.many is None or args.output is None or args.id is not None:
        return fail("filings", ValueError(msg("--many IDS.txt and -o FILE go together, without an ID")))
    try:
        table = universe.rows(universe.read_ids(args.many), args.as_of)
        universe.write(table, args.output)
    except ValueError as exc:
        return fail("filings", exc)
    failed = [row for row in table if row["error"]]
    for row in failed:
        print(f"xlfuncs filings: {row['id']}: {row['error']}", file=sys.stderr)
    print(
        msg(
            "{output}: {done} companies, {failed} failed",
            output=args.output,
            done=len(table) - len(failed),
            failed=len(failed),
        )
    )
    return 0

"""``xlfuncs company ID [-o FILE]``: a model workbook of one company from its filings."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..data.commands.common import fail, iso_date
from ..data.errors import DataError
from ..i18n.messages import msg


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="a ticker (TSLA), a CIK (1318605), ISIN:… or LEI:…")
    parser.add_argument(
        "-o", "--output", type=Path, default=None, help="the workbook to write (default: ID_model.xlsx)"
    )
    parser.add_argument("--price", type=float, default=None, help="the share price (else typed in the book)")
    parser.add_argument(
        "--as-of", type=iso_date, default=None, metavar="DATE", help="only facts filed on or before DATE"
    )


def run(args: argparse.Namespace) -> int:
    from ..calc.workbook import calc
    from ..data.companies import company
    from . import company_book

    path = args.output or Path(f"{args.id.replace(':', '_')}_model.xlsx")
    try:
        found = company(args.id, args.as_of)
        kept = company_book.kept_inputs(path)
    except (DataError, ValueError) as exc:
        return fail("company", exc)
    if args.price is not None:
        if not args.price > 0:
            return fail("company", ValueError(msg("--price {price}: must be a price > 0", price=args.price)))
        kept["price"] = args.price
    company_book.build(found, path, kept)
    calc(path)  # the values stored, so the numbers show without the add-in
    overrides = sorted(k for k in kept if k != "price")
    print(
        f"{path}: {found.name}"
        + (msg(", overrides kept: {overrides}", overrides=", ".join(overrides)) if overrides else "")
    )
    if found.stopped:
        print(
            msg("xlfuncs company: warning: {name}: the latest report is old", name=found.name),
            file=sys.stderr,
        )
    return 0

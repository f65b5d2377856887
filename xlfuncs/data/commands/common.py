"""What the data subcommands share: reading a date, printing a data error as one line."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from ...i18n.messages import msg
from ..errors import DataError


def iso_date(text: str) -> date:
    """An ISO date (``2024-12-31``) as an argparse type."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(msg("{text!r} is not a date (YYYY-MM-DD)", text=text)) from None


def fail(command: str, exc: DataError | ValueError) -> int:
    """One line on stderr and exit code 1 (2 for unusable input)."""
    reason = msg(exc.pattern, **exc.values) if isinstance(exc, DataError) and exc.values else exc
    print(msg("xlfuncs {command}: error: {exc}", command=command, exc=reason), file=sys.stderr)
    return 2 if isinstance(exc, ValueError) else 1


def number(value: float | None) -> str:
    if value is None:
        return msg("missing")
    return f"{value:,.0f}" if abs(value) >= 1000 or value == int(value) else f"{value:,.4g}"

"""``xlfuncs calc BOOK [-o OUT] [--engine ...]``: its arguments and its run.

Exit codes: 0 when the workbook was computed (error values in cells are results, not failures),
2 for unusable input (one line, no traceback), 1 if computing failed unexpectedly.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable

from ..i18n.messages import msg
from .engines import ENGINES
from .limits import DEFAULT_SECONDS, Limits, memory_size
from .results import CalcInputError, one_line

__all__ = ["add_arguments", "main", "run"]

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``calc`` command's arguments (``book``, ``-o/--output``, ``--engine``, the limits...)."""
    parser.add_argument("book", help="the workbook (.xlsx) to compute")
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT.xlsx",
        help="write the computed workbook here (default: update BOOK in place)",
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="what computes: headless LibreOffice with the xlfuncs add-in, or the formulas package "
        "(pip only); auto (the default): LibreOffice when it is installed",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the summary as JSON: the engine of each sheet, error values, every cell not computed",
    )
    parser.add_argument(
        "--cross-check",
        action="store_true",
        help="compute with both engines and list the cells where they disagree "
        "(the values written are the chosen engine's; needs LibreOffice)",
    )
    parser.add_argument(
        "--max-cells",
        type=int,
        metavar="N",
        help="the most cells (constants and formulas) the formulas engine takes on "
        "(default 1,000,000; LibreOffice has no such limit)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        default=DEFAULT_SECONDS,
        help=f"the longest either engine may compute the workbook (default {DEFAULT_SECONDS:g})",
    )
    parser.add_argument(
        "--max-memory",
        type=_memory,
        metavar="SIZE",
        help="the most resident memory either engine may hold while it computes, such as 4G or 500M "
        "(default: half the machine's memory, at most 8G)",
    )


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return seconds


def _memory(text: str) -> int:
    try:
        return memory_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _limits(args: argparse.Namespace) -> Limits:
    seconds, memory = getattr(args, "timeout", DEFAULT_SECONDS), getattr(args, "max_memory", None)
    return Limits(seconds) if memory is None else Limits(seconds, memory)


def run(args: argparse.Namespace, echo: Callable[[str], object] = print) -> int:
    """Compute ``args.book``, write it (to ``args.output`` or in place), print the summary on
    ``echo``; returns the exit code.
    """
    from .workbook import calc

    try:
        summary = calc(
            args.book,
            args.output,
            args.engine,
            max_cells=getattr(args, "max_cells", None),
            cross_check=getattr(args, "cross_check", False),
            limits=_limits(args),
        )
    except CalcInputError as exc:
        echo(msg("xlfuncs calc: error: {exc}", exc=exc))
        return 2
    except Exception as exc:  # a bug must not show a traceback; the log has the details
        logger.debug("xlfuncs calc failed", exc_info=True)
        echo(msg("xlfuncs calc: failed to compute {book}: {reason}", book=args.book, reason=one_line(exc)))
        return 1
    if getattr(args, "json", False):
        echo(json.dumps(summary.as_dict(), indent=1))
        return 0
    for line in summary.lines():
        echo(line)
    return 0


def main(argv: list[str] | None = None, *, echo: Callable[[str], object] = print) -> int:
    """Entry point: ``main(["BOOK.xlsx", "-o", "OUT.xlsx"])`` returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="xlfuncs calc",
        description="Compute every formula of a workbook without Excel (with LibreOffice "
        "or the formulas package) and store the results as the cells' cached values.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv), echo)


if __name__ == "__main__":
    sys.exit(main())

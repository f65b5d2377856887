"""``xlfuncs doctor``: is everything in place for the functions, runtime by runtime?

One line per check: ``OK``, ``WARN`` or ``FAIL``, what was checked, what was found and, when
it is not OK, how to fix it; then the counts.  One module per runtime: the classic add-in in
Windows desktop Excel (:mod:`.classic`), the functions as both xlwings runtimes load them,
classic and Office.js (:mod:`.functions`), LibreOffice with its add-in and the calc engine's
instances (:mod:`.libreoffice`); ``--workbook`` says which runtime a workbook's form suits
(:mod:`.workbook`).  Exit code 0 when no check FAILs, 1 otherwise.

May import: every layer below it; it is an entry point, imported by nothing but the command line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..i18n.messages import msg
from ..windows.install import ExcelHost, WindowsHost
from . import classic, functions, libreoffice, workbook
from .checks import Check, run_all


def diagnose(host: WindowsHost | None, home: Path, addin_path: Path | None = None) -> list[Check]:
    """Every check, runtime by runtime, in the order a user would fix them."""
    return run_all(
        classic.runs(host, home, addin_path) + functions.runs(host is not None) + libreoffice.runs()
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``xlfuncs doctor``."""
    parser.description = (
        "Check and explain, one line each, what the functions need in desktop "
        "Excel; exit code 1 when a check FAILs."
    )
    parser.add_argument(
        "--addin",
        type=Path,
        metavar="PATH",
        help="inspect this .xlam instead of the installed one (works on any system)",
    )
    parser.add_argument(
        "--workbook",
        type=Path,
        metavar="FILE",
        help="say which runtime form FILE stores (classic, xlwings Lite or Server) and whether it suits "
        "the runtime installed here",
    )


def run(args: argparse.Namespace, host: WindowsHost | None = None) -> int:
    """``xlfuncs doctor``: exit code 0 without FAIL, 1 with, 2 for a file that is not there."""
    if host is None and sys.platform == "win32":
        host = ExcelHost()
    if args.workbook is not None:
        if not args.workbook.is_file():
            print(msg("xlfuncs: error: --workbook {path}: no such file", path=args.workbook), file=sys.stderr)
            return 2
        found, failed = workbook.lines(args.workbook, host)
        print("\n".join(found))
        return int(failed)
    if args.addin is not None and not args.addin.is_file():
        print(msg("xlfuncs: error: --addin {path}: no such file", path=args.addin), file=sys.stderr)
        return 2
    checks = diagnose(host, Path.home(), args.addin)
    for check in checks:
        print(check)
    counts = {status: sum(c.status == status for c in checks) for status in ("OK", "WARN", "FAIL")}
    print(msg("{ok} OK, {warn} WARN, {fail} FAIL", ok=counts["OK"], warn=counts["WARN"], fail=counts["FAIL"]))
    return int(counts["FAIL"] > 0)

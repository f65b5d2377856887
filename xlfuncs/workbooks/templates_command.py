"""``xlfuncs workbooks [DIRECTORY]``: the arguments and exit code of writing the templates (:mod:`.templates`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..calc.engines import ENGINES
    from .universe_book import MAX_ROWS

    parser.add_argument(
        "directory", nargs="?", default="workbooks", type=Path, help="target folder (default: workbooks)"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="overwrite workbooks that differ from the templates (edited ones)",
    )
    parser.add_argument(
        "--for",
        dest="form",
        choices=("classic", "lite", "server"),
        default="classic",
        help="the runtime the workbooks will open in: classic add-in (default), xlwings Lite or xlwings Server",
    )
    parser.add_argument(
        "--namespace", default=None, help="--for server: the server's function namespace (default: XLWINGS)"
    )
    parser.add_argument(
        "--rows",
        type=int,
        default=None,
        metavar="N",
        help=f"companies in universe_screen (default: 2,000; at most {MAX_ROWS:,})",
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="formulas",
        help="what computes the values stored in the workbooks, as for xlfuncs calc: formulas (the "
        "default: the same workbooks whatever else is installed), libreoffice (much faster for large "
        "--rows) or auto (LibreOffice when it is installed)",
    )
    parser.add_argument(
        "--lang",
        metavar="LANG",
        help="language of the workbooks' texts: en or de (default: XLFUNCS_LANG, the config file, else en)",
    )


def run(args: argparse.Namespace) -> int:
    """0 when written, 2 for unusable input or when an edited workbook was kept."""
    from ..calc.engines import engine_for
    from ..calc.results import CalcInputError
    from ..i18n import choose
    from ..xlsx import writes
    from .templates import write_all
    from .universe_book import check_rows

    try:
        if args.rows is not None:
            check_rows(args.rows)
        engine = engine_for(args.engine)
        writes.check_folder(args.directory)  # a file, a dangling link: one line, before any output
    except (ValueError, CalcInputError) as exc:  # --rows out of range, LibreOffice cannot run here
        print(f"xlfuncs workbooks: error: {exc}", file=sys.stderr)
        return 2
    print(f"stored values computed with {engine}")
    try:
        refused = write_all(
            args.directory,
            args.force,
            form=args.form,
            namespace=args.namespace,
            rows=args.rows,
            lang=choose(args.lang),
            engine=engine,
        )
    except ValueError as exc:  # --rows out of range, a language with no catalogue
        print(f"xlfuncs workbooks: error: {exc}", file=sys.stderr)
        return 2
    return 2 if refused else 0

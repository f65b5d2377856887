"""``xlfuncs demo [DIRECTORY] [--engine E]``: the arguments and exit code of the demo (:mod:`.demo`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..calc.engines import ENGINES

    parser.add_argument(
        "directory",
        nargs="?",
        default="xlfuncs-demo",
        type=Path,
        help="folder for the computed workbooks (default: xlfuncs-demo)",
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="what computes, as for xlfuncs calc: auto (the default: LibreOffice when it is installed), "
        "libreoffice or formulas",
    )
    parser.add_argument(
        "--lang",
        metavar="LANG",
        help="language of the output and the workbooks: en or de (default: XLFUNCS_LANG, the config file, else en)",
    )


def run(args: argparse.Namespace) -> int:
    """0 when every figure matches, 1 with a mismatch, 2 when nothing could be built."""
    from ..i18n import LanguageError, choose
    from .demo import main

    try:
        lang = choose(args.lang)
    except LanguageError as exc:
        print(f"xlfuncs demo: error: {exc}", file=sys.stderr)
        return 2
    failures = main(args.directory, engine=args.engine, lang=lang)
    return 2 if failures < 0 else int(failures > 0)

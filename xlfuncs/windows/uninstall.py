r"""``xlfuncs uninstall``: remove what ``xlfuncs install`` added, as its record lists
(:func:`xlfuncs.windows.install.uninstall`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .install import WindowsHost, one_line_errors, uninstall

DESCRIPTION = (
    "Remove what `xlfuncs install` added (the add-in, config entries) and "
    r"restore what it changed, as recorded in %USERPROFILE%\.xlfuncs\install.json."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``xlfuncs uninstall``."""
    parser.description = DESCRIPTION
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print every file it would delete or write and every Excel action; change nothing",
    )


def run(args: argparse.Namespace, host: WindowsHost | None = None) -> int:
    """``xlfuncs uninstall``: exit code 0 done, 1 failed."""
    return one_line_errors(lambda h: uninstall(h, Path.home(), dry_run=args.dry_run), host)

"""``xlfuncs libreoffice build [DIR] | install | uninstall | stop``: the add-in for LibreOffice Calc
(:mod:`xlfuncs.runtimes.libreoffice`), and ending the LibreOffice instances ``xlfuncs calc`` keeps
loaded (:mod:`.instances`).  It lives beside the engine because it needs both, and the runtimes
never import the calculator.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from ...i18n.messages import msg
from ...runtimes.libreoffice import build, office
from . import instances


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("build", "install", "uninstall", "stop"), help="what to do")
    parser.add_argument(
        "directory",
        nargs="?",
        default=Path("."),
        type=Path,
        help="build: the folder for xlfuncs.oxt (default: the current folder)",
    )


def run(args: argparse.Namespace, echo=print) -> int:
    """Build, install (for the current user; for every user as root) or uninstall; returns the exit code."""
    try:
        if args.action == "build":
            echo(msg("wrote {path}", path=build.build(args.directory)))
        elif args.action == "install":
            with tempfile.TemporaryDirectory(prefix="xlfuncs_oxt_") as tmp:
                office.install(build.build(Path(tmp)))
            who = (
                msg("every user (run as root: unopkg --shared)")
                if os.geteuid() == 0
                else msg("the current user")
            )
            echo(
                msg(
                    "installed {name} for {who}; restart LibreOffice to use the functions",
                    name=build.IDENTIFIER,
                    who=who,
                )
            )
        elif args.action == "stop":
            count = instances.stop_all(office.cache_root())
            echo(
                msg("ended {count} LibreOffice instance kept by xlfuncs calc", count=count)
                if count == 1
                else msg("ended {count} LibreOffice instances kept by xlfuncs calc", count=count)
            )
        elif office.uninstall(build.IDENTIFIER):
            echo(msg("removed {name}", name=build.IDENTIFIER))
        else:
            echo(msg("{name} was not installed", name=build.IDENTIFIER))
    except (build.BuildError, office.LibreOfficeError) as exc:
        echo(msg("xlfuncs libreoffice: error: {exc}", exc=exc))
        return 2
    return 0


if __name__ == "__main__":
    _parser = argparse.ArgumentParser(prog="python -m xlfuncs.calc.libreoffice.command")
    add_arguments(_parser)
    sys.exit(run(_parser.parse_args()))

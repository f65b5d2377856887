"""The ``xlfuncs`` command."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="xlfuncs", description=__doc__.strip() + " "
                                     "Company and crypto size and valuation metrics for Excel and Python.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="compute every worked example of both source articles and check it")
    sub.add_parser("version", help="print the versions of xlfuncs, xlwings, the runtime and Python")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import main as demo

        return 1 if demo() else 0
    from . import version_info

    for key, value in version_info().items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

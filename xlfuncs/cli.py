"""xlfuncs: company and crypto size and valuation metrics for Excel and Python."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure is one line on stderr and a non-zero exit code, never a traceback.

    2: unusable input or a refused write (a link, a read-only file, a folder that is a file...);
    1: anything unexpected (``XLFUNCS_DEBUG=1`` shows its traceback); 130: Ctrl+C; a closed
    output pipe (``xlfuncs calc BOOK | head -1``) ends quietly with 141, as the shell's own tools do.
    """
    from .workbooks.files import WriteRefused

    try:
        return _main(argv)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)  # Python's own recipe: no second error at exit
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("xlfuncs: interrupted", file=sys.stderr)
        return 130
    except (WriteRefused, OSError) as exc:
        print(f"xlfuncs: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:
        if os.environ.get("XLFUNCS_DEBUG"):
            raise
        print(
            f"xlfuncs: failed: {type(exc).__name__}: {_one_line(exc)} (XLFUNCS_DEBUG=1 shows details)",
            file=sys.stderr,
        )
        return 1


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="xlfuncs", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = sub.add_parser(
        "demo", help="build and compute the templates; check every example of both articles"
    )
    demo.add_argument(
        "directory",
        nargs="?",
        default="xlfuncs-demo",
        type=Path,
        help="folder for the computed workbooks (default: xlfuncs-demo)",
    )
    from .workbooks import calc
    from .workbooks.universe_book import MAX_ROWS

    demo.add_argument(
        "--engine",
        choices=calc.ENGINES,
        default="auto",
        help="what computes, as for xlfuncs calc: auto (the default: LibreOffice when it is installed), "
        "libreoffice or formulas",
    )
    books = sub.add_parser("workbooks", help="write the template workbooks, computed, into a folder")
    books.add_argument(
        "directory", nargs="?", default="workbooks", type=Path, help="target folder (default: workbooks)"
    )
    books.add_argument(
        "--force",
        action="store_true",
        help="overwrite workbooks that differ from the templates (edited ones)",
    )
    books.add_argument(
        "--for",
        dest="form",
        choices=("classic", "lite", "server"),
        default="classic",
        help="the runtime the workbooks will open in: classic add-in (default), xlwings Lite or xlwings Server",
    )
    books.add_argument(
        "--namespace", default=None, help="--for server: the server's function namespace (default: XLWINGS)"
    )
    books.add_argument(
        "--rows",
        type=int,
        default=None,
        metavar="N",
        help=f"companies in universe_screen (default: 2,000; at most {MAX_ROWS:,})",
    )
    calc.add_arguments(
        sub.add_parser(
            "calc", help="compute every formula of a workbook without Excel and store the values in it"
        )
    )
    from .runtimes import lite

    lite.add_arguments(
        sub.add_parser(
            "lite",
            help="write main.py and requirements.txt for xlwings Lite "
            "(Excel on Mac, the web and Windows without local Python)",
        )
    )
    from .runtimes.libreoffice import command as libreoffice

    libreoffice.add_arguments(
        sub.add_parser(
            "libreoffice",
            help="build xlfuncs.oxt, the add-in for LibreOffice Calc, install/uninstall it (unopkg), "
            "or stop the LibreOffice instances xlfuncs calc keeps loaded",
        )
    )
    from .windows import doctor, install

    install.add_arguments(
        sub.add_parser(
            "install", help="make the functions available in every Excel workbook (Windows desktop Excel)"
        )
    )
    install.add_uninstall_arguments(sub.add_parser("uninstall", help="remove what `xlfuncs install` added"))
    doctor.add_arguments(sub.add_parser("doctor", help="check what the functions need in desktop Excel"))
    sub.add_parser("version", help="print the versions of xlfuncs, xlwings, the runtime and Python")
    args = parser.parse_args(argv)

    if args.command == "demo":
        from .workbooks.demo import main as demo_main

        failures = demo_main(args.directory, engine=args.engine)
        return 2 if failures < 0 else int(failures > 0)
    if args.command == "workbooks":
        from .workbooks.templates import write_all

        try:
            refused = write_all(
                args.directory, args.force, form=args.form, namespace=args.namespace, rows=args.rows
            )
        except ValueError as exc:  # e.g. --rows out of range
            print(f"xlfuncs workbooks: error: {exc}", file=sys.stderr)
            return 2
        return 2 if refused else 0
    if args.command == "calc":
        return calc.run(args.book, args.output, engine=args.engine)
    if args.command == "lite":
        return lite.run(args)
    if args.command == "libreoffice":
        return libreoffice.run(args)
    if args.command == "install":
        return install.run(args)
    if args.command == "uninstall":
        return install.run_uninstall(args)
    if args.command == "doctor" and args.workbook is not None:
        from .workbooks.forms import doctor_lines

        if not args.workbook.is_file():
            print(f"xlfuncs: error: --workbook {args.workbook}: no such file", file=sys.stderr)
            return 2
        lines, failed = doctor_lines(args.workbook, install.ExcelHost() if sys.platform == "win32" else None)
        print("\n".join(lines))
        return int(failed)
    if args.command == "doctor":
        return doctor.run(args)
    from .functions.versions import version_info

    for key, value in version_info().items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

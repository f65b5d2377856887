"""xlfuncs: company and crypto size and valuation metrics for Excel and Python."""

from __future__ import annotations

import gc
import os
import sys

#: Every subcommand: its name, the module that holds its arguments (``add_arguments(parser)``)
#: and its code (``run(args) -> int``, the exit code), and its line in ``xlfuncs --help``.
#: Only the chosen subcommand's module is imported: start-up time is part of every command.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    (
        "demo",
        "xlfuncs.workbooks.demo_command",
        "build and compute the templates; check every example of both articles",
    ),
    (
        "workbooks",
        "xlfuncs.workbooks.templates_command",
        "write the template workbooks, computed, into a folder",
    ),
    (
        "calc",
        "xlfuncs.calc.command",
        "compute every formula of a workbook without Excel and store the values in it",
    ),
    (
        "lite",
        "xlfuncs.runtimes.lite",
        "write main.py and requirements.txt for xlwings Lite "
        "(Excel on Mac, the web and Windows without local Python)",
    ),
    (
        "libreoffice",
        "xlfuncs.calc.libreoffice.command",
        "build xlfuncs.oxt, the add-in for LibreOffice Calc, install/uninstall it (unopkg), "
        "or stop the LibreOffice instances xlfuncs calc keeps loaded",
    ),
    (
        "install",
        "xlfuncs.windows.install",
        "make the functions available in every Excel workbook (Windows desktop Excel)",
    ),
    ("uninstall", "xlfuncs.windows.uninstall", "remove what `xlfuncs install` added"),
    ("doctor", "xlfuncs.doctor", "check what the functions need in desktop Excel"),
    (
        "version",
        "xlfuncs.functions.versions",
        "print the versions of xlfuncs, xlwings, the runtime and Python",
    ),
    (
        "sql",
        "xlfuncs.sql.command",
        "run SQL over CSV/Parquet files in DuckDB with every per-row function (FDMCAP, EV...)",
    ),
    (
        "filings",
        "xlfuncs.data.commands.filings",
        "a company's inputs from its filings (SEC EDGAR), with dates, links and stale flags",
    ),
    (
        "coin",
        "xlfuncs.data.commands.coin",
        "a coin's price, supplies, FDV and market cap / FDV (CoinGecko)",
    ),
    (
        "company",
        "xlfuncs.workbooks.company_command",
        "a model workbook of one company from its filings: inputs with dates and links, overrides, "
        "FD shares, FD market cap, FD EV, bridge, tranches and checks",
    ),
)


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure is one line on stderr and a non-zero exit code, never a traceback.

    2: unusable input or a refused write (a link, a read-only file, a folder that is a file...);
    1: anything unexpected (``XLFUNCS_DEBUG=1`` shows its traceback); 130: Ctrl+C; a closed
    output pipe (``xlfuncs calc BOOK | head -1``) ends quietly with 141, as the shell's own tools do.
    Run as the program (``argv`` None) it leaves its objects to the end of the process, uncollected.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        _head_start(args)
        return _run(args)
    except KeyboardInterrupt:  # during the head start (the command's own run has its handling)
        print("xlfuncs: interrupted", file=sys.stderr)
        return 130
    finally:
        if argv is None:
            # the process ends next: the collector's last pass over every object the command made (its
            # values, the kernels) would only delay the exit
            gc.freeze()


def _head_start(argv: list[str]) -> None:
    """``xlfuncs calc``: the LibreOffice a run computes with starts before anything else is imported, as
    a cold run waits for it (:mod:`xlfuncs.calc.libreoffice.headstart`).  It is only a head start:
    whatever fails here, the run starts LibreOffice its usual way and reports what fails there.
    """
    if argv[:1] == ["calc"]:
        try:
            from .calc.libreoffice import headstart

            headstart.start(argv[1:])
        except Exception:  # only a head start (see the docstring)
            pass


def _run(argv: list[str]) -> int:
    from .xlsx.writes import WriteRefused

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


def _main(argv: list[str]) -> int:
    import argparse  # here, not on top: xlfuncs calc starts LibreOffice before (_head_start)
    import importlib

    # The top level has no option but --help, so the first word that is not an option names the
    # subcommand; only that one's module is imported to add its arguments.
    chosen = next((word for word in argv if not word.startswith("-")), None)
    parser = argparse.ArgumentParser(prog="xlfuncs", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = {}
    for name, path, help in COMMANDS:
        command = sub.add_parser(name, help=help)
        if name == chosen:
            modules[name] = importlib.import_module(path)
            modules[name].add_arguments(command)
    args = parser.parse_args(argv)
    return int(modules[args.command].run(args))


if __name__ == "__main__":
    sys.exit(main())

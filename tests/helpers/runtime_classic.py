"""Subprocess helper of tests/runtimes/test_classic.py: run xlfuncs.runtimes.excel under xlwings' classic runtime.

Run as a script in a fresh interpreter without ``XLWINGS_ON_SERVER``.  It calls
``classic_harness.install()`` (pywin32 stubbed, the real ``xlwings.udfs`` and
``com_server``), imports ``xlfuncs.runtimes.excel``, runs the real ``import_udfs`` into a
recording fake ``xlfuncs.xlam`` and then every call read from stdin as a JSON list
``{"func_name", "args"}`` through the real ``XLPython.CallUDF``.  In ``args``,
``{"ref": value_or_rows}`` is a cell reference (a fake Excel Range), ``{"date": ISO text}``
a cell holding a date; any other
value is passed as COM would pass it (see ``classic_harness.to_com``: numbers,
text, booleans, ``null`` for an empty cell, the int codes ``MISSING`` and ``ERR``).
Writes one JSON object to stdout::

    {"runtime": {...}, "exports": {NAME: {...}}, "bas": <generated VBA>,
     "macro_options": [[macro, kwargs], ...],
     "calls": [<what VBA receives> or {"raised": "Type: message"}, ...]}

Importing this module does nothing (pytest's --doctest-modules imports it).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULE = "xlfuncs.runtimes.excel"


def main():
    if os.environ.get("XLWINGS_ON_SERVER") or "xlwings" in sys.modules:
        raise SystemExit("run in a fresh interpreter without XLWINGS_ON_SERVER")
    sys.path.insert(0, str(ROOT))
    calls = json.load(sys.stdin)
    with contextlib.redirect_stdout(sys.stderr):  # import_udfs prints; stdout is for JSON
        from tests.helpers import classic_harness as classic
        from tests.helpers.runtime_officejs import exports  # the same record of __xlfunc__ for both runtimes

        classic.install()
        import xlwings
        import xlwings.udfs

        import xlfuncs.runtimes.excel

        bas, macro_options = classic.import_udfs(MODULE, workbook_name="xlfuncs.xlam")

        def arg(value):
            if isinstance(value, dict) and "date" in value:  # {"date": ISO text}: a date cell
                return classic.Ref([[datetime.datetime.fromisoformat(value["date"])]])
            return classic.Ref(value["ref"]) if isinstance(value, dict) else value

        results = []
        for call in calls:
            try:
                results.append(classic.call_udf(MODULE, call["func_name"], *map(arg, call["args"])))
            except Exception as exc:
                results.append({"raised": f"{type(exc).__name__}: {exc}"})
        out = {
            "runtime": {
                "func_module": xlwings.func.__module__,
                "func_is_xlfunc": xlwings.func is xlwings.udfs.xlfunc,
                "arg_module": xlwings.arg.__module__,
            },
            "exports": exports(xlfuncs.runtimes.excel),
            "bas": bas,
            "macro_options": macro_options,
            "calls": results,
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

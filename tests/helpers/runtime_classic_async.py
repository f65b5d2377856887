"""Subprocess helper of tests/runtimes/test_classic.py: a function that fetches under the classic runtime.

Run as a script in a fresh interpreter without ``XLWINGS_ON_SERVER`` (and with
``XLFUNCS_OFFLINE=1`` and an empty ``XLFUNCS_CACHE_DIR``: no request can leave).  Like
``runtime_classic.py`` it runs xlwings' real ``udfs.call_udf`` through the real
``XLPython.CallUDF`` (``classic_harness``), here for a threaded (``async_mode="threading"``)
UDF, whose path that helper does not take:

1. FILING is called from a cell: xlwings answers its placeholder at once and hands the
   function to its worker thread (``udfs.async_thread`` on ``com_server``'s loop);
2. once the worker has stored the result in xlwings' cache and re-entered the cell's
   formula, the same call (Excel recalculating that cell) answers the result;
3. FDMCAP is called with the placeholder as its share count, as Excel passes a nested
   call's answer to the outer function.

Besides pywin32, one xlwings function is replaced: ``udfs.has_dynamic_array`` asks a
running Excel (found by its window) whether it has dynamic arrays; here it says yes.
Writes one JSON object to stdout: ``{"async_modes", "first", "second", "nested",
"formula_written", "worker_thread", "caller_thread", "waited"}``.

Importing this module does nothing (pytest's --doctest-modules imports it).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULE = "xlfuncs.runtimes.excel"
FORMULA = '=FDMCAP(10, FILING("TSLA", "nonsense"))'


def main():
    if os.environ.get("XLWINGS_ON_SERVER") or "xlwings" in sys.modules:
        raise SystemExit("run in a fresh interpreter without XLWINGS_ON_SERVER")
    sys.path.insert(0, str(ROOT))
    with contextlib.redirect_stdout(sys.stderr):  # stdout is for JSON
        from tests.helpers import classic_harness as classic

        classic.install()
        import xlwings.udfs

        xlwings.udfs.has_dynamic_array = lambda pid: True

        import xlfuncs.runtimes.excel

        ran_on = []
        real_call = xlfuncs.runtimes.excel.call

        def recording_call(spec, *args):
            if spec.excel_name == "FILING":
                ran_on.append(threading.current_thread().name)
            return real_call(spec, *args)

        xlfuncs.runtimes.excel.call = recording_call  # the name the worksheet functions call

        workbook = classic.FakeWorkbook()
        caller = classic.Ref(None, row=2, column=2).com(workbook)
        caller.Formula2 = FORMULA
        written = []
        members = object.__getattribute__(caller, "_members")

        class Recording(dict):
            def __setitem__(self, key, value):
                if key == "Formula2":
                    written.append(value)
                super().__setitem__(key, value)

        object.__setattr__(caller, "_members", Recording(members))
        args = ("TSLA", "nonsense", classic.MISSING, classic.MISSING)
        first = classic.call_udf(MODULE, "FILING", *args, workbook=workbook, caller=caller)
        start = time.monotonic()
        while not written and time.monotonic() - start < 30:
            time.sleep(0.01)
        waited = time.monotonic() - start
        second = classic.call_udf(MODULE, "FILING", *args, workbook=workbook, caller=caller)
        missing = (classic.MISSING,) * 6
        nested = classic.call_udf(MODULE, "FDMCAP", 10.0, first, *missing, workbook=workbook)
        out = {
            "async_modes": {
                name: getattr(xlfuncs.runtimes.excel, name).__xlfunc__["async_mode"]
                for name in xlfuncs.runtimes.excel.__all__
            },
            "first": first,
            "second": second,
            "nested": nested,
            "formula_written": written,
            "worker_thread": ran_on,
            "caller_thread": threading.current_thread().name,
            "waited": waited,
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

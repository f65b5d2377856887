"""The worksheet functions, registered through xlwings for every runtime.

Each function in :data:`xlfuncs.REGISTRY` becomes one module attribute named
after its Excel name, carrying a generated signature, the Function Wizard
texts and ``@xw.func``/``@xw.arg`` registration.  Which xlwings runtime
registers them is decided when xlwings is imported: the classic COM add-in on
Windows, Office.js (xlwings Lite / Server) with ``XLWINGS_ON_SERVER=true``.
On plain Linux or macOS xlwings' decorators do nothing, so this module imports
but registers nothing; see ``xlfuncs doctor``.

This module holds only registration; the worksheet semantics (ranges,
broadcasting, error values) live in :mod:`xlfuncs.framework.sheet`.

The functions that fetch (:func:`.fetching.fetches`) are classic
``async_mode="threading"`` UDFs: Excel gets the text ``#N/A waiting...`` at once, a
worker thread fetches, and xlwings then re-enters the calling cell's formula, which finds
the answer in xlwings' cache, so a slow source never freezes Excel.  That placeholder is
text, so a function around it (``=FDMCAP(B1, FILING(A1,"shares"))``) answers ``#VALUE!``
until the figure is there, never a number.  On Office.js xlwings Server runs them on
worker threads (:mod:`.server`).
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from datetime import datetime, timedelta
from typing import Any

import xlwings as xw

from ..framework.errors import ERROR_CODE
from ..framework.sheet import call
from ..framework.spec import FunctionSpec
from ..functions import REGISTRY
from .fetching import fetches

CATEGORY = "xlfuncs"
OFFICE_JS = xw.func.__module__ == "xlwings.pro.udfs_officejs"
#: How arguments reach :func:`xlfuncs.framework.sheet.call`.  Office.js: the matrices exactly as
#: Excel sends them ("raw"; xlwings' per-cell cleaning would cost more than our whole
#: computation, and xlfuncs.framework.values reads Office.js error objects itself).  Classic: 2-D
#: lists with error cells as their text, which only xlwings can decode from COM.
ARG_OPTIONS = {"convert": "raw"} if OFFICE_JS else {"ndim": 2, "err_to_str": True}


class OfficeJsCells(xw.conversion.Converter):
    """Office.js results: our cells as they are, error text as Excel error objects.

    xlfuncs.framework.sheet already returns clean cells (Python floats, labels, error text), so
    xlwings' generic per-cell clean-up (NaN, dates, pandas and numpy types; most of the time
    of a large call) is skipped; error text still goes through
    xlwings' own mapping, which depends on the Office.js runtime version.
    """

    base_type = "raw"  # type: ignore[assignment]  # xlwings declares None; a converter names its base

    @staticmethod
    def write_value(cells, options):
        from xlwings.pro._xlofficejs import errorstr_to_errortype

        runtime = options["runtime"]
        return [
            [errorstr_to_errortype(v, runtime) if type(v) is str and v in ERROR_CODE else v for v in row]
            for row in cells
        ]


RET_OPTIONS = {"convert": OfficeJsCells} if OFFICE_JS else {}
#: How classic Excel calls a function that fetches: off its calculation thread.
FETCH_OPTIONS: dict[str, Any] = {} if OFFICE_JS else {"async_mode": "threading"}


def _remember_no_pyodide() -> None:
    """Make xlwings' per-cell ``from pyodide.ffi import JsNull`` fail at once outside Pyodide.

    xlwings 0.37 (``utils.is_jsnull``) tries that import for every input cell of an
    Office.js call; without Pyodide each failed import searches ``sys.path`` again, for
    every cell (bench/bench.py measures it).  ``None`` in ``sys.modules`` is Python's own
    record of a module that is not there.  Under Pyodide (xlwings Lite) nothing changes.
    """
    if sys.platform != "emscripten" and importlib.util.find_spec("pyodide") is None:
        sys.modules.setdefault("pyodide", None)  # type: ignore[arg-type]  # None: Python's mark of a missing module


#: Excel's newer error values as pywin32 delivers them to the classic runtime: the int
#: 0x800A0000 + the XlCVError number (Microsoft's ``XlCVError`` enumeration), in Python's
#: signed form.  xlwings' ``err_to_str`` turns only the seven older ones into text.
COM_ERRORS = {
    -2146828288 + number: text
    for number, text in (
        (2043, "#GETTING_DATA"),
        (2045, "#SPILL!"),
        (2046, "#CONNECT!"),
        (2047, "#BLOCKED!"),
        (2048, "#UNKNOWN!"),
        (2049, "#FIELD!"),
        (2050, "#CALC!"),
    )
}
_OLE_EPOCH = datetime(1899, 12, 30)  # day 0 of the COM date a date cell arrives as


def _classic_cell(value: object) -> object:
    """A classic cell as Office.js would send it: a date as its serial number, an error as text."""
    if type(value) is int:  # numbers arrive as floats; an int is an error code
        return COM_ERRORS.get(value, value)
    if isinstance(value, datetime):
        return (value.replace(tzinfo=None) - _OLE_EPOCH) / timedelta(days=1)
    return value


def _classic_arg(raw: object) -> object:
    """A classic argument (rows of cells, ``ndim=2``) through :func:`_classic_cell`."""
    if isinstance(raw, list):
        return [
            [_classic_cell(c) for c in row] if isinstance(row, list) else _classic_cell(row) for row in raw
        ]
    return _classic_cell(raw)


def _worksheet_function(spec: FunctionSpec):
    if OFFICE_JS:

        def function(*args):
            return call(spec, *args)

    else:

        def function(*args):
            return call(spec, *map(_classic_arg, args))

    function.__name__ = function.__qualname__ = spec.excel_name
    function.__doc__ = spec.summary
    function.__module__ = __name__
    function.__signature__ = inspect.Signature(  # type: ignore[attr-defined]  # read by inspect.signature
        [
            inspect.Parameter(
                a.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=inspect.Parameter.empty if a.required else a.default,
            )
            for a in spec.args
        ]
    )
    for arg in spec.args:
        function = xw.arg(arg.name, doc=arg.doc, **ARG_OPTIONS)(function)
    function = xw.ret(**RET_OPTIONS)(function)
    return xw.func(category=CATEGORY, **(FETCH_OPTIONS if fetches(spec) else {}))(function)


_remember_no_pyodide()
for _spec in REGISTRY.values():
    globals()[_spec.excel_name] = _worksheet_function(_spec)

__all__ = list(REGISTRY)

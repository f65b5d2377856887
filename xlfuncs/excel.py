"""The worksheet functions, registered through xlwings for every runtime.

Each function in :data:`xlfuncs.REGISTRY` becomes one module attribute named
after its Excel name, carrying a generated signature, the Function Wizard
texts and ``@xw.func``/``@xw.arg`` registration.  Which xlwings runtime
registers them is decided when xlwings is imported: the classic COM add-in on
Windows, Office.js (xlwings Lite / Server) with ``XLWINGS_ON_SERVER=true``.
On plain Linux or macOS xlwings' decorators do nothing, so this module imports
but registers nothing; see ``xlfuncs doctor``.

This module holds only registration; the worksheet semantics (ranges,
broadcasting, error values) live in :mod:`xlfuncs.sheet`.
"""

from __future__ import annotations

import inspect

import xlwings as xw

from . import REGISTRY
from .sheet import call
from .spec import FunctionSpec

CATEGORY = "xlfuncs"
#: Every argument arrives as a 2-D list, error cells as their text ("#N/A").
ARG_OPTIONS = {"ndim": 2, "err_to_str": True}


def _worksheet_function(spec: FunctionSpec):
    def function(*args):
        return call(spec, *args)

    function.__name__ = function.__qualname__ = spec.excel_name
    function.__doc__ = spec.summary
    function.__module__ = __name__
    function.__signature__ = inspect.Signature([
        inspect.Parameter(a.name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          default=inspect.Parameter.empty if a.required else a.default)
        for a in spec.args
    ])
    for arg in spec.args:
        function = xw.arg(arg.name, doc=arg.doc, **ARG_OPTIONS)(function)
    return xw.func(category=CATEGORY)(function)


for _spec in REGISTRY.values():
    globals()[_spec.excel_name] = _worksheet_function(_spec)

__all__ = list(REGISTRY)

"""Our functions inside the ``formulas`` Excel engine (computing workbooks without Excel).

:func:`register` puts every function of :data:`xlfuncs.REGISTRY` into the
``formulas`` package's function table, wrapped so that each receives whole
ranges and goes through the same worksheet layer (:mod:`xlfuncs.framework.sheet`) as in
Excel.  Register before loading a workbook; an unregistered name gives
``#NAME?`` exactly as in Excel.
"""

from __future__ import annotations

import numpy as np

from ..framework.errors import ERROR_CODE
from ..framework.sheet import call
from ..functions import REGISTRY


def _cell_in(v):
    """A formulas cell value as xlwings would deliver it."""
    from formulas.tokens.operand import XlError

    if isinstance(v, XlError):
        return str(v)
    if v is None or type(v).__name__ == "Token" or v == "":  # schedula's EMPTY token
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def _grid_in(arg):
    if isinstance(arg, np.ndarray):
        return [[_cell_in(v) for v in row] for row in np.atleast_2d(arg).tolist()]
    return _cell_in(arg)


def _wrap(spec):
    from formulas.functions import Array
    from formulas.tokens.operand import Error

    def function(*args):
        cells = call(spec, *(_grid_in(a) for a in args))
        out = np.array(
            [
                [Error.errors[v] if isinstance(v, str) and v in ERROR_CODE else v for v in row]
                for row in cells
            ],
            object,
        )
        return out.view(Array)

    return function


def register() -> None:
    """Make every xlfuncs function known to ``formulas`` (idempotent)."""
    import formulas
    from formulas.functions import wrap_func

    table = formulas.get_functions()
    for spec in REGISTRY.values():
        table[spec.excel_name] = wrap_func(_wrap(spec))

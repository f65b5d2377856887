"""Worksheet semantics for every registered function, without any Excel import.

Inputs arrive as xlwings delivers them (scalars, 2-D lists, ``None`` for empty
cells, ``"#N/A"`` for error cells); the result is always a 2-D list of numbers,
labels and Excel error strings.  Broadcasting follows Excel's own operators: a
1×1, 1×n or n×1 range is expanded, and positions past the end of a shorter
range are ``#N/A``.  Per element the first error in argument order wins, as in
``=A1+B1``.  Nothing here raises: an unexpected failure becomes ``#VALUE!``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import ERROR_CODE, ERROR_TEXT, NA, NUM, OK, VALUE, InputError
from .spec import FunctionSpec, read_arg
from .values import CODE_DTYPE, Codes, Ragged

if TYPE_CHECKING:
    import numpy.typing as npt

#: The cells a worksheet function returns: numbers, labels, booleans and Excel error text.
Cells = list[list[Any]]
Objects = np.ndarray[Any, np.dtype[np.object_]]

_ERROR_CELLS = np.array([None] + [ERROR_TEXT.get(c) for c in range(1, max(ERROR_TEXT) + 1)], object)


def call(spec: FunctionSpec, *args: Any) -> Cells:
    """Compute ``spec`` for worksheet arguments; returns the cells to spill."""
    try:
        return _call(spec, args)
    except Ragged:
        return [[ERROR_TEXT[VALUE]]]
    except Exception:  # a bug must not put a traceback into a cell
        import logging  # here: Calc's add-in imports this module while LibreOffice starts

        logging.getLogger(__name__).exception("xlfuncs: %s failed", spec.excel_name)
        return [[ERROR_TEXT[VALUE]]]


def to_grid(raw: Any) -> Objects:
    """A worksheet argument as a 2-D object array (a scalar is 1×1, a list one row)."""
    if isinstance(raw, np.ndarray):
        raw = raw.tolist()
    if not isinstance(raw, (list, tuple)):
        grid = np.empty((1, 1), object)
        grid[0, 0] = raw
        return grid
    try:
        grid = np.array(raw or [None], dtype=object)
    except ValueError:
        raise Ragged("rows of different lengths") from None
    if grid.ndim == 1:  # one row of cells, or rows of different lengths (an array of lists)
        grid = grid.reshape(1, -1)
    if grid.ndim != 2 or not grid.size:
        raise Ragged("not a range of cells")
    return grid


def _blank(raw: Any) -> bool:
    """An omitted argument or a single empty cell (classic xlwings sends ``[[None]]``)."""
    while isinstance(raw, (list, tuple)) and len(raw) == 1:
        raw = raw[0]
    return raw is None


def _expand(a: npt.NDArray[Any], shape: tuple[int, int], fill: float) -> npt.NDArray[Any]:
    """Excel's range expansion: size-1 dimensions repeat, short ones pad with ``fill``."""
    if a.shape == shape:
        return a
    rows, cols = (n if m == 1 else m for m, n in zip(a.shape, shape, strict=True))
    out = np.full(shape, fill, a.dtype)
    out[:rows, :cols] = np.broadcast_to(a, (rows, cols))
    return out


def _call(spec: FunctionSpec, args: tuple[Any, ...]) -> Cells:
    if len(args) > len(spec.args):
        return [[ERROR_TEXT[VALUE]]]
    args = tuple(args) + (None,) * (len(spec.args) - len(args))  # omitted arguments
    inputs: dict[str, npt.NDArray[Any]] = {}
    arg_codes: list[Codes] = []
    for arg, raw in zip(spec.args, args, strict=True):
        if not arg.required and _blank(raw):
            raw = arg.default
        if arg.table:
            values, codes = read_arg(arg, None if raw is None else to_grid(raw).ravel())
            bad = codes[codes != OK] if codes is not None else np.zeros(0, CODE_DTYPE)
            arg_codes.append(np.array([[bad[0] if bad.size else OK]], CODE_DTYPE))
        else:
            values, codes = arg.rule.read(to_grid(raw))
            arg_codes.append(np.zeros(values.shape, CODE_DTYPE) if codes is None else codes)
        inputs[arg.name] = values
    grids = [inputs[a.name] for a in spec.broadcast_args] or [np.zeros((1, 1))]
    shape = (max(g.shape[0] for g in grids), max(g.shape[1] for g in grids))
    for arg in spec.broadcast_args:
        inputs[arg.name] = _expand(inputs[arg.name], shape, np.nan)
    codes = np.zeros(shape, CODE_DTYPE)
    for c in arg_codes:
        codes = np.where(codes == OK, _expand(c, shape, NA) if c.shape != (1, 1) else c, codes)
    result = None
    if (codes == OK).any():
        with np.errstate(all="ignore"):
            for check in spec.checks:
                codes = np.where((codes == OK) & check.test(**inputs), check.code, codes)
            try:
                result = spec.kernel(**inputs)
            except InputError as exc:  # the arguments as a whole are unusable
                codes = np.where(codes == OK, ERROR_CODE[exc.excel_error], codes)
    return _CELLS[spec.result](spec, result, codes)


def _numbers(values: npt.ArrayLike, codes: Codes, nan_text: str | None) -> Objects:
    values = np.asarray(values, np.float64)
    cells = values.astype(object)
    cells[np.isnan(values)] = nan_text or ERROR_TEXT[NUM]
    cells[np.isinf(values)] = ERROR_TEXT[NUM]
    return _with_errors(cells, codes)


def _with_errors(cells: Objects, codes: Codes) -> Objects:
    bad = codes != OK
    cells[bad] = _ERROR_CELLS[codes[bad]]
    return cells


def _rows(cells: Objects) -> Cells:
    rows: Cells = cells.tolist()
    return rows


def _number_cells(spec: FunctionSpec, result: Any, codes: Codes) -> Cells:
    if result is None:
        return _rows(_with_errors(np.empty(codes.shape, object), codes))
    return _rows(_numbers(np.broadcast_to(result, codes.shape), codes, spec.nan_result))


def _label_cells(spec: FunctionSpec, result: Any, codes: Codes) -> Cells:
    cells = np.empty(codes.shape, object) if result is None else np.asarray(result, object).copy()
    cells[cells == None] = ERROR_TEXT[NA]  # noqa: E711 (element-wise)
    return _rows(_with_errors(cells, codes))


def _table_cells(spec: FunctionSpec, result: Any, codes: Codes) -> Cells:
    """A label column and one value column per broadcast element."""
    flat = codes.ravel()
    if result is None:
        return [[ERROR_TEXT[flat[0]]]]
    return [
        [label, *_numbers(np.broadcast_to(v, codes.shape).ravel(), flat, None).tolist()]
        for label, v in result.items()
    ]


def _schedule_cells(spec: FunctionSpec, result: Any, codes: Codes) -> Cells:
    """A header row of column names, then one row per table row (booleans as TRUE/FALSE, objects as they are)."""
    if result is None or (codes != OK).any():
        return [[ERROR_TEXT[codes[codes != OK][0]]]]
    columns = []
    for values in result.values():
        values = np.asarray(values)
        ok = np.zeros(values.shape, CODE_DTYPE)
        columns.append(values.astype(object) if values.dtype.kind in "bO" else _numbers(values, ok, None))
    header = [name.replace("_", " ") for name in result]
    return [header, *(list(row) for row in zip(*(c.tolist() for c in columns), strict=True))]


def _text_cells(spec: FunctionSpec, result: Any, codes: Codes) -> Cells:
    return [[", ".join(f"{k} {v}" for k, v in result.items())]]


_CELLS: dict[str, Callable[[FunctionSpec, Any, Codes], Cells]] = {
    "number": _number_cells,
    "label": _label_cells,
    "table": _table_cells,
    "schedule": _schedule_cells,
    "text": _text_cells,
}

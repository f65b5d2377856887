"""The ``formulas`` engine of ``xlfuncs calc``: the pip-only package ``formulas`` computes every formula.

:func:`register` puts every function of :data:`xlfuncs.REGISTRY` into the ``formulas`` package's
function table, wrapped so that each receives whole ranges and goes through the same worksheet
layer (:mod:`xlfuncs.framework.sheet`) as in Excel; an unregistered name gives ``#NAME?`` exactly
as in Excel.  :func:`compute` loads a workbook into a ``formulas`` model and collects the result of
every formula (ours and Excel's built-ins, including array formulas over a declared range such as
the spilled results XlsxWriter's ``write_dynamic_array_formula`` writes).

Two things ``formulas`` cannot do as Excel would are reported beside the values: a formula it
cannot parse (written as ``#VALUE!``) and a circular reference (written as 0, as Excel shows it).
"""

from __future__ import annotations

import contextlib
import copy
import gc
import logging
import math
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np

from ..framework.errors import ERROR_CODE
from ..framework.sheet import call
from ..functions import REGISTRY
from ..xlsx import refs
from ..xlsx.package import copy_part, read_part, sheet_parts
from ..xlsx.sheet import count_cells, count_formulas, data_tables, without_data_tables, without_merges
from .formulas_excel import final_operation, install
from .results import (
    APOSTROPHE,
    CIRCULAR,
    DATA_TABLE,
    TOO_LARGE,
    UNCOMPUTED,
    UNPARSED,
    CalcInputError,
    ExcelError,
    Problems,
    Values,
    one_line,
)

__all__ = ["MAX_CELLS", "MAX_FORMULA_CELLS", "compute", "register"]

logger = logging.getLogger(__name__)

#: Formula cells this engine takes on: per-row formulas cost it about 2 ms a cell and a few kB of
#: memory each, so 50,000 is a couple of minutes; a larger book is refused up front.
MAX_FORMULA_CELLS = 50_000
#: Cells of any kind this engine takes on by default (each caller may set its own): openpyxl and
#: formulas hold every cell as Python objects, so a 1,000,000-row book of two constants per row and
#: one ``=SUM(A:A)`` ran past 150 s and 7 GB; LibreOffice computes it in about 11 s.
MAX_CELLS = 1_000_000


# --- our functions in formulas' table -------------------------------------------------------


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
    """Make every xlfuncs function known to ``formulas``, and its operators and functions compute as
    Excel does where they did not (:mod:`xlfuncs.calc.formulas_excel`); idempotent.
    """
    import formulas
    from formulas.functions import wrap_func

    install()
    table = formulas.get_functions()
    for spec in REGISTRY.values():
        table[spec.excel_name] = wrap_func(_wrap(spec))


# --- computing a workbook -------------------------------------------------------------


def _plain(v, tokens: type, xl_error: type):
    """One result element as a Python value; errors as :class:`ExcelError`."""
    if isinstance(v, xl_error):
        return ExcelError(v)  # str(XlError) is its text
    if isinstance(v, tokens):  # schedula's EMPTY: a reference to an empty cell shows 0
        return 0
    if hasattr(v, "ranges") and hasattr(v, "value"):  # a reference as an element: its first value
        return _plain(np.asarray(v.value, object).ravel()[0], tokens, xl_error)
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return ExcelError("#NUM!")
    return v


def _model_class():
    """``formulas.ExcelModel`` with four changes that keep its results.

    * Sealed: it opens no workbook but the first.  ``formulas`` would read any other workbook a
      reference or ``INDIRECT`` names, from any path; such a reference is ``#REF!`` instead (the
      references the workbook caches values for were replaced by those values before loading:
      :mod:`xlfuncs.calc.links`).
    * A formula it cannot parse becomes ``#VALUE!`` (and is reported) instead
      of failing the whole workbook.
    * Speed: the placeholder values stored in the cells of an array formula's
      range (XlsxWriter writes a 0 in each) are not compiled, since
      ``formulas`` drops them anyway, and its per-cell "inside an array
      range?" test (range arithmetic, the slowest part of loading a
      2,000-row book) is skipped for cells that are not in any such range.
    * A formula whose last operation is an addition or subtraction gives 0 where Excel does
      (:func:`~xlfuncs.calc.formulas_excel.final_operation`).
    """
    import formulas
    from formulas.cell import Cell

    class Model(formulas.ExcelModel):
        def __init__(self):
            super().__init__()
            self.unparsed, self._arrays = set(), {}

        def add_book(self, book=None, context=None, data_only=False):
            if self.books and isinstance(book, str) and _book_key(book) not in self.books:
                raise LookupError(
                    f"{book}: another workbook; xlfuncs calc reads no workbook but the one given"
                )
            return super().add_book(book, context, data_only)

        def array_cells(self, context) -> set:
            """Coordinates (``"D3"``) of every cell inside an array formula's range on the context's sheet."""
            key = context["excel"], context["sheet"]
            if key not in self._arrays:
                cells = self._arrays[key] = set()
                for ref in self.formula_references(context).values():
                    cells.update(refs.cells(ref))
            return self._arrays[key]

        def compile_cell(self, cell, context, references, formula_references):
            if cell.data_type != "f" and cell.coordinate in self.array_cells(context):
                return Cell(None, None)  # a placeholder value inside an array range: nothing to add
            try:
                return super().compile_cell(cell, context, references, formula_references)
            except Exception as exc:  # e.g. a literal like 1e9, which formulas rejects
                logger.debug("formulas cannot parse %s!%s: %s", context.get("sheet"), cell.coordinate, exc)
                crd = formula_references.get(cell.coordinate, cell.coordinate)
                fallback = self._compile_cell(crd, "=#VALUE!", context, True, references)
                self.unparsed.add(fallback.output)
                return fallback

        @staticmethod
        def _compile_cell(crd, val, context, check_formula, references):
            cell = Cell(crd, val, context=context, check_formula=check_formula)
            if cell.builder is not None:
                final_operation(val, cell.builder)
            return cell.compile(references=references, context=context)

        def add_cell(self, cell, context, formula_ranges):
            if cell.range is None:
                return None
            ref = cell.range.ranges[0]["ref"]
            if ":" not in ref and ref not in self.array_cells(context):
                formula_ranges = ()  # the test could only say "not inside"
            return super().add_cell(cell, context, formula_ranges)

    return Model


def _book_key(name: str) -> str:
    """How ``formulas`` keys a workbook named ``name`` relative to the first one's folder."""
    import os.path

    from formulas.excel import _encode_path

    return str(_encode_path(os.path.normpath(name))).upper()


@contextlib.contextmanager
def _quiet(records: list):
    """No progress bar, warnings or logged tracebacks from ``formulas``/``schedula`` on the console."""
    import functools

    import formulas.excel
    import tqdm  # type: ignore[import-untyped]

    class _Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler, loggers = _Collect(logging.DEBUG), [logging.getLogger(n) for n in ("schedula", "formulas")]
    saved = [lg.propagate for lg in loggers]
    bar = formulas.excel.tqdm
    try:
        for lg in loggers:
            lg.addHandler(handler)
            lg.propagate = False
        formulas.excel.tqdm = type(
            "tqdm", (), {"tqdm": staticmethod(functools.partial(tqdm.tqdm, disable=True))}
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        formulas.excel.tqdm = bar
        for lg, propagate in zip(loggers, saved, strict=True):
            lg.removeHandler(handler)
            lg.propagate = propagate


@contextlib.contextmanager
def _no_gc():
    """Pause the cyclic garbage collector: ``formulas`` creates several objects per cell and the
    collector's repeated passes over them cost about a third of the time on a 2,000-row book.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _filled(shape: tuple[int, int], error: ExcelError) -> np.ndarray:
    """An object array holding ``error`` in every element.  (``np.full`` would store the plain text:
    numpy converts a ``str`` subclass to ``str``, and the error would be written as text.)
    """
    grid = np.empty(shape, object)
    grid.fill(error)
    return grid


@contextlib.contextmanager
def _readable(path: Path):
    """``(path, data tables)``: ``path``, or a temporary copy with the same file name, that ``formulas``
    computes as Excel does as far as it can: without merged ranges (openpyxl empties every merged-over
    cell, formulas included, which Excel still computes) and without the formulas of what-if data
    tables (which ``formulas`` cannot compute: their cells keep Excel's stored values, and the tables
    are listed as ``[(sheet, "B5:B7")]``).
    """
    with zipfile.ZipFile(path) as z:
        changed: dict[str, str] = {}
        tables: list[tuple[str, str]] = []
        for name, part in sheet_parts(z).items():
            data = read_part(z, part)
            if b"mergeCells" in data or b"dataTable" in data:
                xml = data.decode("utf-8")
                tables += [(name, ref) for ref in data_tables(xml)]
                changed[part] = without_data_tables(without_merges(xml))
        if not changed:
            yield path, tables
            return
        with tempfile.TemporaryDirectory(prefix="xlfuncs_calc_") as tmp:
            readable = Path(tmp) / path.name
            with zipfile.ZipFile(readable, "w") as out:
                for info in z.infolist():
                    if info.filename in changed:
                        out.writestr(copy.copy(info), changed[info.filename].encode("utf-8"))
                    else:
                        copy_part(z, info, out)
            yield readable, tables


def compute(path: Path, max_cells: int = MAX_CELLS) -> tuple[Values, Problems]:
    """Values of every formula cell of the workbook at ``path``, ordered by sheet, row, column, and
    the problem cells (see :mod:`xlfuncs.calc.results`).  A workbook of more than ``max_cells``
    cells, or more than :data:`MAX_FORMULA_CELLS` formula cells, is refused up front.
    """
    import schedula as sh
    from formulas.cell import Ref
    from formulas.excel import BOOK, XlCircular
    from formulas.tokens.operand import XlError

    register()  # before loading: an unregistered name is #NAME?
    with zipfile.ZipFile(path) as z:  # a bound on time and memory, stated up front
        formulas_in_book, cells_in_book = count_formulas(z), count_cells(z)
    if cells_in_book > max_cells:
        raise CalcInputError(
            f"{path.name}: {cells_in_book:,} cells, more than the formulas engine takes on (limit "
            f"{max_cells:,}, --max-cells); compute it with --engine libreoffice, or split the workbook"
        )
    if formulas_in_book > MAX_FORMULA_CELLS:
        raise CalcInputError(
            f"{path}: {formulas_in_book:,} formula cells, more than the formulas engine computes "
            f"(limit {MAX_FORMULA_CELLS:,}); {TOO_LARGE}"
        )
    records: list = []
    with _quiet(records), _no_gc():
        model = _model_class()()
        try:
            with _readable(path) as (readable, tables):
                model.loads(str(readable))
        except MemoryError:  # a valid workbook too large for memory is not "unreadable"
            raise CalcInputError(f"{path}: out of memory loading the workbook; {TOO_LARGE}") from None
        except Exception as exc:
            raise CalcInputError(f"{path}: cannot read the workbook ({one_line(exc)})") from exc
        model.finish()
        solution = model.calculate()
        cells = [c for c in model.cells.values() if c.func is not None and not isinstance(c, Ref)]
        if any(c.output not in solution for c in cells):  # circular references are left out
            try:
                model.solve_circular()
                solution = model.calculate()
            except Exception as exc:  # formulas 1.3 raises AttributeError when a gap is not a cycle
                logger.debug("formulas could not solve the circular references: %s", one_line(exc))
    for record in records:
        logger.debug("formulas: %s", record.getMessage().splitlines()[0])

    book = next(iter(model.books.values()))[BOOK]
    order = {name.upper(): (i, name) for i, name in enumerate(book.sheetnames)}
    unparsed = model.unparsed
    na = ExcelError("#N/A")
    found: list[tuple[tuple[int, int, int], str, object]] = []
    where: dict[str, list[tuple[tuple[int, int, int], str]]] = {}
    for c in cells:
        rng = c.range.ranges[0]
        if rng.get("filename", "").upper() != path.name.upper() or rng["sheet"] not in order:
            continue  # a cell of another (linked) workbook
        index, sheet = order[rng["sheet"]]
        r1, r2, n1, n2 = int(rng["r1"]), int(rng["r2"]), rng["n1"], rng["n2"]
        shape = (r2 - r1 + 1, n2 - n1 + 1)
        result = solution.get(c.output)
        problem = UNPARSED if c.output in unparsed else None
        if result is None:
            grid, problem = _filled(shape, ExcelError("#VALUE!")), UNCOMPUTED
        else:
            grid = np.asarray(getattr(result, "value", result), object)
            grid = grid.reshape(1, 1) if grid.ndim == 0 else np.atleast_2d(grid)
            if grid.shape != shape:  # a result of another size than the range: pad with #N/A, as Excel
                padded = _filled(shape, na)
                rows, cols = min(shape[0], grid.shape[0]), min(shape[1], grid.shape[1])
                padded[:rows, :cols] = grid[:rows, :cols]
                grid = padded
        for i, row in enumerate(grid.tolist()):
            for j, v in enumerate(row):
                cell, why = (index, r1 + i, n1 + j), problem
                if isinstance(v, XlCircular):
                    v, why = 0, CIRCULAR
                v = _plain(v, sh.Token, XlError)
                found.append((cell, sheet, v))
                if why is None and "'" in sheet and v == "#REF!":
                    why = APOSTROPHE
                if why:
                    where.setdefault(why, []).append((cell, sheet))
    found.sort(key=lambda x: x[0])
    values = {(sheet, f"{refs.column_letters(col)}{row}"): v for (_, row, col), sheet, v in found}
    problems = {
        why: [(s, f"{refs.column_letters(col)}{row}") for (_, row, col), s in sorted(at)]
        for why, at in where.items()
    }
    if tables:
        problems[DATA_TABLE] = tables
    return values, problems

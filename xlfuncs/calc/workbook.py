"""``xlfuncs calc``: compute a workbook without Excel and store the results in it.

Two engines compute (``--engine``): headless LibreOffice with the xlfuncs add-in
(:func:`xlfuncs.workbooks.libreoffice.compute`; the default when LibreOffice is installed,
``auto``), or the pip-only ``formulas`` package described here.  Either way only the
values are written back into the original file: LibreOffice's own re-saved file is not
shipped, because it would rewrite every part of the package (styles, charts, data
validation, web-extension parts and defined names come back changed or dropped).

The ``formulas`` package computes every formula (ours, registered by
:func:`xlfuncs.workbooks.engine.register`, and Excel's built-ins, including array
formulas over a declared range such as the spilled results XlsxWriter's
``write_dynamic_array_formula`` writes); this module only collects the results
and writes them as the cells' cached values (``<v>``) into the sheet XML,
leaving the formulas, formats and every other part of the file as they were.
Excel still recomputes on open; the cached values are what previews, pandas and
``openpyxl(data_only=True)`` read.

Error values are results, not failures: a cell computes to ``#N/A``,
``#NUM!``, ... as in Excel, and an unknown function gives ``#NAME?``.  Two
things ``formulas`` cannot do as Excel would are reported separately: a
formula it cannot parse (written as ``#VALUE!``) and a circular reference
(written as 0, as Excel shows it).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import gc
import logging
import math
import re
import sys
import time
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

import numpy as np

from . import files, forms, xlsx

__all__ = ["CalcInputError", "ExcelError", "Summary", "calc", "calculate", "main", "run", "write_values"]

logger = logging.getLogger(__name__)

#: Error values a cell can hold (``t="e"`` in the file).
ERRORS = (
    "#NULL!",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#N/A",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
)
#: File types openpyxl (and so ``formulas``) reads.
SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
#: Problems that are limits of ``formulas``, not of the workbook.
UNPARSED = "formula not understood by formulas (written as #VALUE!)"
CIRCULAR = "circular reference (written as 0)"
UNCOMPUTED = "not computed by formulas (written as #VALUE!)"
#: What-if data tables (Data > What-If Analysis > Data Table): neither engine computes them
#: (LibreOffice's MULTIPLE.OPERATIONS misses an input that reaches the formula through other cells).
DATA_TABLE = "not computed (Excel's stored values kept; cells that use them computed from those)"
#: ``--engine`` choices; ``auto`` is LibreOffice when it can run the add-in here, else ``formulas``.
ENGINES = ("auto", "libreoffice", "formulas")
#: Formula cells the formulas engine takes on (issue 11): per-row formulas cost it about
#: 2 ms a cell and a few kB of memory each; 50,000 is a couple of minutes.
MAX_FORMULA_CELLS = 50_000
TOO_LARGE = "write one spilled formula per column instead of one per row, or split the workbook"
APOSTROPHE = "#REF! on a sheet whose name has an apostrophe, which formulas 1.3.4 cannot handle"


class ExcelError(str):
    """An Excel error value (``ExcelError("#N/A") == "#N/A"``), as opposed to text that looks like one."""

    __slots__ = ()

    def __repr__(self):
        return f"ExcelError({str(self)!r})"


class CalcInputError(Exception):
    """The workbook cannot be used: missing, not an .xlsx, unreadable, or the output cannot be written."""


# ---------------------------------------------------------------------------------------------
# Computing
# ---------------------------------------------------------------------------------------------


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
    """``formulas.ExcelModel`` with two changes that keep its results.

    * A formula it cannot parse becomes ``#VALUE!`` (and is reported) instead
      of failing the whole workbook.
    * Speed: the placeholder values stored in the cells of an array formula's
      range (XlsxWriter writes a 0 in each) are not compiled, since
      ``formulas`` drops them anyway, and its per-cell "inside an array
      range?" test (range arithmetic, the slowest part of loading a
      2,000-row book) is skipped for cells that are not in any such range.
    """
    import formulas
    from formulas.cell import Cell

    class Model(formulas.ExcelModel):
        def __init__(self):
            super().__init__()
            self.unparsed, self._arrays = set(), {}

        def array_cells(self, context) -> set:
            """Coordinates (``"D3"``) of every cell inside an array formula's range on the context's sheet."""
            key = context["excel"], context["sheet"]
            if key not in self._arrays:
                cells = self._arrays[key] = set()
                for ref in self.formula_references(context).values():
                    cells.update(xlsx.cells(ref))
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

        def add_cell(self, cell, context, formula_ranges):
            if cell.range is None:
                return None
            ref = cell.range.ranges[0]["ref"]
            if ":" not in ref and ref not in self.array_cells(context):
                formula_ranges = ()  # the test could only say "not inside"
            return super().add_cell(cell, context, formula_ranges)

    return Model


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
    import tempfile

    with zipfile.ZipFile(path) as z:
        changed: dict[str, str] = {}
        tables: list[tuple[str, str]] = []
        for name, part in xlsx.sheet_parts(z).items():
            data = xlsx.read_part(z, part)
            if b"mergeCells" in data or b"dataTable" in data:
                xml = data.decode("utf-8")
                tables += [(name, ref) for ref in xlsx.data_tables(xml)]
                changed[part] = xlsx.without_data_tables(xlsx.without_merges(xml))
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
                        xlsx.copy_part(z, info, out)
            yield readable, tables


def _compute(path: Path):
    """Values of every formula cell, ordered by sheet, row, column, and the problem cells."""
    import schedula as sh
    from formulas.cell import Ref
    from formulas.excel import BOOK, XlCircular
    from formulas.tokens.operand import XlError

    from .engine import register

    register()  # before loading: an unregistered name is #NAME?
    with zipfile.ZipFile(path) as z:  # issue 11: a bound on time and memory, stated up front
        formulas_in_book = xlsx.formula_cells(z)
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
        except MemoryError:  # issue 11: a valid workbook too large for memory is not "unreadable"
            raise CalcInputError(f"{path}: out of memory loading the workbook; {TOO_LARGE}") from None
        except Exception as exc:
            raise CalcInputError(f"{path}: cannot read the workbook ({_one_line(exc)})") from exc
        model.finish()
        solution = model.calculate()
        cells = [c for c in model.cells.values() if c.func is not None and not isinstance(c, Ref)]
        if any(c.output not in solution for c in cells):  # circular references are left out
            try:
                model.solve_circular()
                solution = model.calculate()
            except Exception as exc:  # formulas 1.3 raises AttributeError when a gap is not a cycle
                logger.debug("formulas could not solve the circular references: %s", _one_line(exc))
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
    values = {(sheet, f"{xlsx.column_letters(col)}{row}"): v for (_, row, col), sheet, v in found}
    problems = {
        why: [(s, f"{xlsx.column_letters(col)}{row}") for (_, row, col), s in sorted(at)]
        for why, at in where.items()
    }
    if tables:
        problems[DATA_TABLE] = tables
    return values, problems


def engine_for(engine: str = "auto") -> str:
    """The engine ``engine`` stands for (``auto``: LibreOffice when it can run the add-in here)."""
    from . import libreoffice

    if engine not in ENGINES:
        raise CalcInputError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if engine == "auto":
        engine = "libreoffice" if libreoffice.engine_available() else "formulas"
    elif engine == "libreoffice" and not libreoffice.engine_available():
        raise CalcInputError(
            "the LibreOffice engine needs LibreOffice with its Python bridge and, to build the add-in, "
            "unoidl-write (Debian: apt-get install libreoffice-calc python3-uno "
            "libreoffice-script-provider-python python3-numpy libreoffice-dev); or use --engine formulas"
        )
    if engine == "libreoffice":
        try:
            libreoffice.instances.keep_seconds()
        except ValueError as exc:
            raise CalcInputError(str(exc)) from None
    return engine


def _compute_with(path: Path, engine: str):
    """``_compute`` by the chosen engine (``libreoffice`` or ``formulas``)."""
    # issue 9: a workbook stored for xlwings Lite/Server (_xldudf_ names) is computed from a plain-name
    # copy with the same file name (xlfuncs.workbooks.forms); the values still go into `path`
    if engine == "libreoffice":
        from . import libreoffice

        try:  # LibreOffice starts (or one kept from an earlier run is taken) while the book is read
            with libreoffice.started() as office_instance, forms.plain_copy(path) as readable:
                return libreoffice.compute(readable, office_instance=office_instance)
        except libreoffice.LibreOfficeError as exc:  # e.g. Calc 25.2 aborts importing some books
            with forms.plain_copy(path) as readable:
                values, problems = _compute(readable)
            problems[f"computed with formulas: LibreOffice failed ({_one_line(exc)[:80]})"] = list(values)
            return values, problems
    with forms.plain_copy(path) as readable:
        return _compute(readable)


def calculate(path, engine: str = "formulas") -> dict[tuple[str, str], object]:
    """Compute every formula of the workbook at ``path`` (engine: see :data:`ENGINES`).

    Returns ``{(sheet name, "A1"): value}`` for every formula cell and every
    cell of each array formula's range, ordered by sheet, row and column.
    Values are ``float``, ``int``, ``str`` or ``bool``; error values are
    :class:`ExcelError` strings (``== "#N/A"``).  Sheet names are the
    workbook's own (not upper-cased).  Raises :class:`CalcInputError` for a
    file that is not a readable workbook.
    """
    return _compute_with(_check_book(path), engine_for(engine))[0]


# ---------------------------------------------------------------------------------------------
# Writing cached values into the file
# ---------------------------------------------------------------------------------------------


_ESCAPE = re.compile(r"[&<>_\x00-\x08\x0b-\x1f\ufffe\uffff]")  # what xlsx.escape_text may change, and more


def _encode(value: object) -> tuple[str | None, str | None]:
    """``(t attribute, <v> text)`` for a value; ``(None, None)`` removes the cached value.

    The types engines return (float, int, str) are told apart by ``type`` first (728,811 values:
    0.21 s, against 0.59 s with the ``isinstance`` checks first).
    """
    if type(value) is float:
        if not math.isfinite(value):
            return "e", "#NUM!"
        return None, str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if type(value) is int:
        return (None, str(value)) if -(2**53) < value < 2**53 else _encode(float(value))
    if type(value) is str:
        return "str", xlsx.escape_text(value) if _ESCAPE.search(value) else value
    if value is None:
        return None, None
    if isinstance(value, ExcelError) or type(value).__name__ == "XlError":
        return "e", str(value)
    if isinstance(value, (bool, np.bool_)):
        return "b", "1" if value else "0"
    if isinstance(value, str):
        return "str", xlsx.escape_text(value)
    if isinstance(value, (int, np.integer)):
        return _encode(int(value))
    return _encode(float(value))  # type: ignore[arg-type]  # (what float() refuses is an error)


_T_ATTR = re.compile(r'\st="[^"]*"')


class _NotInFile(Exception):
    """A cell to write that the one pass did not find (raised at the end of the pass)."""


_ABSENT = object()
#: Characters of ``<sheetData>`` patched at a time, cut after a ``</row>``: the writer thread
#: compresses one piece while the next is patched.
_PIECE = 1 << 20
#: Columns named one by one in the one pass's expression: each costs a test per cell of the sheet
#: (0.2 ms per 100,000 cells); more columns than this are matched by any letters.
_COLUMNS = 64
#: Output bytes a cell may need besides its value text and prefixes (a new ``<c r="XFD1048576" s=".."
#: t="str"><v></v></c>`` in a new row): with the value texts, a bound of the patched part's size.
_CELL_BYTES = 128


class _SheetPatcher:
    """Rewrites the cells of one sheet's XML; everything outside them stays as it was.

    ``cells``: ``{"A1" reference: value}`` (``$`` and lower case allowed).

    Handles the SpreadsheetML Excel, XlsxWriter and openpyxl write (with or
    without a namespace prefix; ``r`` attributes may be omitted).  Cells missing
    from the XML (openpyxl writes only the anchor of an array formula) are
    created with the row's or column's style, as Excel would show them.

    Two ways to the same XML: when every cell to write is in the file with its
    reference as its first attribute, spelt the same (``<c r="G5" ...>``, as
    Excel and XlsxWriter write every cell of a spilled range), one
    regular-expression pass finds the cells by their ``r`` text
    (:meth:`_patch_found`); otherwise the general merge (:meth:`_patch_general`)
    walks rows and cells by number and creates the missing ones.
    """

    def __init__(self, xml: str, cells: dict[str, object]):
        self.cells = cells
        m = re.search(r"<(\w+:)?sheetData\b[^>]*?(/?)>", xml)
        if not m:
            raise ValueError("no <sheetData> in the sheet")
        p = re.escape(m.group(1) or "")
        self.prefix = m.group(1) or ""
        if m.group(2):  # <sheetData/>: opened and closed around the new rows
            self.head, self.body = f"{xml[: m.end() - 2]}>", ""
            self.tail = f"</{self.prefix}sheetData>{xml[m.end() :]}"
        else:
            end = xml.find(f"</{self.prefix}sheetData>", m.end())
            if end < 0:
                raise ValueError("no </sheetData> in the sheet")
            self.head, self.body, self.tail = xml[: m.end()], xml[m.end() : end], xml[end:]
        self.row_re = re.compile(rf"<{p}row\b([^>]*?)(?:/>|>(.*?)</{p}row>)", re.S)
        self.cell_re = re.compile(rf"<{p}c\b([^>]*?)(?:/>|>(.*?)</{p}c>)", re.S)
        # The cells with r first (as Excel, XlsxWriter and openpyxl write them) in the columns written
        # (up to _COLUMNS of them; the other cells then cost no Python call), by their r.  found_re
        # matches what cell_re matches (its [^>]* stops where cell_re's [^>]*? does, before the first >;
        # a / before it makes an empty cell).  Groups: r, the other attributes, then the formula of a
        # cell holding only [<f>] and <v>, or else its content; refs_re: the same with the r group only.
        self.letters, self.rows = xlsx.letters_and_rows(cells)
        columns = "|".join(sorted(self.letters)) or "(?!)"  # (no letters: no cell to find)
        if len(self.letters) > _COLUMNS:
            columns = "[A-Za-z]+"
        cell = (  # {}: where a group opens, "(" or "(?:"
            rf'<{p}c r="((?:{columns})[0-9]+)"{{}}[^>]*)(?:(?<=/)>|>(?:{{}}(?:<{p}f\b[^>]*?(?:/>|>[^<]*</{p}f>))?)'
            rf"<{p}v>[^<]*</{p}v>|{{}}.*?))</{p}c>)"
        )
        self.found_re = re.compile(cell.format("(", "(", "("), re.S)
        self.refs_re = re.compile(cell.format("(?:", "(?:", "(?:"), re.S)
        self.v_re = re.compile(rf"<{p}v\b[^>]*?(?:/>|>.*?</{p}v>)|<{p}is\b[^>]*?(?:/>|>.*?</{p}is>)", re.S)
        self.f_end = re.compile(rf"</{p}f>|<{p}f\b[^>]*?/>")
        self.col_styles = [
            (int(xlsx.attr(a, "min") or 0), int(xlsx.attr(a, "max") or 0), xlsx.attr(a, "style"))
            for a in re.findall(rf"<{p}col\b([^>]*)", xml)
            if xlsx.attr(a, "style")
        ]

    def size_bound(self, size: int) -> int:
        """At least the number of UTF-8 bytes :meth:`pieces` gives for a sheet of ``size`` bytes (for
        the zip entry's ZIP64 choice): what it removes only shrinks it, and a character of text
        written takes at most 7 bytes (``_xHHHH_``).
        """
        text = sum(len(v) for v in self.cells.values() if isinstance(v, str))
        return size + 7 * text + (_CELL_BYTES + 6 * len(self.prefix)) * len(self.cells)

    def patch(self) -> str:
        """The whole patched XML."""
        return "".join(self.pieces(checked=True))

    def pieces(self, checked: bool) -> Iterator[str]:
        """The patched XML in consecutive pieces.

        ``checked``: the cells are looked for first (:meth:`_found`; 0.26 s for 728,811 values) and
        the general merge used when the one pass would miss one.  Otherwise the one pass runs and
        raises :class:`_NotInFile` at its end if it missed one.
        """
        yield self._dimension(self.head)
        cuts = self._cuts()
        if checked and not self.cells.keys() <= self._found(cuts):
            yield self._patch_general(self.body)
        else:
            yield from self._patch_found(cuts)
        yield self.tail

    def _cuts(self) -> list[tuple[int, int]]:
        """Where the pieces of the rows begin and end: after the first ``</row>`` :data:`_PIECE`
        characters on (a cell is never cut).
        """
        body, end, cuts, pos = self.body, f"</{self.prefix}row>", [], 0
        while pos < len(body):
            cut = body.find(end, pos + _PIECE)
            cut = len(body) if cut < 0 else cut + len(end)
            cuts.append((pos, cut))
            pos = cut
        return cuts

    def _found(self, cuts: list[tuple[int, int]]) -> set[str]:
        """The ``r`` of the cells :meth:`_patch_found` finds in these pieces."""
        found: set[str] = set()
        for start, end in cuts:
            found.update(self.refs_re.findall(self.body[start:end]))
        return found

    def _patch_found(self, cuts: list[tuple[int, int]]) -> Iterator[str]:
        """The pieces of the rows patched in one pass each; :class:`_NotInFile` at the end unless
        each cell to write was among :meth:`_found`.

        A cell's ``r`` names it (ECMA-376 requires it to agree with its row's); the first cell
        with that ``r`` is patched, as :meth:`_patch_general` does.
        """
        todo = dict(self.cells)
        pop, cell, content = todo.pop, self._cell, self._content  # (locals: one step less per cell)

        def found(m: re.Match[str]) -> str:
            ref, attrs, formula, body = m.groups()
            value = pop(ref, _ABSENT)
            if value is _ABSENT:  # not to write, or written already (a second cell with the same r)
                return m.group(0)
            if formula is not None:  # <c ...>[<f>...</f>]<v>...</v></c>
                return cell(f' r="{ref}"{attrs}', formula, "", value)
            if body is not None:
                return cell(f' r="{ref}"{attrs}', *content(body), value)
            return cell(f' r="{ref}"{attrs[:-1]}', "", "", value)  # <c .../>

        for start, end in cuts:
            yield self.found_re.sub(found, self.body[start:end])
        if todo:
            raise _NotInFile(next(iter(todo)))

    def _patch_general(self, body: str) -> str:
        by_row: dict[int, dict[int, object]] = {}
        for ref, value in self.cells.items():
            row, col = xlsx.split_ref(ref)
            by_row.setdefault(row, {})[col] = value
        return _merge(body, self.row_re, by_row, self._patch_row, self._new_row)

    def _style(self, row_attrs: str, col: int) -> str | None:
        if xlsx.attr(row_attrs, "customFormat") in ("1", "true"):
            return xlsx.attr(row_attrs, "s")
        return next((s for lo, hi, s in self.col_styles if lo <= col <= hi), None)

    def _patch_row(self, m: re.Match[str], row: int, wanted: dict[int, object]) -> str:
        attrs, body, inserted = m.group(1), m.group(2) or "", []

        def new_cell(col: int, value: object) -> str:
            inserted.append(col)
            return self._cell(f' r="{xlsx.column_letters(col)}{row}"', "", "", value, self._style(attrs, col))

        body = _merge(
            body,
            self.cell_re,
            wanted,
            lambda cm, col, value: self._cell(cm.group(1), *self._content(cm.group(2) or ""), value),
            new_cell,
        )
        if inserted:
            attrs = re.sub(r'\sspans="[^"]*"', "", attrs)  # an optional hint that may now be too narrow
        return f"<{self.prefix}row{attrs}>{body}</{self.prefix}row>"

    def _new_row(self, row: int, wanted: dict[int, object]) -> str:
        cells = "".join(
            self._cell(f' r="{xlsx.column_letters(col)}{row}"', "", "", wanted[col], self._style("", col))
            for col in sorted(wanted)
        )
        return f'<{self.prefix}row r="{row}">{cells}</{self.prefix}row>'

    def _content(self, body: str) -> tuple[str, str]:
        """A cell's content without its cached value (or inline-string constant), cut where the new
        ``<v>`` goes: after the formula (schema order: f, v, is, extLst).
        """
        if "<" in body:
            body = self.v_re.sub("", body)
        end = self.f_end.search(body)
        at = end.end() if end else 0
        return body[:at], body[at:]

    def _cell(self, attrs: str, before: str, after: str, value: object, style: str | None = None) -> str:
        """One ``<c>`` holding ``value`` as its cached value between ``before`` and ``after`` (its
        :meth:`_content`); formula, style, ``cm`` etc. kept.
        """
        t, v = _encode(value)
        if 't="' in attrs:
            attrs = _T_ATTR.sub("", attrs)
        if style is not None:
            attrs += f' s="{style}"'
        if t:
            attrs += f' t="{t}"'
        p = self.prefix
        body = f"{before}<{p}v>{v}</{p}v>{after}" if v is not None else before + after
        return f"<{p}c{attrs}>{body}</{p}c>" if body else f"<{p}c{attrs}/>"

    def _dimension(self, xml: str) -> str:
        """Widen ``<dimension ref>`` to cover the written cells (readers in read-only mode trust it)."""
        m = re.search(rf'(<{re.escape(self.prefix)}dimension\b[^>]*?\bref=")([^"]*)"', xml)
        if not m or not self.rows:
            return xml
        try:
            corners = [xlsx.split_ref(r) for r in m.group(2).split(":")]
            cols = [xlsx.split_ref(f"{letters}1")[1] for letters in self.letters]
        except ValueError:  # not a reference: left as it is (a cell's is refused by _patch_general)
            return xml
        r1, r2 = min([r for r, _ in corners] + self.rows), max([r for r, _ in corners] + self.rows)
        c1, c2 = min([c for _, c in corners] + cols), max([c for _, c in corners] + cols)
        ref = xlsx.column_letters(c1) + str(r1)
        if (r1, c1) != (r2, c2):
            ref += f":{xlsx.column_letters(c2)}{r2}"
        return xml[: m.start(2)] + ref + xml[m.end(2) :]


_R = re.compile(r'(?<![\w:.-])r="([^"]*)"')


def _merge(
    body: str,
    element: re.Pattern[str],
    wanted: dict[int, Any],
    patch: Callable[[re.Match[str], int, Any], str],
    new: Callable[[int, Any], str],
) -> str:
    """Rewrite the elements of ``body`` whose index (``r``) is a key of ``wanted`` and create the missing
    ones in index order.  ``patch(match, index, value)`` and ``new(index, value)`` give the new XML.
    Elements before the next wanted index are copied as one slice; after the last, the rest of the body.
    """
    keys = sorted(wanted)
    out, pos, k, previous, n, last = [], 0, 0, 0, len(keys), 0
    for m in element.finditer(body):
        if k == n:
            break
        last = m.end()
        r = _R.search(m.group(1))
        if r is None:
            index = previous + 1
        else:
            ref = r.group(1)
            index = int(ref) if ref.isdigit() else xlsx.split_ref(ref)[1]
        previous = index
        if keys[k] > index:
            continue
        out.append(body[pos : m.start()])
        while k < n and keys[k] < index:
            out.append(new(keys[k], wanted[keys[k]]))
            k += 1
        if k < n and keys[k] == index:
            out.append(patch(m, index, wanted[index]))
            k += 1
        else:
            out.append(m.group(0))
        pos = m.end()
    if k < n:  # wanted indexes after the last element: created after it
        out.append(body[pos:last])
        out.extend(new(key, wanted[key]) for key in keys[k:])
        pos = last
    out.append(body[pos:])
    return "".join(out)


@contextlib.contextmanager
def _prompt_handover() -> Iterator[None]:
    """A 1 ms GIL switch interval (instead of 5 ms) while :func:`_write_part` runs: the compressing
    thread needs the GIL back three times a piece (CRC, deflate, file write) from a main thread that
    never waits.  The 100,000-row universe book: 2.55 s -> 2.2 s.
    """
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, 0.001))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def _write_part(zout: zipfile.ZipFile, info: zipfile.ZipInfo, pieces: Iterable[str], size_bound: int) -> None:
    """Write the patched sheet as the member ``info`` (same name, date, compression).

    Each piece is compressed in a second thread while the next one is patched: zlib and the CRC
    release the GIL (the 100,000-row universe book: 1.2 s of compression beside the 1.9 s the
    main thread spends on its 728,811 values; 2.2 s in all).
    """
    member = copy.copy(info)
    member.file_size = size_bound  # zipfile reserves ZIP64 fields only for a part that may need them
    with _prompt_handover(), zout.open(member, "w") as part, ThreadPoolExecutor(1) as writer:
        pending: deque[Future[int]] = deque()
        for piece in pieces:
            pending.append(writer.submit(part.write, piece.encode("utf-8")))
            if len(pending) > 2:  # at most three pieces held
                pending.popleft().result()
        for done in pending:
            done.result()


def _by_part(
    values: dict[tuple[str, str], object], parts: dict[str, str], book: str
) -> dict[str, dict[str, object]]:
    """``{sheet part: {reference: value}}``; sheet names match case-insensitively.

    Each run of values of one sheet is taken with ``zip`` and ``dict.update`` (728,811 values:
    0.19 s, against 0.68 s for a loop calling :func:`xlsx.split_ref` on each).
    """
    lower = {name.lower(): part for name, part in parts.items()}
    sheets, refs = list(map(itemgetter(0), values)), list(map(itemgetter(1), values))
    cells, start = list(values.values()), 0
    todo: dict[str, dict[str, object]] = {}
    for sheet, run in groupby(sheets):
        end = start + len(list(run))
        part = parts.get(sheet) or lower.get(sheet.lower())
        if part is None:
            raise KeyError(f"no sheet named {sheet!r} in {book}")
        todo.setdefault(part, {}).update(zip(refs[start:end], cells[start:end], strict=True))
        start = end
    return todo


def write_values(src: str | Path, dst: str | Path, values: dict[tuple[str, str], object]) -> None:
    """Store ``values`` (``{(sheet name, "A1"): value}``) as cached values of the workbook ``src`` in ``dst``.

    Numbers are written without ``t``, text as ``t="str"``, booleans as
    ``t="b"``, :class:`ExcelError` values (and ``formulas`` XlError) as
    ``t="e"``; NaN and infinities become ``#NUM!``; ``None`` removes the
    cached value.  Formulas and the cells' other attributes (``s``, ``cm``,
    the ``ref`` of array formulas) are kept; cells not in the file are created.
    Every zip member other than the patched sheets is copied unchanged (same
    bytes, name, date, compression, order).  ``dst`` may be ``src``: the new
    file is written beside it and then replaces it.  Sheet names match
    case-insensitively, as in Excel.
    """
    src, dst = Path(src), Path(dst)
    with zipfile.ZipFile(src) as zin:
        parts = xlsx.sheet_parts(zin)
        todo = _by_part(values, parts, src.name)
        # issue 11: files.replacing refuses links, read-only and hard-linked targets, removes its
        # temporary file on failure, SIGINT and SIGTERM; parts not patched are streamed (xlsx.copy_part).
        with files.replacing(dst, mode_from=src) as raw:
            try:
                _write_book(zin, raw, todo, checked=False)
            except _NotInFile:  # a cell not in the file (openpyxl writes only an array's anchor): again
                raw.seek(0)
                raw.truncate()
                _write_book(zin, raw, todo, checked=True)


def _write_book(
    zin: zipfile.ZipFile, raw: IO[bytes], todo: dict[str, dict[str, object]], checked: bool
) -> None:
    """The new package: ``zin``'s parts, the sheets of ``todo`` patched (``checked``: see
    :meth:`_SheetPatcher.pieces`).
    """
    with zipfile.ZipFile(raw, "w") as zout:
        zout.comment = zin.comment
        for info in zin.infolist():
            if info.filename not in todo:
                xlsx.copy_part(zin, info, zout)
                continue
            xml = xlsx.read_part(zin, info.filename).decode("utf-8")
            patcher, xml = _SheetPatcher(xml, todo[info.filename]), ""  # (its text, held once)
            _write_part(zout, info, patcher.pieces(checked), patcher.size_bound(info.file_size))


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------


@dataclass
class Summary:
    """What ``calc`` did: cells computed, error values found (with example cells), time taken."""

    source: Path
    output: Path
    cells: int  #: formula cells written; every cell of an array formula's range counts
    seconds: float
    errors: Counter = field(default_factory=Counter)  #: error value -> number of cells holding it
    examples: dict[str, list[str]] = field(default_factory=dict)  #: error value -> up to 5 cells ("Sheet!A1")
    problems: dict[str, list[str]] = field(default_factory=dict)  #: limits of formulas -> all cells concerned
    engine: str = "formulas"  #: the engine that computed: "libreoffice" or "formulas"

    def lines(self) -> list[str]:
        where = "in place" if self.output == self.source else f"-> {self.output}"
        out = [
            f"{self.source.name}: computed {self.cells:,} formula cells in {self.seconds:.2f} s "
            f"with {self.engine}, values written {where}"
        ]
        if not self.errors:
            out.append("no error values")
        for error, n in sorted(self.errors.items(), key=lambda e: (-e[1], e[0])):
            more = ", ..." if n > len(self.examples[error]) else ""
            out.append(f"{error} {n:,} cell{'s' * (n != 1)}: {', '.join(self.examples[error])}{more}")
        for problem, cells in self.problems.items():
            unit, shown = ("what-if data table", len(cells)) if problem == DATA_TABLE else ("cell", 5)
            more = ", ..." if len(cells) > shown else ""
            out.append(
                f"warning: {len(cells):,} {unit}{'s' * (len(cells) != 1)} {problem}: "
                f"{', '.join(cells[:shown])}{more}"
            )
        return out

    def __str__(self):
        return "\n".join(self.lines())


def _a1(sheet: str, ref: str) -> str:
    """``Sheet!A1``, with the sheet name quoted as Excel does when it needs it."""
    if not re.fullmatch(r"[A-Za-z_][\w.]*", sheet) or xlsx.REF.fullmatch(sheet):
        sheet = "'" + sheet.replace("'", "''") + "'"
    return f"{sheet}!{ref}"


def _one_line(exc: BaseException) -> str:
    text = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _check_book(path) -> Path:
    path = Path(path)
    if not path.exists():
        raise CalcInputError(f"{path}: no such file")
    if not path.is_file():
        raise CalcInputError(f"{path}: not a file")
    if path.suffix.lower() not in SUFFIXES:
        raise CalcInputError(f"{path}: not an Excel workbook (expected {', '.join(SUFFIXES)})")
    try:
        with zipfile.ZipFile(path) as z:
            xlsx.check_package(z)  # issue 11: inflate limits, no DOCTYPE (xlsx.py)
            xlsx.sheet_parts(z)
    except xlsx.PackageError as exc:
        raise CalcInputError(f"{path}: {exc}") from None
    except (*xlsx.ZIP_ERRORS, KeyError, ET.ParseError, OSError, StopIteration):
        raise CalcInputError(
            f"{path}: not an .xlsx workbook (an .xls, an encrypted workbook or another file renamed?)"
        ) from None
    return path


def calc(path, out=None, engine: str = "formulas") -> Summary:
    """Compute every formula of the workbook ``path`` and store the values as cached values.

    ``engine``: ``"formulas"`` (the default here, so that the template builder's output does not
    depend on what is installed), ``"libreoffice"`` or ``"auto"`` (the command line's default).

    Writes to ``out``, or back into ``path`` when ``out`` is None (the
    formulas and everything else are kept, so this is safe to repeat).
    Raises :class:`CalcInputError` for unusable input.
    """
    start = time.perf_counter()
    src = _check_book(path)
    dst = src if out is None else Path(out)
    if dst.is_dir():
        raise CalcInputError(f"{dst}: is a folder; give the output file name")
    try:
        files.check_target(dst)  # issue 11: a link, read-only or hard-linked file: refused before computing
    except files.WriteRefused as exc:
        raise CalcInputError(str(exc)) from None
    used = engine_for(engine)
    values, problems = _compute_with(src, used)
    try:
        write_values(src, dst, values)
    except files.WriteRefused as exc:
        raise CalcInputError(str(exc)) from None
    except OSError as exc:
        raise CalcInputError(f"{dst}: cannot write ({exc.strerror or exc})") from exc
    errors: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for (sheet, ref), v in values.items():
        if isinstance(v, ExcelError):
            errors[v] += 1
            if len(examples.setdefault(v, [])) < 5:
                examples[v].append(_a1(sheet, ref))
    return Summary(
        source=src,
        output=dst,
        cells=len(values),
        seconds=time.perf_counter() - start,
        errors=Counter({str(k): n for k, n in errors.items()}),
        examples={str(k): v for k, v in examples.items()},
        problems={p: [_a1(s, r) for s, r in cells] for p, cells in problems.items()},
        engine=used,
    )


def run(book, out=None, *, engine: str = "auto", echo=print) -> int:
    """``xlfuncs calc BOOK [-o OUT]``: compute, write, print the summary; returns the exit code.

    0 when the workbook was computed (error values in cells are results, not
    failures), 2 for unusable input (one line on ``echo``, no traceback), 1 if
    computing failed unexpectedly.
    """
    try:
        summary = calc(book, out, engine)
    except CalcInputError as exc:
        echo(f"xlfuncs calc: error: {exc}")
        return 2
    except Exception as exc:  # a bug must not show a traceback; the log has the details
        logger.debug("xlfuncs calc failed", exc_info=True)
        echo(f"xlfuncs calc: failed to compute {book}: {_one_line(exc)}")
        return 1
    for line in summary.lines():
        echo(line)
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The ``calc`` command's arguments (``book``, ``-o/--output``)."""
    parser.add_argument("book", help="the workbook (.xlsx) to compute")
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT.xlsx",
        help="write the computed workbook here (default: update BOOK in place)",
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="what computes: headless LibreOffice with the xlfuncs add-in, or the formulas package "
        "(pip only); auto (the default): LibreOffice when it is installed",
    )
    return parser


def main(argv: list[str] | None = None, *, echo=print) -> int:
    """Entry point: ``main(["BOOK.xlsx", "-o", "OUT.xlsx"])`` returns the exit code."""
    parser = add_arguments(
        argparse.ArgumentParser(
            prog="xlfuncs calc",
            description="Compute every formula of a workbook without Excel (with LibreOffice "
            "or the formulas package) and store the results as the cells' cached values.",
        )
    )
    args = parser.parse_args(argv)
    return run(args.book, args.output, engine=args.engine, echo=echo)


if __name__ == "__main__":
    import sys

    sys.exit(main())

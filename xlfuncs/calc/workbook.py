"""A workbook through ``xlfuncs calc``, from file to file.

:func:`calc` takes one way through the package:

1. :func:`check_book`: the file is a workbook that can be read within the package limits
   (:mod:`xlfuncs.xlsx.package`), and the output can be written safely (:mod:`xlfuncs.xlsx.writes`);
2. the engine (:mod:`xlfuncs.calc.engines`) computes every formula: from a plain-name copy when
   the workbook stores our functions for xlwings Lite or Server (:mod:`xlfuncs.xlsx.calls`), in
   LibreOffice from its own copy with the formulas rewritten (:mod:`xlfuncs.calc.libreoffice`);
3. :func:`write_values` stores the values as the cells' cached values in the original file
   (:mod:`xlfuncs.xlsx.patch`): formulas, formats and every other part stay as they were.
   LibreOffice's own re-saved file is never shipped: it would rewrite every part of the package
   (styles, charts, data validation, web-extension parts and defined names come back changed or
   dropped).  Excel still recomputes on open; the cached values are what previews, pandas and
   ``openpyxl(data_only=True)`` read;
4. the :class:`~xlfuncs.calc.results.Summary` counts the error values and lists the problems.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from ..data.config import cache_only
from ..xlsx import patch
from ..xlsx.package import ZIP_ERRORS, PackageError, check_package, sheet_parts
from ..xlsx.writes import WriteRefused, check_target
from .crosscheck import disagreements
from .engines import engine as engine_named
from .engines import engine_for
from .limits import Limits
from .results import CalcInputError, Summary, Values, encode, summarize

__all__ = ["SUFFIXES", "calc", "check_book", "compute", "write_values"]

#: File types openpyxl (and so ``formulas``) reads.
SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")


def check_book(path) -> Path:
    """``path`` as a :class:`~pathlib.Path` if it is a workbook that can be read; else
    :class:`CalcInputError` (one line).
    """
    path = Path(path)
    if not path.exists():
        raise CalcInputError(f"{path}: no such file")
    if not path.is_file():
        raise CalcInputError(f"{path}: not a file")
    if path.suffix.lower() not in SUFFIXES:
        raise CalcInputError(f"{path}: not an Excel workbook (expected {', '.join(SUFFIXES)})")
    try:
        with zipfile.ZipFile(path) as z:
            if "[Content_Types].xml" not in z.NameToInfo:  # an OpenDocument file renamed, for one
                raise CalcInputError(
                    f"{path}: no [Content_Types].xml, so not an OOXML package (an OpenDocument file "
                    "renamed?); refused"
                )
            check_package(z)  # inflate limits, no DOCTYPE
            sheet_parts(z)
    except PackageError as exc:
        raise CalcInputError(f"{path}: {exc}") from None
    except (*ZIP_ERRORS, KeyError, ET.ParseError, OSError, StopIteration):
        raise CalcInputError(
            f"{path}: not an .xlsx workbook (an .xls, an encrypted workbook or another file renamed?)"
        ) from None
    return path


def compute(path, engine: str = "formulas") -> Values:
    """Compute every formula of the workbook at ``path`` (engine: see
    :data:`~xlfuncs.calc.engines.ENGINES`).

    Returns ``{(sheet name, "A1"): value}`` for every formula cell and every
    cell of each array formula's range, ordered by sheet, row and column.
    Values are ``float``, ``int``, ``str`` or ``bool``; error values are
    :class:`~xlfuncs.calc.results.ExcelError` strings (``== "#N/A"``).  Sheet names are the
    workbook's own (not upper-cased).  Raises :class:`CalcInputError` for a
    file that is not a readable workbook.
    """
    src = check_book(path)
    with cache_only():
        return engine_named(engine_for(engine)).compute(src)[0]


def write_values(src: str | Path, dst: str | Path, values: Values) -> None:
    """Store ``values`` (``{(sheet name, "A1"): value}``) as cached values of the workbook ``src`` in ``dst``.

    Each value is stored as :func:`~xlfuncs.calc.results.encode` says; ``None`` removes the cached
    value.  See :func:`xlfuncs.xlsx.patch.write_values`.
    """
    patch.write_values(src, dst, values, encode)


def calc(
    path,
    out=None,
    engine: str = "formulas",
    fallback: bool | None = None,
    max_cells: int | None = None,
    cross_check: bool = False,
    limits: Limits | None = None,
) -> Summary:
    """Compute every formula of the workbook ``path`` and store the values as cached values.

    ``engine``: ``"formulas"`` (the default here, so that the template builder's output does not
    depend on what is installed), ``"libreoffice"`` or ``"auto"`` (the command line's default).
    ``fallback``: whether a workbook LibreOffice fails on is computed with ``formulas`` instead
    (the summary then names both); default: only with ``"auto"``.  ``max_cells``: the most cells
    the ``formulas`` engine takes on (default :data:`~xlfuncs.calc.formulas_engine.MAX_CELLS`).
    ``cross_check``: compute the book with the other engine too and list the cells where the two
    disagree (:mod:`xlfuncs.calc.crosscheck`); the values written are still ``engine``'s, and
    neither engine falls back to the other (both must run here).  ``limits``: the time and memory
    either engine may take (default :class:`~xlfuncs.calc.limits.Limits`' defaults).

    Writes to ``out``, or back into ``path`` when ``out`` is None (the
    formulas and everything else are kept, so this is safe to repeat).
    Raises :class:`CalcInputError` for unusable input.
    """
    start = time.perf_counter()
    src = check_book(path)
    dst = src if out is None else Path(out)
    if dst.is_dir():
        raise CalcInputError(f"{dst}: is a folder; give the output file name")
    try:
        check_target(dst)  # a link, read-only or hard-linked file: refused before computing
    except WriteRefused as exc:
        raise CalcInputError(str(exc)) from None
    name = engine_for(engine)
    if cross_check:
        engine_for("libreoffice")  # both engines must run: fails in one line where LibreOffice cannot
        fallback = False
    chosen = engine_named(
        name, fallback=engine == "auto" if fallback is None else fallback, max_cells=max_cells, limits=limits
    )
    other = engine_named("formulas" if name == "libreoffice" else "libreoffice", False, max_cells, limits)
    # the functions that fetch answer from the cache only: a stranger's workbook makes no
    # request under the user's SEC identity (the LibreOffice instances carry XLFUNCS_OFFLINE=1)
    with cache_only():
        values, problems = chosen.compute(src)
        second = other.compute(src)[0] if cross_check else None
    try:
        write_values(src, dst, values)
    except WriteRefused as exc:
        raise CalcInputError(str(exc)) from None
    except OSError as exc:
        raise CalcInputError(f"{dst}: cannot write ({exc.strerror or exc})") from exc
    summary = summarize(src, dst, values, problems, chosen.computed_by, time.perf_counter() - start)
    if second is not None:
        summary.cross_checked, summary.disagreements = other.name, disagreements(values, second)
        summary.seconds = time.perf_counter() - start
    return summary

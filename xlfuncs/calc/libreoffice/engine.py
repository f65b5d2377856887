"""The LibreOffice engine of ``xlfuncs calc``: headless LibreOffice Calc with the xlfuncs add-in.

* :func:`compute` computes every formula of a workbook, ours included, in a LibreOffice kept
  loaded between runs (:mod:`.instances`, which run :mod:`.service`), from the engine's copy of
  the workbook (:mod:`.rewrite`), and hands back every formula cell's exact value;
  :func:`render_pdf` prints a workbook computed the same way (the pictures of the templates).
* :func:`recalculate` opens a workbook in a LibreOffice without the add-in, recalculates every
  formula and saves it as .xlsx (a second, independent engine for the tests), in a fresh private
  profile (:mod:`.headless`), so runs are independent of each other and of the user's settings.

The add-in is prepared once per add-in and LibreOffice version (:func:`engine_available`).
Install: ``apt-get install libreoffice-calc``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ...runtimes.libreoffice import office
from ...runtimes.libreoffice.office import TIMEOUT, LibreOfficeError, executable
from ...xlsx.refs import cells, column_letters
from ...xlsx.sheet import formula_cells
from ..results import CIRCULAR, DATA_TABLE, NOT_COMPUTED, ExcelError, Problems, Values
from . import headless, instances, service
from .headstart import prepared_folder
from .rewrite import Ours, engine_copy, logical_formula, our_functions

__all__ = ["compute", "engine_available", "recalculate", "render_pdf", "started"]

XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"
#: Our functions' names as the engine's copy needs them (:class:`.rewrite.Ours`), in the prepared folder.
OURS = "functions.json"
PDF_FILTER = "pdf:calc_pdf_Export"


def _convert(src: Path, out_dir: Path, convert_to: str, suffix: str, recalc: bool, timeout: float) -> Path:
    """Run one headless conversion of ``src`` into ``out_dir`` in a fresh profile; return the new file."""
    if executable() is None:
        raise LibreOfficeError(
            "LibreOffice (soffice) is not installed; install it with "
            "`apt-get install libreoffice-calc` (scripts/test.sh does)"
        )
    src, out_dir = Path(src).resolve(), Path(out_dir).resolve()
    if not src.is_file():
        raise FileNotFoundError(src)
    if out_dir == src.parent:
        raise ValueError(
            f"output folder {out_dir} is the input's folder: choose another one, "
            "the output would have the input's name"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / (src.stem + suffix)
    with tempfile.TemporaryDirectory(prefix="xlfuncs_lo_") as tmp:
        profile, work = Path(tmp) / "profile", Path(tmp) / "out"
        work.mkdir()
        headless.write_profile(profile, recalc)
        produced = headless.convert(src, work, profile, convert_to, suffix, timeout=timeout)
        shutil.move(str(produced), target)
    return target


def recalculate(src, out_dir, timeout: float = TIMEOUT) -> Path:
    """Recalculate ``src`` in LibreOffice and save it as ``out_dir/<name>.xlsx``.

    Every formula is recomputed on load (cached values are ignored); read the
    results with ``openpyxl.load_workbook(path, data_only=True)``.  LibreOffice
    keeps 15 significant digits when it writes numbers.  ``out_dir`` must not
    be the input's folder.
    """
    return _convert(src, out_dir, XLSX_FILTER, ".xlsx", True, timeout)


# --- the LibreOffice engine of ``xlfuncs calc`` -----------------------------------------------


def engine_available() -> bool:
    """Whether ``xlfuncs calc`` can compute with LibreOffice here: LibreOffice with its Python
    bridge, the add-in already prepared or ``unoidl-write`` to build it, and a system where the
    engine's instances run (not Windows: :data:`~xlfuncs.calc.libreoffice.instances.SUPPORTED`).
    """
    program = office.program_dir()
    if not instances.SUPPORTED or program is None or not (program / "pythonloader.py").is_file():
        return False
    return prepared_folder().is_dir() or office.unoidl_write() is not None


def _service() -> str:
    return Path(service.__file__).read_text(encoding="utf-8")


def _prepared() -> Path:
    """A folder with ``packages`` (xlfuncs.oxt installed) and ``profile`` (started once, with the
    calculation service among its scripts), made once per add-in and LibreOffice version under
    ``~/.cache/xlfuncs/libreoffice``; the instances (:mod:`~xlfuncs.calc.libreoffice.instances`)
    copy it.
    """
    target = prepared_folder()
    if target.is_dir():
        return target
    from ...runtimes.libreoffice import build  # once per add-in version: the kernels load only here

    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".prepare-", dir=target.parent))
    try:
        oxt = build.build(work / "oxt")
        headless.write_profile(work / "profile")
        scripts = work / "profile" / "user" / "Scripts" / "python"
        scripts.mkdir(parents=True)
        (scripts / service.SCRIPT).write_text(_service(), encoding="utf-8")
        (work / OURS).write_text(our_functions().dumps(), encoding="utf-8")
        office.install(oxt, work / "profile", work / "packages")
        warm = work / "warm"
        warm.mkdir()
        (warm / "a.csv").write_text("1\n")
        headless.convert(warm / "a.csv", warm, work / "profile", XLSX_FILTER, ".xlsx", work / "packages")
        shutil.rmtree(warm)
        with contextlib.suppress(OSError):  # another run prepared the same add-in meanwhile: use either
            work.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _known() -> Ours | None:
    """Our functions as kept in the prepared folder (:data:`OURS`), read in a millisecond where the
    registry would import the kernels and numpy; None when unreadable (the registry answers then).
    """
    with contextlib.suppress(OSError, ValueError):
        return Ours.loads((prepared_folder() / OURS).read_text(encoding="utf-8"))
    return None


#: The Excel error LibreOffice writes to .xlsx for each of its error codes (``XclTools::GetXclErrorCode``
#: in LibreOffice's sc/source/filter/excel/xltools.cxx; any other code is written as #N/A).
EXCEL_ERROR = {
    502: "#VALUE!",  # IllegalArgument
    503: "#NUM!",  # IllegalFPOperation
    504: "#VALUE!",  # IllegalParameter
    508: "#VALUE!",  # PairExpected
    509: "#VALUE!",  # OperatorExpected
    510: "#VALUE!",  # VariableExpected
    511: "#VALUE!",  # ParameterExpected
    519: "#VALUE!",  # NoValue
    521: "#NULL!",  # NoCode
    522: "#VALUE!",  # CircularReference (read as Excel shows it, 0: _read_values)
    524: "#REF!",  # NoRef
    525: "#NAME?",  # NoName
    530: "#NAME?",  # NoAddin
    531: "#NAME?",  # NoMacro
    532: "#DIV/0!",  # DivisionByZero
    0x7FFF: "#N/A",  # NotAvailable
}


#: Calc's error code for a circular reference, which Excel shows as 0.
CIRCULAR_CODE = 522
#: What :func:`compute` finds for a formula cell the service gave no value for.
_NOT_COMPUTED = object()


def _read_values(path: Path, circular: set[tuple[str, str]]) -> Values:
    """``{(sheet, "A1"): value}`` from the calculation service's ``values`` file (errors as ExcelError;
    whole numbers as int, as the .xlsx reader gives them; logical results as bool).  A circular
    reference is 0, as Excel shows it, and its cell goes into ``circular``.
    """
    with open(path, encoding="utf-8") as f:
        sheets = json.load(f)
    errors = {code: ExcelError(text) for code, text in EXCEL_ERROR.items()}
    values: Values = {}
    for name, found in sheets.items():
        for col0, row0, rows in found["blocks"]:  # a block's columns, one at a time (no per-cell call)
            numbers = range(row0 + 1, row0 + 1 + len(rows))
            for j in range(len(rows[0]) if rows else 0):
                letter = column_letters(col0 + j + 1)
                column = [row[j] for row in rows]
                values.update(
                    zip(
                        [(name, f"{letter}{r}") for r in numbers],
                        [
                            int(v) if type(v) is float and v.is_integer() and -(2**53) < v < 2**53 else v
                            for v in column
                        ],
                        strict=True,
                    )
                )
        for col, row in found.get("booleans", ()):
            key = (name, f"{column_letters(col + 1)}{row + 1}")
            values[key] = bool(values[key])
        for col, row, code in found["errors"]:
            key = (name, f"{column_letters(col + 1)}{row + 1}")
            if code == CIRCULAR_CODE:
                values[key] = 0
                circular.add(key)
            else:
                values[key] = errors.get(code) or errors[0x7FFF]
    return values


def render_pdf(src: Path, out_dir: Path, timeout: float = TIMEOUT) -> Path:
    """Print every visible sheet of ``src`` to ``out_dir/<name>.pdf`` as LibreOffice computes it with
    the xlfuncs add-in: our functions live, in the engine's copy that :func:`compute` opens.
    """
    src, out_dir = Path(src), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / (src.stem + ".pdf")
    with started() as office_instance, tempfile.TemporaryDirectory(prefix="xlfuncs_render_lo_") as tmp:
        book = Path(tmp) / ("book" + src.suffix.lower())
        engine_copy(src, book, not office.binds_excel_names(), True, _known())
        office_instance.run(
            {"src": str(book), "store": [str(target.resolve()), PDF_FILTER.split(":", 1)[1]]},
            timeout,
            f"printing {src.name}",
        )
    return target


@contextlib.contextmanager
def started() -> Iterator[instances.Instance]:
    """A LibreOffice with the add-in for one run, starting (or kept from an earlier run): start it first,
    prepare the book meanwhile, then :func:`compute` with it.
    """
    with instances.instance(_prepared()) as office_instance:
        office_instance.start()
        yield office_instance


def compute(
    path: Path,
    rewrite: bool | None = None,
    errors_in_ranges: bool = True,
    timeout: float = TIMEOUT,
    office_instance: instances.Instance | None = None,
    max_memory: int | None = None,
) -> tuple[Values, Problems]:
    """Compute every formula of the workbook at ``path`` in headless LibreOffice with the add-in.

    Returns ``({(sheet, "A1"): value}, {problem: [(sheet, "A1"), ...]})`` for every formula cell
    (and every cell of an array formula's range), as :func:`xlfuncs.calc.workbook.compute`
    does.  ``rewrite`` stores our functions under the add-in's internal names in the copy
    LibreOffice opens (default: when this LibreOffice does not bind their Excel names);
    ``errors_in_ranges`` wraps the arguments of our functions in array formulas so that an error
    inside a range gives an error in its own element, not the whole result (:data:`~.rewrite.WRAP`).
    LibreOffice runs in an instance of its own (:mod:`~xlfuncs.calc.libreoffice.instances`),
    ``office_instance`` from :func:`started` or else one started while this copy is made (or kept from
    an earlier run); it hands back the exact value of every formula cell (numbers to the last bit, not
    the 15 digits it writes to .xlsx).  A job that takes longer than ``timeout`` seconds, or during
    which LibreOffice holds more than ``max_memory`` bytes of resident memory, has its LibreOffice
    killed (:class:`~xlfuncs.calc.libreoffice.instances.JobLimitError`).
    """
    path = Path(path)
    if rewrite is None:
        rewrite = not office.binds_excel_names()
    tables: list[tuple[str, str]] = []
    circular: set[tuple[str, str]] = set()
    booleans: set[tuple[str, str]] = set()
    logical: set[tuple[str, str]] = set()
    # the formula cells of the original are listed while LibreOffice computes (it runs in its own process)
    with (
        contextlib.nullcontext(office_instance) if office_instance else started() as office_instance,
        concurrent.futures.ThreadPoolExecutor(1) as pool,
        tempfile.TemporaryDirectory(prefix="xlfuncs_calc_lo_") as tmp,
    ):
        book, values_file = Path(tmp) / ("book" + path.suffix.lower()), Path(tmp) / "values.json"
        engine_copy(path, book, rewrite, errors_in_ranges, _known())
        listing = pool.submit(formula_cells, path, booleans, tables, (logical_formula, logical))
        office_instance.run(
            {"src": str(book), "values": str(values_file)},
            timeout,
            f"computing {path.name}",
            max_memory=max_memory,
        )
        computed = _read_values(values_file, circular)
        formulas = listing.result()
    values: Values = {}
    problems: Problems = {}
    for sheet, ref in tables:  # Calc computes data tables (MULTIPLE.OPERATIONS); one it did not is named
        table = [(sheet, cell) for cell in cells(ref)]
        if all(key in computed for key in table):
            formulas.setdefault(sheet, []).extend(cell for _, cell in table)
        else:
            problems.setdefault(DATA_TABLE, []).append((sheet, ref))
    for sheet, listed in formulas.items():  # (one key per cell, the sets asked only where they matter)
        for ref in listed:
            key = (sheet, ref)
            value = computed.get(key, _NOT_COMPUTED)
            if value is _NOT_COMPUTED:
                problems.setdefault(NOT_COMPUTED, []).append(key)
                continue
            # Calc types logical results itself (the service reads them as bool), but the booleans
            # our add-in returns reach it as numbers: where the file stored a boolean, a 1 or 0 stays one
            # a logical formula's 1 or 0 in a cell formatted explicitly (Calc then shows no logical
            # format) is TRUE or FALSE too
            if type(value) is int and value in (0, 1) and (key in booleans or key in logical):
                value = bool(value)
            values[key] = value
            if circular and key in circular:
                problems.setdefault(CIRCULAR, []).append(key)
    return values, problems

"""Headless LibreOffice as a second, independent spreadsheet engine.

* :func:`recalculate` opens a workbook in LibreOffice Calc, recalculates every
  formula and saves it as .xlsx, so its values can be read with openpyxl
  (``data_only=True``) and compared with what ``formulas`` computed.
* :func:`compute` is the LibreOffice engine of ``xlfuncs calc``: Calc with the xlfuncs
  add-in computes every formula, ours included; :func:`render_pdf` prints a workbook
  computed the same way (the pictures of the templates).
* :func:`freeze_our_functions` makes a copy in which every cell computed by one
  of our functions holds its cached value as a constant, so that a LibreOffice
  without the add-in recomputes every native formula that depends on them.

Each run of LibreOffice gets a fresh, private profile that forces
recalculation on load (LibreOffice otherwise shows the cached values of an
.xlsx), so runs are independent of each other and of the user's settings and
may run in parallel.  Install: ``apt-get install libreoffice-calc``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..runtimes.libreoffice import build, instances, office, service
from ..runtimes.libreoffice.addin import IMPLEMENTATION
from ..runtimes.libreoffice.office import EXECUTABLES, TIMEOUT, LibreOfficeError, available, executable
from . import xlsx
from .xlsx import sheet_parts  # also public here: scripts/render.py uses libreoffice.sheet_parts

__all__ = [
    "EXECUTABLES",
    "TIMEOUT",
    "LibreOfficeError",
    "available",
    "calls_our_function",
    "compute",
    "engine_available",
    "executable",
    "freeze_our_functions",
    "recalculate",
    "render_pdf",
]

XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"
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
        office.write_profile(profile, recalc)
        produced = office.convert(src, work, profile, convert_to, suffix, timeout=timeout)
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


# --- freezing our functions ------------------------------------------------------------

_LITERALS = re.compile(r'"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'')  # strings and quoted sheet names


def _our_call():
    from ..functions import REGISTRY

    names = "|".join(sorted((re.escape(s.excel_name) for s in REGISTRY.values()), key=len, reverse=True))
    # a call of one of our names, plain or as Excel stores unresolved add-in names
    return re.compile(rf"(?<![\w.])(?:_xludf\.)?(?:{names})\s*\(", re.I)


def calls_our_function(formula: str) -> bool:
    """Whether a formula's text calls one of our functions.

    >>> calls_our_function("=MARKETCAP(B2,B3)*2"), calls_our_function("=SUM(B2:B3)")
    (True, False)
    >>> calls_our_function('=IF(A1="EV(",1,2)'), calls_our_function("='5 ABC EV'!B7")
    (False, False)
    """
    return bool(_our_call().search(_LITERALS.sub('""', formula)))


_CELL = re.compile(r"<c\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</c>)", re.S)
_FORMULA = re.compile(r"<f\b(?P<attrs>[^>]*?)(?:/>|>(?P<text>.*?)</f>)", re.S)
_VALUE = re.compile(r"<v\b[^>]*?(?:/>|>(?P<text>.*?)</v>)", re.S)


def _freeze_sheet(xml: str, where: str) -> tuple[str, list[str]]:
    """The sheet XML with every cell of our functions' formulas turned into its cached value."""
    ours: list[str] = []
    shared: set[str | None] = set()
    for cell in _CELL.finditer(xml):
        formula = _FORMULA.search(cell["body"] or "")
        if not formula:
            continue
        fattrs = formula["attrs"]
        if formula["text"] and calls_our_function(xlsx.unescape_text(formula["text"])):
            ref = xlsx.attr(fattrs, "ref") if xlsx.attr(fattrs, "t") == "array" else None
            ours.extend(xlsx.cells(ref) if ref else [xlsx.attr(cell["attrs"], "r") or ""])
            if xlsx.attr(fattrs, "t") == "shared":
                shared.add(xlsx.attr(fattrs, "si"))
    if shared:  # the cells that share a formula of ours
        for cell in _CELL.finditer(xml):
            formula = _FORMULA.search(cell["body"] or "")
            if (
                formula
                and xlsx.attr(formula["attrs"], "t") == "shared"
                and xlsx.attr(formula["attrs"], "si") in shared
            ):
                ours.append(xlsx.attr(cell["attrs"], "r") or "")
    ours = list(dict.fromkeys(ours))
    todo = set(ours)

    def freeze(cell):
        attrs, body = cell["attrs"], cell["body"] or ""
        ref = xlsx.attr(attrs, "r")
        if ref not in todo:
            return cell[0]
        value, kind = _VALUE.search(body), xlsx.attr(attrs, "t")
        if _FORMULA.search(body) and (value is None or not (value["text"] or kind == "str")):
            raise ValueError(
                f"{where}!{ref} has no computed value; compute the workbook first (xlfuncs calc)"
            )
        attrs = re.sub(r'\s(?:cm|vm)="[^"]*"', "", attrs)  # dynamic-array cell metadata
        if value is None:
            return f"<c{attrs}/>"
        if kind == "str":  # a formula's text result: as a constant it is an inline string
            attrs = re.sub(r'\st="[^"]*"', ' t="inlineStr"', attrs)
            return f'<c{attrs}><is><t xml:space="preserve">{value["text"] or ""}</t></is></c>'
        return f"<c{attrs}>{value[0]}</c>"  # numbers, booleans, errors, shared strings

    return _CELL.sub(freeze, xml), ours


def freeze_our_functions(src, dst) -> dict[str, list[str]]:
    """Copy ``src`` to ``dst`` with every cell computed by our functions replaced by its
    cached value as a constant; returns the frozen cells, ``{sheet: [cell, ...]}``.

    A cell counts as ours when its formula calls a name of :data:`xlfuncs.REGISTRY`;
    for an array (spilled) formula every cell of its range counts, for a shared
    formula every cell sharing it.  Native formulas that use our results stay
    formulas, so another engine recomputes them from the frozen values.  Only the
    frozen cells change: styles, values (to the last bit), native formulas and every
    other part of the file are copied as they are.  Raises ``ValueError`` when a
    formula of ours has no cached value (compute the workbook first: ``xlfuncs calc``).
    """
    import zipfile

    src, dst = Path(src), Path(dst)
    frozen: dict[str, list[str]] = {}
    with zipfile.ZipFile(src) as book:
        parts = {part: name for name, part in sheet_parts(book).items()}
        patched = {}
        for part, name in parts.items():
            xml, cells = _freeze_sheet(book.read(part).decode("utf-8"), f"{src.name}: {name}")
            if cells:
                patched[part], frozen[name] = xml.encode("utf-8"), cells
        tmp = dst.with_name(dst.name + ".tmp")
        with zipfile.ZipFile(tmp, "w") as out:
            for info in book.infolist():
                out.writestr(
                    info,
                    patched.get(info.filename) or book.read(info.filename),
                    compress_type=info.compress_type,
                )
    os.replace(tmp, dst)
    return frozen


# --- the LibreOffice engine of ``xlfuncs calc`` -----------------------------------------------

#: What the engine reports for a formula cell that LibreOffice's saved file does not hold.
NOT_COMPUTED = "not computed by LibreOffice (stored value kept)"
_INTERNAL = IMPLEMENTATION.upper() + "."


@functools.lru_cache(maxsize=1)
def _addin_key() -> str:
    """What the prepared add-in depends on: the LibreOffice version and every module of xlfuncs (the
    extension is generated from them; a superset of what it packs, read in milliseconds).
    """
    digest = hashlib.sha256(repr(office.version()).encode())
    package = Path(service.__file__).resolve().parents[2]
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()[:16]


def engine_available() -> bool:
    """Whether ``xlfuncs calc`` can compute with LibreOffice here: LibreOffice with its Python
    bridge, the add-in already prepared or ``unoidl-write`` to build it, and a system where the
    engine's instances run (not Windows: :data:`~xlfuncs.runtimes.libreoffice.instances.SUPPORTED`).
    """
    program = office.program_dir()
    if not instances.SUPPORTED or program is None or not (program / "pythonloader.py").is_file():
        return False
    return (office.cache_root() / _addin_key()).is_dir() or office.unoidl_write() is not None


def _service() -> str:
    return Path(service.__file__).read_text(encoding="utf-8")


def _prepared() -> Path:
    """A folder with ``packages`` (xlfuncs.oxt installed) and ``profile`` (started once, with the
    calculation service among its scripts), made once per add-in and LibreOffice version under
    ``~/.cache/xlfuncs/libreoffice``; the instances (:mod:`~xlfuncs.runtimes.libreoffice.instances`)
    copy it.
    """
    target = office.cache_root() / _addin_key()
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".prepare-", dir=target.parent))
    try:
        oxt = build.build(work / "oxt")
        office.write_profile(work / "profile")
        scripts = work / "profile" / "user" / "Scripts" / "python"
        scripts.mkdir(parents=True)
        (scripts / service.SCRIPT).write_text(_service(), encoding="utf-8")
        office.install(oxt, work / "profile", work / "packages")
        warm = work / "warm"
        warm.mkdir()
        (warm / "a.csv").write_text("1\n")
        office.convert(warm / "a.csv", warm, work / "profile", XLSX_FILTER, ".xlsx", work / "packages")
        shutil.rmtree(warm)
        with contextlib.suppress(OSError):  # another run prepared the same add-in meanwhile: use either
            work.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


#: What an argument of our functions becomes inside an array formula in the engine's copy: Calc does not
#: call an add-in with an error inside a range (the whole result would be #VALUE!), so each error
#: element is passed as its text instead, which the argument rules read as that error.  Calc cannot
#: tell which error an element holds, except #N/A (ERROR.TYPE does not work element by element), so
#: the other errors arrive as #VALUE!.
WRAP = 'IFERROR(_xlfn.IFNA({},"#N/A"),"#VALUE!")'


def _literal_end(text: str, i: int) -> int:
    """The index after the string literal or quoted sheet name that starts at ``text[i]``."""
    quote, j = text[i], i + 1
    while j < len(text):
        if text[j] == quote:
            if j + 1 < len(text) and text[j + 1] == quote:  # a doubled quote inside
                j += 2
                continue
            return j + 1
        j += 1
    return j


def _arguments(text: str, start: int) -> tuple[list[str], int] | None:
    """The arguments of the call whose ``(`` ends at ``start``, and the index after its ``)``."""
    args, depth, i, begin = [], 0, start, start
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            i = _literal_end(text, i)
            continue
        if ch in "({":
            depth += 1
        elif ch in ")}":
            if depth == 0:
                args.append(text[begin:i])
                return args, i + 1
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(text[begin:i])
            begin = i + 1
        i += 1
    return None


def _label_functions() -> frozenset[str]:
    from ..functions import REGISTRY

    return frozenset(s.excel_name for s in REGISTRY.values() if s.result == "label")


def _mixed_functions() -> frozenset[str]:
    """Functions whose results mix labels and numbers: FDBRIDGE's rows, FDTRANCHES' header, and a
    number function that shows a label where its result is not meaningful (MULTIPLE's ``NM``).
    """
    from ..functions import REGISTRY

    return frozenset(
        s.excel_name
        for s in REGISTRY.values()
        if s.result in ("table", "schedule") or (isinstance(s.nan_result, str) and s.nan_result[:1] != "#")
    )


def engine_formula(formula: str, names: bool, wrap: bool) -> str:
    """A formula as the engine's copy stores it: with ``names``, our functions under the add-in's
    internal names, which every LibreOffice binds (7.4 does not bind the Excel names); with ``wrap``,
    each of their arguments wrapped in :data:`WRAP` (for array formulas).  Literals stay as they are.
    A call of a function whose results are labels gets ``&""``: Calc 25.2 keeps the text an add-in
    returns out of its string pool, so COUNTIF, SUMIFS and ``=`` on those cells never match it
    (measured: ``COUNTIF(B2:B5,"Mega")`` is 0 over a spilled MCAPCLASS holding "Mega");
    the concatenation stores the same text through the pool.  A function whose results mix labels
    and numbers gets the same for its text elements only, ``LET(r,f,IF(ISTEXT(r),r&"",r))`` (MATCH
    over FDBRIDGE's labels and COUNTIFS of MULTIPLE's "NM" found none); ``LET``, because with ``f``
    in IF's branches Calc calls the add-in once per element (20,000 rows: 38 s instead of 7).
    LET came with LibreOffice 24.8, so with ``names`` (the versions before 25.2) the call is written
    out three times, ``IF(ISTEXT(f),f&"",f)``: slower, but MATCH over FDBRIDGE's labels finds them on
    7.4 too (tests/test_runtimes_libreoffice_older.py).

    >>> engine_formula('MARKETCAP(A1,B1)&"MARKETCAP("&_xludf.ev(1,2,3)', True, False)
    'ORG.XLFUNCS.CALC.FUNCTIONS.MARKETCAP(A1,B1)&"MARKETCAP("&ORG.XLFUNCS.CALC.FUNCTIONS.EV(1,2,3)'
    >>> engine_formula("SUM(EV(A1:A3,,C1))", False, True)
    'SUM(EV(IFERROR(_xlfn.IFNA(A1:A3,"#N/A"),"#VALUE!"),,IFERROR(_xlfn.IFNA(C1,"#N/A"),"#VALUE!")))'
    >>> engine_formula("MCAPCLASS(G2)", False, False)
    '(MCAPCLASS(G2)&"")'
    """
    call, labels, mixed, out, i = _our_call(), _label_functions(), _mixed_functions(), [], 0
    while i < len(formula):
        if formula[i] in "\"'":
            end = _literal_end(formula, i)
            out.append(formula[i:end])
            i = end
            continue
        m = call.match(formula, i)
        found = _arguments(formula, m.end()) if m else None
        if m is None or found is None:
            out.append(formula[i])
            i += 1
            continue
        args, i = found
        args = [engine_formula(a, names, wrap) for a in args]
        if wrap:
            args = [WRAP.format(a) if a.strip() else a for a in args]
        name = m.group()[:-1].strip()
        base = re.sub(r"^_xludf\.", "", name, flags=re.I).upper()
        if names:
            name = _INTERNAL + base
        text = f"{name}({','.join(args)})"
        if base in labels:
            text = f'({text}&"")'
        elif base in mixed and not names:
            text = f'_xlfn.LET(_xlpm.r,{text},IF(ISTEXT(_xlpm.r),_xlpm.r&"",_xlpm.r))'
        elif base in mixed:  # LET is 24.8+; the versions that get the names rewritten are older
            text = f'IF(ISTEXT({text}),{text}&"",{text})'
        out.append(text)
    return "".join(out)


def _engine_copy(src: Path, dst: Path, names: bool, wrap: bool) -> None:
    """Copy the workbook with :func:`engine_formula` applied to the formulas that call our functions
    (those that need it: every one with ``names``, array formulas with ``wrap``, label functions),
    and without the formulas of what-if data tables (their cells keep Excel's stored values:
    Calc's MULTIPLE.OPERATIONS, which it imports them as, ignores an input that reaches the formula
    through another cell, measured on 25.2).
    """
    import zipfile
    from xml.sax.saxutils import escape

    call = _our_call()
    texts = _label_functions() | _mixed_functions()
    label = re.compile(rf"(?<![\w.])(?:_xludf\.)?(?:{'|'.join(texts)})\s*\(", re.I)

    def fix(m: re.Match[str]) -> str:
        text = m["text"]
        array = xlsx.attr(m["attrs"], "t") == "array"
        if not text or not call.search(text) or not (names or (wrap and array) or label.search(text)):
            return m.group()
        formula = engine_formula(xlsx.unescape_text(text), names, wrap and array)
        return f"<f{m['attrs']}>{escape(formula)}</f>"

    # a temporary file LibreOffice reads once: parts it need not change are copied as they are,
    # the others compressed at level 1 (level 6 took seconds on a 100,000-row book)
    with (
        zipfile.ZipFile(src) as book,
        zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
    ):
        parts = set(sheet_parts(book).values())
        for info in book.infolist():
            if info.filename not in parts:
                xlsx.copy_part(book, info, out)
                continue
            xml = xlsx.read_part(book, info.filename).decode("utf-8")
            if "dataTable" in xml:
                xml = xlsx.without_data_tables(xml)
            out.writestr(info.filename, _FORMULA.sub(fix, xml).encode("utf-8"))


def formula_cells(
    path: Path, booleans: set[tuple[str, str]] | None = None, tables: list[tuple[str, str]] | None = None
) -> dict[str, list[str]]:
    """``{sheet: [cell, ...]}``: every cell holding a formula or inside an array formula's range.
    ``booleans`` collects the cells whose stored value is a boolean (``t="b"``); ``tables`` the
    what-if data tables, ``(sheet, "B5:B7")``, whose cells are not listed.
    """
    import zipfile

    found: dict[str, list[str]] = {}
    with zipfile.ZipFile(path) as book:
        for name, part in sheet_parts(book).items():
            cells: list[str] = []
            for cell in _CELL.finditer(xlsx.read_part(book, part).decode("utf-8")):
                attrs, body = cell["attrs"], cell["body"]
                if booleans is not None and 't="b"' in attrs and xlsx.attr(attrs, "t") == "b":
                    booleans.add((name, xlsx.attr(attrs, "r") or ""))
                formula = _FORMULA.search(body) if body and "<f" in body else None
                if formula is None:
                    continue
                if xlsx.attr(formula["attrs"], "t") == "dataTable":
                    if tables is not None:
                        tables.append((name, xlsx.attr(formula["attrs"], "ref") or ""))
                    continue
                ref = (
                    xlsx.attr(formula["attrs"], "ref")
                    if xlsx.attr(formula["attrs"], "t") == "array"
                    else None
                )
                cells.extend(xlsx.cells(ref) if ref else [xlsx.attr(cell["attrs"], "r") or ""])
            found[name] = list(dict.fromkeys(cells))
    return found


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
    522: "#VALUE!",  # CircularReference
    524: "#REF!",  # NoRef
    525: "#NAME?",  # NoName
    530: "#NAME?",  # NoAddin
    531: "#NAME?",  # NoMacro
    532: "#DIV/0!",  # DivisionByZero
    0x7FFF: "#N/A",  # NotAvailable
}


def _read_values(path: Path) -> dict[tuple[str, str], object]:
    """``{(sheet, "A1"): value}`` from the calculation service's ``values`` file (errors as ExcelError;
    whole numbers as int, as the .xlsx reader gives them).
    """
    import json

    from .calc import ExcelError

    with open(path, encoding="utf-8") as f:
        sheets = json.load(f)
    errors = {code: ExcelError(text) for code, text in EXCEL_ERROR.items()}
    values: dict[tuple[str, str], object] = {}
    for name, found in sheets.items():
        for col0, row0, rows in found["blocks"]:  # a block's columns, one at a time (no per-cell call)
            numbers = range(row0 + 1, row0 + 1 + len(rows))
            for j in range(len(rows[0]) if rows else 0):
                letter = xlsx.column_letters(col0 + j + 1)
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
        for col, row, code in found["errors"]:
            values[(name, f"{xlsx.column_letters(col + 1)}{row + 1}")] = errors.get(code) or errors[0x7FFF]
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
        _engine_copy(src, book, not office.binds_excel_names(), True)
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
) -> tuple[dict[tuple[str, str], object], dict[str, list[tuple[str, str]]]]:
    """Compute every formula of the workbook at ``path`` in headless LibreOffice with the add-in.

    Returns ``({(sheet, "A1"): value}, {problem: [(sheet, "A1"), ...]})`` for every formula cell
    (and every cell of an array formula's range), as :func:`xlfuncs.workbooks.calc.calculate`
    does.  ``rewrite`` stores our functions under the add-in's internal names in the copy
    LibreOffice opens (default: when this LibreOffice does not bind their Excel names);
    ``errors_in_ranges`` wraps the arguments of our functions in array formulas so that an error
    inside a range gives an error in its own element, not the whole result (:data:`WRAP`).
    LibreOffice runs in an instance of its own (:mod:`~xlfuncs.runtimes.libreoffice.instances`),
    ``office_instance`` from :func:`started` or else one started while this copy is made (or kept from
    an earlier run); it hands back the exact value of every formula cell (numbers to the last bit, not
    the 15 digits it writes to .xlsx).
    """
    from .calc import DATA_TABLE

    path = Path(path)
    if rewrite is None:
        rewrite = not office.binds_excel_names()
    booleans: set[tuple[str, str]] = set()
    tables: list[tuple[str, str]] = []
    # the formula cells of the original are listed while LibreOffice computes (it runs in its own process)
    with (
        contextlib.nullcontext(office_instance) if office_instance else started() as office_instance,
        concurrent.futures.ThreadPoolExecutor(1) as pool,
        tempfile.TemporaryDirectory(prefix="xlfuncs_calc_lo_") as tmp,
    ):
        book, values_file = Path(tmp) / ("book" + path.suffix.lower()), Path(tmp) / "values.json"
        _engine_copy(path, book, rewrite, errors_in_ranges)
        listing = pool.submit(formula_cells, path, booleans, tables)
        office_instance.run({"src": str(book), "values": str(values_file)}, timeout, f"computing {path.name}")
        computed = _read_values(values_file)
        formulas = listing.result()
    values: dict[tuple[str, str], object] = {}
    problems: dict[str, list[tuple[str, str]]] = {DATA_TABLE: tables} if tables else {}
    for sheet, cells in formulas.items():
        for ref in cells:
            if (sheet, ref) in computed:
                value = computed[(sheet, ref)]
                # Calc has no boolean type: it gives TRUE as the number 1; where the file stored a
                # boolean, 1 and 0 are TRUE and FALSE
                if (sheet, ref) in booleans and type(value) is int and value in (0, 1):
                    value = bool(value)
                values[(sheet, ref)] = value
            else:
                problems.setdefault(NOT_COMPUTED, []).append((sheet, ref))
    return values, problems

"""Check function and argument names against what Excel, VBA and xlwings accept.

xlwings pastes Python names verbatim into the VBA wrappers of the classic add-in
and into the Office.js metadata, without validating them (xlwings issue #384).
:func:`problems` lists every name that would break "Import Functions", fail to
compile, be unreachable from a cell or shadow something.  It is pure Python: it
reads lists, it imports neither Excel nor xlwings.

Rules and where their data comes from
-------------------------------------
* Identifier: a letter first, then ``[A-Za-z0-9_]``, at most 255 characters
  (VBA, "Naming Procedures"); Office.js function names at most 128
  (``xlwings/pro/udfs_officejs.py``, ``_validate_excel_name``).
* VBA reserved words, case-insensitive: MS-VBAL §3.3.5.2 "Reserved
  Identifiers" plus keywords of the Office VBA "Keywords" page (``Step``,
  ``Error``, ``Property``, ``Time``, ``Mid``, ``Binary``) and the ``Name``
  statement; typed in :data:`VBA_RESERVED`.
* Function names only: no A1 cell reference (column ``A``..``XFD`` and row
  1..1048576, e.g. ``EV1``) and no R1C1 reference (``R``, ``C``, ``RC``,
  ``R1C1``, ``R2``, ``RC1`` ...), which Excel would read as a reference.
* Function names only: no Excel built-in worksheet function, which would win over
  the add-in.  The list is openpyxl's ``openpyxl.utils.FORMULAE`` plus the
  "future functions" XlsxWriter prefixes with ``_xlfn.``/``_xlfn._xlws.``
  (read from the regular expressions in ``xlsxwriter/worksheet.py``), without
  the prefixes; only ``FORMULAE`` when XlsxWriter is missing.
* Function names only: no name declared by xlwings' own VBA (every
  ``Function``, ``Sub`` and ``Declare``, public or private; module-level
  ``Const``/``Type``/``Enum``; ``Public`` variables; module and class names),
  parsed from the files of the *installed* xlwings package (``xlwings.bas``,
  ``xlwings_custom_addin.bas``, ``addin/*.bas``, and the names of
  ``addin/*.cls``), so the list follows the installed version.
* Names the generated wrapper uses (:data:`WRAPPER_NAMES`, see
  ``generate_vba_wrapper`` in ``xlwings/udfs.py``) are forbidden for functions
  and arguments; a parameter can only shadow names used inside its own wrapper,
  so arguments are checked against these and not against every xlwings name.
  ``caller`` is reserved for arguments (classic xlwings passes the calling
  Range in it).
* VBA is case-insensitive: no two functions, no two arguments of one function,
  and no argument and any function may share a name.

When openpyxl or xlwings cannot be found, the check that needs it is skipped
with a :class:`UserWarning` (see :func:`sources`).
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import re
import warnings
from pathlib import Path

from ..functions import REGISTRY

VBA_RESERVED = frozenset(
    name.upper()
    for name in """
    Call Case Close Const Declare DefBool DefByte DefCur DefDate DefDbl DefDec DefInt DefLng
    DefLngLng DefLngPtr DefObj DefSng DefStr DefVar Dim Do Else ElseIf End EndIf Enum Erase
    Event Exit For Friend Function Get Global GoSub GoTo If Implements Input Let Lock Loop
    LSet Next On Open Option Print Private Public Put RaiseEvent ReDim Resume Return RSet Seek
    Select Set Static Stop Sub Type Unlock Wend While With Write Rem Any As ByRef ByVal Each
    In New Shared Until WithEvents Optional ParamArray Preserve Spc Tab Then To AddressOf And
    Eqv Imp Is Like Mod Not Or TypeOf Xor Abs CBool CByte CCur CDate CDbl CDec CInt CLng
    CLngLng CLngPtr CSng CStr CVar CVErr Date Debug DoEvents Fix Int Len LenB Me PSet Scale
    Sgn String Array Circle InputB LBound UBound Boolean Byte Currency Double Integer Long
    LongLong LongPtr Single Variant True False Nothing Empty Null Attribute LINEINPUT CDecl
    Decimal
    Step Error Property Time Mid Binary Name
""".split()
)

#: Identifiers inside every generated VBA wrapper, with what a clash breaks.
WRAPPER_NAMES = {
    "ARGSARRAY": "the array of arguments the *args wrapper builds",
    "K": "the loop variable of the *args wrapper",
    "XLPY": "XLPy.CallUDF, the xlwings call in the wrapper",
    "APPLICATION": "Application.Caller",
    "ACTIVEWORKBOOK": "the workbook an add-in wrapper passes",
    "THISWORKBOOK": "the workbook a workbook wrapper passes",
    "ERR": "Err.Description, which puts Python errors in the cell",
}
RESERVED_ARGUMENTS = {"CALLER": "classic xlwings passes the calling Range in an argument named caller"}

MAX_VBA, MAX_OFFICEJS = 255, 128
MAX_COLUMN, MAX_ROW = 16384, 1048576  # XFD, Excel 2007+
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_A1 = re.compile(r"([A-Z]{1,3})([0-9]+)")
_R1C1 = re.compile(r"R[0-9]*(?:C[0-9]*)?|C[0-9]*")
_FUTURE = re.compile(r"_xlfn\.(?:_xlws\.)?([A-Z][A-Z0-9._]*)\(")
_VBA_DECLARATION = re.compile(
    r"^\s*(?:(?:Public|Private|Global|Friend|Static)\s+)*"
    r"(?:(?P<declare>Declare\s+(?:PtrSafe\s+)?(?:Function|Sub)\s+)"
    r"|(?P<procedure>(?:Function|Sub|Property\s+(?:Get|Let|Set))\s+)"
    r"|(?:Const|Type|Enum)\s+)"
    r"(?P<name>[A-Za-z]\w*)",
    re.I,
)
_VBA_PUBLIC_VARIABLE = re.compile(r"^\s*(?:Public|Global)\s+(?:WithEvents\s+)?([A-Za-z]\w*)", re.I)
_VBA_END_PROCEDURE = re.compile(r"^\s*End\s+(?:Function|Sub|Property)\b", re.I)
_VBA_MODULE_NAME = re.compile(r'^Attribute\s+VB_Name\s*=\s*"(\w+)"', re.I | re.M)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def cell_reference(name: str) -> str | None:
    """``"A1"`` or ``"R1C1"`` when Excel would read ``name`` as a cell reference."""
    upper = name.upper()
    a1 = _A1.fullmatch(upper)
    if a1 and _column_number(a1[1]) <= MAX_COLUMN and 1 <= int(a1[2]) <= MAX_ROW:
        return "A1"
    if _R1C1.fullmatch(upper):
        return "R1C1"
    return None


@functools.lru_cache(None)
def builtin_functions() -> frozenset[str]:
    """Excel's built-in worksheet function names, upper case, without ``_xlfn.``."""
    try:
        from openpyxl.utils import FORMULAE
    except ImportError:
        warnings.warn(
            "openpyxl is not installed: names are not checked against Excel's built-in functions",
            stacklevel=2,
        )
        return frozenset()
    names = set(FORMULAE)
    try:
        import xlsxwriter.worksheet

        names.update(_FUTURE.findall(inspect.getsource(xlsxwriter.worksheet)))
    except (ImportError, OSError):
        pass
    return frozenset(re.sub(r"^(?:_XLFN\.)?(?:_XLWS\.)?", "", n.upper()) for n in names)


def _xlwings_vba_files() -> list[Path]:
    spec = importlib.util.find_spec("xlwings")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return []
    root = Path(next(iter(spec.submodule_search_locations)))
    return [
        root / "xlwings.bas",
        root / "xlwings_custom_addin.bas",
        *sorted((root / "addin").glob("*.bas")),
        *sorted((root / "addin").glob("*.cls")),
    ]


def vba_names(text: str) -> set[str]:
    """Names a VBA module declares at module level (procedures, Declare, Const,
    Type, Enum, Public variables) and its module name; class modules contribute
    only their name.
    """
    names = set(_VBA_MODULE_NAME.findall(text))
    if re.search(r"^VERSION\s+[\d.]+\s+CLASS", text, re.M):
        return names
    in_procedure = False
    for line in text.splitlines():
        if in_procedure:
            in_procedure = not _VBA_END_PROCEDURE.match(line)
            continue
        declaration = _VBA_DECLARATION.match(line)
        if declaration:
            names.add(declaration["name"])
            in_procedure = bool(declaration["procedure"])
            continue
        variable = _VBA_PUBLIC_VARIABLE.match(line)
        if variable:
            names.add(variable[1])
    return names


@functools.lru_cache(None)
def xlwings_vba_names() -> frozenset[str]:
    """Upper-case names declared by the VBA code shipped in the installed xlwings."""
    files = [f for f in _xlwings_vba_files() if f.is_file()]
    if not files:
        warnings.warn(
            "xlwings' VBA files were not found: names are not checked against xlwings' own VBA", stacklevel=2
        )
    names = set()
    for path in files:
        names |= vba_names(path.read_text(encoding="latin-1"))
    return frozenset(n.upper() for n in names)


def sources() -> dict[str, int]:
    """How many names each data-driven list holds (0: that check is skipped)."""
    return {
        "VBA reserved words": len(VBA_RESERVED),
        "Excel built-in functions": len(builtin_functions()),
        "xlwings VBA names": len(xlwings_vba_names()),
    }


def _identifier_problems(name: str) -> list[str]:
    out = []
    if not _IDENTIFIER.fullmatch(name):
        out.append("is not a VBA identifier (a letter first, then only A-Z, a-z, 0-9 and _)")
    if len(name) > MAX_VBA:
        out.append(f"is longer than {MAX_VBA} characters (VBA limit)")
    elif len(name) > MAX_OFFICEJS:
        out.append(f"is longer than {MAX_OFFICEJS} characters (Office.js limit)")
    if name.upper() in VBA_RESERVED:
        out.append("is a VBA reserved word (Import Functions fails)")
    if name.upper() in WRAPPER_NAMES:
        out.append(f"is used inside the generated VBA wrapper ({WRAPPER_NAMES[name.upper()]})")
    return out


def problems(specs=REGISTRY.values()) -> list[str]:  # noqa: B008 (a live view of the registry)
    """Every naming problem of ``specs`` (objects with ``excel_name`` and ``args``
    whose items have ``name``), one sentence each; empty when all names are fine.
    """
    specs = list(specs)
    builtins, xlwings_names = builtin_functions(), xlwings_vba_names()
    functions: dict[str, str] = {}
    out = []
    for spec in specs:
        fname = spec.excel_name
        out += [f"{fname}: function name {why}" for why in _identifier_problems(fname)]
        style = cell_reference(fname)
        if style:
            out.append(
                f"{fname}: function name looks like a cell reference ({style} style); "
                "Excel reads it as a reference"
            )
        if fname.upper() in builtins:
            out.append(f"{fname}: function name is an Excel built-in function, which wins over the add-in")
        if fname.upper() in xlwings_names:
            out.append(f"{fname}: function name clashes with a name in xlwings' own VBA")
        if fname.upper() in functions:
            out.append(
                f"{fname}: function name duplicates function {functions[fname.upper()]} "
                "(VBA and Office.js ids are case-insensitive)"
            )
        functions.setdefault(fname.upper(), fname)
    for spec in specs:
        fname, seen = spec.excel_name, dict[str, str]()
        for arg in spec.args:
            name, key = arg.name, arg.name.upper()
            where = f"{fname}: argument {name!r}"
            out += [f"{where} {why}" for why in _identifier_problems(name)]
            if key in RESERVED_ARGUMENTS:
                out.append(f"{where} is reserved ({RESERVED_ARGUMENTS[key]})")
            if key in functions:
                out.append(
                    f"{where} has the name of function {functions[key]} "
                    "(VBA is case-insensitive: duplicate declaration or shadowing)"
                )
            if key in seen:
                out.append(f"{where} duplicates argument {seen[key]!r} (VBA is case-insensitive)")
            seen.setdefault(key, name)
    return out

"""The engine's copy of a workbook: the formulas that call our functions rewritten for LibreOffice.

:func:`engine_copy` copies a workbook for the LibreOffice engine with :func:`engine_formula`
applied to the formulas that call our functions, and without the formulas of what-if data
tables; :func:`calls_our_function` tells such a formula.  Only this copy is changed: the values
LibreOffice computes from it go back into the original file.
"""

from __future__ import annotations

import functools
import json
import re
import zipfile
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape

from ...runtimes.libreoffice.addin import IMPLEMENTATION
from ...xlsx.calls import LITERAL
from ...xlsx.package import copy_part, read_part, sheet_parts
from ...xlsx.sheet import FORMULA, attr, unescape_text
from .excel_compat import EXCEL_SEMANTICS
from .formula_text import arguments, calls, lets_sound, top_level

__all__ = ["WRAP", "Ours", "calls_our_function", "engine_copy", "engine_formula", "our_functions"]

_INTERNAL = IMPLEMENTATION.upper() + "."


class Ours(NamedTuple):
    """What the rewrite needs to know of our functions: every Excel name, those whose results are always
    labels and those whose results mix labels and numbers (:func:`_mixed_functions`).
    Kept as JSON (:meth:`dumps`, :meth:`loads`) beside the prepared add-in, whose key covers every module
    of xlfuncs, so that a run with LibreOffice reads the names without importing the kernels and numpy.
    """

    names: tuple[str, ...]
    labels: frozenset[str]
    mixed: frozenset[str]

    def dumps(self) -> str:
        return json.dumps(
            {"names": list(self.names), "labels": sorted(self.labels), "mixed": sorted(self.mixed)}
        )

    @classmethod
    def loads(cls, text: str) -> Ours:
        """Raises ValueError (also for JSON of another shape)."""
        kept = json.loads(text)
        try:
            parts = [kept[key] for key in cls._fields]
        except (TypeError, KeyError) as exc:
            raise ValueError(f"not a list of our functions: {exc}") from None
        if not all(isinstance(p, list) and all(isinstance(x, str) for x in p) for p in parts):
            raise ValueError("not a list of our functions")
        return cls(tuple(parts[0]), frozenset(parts[1]), frozenset(parts[2]))


@functools.lru_cache(maxsize=1)
def our_functions() -> Ours:
    """:class:`Ours` from :data:`xlfuncs.REGISTRY` (which imports the kernels)."""
    from ...functions import REGISTRY

    mixed = _mixed_functions()
    labels = frozenset(
        s.excel_name for s in REGISTRY.values() if s.result == "label" and s.excel_name not in mixed
    )
    return Ours(tuple(s.excel_name for s in REGISTRY.values()), labels, mixed)


@functools.lru_cache(maxsize=4)
def _our_call(names: tuple[str, ...] | None = None) -> re.Pattern[str]:
    """A call of one of our names (default: :func:`our_functions`'), plain or as Excel stores unresolved
    add-in names.
    """
    alternatives = "|".join(
        sorted((re.escape(n) for n in names or our_functions().names), key=len, reverse=True)
    )
    return re.compile(rf"(?<![\w.])(?:_xludf\.)?(?:{alternatives})\s*\(", re.I)


def calls_our_function(formula: str) -> bool:
    """Whether a formula's text calls one of our functions.

    >>> calls_our_function("=MARKETCAP(B2,B3)*2"), calls_our_function("=SUM(B2:B3)")
    (True, False)
    >>> calls_our_function('=IF(A1="EV(",1,2)'), calls_our_function("='5 ABC EV'!B7")
    (False, False)
    """
    return bool(_our_call().search(LITERAL.sub('""', formula)))


#: What an argument of our functions becomes inside an array formula in the engine's copy: Calc does not
#: call an add-in with an error inside a range (the whole result would be #VALUE!), so each error
#: element is passed as its text instead, which the argument rules read as that error.  Calc cannot
#: tell which error an element holds, except #N/A (ERROR.TYPE does not work element by element), so
#: the other errors arrive as #VALUE!.
WRAP = 'IFERROR(_xlfn.IFNA({},"#N/A"),"#VALUE!")'


#: Functions whose result is always TRUE or FALSE.
_LOGICAL_FUNCTIONS = frozenset(
    "AND OR NOT XOR TRUE FALSE EXACT ISBLANK ISERR ISERROR ISEVEN ISODD ISFORMULA ISLOGICAL ISNA "
    "ISNONTEXT ISNUMBER ISREF ISTEXT".split()
)
_CALL = re.compile(r"(?:_xlfn\.)?([A-Za-z][\w.]*)\(")


def logical_formula(formula: str) -> bool:
    """Whether a formula's result is TRUE or FALSE by its form: a comparison outside any parentheses,
    one call of a logical function around everything, or an IF, IFERROR or IFNA whose results are
    all such.  (Calc has no boolean type; it marks such results with its logical number format,
    which a cell formatted explicitly does not show.)

    >>> [logical_formula(f) for f in ("A1=B1", "AND(A1,B1)", "(A1>1)", 'IF(A1="x",1,0)', "SUM(A1)=0")]
    [True, True, True, False, True]
    >>> logical_formula("IF(ISERROR(F3),ISERROR(C3),ROUND(F3,12)=ROUND(C3,12))"), logical_formula("IF(A1,B1)")
    (True, False)
    """
    formula = formula.strip()
    if any(ch in "=<>" for ch in top_level(formula)):
        return True
    if formula.startswith("("):
        inner = arguments(formula, 1)
        return (
            inner is not None
            and inner[1] == len(formula)
            and len(inner[0]) == 1
            and logical_formula(inner[0][0])
        )
    m = _CALL.match(formula)
    found = arguments(formula, m.end()) if m else None
    if m is None or found is None or found[1] != len(formula):
        return False
    name, args = m[1].upper(), found[0]
    if name in _LOGICAL_FUNCTIONS:
        return True
    if name == "IF" and len(args) in (2, 3):
        return all(logical_formula(a) for a in args[1:])
    if name in ("IFERROR", "_XLFN.IFNA", "IFNA") and len(args) == 2:
        return all(logical_formula(a) for a in args)
    return False


def _mixed_functions() -> frozenset[str]:
    """Functions whose results mix labels and numbers: FDBRIDGE's rows, FDTRANCHES' header, a
    number function that shows a label where its result is not meaningful (MULTIPLE's ``NM``), and
    a label function that fetches (FILING answers a figure as a number, a form or link as text).
    """
    from ...functions import REGISTRY
    from ...runtimes.fetching import fetches

    return frozenset(
        s.excel_name
        for s in REGISTRY.values()
        if s.result in ("table", "schedule")
        or (isinstance(s.nan_result, str) and s.nan_result[:1] != "#")
        or (s.result == "label" and fetches(s))
    )


def engine_formula(formula: str, names: bool, wrap: bool, let: bool = True, known: Ours | None = None) -> str:
    """A formula as the engine's copy stores it: with ``names``, our functions under the add-in's
    internal names, which every LibreOffice binds (7.4 does not bind the Excel names); with ``wrap``,
    each of their arguments wrapped in :data:`WRAP` (for array formulas).  Literals stay as they are.
    A call of a function whose results are labels gets ``&""``: Calc 25.2 keeps the text an add-in
    returns out of its string pool, so COUNTIF, SUMIFS and ``=`` on those cells never match it
    (measured: ``COUNTIF(B2:B5,"Mega")`` is 0 over a spilled MCAPCLASS holding "Mega");
    the concatenation stores the same text through the pool.  A function whose results mix labels
    and numbers gets the same for its text elements only, ``LET(r,f,IF(ISTEXT(r),r&"",r))`` (MATCH
    over FDBRIDGE's labels and COUNTIFS of MULTIPLE's "NM" found none); ``LET``, because with ``f``
    in IF's branches Calc would call the add-in once per element.
    LET came with LibreOffice 24.8, so with ``names`` (the versions before 25.2) the call is written
    out three times, ``IF(ISTEXT(f),f&"",f)``: slower, but MATCH over FDBRIDGE's labels finds them on
    7.4 too (tests/calc/test_libreoffice_older.py).  Without ``let`` the same is written where LET would
    not compute (:func:`~.formula_text.lets_sound`).

    >>> engine_formula('MARKETCAP(A1,B1)&"MARKETCAP("&_xludf.ev(1,2,3)', True, False)
    'ORG.XLFUNCS.CALC.FUNCTIONS.MARKETCAP(A1,B1)&"MARKETCAP("&ORG.XLFUNCS.CALC.FUNCTIONS.EV(1,2,3)'
    >>> engine_formula("SUM(EV(A1:A3,,C1))", False, True)
    'SUM(EV(IFERROR(_xlfn.IFNA(A1:A3,"#N/A"),"#VALUE!"),,IFERROR(_xlfn.IFNA(C1,"#N/A"),"#VALUE!")))'
    >>> engine_formula("MCAPCLASS(G2)", False, False)
    '(MCAPCLASS(G2)&"")'
    """
    known = known or our_functions()
    labels, mixed = known.labels, known.mixed

    def rewrite(m: re.Match[str], args: list[str]) -> str:
        args = [engine_formula(a, names, wrap, let, known) for a in args]
        if wrap:
            args = [WRAP.format(a) if a.strip() else a for a in args]
        name = m.group()[:-1].strip()
        base = re.sub(r"^_xludf\.", "", name, flags=re.I).upper()
        if names:
            name = _INTERNAL + base
        text = f"{name}({','.join(args)})"
        if base in labels:
            text = f'({text}&"")'
        elif base in mixed and let and not names:
            text = f'_xlfn.LET(_xlpm.r,{text},IF(ISTEXT(_xlpm.r),_xlpm.r&"",_xlpm.r))'
        elif base in mixed:  # LET is 24.8+; the versions that get the names rewritten are older
            text = f'IF(ISTEXT({text}),{text}&"",{text})'
        return text

    return calls(formula, _our_call(known.names), rewrite)


#: ``_xlfn.ANCHORARRAY(X)``, Excel's spill reference ``X#``: groups the sheet (with its ``!``), the
#: ``$`` and letters of the column, the ``$`` and number of the row.
_ANCHOR = re.compile(
    r"_xlfn\.ANCHORARRAY\(\s*((?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?(\$?)([A-Za-z]{1,3})(\$?)(\d+)\s*\)"
)


def _spill_ranges(book: zipfile.ZipFile, parts: dict[str, str]) -> dict[tuple[str, str], str]:
    """``{(sheet name upper-cased, "A1"): "A1:A3"}``: the stored range of every array formula."""
    found: dict[tuple[str, str], str] = {}
    for name, part in parts.items():
        for m in re.finditer(
            r"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b([^>]*)", read_part(book, part).decode("utf-8")
        ):
            ref = attr(m[2], "ref")
            if attr(m[2], "t") == "array" and ref and ":" in ref:
                found[(name.upper(), (attr(m[1], "r") or "").upper())] = ref.upper()
    return found


def spill_references(formula: str, sheet: str, ranges: dict[tuple[str, str], str]) -> str:
    """``formula`` with each ``_xlfn.ANCHORARRAY(X)`` (which LibreOffice 25.2 does not know: ``#NAME?``)
    written as the range X's array formula spilled into when the workbook was stored, keeping ``$``.

    >>> spill_references("SUM(_xlfn.ANCHORARRAY($A$1))", "S", {("S", "A1"): "A1:B3"})
    'SUM($A$1:$B$3)'
    >>> spill_references("_xlfn.ANCHORARRAY('My S'!C2)", "S", {("MY S", "C2"): "C2:C9"})
    "'My S'!C2:C9"
    """

    def fix(m: re.Match[str]) -> str:
        qualifier, d1, col, d2, row = m.groups()
        name = qualifier[:-1].strip("'").replace("''", "'") if qualifier else sheet
        stored = ranges.get((name.upper(), f"{col}{row}".upper()))
        if stored is None:
            return m[0]
        end = stored.split(":")[1]
        letters = re.match(r"[A-Z]+", end)
        assert letters is not None
        return f"{qualifier or ''}{d1}{col}{d2}{row}:{d1}{letters[0]}{d2}{end[letters.end() :]}"

    return _ANCHOR.sub(fix, formula)


#: A sheet's relationship to a pivot table, as the sheet's relationships part holds it.
_PIVOT_TABLE = re.compile(r"<(?:\w+:)?Relationship\b[^>]*Type=\"[^\"]*/pivotTable\"[^>]*/>")


def _relationships_part(part: str) -> str:
    """The relationships part of a package part: ``xl/_rels/a.xml.rels`` for ``xl/a.xml``."""
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def _pivot_outputs_stay(book: zipfile.ZipFile, sheets: list[str]) -> bool:
    """Whether the copy keeps its pivot tables: when it has none, or a formula reads one (GETPIVOTDATA)."""
    if not any("pivotTable" in name for name in book.namelist()):
        return True
    return any(b"GETPIVOTDATA" in read_part(book, part).upper() for part in sheets)


def engine_copy(src: Path, dst: Path, names: bool, wrap: bool, known: Ours | None = None) -> None:
    """Copy the workbook with :func:`engine_formula` applied to the formulas that call our functions
    (those that need it: every one with ``names``, array formulas with ``wrap``, label functions),
    with spill references written as ranges (:func:`spill_references`) and, without ``names``,
    Excel's own functions that Calc computes differently given Excel's results
    (:data:`~.excel_compat.EXCEL_SEMANTICS`).  What-if data tables stay: Calc computes them as
    MULTIPLE.OPERATIONS.  Pivot tables go (the sheets' relationships to them), unless a formula reads
    one with GETPIVOTDATA: Excel does not refresh a pivot table when it recalculates, so its cells
    keep the values stored with the book, where Calc would lay the table out again from its cache
    (and label an empty item "(empty)", not Excel's "(blank)").  ``known``: our functions
    (default :func:`our_functions`).
    """
    known = known or our_functions()
    call = _our_call(known.names)
    texts = known.labels | known.mixed
    label = re.compile(rf"(?<![\w.])(?:_xludf\.)?(?:{'|'.join(texts)})\s*\(", re.I)
    ranges: dict[tuple[str, str], str] = {}
    sheet = ""

    def fix(m: re.Match[str]) -> str:
        text = m["text"]
        if not text:
            return m.group()
        spill = "ANCHORARRAY" in text
        array = attr(m["attrs"], "t") == "array"
        ours = call.search(text) and (names or (wrap and array) or label.search(text))
        # LET came with 24.8, after the versions given names
        excel = [] if names else [f for p, f in EXCEL_SEMANTICS if p.search(text)]
        if not ours and not spill and not excel:
            return m.group()
        formula = unescape_text(text)
        if spill:
            formula = spill_references(formula, sheet, ranges)
        for rewrite in excel:
            # a rewrite whose LET Calc would not compute beside the formula's others is left out
            done = rewrite(formula)
            if lets_sound(done) or not lets_sound(formula):
                formula = done
        if ours:
            done = engine_formula(formula, names, wrap and array, known=known)
            formula = (
                done if lets_sound(done) else engine_formula(formula, names, wrap and array, False, known)
            )
        return f"<f{m['attrs']}>{escape(formula)}</f>"

    # a temporary file LibreOffice reads once: parts it need not change are copied as they are,
    # the others compressed at level 1 (a copy read once need not be small)
    with (
        zipfile.ZipFile(src) as book,
        zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
    ):
        named = sheet_parts(book)
        parts = {part: name for name, part in named.items()}
        pivots = set() if _pivot_outputs_stay(book, list(parts)) else {_relationships_part(p) for p in parts}
        for info in book.infolist():
            if info.filename in pivots:
                rels = read_part(book, info.filename).decode("utf-8")
                out.writestr(info.filename, _PIVOT_TABLE.sub("", rels).encode("utf-8"))
                continue
            if info.filename not in parts:
                copy_part(book, info, out)
                continue
            xml = read_part(book, info.filename).decode("utf-8")
            if "ANCHORARRAY" in xml and not ranges:
                ranges = _spill_ranges(book, named)
            sheet = parts[info.filename]
            out.writestr(info.filename, FORMULA.sub(fix, xml).encode("utf-8"))

"""What ``xlfuncs calc`` gives back: values, error values, the problems it reports, the summary.

A computed workbook is ``{(sheet name, "A1"): value}`` for every formula cell (and every cell of an
array formula's range): ``float``, ``int``, ``str``, ``bool`` or :class:`ExcelError`.  Error values
are results, not failures: a cell computes to ``#N/A``, ``#NUM!``, ... as in Excel.  What an
engine cannot compute as Excel would is reported beside the values, ``{problem: [(sheet, "A1"),
...]}``, with the texts below.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n.messages import marked, msg
from ..xlsx.refs import REF
from ..xlsx.sheet import escape_text

__all__ = ["CalcInputError", "ExcelError", "Problems", "Summary", "Values", "encode", "summarize"]

#: ``{(sheet name, "A1"): value}``
Values = dict[tuple[str, str], object]
#: ``{problem: [(sheet name, "A1"), ...]}``
Problems = dict[str, list[tuple[str, str]]]

#: Problems that are limits of ``formulas``, not of the workbook.
UNPARSED = marked("formula not understood by formulas (written as #VALUE!)")
CIRCULAR = marked("circular reference (written as 0)")
UNCOMPUTED = marked("not computed by formulas (written as #VALUE!)")
APOSTROPHE = marked("#REF! on a sheet whose name has an apostrophe, which formulas 1.3.4 cannot handle")
#: A formula cell that LibreOffice's result does not hold.
NOT_COMPUTED = marked("not computed by LibreOffice (stored value kept)")
#: What-if data tables (Data > What-If Analysis > Data Table): neither engine computes them
#: (LibreOffice's MULTIPLE.OPERATIONS misses an input that reaches the formula through other cells).
DATA_TABLE = marked("not computed (Excel's stored values kept; cells that use them computed from those)")
#: The advice for a workbook too large for the formulas engine.
TOO_LARGE = "write one spilled formula per column instead of one per row, or split the workbook"


class ExcelError(str):
    """An Excel error value (``ExcelError("#N/A") == "#N/A"``), as opposed to text that looks like one."""

    __slots__ = ()

    def __repr__(self):
        return f"ExcelError({str(self)!r})"


class CalcInputError(Exception):
    """The workbook cannot be used: missing, not an .xlsx, unreadable, or the output cannot be written."""


def one_line(exc: BaseException) -> str:
    """An exception as one line: its type and the first line of its message."""
    text = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# --- a value as the file stores it ---------------------------------------------------------

_ESCAPE = re.compile(r"[&<>_\x00-\x08\x0b-\x1f\ufffe\uffff]")  # what escape_text may change, and more


def encode(value: object) -> tuple[str | None, str | None]:
    """``(t attribute, <v> text)`` for a value; ``(None, None)`` removes the cached value.

    Numbers are written without ``t``, text as ``t="str"``, booleans as ``t="b"``,
    :class:`ExcelError` values (and ``formulas``' XlError) as ``t="e"``; NaN and infinities become
    ``#NUM!``.  The types engines return (float, int, str) are told apart by ``type`` first: this
    runs once per value written.
    """
    if type(value) is float:
        if not math.isfinite(value):
            return "e", "#NUM!"
        return None, str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if type(value) is int:
        return (None, str(value)) if -(2**53) < value < 2**53 else encode(float(value))
    if type(value) is str:
        return "str", escape_text(value) if _ESCAPE.search(value) else value
    if value is None:
        return None, None
    if isinstance(value, ExcelError) or type(value).__name__ == "XlError":
        return "e", str(value)
    # numpy's scalar types (the formulas engine's values) exist only where numpy is loaded: the
    # LibreOffice engine's runs do not import it
    np = sys.modules.get("numpy")
    if type(value) is bool or (np is not None and isinstance(value, np.bool_)):
        return "b", "1" if value else "0"
    if isinstance(value, str):
        return "str", escape_text(value)
    if isinstance(value, int) or (np is not None and isinstance(value, np.integer)):
        return encode(int(value))
    return encode(float(value))  # type: ignore[arg-type]  # (what float() refuses is an error)


# --- the summary ---------------------------------------------------------------------------


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
    sheets: list[str] = field(default_factory=list)  #: the sheets holding formula cells, in book order
    cross_checked: str = ""  #: the engine that computed the book a second time (``--cross-check``)
    #: ``("Sheet!A1", this engine's value, the other's)`` where the two disagree
    disagreements: list[tuple[str, object, object]] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The summary as plain data (``xlfuncs calc --json``): the engine that computed each sheet
        and every cell it could not compute as Excel would (``uncomputed``: cells and data tables).
        """
        uncomputed = (UNPARSED, UNCOMPUTED, NOT_COMPUTED, DATA_TABLE)
        return {
            "source": str(self.source),
            "output": str(self.output),
            "engine": self.engine,
            "sheets": dict.fromkeys(self.sheets, self.engine),
            "cells": self.cells,
            "seconds": round(self.seconds, 3),
            "errors": dict(self.errors),
            "uncomputed": [cell for problem in uncomputed for cell in self.problems.get(problem, [])],
            "problems": self.problems,
            **(
                {
                    "cross_checked": self.cross_checked,
                    "disagreements": [
                        {"cell": cell, self.engine: _plain(a), self.cross_checked: _plain(b)}
                        for cell, a, b in self.disagreements
                    ],
                }
                if self.cross_checked
                else {}
            ),
        }

    def lines(self) -> list[str]:
        where = msg("in place") if self.output == self.source else f"-> {self.output}"
        out = [
            msg(
                "{name}: computed {cells:,} formula cells in {seconds:.2f} s "
                "with {engine}, values written {where}",
                name=self.source.name,
                cells=self.cells,
                seconds=self.seconds,
                engine=self.engine,
                where=where,
            )
        ]
        if not self.errors:
            out.append(msg("no error values"))
        for error, n in sorted(self.errors.items(), key=lambda e: (-e[1], e[0])):
            more = ", ..." if n > len(self.examples[error]) else ""
            found = {"error": error, "n": n, "cells": ", ".join(self.examples[error]) + more}
            out.append(
                msg("{error} {n:,} cell: {cells}", **found)
                if n == 1
                else msg("{error} {n:,} cells: {cells}", **found)
            )
        for problem, cells in self.problems.items():
            shown = len(cells) if problem == DATA_TABLE else 5
            more = ", ..." if len(cells) > shown else ""
            found = {"n": len(cells), "problem": msg(problem), "cells": ", ".join(cells[:shown]) + more}
            if problem == DATA_TABLE:
                line = (
                    msg("warning: {n:,} what-if data table {problem}: {cells}", **found)
                    if len(cells) == 1
                    else msg("warning: {n:,} what-if data tables {problem}: {cells}", **found)
                )
            else:
                line = (
                    msg("warning: {n:,} cell {problem}: {cells}", **found)
                    if len(cells) == 1
                    else msg("warning: {n:,} cells {problem}: {cells}", **found)
                )
            out.append(line)
        if self.cross_checked:
            out.extend(self._cross_check_lines())
        return out

    def _cross_check_lines(self) -> list[str]:
        n = len(self.disagreements)
        if not n:
            return [msg("cross-check: {a} and {b} agree on every cell", a=self.engine, b=self.cross_checked)]
        found = {"a": self.engine, "b": self.cross_checked, "n": n}
        out = [
            msg("cross-check: {a} and {b} disagree on {n:,} cell", **found)
            if n == 1
            else msg("cross-check: {a} and {b} disagree on {n:,} cells", **found)
        ]
        for cell, a, b in self.disagreements[:SHOWN_DISAGREEMENTS]:
            out.append(f"  {cell}: {self.engine} {shown(a)}, {self.cross_checked} {shown(b)}")
        if n > SHOWN_DISAGREEMENTS:
            out.append(msg("  ... {n:,} more (--json lists every one)", n=n - SHOWN_DISAGREEMENTS))
        return out

    def __str__(self):
        return "\n".join(self.lines())


#: The disagreements the text summary lists (``--json`` lists all).
SHOWN_DISAGREEMENTS = 20


def shown(value: object) -> str:
    """A value as the text summary shows it: TRUE/FALSE, errors as they are, text quoted, every
    digit of a number.

    >>> [shown(v) for v in (True, ExcelError("#N/A"), "#N/A", 0.30000000000000004, None)]
    ['TRUE', '#N/A', '"#N/A"', '0.30000000000000004', 'no value']
    """
    if value is None:
        return msg("no value")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, ExcelError):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return repr(value)


def _plain(value: object) -> object:
    """A value as JSON holds it: numbers, booleans, text (error values as their text), null;
    a number JSON cannot hold (NaN, infinities) as its text.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return str(value) if isinstance(value, str) else value


def a1(sheet: str, ref: str) -> str:
    """``Sheet!A1``, with the sheet name quoted as Excel does when it needs it."""
    if not re.fullmatch(r"[A-Za-z_][\w.]*", sheet) or REF.fullmatch(sheet):
        sheet = "'" + sheet.replace("'", "''") + "'"
    return f"{sheet}!{ref}"


def summarize(
    src: Path, dst: Path, values: Values, problems: Problems, engine: str, seconds: float
) -> Summary:
    """The :class:`Summary` of a computed workbook: its error values counted, up to 5 example cells each."""
    errors: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for (sheet, ref), v in values.items():
        if isinstance(v, ExcelError):
            errors[v] += 1
            if len(examples.setdefault(v, [])) < 5:
                examples[v].append(a1(sheet, ref))
    return Summary(
        source=src,
        output=dst,
        cells=len(values),
        seconds=seconds,
        errors=Counter({str(k): n for k, n in errors.items()}),
        examples={str(k): v for k, v in examples.items()},
        problems={p: [a1(s, r) for s, r in cells] for p, cells in problems.items()},
        engine=engine,
        sheets=list(dict.fromkeys(sheet for sheet, _ in values)),
    )

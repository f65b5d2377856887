"""Excel's IF, IFS, NOT and SWITCH where Calc reads their values differently, in the engine's copy.

- A condition of IF or IFS, or NOT's argument, that is a text other than "TRUE" or "FALSE" is #VALUE!
  in Excel, numeric text too; Calc reads "1" as 1.  Only a condition that is one cell reference is
  rewritten: a comparison or a logical function never gives text, and the cell costs a read.
- SWITCH matches a value only of the same type in Excel: TRUE is not 1, the text "1" is not 1, an
  empty cell is 0 and not ""; Calc compares TRUE as 1 and FALSE as 0, and text with numbers.  Calc
  tells TRUE and FALSE from numbers only in a cell (``ISLOGICAL``), so only a SWITCH whose value and
  cases are single values (a cell or a constant) is rewritten.
"""

from __future__ import annotations

import re

from .excel_errors import single_value
from .formula_text import calls, logical_cell

__all__ = ["CONDITION", "excel_conditions"]

CONDITION = re.compile(r"(?<![\w.])(IF|_xlfn\.IFS|NOT|_xlfn\.SWITCH)\s*\(", re.I)


def _condition(arg: str) -> str:
    """A condition that is #VALUE! where it is text other than TRUE or FALSE (either case), else itself."""
    if not logical_cell(arg):
        return excel_conditions(arg)
    c = arg.strip()
    return f'IF(ISTEXT({c}),IF(OR(UPPER({c})="TRUE",UPPER({c})="FALSE"),{c},#VALUE!),{c})'


def _kind(value: str) -> str:
    """0 for a number (an empty cell reads as 0), 1 for text, 2 for TRUE or FALSE: a constant's by its
    form, a cell's as Calc reads it.
    """
    if value.upper() in ("TRUE", "FALSE"):
        return "2"
    if value.startswith('"'):
        return "1"
    if value[:1].isdigit() or value[:1] in "+-.":
        return "0"
    return f"IF(ISLOGICAL({value}),2,IF(ISTEXT({value}),1,0))"


def _switch(args: list[str]) -> str | None:
    value, rest = args[0].strip(), args[1:]
    pairs = len(rest) // 2
    if pairs == 0 or not all(single_value(a) and a.strip() for a in [value, *rest[: 2 * pairs : 2]]):
        return None
    text = excel_conditions(rest[-1]) if len(rest) % 2 else "#N/A"
    for i in reversed(range(pairs)):
        case, result = rest[2 * i].strip(), excel_conditions(rest[2 * i + 1])
        text = f"IF(AND({_kind(value)}={_kind(case)},{value}={case}),{result},{text})"
    return f"IF(ISERROR({value}),{value},{text})"


def excel_conditions(formula: str) -> str:
    """``formula`` with IF's and IFS' conditions and NOT's argument that are one cell reading text other
    than TRUE and FALSE as #VALUE!, and SWITCH of single values matching by type as well as value.

    >>> excel_conditions('IF(A1,"yes",NOT(B1))')
    'IF(IF(ISTEXT(A1),IF(OR(UPPER(A1)="TRUE",UPPER(A1)="FALSE"),A1,#VALUE!),A1),"yes",NOT(IF(ISTEXT(B1),IF(OR(UPPER(B1)="TRUE",UPPER(B1)="FALSE"),B1,#VALUE!),B1)))'
    >>> excel_conditions("_xlfn.IFS(A1>0,1,B1,2)")[:31]
    '_xlfn.IFS(A1>0,1,IF(ISTEXT(B1),'
    >>> excel_conditions('_xlfn.SWITCH(A1,0,"zero","other")')
    'IF(ISERROR(A1),A1,IF(AND(IF(ISLOGICAL(A1),2,IF(ISTEXT(A1),1,0))=0,A1=0),"zero","other"))'
    >>> excel_conditions('IF(A1>0,1)&_xlfn.SWITCH(A1:A2,1,2)&"IF(A1,1)"')
    'IF(A1>0,1)&_xlfn.SWITCH(A1:A2,1,2)&"IF(A1,1)"'
    """

    def rewrite(m: re.Match[str], args: list[str]) -> str | None:
        name = m[1].upper()
        if name == "_XLFN.SWITCH":
            return _switch(args)
        if name == "NOT" and len(args) == 1:
            args = [_condition(args[0])]
        elif name == "IF" and len(args) in (2, 3):
            args = [_condition(args[0]), *map(excel_conditions, args[1:])]
        elif name == "_XLFN.IFS" and len(args) % 2 == 0:
            args = [_condition(a) if i % 2 == 0 else excel_conditions(a) for i, a in enumerate(args)]
        else:
            return None
        return f"{m[1]}({','.join(args)})"

    return calls(formula, CONDITION, rewrite)

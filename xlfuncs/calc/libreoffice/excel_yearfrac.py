"""Excel's YEARFRAC in the engine's copy: its checks of the basis and the dates, and its 30/360 bases on
Excel's 1900 calendar.

Excel's stored values (``23_yearfrac.xlsx``) show where Calc differs:

- Excel checks the basis before the dates: a basis that is an error gives that error, TRUE or FALSE
  in a cell and a text that is no number give #VALUE!, a basis outside 0..4 (truncated) gives #NUM!,
  whatever the dates hold.  Calc answers with the date's error first, and counts TRUE as 1.
- A date before serial 0 or after 31 December 9999 (serial 2958465) is #NUM! in Excel; Calc answers.
- Below serial 61 Excel's calendar has a 0 January and a 29 February 1900 that Calc's has not, so the
  30/360 bases (0, US; 4, European) count other days there: ``YEARFRAC(1,200,0)`` is 197/360 in Excel,
  198/360 in Calc.  Those are computed here from Excel's day, month and year (David A. Wheeler's
  description of Excel's basis 0, which gives Excel's stored value for each of the book's 740 date
  pairs of bases 0 and 4).  Bases 2 and 3 count the serials' difference, as Calc does; basis 1 below
  serial 61 stays Calc's (Excel's year length of 1900 for it is not known here).

Excel truncates every argument to an integer (its documentation), so the dates go to Calc truncated.
Only a call whose arguments are single values (a cell or a constant) is rewritten, as they are read
several times; a TRUE or FALSE written as a constant stays Calc's (Calc's ``ISLOGICAL`` tells a
logical value only in a cell).
"""

from __future__ import annotations

import math
import re

from .excel_errors import single_value
from .formula_text import calls, logical_cell

__all__ = ["YEARFRAC", "excel_yearfrac"]

YEARFRAC = re.compile(r"(?<![\w.])(YEARFRAC)\s*\(", re.I)

#: The last serial Excel's calendar has (31 December 9999), and the first of March 1900.
_LAST, _MARCH = 2958465, 61
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _thirty_360(p: str, q: str, basis: str) -> str:
    """The 30/360 fraction from serial ``p`` (below 61) to ``q`` (at least ``p``) on Excel's calendar:
    serials 0..31 are 0..31 January 1900, 32..60 are 1..29 February; from 61 on Calc's calendar agrees.
    """
    d1, m1 = f"IF({p}<32,{p},{p}-31)", f"IF({p}<32,1,2)"
    y2 = f"IF({q}<{_MARCH},1900,YEAR({q}))"
    m2 = f"IF({q}<32,1,IF({q}<{_MARCH},2,MONTH({q})))"
    d2 = f"IF({q}<32,{q},IF({q}<{_MARCH},{q}-31,DAY({q})))"
    feb_end = f"IF({q}<{_MARCH},{q}=60,AND({m2}=2,DAY({q}+1)=1))"  # the last day of February
    months = f"({y2}-1900)*360+({m2}-{m1})*30"
    european = f"MIN({d2},30)-MIN({d1},30)"
    us = f"IF(OR(AND({d2}=31,{d1}>=30),AND({p}=60,{feb_end})),30,{d2})-IF(OR({d1}=31,{p}=60),30,{d1})"
    return f"({months}+IF({basis}=4,{european},{us}))/360"


def excel_yearfrac(formula: str) -> str:
    """``formula`` with each YEARFRAC of single values (cells or constants) checking them as Excel does
    and counting its 30/360 bases below serial 61 on Excel's calendar.  Without ``LET``: Calc 25.2 reads
    a formula's second ``LET`` wrongly when it nests or brings other names (``#NAME?``), and a cell is
    cheap to read again.

    >>> excel_yearfrac("YEARFRAC(A1,B1,1)")
    'IF(OR(ISERROR(A1),ISERROR(B1),ISTEXT(A1),ISTEXT(B1),ISLOGICAL(A1),ISLOGICAL(B1)),YEARFRAC(A1,B1,1),IF(OR(TRUNC(MIN(N(A1),N(B1)))<0,TRUNC(MAX(N(A1),N(B1)))>2958465),#NUM!,YEARFRAC(TRUNC(MIN(N(A1),N(B1))),TRUNC(MAX(N(A1),N(B1))),1)))'
    >>> excel_yearfrac("YEARFRAC(A1,B1,C1)")[:100]
    'IF(ISERROR(C1),C1,IF(ISLOGICAL(C1),#VALUE!,IF(ISERROR(TRUNC(IF(ISTEXT(C1),VALUE(C1),C1))),#VALUE!,IF'
    >>> "IF(TRUNC(MIN(N(A1),N(B1)))>=61,YEARFRAC(" in excel_yearfrac("YEARFRAC(A1,B1)"), excel_yearfrac("YEARFRAC(A1,B1,5)")
    (True, '#NUM!')
    >>> excel_yearfrac("YEARFRAC(A1,B1,1E999)"), excel_yearfrac("YEARFRAC(A1,B1,TRUE)")
    ('YEARFRAC(A1,B1,1E999)', 'YEARFRAC(A1,B1,TRUE)')
    >>> excel_yearfrac('YEARFRAC(A1:A3,B1,1)&YEARFRAC(A1+1,B1)&"YEARFRAC("')
    'YEARFRAC(A1:A3,B1,1)&YEARFRAC(A1+1,B1)&"YEARFRAC("'
    """

    def rewrite(m: re.Match[str], args: list[str]) -> str | None:
        if len(args) not in (2, 3) or not all(single_value(a) and a.strip() for a in args[:2]):
            return None
        if len(args) == 3 and not single_value(args[2]):
            return None
        s, e = args[0].strip(), args[1].strip()
        b = args[2].strip() if len(args) == 3 and args[2].strip() else "0"
        if any(a.upper() in ("TRUE", "FALSE") for a in (s, e, b)):
            return None
        p, q = f"TRUNC(MIN(N({s}),N({e})))", f"TRUNC(MAX(N({s}),N({e})))"
        static = _NUMBER.fullmatch(b) is not None  # a number: its basis is known here
        if static and not math.isfinite(float(b)):
            return None
        n = str(math.trunc(float(b))) if static else f"TRUNC(IF(ISTEXT({b}),VALUE({b}),{b}))"
        if static and not 0 <= int(n) <= 4:
            return "#NUM!"
        call = f"{m[1]}({p},{q},{n})"
        if n not in ("1", "2", "3"):  # 30/360 below March 1900 on Excel's calendar
            actual = f"{p}>={_MARCH}" if static else f"OR({p}>={_MARCH},{n}=1,{n}=2,{n}=3)"
            call = f"IF({actual},{call},{_thirty_360(p, q, n)})"
        logical = [f"ISLOGICAL({a})" for a in (s, e) if logical_cell(a)]
        other = (
            f"OR({','.join([f'ISERROR({s})', f'ISERROR({e})', f'ISTEXT({s})', f'ISTEXT({e})', *logical])})"
        )
        text = f"IF({other},{m[1]}({s},{e},{n}),IF(OR({p}<0,{q}>{_LAST}),#NUM!,{call}))"
        if static:
            return text
        return (
            f"IF(ISERROR({b}),{b},IF({f'ISLOGICAL({b})' if logical_cell(b) else 'FALSE'},#VALUE!,"
            f"IF(ISERROR({n}),#VALUE!,IF(OR({n}<0,{n}>4),#NUM!,{text}))))"
        )

    return calls(formula, YEARFRAC, rewrite)

"""Excel's 1900 calendar for DAY, MONTH and YEAR in the engine's copy (Calc has no 29 February 1900)."""

from __future__ import annotations

import re

from .formula_text import calls

__all__ = ["DATE_PART", "leap_day"]

#: DAY, MONTH and YEAR, with what Excel gives for a serial in [0, 1) (0 January 1900) and in [60, 61) (its
#: 29 February 1900, a day Calc's calendar does not have).
_DATE_PARTS = {"DAY": ("0", "29"), "MONTH": ("1", "2"), "YEAR": ("1900", "1900")}
DATE_PART = re.compile(r"(?<![\w.])(DAY|MONTH|YEAR)\s*\(", re.I)


def leap_day(formula: str) -> str:
    """``formula`` with DAY, MONTH and YEAR computed on Excel's 1900 calendar.  Excel counts a 29 February
    1900 (serial 60) and a 0 January (serial 0, an empty cell's date), so below serial 61 its dates are
    one day later than Calc's, and a negative serial is #NUM!; from serial 61 on both agree.  Each call
    becomes ``LET(d, x, ...)`` choosing by the serial (a text argument goes to the function as it is, to
    be read as a date text).

    >>> leap_day('YEAR(A1)&"DAY("')[:73]
    '_xlfn.LET(_xlpm.d,A1,IF(ISTEXT(_xlpm.d),YEAR(_xlpm.d),IF(_xlpm.d<0,#NUM!,'
    >>> leap_day('YEAR(A1)&"DAY("')[73:]
    'IF(_xlpm.d<1,1900,IF(_xlpm.d<60,YEAR(_xlpm.d+1),IF(_xlpm.d<61,1900,YEAR(_xlpm.d)))))))&"DAY("'
    >>> leap_day("WEEKDAY(A1)+_xlfn.DAYS(A1,B1)")
    'WEEKDAY(A1)+_xlfn.DAYS(A1,B1)'
    """

    def rewrite(m: re.Match[str], args: list[str]) -> str | None:
        if len(args) != 1:
            return None
        name, d = m[1].upper(), "_xlpm.d"
        start, feb29 = _DATE_PARTS[name]
        return (
            f"_xlfn.LET({d},{leap_day(args[0])},IF(ISTEXT({d}),{name}({d}),IF({d}<0,#NUM!,IF({d}<1,{start},"
            f"IF({d}<60,{name}({d}+1),IF({d}<61,{feb29},{name}({d})))))))"
        )

    return calls(formula, DATE_PART, rewrite)

"""Excel's 1900 calendar for DAY, MONTH and YEAR in the engine's copy (Calc has no 29 February 1900)."""

from __future__ import annotations

import re

from .formula_text import bind, calls, logical_cell

__all__ = ["DATE_PART", "SERIAL_FUNCTION", "leap_day", "serial_range"]

#: DAY, MONTH and YEAR, with what Excel gives for a serial in [0, 1) (0 January 1900) and in [60, 61) (its
#: 29 February 1900, a day Calc's calendar does not have).
_DATE_PARTS = {"DAY": ("0", "29"), "MONTH": ("1", "2"), "YEAR": ("1900", "1900")}
DATE_PART = re.compile(r"(?<![\w.])(DAY|MONTH|YEAR)\s*\(", re.I)


def leap_day(formula: str) -> str:
    """``formula`` with DAY, MONTH and YEAR computed on Excel's 1900 calendar.  Excel counts a 29 February
    1900 (serial 60) and a 0 January (serial 0, an empty cell's date), so below serial 61 its dates are
    one day later than Calc's, and a negative serial is #NUM!; from serial 61 on both agree.  Each call
    chooses by the serial, computed once (:func:`~.formula_text.bind`); a text argument goes to the
    function as it is, to be read as a date text.

    >>> leap_day('YEAR(A1)&"DAY("')[:53]
    'IF(ISTEXT(A1),YEAR(A1),IF(A1<0,#NUM!,IF(A1<1,1900,IF('
    >>> leap_day('YEAR(A1)&"DAY("')[53:]
    'A1<60,YEAR(A1+1),IF(A1<61,1900,YEAR(A1))))))&"DAY("'
    >>> leap_day("DAY(A1+1)")[:45]
    '_xlfn.LET(_xlpm.x,A1+1,IF(ISTEXT(_xlpm.x),DAY'
    >>> leap_day("WEEKDAY(A1)+_xlfn.DAYS(A1,B1)")
    'WEEKDAY(A1)+_xlfn.DAYS(A1,B1)'
    """

    def rewrite(m: re.Match[str], args: list[str]) -> str | None:
        if len(args) != 1:
            return None
        name = m[1].upper()
        start, feb29 = _DATE_PARTS[name]
        return bind(
            [leap_day(args[0])],
            lambda d: (
                f"IF(ISTEXT({d}),{name}({d}),IF({d}<0,#NUM!,IF({d}<1,{start},"
                f"IF({d}<60,{name}({d}+1),IF({d}<61,{feb29},{name}({d}))))))"
            ),
        )

    return calls(formula, DATE_PART, rewrite)


#: Functions of a date or time serial whose negative serial is #NUM! in Excel (every date function's
#: "serial number out of range"); Calc reads it as a date before 1900 and answers.  EDATE and EOMONTH
#: (Analysis ToolPak functions in Excel) also refuse TRUE and FALSE with #VALUE!, where Calc counts 1
#: and 0.
SERIAL_FUNCTION = re.compile(
    r"(?<![\w.])(HOUR|MINUTE|SECOND|WEEKDAY|WEEKNUM|_xlfn\.ISOWEEKNUM|EDATE|EOMONTH)\s*\(", re.I
)
_NO_LOGICAL = ("EDATE", "EOMONTH")


def serial_range(formula: str) -> str:
    """``formula`` with the functions of :data:`SERIAL_FUNCTION` giving Excel's #NUM! for a negative serial
    and, for EDATE and EOMONTH, #VALUE! for a TRUE or FALSE held in a cell argument.  The serial is
    computed once (:func:`~.formula_text.bind`); text goes to the function as it is, to be read as a
    date.

    >>> serial_range("HOUR(A1)")
    'IF(IF(ISNUMBER(A1),A1<0,FALSE),#NUM!,HOUR(A1))'
    >>> serial_range("EDATE(B1,C1)")
    'IF(OR(ISLOGICAL(B1),ISLOGICAL(C1)),#VALUE!,IF(IF(ISNUMBER(B1),B1<0,FALSE),#NUM!,EDATE(B1,C1)))'
    >>> serial_range("HOUR(NOW())")
    '_xlfn.LET(_xlpm.x,NOW(),IF(IF(ISNUMBER(_xlpm.x),_xlpm.x<0,FALSE),#NUM!,HOUR(_xlpm.x)))'
    >>> serial_range('WEEKDAY(A1,2)&"HOUR("')[-8:]
    '&"HOUR("'
    """

    def rewrite(m: re.Match[str], args: list[str]) -> str | None:
        if not args or not args[0].strip():
            return None
        name = m[1]
        args = [serial_range(a) for a in args]
        cells = [a.strip() for a in args if logical_cell(a)] if name.upper() in _NO_LOGICAL else []

        def checked(s: str) -> str:
            text = f"IF(IF(ISNUMBER({s}),{s}<0,FALSE),#NUM!,{name}({','.join([s, *args[1:]])}))"
            if cells:
                text = f"IF(OR({','.join(f'ISLOGICAL({a})' for a in cells)}),#VALUE!,{text})"
            return text

        return bind([args[0]], checked)

    return calls(formula, SERIAL_FUNCTION, rewrite)

"""TEXT with a format whose decimals are all optional, which Excel ends with the decimal point, and TEXT
of a date outside Excel's calendar, which is #VALUE! in Excel.

Excel keeps the point of ``#.###``, ``0.##`` or ``#,##0.`` where no decimal is shown: ``TEXT(1,"#.###")``
is "1.", ``TEXT(0,"#.###")`` is "." (Excel's stored values in ``../shared/excel-oracle/17_text.xlsx``);
Calc drops it ("1", "").  :func:`decimal_point` gives such a call Excel's result: the point is put
back at the end where Calc's text has none and the value is a number or a text read as one; a cell
holding TRUE or FALSE gives "TRUE" or "FALSE", as any text passes (17_text.xlsx again).  Excel's
calendar has no date before 0 January 1900 nor from the year 10000 on: a format showing a date or time
part (not an elapsed ``[h]``, ``[m]``, ``[s]`` alone) gives #VALUE! for such a number, where Calc shows
one (TextDates of 17_text.xlsx).  A format of any other shape (sections, text, percent, exponent) goes
to Calc as it is, and so does a format that is not a literal (held in a cell, or computed).
"""

from __future__ import annotations

import re

from .formula_text import calls, logical_cell

__all__ = ["TEXT_CALL", "decimal_point"]

TEXT_CALL = re.compile(r"(?<![\w.])(TEXT)\s*\(", re.I)

#: A format of digits and thousands separators, one decimal point, and only optional decimals after it.
_SHAPE = re.compile(r"[#0,]*\.#*")
#: ``LET``, which Calc 25.2 answers with #NAME? inside another ``LET`` (measured): a formula that holds one
#: (the workbook's own, or another rewrite's) is left as it is.
_LET = re.compile(r"(?<![\w.])_xlfn\.LET\s*\(", re.I)

_V, _F, _T, _B = "_xlpm.tv", "_xlpm.tf", "_xlpm.tt", "_xlpm.tb"
_NUMERAL = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*")
#: Which TEXT's value is a number (or a text Calc reads as one): the text section takes anything else.
_NUMBER = f'IF(ISNUMBER({_V}),1,TEXT({_V},"""n"";""n"";""n"";""t""")="n")'
#: A number format gives a logical value (not a number in Excel) as its text, as it gives any other text.
_LOGICAL = f'IF({_V},"TRUE","FALSE")'
#: What a format shows as it is, not as a date or time part: quoted and escaped text, the widths and fills
#: of ``_x`` and ``*x``, and bracketed colours, conditions, locales and elapsed times (``[h]``).
_NOT_CODES = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')
_DATE_CODE = re.compile(r"[ymdhs]", re.I)
#: A value Excel's calendar has no date for: before 0 January 1900, or from 1 January 10000 on.
_OUT_OF_DATES = f"ISNUMBER({_V})*(({_V}<0)+({_V}>=2958466))"


def _date_codes(fmt: str) -> bool:
    """Whether a format (its text as TEXT reads it) shows a date or time part other than an elapsed
    ``[h]``, ``[m]`` or ``[s]``.

    >>> [_date_codes(f) for f in ("dd/mm/yyyy", "[h]:mm", "[h]", '0.0 "days"', "[Red]0.00", "General")]
    [True, True, False, False, False, False]
    """
    return _DATE_CODE.search(_NOT_CODES.sub("", fmt)) is not None


def decimal_point(formula: str) -> str:
    r'''``formula`` with each ``TEXT(value, format)`` whose format is a literal of digits,
    one decimal point and only ``#`` after it ending in the point where no decimal is shown, as Excel
    does, and #VALUE! for a date or time format of a number outside Excel's calendar (TextDates of
    17_text.xlsx: ``TEXT(-1,"h")``, ``TEXT(-1,"[h]:m")``, ``TEXT(2958466,"yy")``; an elapsed ``[h]`` alone
    shows -24).  A literal of another shape, and a format that is not a literal, leave the call as it is.

    >>> f = decimal_point('TEXT(A1*2,"#.###")')
    >>> print(f[:83], f[83:], sep="\n")
    _xlfn.LET(_xlpm.tv,A1*2,_xlpm.tf,"#.###",_xlpm.tt,TEXT(_xlpm.tv,_xlpm.tf),_xlpm.tb,
    IF(ISERROR(FIND(".",_xlpm.tt)),IF(ISERROR(_xlpm.tt),_xlpm.tt,IF(IF(ISNUMBER(_xlpm.tv),1,TEXT(_xlpm.tv,"""n"";""n"";""n"";""t""")="n"),_xlpm.tt&".",_xlpm.tt)),_xlpm.tt),_xlpm.tb)
    >>> decimal_point('TEXT(A1,"#.")')[78:129]
    'IF(ISLOGICAL(_xlpm.tv),IF(_xlpm.tv,"TRUE","FALSE"),'
    >>> decimal_point('TEXT(A1,"0.00")&TEXT(A1,"#.#%")&"TEXT(A1,"')
    'TEXT(A1,"0.00")&TEXT(A1,"#.#%")&"TEXT(A1,"'
    >>> decimal_point('TEXT(A1,"dd/mm/yyyy")')
    'IF(ISNUMBER(A1)*((A1<0)+(A1>=2958466)),#VALUE!,TEXT(A1,"dd/mm/yyyy"))'
    >>> decimal_point("TEXT(A1,B1)")
    'TEXT(A1,B1)'
    '''
    if _LET.search(formula):
        return formula

    def rewrite(m: re.Match[str], args: list[str]) -> str | None:
        if len(args) != 2 or any(TEXT_CALL.search(a) for a in args):
            return None  # the inner call is rewritten; two LETs would nest
        value, fmt = args[0], args[1].strip()
        # a format held in a cell is left to Calc: told at run time, the checks cost each call 2 to 4 times
        # its time (measured on 20,000 calls)
        if fmt[:1] != '"' or fmt[-1:] != '"' or len(fmt) < 2:
            return None
        # the same names for every call, as Calc computes LETs side by side only then (lets_sound)
        bound = f"{_V},{value},{_F},{fmt},{_T},TEXT({_V},{_F})"
        if _date_codes(fmt[1:-1].replace('""', '"')):
            if logical_cell(value) or _NUMERAL.fullmatch(value):  # no LET for a cell or a number
                out = _OUT_OF_DATES.replace(_V, value.strip())
                return f"IF({out},#VALUE!,TEXT({value.strip()},{fmt}))"
            return f"_xlfn.LET({bound},{_B},{_T},IF({_OUT_OF_DATES},#VALUE!,{_B}))"
        if not _SHAPE.fullmatch(fmt[1:-1]):
            return None
        point, logical = f'IF({_NUMBER},{_T}&".",{_T})', _LOGICAL
        # a text with its decimal point (the most) is answered after one FIND
        body = f'IF(ISERROR(FIND(".",{_T})),IF(ISERROR({_T}),{_T},{point}),{_T})'
        if logical_cell(value):  # Calc tells TRUE and FALSE from 1 and 0 in a cell only
            body = f"IF(ISLOGICAL({_V}),{logical},{body})"
        return f"_xlfn.LET({bound},{_B},{body},{_B})"

    return calls(formula, TEXT_CALL, rewrite)

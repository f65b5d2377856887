"""TEXT with a format whose decimals are all optional, which Excel ends with the decimal point.

Excel keeps the point of ``#.###``, ``0.##`` or ``#,##0.`` where no decimal is shown: ``TEXT(1,"#.###")``
is "1.", ``TEXT(0,"#.###")`` is "." (Excel's stored values in ``../shared/excel-oracle/17_text.xlsx``);
Calc drops it ("1", "").  :func:`decimal_point` gives such a call Excel's result: the point is put
back at the end where Calc's text has none and the value is a number or a text read as one; a cell
holding TRUE or FALSE gives "TRUE" or "FALSE", as any text passes (17_text.xlsx again).  A
format of any other shape (sections, text, percent, exponent, dates) goes to Calc as it is.
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

_V, _F, _T = "_xlpm.tv", "_xlpm.tf", "_xlpm.tt"
#: Which TEXT's value is a number (or a text Calc reads as one): the text section takes anything else.
_NUMBER = f'IF(ISNUMBER({_V}),1,TEXT({_V},"""n"";""n"";""n"";""t""")="n")'
#: A number format gives a logical value (not a number in Excel) as its text, as it gives any other text.
_LOGICAL = f'IF({_V},"TRUE","FALSE")'
#: The shape of :data:`_SHAPE` tested in the formula, for a format that is not a literal.
_SHAPED = (
    f'IF(ISNUMBER(FIND(".",{_F})),(LEN({_F})-LEN(SUBSTITUTE({_F},".",""))=1)'
    f'*(SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({_F},"#",""),"0",""),",",""),".","")="")'
    f'*(SUBSTITUTE(MID({_F},FIND(".",{_F})+1,LEN({_F})),"#","")=""),0)'
)


def decimal_point(formula: str) -> str:
    r'''``formula`` with each ``TEXT(value, format)`` whose format is (a literal, or at run time) digits,
    one decimal point and only ``#`` after it ending in the point where no decimal is shown, as Excel
    does.  A literal of another shape leaves the call as it is.

    >>> f = decimal_point('TEXT(A1*2,"#.###")')
    >>> print(f[:105], f[105:], sep="\n")
    _xlfn.LET(_xlpm.tv,A1*2,_xlpm.tf,"#.###",_xlpm.tt,TEXT(_xlpm.tv,_xlpm.tf),IF(ISERROR(FIND(".",_xlpm.tt)),
    IF(ISERROR(_xlpm.tt),_xlpm.tt,IF(IF(ISNUMBER(_xlpm.tv),1,TEXT(_xlpm.tv,"""n"";""n"";""n"";""t""")="n"),_xlpm.tt&".",_xlpm.tt)),_xlpm.tt))
    >>> decimal_point('TEXT(A1,"#.")')[69:120]
    'IF(ISLOGICAL(_xlpm.tv),IF(_xlpm.tv,"TRUE","FALSE"),'
    >>> decimal_point('TEXT(A1,"0.00")&TEXT(A1,"#.#%")&"TEXT(A1,"')
    'TEXT(A1,"0.00")&TEXT(A1,"#.#%")&"TEXT(A1,"'
    >>> decimal_point("TEXT(A1,B1)")[:56]
    '_xlfn.LET(_xlpm.tv,A1,_xlpm.tf,B1,_xlpm.tt,TEXT(_xlpm.tv'
    '''
    if _LET.search(formula):
        return formula

    def rewrite(m: re.Match[str], args: list[str]) -> str | None:
        if len(args) != 2 or any(TEXT_CALL.search(a) for a in args):
            return None  # the inner call is rewritten; two LETs would nest
        value, fmt = args[0], args[1].strip()
        if fmt[:1] == '"' and fmt[-1:] == '"' and len(fmt) >= 2:
            if not _SHAPE.fullmatch(fmt[1:-1]):
                return None
            point, logical = f'IF({_NUMBER},{_T}&".",{_T})', _LOGICAL
        else:
            point = f'IF({_SHAPED},IF({_NUMBER},{_T}&".",{_T}),{_T})'
            logical = f"IF({_SHAPED},{_LOGICAL},{_T})"
        # the same names for every call, as Calc computes LETs side by side only then (lets_sound); a
        # text with its decimal point (the most) is answered after one FIND
        bound = f"{_V},{value},{_F},{fmt},{_T},TEXT({_V},{_F})"
        body = f'IF(ISERROR(FIND(".",{_T})),IF(ISERROR({_T}),{_T},{point}),{_T})'
        if logical_cell(value):  # Calc tells TRUE and FALSE from 1 and 0 in a cell only
            body = f"IF(ISLOGICAL({_V}),{logical},{body})"
        return f"_xlfn.LET({bound},{body})"

    return calls(formula, TEXT_CALL, rewrite)

"""Excel's error values for CEILING and FLOOR in the engine's copy, where Calc answers #VALUE!."""

from __future__ import annotations

import re

from .formula_text import calls

__all__ = ["ROUNDING", "rounding_errors"]

#: Excel's two-argument CEILING and FLOOR (not the .MATH and .PRECISE forms, which Calc computes as
#: Excel does).
ROUNDING = re.compile(r"(?<![\w.])(CEILING|FLOOR)\s*\(", re.I)


def rounding_errors(formula: str) -> str:
    """``formula`` with CEILING and FLOOR giving Excel's errors: #NUM! for a positive number with a
    negative significance, and FLOOR's #DIV/0! for a significance of 0 (a number other than 0; CEILING
    gives 0 there, as Calc does).  Calc answers #VALUE! for all of these.  Each argument is computed
    once (``LET``); text arguments go to the function as they are.

    >>> rounding_errors("FLOOR(A1,B1)")[:70]
    '_xlfn.LET(_xlpm.n,A1,_xlpm.s,B1,IF(AND(ISNUMBER(_xlpm.n),ISNUMBER(_xlp'
    >>> rounding_errors("FLOOR(A1,B1)")[70:140]
    'm.s)),IF(_xlpm.s=0,IF(_xlpm.n<>0,#DIV/0!,FLOOR(_xlpm.n,_xlpm.s)),IF(AN'
    >>> rounding_errors("FLOOR(A1,B1)")[140:]
    'D(_xlpm.n>0,_xlpm.s<0),#NUM!,FLOOR(_xlpm.n,_xlpm.s))),FLOOR(_xlpm.n,_xlpm.s)))'
    >>> rounding_errors("_xlfn.CEILING.MATH(A1)+CEILING(A1)")
    '_xlfn.CEILING.MATH(A1)+CEILING(A1)'
    """

    def rewrite(m: re.Match[str], args: list[str]) -> str | None:
        if len(args) != 2 or not all(a.strip() for a in args):
            return None
        name, n, s = m[1], "_xlpm.n", "_xlpm.s"
        call = f"{name}({n},{s})"
        sign = f"IF(AND({n}>0,{s}<0),#NUM!,{call})"
        checked = f"IF({s}=0,IF({n}<>0,#DIV/0!,{call}),{sign})" if name.upper() == "FLOOR" else sign
        value, significance = (rounding_errors(a) for a in args)
        return (
            f"_xlfn.LET({n},{value},{s},{significance},IF(AND(ISNUMBER({n}),ISNUMBER({s})),{checked},{call}))"
        )

    return calls(formula, ROUNDING, rewrite)

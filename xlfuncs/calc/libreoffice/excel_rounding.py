"""Excel's error values for CEILING and FLOOR in the engine's copy, where Calc answers #VALUE!."""

from __future__ import annotations

import re

from .formula_text import bind, calls

__all__ = ["ROUNDING", "rounding_errors"]

#: Excel's two-argument CEILING and FLOOR (not the .MATH and .PRECISE forms, which Calc computes as
#: Excel does).
ROUNDING = re.compile(r"(?<![\w.])(CEILING|FLOOR)\s*\(", re.I)


def rounding_errors(formula: str) -> str:
    """``formula`` with CEILING and FLOOR giving Excel's errors: #NUM! for a positive number with a
    negative significance, and FLOOR's #DIV/0! for a significance of 0 (a number other than 0; CEILING
    gives 0 there, as Calc does).  Calc answers #VALUE! for all of these.  Each argument is computed
    once (:func:`~.formula_text.bind`); text arguments go to the function as they are.

    >>> rounding_errors("FLOOR(A1,B1)")[:67]
    'IF(AND(ISNUMBER(A1),ISNUMBER(B1)),IF(B1=0,IF(A1<>0,#DIV/0!,FLOOR(A1'
    >>> rounding_errors("FLOOR(A1,B1)")[67:]
    ',B1)),IF(AND(A1>0,B1<0),#NUM!,FLOOR(A1,B1))),FLOOR(A1,B1))'
    >>> rounding_errors("CEILING(A1*2,-1)")
    '_xlfn.LET(_xlpm.x,A1*2,IF(AND(ISNUMBER(_xlpm.x),ISNUMBER(-1)),IF(AND(_xlpm.x>0,-1<0),#NUM!,CEILING(_xlpm.x,-1)),CEILING(_xlpm.x,-1)))'
    >>> rounding_errors("_xlfn.CEILING.MATH(A1)+CEILING(A1)")
    '_xlfn.CEILING.MATH(A1)+CEILING(A1)'
    """

    def rewrite(m: re.Match[str], args: list[str]) -> str | None:
        if len(args) != 2 or not all(a.strip() for a in args):
            return None
        name = m[1]

        def checked(n: str, s: str) -> str:
            call = f"{name}({n},{s})"
            sign = f"IF(AND({n}>0,{s}<0),#NUM!,{call})"
            errors = f"IF({s}=0,IF({n}<>0,#DIV/0!,{call}),{sign})" if name.upper() == "FLOOR" else sign
            return f"IF(AND(ISNUMBER({n}),ISNUMBER({s})),{errors},{call})"

        return bind([rounding_errors(a) for a in args], checked)

    return calls(formula, ROUNDING, rewrite)

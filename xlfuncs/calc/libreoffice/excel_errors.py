"""Excel's choice among errors: a call whose arguments hold several errors gives the first one, left to
right, in the engine's copy.

Excel evaluates a function's arguments from the left and answers with the first error it meets, so
``AND(A1,A2)`` with ``#DIV/0!`` in A1 and ``#NUM!`` in A2 is ``#DIV/0!``; Calc answers with the last one
(``#NUM!``).  Only a call whose arguments are all single values, one cell reference or a constant, is
rewritten: checking those again costs a cell read, and a range's errors Calc already gives in Excel's
order.
"""

from __future__ import annotations

import re

from .formula_text import calls, logical_cell

__all__ = ["FIRST_ERROR", "first_error", "single_value"]

#: Functions that read every argument and answer with an error held in any of them (Excel's stored
#: values: AND, OR and XOR in ``16_logical.xlsx``, FIND in ``17_text.xlsx``; SEARCH is FIND without case).
FIRST_ERROR = re.compile(r"(?<![\w.])(AND|OR|_xlfn\.XOR|FIND|SEARCH)\s*\(", re.I)

_CONSTANT = re.compile(
    r"""\s*(?:
        [+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?      # a number
      | "(?:[^"]|"")*"                                 # a text
      | TRUE | FALSE
      | (?P<error>\#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA))
      | )\s*""",
    re.I | re.X,
)


def single_value(arg: str) -> bool:
    """Whether an argument is one value: a cell reference or a constant (an omitted argument too).

    >>> [single_value(a) for a in ("A1", "'S'!$B$2", '"x,y"', "-1.5e3", "TRUE", "#N/A", "", "A1:A2", "A1+1")]
    [True, True, True, True, True, True, True, False, False]
    """
    return logical_cell(arg) or _CONSTANT.fullmatch(arg) is not None


def _may_be_error(arg: str) -> bool:
    """Whether a single-value argument can hold an error: a cell, or an error constant."""
    constant = _CONSTANT.fullmatch(arg)
    return constant is None or constant["error"] is not None


def first_error(formula: str) -> str:
    """``formula`` with each call of :data:`FIRST_ERROR` whose arguments are single values answering with
    the first argument's error: ``f(a1,...,an)`` becomes ``IF(ISERROR(a1),a1,...f(a1,...,an))`` over the
    arguments before the last that may hold an error (when none of those does, any error is the last
    argument's, which Calc gives too).

    >>> first_error("AND(A3,A4)")
    'IF(ISERROR(A3),A3,AND(A3,A4))'
    >>> first_error('FIND("x",A1,B1)&_xlfn.XOR(A1,B1,C1)')
    'IF(ISERROR(A1),A1,FIND("x",A1,B1))&IF(ISERROR(A1),A1,IF(ISERROR(B1),B1,_xlfn.XOR(A1,B1,C1)))'
    >>> first_error('OR(A1:A2,B1)&AND(A1)&OR(TRUE,A1)&"AND(A1,B1)"')
    'OR(A1:A2,B1)&AND(A1)&OR(TRUE,A1)&"AND(A1,B1)"'
    """

    def rewrite(m: re.Match[str], args: list[str]) -> str | None:
        if len(args) < 2 or not all(single_value(a) for a in args):
            return None
        checked = [a.strip() for a in args[:-1] if _may_be_error(a)]
        if not checked:
            return None
        text = f"{m[1]}({','.join(args)})"
        for arg in reversed(checked):
            text = f"IF(ISERROR({arg}),{arg},{text})"
        return text

    return calls(formula, FIRST_ERROR, rewrite)

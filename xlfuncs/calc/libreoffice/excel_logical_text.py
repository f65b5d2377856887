"""TRUE and FALSE read as text by Excel's text functions, in the engine's copy.

Excel's text functions read a logical value as the text "TRUE" or "FALSE" (``LEN`` of a cell holding
TRUE is 4, ``LEFT(A1,2)`` is "TR"), and ``VALUE`` of it is #VALUE!; Calc keeps TRUE and FALSE as the
numbers 1 and 0 and reads "1" and "0" (Excel's stored values in ``17_text.xlsx``, rows 17 and 18 of
sheet All).  Calc tells a logical value from a number only in a cell (``ISLOGICAL`` sees the cell's
logical format), so only a text argument that is one cell reference is rewritten.
"""

from __future__ import annotations

import re

from .formula_text import calls, logical_cell

__all__ = ["TEXT_FUNCTION", "logical_text"]

#: The text functions and which of their arguments are read as text (None: every one).
_TEXT_ARGUMENTS: dict[str, tuple[int, ...] | None] = {
    "_XLFN.CONCAT": None,
    "CONCATENATE": None,
    "LEFT": (0,),
    "RIGHT": (0,),
    "MID": (0,),
    "LEN": (0,),
    "LOWER": (0,),
    "UPPER": (0,),
    "PROPER": (0,),
    "TRIM": (0,),
    "CLEAN": (0,),
    "REPT": (0,),
    "REPLACE": (0, 3),
    "SUBSTITUTE": (0, 1, 2),
    "EXACT": (0, 1),
    "FIND": (0, 1),
    "SEARCH": (0, 1),
}
TEXT_FUNCTION = re.compile(
    r"(?<![\w.])(_xlfn\.CONCAT|CONCATENATE|LEFT|RIGHT|MID|LEN|LOWER|UPPER|PROPER|TRIM|CLEAN|REPT|REPLACE"
    r"|SUBSTITUTE|EXACT|FIND|SEARCH|VALUE)\s*\(",
    re.I,
)


def _as_text(arg: str) -> str:
    """A cell argument read as Excel's text functions read it: a logical value as "TRUE"/"FALSE"."""
    if not logical_cell(arg):
        return logical_text(arg)
    c = arg.strip()
    return f'IF(ISLOGICAL({c}),IF({c},"TRUE","FALSE"),{c})'


def logical_text(formula: str) -> str:
    """``formula`` with the text functions reading a cell that holds TRUE or FALSE as Excel does.

    >>> logical_text("LEN(A1)+VALUE($B$2)")
    'LEN(IF(ISLOGICAL(A1),IF(A1,"TRUE","FALSE"),A1))+IF(ISLOGICAL($B$2),#VALUE!,VALUE($B$2))'
    >>> logical_text('LEFT(A1,B1)')
    'LEFT(IF(ISLOGICAL(A1),IF(A1,"TRUE","FALSE"),A1),B1)'
    >>> logical_text('LEN(A1:A3)&UPPER("a")&"LEN(A1)"')
    'LEN(A1:A3)&UPPER("a")&"LEN(A1)"'
    """

    def rewrite(m: re.Match[str], args: list[str]) -> str | None:
        name = m[1].upper()
        if name == "VALUE":
            if len(args) != 1 or not logical_cell(args[0]):
                return None
            c = args[0].strip()
            return f"IF(ISLOGICAL({c}),#VALUE!,{m[1]}({c}))"
        texts = _TEXT_ARGUMENTS[name]
        new = [_as_text(a) if texts is None or i in texts else logical_text(a) for i, a in enumerate(args)]
        if new == args:
            return None
        return f"{m[1]}({','.join(new)})"

    return calls(formula, TEXT_FUNCTION, rewrite)

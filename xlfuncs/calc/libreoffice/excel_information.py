"""Excel's ISNUMBER, ISEVEN and ISODD of a cell holding TRUE or FALSE, text or nothing, in the engine's copy.

Calc keeps TRUE and FALSE as the numbers 1 and 0 (with a logical format that ``ISLOGICAL`` of the cell
sees), so ``ISNUMBER`` of such a cell is TRUE there and FALSE in Excel, and ``ISEVEN``/``ISODD`` answer
where Excel gives #VALUE!.  Excel's ``ISEVEN``/``ISODD`` read an empty cell as 0 and a number held as
text as that number, where Calc gives #VALUE!.  Only an argument that is one cell reference is
rewritten: that is what ``ISLOGICAL`` can see.
"""

from __future__ import annotations

import re

from .formula_text import calls, logical_cell

__all__ = ["PARITY_OR_NUMBER", "logical_cells"]

PARITY_OR_NUMBER = re.compile(r"(?<![\w.])(ISNUMBER|ISEVEN|ISODD)\s*\(", re.I)


def logical_cells(formula: str) -> str:
    """``formula`` with ISNUMBER, ISEVEN and ISODD of one cell answering as Excel does.

    >>> logical_cells("ISNUMBER(A1)+ISEVEN($B$2)")
    'IF(ISLOGICAL(A1),FALSE,ISNUMBER(A1))+IF(ISLOGICAL($B$2),#VALUE!,ISEVEN($B$2+0))'
    >>> logical_cells('ISODD(A1:A3)&"ISEVEN(A1)"')
    'ISODD(A1:A3)&"ISEVEN(A1)"'
    """

    def rewrite(m: re.Match[str], args: list[str]) -> str | None:
        if len(args) != 1 or not logical_cell(args[0]):
            return None
        name, cell = m[1], args[0].strip()
        if name.upper() == "ISNUMBER":
            return f"IF(ISLOGICAL({cell}),FALSE,{name}({cell}))"
        return f"IF(ISLOGICAL({cell}),#VALUE!,{name}({cell}+0))"

    return calls(formula, PARITY_OR_NUMBER, rewrite)

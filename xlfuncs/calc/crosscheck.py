"""``xlfuncs calc --cross-check``: the cells where the two engines disagree.

The engines complement each other (LibreOffice compares numbers to 15 digits as Excel does,
``formulas`` types booleans from the result): where they agree, a cell is very likely what Excel
shows; where they differ, an auditor knows which cells to look at.
"""

from __future__ import annotations

import math

from .results import ExcelError, Values, a1

__all__ = ["ABS_TOL", "REL_TOL", "agree", "disagreements"]

#: Numbers agree within this relative tolerance, or this absolute one (for values near 0).
REL_TOL, ABS_TOL = 1e-9, 1e-12


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def agree(a: object, b: object) -> bool:
    """Whether two engines' values of one cell agree: numbers within :data:`REL_TOL` or
    :data:`ABS_TOL`; error values, text and booleans exactly, each only with its own kind.

    >>> agree(4, 4.0), agree(1 / 3 * 3, 1), agree(1.0, 1.0 + 1e-6), agree(True, 1), agree("#N/A", ExcelError("#N/A"))
    (True, True, False, False, False)
    """
    if _number(a) and _number(b):
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=ABS_TOL)  # type: ignore[arg-type]
    if _number(a) or _number(b) or isinstance(a, bool) != isinstance(b, bool):
        return False
    return isinstance(a, ExcelError) == isinstance(b, ExcelError) and a == b


def disagreements(first: Values, second: Values) -> list[tuple[str, object, object]]:
    """``[("Sheet!A1", first's value, second's value), ...]`` for every cell either engine computed
    where they do not :func:`agree` (a cell only one computed has ``None`` for the other), in the
    first engine's cell order.
    """
    cells = list(first) + [cell for cell in second if cell not in first]
    return [
        (a1(*cell), first.get(cell), second.get(cell))
        for cell in cells
        if not agree(first.get(cell), second.get(cell))
    ]

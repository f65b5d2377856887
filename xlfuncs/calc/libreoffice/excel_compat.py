"""Excel's own functions where Calc computes them differently, rewritten in the engine's copy.

Each entry of :data:`EXCEL_SEMANTICS` is a pattern that finds a call in a formula's text and the
rewrite of the whole formula that gives that call Excel's result.  The rewrites use ``LET``, which
came with LibreOffice 24.8, so the engine applies them only on the versions that bind our Excel
names (25.2 on); the older ones compute Calc's own results.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .excel_dates import DATE_PART, SERIAL_FUNCTION, leap_day, serial_range
from .excel_errors import FIRST_ERROR, first_error
from .excel_information import PARITY_OR_NUMBER, logical_cells
from .excel_logical import CONDITION, excel_conditions
from .excel_logical_text import TEXT_FUNCTION, logical_text
from .excel_rounding import ROUNDING, rounding_errors
from .excel_stats import REGRESSION, regression
from .excel_text import TEXT_CALL, decimal_point
from .excel_yearfrac import YEARFRAC, excel_yearfrac

__all__ = ["EXCEL_SEMANTICS"]

EXCEL_SEMANTICS: tuple[tuple[re.Pattern[str], Callable[[str], str]], ...] = (
    (DATE_PART, leap_day),
    (SERIAL_FUNCTION, serial_range),
    (ROUNDING, rounding_errors),
    (PARITY_OR_NUMBER, logical_cells),
    (FIRST_ERROR, first_error),
    (CONDITION, excel_conditions),
    (YEARFRAC, excel_yearfrac),
    (TEXT_FUNCTION, logical_text),
    (REGRESSION, regression),
    (TEXT_CALL, decimal_point),
)

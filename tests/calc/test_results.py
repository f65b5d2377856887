"""How a computed value is stored in a cell (``<c t=...><v>...</v>``): the types of both engines.

SpreadsheetML (ECMA-376 Part 1, 18.18.11 ST_CellType): a number has no ``t``, ``t="b"`` holds 1 or 0,
``t="str"`` a formula's text, ``t="e"`` an error value.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from xlfuncs.calc.results import ExcelError, encode

CASES = [
    (2.5, (None, "2.5")),
    (3.0, (None, "3")),
    (1e15, (None, "1000000000000000.0")),  # xsd:double, as repr() writes it
    (7, (None, "7")),
    (2**53, (None, "9007199254740992.0")),  # beyond exact integers: stored as the float it is
    (True, ("b", "1")),
    (False, ("b", "0")),
    ("Mega <cap>", ("str", "Mega &lt;cap&gt;")),
    (None, (None, None)),
    (ExcelError("#N/A"), ("e", "#N/A")),
    (math.inf, ("e", "#NUM!")),
    (math.nan, ("e", "#NUM!")),
    # the formulas engine's values are numpy scalars
    (np.bool_(True), ("b", "1")),
    (np.int64(42), (None, "42")),
    (np.float64(0.125), (None, "0.125")),
    (np.str_("Large"), ("str", "Large")),
]


@pytest.mark.parametrize(("value", "stored"), CASES, ids=[repr(v) for v, _ in CASES])
def test_each_type_is_stored_as_spreadsheetml_says(value, stored):
    assert encode(value) == stored

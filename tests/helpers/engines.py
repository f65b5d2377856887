"""Two engines' values compared: numbers within 1e-9 (relative or absolute), everything else by type
and value (``True`` is not 1, ``"NM"`` is not ``"nm"``).
"""

from __future__ import annotations

import math


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def same(a: object, b: object) -> bool:
    if _number(a) and _number(b):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if _number(a) or _number(b):
        return False
    return type(a) is type(b) and a == b

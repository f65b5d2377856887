"""What each argument accepts.

A rule reads a raw argument (anything :func:`xlfuncs.framework.values.classify` takes)
into ``(values, codes)``: a float array and a per-element code array, ``None``
when every element is fine.  The same rule serves the Python API (which raises
on the first bad element) and the worksheet layer (which writes an error value
into each bad cell), so the two can never disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .errors import BLANK, ERROR_CODE, NA, NUM, OK, VALUE
from .values import (
    CODE_DTYPE,
    Classified,
    Codes,
    Floats,
    as_array,
    cell_value,
    classify,
    describe,
    float_bits,
    max_bits,
)

if TYPE_CHECKING:
    import numpy.typing as npt


class Rule(Protocol):
    """What an argument accepts: how to read it, and why an element was refused."""

    def read(self, raw: Any) -> tuple[npt.NDArray[Any], Codes | None]: ...

    def reason(self, element: Any) -> str: ...


_INF_BITS = float_bits(math.inf)
REQUIRED = "required"  # blank -> #N/A
ABSENT = math.nan  # blank -> nan, which the kernel reads as "not given"


def _codes(c: Classified) -> Codes:
    return np.zeros(c.values.shape, CODE_DTYPE) if c.codes is None else c.codes.copy()


@dataclass(frozen=True)
class Number:
    """A number with optional inclusive bounds.

    ``blank`` says what an empty cell / ``None`` means: :data:`REQUIRED`
    (``#N/A``), a default number, or :data:`ABSENT` (nan for the kernel).
    """

    lower: float | None = 0.0
    upper: float | None = None
    blank: object = REQUIRED
    help: str = "must be a number ≥ 0"

    def read(self, raw: Any) -> tuple[npt.NDArray[Any], Codes | None]:
        # what classify makes of a float array, without its dispatch
        c = Classified(raw, None) if type(raw) is np.ndarray and raw.dtype == np.float64 else classify(raw)
        v = c.values
        if c.codes is None:
            if not v.size or self._all_within(v):
                return v, None
        elif self.blank is not REQUIRED and c.codes.max() <= BLANK:  # numbers and blanks (the lowest codes)
            blank = c.codes == BLANK
            given = v[~blank]
            if not given.size or self._all_within(given):
                if not (isinstance(self.blank, float) and math.isnan(self.blank)):  # else nan already
                    v = v.copy()
                    v[blank] = self.blank
                return v, None
        codes = _codes(c)
        numeric = codes == OK
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(v)
            if self.lower is not None:
                bad |= v < self.lower
            if self.upper is not None:
                bad |= v > self.upper
        codes[numeric & bad] = NUM
        blank = codes == BLANK
        if blank.any():
            if self.blank is REQUIRED:
                codes[blank] = NA
            else:
                v = v.copy()
                v[blank] = self.blank
                codes[blank] = OK
        return v, codes

    def _all_within(self, v: Floats) -> bool:
        """Whether every element is finite and within the bounds; False may be a false alarm
        (-0.0 against a lower bound of 0), which the element-by-element path then clears.
        """
        lower, upper = self.lower, self.upper
        if lower is not None and lower >= 0 and (upper is None or upper >= lower):
            # one pass over the data instead of a minimum and a maximum
            hi = max_bits(v)
            if hi >= _INF_BITS or (upper is not None and hi > float_bits(upper)):
                return False
            return lower == 0 or float(v.min()) >= lower
        lo, hi = v.min(), v.max()  # nan propagates and fails the test below
        return bool(
            math.isfinite(lo)
            and math.isfinite(hi)
            and (lower is None or lo >= lower)
            and (upper is None or hi <= upper)
        )

    def reason(self, element: Any) -> str:
        if isinstance(element, str) and element.strip().upper() in ERROR_CODE:
            return f"is the Excel error value {element.strip().upper()}"
        x, code = cell_value(element)
        if code == BLANK:
            return "is blank but a value is required"
        if code == VALUE:
            return f"{describe(element)} is not a number"
        if code == NUM or not math.isfinite(x):
            return f"{describe(element)} is not a finite number"
        return f"{describe(element)} is out of range: {self.help}"


@dataclass(frozen=True)
class Choice:
    """One of a few keywords (case-insensitive); read as its index."""

    options: tuple[str, ...]
    default: str

    def read(self, raw: Any) -> tuple[npt.NDArray[Any], Codes | None]:
        arr = as_array(raw)
        flat = arr.ravel().tolist()
        index = np.zeros(len(flat), np.float64)
        codes = np.zeros(len(flat), CODE_DTYPE)
        for i, element in enumerate(flat):
            _, code = cell_value(element)  # blank, error value (text or Office.js object), ...
            key: str | None
            if code == BLANK:
                key = self.default
            else:
                key = element.strip().lower() if isinstance(element, str) else None
            if key in self.options:
                index[i] = self.options.index(key)
            else:  # an error value passes through; anything else is #VALUE!
                codes[i] = code if code not in (OK, BLANK) else VALUE
        shape = arr.shape
        return index.reshape(shape), (codes.reshape(shape) if codes.any() else None)

    def reason(self, element: Any) -> str:
        if isinstance(element, str) and element.strip().upper() in ERROR_CODE:
            return f"is the Excel error value {element.strip().upper()}"
        choices = ", ".join(repr(o) for o in self.options)
        return f"{describe(element)} is not one of {choices}"


@dataclass(frozen=True)
class Labels:
    """Text labels of a table; numbers are shown as text, blanks kept as None."""

    def read(self, raw: Any) -> tuple[npt.NDArray[Any], Codes | None]:
        arr = as_array(raw)
        flat = arr.ravel().tolist()
        out = np.empty(len(flat), object)
        codes = np.zeros(len(flat), CODE_DTYPE)
        for i, element in enumerate(flat):
            if isinstance(element, str) and element.strip():
                text = element.strip()
                out[i] = text
                codes[i] = ERROR_CODE.get(text.upper(), OK)
                continue
            x, code = cell_value(element)
            if code == BLANK:
                out[i] = None
            elif code == OK and math.isfinite(x):
                out[i] = f"{x:g}"
            else:  # an error value (an Office.js error object too) passes through
                codes[i] = code if code not in (OK, BLANK) else VALUE
        return out.reshape(arr.shape), (codes.reshape(arr.shape) if codes.any() else None)

    def reason(self, element: Any) -> str:
        if isinstance(element, str):
            return f"is the Excel error value {element.strip().upper()}"
        return f"{describe(element)} cannot be used as a label"


AMOUNT = Number(help="must be ≥ 0")
OPTIONAL_AMOUNT = Number(blank=0.0, help="must be ≥ 0")
SIGNED = Number(lower=None, help="must be a finite number")
FRACTION = Number(upper=1.0, help="must be a fraction from 0 to 1 (enter 90 % as 0.9)")
SUPPLY = Number(blank=ABSENT, help="must be ≥ 0 (blank or 0 means unlimited)")

"""Turn whatever a caller passes (scalars, lists, numpy arrays, pandas Series,
worksheet cells) into a float array plus a per-element code array.

Numeric arrays take a vectorised fast path and get no code array at all
(``codes is None`` means "every element is a number").  Anything else is
classified element by element: ``None``/empty text is ``BLANK``, Excel error
text such as ``"#N/A"`` keeps its error, numeric text is read as a number,
booleans and other text are ``#VALUE!``.  What a blank or a negative number
means is decided later, by each argument's rule (:mod:`xlfuncs.framework.rules`).
"""

from __future__ import annotations

import decimal
import numbers
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import BLANK, ERROR_CODE, NUM, OK, VALUE, InputError

if TYPE_CHECKING:
    import numpy.typing as npt

_NUMERIC_TEXT = re.compile(
    r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*\Z"
)  # ASCII digits, as Excel
# pandas.NA, pandas.NaT and Pyodide's JsNull (an empty cell in xlwings Lite), without importing them
_MISSING_TYPES = ("NAType", "NaTType", "JsNull")

#: The arrays the kernels compute on, and the per-element codes (:mod:`xlfuncs.framework.errors`).
#: numpy.typing's NDArray, spelt out: the modules the LibreOffice add-in imports while Calc starts,
#: which its first job waits for, import numpy.typing only for type checkers.
Floats = np.ndarray[Any, np.dtype[np.float64]]
Codes = np.ndarray[Any, np.dtype[np.uint8]]
CODE_DTYPE = np.uint8


class Ragged(ValueError):
    """A nested sequence whose rows have different lengths."""


@dataclass
class Classified:
    values: Floats  # same shape as the input
    codes: Codes | None  # per-element codes, or None when every element is a number


def as_array(raw: Any) -> npt.NDArray[Any]:  # Any: whatever a caller or a cell passes
    """``np.asarray`` that reports ragged nesting as :class:`Ragged`.

    Lists and tuples become object arrays, so that their elements are classified
    one by one (numpy would silently read ``[10.0, True]`` as ``[10.0, 1.0]``).
    """
    if isinstance(raw, np.ndarray):
        return raw
    if isinstance(raw, (str, bytes)):  # numpy would drop trailing NULs: '5\x00' -> '5'
        return np.array(raw, dtype=object)
    if not isinstance(getattr(raw, "dtype", None), (np.dtype, type(None))):
        # a pandas nullable array or Series (Int64, Float64, boolean, string): NA stays NA
        # (blank), not the NaN numpy would make of it
        return np.asarray(raw.to_numpy(dtype=object), dtype=object)
    try:
        arr = np.array(raw, dtype=object) if isinstance(raw, (list, tuple)) else np.asarray(raw)
    except ValueError as exc:  # numpy refuses inhomogeneous nesting
        raise Ragged(str(exc)) from None
    return arr


def cell_value(v: Any) -> tuple[float, int]:
    """Classify one element: (number or nan, code)."""
    t = type(v)
    if t is float:
        return v, OK
    if v is None:
        return np.nan, BLANK
    if t is str:
        text = v.strip()
        if not text:
            return np.nan, BLANK
        code = ERROR_CODE.get(text.upper())
        if code is not None:
            return np.nan, code
        if _NUMERIC_TEXT.match(text):
            return _to_float(text)
        return np.nan, VALUE
    if isinstance(v, (bool, np.bool_)):
        return np.nan, VALUE
    if t is list or t is tuple or t is np.ndarray:  # rows of different lengths, or nesting
        raise Ragged("a range nested inside a range")
    if t is dict:  # an Office.js cell value object: {"type": "Error", "basicValue": "#N/A", ...}
        if v.get("type") == "Error":
            return np.nan, ERROR_CODE.get(str(v.get("basicValue", "")).upper(), VALUE)
        return cell_value(v.get("basicValue"))  # FormattedNumber and other typed values
    if isinstance(v, (numbers.Real, decimal.Decimal)):
        return _to_float(v)
    if t.__name__ in _MISSING_TYPES:
        return np.nan, BLANK
    return np.nan, VALUE


def _to_float(v: Any) -> tuple[float, int]:
    try:
        return float(v), OK
    except (OverflowError, ValueError):  # beyond the float range; Decimal('sNaN')
        return np.nan, NUM


_PLAIN = {float, int, type(None)}


def classify(raw: Any) -> Classified:
    """Classify a numeric argument (see the module docstring)."""
    arr = as_array(raw)
    kind = arr.dtype.kind
    if kind in "fiu":
        return Classified(arr.astype(np.float64, copy=False), None)
    if kind == "b":
        return Classified(np.full(arr.shape, np.nan), np.full(arr.shape, VALUE, CODE_DTYPE))
    if kind != "O" and kind not in "US":  # complex, datetime, timedelta, void
        return Classified(np.full(arr.shape, np.nan), np.full(arr.shape, VALUE, CODE_DTYPE))
    flat = arr.ravel().tolist()
    types = set(map(type, flat))
    if types <= _PLAIN:  # numbers and blanks: no per-cell work
        plain = _plain(arr, types)
        if plain is not None:
            return plain
    pairs = [cell_value(v) for v in flat]
    values = np.fromiter((p[0] for p in pairs), np.float64, len(pairs)).reshape(arr.shape)
    codes = np.fromiter((p[1] for p in pairs), CODE_DTYPE, len(pairs)).reshape(arr.shape)
    return Classified(values, codes)


def _plain(arr: npt.NDArray[Any], types: set[type]) -> Classified | None:
    """:func:`classify` of elements that are all floats, ints or None, as :func:`cell_value`
    reads each one; None when only the cell-by-cell path can (an int beyond the float range).
    """
    try:
        values = arr.astype(np.float64)  # None -> nan
    except OverflowError:
        return None
    if type(None) not in types:
        return Classified(values, None)
    blank = np.isnan(values.reshape(-1))
    if float in types:  # a nan element is a number (then refused), not a blank
        nans = np.flatnonzero(blank)
        elements = arr.reshape(-1)[nans].tolist()
        if elements.count(None) != len(elements):
            blank[nans] = [v is None for v in elements]
    return Classified(values, (blank.astype(CODE_DTYPE) * CODE_DTYPE(BLANK)).reshape(arr.shape))


def float_bits(x: float) -> int:
    """The IEEE 754 bits of a double as an unsigned integer.

    For numbers ≥ +0.0 these sort as the numbers do, and every negative number (-0.0 too),
    inf and nan lies above the largest finite one: so one pass, :func:`max_bits`, tells
    whether all elements are finite, ≥ 0 and below a bound.
    """
    return int(np.float64(x).view(np.uint64))


def max_bits(v: Floats) -> int:
    """The largest :func:`float_bits` of a non-empty float array."""
    return int(np.maximum.reduce(np.asarray(v, np.float64).view(np.uint64), axis=None))  # no method wrapper


def all_below(v: Floats, bound: float) -> bool:
    """Whether every element is finite, ≥ +0.0 and below ``bound`` (> 0), in one pass;
    False for -0.0, as for a negative number.
    """
    return not np.size(v) or max_bits(v) < float_bits(bound)


def all_finite_below(v: Floats, bound: float) -> bool:
    """Whether every element is finite and below ``bound``, negative ones too, in two passes (nan
    carries through both reductions and fails either comparison).
    """
    v = np.asarray(v, np.float64)
    return not v.size or bool(
        np.maximum.reduce(v, axis=None) < bound and np.minimum.reduce(v, axis=None) > -np.inf
    )


def describe(v: object) -> str:
    """A short, repr-free description of an input element for messages."""
    if v is None:
        return "blank (None)"
    if isinstance(v, (bool, np.bool_)):
        return f"the boolean {bool(v)}"
    if isinstance(v, str):
        shown = v if len(v) <= 40 else v[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(v, (numbers.Real, decimal.Decimal)):
        try:
            return f"{float(v):g}"
        except OverflowError:
            return "a number beyond the float range"
        except ValueError:  # Decimal('sNaN')
            return "a signaling NaN"
    return f"a {type(v).__name__}"


def same_index(arguments: dict[str, object]) -> None:
    """Raise :class:`InputError` when pandas inputs carry different indexes.

    xlfuncs computes element by element in order, as numpy does; pandas would align two
    Series by their labels instead.  Rather than guess which the caller meant, inputs
    whose indexes differ (other labels, or the same labels in another order) are refused.
    """
    indexed = [
        (name, raw.index)
        for name, raw in arguments.items()
        if type(raw).__module__.split(".")[0] == "pandas" and hasattr(raw, "index")
    ]
    for name, index in indexed[1:]:
        if not index.equals(indexed[0][1]):
            raise InputError(
                name,
                f"its pandas index differs from that of {indexed[0][0]} (other labels or another order); "
                f"xlfuncs works by position: align them first, e.g. {indexed[0][0]}, {name} = "
                f"{indexed[0][0]}.align({name})",
            )

"""Where the ``formulas`` package computes otherwise than Excel, Excel's behaviour, put in its place.

:func:`install` changes the ``formulas`` function and operator tables (and one formatting helper of
its engineering functions) in this process; :mod:`xlfuncs.calc.formulas_engine` calls it before it
loads a workbook, and :func:`final_operation` marks a cell formula whose last operation Excel
treats specially.  Each replacement follows what Excel stores (the Excel-saved workbooks of
``../shared/excel-oracle``) or what Microsoft documents:

* **Comparisons** (``=``, ``<>``, ``<``, ``>``, ``<=``, ``>=``) round numbers to 15 significant
  digits first, so ``=0.1+0.2=0.3`` is TRUE.
* **A final addition or subtraction** (the last operation of a formula, not inside parentheses)
  whose operands are equal but for their last 3 bits gives 0 (Microsoft KB 78113: "should an
  addition or subtraction operation result in a value at or very close to zero, Excel 97 and
  later will compensate"; ``=(0.5-0.4-0.1)`` keeps -2.78E-17).
* **SCAN and MAP** keep error values, numbers and booleans as such (``formulas`` builds their result
  with numpy's type guessing, which turns a mix of numbers and errors into text).
* **XLOOKUP** with a two-dimensional return array returns the whole matching row (or column).
* **N(TRUE)** is 1; **BAHTTEXT**, which ``formulas`` lacks, reads a number in Thai.
* **Complex numbers as text** (COMPLEX, IM…) carry 15 significant digits, as Excel writes them.
"""

from __future__ import annotations

import math
import operator
import struct
from collections.abc import Callable

import numpy as np

__all__ = ["final_operation", "install"]

#: A final addition or subtraction is 0 when its operands, as 64-bit patterns, are at most this many
#: units in the last place apart: 2 ulps give 0 in Excel's stored values (``21_npv.xlsx``, NPV!D3
#: ``=C3-A3``), 8 ulps do not (``818562.54-778536.1+-40026.44`` keeps 5.82E-11).
CANCEL_ULPS = 7


# --- numbers as Excel shows them ------------------------------------------------------------


def digits15(x: float) -> float:
    """``x`` rounded to 15 significant digits, as Excel compares numbers."""
    return float(f"{x:.15g}") if math.isfinite(x) else x


def _bits(x: float) -> int:
    return int(struct.unpack("<q", struct.pack("<d", abs(x)))[0])


def cancels(x: float, y: float) -> bool:
    """Whether Excel takes ``x - y`` as 0 in a formula's final operation."""
    same_sign = (x > 0 and y > 0) or (x < 0 and y < 0)
    return same_sign and x != y and abs(_bits(x) - _bits(y)) <= CANCEL_ULPS


def excel_number(x: float) -> str:
    """``x`` as Excel writes a number into text of 15 significant digits (``1.28233995888454E-06``,
    ``0.0000692442674613868``, ``27142327967.109``).
    """
    if x == 0:
        return "0"
    mantissa, exponent = f"{x:.14e}".split("e")
    power = int(exponent)
    if -5 <= power < 15:
        digits = f"{x:.{max(14 - power, 0)}f}"
        return digits.rstrip("0").rstrip(".") if "." in digits else digits
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}E{'-' if power < 0 else '+'}{abs(power):02d}"


def _complex_text(real: float, imaginary: float, suffix: str = "j") -> str:
    """A complex number as Excel writes it (``3-j``, ``0``, ``1.5+2i``); not finite is ``#NUM!``."""
    from formulas.errors import FoundError
    from formulas.tokens.operand import Error

    if not (math.isfinite(real) and math.isfinite(imaginary)):
        raise FoundError(err=Error.errors["#NUM!"])
    re_text = excel_number(real)
    im_text = excel_number(imaginary)
    if im_text == "0":
        return re_text
    im_text = {"1": "", "-1": "-"}.get(im_text, im_text) + suffix
    if re_text == "0":
        return im_text
    return re_text + ("" if im_text.startswith("-") else "+") + im_text


# --- operators ------------------------------------------------------------------------------


def _comparison(compare: Callable[..., bool]):
    """A comparison operator of ``formulas`` that rounds numbers to 15 digits first."""
    from formulas.functions.operators import logic_wrap

    def rounded(pair):
        kind, value = pair
        if kind == 0 and isinstance(value, (float, np.floating)):
            return kind, digits15(float(value))
        return pair

    return logic_wrap(lambda x, y: compare(rounded(x), rounded(y)))


def _final(sign: int):
    """The ``+`` (sign 1) or ``-`` (sign -1) operator as the last operation of a formula."""
    from formulas.functions import wrap_ufunc

    def final(x, y):
        other = -sign * y
        return 0.0 if cancels(x, other) else x - other

    return wrap_ufunc(final)


FINAL_OPERATORS = {"+": "FINAL+", "-": "FINAL-"}


def final_operation(formula: str, builder) -> None:
    """Give the root of a parsed ``formula`` Excel's final-operation rule when it is a binary ``+``
    or ``-`` outside parentheses (``builder`` is the parser's ``AstBuilder``, before compiling).
    """
    from formulas.tokens.operator import Operator

    root = builder[-1] if len(builder) else None
    if not isinstance(root, Operator) or root.name not in FINAL_OPERATORS or _enclosed(formula):
        return
    from formulas.functions.operators import OPERATORS

    for node in builder.dsp.function_nodes.values():
        if node.get("outputs") == [root.node_id]:
            node["function"] = OPERATORS[FINAL_OPERATORS[root.name]]


def _enclosed(formula: str) -> bool:
    """Whether the whole formula (after ``=``) is one parenthesised group: ``=(A1-B1)``."""
    text = formula.strip().lstrip("=").strip()
    if not text.startswith("("):
        return False
    depth, quote = 0, ""
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote  # a doubled quote reopens on the next character
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i == len(text) - 1
    return False


# --- functions ------------------------------------------------------------------------------


def _first(v):
    """The first element of a LAMBDA's result, as ``formulas`` takes it."""
    return np.asarray(v, object).ravel()[0] if isinstance(v, np.ndarray) else v


def _grid(values: list, shape: tuple[int, ...]):
    """``values`` as an object array of ``shape``: numbers, booleans and errors keep their type."""
    from formulas.functions import Array

    out = np.empty(len(values), object)
    out[:] = values
    return out.reshape(shape).view(Array)


def _scan(initial_value, array, func):
    from formulas.functions import flatten, replace_empty

    array = np.atleast_2d(np.asarray(array, object))
    out, acc = [], replace_empty(initial_value)
    for x in flatten(array, None):
        acc = func(acc, x)
        out.append(_first(acc))
    return _grid(out, array.shape)


def _map(array, *rest):
    from formulas.functions import flatten
    from formulas.tokens.operand import Error

    *others, func = rest
    arrays = [np.atleast_2d(np.asarray(a, object)) for a in (array, *others)]
    if any(a.shape != arrays[0].shape for a in arrays):
        return _grid([Error.errors["#VALUE!"]], (1, 1))
    out = [_first(func(*args)) for args in zip(*(flatten(a, None) for a in arrays), strict=True)]
    return _grid(out, arrays[0].shape)


def _n(value):
    from formulas.functions import Array, raise_errors

    value = np.asarray(value, object).ravel()[0]
    raise_errors(value)
    if isinstance(value, (bool, np.bool_)):
        value = int(value)
    elif not isinstance(value, (int, float, np.number)):
        value = 0
    return np.asarray([[value]], object).view(Array)


_THAI_DIGITS = ("ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า")
_THAI_PLACES = ("", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน")


def _thai_number(n: int) -> str:
    """A whole number ≥ 1 read in Thai: 11 is สิบเอ็ด, 21 ยี่สิบเอ็ด, 101 หนึ่งร้อยเอ็ด, millions by ล้าน."""
    millions, group = divmod(n, 1_000_000)
    words = _thai_number(millions) + "ล้าน" if millions else ""
    digits = f"{group:06d}"
    for place, d in zip(range(5, -1, -1), map(int, digits), strict=True):
        if not d:
            continue
        if place == 1 and d in (1, 2):
            words += ("" if d == 1 else "ยี่") + "สิบ"
        elif place == 0 and d == 1 and n > 1:
            words += "เอ็ด"
        else:
            words += _THAI_DIGITS[d] + _THAI_PLACES[place]
    return words


def bahttext(value: float) -> str:
    """``value`` in Thai words for baht and satang, as Excel's BAHTTEXT writes it."""
    satang_total = round(abs(value) * 100)
    baht, satang = divmod(satang_total, 100)
    words = "ลบ" if value < 0 and satang_total else ""
    if baht or not satang:
        words += (_thai_number(baht) if baht else _THAI_DIGITS[0]) + "บาท"
    return words + (_thai_number(satang) + "สตางค์" if satang else "ถ้วน")


def _xlookup(original, xmatch):
    """XLOOKUP returning the matching row of a return array with several columns (or the column,
    for a lookup row); every other case is ``formulas``' own XLOOKUP (``original``).
    """
    from formulas.functions import Array
    from formulas.tokens.operand import Error, XlError

    def xlookup(lookup_value, lookup_array, return_array, *rest):
        args = [lookup_value, lookup_array, return_array]
        given: list = [*rest, *[None, 0, 1][len(rest) :]]
        if_not_found, match_mode, search_mode = given[:3]
        look = np.atleast_2d(np.asarray(lookup_array, object))
        result = np.atleast_2d(np.asarray(return_array, object))
        vertical = look.shape[1] == 1 and look.shape[0] > 1
        across = result.shape[1] if vertical else result.shape[0]
        single = np.asarray(lookup_value, object).size == 1
        if not single or min(look.shape) != 1 or look.size == 1 or across == 1:
            return original(*args, *rest)
        if (result.shape[0] if vertical else result.shape[1]) != look.size:
            return np.asarray([[Error.errors["#VALUE!"]]], object).view(Array)
        found = np.asarray(xmatch(lookup_value, lookup_array, match_mode, search_mode), object).ravel()[0]
        if isinstance(found, XlError):
            missing = if_not_found is not None and not _is_empty(if_not_found)
            if found == Error.errors["#N/A"] and missing:
                return np.atleast_2d(np.asarray(if_not_found, object)).view(Array)
            return np.asarray([[found]], object).view(Array)
        i = int(found) - 1
        return (result[i : i + 1, :] if vertical else result[:, i : i + 1]).view(Array)

    return xlookup


def _is_empty(v) -> bool:
    import schedula as sh

    return bool(np.asarray(v, object).ravel()[0] is sh.EMPTY)


# --- installing -----------------------------------------------------------------------------

_installed = False


def install() -> None:
    """Put the replacements above into ``formulas``' tables (idempotent)."""
    import formulas
    import formulas.functions.eng as eng
    from formulas.functions import wrap_func, wrap_ufunc
    from formulas.functions.operators import OPERATORS

    global _installed
    if _installed:
        return
    table = formulas.get_functions()
    comparisons: dict[str, Callable[..., bool]] = {
        "=": operator.eq,
        "<>": operator.ne,
        "<": operator.lt,
        ">": operator.gt,
        "<=": operator.le,
        ">=": operator.ge,
    }
    for symbol, compare in comparisons.items():
        OPERATORS[symbol] = _comparison(compare)
    OPERATORS["FINAL+"], OPERATORS["FINAL-"] = _final(1), _final(-1)
    eng._fmt_complex = _complex_text
    xlookup = wrap_func(_xlookup(table["XLOOKUP"], table["XMATCH"]))
    baht = wrap_ufunc(bahttext, check_nan=False)
    for name, function in {
        "SCAN": wrap_func(_scan),
        "MAP": wrap_func(_map),
        "N": wrap_func(_n),
        "XLOOKUP": xlookup,
        "BAHTTEXT": baht,
    }.items():
        table[name] = function
        if f"_XLFN.{name}" in table:
            table[f"_XLFN.{name}"] = function
    _installed = True

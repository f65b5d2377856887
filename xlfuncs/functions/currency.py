"""Prices quoted in a minor currency unit (pence, cents, agorot), in major units.

London quotes most shares in pence (GBX, also written GBp), Johannesburg in cents (ZAc,
ZAC) and Tel Aviv in agorot (ILA, ILs).  A pence price multiplied as pounds makes a
micro-cap look like a large cap.  These market conventions are not ISO 4217 codes; every
ISO 4217 code (the generated :mod:`.iso4217`, from pycountry) is already in major units.
"""

from __future__ import annotations

import numpy as np

from ..framework.errors import BLANK, ERROR_CODE, NA, OK, VALUE
from ..framework.rules import SIGNED
from ..framework.spec import udf
from ..framework.values import CODE_DTYPE, Floats, as_array, cell_value, describe
from .iso4217 import CODES

#: Minor-unit market conventions and how many of them make one major unit.
MINOR_UNITS = {"GBX": 100.0, "GBp": 100.0, "ZAc": 100.0, "ZAC": 100.0, "ILA": 100.0, "ILs": 100.0}
#: Every code TOMAJOR knows, exactly as written, and the divisor to major units.
DIVISORS = {**dict.fromkeys(CODES, 1.0), **MINOR_UNITS}
_BY_UPPER: dict[str, dict[str, float]] = {}
for _code, _divisor in DIVISORS.items():
    _BY_UPPER.setdefault(_code.upper(), {})[_code] = _divisor


def divisor(code: str) -> float | None:
    """Minor units per major unit of ``code``; None if unknown or if its case decides (gbp: GBP or GBp?).

    Written exactly, a code is found as it is.  Otherwise case does not matter, as long as every
    code of those letters means the same unit ("usd", "gbx", "zac"), but not "gbp" or "ils".
    """
    if code in DIVISORS:
        return DIVISORS[code]
    found = set(_BY_UPPER.get(code.upper(), {}).values())
    return found.pop() if len(found) == 1 else None


class CurrencyCode:
    """An ISO 4217 code or a minor-unit convention; read as its divisor to major units."""

    accepts = "an ISO 4217 code, or GBX, GBp, ZAc, ZAC, ILA, ILs"

    def read(self, raw: object) -> tuple[Floats, np.ndarray | None]:
        arr = as_array(raw)
        flat = arr.ravel().tolist()
        try:  # a column of codes repeats a few of them: classify each distinct cell once
            distinct = set(flat)
        except TypeError:  # an unhashable cell (an Office.js error object): one by one
            distinct = None
        if distinct is None:
            pairs = [self._one(element) for element in flat]
            out = np.fromiter((p[0] for p in pairs), np.float64, len(flat))
            codes = np.fromiter((p[1] for p in pairs), CODE_DTYPE, len(flat))
        else:  # equal cells of different types (1, 1.0, True) are all #VALUE!: one entry serves
            known = {element: self._one(element) for element in distinct}
            out = np.fromiter(
                map({k: v[0] for k, v in known.items()}.__getitem__, flat), np.float64, len(flat)
            )
            codes = np.fromiter(
                map({k: v[1] for k, v in known.items()}.__getitem__, flat), CODE_DTYPE, len(flat)
            )
        return out.reshape(arr.shape), (codes.reshape(arr.shape) if codes.any() else None)

    @staticmethod
    def _one(element: object) -> tuple[float, int]:
        """(divisor, OK), or (1, the error code): blank is #N/A, an error value passes through."""
        _, code = cell_value(element)  # blank, error value (text or Office.js object), number
        found = divisor(element.strip()) if isinstance(element, str) and code == VALUE else None
        if found is not None:
            return found, OK
        return 1.0, NA if code == BLANK else VALUE if code == OK else code

    def reason(self, element: object) -> str:
        if isinstance(element, str) and element.strip().upper() in ERROR_CODE:
            return f"is the Excel error value {element.strip().upper()}"
        if element is None or (isinstance(element, str) and not element.strip()):
            return "is blank but a value is required"
        same_letters = _BY_UPPER.get(element.strip().upper(), {}) if isinstance(element, str) else {}
        if len(set(same_letters.values())) > 1:
            return (
                f"{describe(element)} is ambiguous: case decides, write {' or '.join(sorted(same_letters))}"
            )
        return f"{describe(element)} is not an ISO 4217 code nor one of GBX, GBp, ZAc, ZAC, ILA, ILs"


@udf("TOMAJOR", amount=SIGNED, currency_code=CurrencyCode())
def tomajor(amount: Floats, currency_code: Floats) -> Floats:
    """A price or amount quoted in a minor unit (GBX/GBp pence, ZAc/ZAC cents, ILA/ILs agorot) in major units (÷ 100); any ISO 4217 code unchanged.

    Formula: amount ÷ 100 for GBX, GBp, ZAc, ZAC, ILA and ILs; amount for an ISO 4217 code

    Parameters
    ----------
    amount : float or array_like
        Price or amount as quoted, in the unit of currency_code (any sign).
    currency_code : str or array_like
        The quote's currency: an ISO 4217 code (GBP, ZAR, ILS, USD, ...) or a minor-unit convention; case matters where it decides (GBP pounds, GBp pence).

    Returns
    -------
    float or ndarray
        The amount in major units (pounds, rand, shekels, ...).

    Examples
    --------
    A London share quoted at 250 pence is £2.50; a Johannesburg price of 5,000 cents is R50:

    >>> tomajor(250, "GBp")
    2.5
    >>> tomajor([250, 250, 5000], ["GBX", "GBP", "ZAc"]).tolist()
    [2.5, 250.0, 50.0]

    References
    ----------
    .. [1] ISO 4217, *Codes for the representation of currencies*; the list as pycountry ships it (iso-codes project).
    .. [2] Saxo, "Are stocks on the London Stock Exchange traded in pence or pound sterling?",
       https://www.help.saxo/hc/en-us/articles/7743437597213
    .. [3] Yahoo Finance quote currencies GBp, ZAc and ILA (minor units), as reported in
       https://github.com/letehaha/budget-tracker/pull/562
    """
    return amount / currency_code

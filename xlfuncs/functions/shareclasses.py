"""Market cap across share classes (GOOGL/GOOG and unlisted class B, BRK.A/BRK.B).

Data vendors have misreported such market caps by factors of 2 to 7: counting one class
only, or multiplying every class's shares by one class's price.  Each class counts its
own shares at its own price; an unlisted class is valued through what it converts into.
"""

from __future__ import annotations

import numpy as np

from ..framework.errors import VALUE, InputError
from ..framework.rules import ABSENT, Number
from ..framework.spec import udf
from ..framework.values import Floats

CLASS_SHARES = Number(help="must be ≥ 0")
CLASS_PRICE = Number(blank=ABSENT, help="must be ≥ 0 (blank: not listed)")
RATIO = Number(blank=1.0, help="must be ≥ 0 (blank means 1)")


def _per_class(name: str, values: Floats, shares: Floats) -> Floats:
    if values.size != shares.size:
        raise InputError(
            name,
            f"has {values.size} cells but shares has {shares.size}; give one per share class",
            code=VALUE,
        )
    return values


@udf(
    "COMBINEDMCAP",
    nan_result="#N/A",
    tables=("shares", "prices", "ratios"),
    shares=CLASS_SHARES,
    prices=CLASS_PRICE,
    ratios=RATIO,
)
def combinedmcap(shares: Floats, prices: Floats, ratios: Floats | None = None) -> Floats:
    """Market cap of a company with several share classes: each class's shares times its own price; an unlisted class (blank price) at the first listed price times its ratio.

    Formula: Σ shares × price, with price = first listed price × ratio for a class with no price

    Parameters
    ----------
    shares : array_like
        Shares outstanding of each class (count, ≥ 0), one row per class.
    prices : array_like
        Price of each class, currency units (≥ 0), same length as shares; blank for a class that is not listed.
    ratios : array_like, optional
        For a class with no price: the number of shares of the first listed class one share converts into (≥ 0); blank or omitted means 1.

    Returns
    -------
    float
        Combined market cap in the currency unit of ``prices``; nan (#N/A in Excel) when no class has a price.

    Examples
    --------
    Alphabet-like: class A (listed) 5.8bn at $170, class C (listed) 5.5bn at $171, class B
    (unlisted, converts 1:1 into A) 0.86bn, valued at A's $170:

    >>> combinedmcap([5.8e9, 5.5e9, 0.86e9], [170, 171, None])
    2072700000000.0

    Berkshire-like: 550,000 A shares at $700,000 and 1.3bn B shares at $466:

    >>> combinedmcap([550e3, 1.3e9], [700_000, 466])
    990800000000.0

    References
    ----------
    .. [1] Alphabet Inc., Form 10-K 2024, Note 11 (class A, B and C stock; class B converts 1:1 into class A).
    .. [2] Berkshire Hathaway Inc., Annual Report 2024 (one class A share converts into 1,500 class B shares).
    """
    prices = _per_class("prices", prices, shares)
    if ratios is None or ratios.size == 0:  # omitted: every ratio is 1
        ratios = np.ones(shares.shape)
    ratio = _per_class("ratios", ratios, shares)
    listed = ~np.isnan(prices)
    if not listed.any():
        return np.array(np.nan)
    value = np.where(listed, prices, prices[np.argmax(listed)] * ratio)  # the first listed price
    return np.array(np.sum(shares * value))

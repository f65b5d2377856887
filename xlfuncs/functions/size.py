"""Market-cap size classes (mega, large, mid, small, micro, nano)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..framework.errors import VALUE, InputError
from ..framework.rules import ABSENT, AMOUNT, Labels, Number
from ..framework.spec import udf
from ..framework.values import Floats

if TYPE_CHECKING:
    import numpy.typing as npt

#: Rule-of-thumb lower bounds in US dollars, largest first (Investopedia/MarketXLS table).
DEFAULT_CLASSES = (
    ("Mega", 200e9),
    ("Large", 10e9),
    ("Mid", 2e9),
    ("Small", 300e6),
    ("Micro", 50e6),
    ("Nano", 0.0),
)


def _classes(thresholds: Floats, labels: npt.NDArray[np.object_]) -> tuple[Floats, npt.NDArray[np.object_]]:
    """Sorted lower bounds and their labels, from the two ranges or the defaults."""
    if thresholds.size != labels.size:
        raise InputError(
            "labels",
            f"has {labels.size} cells but thresholds has {thresholds.size}; give one label per threshold",
            code=VALUE,
        )
    given = ~np.isnan(thresholds) | (labels != None)  # noqa: E711 (element-wise); blank rows are skipped
    bounds, names = thresholds[given], labels[given]
    if not bounds.size:  # no custom table, or only blank rows: the default classes
        names = np.array([n for n, _ in DEFAULT_CLASSES], object)
        bounds = np.array([b for _, b in DEFAULT_CLASSES])
    else:
        if np.isnan(bounds).any() or (names == None).any():  # noqa: E711
            raise InputError("thresholds", "a threshold and its label must both be given", code=VALUE)
        if len(np.unique(bounds)) != len(bounds):
            raise InputError("thresholds", "the same threshold appears twice", code=VALUE)
    order = np.argsort(bounds)
    return bounds[order], names[order]


@udf(
    "MCAPCLASS",
    result="label",
    tables=("thresholds", "labels"),
    market_cap=AMOUNT,
    thresholds=Number(blank=ABSENT),
    labels=Labels(),
)
def mcapclass(
    market_cap: Floats,
    thresholds: Floats | None = None,
    labels: npt.NDArray[np.object_] | None = None,
) -> npt.NDArray[Any]:
    """Size class of a market cap: Mega ≥ 200bn, Large ≥ 10bn, Mid ≥ 2bn, Small ≥ 300m, Micro ≥ 50m, else Nano (USD), or your own thresholds and labels.

    Formula: label of the largest threshold ≤ market_cap

    Parameters
    ----------
    market_cap : float or array_like
        Market capitalisation in the thresholds' currency unit (US dollars for the defaults, ≥ 0).
    thresholds : array_like, optional
        Your own lower bounds (≥ 0, any order), one per label; omit both ranges for the default classes.
    labels : array_like, optional
        Label for each threshold, same length as thresholds.

    Returns
    -------
    str or ndarray of str
        The class label; None (#N/A in Excel) below every custom threshold.

    Examples
    --------
    >>> mcapclass(1.4e9)
    'Small'
    >>> mcapclass([250e9, 5e9, 10e6]).tolist()
    ['Mega', 'Mid', 'Nano']
    >>> mcapclass(12e9, [0, 1e9, 10e9], ["small", "mid", "large"])
    'large'

    References
    ----------
    .. [1] MarketXLS, "Market capitalization", https://marketxls.com/formulas/market-capitalization
    .. [2] Investopedia, "Market Capitalization: What It Means for Investors".
    """
    assert thresholds is not None and labels is not None  # tables arrive as arrays, empty when omitted
    bounds, names = _classes(thresholds, labels)
    index = np.searchsorted(bounds, market_cap, side="right") - 1
    classes = names[np.maximum(index, 0)] if names.size else np.full(np.shape(index), None, object)
    below_every_threshold = np.array(None, object)
    result: npt.NDArray[Any] = np.where(index >= 0, classes, below_every_threshold)
    return result

"""The implied share price: the price whose fully diluted equity value is a given equity value.

In a DCF the price per share is the equity value divided by the diluted shares, but
the diluted shares depend on the price.  Spreadsheets break that circularity with
iterative calculation; here it is solved exactly.  Under the treasury stock method

    E = P × FD shares(P) = P × S + Σ over tranches in the money nᵢ (P − Kᵢ),

which is continuous, piecewise linear and non-decreasing in P, with a kink at each
strike.  Walking the sorted strikes finds the piece that holds E, and on that piece
P = (E + Σ nᵢ Kᵢ) / (S + Σ nᵢ) over the tranches struck below P.  Gross gives the same
price (E plus the proceeds Σ nᵢ Kᵢ equals P × gross FD shares: the same equation).
A convertible in the money is a tranche of principal ÷ conversion price shares struck
at the conversion price: converted, its principal leaves debt and joins the equity,
so E (with the convertible still counted as debt) + principal = P × (S + shares).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..framework.rules import AMOUNT
from ..framework.spec import udf
from ..framework.values import Floats
from .diluted import ALL, METHOD, TRANCHE
from .tranches import Table, convertibles, paired, row_tables

if TYPE_CHECKING:
    import numpy.typing as npt


def _first_at_or_above(table: Table, equity_value: Floats, shares: Floats) -> npt.NDArray[np.intp]:
    """Per element, how many sorted strikes K have f(K) = K × S + Σ_{strike < K} n (K − strike) < E.

    f is non-decreasing along the sorted strikes, so a binary search per element finds it,
    all elements at once: log2(tranches) steps over arrays the size of the inputs.
    """
    strikes = table.strikes
    n = strikes.shape[-1]
    # the first tranche with each strike: where a new strike starts, carried forward
    starts = np.ones(strikes.shape, bool)
    starts[..., 1:] = strikes[..., 1:] != strikes[..., :-1]
    first_of_value = np.maximum.accumulate(np.where(starts, np.arange(n), 0), axis=-1)
    below_n = np.take_along_axis(table.total_counts, first_of_value, -1)
    below_v = np.take_along_axis(table.total_values, first_of_value, -1)
    lo = np.zeros(np.shape(equity_value), np.intp)
    hi = np.full(np.shape(equity_value), n, np.intp)
    while (active := lo < hi).any():
        mid = (lo + hi) // 2  # < hi ≤ number of strikes where active
        at = np.minimum(mid, n - 1)  # elements already found index anything
        f = table.at(strikes, at) * (shares + table.at(below_n, at)) - table.at(below_v, at)
        less = f < equity_value
        lo = np.where(active & less, mid + 1, lo)
        hi = np.where(active & ~less, mid, hi)
    return lo


@udf(
    "IMPLIEDPRICE",
    tables=("counts", "strikes", "conv_principal", "conv_price"),
    equity_value=AMOUNT,
    shares=AMOUNT,
    counts=TRANCHE,
    strikes=TRANCHE,
    method=METHOD,
    conv_principal=TRANCHE,
    conv_price=TRANCHE,
)
@row_tables
def impliedprice(
    equity_value: Floats,
    shares: Floats,
    counts: Floats | None = None,
    strikes: Floats | None = None,
    method: Floats | str = "gross",
    conv_principal: Floats | None = None,
    conv_price: Floats | None = None,
) -> Floats:
    """Implied share price: the price whose fully diluted equity value equals equity_value, solved exactly (no iterative calculation); gross and tsm give the same price.

    Formula: P with P × S + Σ in the money nᵢ × (P − Kᵢ) = equity_value; a tranche struck exactly at P is not in the money

    Parameters
    ----------
    equity_value : float or array_like
        Equity value to share out, currency units (≥ 0), with convertibles still counted as debt (e.g. DCF enterprise value − debt + cash).
    shares : float or array_like
        Basic shares outstanding (count, ≥ 0).
    counts : array_like, optional
        Number of instruments in each tranche (count, ≥ 0); blank or omitted means none.
    strikes : array_like, optional
        Exercise price of each tranche, currency units (≥ 0), same length as counts; blank or 0 = no exercise price (RSUs).
    method : str or array_like, optional
        "gross" (default) or "tsm" (the same price: tranches in the money only), or "all" (every tranche counted).
    conv_principal : array_like, optional
        Principal of each convertible bond, currency units (≥ 0); converted when in the money at the implied price.
    conv_price : array_like, optional
        Conversion price of each convertible (> 0), currency units per share, same length as conv_principal.

    Returns
    -------
    float or ndarray
        Price per share in the currency unit of ``equity_value``; nan (#NUM! in Excel) when no
        price gives that value (a positive equity value and no shares at all).

    Examples
    --------
    XYZ: 50m shares and 20m options at $5; an equity value of $600m gives $10 a share, at which
    the options add 20m × (10 − 5) / 10 = 10m shares under the treasury stock method:

    >>> impliedprice(600e6, 50e6, [20e6], [5])
    10.0

    A $500m convertible at $50 on 100m shares: $8,300m of equity (the convertible counted as debt)
    gives $80, where conversion adds 10m shares and $500m of equity: 110m × $80 = $8,800m.

    >>> impliedprice(8300e6, 100e6, conv_principal=[500e6], conv_price=[50])
    80.0

    References
    ----------
    .. [1] Rosenbaum, J. and Pearl, J., *Investment Banking*, 3rd ed., Wiley 2020, ch. 3 (implied share price from a DCF; the circularity of diluted shares).
    .. [2] CFA Institute, *International Financial Statement Analysis*, 4th ed., Wiley 2020, ch. 6 (treasury stock method).
    """
    option_counts, option_strikes = paired(counts, strikes)
    conv_shares, conv_prices = convertibles(conv_principal, conv_price)
    table = Table.of(
        np.concatenate([option_counts, conv_shares], -1), np.concatenate([option_strikes, conv_prices], -1)
    )
    j = _first_at_or_above(table, equity_value, shares)
    # On the piece (strike j−1, strike j] the tranches below j are in the money.
    in_money = (equity_value + table.at(table.total_values, j)) / (shares + table.at(table.total_counts, j))
    every = (equity_value + table.total_values[..., -1]) / (shares + table.total_counts[..., -1])
    price = np.where(method == ALL, every, np.where(equity_value == 0, 0.0, in_money))
    return np.where(np.isfinite(price), price, np.nan)

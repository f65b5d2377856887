"""Crypto fully diluted valuation."""

from __future__ import annotations

import numpy as np

from ..framework.rules import AMOUNT, SUPPLY
from ..framework.spec import udf
from ..framework.values import Floats


@udf("FDV", nan_result="#N/A", price=AMOUNT, max_supply=SUPPLY, total_supply=SUPPLY)
def fdv(price: Floats, max_supply: Floats, total_supply: Floats | None = None) -> Floats:
    """Crypto fully diluted valuation: price times maximum supply; for unlimited supply (blank or 0) price times total supply; neither given gives #N/A.

    Formula: FDV = price × max_supply, or price × total_supply when max_supply is blank or 0

    Parameters
    ----------
    price : float or array_like
        Price of one coin or token, currency units (≥ 0).
    max_supply : float or array_like
        Maximum supply the protocol allows (coins, ≥ 0); blank or 0 means unlimited.
    total_supply : float or array_like, optional
        Coins in existence less those burned (coins, ≥ 0); used when the maximum supply is unlimited.

    Returns
    -------
    float or ndarray
        Fully diluted valuation in the currency unit of ``price``; nan when neither supply is known.

    Examples
    --------
    Bitcoin's maximum supply is 21 million coins; at $60,000 a coin:

    >>> fdv(60_000, 21e6)
    1260000000000.0

    Ether has no maximum supply, so its total supply is used:

    >>> fdv(3_000, 0, 120e6)
    360000000000.0

    References
    ----------
    .. [1] CoinMarketCap, "Supply: Circulating, Total, Max",
       https://support.coinmarketcap.com/hc/en-us/articles/360043396252
    .. [2] CoinGecko, "Supply methodology",
       https://support.coingecko.com/hc/en-us/articles/32294647667865
    """
    assert total_supply is not None  # a blank or omitted total supply arrives as nan
    supply = np.where(max_supply > 0, max_supply, total_supply)
    return price * supply

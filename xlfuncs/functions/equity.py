"""Market capitalisation, enterprise value, free float, dilution, ownership, multiples.

All amounts are in whatever currency and unit the caller uses (dollars,
millions of euros, ...); results come out in the same unit.  Every function
broadcasts like numpy over scalars, lists, arrays and pandas Series.
"""

from __future__ import annotations

import math

import numpy as np

from ..framework.errors import DIV0, NUM
from ..framework.rules import AMOUNT, FRACTION, OPTIONAL_AMOUNT, SIGNED
from ..framework.spec import Check, Shortcut, udf
from ..framework.values import Floats, all_below, all_finite_below


@udf("MARKETCAP", price=AMOUNT, shares=AMOUNT)
def marketcap(price: Floats, shares: Floats) -> Floats:
    """Market capitalisation: share price times shares outstanding (crypto: coin price times circulating supply).

    Formula: market cap = price × shares

    Parameters
    ----------
    price : float or array_like
        Price of one share or coin, in currency units (≥ 0).
    shares : float or array_like
        Shares outstanding, treasury shares excluded; for a crypto asset the circulating supply (count, ≥ 0).

    Returns
    -------
    float or ndarray
        Market value of the equity, in the currency unit of ``price``.

    Examples
    --------
    One million shares at $100 (the source article's first example):

    >>> marketcap(100, 1_000_000)
    100000000.0

    A coin at $0.10 with 50 billion coins in circulation:

    >>> marketcap(0.10, 50e9)
    5000000000.0

    References
    ----------
    .. [1] CFA Institute, *Equity Asset Valuation*, 4th ed., Wiley 2020, ch. "Market-based valuation".
    .. [2] CoinMarketCap, "Supply: Circulating, Total, Max",
       https://support.coinmarketcap.com/hc/en-us/articles/360043396252
    """
    return price * shares


@udf(
    "EV",
    market_cap=AMOUNT,
    debt=AMOUNT,
    cash=AMOUNT,
    preferred=OPTIONAL_AMOUNT,
    minority_interest=OPTIONAL_AMOUNT,
    investments=OPTIONAL_AMOUNT,
)
def ev(
    market_cap: Floats,
    debt: Floats,
    cash: Floats,
    preferred: Floats | float = 0.0,
    minority_interest: Floats | float = 0.0,
    investments: Floats | float = 0.0,
) -> Floats:
    """Enterprise value: market cap plus debt, preferred and minority interest, less cash and non-operating investments; negative when net cash exceeds the market cap.

    Formula: EV = market_cap + debt + preferred + minority_interest − cash − investments

    Parameters
    ----------
    market_cap : float or array_like
        Market value of the common equity, in currency units (≥ 0).
    debt : float or array_like
        Total debt (short and long term, leases if you count them), currency units (≥ 0).
    cash : float or array_like
        Cash and cash equivalents, currency units (≥ 0).
    preferred : float or array_like, optional
        Preferred equity, currency units (≥ 0); blank means 0.
    minority_interest : float or array_like, optional
        Non-controlling (minority) interest, currency units (≥ 0); blank means 0.
    investments : float or array_like, optional
        Non-operating stakes such as equity-method investments, currency units (≥ 0); blank means 0.

    Returns
    -------
    float or ndarray
        Enterprise value in the same unit; may be negative (net cash).

    Examples
    --------
    ABC Corporation: market cap $1bn, debt $500m, cash $100m:

    >>> ev(1e9, 500e6, 100e6)
    1400000000.0

    A cash-rich company: EV below zero.

    >>> ev(200e6, 0, 250e6)
    -50000000.0

    References
    ----------
    .. [1] Rosenbaum, J. and Pearl, J., *Investment Banking*, 3rd ed., Wiley 2020, ch. 1.
    .. [2] Damodaran, A., *Investment Valuation*, 3rd ed., Wiley 2012, ch. 18.
    """
    return market_cap + debt + preferred + minority_interest - cash - investments


@udf(
    "FREEFLOAT",
    shares=AMOUNT,
    restricted=AMOUNT,
    checks=(
        Check("shares", DIV0, "shares is 0", lambda shares, **_: shares == 0),
        Check(
            "restricted",
            NUM,
            "restricted exceeds shares",
            lambda shares, restricted, **_: restricted > shares,
        ),
    ),
    # (shares − restricted) / shares is finite and ≥ +0 only where shares > 0 and restricted ≤
    # shares: shares = 0 gives ±inf or nan, restricted > shares a negative number or -0.0.
    shortcut=Shortcut(lambda out: all_below(out, math.inf)),
)
def freefloat(shares: Floats, restricted: Floats) -> Floats:
    """Free-float fraction: the share of outstanding shares not held by insiders, governments or strategic holders.

    Formula: free float = (shares − restricted) / shares

    Parameters
    ----------
    shares : float or array_like
        Shares outstanding (count, > 0).
    restricted : float or array_like
        Closely held or locked-up shares (count, 0 to ``shares``).

    Returns
    -------
    float or ndarray
        Fraction from 0 to 1.

    Examples
    --------
    100m shares, of which a founding family holds 30m:

    >>> freefloat(100e6, 30e6)
    0.7

    References
    ----------
    .. [1] FTSE Russell, *Free Float Restrictions*, https://www.ftse.com/Indices/FTSE_Index_Standards/Free_Float.jsp
    """
    return (shares - restricted) / shares


@udf("FFMCAP", price=AMOUNT, shares=AMOUNT, free_float=FRACTION)
def ffmcap(price: Floats, shares: Floats, free_float: Floats) -> Floats:
    """Free-float market cap: the market value of the freely tradable shares, as index providers weight them.

    Formula: free-float market cap = price × shares × free_float

    Parameters
    ----------
    price : float or array_like
        Share price, currency units (≥ 0).
    shares : float or array_like
        Shares outstanding (count, ≥ 0).
    free_float : float or array_like
        Free-float fraction, 0 to 1 (90 % is 0.9), e.g. from FREEFLOAT.

    Returns
    -------
    float or ndarray
        Free-float market cap in the currency unit of ``price``.

    Examples
    --------
    $50 a share, 100m shares, 70 % free float:

    >>> ffmcap(50, 100e6, 0.7)
    3500000000.0

    References
    ----------
    .. [1] Refinitiv Datastream, datatype MVFF (= MV × NOSHFF / 100),
       https://product.datastream.com/Navigator/HelpFiles/DatatypeDefinitions/en/0/MVFF.htm
    """
    return price * shares * free_float


@udf(
    "DILUTION",
    shares=AMOUNT,
    new_shares=SIGNED,
    checks=(
        Check(
            "new_shares",
            NUM,
            "shares + new_shares must be > 0",
            lambda shares, new_shares, **_: shares + new_shares <= 0,
        ),
    ),
    # With shares finite and ≥ 0, new_shares / (shares + new_shares) is finite and < 1 only where
    # shares + new_shares > 0 and new_shares is finite: a sum of 0 gives -inf or nan, a negative
    # sum a quotient ≥ 1 (|new_shares| ≥ |sum| as the sum rounds), an infinite or nan new_shares
    # nan.  So the test also proves new_shares within its rule; a valid result of exactly 1
    # (no shares before) takes the full path.
    shortcut=Shortcut(lambda out: all_finite_below(out, 1.0), covers=("new_shares",)),
)
def dilution(shares: Floats, new_shares: Floats) -> Floats:
    """Dilution from issuing new shares: how much every existing holder's stake shrinks; a buyback (negative new_shares) gives a negative value (accretion).

    Formula: dilution = new_shares / (shares + new_shares)

    Parameters
    ----------
    shares : float or array_like
        Shares outstanding before the issue (count, ≥ 0).
    new_shares : float or array_like
        Shares issued (count); negative for shares bought back and cancelled.

    Returns
    -------
    float or ndarray
        Fraction by which existing stakes shrink; an existing holder's new stake is old stake × (1 − dilution).

    Examples
    --------
    A capital increase of 25m new shares on 100m existing shares:

    >>> dilution(100e6, 25e6)
    0.2

    A buyback of 10m of 100m shares:

    >>> round(dilution(100e6, -10e6), 6)
    -0.111111

    References
    ----------
    .. [1] Berk, J. and DeMarzo, P., *Corporate Finance*, 5th ed., Pearson 2020, ch. 23 (equity issuance).
    """
    return new_shares / (shares + new_shares)


@udf(
    "OWNERSHIP",
    holding=AMOUNT,
    shares=AMOUNT,
    checks=(
        Check("shares", DIV0, "shares is 0", lambda shares, **_: shares == 0),
        Check("holding", NUM, "holding exceeds shares", lambda holding, shares, **_: holding > shares),
    ),
    # With shares finite and ≥ 0, holding / shares is finite, ≥ +0 and < 1 only where shares > 0
    # and 0 ≤ holding < shares: shares = 0 gives ±inf or nan, a negative holding a negative
    # quotient or -0.0, a holding of inf or nan inf or nan, and holding ≥ shares a quotient that
    # rounds to ≥ 1.  So the test also proves holding within its rule.
    shortcut=Shortcut(lambda out: all_below(out, 1.0), covers=("holding",)),
)
def ownership(holding: Floats, shares: Floats) -> Floats:
    """Ownership stake: the fraction of a company one holder owns.

    Formula: ownership = holding / shares

    Parameters
    ----------
    holding : float or array_like
        Shares held (count, 0 to ``shares``).
    shares : float or array_like
        Shares outstanding (count, > 0).

    Returns
    -------
    float or ndarray
        Fraction from 0 to 1.

    Examples
    --------
    1m of 100m shares, before and after 25m new shares are issued:

    >>> ownership(1e6, 100e6), ownership(1e6, 125e6)
    (0.01, 0.008)

    References
    ----------
    .. [1] Berk, J. and DeMarzo, P., *Corporate Finance*, 5th ed., Pearson 2020, ch. 23.
    """
    return holding / shares


@udf("MULTIPLE", nan_result="NM", value=SIGNED, metric=SIGNED)
def multiple(value: Floats, metric: Floats) -> Floats:
    """Valuation multiple such as P/E, EV/EBITDA, P/S or P/B; a metric ≤ 0 is not meaningful (NM in Excel, nan in Python).

    Formula: multiple = value / metric, NM when metric ≤ 0

    Parameters
    ----------
    value : float or array_like
        Numerator: price, market cap or EV, currency units (any sign).
    metric : float or array_like
        Denominator: EPS, earnings, EBITDA, sales or book value, same currency unit (any sign).

    Returns
    -------
    float or ndarray
        The multiple (a ratio, "x"); nan where ``metric`` ≤ 0.

    Examples
    --------
    EV of $1.4bn on EBITDA of $175m, and a loss-making company:

    >>> multiple(1.4e9, 175e6)
    8.0
    >>> multiple(1.4e9, -20e6)
    nan

    References
    ----------
    .. [1] Rosenbaum, J. and Pearl, J., *Investment Banking*, 3rd ed., Wiley 2020, ch. 1 ("NM" for negative denominators).
    """
    value, metric = np.broadcast_arrays(value, metric)
    result: Floats = np.divide(value, metric, out=np.full(value.shape, np.nan), where=metric > 0)
    return result

"""Fully diluted share count, market cap and enterprise value.

``counts`` and ``strikes`` describe one company's tranches of options,
warrants and RSUs (one element per tranche, blank or 0 strike = no exercise
price).  Every other argument broadcasts, so one call can value the same
tranche table at many prices or under several methods at once.

Methods
-------
``"gross"`` (default, the source article's): every in-the-money tranche
(strike < price) is counted in full and FD EV adds its exercise proceeds
(count × strike) to cash.  ``"tsm"``: treasury stock method; each
in-the-money tranche adds count × (price − strike) / price shares and no
proceeds.  ``"all"``: every tranche is counted whatever its strike and FD EV
adds all proceeds.  Gross and TSM always give the same FD EV.
"""

from __future__ import annotations

import numpy as np

from ..framework.errors import VALUE, InputError
from ..framework.rules import AMOUNT, OPTIONAL_AMOUNT, Choice, Number
from ..framework.spec import udf

METHODS = ("gross", "tsm", "all")
METHOD = Choice(METHODS, default="gross")
TRANCHE = Number(blank=0.0, help="must be ≥ 0")
_TABLES = ("counts", "strikes")
_BRIDGE_RULES = dict(
    price=AMOUNT,
    shares=AMOUNT,
    debt=AMOUNT,
    cash=AMOUNT,
    counts=TRANCHE,
    strikes=TRANCHE,
    method=METHOD,
    preferred=OPTIONAL_AMOUNT,
    minority_interest=OPTIONAL_AMOUNT,
    investments=OPTIONAL_AMOUNT,
)

#: The "Parameters" section of FDEV and FDBRIDGE (same arguments), indented as in their docstrings;
#: ``{method}`` is each function's own description of ``method``.
_BRIDGE_PARAMETERS = """\
    price : float or array_like
        Current share price, currency units (≥ 0).
    shares : float or array_like
        Basic shares outstanding (count, ≥ 0).
    debt : float or array_like
        Total debt, currency units (≥ 0).
    cash : float or array_like
        Cash and equivalents before any exercise, currency units (≥ 0).
    counts : array_like, optional
        Number of instruments in each tranche (count, ≥ 0); blank or omitted means none.
    strikes : array_like, optional
        Exercise price of each tranche, currency units (≥ 0), same length as counts; blank or 0 = no exercise price (RSUs).
    method : str or array_like, optional
        {method}
    preferred : float or array_like, optional
        Preferred equity, currency units (≥ 0); blank means 0.
    minority_interest : float or array_like, optional
        Non-controlling interest, currency units (≥ 0); blank means 0.
    investments : float or array_like, optional
        Non-operating investments, currency units (≥ 0); blank means 0.
"""


def _bridge_parameters(method: str):
    """Put :data:`_BRIDGE_PARAMETERS` in place of the ``{bridge parameters}`` line of the kernel's
    docstring.  Goes below ``@udf``, which reads the parameter descriptions from the docstring.
    """

    def document(kernel):
        marker = "    {bridge parameters}\n"
        if marker not in kernel.__doc__:
            raise ValueError(f"{kernel.__name__}: no {marker.strip()} line in the docstring")
        kernel.__doc__ = kernel.__doc__.replace(marker, _BRIDGE_PARAMETERS.format(method=method))
        return kernel

    return document


def _tranches(counts, strikes):
    counts = np.zeros(0) if counts is None else counts
    if strikes is None or strikes.size == 0:
        return counts, np.zeros(counts.shape)
    if strikes.size != counts.size:
        raise InputError(
            "strikes",
            f"has {strikes.size} cells but counts has {counts.size}; give one strike per tranche",
            code=VALUE,
        )
    return counts, strikes


def _dilute(price, counts, strikes, method):
    """Per element: instruments counted, exercise proceeds, shares repurchased, proceeds added to cash."""
    counts, strikes = _tranches(counts, strikes)
    price = np.asarray(price)
    # tranche x element (tranche-major, so numpy's inner loops run over the elements)
    strike = strikes.reshape((-1,) + (1,) * price.ndim)
    counted = (strike == 0) | (strike < price)  # in the money; RSUs always
    counted |= method == METHODS.index("all")
    instruments = np.tensordot(counts, counted, axes=1)
    proceeds = np.tensordot(counts * strikes, counted, axes=1)
    tsm = method == METHODS.index("tsm")
    repurchased = np.where(tsm & (price > 0), proceeds / np.where(price > 0, price, 1.0), 0.0)
    added_cash = np.where(tsm, 0.0, proceeds)
    return instruments, proceeds, repurchased, added_cash


def _fd_shares(price, shares, counts, strikes, method):
    """Fully diluted shares and the proceeds added to cash."""
    instruments, _, repurchased, added_cash = _dilute(price, counts, strikes, method)
    return shares + instruments - repurchased, added_cash


@udf("FDSHARES", tables=_TABLES, price=AMOUNT, shares=AMOUNT, counts=TRANCHE, strikes=TRANCHE, method=METHOD)
def fdshares(price, shares, counts, strikes=None, method="gross"):
    """Fully diluted share count: basic shares plus the options, warrants and RSUs counted under the method (gross, tsm or all).

    Formula: FD shares = shares + Σ counted tranches − shares repurchased (tsm)

    Parameters
    ----------
    price : float or array_like
        Current share price, currency units (≥ 0); decides which tranches are in the money.
    shares : float or array_like
        Basic shares outstanding (count, ≥ 0).
    counts : array_like
        Number of instruments in each tranche (count, ≥ 0), one cell per tranche; blank counts as 0.
    strikes : array_like, optional
        Exercise price of each tranche, currency units (≥ 0), same length as counts; blank or 0 = no exercise price (RSUs).
    method : str or array_like, optional
        "gross" (default: in-the-money tranches in full), "tsm" (treasury stock method) or "all" (every tranche).

    Returns
    -------
    float or ndarray
        Fully diluted shares (count), unrounded.

    Examples
    --------
    XYZ: 50m shares at $10, 10m options and 10m warrants struck at $5:

    >>> fdshares(10, 50e6, [10e6, 10e6], [5, 5])
    70000000.0
    >>> fdshares(10, 50e6, [10e6, 10e6], [5, 5], "tsm")
    60000000.0

    References
    ----------
    .. [1] CFA Institute, *International Financial Statement Analysis*, 4th ed., Wiley 2020, ch. 6 (treasury stock method).
    .. [2] Rosenbaum, J. and Pearl, J., *Investment Banking*, 3rd ed., Wiley 2020, ch. 1 (fully diluted shares).
    """
    return _fd_shares(price, shares, counts, strikes, method)[0]


@udf("FDMCAP", tables=_TABLES, price=AMOUNT, shares=AMOUNT, counts=TRANCHE, strikes=TRANCHE, method=METHOD)
def fdmcap(price, shares, counts=None, strikes=None, method="gross"):
    """Fully diluted market cap: price times the fully diluted share count (see FDSHARES for tranches and methods).

    Formula: FD market cap = price × FD shares

    Parameters
    ----------
    price : float or array_like
        Current share price, currency units (≥ 0).
    shares : float or array_like
        Basic shares outstanding (count, ≥ 0).
    counts : array_like, optional
        Number of instruments in each tranche (count, ≥ 0); blank or omitted means no dilutive instruments.
    strikes : array_like, optional
        Exercise price of each tranche, currency units (≥ 0), same length as counts; blank or 0 = no exercise price (RSUs).
    method : str or array_like, optional
        "gross" (default), "tsm" (treasury stock method) or "all".

    Returns
    -------
    float or ndarray
        Fully diluted market cap in the currency unit of ``price``.

    Examples
    --------
    The source article: 50m shares at $10 plus 10m options and 10m warrants in the money:

    >>> fdmcap(10, 50e6, [10e6, 10e6], [5, 5])
    700000000.0
    >>> fdmcap(10, 50e6, [10e6, 10e6], [5, 5], "tsm")
    600000000.0

    References
    ----------
    .. [1] Rosenbaum, J. and Pearl, J., *Investment Banking*, 3rd ed., Wiley 2020, ch. 1.
    """
    return price * _fd_shares(price, shares, counts, strikes, method)[0]


@udf("FDEV", tables=_TABLES, **_BRIDGE_RULES)
@_bridge_parameters(method='"gross" (default, proceeds added to cash), "tsm" (no proceeds added) or "all".')
def fdev(
    price,
    shares,
    debt,
    cash,
    counts=None,
    strikes=None,
    method="gross",
    preferred=0.0,
    minority_interest=0.0,
    investments=0.0,
):
    """Fully diluted enterprise value: FD market cap plus debt, preferred and minority interest, less cash (plus exercise proceeds under gross/all) and investments.

    Formula: FD EV = FD market cap + debt + preferred + minority_interest − (cash + proceeds added) − investments

    Parameters
    ----------
    {bridge parameters}

    Returns
    -------
    float or ndarray
        Fully diluted EV in the currency unit of ``price``.

    Examples
    --------
    XYZ: 50m shares at $10, cash $100m, no debt, 20m instruments struck at $5.
    Gross and treasury stock method agree:

    >>> fdev(10, 50e6, 0, 100e6, [10e6, 10e6], [5, 5])
    500000000.0
    >>> fdev(10, 50e6, 0, 100e6, [10e6, 10e6], [5, 5], "tsm")
    500000000.0

    References
    ----------
    .. [1] Rosenbaum, J. and Pearl, J., *Investment Banking*, 3rd ed., Wiley 2020, ch. 1.
    """
    fd_shares, added_cash = _fd_shares(price, shares, counts, strikes, method)
    return price * fd_shares + debt + preferred + minority_interest - investments - cash - added_cash


@udf("FDBRIDGE", result="table", tables=_TABLES, **_BRIDGE_RULES)
@_bridge_parameters(method='"gross" (default), "tsm" or "all".')
def fdbridge(
    price,
    shares,
    debt,
    cash,
    counts=None,
    strikes=None,
    method="gross",
    preferred=0.0,
    minority_interest=0.0,
    investments=0.0,
):
    """Every step from basic to fully diluted EV as a two-column table (label, value); several prices or methods spill side by side.

    Formula: same arguments as FDEV; rows from share price to FD EV

    Parameters
    ----------
    {bridge parameters}

    Returns
    -------
    dict
        Ordered ``{label: value}``: share price, basic shares, instruments counted, exercise proceeds, shares repurchased, FD shares, market cap, FD market cap, debt, preferred, minority interest, cash, cash + proceeds, investments, EV, FD EV.

    Examples
    --------
    >>> bridge = fdbridge(10, 50e6, 0, 100e6, [10e6, 10e6], [5, 5])
    >>> bridge["Exercise proceeds"], bridge["Cash + proceeds"], bridge["FD EV"]
    (100000000.0, 200000000.0, 500000000.0)

    References
    ----------
    .. [1] Rosenbaum, J. and Pearl, J., *Investment Banking*, 3rd ed., Wiley 2020, ch. 1.
    """
    instruments, proceeds, repurchased, added_cash = _dilute(price, counts, strikes, method)
    fd_shares = shares + instruments - repurchased
    mcap, fd_mcap = price * shares, price * fd_shares
    claims = debt + preferred + minority_interest - investments
    return {
        "Share price": price,
        "Basic shares": shares,
        "Instruments counted": instruments,
        "Exercise proceeds": proceeds,
        "Shares repurchased": repurchased,
        "FD shares": fd_shares,
        "Market cap": mcap,
        "FD market cap": fd_mcap,
        "Debt": debt,
        "Preferred": preferred,
        "Minority interest": minority_interest,
        "Cash": cash,
        "Cash + proceeds": cash + added_cash,
        "Investments": investments,
        "EV": mcap + claims - cash,
        "FD EV": fd_mcap + claims - cash - added_cash,
    }

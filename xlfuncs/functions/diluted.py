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

Convertibles
------------
``conv_principal`` and ``conv_price`` describe convertible bonds (one element
per bond).  A convertible counts when it is in the money (price > conversion
price) under "gross" and "tsm", and always under "all".  ``conv_settlement``
"shares" (default, the if-converted method of ASU 2020-06) adds principal ÷
conversion price shares and takes the principal out of debt; "net" (net share
settlement, principal repaid in cash) adds only the conversion spread,
(price − conversion price) × principal ÷ conversion price ÷ price shares, and
the principal stays debt.  Out of the money the spread is 0 shares, so under
"all" a net-settled convertible out of the money adds nothing.

The tranche tables are sorted once by strike (:mod:`.tranches`), so memory
grows with prices + tranches, never with their product.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from ..framework.errors import NUM, InputError
from ..framework.rules import AMOUNT, OPTIONAL_AMOUNT, Choice, Number
from ..framework.spec import Check, udf
from ..framework.values import Floats
from .tranches import Table, convertibles, paired, row_tables, total

if TYPE_CHECKING:
    import numpy.typing as npt

METHODS = ("gross", "tsm", "all")
METHOD = Choice(METHODS, default="gross")
GROSS, TSM, ALL = range(len(METHODS))
SETTLEMENTS = ("shares", "net")
SETTLEMENT = Choice(SETTLEMENTS, default="shares")
NET = SETTLEMENTS.index("net")
TRANCHE = Number(blank=0.0, help="must be ≥ 0")
_TABLES = ("counts", "strikes")
_CONV_TABLES = ("conv_principal", "conv_price")
_CONV_RULES: dict[str, Any] = dict(conv_principal=TRANCHE, conv_price=TRANCHE, conv_settlement=SETTLEMENT)
#: The total convertible principal may not exceed debt (it is part of it): #NUM!.
_CONV_CHECK = Check(
    "conv_principal",
    NUM,
    "conv_principal adds up to more than debt",
    lambda debt, conv_principal, **_: total(conv_principal) > debt * (1 + 1e-12),
)
_BRIDGE_RULES: dict[str, Any] = dict(
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
    **_CONV_RULES,
)

#: The "Parameters" lines of the convertible arguments, indented as in the docstrings.
_CONV_PARAMETERS = """\
    conv_principal : array_like, optional
        Principal of each convertible bond, currency units (≥ 0), part of debt; blank or omitted means none.
    conv_price : array_like, optional
        Conversion price of each convertible (> 0), currency units per share, same length as conv_principal.
    conv_settlement : str or array_like, optional
        "shares" (default: if-converted, principal ÷ conv_price shares, principal leaves debt) or "net" (only the conversion spread in shares).
"""

#: The "Parameters" section of FDEV and FDBRIDGE (same arguments), indented as in their docstrings;
#: ``{method}`` is each function's own description of ``method``.
_BRIDGE_PARAMETERS = (
    """\
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
    + _CONV_PARAMETERS
)


K = TypeVar("K", bound=Callable[..., object])


def _parameters(method: str = "") -> Callable[[K], K]:
    """Put the shared parameter lines in place of the ``{bridge parameters}`` or
    ``{convertible parameters}`` line of the kernel's docstring (``{method}``: the kernel's own
    description of ``method``).  Goes below ``@udf``, which reads the descriptions from the docstring.
    """
    blocks = {
        "    {bridge parameters}\n": _BRIDGE_PARAMETERS.format(method=method),
        "    {convertible parameters}\n": _CONV_PARAMETERS,
    }

    def document(kernel: K) -> K:
        doc = kernel.__doc__ or ""
        if not any(marker in doc for marker in blocks):
            raise ValueError(f"{kernel.__name__}: no {{... parameters}} line in the docstring")
        for marker, text in blocks.items():
            doc = doc.replace(marker, text)
        kernel.__doc__ = doc
        return kernel

    return document


def _dilute(
    price: Floats, counts: Floats | None, strikes: Floats | None, method: npt.ArrayLike
) -> tuple[Floats, Floats, Floats | None, Floats]:
    """Per element: instruments counted, exercise proceeds, shares repurchased (None where no
    element's method is tsm: none), proceeds added to cash.
    """
    table = Table.of(*paired(counts, strikes))
    method = np.asarray(method)
    instruments, proceeds = table.counted(table.below(price), method == ALL)
    tsm = method == TSM
    if not tsm.any():  # every proceed added to cash (proceeds spans price's and method's shapes)
        return instruments, proceeds, None, proceeds
    added_cash = np.where(tsm, 0.0, proceeds)
    repurchased = np.where(tsm & (price > 0), proceeds / np.where(price > 0, price, 1.0), 0.0)
    return instruments, proceeds, repurchased, added_cash


def _convert(
    price: Floats,
    conv_principal: Floats | None,
    conv_price: Floats | None,
    method: npt.ArrayLike,
    settlement: npt.ArrayLike,
) -> tuple[Floats, Floats]:
    """Per element: shares from convertibles and the principal converted (which leaves debt)."""
    shares, prices = convertibles(conv_principal, conv_price)
    if not shares.size:
        return np.zeros(np.shape(price)), np.zeros(np.shape(price))
    table = Table.of(shares, prices)
    below = table.below(price)
    every = np.asarray(method) == ALL
    converted, principal = table.counted(below, every)  # if-converted
    net = np.asarray(settlement) == NET
    if not net.any():
        return converted, principal
    in_money, in_money_principal = table.counted(below, False) if np.any(every) else (converted, principal)
    spread = np.maximum(in_money - in_money_principal / np.where(price > 0, price, 1.0), 0.0)
    return np.where(net, spread, converted), np.where(net, 0.0, principal)


def _fd_shares(
    price: Floats,
    shares: Floats,
    counts: Floats | None,
    strikes: Floats | None,
    method: npt.ArrayLike,
    conv: tuple[Floats | None, Floats | None, npt.ArrayLike],
) -> tuple[Floats, Floats, Floats | float]:
    """Fully diluted shares, the proceeds added to cash and the debt converted (0.0 with no
    convertible).  Only the terms that are there are added: a batch of rows is mostly options.
    """
    instruments, _, repurchased, added_cash = _dilute(price, counts, strikes, method)
    fd_shares = shares + instruments
    if repurchased is not None:
        fd_shares = fd_shares - repurchased
    conv_principal, conv_price, settlement = conv
    if _empty(conv_principal) and _empty(conv_price):
        return fd_shares, added_cash, 0.0
    conv_shares, converted = _convert(price, conv_principal, conv_price, method, settlement)
    return fd_shares + conv_shares, added_cash, converted


def _empty(table: Floats | None) -> bool:
    """An omitted table, or one of no elements."""
    return table is None or not np.size(table)


@udf(
    "FDSHARES",
    tables=_TABLES + _CONV_TABLES,
    price=AMOUNT,
    shares=AMOUNT,
    counts=TRANCHE,
    strikes=TRANCHE,
    method=METHOD,
    **_CONV_RULES,
)
@_parameters()
@row_tables
def fdshares(
    price: Floats,
    shares: Floats,
    counts: Floats,
    strikes: Floats | None = None,
    method: Floats | str = "gross",
    conv_principal: Floats | None = None,
    conv_price: Floats | None = None,
    conv_settlement: Floats | str = "shares",
) -> Floats:
    """Fully diluted share count: basic shares plus the options, warrants, RSUs and convertibles counted under the method (gross, tsm or all).

    Formula: FD shares = shares + Σ counted tranches − shares repurchased (tsm) + shares from convertibles

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
    {convertible parameters}

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

    100m shares at $80 and a $500m convertible at $50: 10m shares if converted, 3.75m
    under net share settlement ((80 − 50) × 10m ÷ 80):

    >>> fdshares(80, 100e6, [], conv_principal=[500e6], conv_price=[50])
    110000000.0
    >>> fdshares(80, 100e6, [], conv_principal=[500e6], conv_price=[50], conv_settlement="net")
    103750000.0

    References
    ----------
    .. [1] CFA Institute, *International Financial Statement Analysis*, 4th ed., Wiley 2020, ch. 6 (treasury stock method).
    .. [2] Rosenbaum, J. and Pearl, J., *Investment Banking*, 3rd ed., Wiley 2020, ch. 1 (fully diluted shares).
    .. [3] FASB, ASU 2020-06, *Debt with Conversion and Other Options* (if-converted method for all convertibles).
    """
    conv = (conv_principal, conv_price, conv_settlement)
    return _fd_shares(price, shares, counts, strikes, method, conv)[0]


@udf(
    "FDMCAP",
    tables=_TABLES + _CONV_TABLES,
    price=AMOUNT,
    shares=AMOUNT,
    counts=TRANCHE,
    strikes=TRANCHE,
    method=METHOD,
    **_CONV_RULES,
)
@_parameters()
@row_tables
def fdmcap(
    price: Floats,
    shares: Floats,
    counts: Floats | None = None,
    strikes: Floats | None = None,
    method: Floats | str = "gross",
    conv_principal: Floats | None = None,
    conv_price: Floats | None = None,
    conv_settlement: Floats | str = "shares",
) -> Floats:
    """Fully diluted market cap: price times the fully diluted share count (see FDSHARES for tranches, methods and convertibles).

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
    {convertible parameters}

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
    conv = (conv_principal, conv_price, conv_settlement)
    return price * _fd_shares(price, shares, counts, strikes, method, conv)[0]


@udf("FDEV", tables=_TABLES + _CONV_TABLES, checks=(_CONV_CHECK,), **_BRIDGE_RULES)
@_parameters(method='"gross" (default, proceeds added to cash), "tsm" (no proceeds added) or "all".')
@row_tables
def fdev(
    price: Floats,
    shares: Floats,
    debt: Floats,
    cash: Floats,
    counts: Floats | None = None,
    strikes: Floats | None = None,
    method: Floats | str = "gross",
    preferred: Floats | float = 0.0,
    minority_interest: Floats | float = 0.0,
    investments: Floats | float = 0.0,
    conv_principal: Floats | None = None,
    conv_price: Floats | None = None,
    conv_settlement: Floats | str = "shares",
) -> Floats:
    """Fully diluted enterprise value: FD market cap plus debt (less converted principal), preferred and minority interest, less cash (plus exercise proceeds under gross/all) and investments.

    Formula: FD EV = FD market cap + debt − debt converted + preferred + minority_interest − (cash + proceeds added) − investments

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

    At $80, 100m shares, debt $1,000m of which a $500m convertible at $50, cash $200m:
    if converted, 110m × $80 + $500m − $200m; net settled, 103.75m × $80 + $1,000m − $200m.

    >>> fdev(80, 100e6, 1000e6, 200e6, conv_principal=[500e6], conv_price=[50])
    9100000000.0
    >>> fdev(80, 100e6, 1000e6, 200e6, conv_principal=[500e6], conv_price=[50], conv_settlement="net")
    9100000000.0

    References
    ----------
    .. [1] Rosenbaum, J. and Pearl, J., *Investment Banking*, 3rd ed., Wiley 2020, ch. 1.
    """
    conv = (conv_principal, conv_price, conv_settlement)
    fd_shares, added_cash, converted = _fd_shares(price, shares, counts, strikes, method, conv)
    claims = debt - converted + preferred + minority_interest - investments
    return price * fd_shares + claims - cash - added_cash


@udf("FDBRIDGE", result="table", tables=_TABLES + _CONV_TABLES, checks=(_CONV_CHECK,), **_BRIDGE_RULES)
@_parameters(method='"gross" (default), "tsm" or "all".')
def fdbridge(
    price: Floats,
    shares: Floats,
    debt: Floats,
    cash: Floats,
    counts: Floats | None = None,
    strikes: Floats | None = None,
    method: Floats | str = "gross",
    preferred: Floats | float = 0.0,
    minority_interest: Floats | float = 0.0,
    investments: Floats | float = 0.0,
    conv_principal: Floats | None = None,
    conv_price: Floats | None = None,
    conv_settlement: Floats | str = "shares",
) -> dict[str, Floats | float]:
    """Every step from basic to fully diluted EV as a two-column table (label, value); several prices or methods spill side by side.

    Formula: same arguments as FDEV; rows from share price to FD EV

    Parameters
    ----------
    {bridge parameters}

    Returns
    -------
    dict
        Ordered ``{label: value}``: share price, basic shares, instruments counted, exercise proceeds, shares repurchased, shares from convertibles, FD shares, market cap, FD market cap, debt, debt converted, preferred, minority interest, cash, cash + proceeds, investments, EV, FD EV.

    Examples
    --------
    >>> bridge = fdbridge(10, 50e6, 0, 100e6, [10e6, 10e6], [5, 5])
    >>> bridge["Exercise proceeds"], bridge["Cash + proceeds"], bridge["FD EV"]
    (100000000.0, 200000000.0, 500000000.0)
    >>> bridge = fdbridge(80, 100e6, 1000e6, 200e6, conv_principal=[500e6], conv_price=[50])
    >>> bridge["Shares from convertibles"], bridge["Debt converted"], bridge["FD EV"]
    (10000000.0, 500000000.0, 9100000000.0)

    References
    ----------
    .. [1] Rosenbaum, J. and Pearl, J., *Investment Banking*, 3rd ed., Wiley 2020, ch. 1.
    """
    instruments, proceeds, repurchased, added_cash = _dilute(price, counts, strikes, method)
    if repurchased is None:
        repurchased = np.zeros(np.shape(added_cash))
    conv_shares, converted = _convert(price, conv_principal, conv_price, method, conv_settlement)
    fd_shares = shares + instruments - repurchased + conv_shares
    mcap, fd_mcap = price * shares, price * fd_shares
    claims = debt + preferred + minority_interest - investments
    return {
        "Share price": price,
        "Basic shares": shares,
        "Instruments counted": instruments,
        "Exercise proceeds": proceeds,
        "Shares repurchased": repurchased,
        "Shares from convertibles": conv_shares,
        "FD shares": fd_shares,
        "Market cap": mcap,
        "FD market cap": fd_mcap,
        "Debt": debt,
        "Debt converted": converted,
        "Preferred": preferred,
        "Minority interest": minority_interest,
        "Cash": cash,
        "Cash + proceeds": cash + added_cash,
        "Investments": investments,
        "EV": mcap + claims - cash,
        "FD EV": fd_mcap + claims - converted - cash - added_cash,
    }


@udf(
    "FDTRANCHES",
    result="schedule",
    tables=_TABLES,
    price=AMOUNT,
    counts=TRANCHE,
    strikes=TRANCHE,
    method=METHOD,
)
def fdtranches(
    price: Floats, counts: Floats, strikes: Floats | None = None, method: Floats | str = "gross"
) -> dict[str, npt.NDArray[np.float64] | npt.NDArray[np.bool_]]:
    """Per-tranche dilution schedule: one row per tranche with count, strike, in the money, instruments counted, exercise proceeds, shares repurchased and net new shares, under a header row.

    Formula: net_new = counted − repurchased per tranche; Σ net_new = FDSHARES − shares

    Parameters
    ----------
    price : float
        Current share price, currency units (≥ 0); one price (a range of several gives #VALUE!).
    counts : array_like
        Number of instruments in each tranche (count, ≥ 0), one cell per tranche; blank counts as 0.
    strikes : array_like, optional
        Exercise price of each tranche, currency units (≥ 0), same length as counts; blank or 0 = no exercise price (RSUs).
    method : str, optional
        "gross" (default), "tsm" (treasury stock method: proceeds buy back shares) or "all" (every tranche counted).

    Returns
    -------
    pandas.DataFrame
        Columns ``count, strike, in_the_money, counted, proceeds, repurchased, net_new``, one row per
        tranche in the order given.  A tranche is in the money when its strike is below the price or
        0 (RSUs); struck exactly at the price, it is not.

    Examples
    --------
    At $20: 100k options at $10, 50k at $25, 20k at $20 (at the money) and 30k RSUs, treasury stock
    method; the $10 tranche's $1m proceeds buy back 50k shares:

    >>> table = fdtranches(20, [100e3, 50e3, 20e3, 30e3], [10, 25, 20, 0], "tsm")
    >>> table["in_the_money"].tolist(), table["net_new"].tolist()
    ([True, False, False, True], [50000.0, 0.0, 0.0, 30000.0])

    References
    ----------
    .. [1] Rosenbaum, J. and Pearl, J., *Investment Banking*, 3rd ed., Wiley 2020, ch. 1 (the TSM schedule per tranche).
    .. [2] CFA Institute, *International Financial Statement Analysis*, 4th ed., Wiley 2020, ch. 6.
    """
    if np.size(price) != 1 or np.size(method) != 1:
        raise InputError("price", "give one price and one method: the schedule has one row per tranche")
    p, m = float(np.ravel(price)[0]), np.ravel(method)[0]
    count, strike = paired(counts, strikes)
    in_the_money = (strike == 0) | (strike < p)
    counted = np.where(in_the_money | (m == ALL), count, 0.0)
    proceeds = counted * strike
    repurchased = proceeds / p if m == TSM and p > 0 else np.zeros(count.shape)
    return {
        "count": count,
        "strike": strike,
        "in_the_money": in_the_money,
        "counted": counted,
        "proceeds": proceeds,
        "repurchased": repurchased,
        "net_new": counted - repurchased,
    }


@udf(
    "CONVSHARES",
    tables=_CONV_TABLES,
    price=AMOUNT,
    conv_principal=TRANCHE,
    conv_price=TRANCHE,
    conv_settlement=SETTLEMENT,
)
@row_tables
def convshares(
    price: Floats, conv_principal: Floats, conv_price: Floats, conv_settlement: Floats | str = "shares"
) -> Floats:
    """Shares from convertible bonds at a share price: principal ÷ conversion price if converted, or only the conversion spread under net share settlement; 0 out of the money.

    Formula: Σ over price > conv_price of principal ÷ conv_price ("shares"), or of (price − conv_price) × principal ÷ conv_price ÷ price ("net")

    Parameters
    ----------
    price : float or array_like
        Current share price, currency units (≥ 0).
    conv_principal : array_like
        Principal of each convertible bond, currency units (≥ 0), one cell per convertible.
    conv_price : array_like
        Conversion price of each convertible (> 0), currency units per share, same length as conv_principal.
    conv_settlement : str or array_like, optional
        "shares" (default: if-converted method) or "net" (net share settlement: principal repaid in cash).

    Returns
    -------
    float or ndarray
        New shares (count) from the convertibles in the money.

    Examples
    --------
    A $500m convertible at $50, at share prices of $80 and $40:

    >>> convshares([80, 40], [500e6], [50]).tolist()
    [10000000.0, 0.0]
    >>> convshares(80, [500e6], [50], "net")
    3750000.0

    References
    ----------
    .. [1] FASB, ASU 2020-06, *Debt with Conversion and Other Options*, ASC 260-10-45-40 (if-converted method).
    .. [2] PwC, *Financial statement presentation guide*, ch. 7.6 (net share settlement: only the conversion spread in shares).
    """
    return _convert(price, conv_principal, conv_price, np.zeros(np.shape(price)), conv_settlement)[0]

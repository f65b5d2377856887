"""Tranche tables sorted by strike: what is in the money at any price, in O(prices + tranches) memory.

Options, warrants, RSUs and convertibles are all "tranches": a count of instruments
with a strike (exercise or conversion price).  Sorting a table once by strike and
keeping running totals answers "how many instruments, and how much count × strike,
are struck below this price?" for every price with one binary search, so valuing
20,000 tranches at 20,000 prices never builds the 20,000 × 20,000 grid (3.5 GB): the
memory used grows with prices + tranches, the time with prices × log(tranches).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..framework.errors import NUM, VALUE, InputError
from ..framework.values import Floats


def paired(counts: Floats | None, strikes: Floats | None) -> tuple[Floats, Floats]:
    """``counts`` and their strikes as two 1-D arrays of one length; omitted strikes are all 0."""
    counts = np.zeros(0) if counts is None else np.asarray(counts, np.float64).ravel()
    if strikes is None or np.size(strikes) == 0:
        return counts, np.zeros(counts.shape)
    strikes = np.asarray(strikes, np.float64).ravel()
    if strikes.size != counts.size:
        raise InputError(
            "strikes",
            f"has {strikes.size} cells but counts has {counts.size}; give one strike per tranche",
            code=VALUE,
        )
    return counts, strikes


@dataclass(frozen=True)
class Table:
    """A tranche table sorted by strike, with running totals from the lowest strike up.

    ``counts[i]`` instruments struck at ``strikes[i]``; ``total_counts[j]`` and
    ``total_values[j]`` are the sums of count and count × strike over the ``j``
    lowest strikes (``j`` = 0 … n).
    """

    strikes: Floats
    total_counts: Floats
    total_values: Floats
    zero_strikes: int  # tranches with no strike (RSUs), first in the sorted order

    @classmethod
    def of(cls, counts: Floats, strikes: Floats) -> Table:
        order = np.argsort(strikes, kind="stable")
        s, c = strikes[order], counts[order]
        zero = np.zeros(1)
        return cls(
            s,
            np.concatenate([zero, np.cumsum(c)]),
            np.concatenate([zero, np.cumsum(c * s)]),
            int(np.count_nonzero(s == 0)),
        )

    def below(self, price: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """Per price, how many tranches are in the money: struck below it, or with no strike.

        A tranche struck exactly at the price is not in the money.
        """
        return np.maximum(np.searchsorted(self.strikes, price, side="left"), self.zero_strikes)

    def counted(self, below: npt.NDArray[np.intp], every: npt.ArrayLike) -> tuple[Floats, Floats]:
        """(instruments, Σ count × strike) of the tranches counted: those ``below``, or all where ``every``."""
        n = len(self.strikes)
        return (
            np.where(every, self.total_counts[n], self.total_counts[below]),
            np.where(every, self.total_values[n], self.total_values[below]),
        )


def convertibles(principal: Floats | None, conv_price: Floats | None) -> tuple[Floats, Floats]:
    """Conversion shares (principal ÷ conversion price) and conversion prices of a convertible table."""
    principal = np.zeros(0) if principal is None else np.asarray(principal, np.float64).ravel()
    conv_price = np.zeros(0) if conv_price is None else np.asarray(conv_price, np.float64).ravel()
    if conv_price.size != principal.size:
        raise InputError(
            "conv_price",
            f"has {conv_price.size} cells but conv_principal has {principal.size}; "
            "give one conversion price per convertible",
            code=VALUE,
        )
    if ((conv_price == 0) & (principal > 0)).any():
        raise InputError("conv_price", "a convertible with principal needs a conversion price > 0", code=NUM)
    shares = np.divide(principal, conv_price, out=np.zeros(principal.shape), where=principal > 0)
    return shares, conv_price

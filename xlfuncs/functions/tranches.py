"""Tranche tables sorted by strike: what is in the money at any price, in O(prices + tranches) memory.

Options, warrants, RSUs and convertibles are all "tranches": a count of instruments
with a strike (exercise or conversion price).  Sorting a table once by strike and
keeping running totals answers "how many instruments, and how much count × strike,
are struck below this price?" for every price with one binary search, so valuing
20,000 tranches at 20,000 prices never builds the 20,000 × 20,000 grid (3.5 GB): the
memory used grows with prices + tranches, the time with prices × log(tranches).

A table may also carry one tranche list per element ("row tables", e.g. one per company of a
universe in SQL): arrays of shape ``prices.shape + (tranches,)``.  Every operation then works
along the last axis, all rows at once.  Rows with fewer tranches than the longest are padded
with neutral tranches: a count of 0 struck at 0 (a convertible: principal 0, conversion price
0), which adds nothing to any total, check or result (see :func:`row_tables`).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from ..framework.errors import NUM, VALUE, InputError
from ..framework.values import Floats

if TYPE_CHECKING:
    import numpy.typing as npt

K = TypeVar("K", bound=Callable[..., object])

#: The tables that go together element by element: a tranche's count and its strike
#: (:func:`paired`), a convertible's principal and its conversion price (:func:`convertibles`).
PAIRS = (("counts", "strikes"), ("conv_principal", "conv_price"))
#: The second tables of :data:`PAIRS` that may be left empty however long the first: every strike 0.
OMISSIBLE = frozenset({"strikes"})
#: A neutral tranche's every element: no instruments, no strike (no principal, no conversion price).
PAD = 0.0
#: One table of at most this many tranches is kept once sorted (:meth:`Table.of`).
_KEPT = 64
#: One table of at most this many strikes, valued at this many prices or more, is compared strike by
#: strike (:func:`_in_money`): a binary search over prices in no order mispredicts a branch at
#: about every other step, which costs more than a pass per strike (docs/performance.md).
_COMPARED, _MANY_PRICES = 16, 256

#: The kernels whose table arguments may be row tables, with the pairs of :data:`PAIRS` they take.
ROW_TABLE_KERNELS: dict[Callable[..., object], tuple[tuple[str, str], ...]] = {}


def row_tables(kernel: K) -> K:
    """Mark ``kernel`` as taking row tables: it works along the tables' last axis throughout.

    Such a kernel promises that padding is neutral.  Each row's lists of a pair of
    :data:`PAIRS` may be lengthened at their end with :data:`PAD`, both to one length, and
    every row keeps the result (and every check of its spec keeps the verdict) of its own
    lists: a neutral tranche is never counted, adds no proceeds, shares or principal, and
    passes every test of a tranche.  So rows with any numbers of tranches go to the kernel
    in one call, padded to the longest.  Within a row the two lists of a pair must then
    have one length, or a second list of :data:`OMISSIBLE` none in every row (all 0).
    """
    names = inspect.signature(kernel).parameters
    ROW_TABLE_KERNELS[kernel] = tuple(pair for pair in PAIRS if set(pair) <= names.keys())
    return kernel


def total(values: Floats) -> Floats:
    """Σ along the last axis, added up from the first element on: neutral tranches padded at the
    end leave it bit for bit as it was (``np.sum`` adds long rows pairwise, so zeros change its rounding).
    """
    if not values.shape[-1]:
        return np.zeros(values.shape[:-1])
    return np.cumsum(values, axis=-1)[..., -1]


def _table(values: npt.ArrayLike | None) -> Floats:
    """A table argument as floats along at least one axis; omitted (None), no element."""
    if values is None:
        return np.zeros(0)
    table = np.asarray(values, np.float64)
    return table if table.ndim else table.reshape(1)


def paired(counts: Floats | None, strikes: Floats | None) -> tuple[Floats, Floats]:
    """``counts`` and their strikes as two arrays of one shape; omitted strikes are all 0.

    One table is 1-D; row tables keep their leading axes (see the module docstring).
    """
    counts, strikes = _table(counts), _table(strikes)
    if not strikes.size:
        return counts, np.zeros(counts.shape)
    if strikes.shape != counts.shape:
        raise InputError(
            "strikes",
            f"has {strikes.shape[-1]} cells but counts has {counts.shape[-1]}; give one strike per tranche",
            code=VALUE,
        )
    return counts, strikes


@dataclass(frozen=True)
class Table:
    """A tranche table sorted by strike, with running totals from the lowest strike up.

    ``counts[i]`` instruments struck at ``strikes[i]``; ``total_counts[j]`` and
    ``total_values[j]`` are the sums of count and count × strike over the ``j``
    lowest strikes (``j`` = 0 … n).  Row tables hold these along their last axis.
    """

    strikes: Floats
    total_counts: Floats
    total_values: Floats
    zero_strikes: npt.NDArray[np.intp]  # tranches with no strike (RSUs), first in the sorted order

    @classmethod
    def of(cls, counts: Floats, strikes: Floats) -> Table:
        """The table of ``counts`` struck at ``strikes`` (arrays of one shape).

        One small table is sorted once and kept, read-only: a query hands the same one over
        with every batch of rows, a sheet with every recalculation.
        """
        if (
            counts.ndim == strikes.ndim == 1
            and strikes.size <= _KEPT
            and counts.dtype == strikes.dtype == np.float64
        ):
            return _kept(counts.tobytes(), strikes.tobytes())
        return cls.sorted(counts, strikes)

    @classmethod
    def sorted(cls, counts: Floats, strikes: Floats) -> Table:
        """The table of ``counts`` struck at ``strikes``, sorted here."""
        order = np.argsort(strikes, axis=-1, kind="stable")
        if counts.ndim == strikes.ndim == 1:  # one table: plain indexing, the elements along the axis
            s, c = strikes[order], counts[order]
        else:
            s, c = np.take_along_axis(strikes, order, -1), np.take_along_axis(counts, order, -1)
        totals = np.zeros((2, *s.shape[:-1], s.shape[-1] + 1))  # each from a leading 0
        np.cumsum(c, axis=-1, out=totals[0, ..., 1:])
        np.cumsum(c * s, axis=-1, out=totals[1, ..., 1:])
        return cls(s, totals[0], totals[1], np.count_nonzero(s == 0, axis=-1))

    def below(self, price: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """Per price, how many tranches are in the money: struck below it, or with no strike.

        A tranche struck exactly at the price is not in the money.
        """
        strikes, price = self.strikes, np.asarray(price)
        if strikes.ndim == 1:
            if 0 < strikes.size <= _COMPARED and price.size >= _MANY_PRICES and strikes[0] >= 0:
                return _in_money(strikes, price)
            struck_below = np.searchsorted(strikes, price, side="left")
        else:  # a short table per row: comparing beats a search per row
            struck_below = np.count_nonzero(strikes < price[..., None], axis=-1)
        return np.maximum(struck_below, self.zero_strikes)

    def at(self, totals: Floats, index: npt.NDArray[np.intp]) -> Floats:
        """``totals`` (or ``strikes``) at ``index``, per row for row tables."""
        if totals.ndim == 1:
            return totals.take(index)  # what totals[index] gives, without indexing's general machinery
        return np.take_along_axis(totals, np.asarray(index)[..., None], -1)[..., 0]

    def counted(self, below: npt.NDArray[np.intp], every: npt.ArrayLike) -> tuple[Floats, Floats]:
        """(instruments, Σ count × strike) of the tranches counted: those ``below``, or all where ``every``."""
        counts, values = self.at(self.total_counts, below), self.at(self.total_values, below)
        if not np.ndim(every) and not every:  # the totals at ``below`` have the shape np.where gives
            return counts, values
        return (
            np.where(every, self.total_counts[..., -1], counts),
            np.where(every, self.total_values[..., -1], values),
        )


def _in_money(strikes: Floats, price: Floats) -> npt.NDArray[np.intp]:
    """:meth:`Table.below` for sorted ``strikes`` of which none is negative, one pass per strike:
    every tranche counts but those struck above 0 and at or above the price, which are taken off
    (in one byte: at most :data:`_COMPARED`).  A nan price counts every tranche, as
    ``np.searchsorted`` places nan above every strike.
    """
    below = np.full(price.shape, strikes.size, np.uint8)
    for strike in strikes.tolist():
        if strike:
            below -= np.less_equal(price, strike).view(np.uint8)
    return below.astype(np.intp)


@functools.lru_cache(maxsize=256)
def _kept(counts: bytes, strikes: bytes) -> Table:
    """:meth:`Table.sorted` of one table given by its elements' bytes (float64), read-only."""
    table = Table.sorted(np.frombuffer(counts), np.frombuffer(strikes))
    for values in (table.strikes, table.total_counts, table.total_values):
        values.flags.writeable = False
    return table


def convertibles(principal: Floats | None, conv_price: Floats | None) -> tuple[Floats, Floats]:
    """Conversion shares (principal ÷ conversion price) and conversion prices of a convertible table."""
    principal, conv_price = _table(principal), _table(conv_price)
    if conv_price.shape != principal.shape:
        raise InputError(
            "conv_price",
            f"has {conv_price.shape[-1]} cells but conv_principal has {principal.shape[-1]}; "
            "give one conversion price per convertible",
            code=VALUE,
        )
    if not principal.size:  # no convertible: nothing to check or divide
        return np.zeros(principal.shape), conv_price
    if ((conv_price == 0) & (principal > 0)).any():
        raise InputError("conv_price", "a convertible with principal needs a conversion price > 0", code=NUM)
    shares = np.divide(principal, conv_price, out=np.zeros(principal.shape), where=principal > 0)
    return shares, conv_price

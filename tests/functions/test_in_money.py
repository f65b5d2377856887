"""Which tranches are in the money at many prices: a small table is compared strike by strike, a
larger one searched; both must count what the definition counts, element by element."""

from __future__ import annotations

import math

import numpy as np
import pytest

from xlfuncs import fdev, fdmcap, fdshares
from xlfuncs.functions import tranches
from xlfuncs.functions.tranches import Table

# prices at and around every strike, 0, -0.0, inf and nan among them; more than the
# threshold above which a small table is compared
STRIKES = [0.0, 5.0, 5.0, 12.5, 0.0, 40.0]
EDGES = [0.0, -0.0, 4.99, 5.0, 5.01, 12.5, 12.51, 39.99, 40.0, 40.01, 1e9, math.inf, math.nan]
PRICES = np.concatenate([EDGES, np.linspace(0, 50, 501)])


def in_money(strikes: list[float], price: float) -> int:
    """The definition, one tranche at a time: struck below the price, or with no strike (0); a nan
    price is above every strike, as a sorted search places it."""
    return sum(1 for s in strikes if s == 0 or math.isnan(price) or s < price)


@pytest.mark.parametrize("strikes", [STRIKES, [7.0], [0.0], [0.0, 0.0], [3.0, 1.0, 2.0], list(range(1, 17))])
def test_a_small_table_counts_as_defined(strikes):
    assert PRICES.size >= tranches._MANY_PRICES and len(strikes) <= tranches._COMPARED
    table = Table.of(np.ones(len(strikes)), np.array(strikes, float))
    below = table.below(PRICES)
    assert below.dtype == np.intp
    assert below.tolist() == [in_money(strikes, p) for p in PRICES.tolist()]


def test_a_larger_table_and_few_prices_are_searched_alike():
    strikes = list(np.linspace(0, 45, tranches._COMPARED + 1))
    table = Table.of(np.ones(len(strikes)), np.array(strikes))
    assert table.below(PRICES).tolist() == [in_money(strikes, p) for p in PRICES.tolist()]
    few = PRICES[:10]
    assert few.size < tranches._MANY_PRICES
    small = Table.of(np.ones(len(STRIKES)), np.array(STRIKES))
    assert small.below(few).tolist() == [in_money(STRIKES, p) for p in few.tolist()]


def test_many_prices_value_as_each_price_alone():
    # the article's table (10m options and 10m warrants at $5) and an RSU grant, at 600 prices:
    # each element as the one-price call gives it, under every method
    counts, strikes = [10e6, 10e6, 1e6], [5.0, 5.0, 0.0]
    prices = np.linspace(0, 20, 600)
    for method in ("gross", "tsm", "all"):
        many = fdmcap(prices, 50e6, counts, strikes, method)
        shares = fdshares(prices, 50e6, counts, strikes, method)
        ev = fdev(prices, 50e6, 100e6, 30e6, counts, strikes, method)
        for i in (0, 1, 149, 150, 151, 599):
            p = float(prices[i])
            assert many[i] == fdmcap(p, 50e6, counts, strikes, method)
            assert shares[i] == fdshares(p, 50e6, counts, strikes, method)
            assert ev[i] == fdev(p, 50e6, 100e6, 30e6, counts, strikes, method)
    # gross at $10: 50m + 21m shares
    assert fdmcap(np.full(300, 10.0), 50e6, counts, strikes)[0] == 10 * 71e6

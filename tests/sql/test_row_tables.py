"""Row tables: one tranche list per element, all rows in one kernel call.

Each row's result must equal the kernel's result for that row's table alone (the 1-D
path the worksheet and the Python API take).
"""

from __future__ import annotations

import numpy as np
import pytest

from xlfuncs.functions import diluted, implied

ROWS, TRANCHES = 300, 5


@pytest.fixture(scope="module")
def rows():
    rng = np.random.default_rng(7)
    counts = rng.integers(0, 5, (ROWS, TRANCHES)) * 1e6
    strikes = np.where(rng.random((ROWS, TRANCHES)) < 0.2, 0.0, rng.integers(1, 30, (ROWS, TRANCHES)) * 1.0)
    principal = np.where(rng.random((ROWS, 2)) < 0.5, 0.0, rng.integers(1, 9, (ROWS, 2)) * 1e8)
    conv_price = rng.integers(5, 40, (ROWS, 2)) * 1.0
    price = rng.integers(0, 40, ROWS) * 1.0
    method = rng.integers(0, 3, ROWS).astype(float)
    settlement = rng.integers(0, 2, ROWS).astype(float)
    return price, counts, strikes, principal, conv_price, method, settlement


@pytest.mark.parametrize("kernel", [diluted.fdshares.spec.kernel, diluted.fdmcap.spec.kernel])
def test_fd_shares_and_mcap_per_row(rows, kernel):
    price, counts, strikes, principal, conv_price, method, settlement = rows
    shares = np.full(ROWS, 50e6)
    together = kernel(price, shares, counts, strikes, method, principal, conv_price, settlement)
    for i in range(ROWS):
        alone = kernel(
            price[i : i + 1],
            shares[i : i + 1],
            counts[i],
            strikes[i],
            method[i : i + 1],
            principal[i],
            conv_price[i],
            settlement[i : i + 1],
        )
        assert together[i] == alone[0]


def test_fdev_and_impliedprice_per_row(rows):
    price, counts, strikes, principal, conv_price, method, settlement = rows
    shares, debt, cash = np.full(ROWS, 50e6), np.full(ROWS, 2e9), np.full(ROWS, 1e8)
    zero = np.zeros(ROWS)
    fdev = diluted.fdev.spec.kernel
    ev = fdev(
        price,
        shares,
        debt,
        cash,
        counts,
        strikes,
        method,
        zero,
        zero,
        zero,
        principal,
        conv_price,
        settlement,
    )
    equity = price * 60e6
    impliedprice = implied.impliedprice.spec.kernel
    implied_prices = impliedprice(equity, shares, counts, strikes, method, principal, conv_price)
    for i in range(ROWS):
        one = slice(i, i + 1)
        alone = fdev(
            price[one],
            shares[one],
            debt[one],
            cash[one],
            counts[i],
            strikes[i],
            method[one],
            zero[one],
            zero[one],
            zero[one],
            principal[i],
            conv_price[i],
            settlement[one],
        )
        assert ev[i] == alone[0]
        alone = impliedprice(
            equity[one], shares[one], counts[i], strikes[i], method[one], principal[i], conv_price[i]
        )
        assert implied_prices[i] == alone[0] or (np.isnan(implied_prices[i]) and np.isnan(alone[0]))


def test_empty_row_tables():
    price = np.array([10.0, 20.0])
    none = np.zeros((2, 0))
    fdshares = diluted.fdshares.spec.kernel
    assert fdshares(
        price, np.array([5.0, 6.0]), none, none, np.zeros(2), none, none, np.zeros(2)
    ).tolist() == [5.0, 6.0]
    impliedprice = implied.impliedprice.spec.kernel
    assert impliedprice(
        np.array([50.0, 60.0]), np.array([5.0, 6.0]), none, none, np.zeros(2), none, none
    ).tolist() == [10.0, 10.0]

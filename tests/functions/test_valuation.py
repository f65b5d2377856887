"""Deeper valuation: convertibles, the per-tranche schedule, the implied share price.

Every expected value is hand arithmetic written out in the test, never the package's output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import xlfuncs.runtimes.excel as X
from xlfuncs import (
    InputError,
    combinedmcap,
    convshares,
    fdbridge,
    fdev,
    fdmcap,
    fdshares,
    fdtranches,
    impliedprice,
)

M = 1e6

# The issue's company: price $80, 100m shares, debt $1,000m of which a $500m convertible
# converting at $50, cash $200m.
CO = dict(shares=100 * M, debt=1000 * M, cash=200 * M, conv_principal=[500 * M], conv_price=[50.0])
CONV = dict(conv_principal=[500 * M], conv_price=[50.0])


# --------------------------------------------------------------------------- convertibles


def test_if_converted_at_80():
    """500m / 50 = 10m new shares; 110m × 80 = 8,800m; the 500m leaves debt: 8,800 + 500 − 200."""
    assert fdshares(80, 100 * M, [], **CONV) == 100 * M + 500 * M / 50 == 110 * M
    assert fdmcap(80, 100 * M, **CONV) == 80 * 110 * M == 8800 * M
    assert fdev(80, **CO) == 8800 * M + (1000 * M - 500 * M) - 200 * M == 9100 * M


def test_net_share_settlement_at_80():
    """Spread (80 − 50) × 10m / 80 = 3.75m shares; the principal stays debt: 8,300 + 1,000 − 200."""
    spread = (80 - 50) * (500 * M / 50) / 80
    assert spread == 3.75 * M
    assert fdshares(80, 100 * M, [], **CONV, conv_settlement="net") == 103.75 * M
    assert fdmcap(80, 100 * M, **CONV, conv_settlement="net") == 80 * 103.75 * M == 8300 * M
    assert fdev(80, **CO, conv_settlement="net") == 8300 * M + 1000 * M - 200 * M == 9100 * M


@pytest.mark.parametrize("settlement", ["shares", "net"])
@pytest.mark.parametrize("method", ["gross", "tsm"])
def test_out_of_the_money_at_40(settlement, method):
    """$40 < $50: no conversion, 100m shares, EV = 40 × 100m + 1,000m − 200m = 4,800m."""
    assert fdshares(40, 100 * M, [], method=method, **CONV, conv_settlement=settlement) == 100 * M
    assert fdev(40, **CO, method=method, conv_settlement=settlement) == 4000 * M + 1000 * M - 200 * M
    assert fdev(40, **CO, method=method, conv_settlement=settlement) == 4800 * M


def test_at_the_conversion_price_is_out_of_the_money():
    assert convshares(50, [500 * M], [50]) == 0.0
    assert convshares(50.01, [500 * M], [50]) == 500 * M / 50


def test_all_counts_every_convertible_if_converted():
    """Under "all" the $50 convertible converts even at $40: 110m × 40 + 500 − 200."""
    assert fdshares(40, 100 * M, [], method="all", **CONV) == 110 * M
    assert fdev(40, **CO, method="all") == 40 * 110 * M + 500 * M - 200 * M
    # net settled, out of the money the spread is no shares, and the principal stays debt
    assert fdshares(40, 100 * M, [], method="all", **CONV, conv_settlement="net") == 100 * M


def test_convshares_table_and_prices():
    """Two bonds: $300m at $30 (10m shares) and $200m at $100 (2m shares)."""
    out = convshares([20, 60, 120], [300 * M, 200 * M], [30, 100])
    assert out.tolist() == [0.0, 10 * M, 10 * M + 2 * M]
    net = convshares(120, [300 * M, 200 * M], [30, 100], "net")
    assert net == pytest.approx((120 - 30) * 10 * M / 120 + (120 - 100) * 2 * M / 120, rel=1e-15)


def test_fdbridge_convertible_rows():
    shares_, net = (fdbridge(80, **CO, conv_settlement=s) for s in ("shares", "net"))
    assert shares_["Shares from convertibles"] == 10 * M
    assert shares_["Debt converted"] == 500 * M
    assert shares_["FD EV"] == 9100 * M
    assert net["Shares from convertibles"] == 3.75 * M
    assert net["Debt converted"] == 0.0
    assert net["FD EV"] == 9100 * M
    assert shares_["EV"] == net["EV"] == 80 * 100 * M + 1000 * M - 200 * M


def test_convertible_with_options():
    """Options and a convertible together: 10m options at $60 (TSM: 10m × 20/80 = 2.5m) + 10m."""
    out = fdshares(80, 100 * M, [10 * M], [60], "tsm", **CONV)
    assert out == 100 * M + 10 * M * (80 - 60) / 80 + 10 * M


def test_conv_principal_above_debt_is_num():
    with pytest.raises(InputError) as info:
        fdev(80, 100 * M, 400 * M, 200 * M, **CONV)
    assert info.value.excel_error == "#NUM!" and info.value.argument == "conv_principal"
    assert X.FDEV(80, 100 * M, [[1000 * M, 400 * M, 500 * M]], 200 * M, *[None] * 6, [[500 * M]], [[50]]) == [
        [9100 * M, "#NUM!", 80 * 110 * M - 200 * M]
    ]


def test_conv_price_zero_or_missing():
    with pytest.raises(InputError) as info:
        convshares(80, [500 * M], [0])
    assert info.value.excel_error == "#NUM!" and info.value.argument == "conv_price"
    with pytest.raises(InputError) as info:
        fdshares(80, 100 * M, [], conv_principal=[500 * M])
    assert info.value.excel_error == "#VALUE!" and info.value.argument == "conv_price"
    assert X.CONVSHARES(80, [[500 * M]], [[0]]) == [["#NUM!"]]
    assert X.CONVSHARES(80, [[500 * M], [1]], [[50]]) == [["#VALUE!"]]
    assert X.CONVSHARES(80, [[500 * M]], [[50]], "bogus") == [["#VALUE!"]]


def test_sheet_convertible_arguments_in_place():
    """FDSHARES(price, shares, counts, strikes, method, conv_principal, conv_price, conv_settlement)."""
    assert X.FDSHARES(80, 100 * M, [[0]], None, None, [[500 * M]], [[50]], [["shares", "net"]]) == [
        [110 * M, 103.75 * M]
    ]


# --------------------------------------------------------------------------- FDTRANCHES

# At $20: 100k at $10 (in the money), 50k at $25 (out), 20k at $20 (at the money: out), 30k RSUs.
COUNTS = [100e3, 50e3, 20e3, 30e3]
STRIKES = [10.0, 25.0, 20.0, 0.0]
COLUMNS = ["count", "strike", "in_the_money", "counted", "proceeds", "repurchased", "net_new"]


def test_fdtranches_tsm_rows():
    table = fdtranches(20, COUNTS, STRIKES, "tsm")
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == COLUMNS
    assert table["in_the_money"].dtype == bool
    assert table.to_dict("list") == {
        "count": COUNTS,
        "strike": STRIKES,
        "in_the_money": [True, False, False, True],
        "counted": [100e3, 0.0, 0.0, 30e3],
        "proceeds": [100e3 * 10, 0.0, 0.0, 0.0],
        "repurchased": [100e3 * 10 / 20, 0.0, 0.0, 0.0],
        "net_new": [100e3 - 50e3, 0.0, 0.0, 30e3],
    }


def test_fdtranches_gross_and_all():
    gross = fdtranches(20, COUNTS, STRIKES)
    assert gross["net_new"].tolist() == [100e3, 0.0, 0.0, 30e3]
    assert gross["repurchased"].tolist() == [0.0] * 4
    every = fdtranches(20, COUNTS, STRIKES, "all")
    assert every["in_the_money"].tolist() == [True, False, False, True]  # still the truth
    assert every["counted"].tolist() == COUNTS
    assert every["proceeds"].tolist() == [100e3 * 10, 50e3 * 25, 20e3 * 20, 0.0]


@pytest.mark.parametrize("method", ["gross", "tsm", "all"])
def test_fdtranches_net_new_sums_to_fdshares_less_shares(method):
    total = fdtranches(20, COUNTS, STRIKES, method)["net_new"].sum()
    assert total == pytest.approx(fdshares(20, 1e6, COUNTS, STRIKES, method) - 1e6, rel=1e-12)


def test_fdtranches_sheet_spills_header_and_rows():
    cells = X.FDTRANCHES(20, [[c] for c in COUNTS], [[k] for k in STRIKES], "tsm")
    assert cells[0] == ["count", "strike", "in the money", "counted", "proceeds", "repurchased", "net new"]
    assert cells[1] == [100e3, 10.0, True, 100e3, 1e6, 50e3, 50e3]
    assert cells[3] == [20e3, 20.0, False, 0.0, 0.0, 0.0, 0.0]
    assert len(cells) == 1 + 4


def test_fdtranches_errors():
    assert X.FDTRANCHES(-1, [[1.0]]) == [["#NUM!"]]
    assert X.FDTRANCHES(20, None) == [["#N/A"]]
    assert X.FDTRANCHES(20, [[1.0], [2.0]], [[5.0]]) == [["#VALUE!"]]
    assert X.FDTRANCHES([[20, 30]], [[1.0]]) == [["#VALUE!"]]
    with pytest.raises(InputError) as info:
        fdtranches([20, 30], COUNTS, STRIKES)
    assert info.value.argument == "price" and info.value.excel_error == "#VALUE!"


def test_fdtranches_without_pandas_says_so(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        fdtranches(20, COUNTS, STRIKES)
    assert X.FDTRANCHES(20, [[1.0]])[1][0] == 1.0  # the worksheet function needs no pandas


# --------------------------------------------------------------------------- IMPLIEDPRICE


def test_impliedprice_xyz():
    """600m over 50m shares + 20m options at $5: P × 50m + 20m × (P − 5) = 600m → P = 700m / 70m."""
    assert impliedprice(600 * M, 50 * M, [20 * M], [5]) == (600 * M + 20 * M * 5) / (70 * M) == 10.0
    assert impliedprice(600 * M, 50 * M, [20 * M], [5], "tsm") == 10.0


def test_impliedprice_walks_the_strikes():
    """100m shares, 10m at $5 and 10m at $20.  E = 1,000m: try P ≤ 5: 1,000/100 = 10 > 5, no;
    with the $5 tranche: (1,000 + 50)/110 = 9.545… ∈ (5, 20]: the answer, the $20 tranche out."""
    assert impliedprice(1000 * M, 100 * M, [10 * M, 10 * M], [20, 5]) == pytest.approx(1050 / 110, rel=1e-15)
    # E = 3,000m: (3,000 + 50 + 200) / 120 = 27.08… > 20: both tranches in
    assert impliedprice(3000 * M, 100 * M, [10 * M, 10 * M], [20, 5]) == pytest.approx(3250 / 120, rel=1e-15)
    # E = 300m: 300/100 = 3 ≤ 5: no tranche in
    assert impliedprice(300 * M, 100 * M, [10 * M, 10 * M], [20, 5]) == 3.0


def test_impliedprice_boundary_tranche_struck_at_the_price_is_out():
    """E = 100m × 20 + 10m × (20 − 5) = 2,150m gives exactly $20, the $20 tranche not counted."""
    assert impliedprice(2150 * M, 100 * M, [10 * M, 10 * M], [20, 5]) == 20.0
    table = fdtranches(20.0, [10 * M, 10 * M], [20, 5])
    assert table["in_the_money"].tolist() == [False, True]


def test_impliedprice_all_counts_every_tranche():
    """(E + Σ n K) / (S + Σ n) = (300 + 50 + 200) / 120."""
    assert impliedprice(300 * M, 100 * M, [10 * M, 10 * M], [20, 5], "all") == pytest.approx(
        550 / 120, rel=1e-15
    )


def test_impliedprice_rsus_and_convertible():
    """RSUs count at any price; the convertible (10m shares at $50) converts above $50.
    E = 8,300m, 100m shares, 5m RSUs: without conversion 8,300/105 = 79.05 > 50, so converted:
    (8,300 + 500) / (105 + 10) = 76.52…"""
    got = impliedprice(8300 * M, 100 * M, [5 * M], [None], **CONV)
    assert got == pytest.approx(8800 / 115, rel=1e-15)


def test_impliedprice_issue_company():
    """The issue's company at $80: EV 9,100m − debt 1,000m + cash 200m = 8,300m of equity."""
    assert impliedprice(9100 * M - 1000 * M + 200 * M, 100 * M, **CONV) == 80.0


def test_impliedprice_zero_negative_and_no_shares():
    assert impliedprice(0, 100 * M, [10 * M], [5]) == 0.0
    with pytest.raises(InputError) as info:
        impliedprice(-1, 100 * M)
    assert info.value.excel_error == "#NUM!" and info.value.argument == "equity_value"
    assert np.isnan(impliedprice(1 * M, 0))
    # no basic shares: 20m × (P − 5) = 1m → P = 5.05
    assert X.IMPLIEDPRICE([[600 * M, -5, 1 * M]], [[50 * M, 50 * M, 0]], [[20 * M]], [[5]]) == [
        [10.0, "#NUM!", (1 * M + 20 * M * 5) / (20 * M)]
    ]
    assert X.IMPLIEDPRICE(1 * M, 0) == [["#NUM!"]]


def test_impliedprice_broadcasts():
    out = impliedprice([300 * M, 1000 * M, 3000 * M], 100 * M, [10 * M, 10 * M], [20, 5])
    assert out.tolist() == pytest.approx([3.0, 1050 / 110, 3250 / 120], rel=1e-15)


# --------------------------------------------------------------------------- memory


def test_fd_memory_is_bounded_whatever_prices_times_tranches():
    """20,000 prices × 20,000 tranches (400m pairs: 3.5 GB when the grid was built) stay within
    a bound that depends on prices + tranches only: 200 bytes each, plus 1 MB."""
    import tracemalloc

    def peak(n_prices: int, n_tranches: int) -> int:
        rng = np.random.default_rng(0)
        prices = rng.uniform(1, 100, n_prices)
        counts, strikes = rng.uniform(0, 1e6, n_tranches), rng.uniform(0, 100, n_tranches)
        tracemalloc.start()
        try:
            fdev(prices, 1e9, 1e9, 1e8, counts, strikes, "tsm")
            fdmcap(prices, 1e9, counts, strikes, "gross")
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    for n_prices, n_tranches in [(20_000, 20_000), (200, 200_000), (200_000, 200)]:
        bound = 200 * (n_prices + n_tranches) + 2**20
        assert peak(n_prices, n_tranches) < bound, (n_prices, n_tranches)


# --------------------------------------------------------------------------- COMBINEDMCAP


def test_combinedmcap_alphabet_like():
    """A 5.8bn × $170 + C 5.5bn × $171 + unlisted B 0.86bn converting 1:1 into A, at A's $170."""
    expected = 5.8e9 * 170 + 5.5e9 * 171 + 0.86e9 * 170
    assert combinedmcap([5.8e9, 5.5e9, 0.86e9], [170, 171, None]) == pytest.approx(expected, rel=1e-15)


def test_combinedmcap_berkshire_like():
    """Both listed: 550k × $700,000 + 1.3bn × $466.  With B unlisted, one B converts into 1/1,500 A."""
    assert combinedmcap([550e3, 1.3e9], [700_000, 466]) == pytest.approx(550e3 * 700_000 + 1.3e9 * 466)
    got = combinedmcap([550e3, 1.3e9], [700_000, None], [None, 1 / 1500])
    assert got == pytest.approx(550e3 * 700_000 + 1.3e9 * 700_000 / 1500, rel=1e-15)


def test_combinedmcap_first_listed_class_prices_the_unlisted():
    """The first class with a price, wherever it stands: 10 × (2 × 30) + 5 × 30 + 1 × 40."""
    assert combinedmcap([10, 5, 1], [None, 30, 40], [2, 7, 9]) == 10 * 2 * 30 + 5 * 30 + 1 * 40


def test_combinedmcap_errors():
    assert np.isnan(combinedmcap([1, 2], [None, None]))
    assert X.COMBINEDMCAP([[1], [2]], [[None], [None]]) == [["#N/A"]]
    assert X.COMBINEDMCAP([[1], [2]], [[5]]) == [["#VALUE!"]]
    assert X.COMBINEDMCAP([[1], [2]], [[5], [None]], [[1], [2], [3]]) == [["#VALUE!"]]
    assert X.COMBINEDMCAP([[1], [-2]], [[5], [6]]) == [["#NUM!"]]
    assert X.COMBINEDMCAP([[1], [None]], [[5], [6]]) == [["#N/A"]]
    assert X.COMBINEDMCAP([[10], [5]], [[3], [None]]) == [[10 * 3 + 5 * 3]]
    with pytest.raises(InputError) as info:
        combinedmcap([1, 2], [5])
    assert info.value.argument == "prices" and info.value.excel_error == "#VALUE!"
    with pytest.raises(InputError) as info:
        combinedmcap([1, 2], [5, 6], [-1, 1])
    assert info.value.argument == "ratios" and info.value.excel_error == "#NUM!"

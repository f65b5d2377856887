"""One small tranche table is sorted once and kept: each later call values with its own table."""

from __future__ import annotations

import numpy as np
import pytest

from xlfuncs import fdmcap
from xlfuncs.functions.tranches import Table


def test_tables_in_turn():
    # the source article: 50m shares at $10, 10m options and 10m warrants; struck at $5 both count
    for _ in range(2):
        assert fdmcap(10, 50e6, [10e6, 10e6], [5, 5]) == 700e6
        assert fdmcap(10, 50e6, [10e6, 10e6], [5, 15]) == 600e6  # the warrants out of the money
        assert fdmcap(10, 50e6, [10e6, 10e6], [15, 5]) == 600e6
        assert fdmcap(10, 50e6, [10e6, 20e6], [5, 5]) == 800e6


def test_a_kept_table_is_read_only():
    table = Table.of(np.array([1.0, 2.0]), np.array([5.0, 0.0]))
    assert Table.of(np.array([1.0, 2.0]), np.array([5.0, 0.0])) is table
    # sorted by strike: the 2 RSUs (no strike) first, then the 1 option at 5
    assert table.strikes.tolist() == [0.0, 5.0]
    assert table.total_counts.tolist() == [0.0, 2.0, 3.0]
    assert table.total_values.tolist() == [0.0, 0.0, 5.0]
    assert table.zero_strikes == 1
    with pytest.raises(ValueError, match="read-only"):
        table.total_counts[0] = 1.0

"""Padding row tables with neutral tranches changes no row's result and no check's verdict.

The SQL functions hand a batch of companies, each with its own number of tranches, to a
row-table kernel in one call, every row's lists padded at their end to one length
(:func:`xlfuncs.functions.tranches.row_tables`).  Here each row's result from its own
unpadded lists, computed alone, must equal that row of the padded call, bit for bit, for
every row-table kernel, every method and settlement, and every check of its spec.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xlfuncs.functions  # noqa: F401  (registers every kernel)
from xlfuncs.framework.spec import REGISTRY
from xlfuncs.functions.tranches import OMISSIBLE, PAD, PAIRS, ROW_TABLE_KERNELS, total

SPECS = [spec for spec in REGISTRY.values() if spec.kernel in ROW_TABLE_KERNELS]
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# round figures, so that strikes fall exactly on prices and sums hit debt exactly, now and then
AMOUNTS = st.one_of(st.sampled_from([0.0, 1.0, 5.0, 10.0, 1e6]), st.floats(0, 1e9, allow_subnormal=False))
STRIKES = st.one_of(st.sampled_from([0.0, 5.0, 10.0]), st.floats(0, 50, allow_subnormal=False))
CODES = {"method": st.integers(0, 2), "conv_settlement": st.integers(0, 1)}  # as the rules read them


@st.composite
def tranche(draw: Any, pair: tuple[str, str]) -> tuple[float, float]:
    count = draw(AMOUNTS)
    if pair == PAIRS[1] and count > 0:  # a convertible with principal has a conversion price
        return count, draw(st.floats(0.5, 50, allow_subnormal=False))
    return count, draw(STRIKES)


@st.composite
def universe(draw: Any, kernel: Any) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Rows of scalars and lists (each pair as long), and how far past the longest to pad."""
    names = inspect.signature(kernel).parameters
    pairs = ROW_TABLE_KERNELS[kernel]
    no_strikes = draw(st.booleans())  # strikes omitted in every row: all 0
    rows = []
    for _ in range(draw(st.integers(1, 8))):
        row: dict[str, Any] = {}
        for name in names:
            if not any(name in pair for pair in pairs):
                row[name] = float(draw(CODES.get(name, AMOUNTS)))
        for pair in pairs:
            tranches = draw(st.lists(tranche(pair), max_size=10))  # beyond 8: np.sum adds pairwise
            row[pair[0]] = [c for c, _ in tranches]
            row[pair[1]] = [] if pair[1] in OMISSIBLE and no_strikes else [s for _, s in tranches]
        rows.append(row)
    return rows, {pair[0]: draw(st.integers(0, 3)) for pair in pairs}


def padded(rows: list[dict[str, Any]], name: str, width: int) -> np.ndarray:
    table = np.full((len(rows), width), PAD)
    for i, row in enumerate(rows):
        table[i, : len(row[name])] = row[name]
    return table


def same(a: float, b: float) -> bool:
    return a == b or (np.isnan(a) and np.isnan(b))


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.excel_name)
@SETTINGS
@given(data=st.data())
def test_padded_rows_equal_each_row_alone(spec, data):
    kernel = spec.kernel
    rows, extra = data.draw(universe(kernel))
    inputs: dict[str, np.ndarray] = {}
    for name in inspect.signature(kernel).parameters:
        pair = next((p for p in ROW_TABLE_KERNELS[kernel] if name in p), None)
        if pair is None:
            inputs[name] = np.array([row[name] for row in rows])
            continue
        width = max(len(row[pair[0]]) for row in rows) + extra[pair[0]]
        if name in OMISSIBLE and not any(row[name] for row in rows):
            width = 0  # omitted in every row
        inputs[name] = padded(rows, name, width)
    with np.errstate(all="ignore"):
        together = kernel(**inputs)
        verdicts = [check.test(**inputs) for check in spec.checks]
        for i, row in enumerate(rows):
            alone = {
                name: np.array(value, np.float64) if isinstance(value, list) else np.array([value])
                for name, value in row.items()
            }
            assert same(together[i], kernel(**alone)[0]), (i, row)
            for check, verdict in zip(spec.checks, verdicts, strict=True):
                assert verdict[i] == check.test(**alone)[0], (check.argument, i, row)


def test_every_tranche_kernel_is_padded():
    """FDSHARES, FDMCAP, FDEV, CONVSHARES and IMPLIEDPRICE take row tables: none is left out."""
    assert {s.excel_name for s in SPECS} == {"FDSHARES", "FDMCAP", "FDEV", "CONVSHARES", "IMPLIEDPRICE"}


@SETTINGS
@given(
    values=st.lists(st.floats(0, 1e9, allow_subnormal=False), min_size=1, max_size=20),
    pads=st.integers(0, 12),
)
def test_the_convertibles_check_sums_padded_rows_bit_for_bit(values, pads):
    """The check "conv_principal adds up to more than debt" sums with :func:`total`, unchanged by
    padding at the end to the last bit (np.sum's pairwise order is not, from 8 elements on)."""
    row = np.array(values)
    assert total(np.concatenate([row, np.full(pads, PAD)])) == total(row) == np.cumsum(row)[-1]

"""Robustness fuzz test of every worksheet function.

Random argument lists of random length, made of numbers of every size and sign,
NaN/inf, text, booleans, blanks, Excel error values and numpy arrays, are passed
to each function in xlfuncs.runtimes.excel.  Nothing may escape, the result must be a
clean 2-D grid, and the sheet layer's catch-all (which logs at ERROR and writes
#VALUE!) must never be hit: a bug must not hide behind #VALUE!.

XLFUNCS_FUZZ_EXAMPLES is the total number of examples over all functions
(default 2,000; CI sets 100,000 or more); each function gets ceil(total / n).
"""

from __future__ import annotations

import logging
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import xlfuncs
import xlfuncs.runtimes.excel as X

NAMES = list(xlfuncs.REGISTRY)
TOTAL = int(os.environ.get("XLFUNCS_FUZZ_EXAMPLES", "2000"))
PER_FUNCTION = math.ceil(TOTAL / len(NAMES))

EXCEL_ERRORS = ("#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!")
# Random text never contains "<" or "(", so a cell with them is the package's doing.
SAFE_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="<(\x00"), max_size=12)

# --------------------------------------------------------------------------- cells

special_numbers = st.sampled_from(
    [
        0.0,
        -0.0,
        0,
        5e-324,
        -5e-324,
        2.2250738585072014e-308,
        1e308,
        -1e308,
        1.7976931348623157e308,
        math.nan,
        -math.nan,
        math.inf,
        -math.inf,
        10**400,
        -(10**400),
        2**63,
        -(2**63) - 1,
        2**64,
        1,
        -1,
        0.5,
    ]
)
numbers = st.one_of(
    special_numbers,
    st.floats(),  # everything: nan, ±inf, subnormals, ±0
    st.integers(),
    st.integers(-(10**500), 10**500),
    st.floats(0, 1e12),  # plausible amounts, so that valid cases are common
    st.floats(0, 1),
    st.integers(0, 10**12),
)


def _cased(word_and_flags):
    word, flags = word_and_flags
    return "".join(
        c.upper() if f else c for c, f in zip(word, (flags + [False] * len(word))[: len(word)], strict=True)
    )


method_words = st.tuples(
    st.sampled_from(["gross", "tsm", "all", "Mega", "nm"]), st.lists(st.booleans(), max_size=5)
).map(_cased)
padding = st.sampled_from(["", " ", "  ", "\t"])
numeric_text = st.tuples(
    padding,
    st.one_of(
        st.floats().map(repr),
        st.floats(0, 1e12).map(lambda x: f"{x:g}"),
        st.integers().map(str),
        st.sampled_from(
            [
                "1e5",
                "1e400",
                "-1e400",
                ".5",
                "5.",
                "+3",
                "-0",
                "1_000",
                "0x10",
                "1,5",
                "inf",
                "nan",
                "Infinity",
                "1e",
                "e5",
                "١٢٣",
                "１２",  # noqa: RUF001  (full-width digits on purpose: Excel reads them as text)
            ]
        ),
    ),
    padding,
).map("".join)
# Error values as text typed into cells, in any case and padded.
error_text = st.tuples(
    padding, st.sampled_from(EXCEL_ERRORS).flatmap(lambda e: st.sampled_from([e, e.lower()])), padding
).map("".join)
texts = st.one_of(
    SAFE_TEXT,
    numeric_text,
    st.tuples(padding, method_words, padding).map("".join),
    st.sampled_from(["", " ", "NM", "#N/A", "N/A", "#SPILL!", "#CALC!"]),
)
numpy_scalars = st.one_of(
    st.floats().map(np.float64),
    st.integers(-(2**63), 2**63 - 1).map(np.int64),
    st.booleans().map(np.bool_),
    st.floats(width=32).map(np.float32),
)
cells = st.one_of(
    numbers, texts, st.booleans(), st.none(), st.sampled_from(EXCEL_ERRORS), error_text, numpy_scalars
)

# --------------------------------------------------------------------------- arguments

rectangles = st.tuples(st.integers(1, 4), st.integers(1, 4)).flatmap(
    lambda rc: st.lists(st.lists(cells, min_size=rc[1], max_size=rc[1]), min_size=rc[0], max_size=rc[0])
)
columns = st.lists(cells, min_size=1, max_size=5).map(lambda c: [[v] for v in c])
ragged = st.lists(st.lists(cells, max_size=4), max_size=4)  # possibly ragged or empty
numpy_arrays = st.one_of(
    arrays(np.float64, array_shapes(min_dims=0, max_dims=3, max_side=4)),
    arrays(np.int64, array_shapes(min_dims=1, max_dims=2, max_side=4)),
    arrays(np.bool_, array_shapes(min_dims=1, max_dims=2, max_side=3)),
    rectangles.map(lambda r: np.array(r, dtype=object)),
    st.lists(method_words, min_size=1, max_size=3).map(np.array),
)
arguments = st.one_of(cells, rectangles, columns, ragged, st.lists(cells, max_size=4), numpy_arrays)

# Mostly-valid arguments, so that the kernels run often and the wild values sit next to
# valid ones: plausible amounts, fractions and method words, as cells, rows or columns.
plausible_cells = st.one_of(
    st.floats(0, 1e12),
    st.integers(0, 10**9),
    st.floats(0, 1),
    st.sampled_from([0, 0.0, 1, 5, 10, 100.0, 1e6, 50e6, 2e9]),
    method_words,
)
plausible = st.one_of(
    plausible_cells,
    st.lists(plausible_cells, min_size=1, max_size=4).map(lambda c: [c]),
    st.lists(plausible_cells, min_size=1, max_size=4).map(lambda c: [[v] for v in c]),
)


def argument_lists(n_args, n_required):
    """0 .. n_args + 1 arguments (often a usable number); half of the lists are mostly plausible."""
    mostly_plausible = st.one_of(plausible, plausible, plausible, arguments)
    lengths = st.one_of(st.integers(0, n_args + 1), st.integers(n_required, n_args))
    return st.tuples(lengths, st.booleans()).flatmap(
        lambda nb: st.lists(mostly_plausible if nb[1] else arguments, min_size=nb[0], max_size=nb[0])
    )


# --------------------------------------------------------------------------- checks


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(scope="module")
def sheet_errors():
    """Collects ERROR records of the sheet layer's catch-all."""
    handler = _Records()
    logger = logging.getLogger("xlfuncs.framework.sheet")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def check_cell(cell):
    if type(cell) is bool:  # TRUE/FALSE columns of a schedule (FDTRANCHES)
        return
    if isinstance(cell, float) and not isinstance(cell, bool):
        assert type(cell) is float, f"{type(cell).__name__} cell {cell!r}"
        assert math.isfinite(cell), f"non-finite number {cell!r} in a cell"
    elif isinstance(cell, str):
        assert cell, "empty text cell"
        for bad in ("Traceback", "Error(", "<", "array("):
            assert bad not in cell, f"Python text in a cell: {cell!r}"
    else:
        raise AssertionError(f"cell of type {type(cell).__name__}: {cell!r}")


def check_grid(result):
    assert isinstance(result, list) and result, f"not a non-empty list: {result!r}"
    width = None
    for row in result:
        assert isinstance(row, list) and row, f"bad row {row!r}"
        width = len(row) if width is None else width
        assert len(row) == width, "rows of different lengths"
        for cell in row:
            check_cell(cell)


@pytest.mark.parametrize("name", NAMES)
def test_fuzz(name, sheet_errors):
    """Random argument lists for one worksheet function: a clean grid, no catch-all."""
    function = getattr(X, name)
    spec_args = xlfuncs.REGISTRY[name].args
    n_args, n_required = len(spec_args), sum(a.required for a in spec_args)
    examples = 0

    @settings(
        max_examples=PER_FUNCTION,
        deadline=None,
        derandomize=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(argument_lists(n_args, n_required))
    def run(args):
        nonlocal examples
        examples += 1
        sheet_errors.records.clear()
        result = function(*args)
        assert not sheet_errors.records, f"catch-all hit: {sheet_errors.format(sheet_errors.records[0])}"
        check_grid(result)

    run()
    print(f"{name}: {examples} examples")
    assert examples >= PER_FUNCTION

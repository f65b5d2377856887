"""The framework's fast paths decide exactly as the element-by-element path.

- ``classify`` of an object array of floats, ints and None (a column with empty cells)
  gives each element what ``cell_value`` gives it alone;
- ``Number.read`` (one pass over the bits, blanks taken in bulk) gives the values and codes
  of a reading element by element, written out here from the rules' documented meaning;
- a function's ``Shortcut`` holds only where the full path would accept every element, and
  the Python API answers the same with and without it: the same numbers, the same error.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xlfuncs
from xlfuncs.framework.errors import BLANK, NA, NUM, OK, InputError
from xlfuncs.framework.rules import (
    ABSENT,
    AMOUNT,
    FRACTION,
    OPTIONAL_AMOUNT,
    REQUIRED,
    SIGNED,
    SUPPLY,
    Number,
)
from xlfuncs.framework.spec import call_python
from xlfuncs.framework.values import all_below, all_finite_below, cell_value, classify

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

EDGES = [
    0.0,
    -0.0,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    0.5,
    1.0,
    1.0000000000000002,
    0.9999999999999999,
    2.5,
    7.0,
    -1.0,
    1e308,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    math.inf,
    -math.inf,
    math.nan,
]
floats = st.one_of(st.sampled_from(EDGES), st.floats())
likely = st.one_of(floats, st.floats(0.0, 1e6), st.integers(0, 100).map(float))  # often within the rules
ints = st.one_of(st.integers(-(2**70), 2**70), st.sampled_from([10**400, -(10**400), 2**53 + 1, 0, -3]))
elements = st.one_of(floats, ints, st.none())


def same_float(a: float, b: float) -> bool:
    """Equal, both nan, or the same zero."""
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


@SETTINGS
@given(st.lists(elements, max_size=40), st.sampled_from([None, (-1, 2), (2, -1)]))
def test_classify_plain_elements_as_one_by_one(cells, shape):
    arr = np.array(cells + [None] * (len(cells) % 2 if shape else 0), dtype=object)
    if shape:
        arr = arr.reshape(shape)
    c = classify(arr)
    assert c.values.shape == arr.shape
    codes = np.zeros(arr.shape, np.uint8) if c.codes is None else c.codes
    for element, value, code in zip(arr.ravel().tolist(), c.values.ravel(), codes.ravel(), strict=True):
        want_value, want_code = cell_value(element)
        assert code == want_code, element
        assert same_float(value, want_value), element


def expected_read(rule: Number, element: object) -> tuple[float, int]:
    """One element as the rule's docstring describes it."""
    x, code = cell_value(element)
    if code == BLANK:
        return (math.nan, NA) if rule.blank is REQUIRED else (float(rule.blank), OK)  # type: ignore[arg-type]
    if code != OK:
        return math.nan, code
    if (
        not math.isfinite(x)
        or (rule.lower is not None and x < rule.lower)
        or (rule.upper is not None and x > rule.upper)
    ):
        return x, NUM
    return x, OK


RULES = [
    AMOUNT,
    OPTIONAL_AMOUNT,
    SIGNED,
    FRACTION,
    SUPPLY,
    Number(lower=2.5, upper=7.0),
    Number(lower=2.5, blank=1.0),
    Number(lower=None, upper=1.0, blank=ABSENT),
]


@SETTINGS
@given(st.sampled_from(RULES), st.lists(elements, max_size=30), st.booleans())
def test_number_read_as_element_by_element(rule, cells, as_floats):
    if as_floats:  # a float array: the one-pass bounds test
        cells = [math.nan if v is None else float(v) if abs(v) < 1e308 else math.inf for v in cells]
        arr = np.array(cells, dtype=np.float64)
    else:
        arr = np.array(cells, dtype=object)
    values, codes = rule.read(arr)
    codes = np.zeros(arr.shape, np.uint8) if codes is None else codes
    for element, value, code in zip(arr.tolist(), values, codes, strict=True):
        want_value, want_code = expected_read(rule, element)
        assert code == want_code, (rule, element)
        if code == OK:
            assert same_float(value, want_value), (rule, element)


@pytest.mark.parametrize(
    ("values", "bound", "expected"),
    [
        ([0.0, 0.5, 0.9999999999999999], 1.0, True),
        ([0.5, 1.0], 1.0, False),
        ([0.5, -0.0], 1.0, False),
        ([0.5, math.nan], math.inf, False),
        ([1.7976931348623157e308], math.inf, True),
        ([math.inf], math.inf, False),
        ([-5e-324], math.inf, False),
        ([], 1.0, True),
    ],
)
def test_all_below(values, bound, expected):
    assert all_below(np.array(values, dtype=np.float64), bound) is expected


@pytest.mark.parametrize(
    ("values", "bound", "expected"),
    [
        ([-1e300, -0.0, 0.9999999999999999], 1.0, True),
        ([0.5, 1.0], 1.0, False),
        ([-math.inf, 0.5], 1.0, False),
        ([math.nan], 1.0, False),
        ([0.5, math.nan, -0.5], math.inf, False),
        ([1.7976931348623157e308, -1.7976931348623157e308], math.inf, True),
        ([], 1.0, True),
    ],
)
def test_all_finite_below(values, bound, expected):
    assert all_finite_below(np.array(values, dtype=np.float64), bound) is expected


SHORTCUTS = sorted(name for name, spec in xlfuncs.REGISTRY.items() if spec.shortcut is not None)


def test_shortcuts_are_declared():
    """The functions the benchmark holds to its goal through a shortcut keep one."""
    assert {"DILUTION", "FREEFLOAT", "OWNERSHIP"} <= set(SHORTCUTS)


def _draw_inputs(data, spec, size):
    """Arrays for every argument: covered arguments anything, the others within their rules."""
    inputs = {}
    for arg in spec.args:
        assert not arg.table
        if arg.name in spec.shortcut.covers:
            cells = data.draw(st.lists(likely, min_size=size, max_size=size))
        else:
            valid = likely.filter(lambda x, rule=arg.rule: rule.read(np.array([x]))[1] is None)
            cells = data.draw(st.lists(valid, min_size=size, max_size=size))
        inputs[arg.name] = np.array(cells, dtype=np.float64)
    return inputs


@pytest.mark.parametrize("name", SHORTCUTS)
@SETTINGS
@given(data=st.data())
def test_shortcut_holds_only_where_everything_is_accepted(name, data):
    spec = xlfuncs.REGISTRY[name]
    inputs = _draw_inputs(data, spec, data.draw(st.integers(1, 4)))
    with np.errstate(all="ignore"):
        holds = spec.shortcut.test(spec.kernel(**inputs))
        if not holds:
            return
        for arg in spec.args:
            codes = arg.rule.read(inputs[arg.name])[1]
            assert codes is None or not codes.any(), arg.name
        for check in spec.checks:
            assert not check.test(**inputs).any(), check.reason


@pytest.mark.parametrize("name", SHORTCUTS)
@SETTINGS
@given(data=st.data())
def test_python_api_same_with_and_without_shortcut(name, data):
    spec = xlfuncs.REGISTRY[name]
    full = dataclasses.replace(spec, shortcut=None)
    inputs = _draw_inputs(data, spec, data.draw(st.integers(1, 4)))
    if data.draw(st.booleans()):  # every argument anything at all
        inputs = {
            k: np.array(data.draw(st.lists(floats, min_size=v.size, max_size=v.size)))
            for k, v in inputs.items()
        }

    def outcome(s):
        try:
            return "ok", call_python(s, dict(inputs))
        except InputError as exc:
            return "error", (str(exc), exc.argument, exc.excel_error, exc.position)

    got, want = outcome(spec), outcome(full)
    assert got[0] == want[0]
    if got[0] == "error":
        assert got[1] == want[1]
    else:
        assert np.array_equal(got[1], want[1], equal_nan=True)

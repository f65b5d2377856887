"""``xlfuncs demo``: every worked example of both articles, computed and checked.

Each figure is computed three ways and compared with the article's figure
(or the corrected / hand-computed one, see :mod:`xlfuncs.examples`): the
formula with our functions and the native-Excel cross-check, both computed by
the ``formulas`` engine, and, where the formula is a single call of one of our
functions, the Python API directly.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from . import REGISTRY
from .examples import EXAMPLES, Example, Figure

_FLAT_CALL = re.compile(r'([A-Z]+)\(((?:\{\w+\}|"[^"]*")(?:,(?:\{\w+\}|"[^"]*"))*)\)\Z')


def _column(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _excel_value(v):
    if isinstance(v, dt.date):
        return (v - dt.date(1899, 12, 30)).days
    return v


class _Sheet:
    """Cells for one example: each name gets a column; ranges run down it."""

    def __init__(self):
        self.refs, self.values = {}, {}

    def put(self, name, value):
        col = _column(len(self.refs))
        if isinstance(value, (tuple, list)):
            ref = f"{col}1:{col}{len(value)}"
            self.values[ref] = [[_excel_value(v)] for v in value]
        else:
            ref = f"{col}1"
            self.values[ref] = _excel_value(value)
        self.refs[name] = ref

    def compute(self, template: str):
        from .engine import evaluate

        formula = re.sub(r"\{(\w+)\}", lambda m: self.refs[m.group(1)], template)
        used = {ref: self.values[ref] for ref in self.values}
        result = evaluate(formula, used)
        return tuple(row[0] for row in result) if isinstance(result, list) else result


def python_api(template: str, inputs: dict):
    """Value of a single call of one of our functions through the Python API, else None."""
    m = _FLAT_CALL.match(template or "")
    if not m or m.group(1) not in REGISTRY:
        return None
    args = [a[1:-1] if a.startswith('"') else inputs[a[1:-1]] for a in m.group(2).split(",")]
    value = REGISTRY[m.group(1)].function(*args)
    return tuple(value.tolist()) if hasattr(value, "tolist") and getattr(value, "ndim", 0) else value


def matches(value, figure: Figure) -> bool:
    expected = figure.expected
    if isinstance(expected, tuple):
        return isinstance(value, tuple) and len(value) == len(expected) and all(
            matches(v, Figure(figure.name, "", None, "", e, "", figure.fmt, figure.tol))
            for v, e in zip(value, expected))
    if isinstance(expected, str):
        return value == expected
    return isinstance(value, (int, float)) and not isinstance(value, bool) and \
        math.isfinite(value) and abs(value - expected) <= figure.tol


def run_example(example: Example) -> list[dict]:
    """Compute every figure of one example; one result row per figure."""
    ours, native = _Sheet(), _Sheet()
    python_inputs = {}
    for item in example.inputs:
        ours.put(item.name, item.value)
        native.put(item.name, item.value)
        python_inputs[item.name] = list(item.value) if isinstance(item.value, tuple) else item.value
    rows = []
    for figure in example.figures:
        native_value = native.compute(figure.native)
        our_value = ours.compute(figure.ours) if figure.ours else native_value
        py_value = python_api(figure.ours, python_inputs)
        ours.put(figure.name, our_value)
        native.put(figure.name, native_value)
        python_inputs[figure.name] = our_value
        ok = matches(our_value, figure) and matches(native_value, figure) and \
            (py_value is None or matches(py_value, figure))
        rows.append({"figure": figure, "ours": our_value, "native": native_value,
                     "python": py_value, "ok": ok})
    return rows


def _fmt(value, fmt: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, tuple):
        return ", ".join(_fmt(v, fmt) for v in value)
    if isinstance(value, str):
        return value
    if fmt == "pct":
        return f"{value:.4%}"
    if fmt == "x":
        return f"{value:,.4f}x"
    if fmt == "usd":
        return f"${value:,.2f}" if value >= 0 else f"-${-value:,.2f}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def main(out=print) -> int:
    """Print every example; return the number of mismatches."""
    failures = 0
    for example in EXAMPLES:
        out(f"\n== {example.sheet}: {example.title}")
        out(f"   Source: {example.source}{' (illustrative inputs)' if example.illustrative else ''}")
        out(f"   {example.summary}")
        for row in run_example(example):
            f = row["figure"]
            status = "OK" if row["ok"] else "MISMATCH"
            failures += not row["ok"]
            out(f"   {f.label:<46} article: {f.article}")
            out(f"   {'':<46} expected {_fmt(f.expected, f.fmt)} | ours {_fmt(row['ours'], f.fmt)}"
                f" | native {_fmt(row['native'], f.fmt)} | Python API {_fmt(row['python'], f.fmt)}"
                f"  {status}")
        if example.verdict:
            out(f"   NOTE: {example.verdict}")
    total = sum(len(e.figures) for e in EXAMPLES)
    out(f"\n{total - failures} of {total} figures OK, {failures} mismatches.")
    return failures

"""``xlfuncs demo``: every worked example of both articles, built, computed and checked.

The demo writes the template workbooks into a folder (``xlfuncs workbooks``),
computes them without Excel (``xlfuncs calc``; ``--engine`` as there: ``auto``,
the default, is headless LibreOffice with the xlfuncs add-in when it can run
here, else the ``formulas`` package with our functions registered from the
specs), says which engine computed and prints, for every figure of every
example, what the article says, the expected figure, our functions' result,
the native-Excel cross-check and, where the formula is one call of one of our
functions, the Python API's result.  It prints both tallies of the workbook:
checks (our functions against native Excel) and figures matching the article.
Any mismatch makes it exit non-zero.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from ..calc.engines import engine_for
from ..calc.results import CalcInputError
from ..functions import REGISTRY
from ..i18n import ENGLISH
from .article_book import CHECK, MATCH, MATCHES, OK
from .examples import EXAMPLES, Figure
from .style import language, tr
from .templates import example_layout, write_all

_FLAT_CALL = re.compile(r'([A-Z]+)\(((?:\{\w+\}|"[^"]*")(?:,(?:\{\w+\}|"[^"]*"))*)\)\Z')


def python_api(template: str | None, values: dict):
    """A single call of one of our functions through the Python API, else None."""
    m = _FLAT_CALL.match(template or "")
    if not m or m.group(1) not in REGISTRY:
        return None
    args = [a[1:-1] if a.startswith('"') else values[a[1:-1]] for a in m.group(2).split(",")]
    value = REGISTRY[m.group(1)].function(*args)
    return tuple(value.tolist()) if getattr(value, "ndim", 0) else value


def matches(value, figure: Figure, expected=None) -> bool:
    expected = figure.expected if expected is None else expected
    if isinstance(expected, tuple):
        return (
            isinstance(value, tuple)
            and len(value) == len(expected)
            and all(matches(v, figure, e) for v, e in zip(value, expected, strict=True))
        )
    if isinstance(expected, str):
        return value == expected
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value - expected) <= figure.tol
    )


def read_examples(book: Path) -> list[tuple]:
    """(example, [row per figure], verdict) from a computed article_examples.xlsx.

    A row's label and the verdict are the text the workbook shows: its label formulas computed.
    """
    import openpyxl

    wb = openpyxl.load_workbook(book, data_only=True)
    results = []
    for example in EXAMPLES:
        ws, layout = wb[example.sheet], example_layout(example)
        values = {
            item.name: list(item.value) if isinstance(item.value, tuple) else item.value
            for item in example.inputs
        }
        rows = []
        for figure in example.figures:
            first, last = layout["figures"][figure.name]

            def column(col, ws=ws, first=first, last=last):
                return tuple(ws.cell(r + 1, col).value for r in range(first, last + 1))

            label, ours, native = ws.cell(first + 1, 1).value, column(2), column(3)
            check, article = column(CHECK + 1), column(MATCH + 1)
            if last == first:
                ours, native = ours[0], native[0]
            py = python_api(figure.ours, values)
            values[figure.name] = ours
            ok = (
                isinstance(label, str)  # the label's text formula computed
                and matches(ours, figure)
                and matches(native, figure)
                and (py is None or matches(py, figure))
                and set(check) == {OK}
            )
            rows.append(
                {
                    "figure": figure,
                    "label": label,
                    "ours": ours,
                    "native": native,
                    "python": py,
                    "ok": ok,
                    "check": set(check) == {OK},
                    "article": set(article) == {MATCHES},
                }
            )
        verdict = ws.cell(5, 1).value if example.verdict else ""
        results.append((example, rows, verdict))
    return results


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


#: What the demo prints besides the workbooks' own texts: patterns filled in with ``str.format``.
MESSAGES = dict(
    building="Building the template workbooks in {directory}/, computed with {engine} ...",
    source="Source: {source}",
    illustrative="Source: {source} (illustrative inputs)",
    article="article: {article}",
    figure="expected {expected} | ours {ours} | native {native} | Python API {python}  {status}",
    mismatch="MISMATCH",
    note="NOTE: {verdict}",
    checks="Checks (our functions against native Excel): {checks} of {total} OK.",
    matches="Matches the article (article inputs): {matches} of {total}.",
    total="{ok} of {total} figures OK, {failures} mismatches.",
)


def _say(key: str, **values) -> str:
    """One of :data:`MESSAGES` in the language being built, filled in."""
    return tr(MESSAGES[key]).format(**values)


def main(directory: Path = Path("xlfuncs-demo"), out=print, engine: str = "auto", lang: str = ENGLISH) -> int:
    """Build, compute with ``engine`` (as ``xlfuncs calc --engine``) and print every example, in
    ``lang``; return the number of mismatches (-1: not built, or ``engine`` cannot run here).
    """
    try:
        used = engine_for(engine)
    except CalcInputError as exc:
        out(f"xlfuncs demo: error: {exc}")
        return -1
    with language(lang):
        return _demo(directory, out, used, lang)


def _demo(directory: Path, out, used: str, lang: str) -> int:
    out(_say("building", directory=directory, engine=used))
    if write_all(directory, out=out, engine=used, lang=lang):
        return -1
    failures = 0
    checks = matches = 0
    for example, rows, verdict in read_examples(directory / "article_examples.xlsx"):
        out(f"\n== {example.sheet}: {tr(example.title)}")
        out("   " + _say("illustrative" if example.illustrative else "source", source=example.source))
        out(f"   {tr(example.summary)}")
        for row in rows:
            f = row["figure"]
            failures += not row["ok"]
            checks += row["check"]
            matches += row["article"]
            out(f"   {row['label']!s:<48} " + _say("article", article=f.article))
            status = OK if row["ok"] else tr(MESSAGES["mismatch"])
            figure = _say(
                "figure",
                expected=_fmt(f.expected, f.fmt),
                ours=_fmt(row["ours"], f.fmt),
                native=_fmt(row["native"], f.fmt),
                python=_fmt(row["python"], f.fmt),
                status=status,
            )
            out(f"   {'':<48} {figure}")
        if verdict:
            out("   " + _say("note", verdict=verdict))
    total = sum(len(e.figures) for e in EXAMPLES)
    out("\n" + _say("checks", checks=checks, total=total))
    out(_say("matches", matches=matches, total=total))
    out(_say("total", ok=total - failures, total=total, failures=failures))
    return failures

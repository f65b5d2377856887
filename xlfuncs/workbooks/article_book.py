"""``article_examples.xlsx``: one live sheet per worked example of both articles.

Each sheet quotes the passage, takes its numbers as blue inputs (beside them the
article's own values), computes every figure with our functions (column B) and
again with native Excel formulas only (column C):

* **Check** (G) compares B with C, so it stays OK for any valid input;
* **Matches the article** (H) compares both with the article's figure (F), but
  only while every input is the article's own (the "Article inputs?" cell);
  D quotes the article, E holds the figure expected from its inputs;
  otherwise it says "inputs changed".

Labels and the red verdicts that quote numbers are formulas over the cells
(:func:`xlfuncs.workbooks.style.text_formula`).  Contents tallies both columns.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..xlsx.refs import split_ref
from .examples import EXAMPLES, Example, Figure, Growth, Input
from .style import (
    BAD,
    GOOD,
    GRIDLINES,
    NEUTRAL,
    Styles,
    cell,
    is_template,
    new_book,
    number_format,
    page_setup,
    render,
    set_widths,
    span_ref,
    status_formats,
    text_formula,
    tolerance_format,
    write_note,
)

#: Figure table: (header, width); 0-based columns A..H.
COLUMNS = (
    ("Figure", 44),
    ("Our functions", 18),
    ("Native cross-check", 18),
    ("The article says", 46),
    ("Expected with the article's inputs", 18),
    ("Tolerance", 13),
    ("Check", 10),
    ("Matches the article", 14),
)
ARTICLE, EXPECTED, TOL, CHECK, MATCH = 3, 4, 5, 6, 7
OK, MISMATCH = "OK", "MISMATCH"
MATCHES, DIFFERS, CHANGED = "matches", "DIFFERS", "inputs changed"
#: Contents: the range of each sheet the tallies count.
_TALLY_ROWS = 200


def _values(value: Any) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def _magnitude(value: Any) -> float:
    numbers = [abs(v) for v in _values(value) if isinstance(v, (int, float))]
    return max(numbers, default=0.0)


def units(example: Example) -> dict[str, str]:
    """One unit per sheet for amounts and for counts ≥ 1m: "bn" when every such value is ≥ 1bn, else "m"."""
    out = {}
    for fmt in ("usd", "count"):
        items: list[Input | Figure] = [*example.inputs, *example.figures]
        values = [
            abs(v)
            for item in items
            if item.fmt == fmt
            for v in _values(item.value if isinstance(item, Input) else item.expected)
            if isinstance(v, (int, float)) and abs(v) >= 1e6
        ]
        out[fmt] = "bn" if values and min(values) >= 1e9 else "m"
    return out


def example_layout(example: Example) -> dict:
    """0-based rows of one example sheet: headers, the "Article inputs?" row and (first, last) of each item."""
    row = 5 if example.verdict else 4
    layout: dict[str, Any] = {"input_header": row + 1, "inputs": {}, "figures": {}}
    row += 2
    for item in example.inputs:
        layout["inputs"][item.name] = (row, row + len(_values(item.value)) - 1)
        row += len(_values(item.value))
    layout["article_inputs"] = row
    layout["figure_header"] = row + 2
    row += 3
    for figure in example.figures:
        layout["figures"][figure.name] = (row, row + len(_values(figure.expected)) - 1)
        row += len(_values(figure.expected))
    layout["end"] = row
    return layout


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _link(sheet: str, name: str) -> str:
    """Reference of an input, or of a figure's native cross-check, on another example sheet.

    A figure is taken from its native column (C), which that sheet's Check keeps equal to our
    functions' column, so the native formulas of the linking sheet stay native all the way.
    """
    target = next(e for e in EXAMPLES if e.sheet == sheet)
    layout = example_layout(target)
    if name in layout["inputs"]:
        return f"{_quoted(sheet)}!{cell(layout['inputs'][name][0], 1)}"
    return f"{_quoted(sheet)}!{cell(layout['figures'][name][0], 2)}"


def _label(sheet: Any, st: Styles, row: int, col: int, text: str, refs: dict, fmt: Any = None) -> None:
    if is_template(text):
        sheet.write_formula(row, col, "=" + text_formula(text, refs), fmt)
    else:
        sheet.write(row, col, text, fmt)


def _write_inputs(sheet: Any, st: Styles, layout: dict, example: Example) -> dict[str, str]:
    sheet.write_row(layout["input_header"], 0, ("Input", "Value", "Article's value"), st("header"))
    sheet.write(layout["input_header"], 1, "Value", st("header", "right"))
    sheet.write(layout["input_header"], 2, "Article's value", st("header", "right"))
    unit = units(example)
    refs, same = {}, []
    for item in example.inputs:
        first, _ = rows = layout["inputs"][item.name]
        values = _values(item.value)
        labels = item.rows or ("",) * len(values)
        links = item.links or (None,) * len(values)
        for i, (label, value, link) in enumerate(zip(labels, values, links, strict=True)):
            r = first + i
            num = number_format(
                item.fmt, abs(value) if isinstance(value, (int, float)) else 0, unit.get(item.fmt, "")
            )
            sheet.write(r, 0, f"{item.label}: {label}" if label else item.label)
            if isinstance(value, dt.date):
                stamp = dt.datetime.combine(value, dt.time())
                sheet.write_datetime(r, 1, stamp, st("input", num=num))
                sheet.write_datetime(r, 2, stamp, st("native", num=num))
            else:
                if link:
                    sheet.write_formula(r, 1, "=" + _link(*link), st("linked", num=num), value)
                else:
                    sheet.write(r, 1, value, st("input", num=num))
                sheet.write(r, 2, value, st("native", num=num))
            same.append(f"{cell(r, 1, False)}={cell(r, 2, False)}")
        refs[item.name] = span_ref(rows, 1)
    row = layout["article_inputs"]
    sheet.write(row, 0, "Article inputs? (every value as in the article)", st("header"))
    sheet.write_formula(row, 1, f"=AND({','.join(same)})", st("header", "right"), True)
    refs["article_inputs"] = cell(row, 1)
    return refs


def _row_of(ref: str, i: int) -> str:
    """The i-th cell of a one-column range reference (a single cell stays itself)."""
    if ":" not in ref:
        return ref
    row, col = split_ref(ref.split(":")[0])
    return cell(row - 1 + i, col - 1)


def _write_figure(
    sheet: Any, st: Styles, rows: tuple[int, int], figure: Figure, refs: dict, unit: dict[str, str]
) -> None:
    ours, native = refs["ours"], refs["native"]
    first, last = rows
    expected = _values(figure.expected)
    _label(sheet, st, first, 0, figure.label, ours)
    if figure.ours:
        num = number_format(figure.fmt, _magnitude(figure.expected), unit.get(figure.fmt, ""))
        sheet.write_dynamic_array_formula(
            first, 1, last, 1, "=" + render(figure.ours, ours), st("result", num=num)
        )
    for i, r in enumerate(range(first, last + 1)):
        num = number_format(figure.fmt, _magnitude(expected[i]), unit.get(figure.fmt, ""))
        # a spilled figure is cross-checked row by row: range inputs are read cell by cell
        row_refs = {k: _row_of(v, i) for k, v in native.items()} if last > first else native
        sheet.write_formula(r, 2, "=" + render(figure.native, row_refs), st("native", num=num))
        if not figure.ours:
            sheet.write_formula(r, 1, f"={cell(r, 2, False)}", st("native", num=num))
        sheet.write(r, ARTICLE, figure.article if i == 0 else "", st("quote_cell", "indent"))
        sheet.write(r, EXPECTED, expected[i], st("plain", num=num))
        b, c, f, g = (cell(r, col, False) for col in (1, 2, EXPECTED, TOL))
        if isinstance(expected[i], str):
            sheet.write_string(r, TOL, "exact", st("right"))
            check, article = f"{b}={c}", f"AND({b}={f},{c}={f})"
        else:
            sheet.write_number(r, TOL, figure.tol, st("plain", num=tolerance_format(figure.fmt)))
            check = f"ABS({b}-{c})<=MAX({g},0.000000001*ABS({c}))"
            article = f"AND(ABS({b}-{f})<={g},ABS({c}-{f})<={g})"
        sheet.write_formula(r, CHECK, f'=IFERROR(IF({check},"{OK}","{MISMATCH}"),"{MISMATCH}")', st("center"))
        sheet.write_formula(
            r,
            MATCH,
            f'=IF(NOT({refs["article_inputs"]}),"{CHANGED}",'
            f'IFERROR(IF({article},"{MATCHES}","{DIFFERS}"),"{DIFFERS}"))',
            st("center"),
        )
    ours[figure.name] = span_ref(rows, 1, False)
    native[figure.name] = span_ref(rows, 2, False)


def example_sheet(book: Any, st: Styles, example: Example) -> None:
    layout = example_layout(example)
    sheet = book.add_worksheet(example.sheet)
    for col, (_, width) in enumerate(COLUMNS):
        sheet.set_column(col, col, width)
    sheet.write(0, 0, example.title, st("title"))
    source = example.source + (
        "  (illustrative inputs: the article gives no numbers)" if example.illustrative else ""
    )
    sheet.write(1, 0, "Source: " + source, st("subtitle"))
    last = len(COLUMNS) - 1
    sheet.merge_range(2, 0, 2, last, "„" + example.quote + "“", st("quote"))
    sheet.set_row(2, 15 * (len(example.quote) // 170 + 1))
    sheet.merge_range(3, 0, 3, last, "In short: " + example.summary, st("wrap"))
    inputs = _write_inputs(sheet, st, layout, example)
    refs: dict[str, Any] = {
        "ours": dict(inputs),
        "native": dict(inputs),
        "article_inputs": inputs["article_inputs"],
    }
    header, end = layout["figure_header"], layout["end"]
    for col, (text, _) in enumerate(COLUMNS):
        align = "right" if col in (1, 2, EXPECTED, TOL) else "center" if col in (CHECK, MATCH) else "plain"
        sheet.write(header, col, text, st("header", align))
    unit = units(example)
    for figure in example.figures:
        _write_figure(sheet, st, layout["figures"][figure.name], figure, refs, unit)
    if example.verdict:
        sheet.merge_range(4, 0, 4, last, "", st("verdict"))
        sheet.write_formula(
            4, 0, "=" + text_formula("Check of the article: " + example.verdict, refs["ours"]), st("verdict")
        )
        sheet.set_row(4, 15 * (len(example.verdict) // 150 + 2))
    status_formats(book, sheet, (header + 1, CHECK, end - 1, CHECK), {OK: GOOD, MISMATCH: BAD})
    status_formats(
        book, sheet, (header + 1, MATCH, end - 1, MATCH), {MATCHES: GOOD, DIFFERS: BAD, CHANGED: NEUTRAL}
    )
    write_note(
        sheet,
        st,
        end + 1,
        last,
        "How to use: change the blue input cells (grey-green ones are taken from other sheets). Column B "
        "uses xlfuncs functions (needs the add-in), column C only native Excel functions; Check compares "
        "the two and stays OK for any valid input. Matches the article compares both with the figure "
        'expected from the article\'s own inputs, and says "inputs changed" once any input differs.',
        3,
    )
    if example.growth:
        _growth_chart(book, sheet, st, example.sheet, example.growth, refs["native"], end + 3)
    sheet.freeze_panes(header + 1, 1)
    page_setup(sheet)


GROWTH_POINTS = 11  # points of a growth chart: the start and ten equal steps


def _growth_chart(
    book: Any, sheet: Any, st: Styles, name: str, growth: Growth, refs: dict[str, str], top: int
) -> None:
    """A line chart of the value compounding at each annual rate (native formulas over the sheet's cells)."""
    start, years, series = growth
    sheet.write(top, 0, "Growth at the annual rate (chart data)", st("header"))
    sheet.write(top, 1, "Year", st("header", "right"))
    for j, (label, _) in enumerate(series):
        sheet.write(top, 2 + j, label, st("header", "right"))
    for i in range(GROWTH_POINTS):
        r = top + 1 + i
        sheet.write_formula(r, 1, f"={refs[years]}*{i}/{GROWTH_POINTS - 1}", st("native", num="0.0"))
        for j, (_, rate) in enumerate(series):
            sheet.write_formula(
                r, 2 + j, f"={refs[start]}*(1+{refs[rate]})^B{r + 1}", st("native", num="#,##0")
            )
    chart = book.add_chart({"type": "scatter", "subtype": "smooth"})
    q, first, last = _quoted(name), top + 2, top + 1 + GROWTH_POINTS
    for j in range(len(series)):
        col = "CDEF"[j]
        chart.add_series(
            {
                "name": f"={q}!${col}${top + 1}",
                "categories": f"={q}!$B${first}:$B${last}",
                "values": f"={q}!${col}${first}:${col}${last}",
            }
        )
    chart.set_title({"name": "Value over the years at the annual rate"})
    chart.set_x_axis({"name": "Years", "min": 0})
    chart.set_y_axis({"num_format": "#,##0", "major_gridlines": GRIDLINES})
    chart.set_legend({"position": "bottom"})
    sheet.insert_chart(top, 4, chart, {"x_scale": 1.0, "y_scale": 0.9})


def build_article_examples(path: Path, note: str = "") -> None:
    """Write article_examples.xlsx (formulas only; :func:`xlfuncs.workbooks.templates.build` computes it)."""
    book, st = new_book(path)
    about = book.add_worksheet("Contents")
    set_widths(about, {0: 22, 1: 66, (2, 6): 13})
    about.write(0, 0, "Worked examples of the two source articles, reproduced with xlfuncs", st("title"))
    about.merge_range(
        1,
        0,
        1,
        6,
        "Each sheet quotes a passage (German), takes its numbers as blue inputs, computes the figures "
        "with xlfuncs functions and again with native Excel formulas, checks the two against each "
        "other for any input, and against the article's figure while the inputs are the article's. "
        "Where the article is wrong the sheet says so in red.",
        st("wrap"),
    )
    about.set_row(1, 45)
    if note:
        about.merge_range(2, 0, 2, 6, note, st("note", "wrap"))
        about.set_row(2, 30)
    heads = ("Sheet", "Example", "Figures", "Checks failed", "Article inputs?", "Match the article", "Differ")
    for col, text in enumerate(heads):
        about.write(3, col, text, st("header", "right" if col >= 2 else "plain"))
    for i, example in enumerate(EXAMPLES):
        r = 4 + i
        q = _quoted(example.sheet)
        d, h = (f"{q}!${c}$1:${c}${_TALLY_ROWS}" for c in "GH")
        about.write_url(r, 0, f"internal:{q}!A1", string=example.sheet)
        about.write(r, 1, example.title)
        about.write_formula(r, 2, f'=COUNTIF({d},"{OK}")+COUNTIF({d},"{MISMATCH}")')
        about.write_formula(r, 3, f'=COUNTIF({d},"{MISMATCH}")')
        about.write_formula(r, 4, f"={q}!{cell(example_layout(example)['article_inputs'], 1)}", st("right"))
        about.write_formula(r, 5, f'=COUNTIF({h},"{MATCHES}")')
        about.write_formula(r, 6, f'=COUNTIF({h},"{DIFFERS}")')
    r = 4 + len(EXAMPLES)
    about.write(r, 1, "Total", st("header"))
    for col in (2, 3, 5, 6):
        letter = "ABCDEFG"[col]
        about.write_formula(r, col, f"=SUM({letter}5:{letter}{r})", st("header"))
    about.write_formula(r, 4, f'=COUNTIF(E5:E{r},FALSE)&" changed"', st("header", "right"))
    about.conditional_format(
        4, 3, r, 3, {"type": "cell", "criteria": ">", "value": 0, "format": book.add_format(BAD)}
    )
    about.conditional_format(
        4, 6, r, 6, {"type": "cell", "criteria": ">", "value": 0, "format": book.add_format(BAD)}
    )
    about.write(r + 2, 0, "Sources", st("header"))
    about.write(r + 3, 0, "Article 1")
    about.write(r + 3, 1, EXAMPLES[0].source)
    about.write(r + 4, 0, "Article 2")
    about.write(r + 4, 1, EXAMPLES[-1].source)
    page_setup(about)
    for example in EXAMPLES:
        example_sheet(book, st, example)
    book.close()

"""The template workbooks: built by code, computed headlessly, committed.

* ``article_examples.xlsx``: one sheet per worked example of both articles
  (:mod:`xlfuncs.workbooks.examples`): the German passage, inputs, our functions, a
  native-Excel cross-check, the article's figure and a check cell.
* ``valuation_bridge.xlsx``: one company from price to FD EV under every
  method, the spilled FDBRIDGE and multiples.
* ``universe_screen.xlsx``: 2,000 synthetic companies; each result column is one
  spilled formula; a summary by size class in native formulas.

Files are written with XlsxWriter, because results that spill must be stored as
dynamic-array formulas (``<f t="array" ref=...>`` plus the dynamic-array
metadata), which openpyxl cannot write; our function names are stored plain
(``MARKETCAP(...)``), as Excel stores add-in functions.  Each formula's value
is then computed with ``formulas`` and stored in the file
(:mod:`xlfuncs.workbooks.calc`), so the numbers show without the add-in.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import tempfile
from pathlib import Path

from . import files
from .examples import EXAMPLES, Example, Figure, Input

CREATED = dt.datetime(2026, 1, 1)  # fixed document properties: a rebuild gives the same file
METHODS = ("gross", "tsm", "all")
UNIVERSE_ROWS = 2000
SIZE_CLASSES = ("Mega", "Large", "Mid", "Small", "Micro", "Nano")


def number_format(fmt: str, magnitude: float = 0.0) -> str:
    """Readable formats: millions and billions scaled with trailing commas."""
    if fmt == "usd":
        if magnitude >= 1e9:
            return '$#,##0.00,,,"bn";-$#,##0.00,,,"bn"'
        if magnitude >= 1e6:
            return '$#,##0.0,,"m";-$#,##0.0,,"m"'
        return "$#,##0.00;-$#,##0.00"
    if fmt == "count":
        return '#,##0.0,,"m"' if magnitude >= 1e6 else "#,##0"
    return {"pct": "0.00%", "x": '0.00"x"', "date": "yyyy-mm-dd", "number": "#,##0.00##", "text": "@"}[fmt]


class _Styles:
    """XlsxWriter formats, created once per workbook."""

    def __init__(self, book):
        self.book, self.cache = book, {}

    def __call__(self, *kinds: str, num: str | None = None):
        key = (kinds, num)
        if key not in self.cache:
            props = {}
            for kind in kinds:
                props.update(_STYLE[kind])
            if num:
                props["num_format"] = num
            self.cache[key] = self.book.add_format(props)
        return self.cache[key]


_STYLE = {
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"italic": True, "font_color": "#595959"},
    "quote": {"italic": True, "text_wrap": True, "valign": "top", "font_color": "#404040"},
    "wrap": {"text_wrap": True, "valign": "top"},
    "verdict": {"bold": True, "text_wrap": True, "valign": "top", "font_color": "#C00000"},
    "header": {"bold": True, "bg_color": "#D9E1F2", "bottom": 1, "text_wrap": True, "valign": "top"},
    "input": {"font_color": "#0000FF", "bg_color": "#FFF2CC", "border": 1, "border_color": "#BFBFBF"},
    "result": {"bg_color": "#E2EFDA"},
    "native": {"bg_color": "#F2F2F2"},
    "plain": {},
    "indent": {"indent": 1},
    "center": {"align": "center"},
    "right": {"align": "right"},
}


def _new_book(path: Path):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": CREATED, "author": "xlfuncs", "company": "xlfuncs"})
    book.set_calc_mode("auto")
    return book, _Styles(book)


def _page_setup(sheet, header_rows: int = 0):
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    if header_rows:
        sheet.repeat_rows(0, header_rows - 1)


def _cell(row: int, col: int, absolute: bool = True) -> str:
    from xlsxwriter.utility import xl_rowcol_to_cell

    return xl_rowcol_to_cell(row, col, row_abs=absolute, col_abs=absolute)


def _render(template: str, refs: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: refs[m.group(1)], template)


# --- article_examples.xlsx -------------------------------------------------------------

_EX_COLUMNS = (
    ("Figure", 44),
    ("Our functions", 20),
    ("Native cross-check", 20),
    ("The article says", 34),
    ("Expected", 20),
    ("Tolerance", 10),
    ("Check", 11),
)


def _magnitude(value) -> float:
    values = value if isinstance(value, tuple) else (value,)
    numbers = [abs(v) for v in values if isinstance(v, (int, float))]
    return max(numbers, default=0.0)


def _span(value) -> int:
    return len(value) if isinstance(value, tuple) else 1


def example_layout(example: Example) -> dict:
    """0-based rows of one example sheet: headers, and (first, last) row of every input and figure."""
    row = 5 if example.verdict else 4
    layout = {"input_header": row + 1, "inputs": {}, "figures": {}}
    row += 2
    for item in example.inputs:
        layout["inputs"][item.name] = (row, row + _span(item.value) - 1)
        row += _span(item.value)
    layout["figure_header"] = row + 1
    row += 2
    for figure in example.figures:
        layout["figures"][figure.name] = (row, row + _span(figure.expected) - 1)
        row += _span(figure.expected)
    layout["end"] = row
    return layout


def _ref(rows: tuple[int, int], col: int, absolute: bool = True) -> str:
    first, last = rows
    return _cell(first, col, absolute) + ("" if first == last else ":" + _cell(last, col, absolute))


def _write_inputs(sheet, st, layout: dict, inputs: tuple[Input, ...]) -> dict:
    sheet.write_row(layout["input_header"], 0, ("Input", "Value"), st("header"))
    refs = {}
    for item in inputs:
        first, _ = rows = layout["inputs"][item.name]
        values = item.value if isinstance(item.value, tuple) else (item.value,)
        labels = item.rows or ("",) * len(values)
        fmt = st("input", num=number_format(item.fmt, _magnitude(item.value)))
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            sheet.write(first + i, 0, f"{item.label}: {label}" if label else item.label)
            if isinstance(value, dt.date):
                sheet.write_datetime(first + i, 1, dt.datetime.combine(value, dt.time()), fmt)
            else:
                sheet.write(first + i, 1, value, fmt)
        refs[item.name] = _ref(rows, 1)
    return refs


def _write_figure(sheet, st, rows: tuple[int, int], figure: Figure, ours: dict, native: dict) -> None:
    first, last = rows
    expected = figure.expected if isinstance(figure.expected, tuple) else (figure.expected,)
    num = number_format(figure.fmt, _magnitude(figure.expected))
    sheet.write(first, 0, figure.label)
    if figure.ours:
        sheet.write_dynamic_array_formula(
            first, 1, last, 1, "=" + _render(figure.ours, ours), st("result", num=num)
        )
    for i, r in enumerate(range(first, last + 1)):
        # a spilled figure is cross-checked row by row: range inputs are read cell by cell
        row_refs = {k: _row_of(v, i) for k, v in native.items()} if last > first else native
        sheet.write_formula(r, 2, "=" + _render(figure.native, row_refs), st("native", num=num))
        if not figure.ours:
            sheet.write_formula(r, 1, f"={_cell(r, 2, False)}", st("native", num=num))
        sheet.write(r, 3, figure.article if i == 0 else "", st("wrap", "indent"))
        sheet.write(r, 4, expected[i], st("plain", num=num))
        b, c, e, f = (_cell(r, col, False) for col in (1, 2, 4, 5))
        if isinstance(expected[i], str):
            sheet.write_number(r, 5, 0, st("plain", num="0"))
            test = f"AND({b}={e},{c}={e})"
        else:
            sheet.write_number(r, 5, figure.tol, st("plain", num="0.0######"))
            test = f"AND(ABS({b}-{e})<={f},ABS({c}-{e})<={f})"
        sheet.write_formula(r, 6, f'=IFERROR(IF({test},"OK","MISMATCH"),"MISMATCH")')
    ours[figure.name] = _ref(rows, 1, False)
    native[figure.name] = _ref(rows, 2, False)


def _row_of(ref: str, i: int) -> str:
    """The i-th cell of a one-column range reference (a single cell stays itself)."""
    if ":" not in ref:
        return ref
    col, first = re.match(r"\$?([A-Z]+)\$?(\d+)", ref).groups()
    return f"${col}${int(first) + i}"


def _example_sheet(book, st, example: Example) -> None:
    layout = example_layout(example)
    sheet = book.add_worksheet(example.sheet)
    for col, (_, width) in enumerate(_EX_COLUMNS):
        sheet.set_column(col, col, width)
    sheet.write(0, 0, example.title, st("title"))
    source = example.source + (
        "  (illustrative inputs: the article gives no numbers)" if example.illustrative else ""
    )
    sheet.write(1, 0, "Source: " + source, st("subtitle"))
    sheet.merge_range(2, 0, 2, 6, "„" + example.quote + "“", st("quote"))
    sheet.set_row(2, 15 * (len(example.quote) // 150 + 1))
    sheet.merge_range(3, 0, 3, 6, "In short: " + example.summary, st("wrap"))
    if example.verdict:
        sheet.merge_range(4, 0, 4, 6, "Check of the article: " + example.verdict, st("verdict"))
        sheet.set_row(4, 15 * (len(example.verdict) // 140 + 1))
    refs = _write_inputs(sheet, st, layout, example.inputs)
    header, end = layout["figure_header"], layout["end"]
    sheet.write_row(header, 0, [c for c, _ in _EX_COLUMNS], st("header"))
    ours, native = dict(refs), dict(refs)
    for figure in example.figures:
        _write_figure(sheet, st, layout["figures"][figure.name], figure, ours, native)
    for text, colours in (("OK", ("#006100", "#C6EFCE")), ("MISMATCH", ("#9C0006", "#FFC7CE"))):
        sheet.conditional_format(
            header + 1,
            6,
            end - 1,
            6,
            {
                "type": "cell",
                "criteria": "==",
                "value": f'"{text}"',
                "format": book.add_format({"font_color": colours[0], "bg_color": colours[1]}),
            },
        )
    sheet.merge_range(
        end + 1,
        0,
        end + 1,
        6,
        "How to use: change the blue input cells. Column B uses xlfuncs functions (needs the add-in), "
        "column C only native Excel functions; Check compares both with the expected figure, which is "
        "the article's own where it states one.",
        st("subtitle", "wrap"),
    )
    sheet.set_row(end + 1, 30)
    sheet.freeze_panes(header + 1, 1)
    _page_setup(sheet)


def build_article_examples(path: Path) -> None:
    book, st = _new_book(path)
    about = book.add_worksheet("Contents")
    about.set_column(0, 0, 22)
    about.set_column(1, 1, 70)
    about.set_column(2, 3, 12)
    about.write(0, 0, "Worked examples of the two source articles, reproduced with xlfuncs", st("title"))
    about.merge_range(
        1,
        0,
        1,
        3,
        "Each sheet quotes a passage (German), takes its numbers as blue inputs, computes "
        "the figures with xlfuncs functions and again with native Excel formulas, and checks both "
        "against the article's figure. Where the article is wrong the sheet says so in red.",
        st("wrap"),
    )
    about.set_row(1, 45)
    about.write_row(3, 0, ("Sheet", "Example", "Figures", "Mismatches"), st("header"))
    for i, example in enumerate(EXAMPLES):
        r = 4 + i
        about.write_url(r, 0, f"internal:'{example.sheet}'!A1", string=example.sheet)
        about.write(r, 1, example.title)
        about.write_formula(
            r,
            2,
            f"=COUNTIF('{example.sheet}'!$G$1:$G$200,\"OK\")+"
            f"COUNTIF('{example.sheet}'!$G$1:$G$200,\"MISMATCH\")",
        )
        about.write_formula(r, 3, f"=COUNTIF('{example.sheet}'!$G$1:$G$200,\"MISMATCH\")")
    r = 4 + len(EXAMPLES)
    about.write(r, 1, "Total", st("header"))
    about.write_formula(r, 2, f"=SUM(C5:C{r})", st("header"))
    about.write_formula(r, 3, f"=SUM(D5:D{r})", st("header"))
    about.write(r + 2, 0, "Sources", st("header"))
    about.write(r + 3, 0, "Article 1")
    about.write(r + 3, 1, EXAMPLES[0].source)
    about.write(r + 4, 0, "Article 2")
    about.write(r + 4, 1, EXAMPLES[-1].source)
    _page_setup(about)
    for example in EXAMPLES:
        _example_sheet(book, st, example)
    book.close()


# --- valuation_bridge.xlsx -------------------------------------------------------------

_COMPANY = (
    ("price", "Share price ($)", 50, "usd"),
    ("shares", "Basic shares outstanding", 200_000_000, "count"),
    ("debt", "Debt ($)", 1_500_000_000, "usd"),
    ("cash", "Cash and equivalents ($)", 800_000_000, "usd"),
    ("preferred", "Preferred equity ($)", 100_000_000, "usd"),
    ("minority", "Minority interest ($)", 50_000_000, "usd"),
    ("investments", "Non-operating investments ($)", 200_000_000, "usd"),
)
_TRANCHES = (
    ("Options (2019 grant)", 6_000_000, 30),
    ("Options (2022 grant)", 4_000_000, 55),
    ("Warrants", 3_000_000, 45),
    ("RSUs", 2_500_000, None),
    ("", None, None),
    ("", None, None),
)
_EARNINGS = (
    ("revenue", "Revenue ($)", 4_000_000_000),
    ("ebitda", "EBITDA ($)", 900_000_000),
    ("ebit", "EBIT ($)", 600_000_000),
    ("net_income", "Net income ($)", 400_000_000),
    ("book", "Book value of equity ($)", 3_000_000_000),
)


def build_valuation_bridge(path: Path) -> None:
    book, st = _new_book(path)
    sheet = book.add_worksheet("Valuation bridge")
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 2, 16)
    sheet.set_column(3, 5, 2)
    sheet.set_column(6, 6, 34)
    sheet.set_column(7, 10, 19)
    sheet.write(0, 0, "Valuation bridge: one company from price to fully diluted EV", st("title"))
    sheet.write(
        1,
        0,
        "Example Corp: illustrative figures. Replace the blue cells with your company's.",
        st("subtitle"),
    )
    refs, row = {}, 3
    sheet.write_row(row, 0, ("Company", "Value"), st("header"))
    for name, label, value, fmt in _COMPANY:
        row += 1
        sheet.write(row, 0, label)
        sheet.write(row, 1, value, st("input", num=number_format(fmt, value)))
        refs[name] = _cell(row, 1)
    row += 2
    sheet.write_row(row, 0, ("Dilutive instruments", "Count", "Strike ($)"), st("header"))
    first = row + 1
    for label, count, strike in _TRANCHES:
        row += 1
        sheet.write(row, 0, label, st("input"))
        sheet.write(row, 1, count, st("input", num="#,##0"))
        sheet.write(row, 2, strike, st("input", num="$#,##0.00"))
    refs["counts"] = f"{_cell(first, 1)}:{_cell(row, 1)}"
    refs["strikes"] = f"{_cell(first, 2)}:{_cell(row, 2)}"
    sheet.write(
        row + 1, 0, "Blank or 0 strike: no exercise price (RSUs). Empty rows are ignored.", st("subtitle")
    )
    row += 3
    sheet.write_row(row, 0, ("Earnings metrics", "Value"), st("header"))
    for name, label, value in _EARNINGS:
        row += 1
        sheet.write(row, 0, label)
        sheet.write(row, 1, value, st("input", num=number_format("usd", value)))
        refs[name] = _cell(row, 1)

    # Results, right-hand side: one column per method.
    out = 3
    sheet.write(out, 6, "Method", st("header"))
    for i, method in enumerate(METHODS):
        sheet.write(out, 7 + i, method, st("header", "input"))
    refs["methods"] = f"{_cell(out, 7)}:{_cell(out, 9)}"
    r = refs
    bridge_args = (
        f"{r['price']},{r['shares']},{r['debt']},{r['cash']},{r['counts']},{r['strikes']},"
        f"{r['methods']},{r['preferred']},{r['minority']},{r['investments']}"
    )
    usd_bn = number_format("usd", 1e9)
    mcap, fd_mcap, fd_ev = f"H{out + 2}", f"H{out + 5}:J{out + 5}", f"H{out + 6}:J{out + 6}"
    lines = (
        ("Market cap", f"MARKETCAP({r['price']},{r['shares']})", 1, usd_bn),
        (
            "Enterprise value",
            f"EV({mcap},{r['debt']},{r['cash']},{r['preferred']},{r['minority']},{r['investments']})",
            1,
            usd_bn,
        ),
        (
            "Fully diluted shares",
            f"FDSHARES({r['price']},{r['shares']},{r['counts']},{r['strikes']},{r['methods']})",
            3,
            number_format("count", 1e6),
        ),
        (
            "FD market cap",
            f"FDMCAP({r['price']},{r['shares']},{r['counts']},{r['strikes']},{r['methods']})",
            3,
            usd_bn,
        ),
        ("FD EV", f"FDEV({bridge_args})", 3, usd_bn),
        ("Size class (market cap)", f"MCAPCLASS({mcap})", 1, "@"),
        ("EV / revenue", f"MULTIPLE({fd_ev},{r['revenue']})", 3, '0.00"x"'),
        ("EV / EBITDA", f"MULTIPLE({fd_ev},{r['ebitda']})", 3, '0.00"x"'),
        ("EV / EBIT", f"MULTIPLE({fd_ev},{r['ebit']})", 3, '0.00"x"'),
        ("P / E", f"MULTIPLE({fd_mcap},{r['net_income']})", 3, '0.00"x"'),
        ("P / B", f"MULTIPLE({fd_mcap},{r['book']})", 3, '0.00"x"'),
    )
    row = out
    for label, formula, width, num in lines:
        row += 1
        sheet.write(
            row, 6, label + (" (FD, per method)" if width == 3 and label.startswith(("EV /", "P /")) else "")
        )
        sheet.write_dynamic_array_formula(row, 7, row, 7 + width - 1, "=" + formula, st("result", num=num))
    row += 2
    sheet.write(row, 6, "FDBRIDGE: every step, per method", st("header"))
    for i in range(len(METHODS)):
        sheet.write_formula(row, 7 + i, f"={_cell(out, 7 + i, False)}", st("header"))
    from ..functions.diluted import fdbridge

    labels = list(fdbridge(1, 1, 0, 0))
    sheet.write_dynamic_array_formula(
        row + 1,
        6,
        row + len(labels),
        6 + len(METHODS),
        f"=FDBRIDGE({bridge_args})",
        st("result", num="#,##0.00;-#,##0.00"),
    )
    note = row + len(labels) + 2
    sheet.merge_range(
        note,
        6,
        note,
        10,
        "How to use: enter the company's figures in the blue cells; every result is one xlfuncs "
        "formula and spills across the methods in row 4 (change them to compare others). "
        "Multiples on a metric ≤ 0 show NM.",
        st("subtitle", "wrap"),
    )
    sheet.set_row(note, 45)
    sheet.freeze_panes(3, 0)
    _page_setup(sheet)
    book.close()


# --- universe_screen.xlsx --------------------------------------------------------------

_UNIVERSE_HEADER = (
    "Ticker",
    "Price ($)",
    "Shares",
    "Debt ($)",
    "Cash ($)",
    "EBITDA ($)",
    "Market cap ($)",
    "EV ($)",
    "Size class",
    "EV / EBITDA",
)


def universe_rows(n: int = UNIVERSE_ROWS, seed: int = 2026) -> list[tuple]:
    """Deterministic synthetic companies (Python's random is stable across versions)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        mcap = 10 ** min(max(rng.gauss(9.2, 0.85), 7.0), 12.6)  # median $1.6bn, a few mega caps
        price = round(min(max(rng.lognormvariate(3.4, 1.0), 0.5), 3_000), 2)
        shares = max(round(mcap / price, -3), 1_000)
        debt = round(mcap * rng.choice((0, 0, rng.uniform(0, 0.9))), -3)
        cash = round(mcap * rng.uniform(0.01, 0.5), -3)
        ebitda = round(
            (price * shares + debt - cash) / rng.uniform(4, 30) * (-1 if rng.random() < 0.08 else 1), -3
        )
        rows.append((f"SYN{i + 1:04d}", price, shares, debt, cash, ebitda))
    return rows


_NATIVE_TWIN = {  # per-row native formulas computing what the spilled xlfuncs formulas compute
    6: "B{r}*C{r}",
    7: "G{r}+D{r}-E{r}",
    8: 'IF(G{r}>=200000000000,"Mega",IF(G{r}>=10000000000,"Large",IF(G{r}>=2000000000,"Mid",'
    'IF(G{r}>=300000000,"Small",IF(G{r}>=50000000,"Micro","Nano")))))',
    9: 'IF(F{r}>0,H{r}/F{r},"NM")',
}


def build_universe_screen(path: Path, n: int = UNIVERSE_ROWS, native_twin: bool = False) -> None:
    """The universe template; ``native_twin`` writes per-row native formulas instead of
    our spilled functions (the same results, for benchmarking other engines).
    """
    book, st = _new_book(path)
    sheet = book.add_worksheet("Universe")
    widths = (10, 11, 16, 16, 16, 16, 18, 18, 11, 12)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.write_row(0, 0, _UNIVERSE_HEADER, st("header"))
    amount = st("input", num='$#,##0.0,,"m"')
    for i, (ticker, price, shares, debt, cash, ebitda) in enumerate(universe_rows(n)):
        r = i + 1
        sheet.write_string(r, 0, ticker, st("input"))
        sheet.write_number(r, 1, price, st("input", num="$#,##0.00"))
        sheet.write_number(r, 2, shares, st("input", num="#,##0"))
        for col, value in ((3, debt), (4, cash), (5, ebitda)):
            sheet.write_number(r, col, value, amount)
    last = n

    def col_range(c):
        return f"{c}2:{c}{last + 1}"

    formulas = (
        (6, f"MARKETCAP({col_range('B')},{col_range('C')})", '$#,##0.0,,"m"'),
        (7, f"EV({col_range('G')},{col_range('D')},{col_range('E')})", '$#,##0.0,,"m";-$#,##0.0,,"m"'),
        (8, f"MCAPCLASS({col_range('G')})", "@"),
        (9, f"MULTIPLE({col_range('H')},{col_range('F')})", '0.0"x";-0.0"x"'),
    )
    align = {8: "center", 9: "right"}
    for col, formula, num in formulas:
        if native_twin:
            for r in range(2, last + 2):
                sheet.write_formula(
                    r - 1,
                    col,
                    "=" + _NATIVE_TWIN[col].format(r=r),
                    st("result", align.get(col, "plain"), num=num),
                )
        else:
            sheet.write_dynamic_array_formula(
                1, col, last, col, "=" + formula, st("result", align.get(col, "plain"), num=num)
            )
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, last, len(_UNIVERSE_HEADER) - 1)
    _page_setup(sheet, header_rows=1)

    summary = book.add_worksheet("Summary")
    summary.set_column(0, 0, 14)
    summary.set_column(1, 5, 18)
    summary.write(0, 0, "Universe screen: summary by size class", st("title"))
    summary.merge_range(
        1,
        0,
        1,
        5,
        f"Synthetic sample data: {n:,} made-up companies (deterministic, seed 2026), "
        "not real securities. Each result column on the Universe sheet is one spilled xlfuncs "
        "formula; this summary uses native formulas only.",
        st("subtitle", "wrap"),
    )
    summary.set_row(1, 30)
    summary.write_row(
        3,
        0,
        ("Size class", "Companies", "Market cap ($)", "Share of total", "Avg EV/EBITDA", "EV/EBITDA NM"),
        st("header"),
    )
    cls, cap, mult = (f"Universe!${c}$2:${c}${last + 1}" for c in "IGJ")
    for i, name in enumerate(SIZE_CLASSES):
        r = 4 + i
        total = 4 + len(SIZE_CLASSES)
        summary.write(r, 0, name)
        summary.write_formula(r, 1, f"=COUNTIF({cls},A{r + 1})", st("plain", num="#,##0"))
        summary.write_formula(
            r, 2, f"=SUMIF({cls},A{r + 1},{cap})", st("plain", num=number_format("usd", 1e9))
        )
        summary.write_formula(r, 3, f"=IFERROR(C{r + 1}/C${total + 1},0)", st("plain", num="0.0%"))
        summary.write_formula(
            r, 4, f'=IFERROR(AVERAGEIF({cls},A{r + 1},{mult}),"n/a")', st("plain", num='0.0"x"')
        )
        summary.write_formula(r, 5, f'=COUNTIFS({cls},A{r + 1},{mult},"NM")', st("plain", num="#,##0"))
    total = 4 + len(SIZE_CLASSES)
    summary.write(total, 0, "Total", st("header"))
    for col, num in ((1, "#,##0"), (2, number_format("usd", 1e9)), (3, "0.0%"), (5, "#,##0")):
        letter = "ABCDEF"[col]
        summary.write_formula(total, col, f"=SUM({letter}5:{letter}{total})", st("header", num=num))
    summary.merge_range(
        total + 2,
        0,
        total + 2,
        5,
        "How to use: paste your universe into the blue columns of "
        "the Universe sheet (keep the layout; extend the ranges in row 2 if you have more rows).",
        st("subtitle", "wrap"),
    )
    summary.set_row(total + 2, 30)
    _page_setup(summary)
    book.close()


TEMPLATES = {
    "article_examples.xlsx": build_article_examples,
    "valuation_bridge.xlsx": build_valuation_bridge,
    "universe_screen.xlsx": build_universe_screen,
}


def build(name: str, path: Path) -> None:
    """Write one template to ``path`` and store every formula's computed value in it."""
    from .calc import calc

    TEMPLATES[name](path)
    calc(path, path)


def cells(path: Path) -> dict:
    """Every cell's formula (or constant) and cached value, for comparing workbooks."""
    import openpyxl

    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for ws in formulas.worksheets:
        vs = values[ws.title]
        for row in ws.iter_rows():
            for c in row:
                f = c.value.text if hasattr(c.value, "text") else c.value
                v = vs[c.coordinate].value
                if f is not None or v is not None:
                    out[(ws.title, c.coordinate)] = (f, round(v, 9) if isinstance(v, float) else v)
    return out


def write_all(directory: Path, force: bool = False, out=print) -> int:
    """Build every template into ``directory``; never overwrite an edited workbook unless ``force``."""
    files.check_folder(directory)  # issue 11: a file, a dangling link, not writable: one line (files.py)
    directory.mkdir(parents=True, exist_ok=True)
    refused = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in TEMPLATES:
            fresh, target = Path(tmp) / name, directory / name
            build(name, fresh)
            if not target.exists():
                status = "written"
            elif _same_workbook(target, fresh):
                status = "unchanged"
            elif force:
                status = "overwritten (--force)"
            else:
                out(f"{target}: differs from the template (edited?); kept. Use --force to overwrite.")
                refused += 1
                continue
            if status != "unchanged":
                files.copy_into(fresh, target, directory)  # issue 11: never through a link (files.py)
            out(f"{target}: {status}")
    return refused


def _same_workbook(target: Path, fresh: Path) -> bool:
    """Whether ``target`` holds what ``fresh`` does (issue 11: a folder or a file that is no
    readable workbook does not; it raised before).
    """
    try:
        return cells(target) == cells(fresh)
    except Exception:  # whatever openpyxl or zipfile raise for a file that is not an .xlsx
        return False

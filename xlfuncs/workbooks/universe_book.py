"""``universe_screen.xlsx``: synthetic companies, spilled results that grow with the data, a screen.

* **Universe**: the blue input columns (ticker, price, shares, debt, cash,
  EBITDA) from row 5 down: ``n`` companies written (up to :data:`MAX_ROWS`), and
  room for :func:`span` rows (at least :data:`PASTE_ROWS`) pasted.  Each result column
  is one spilled formula over defined names such as ``Price`` =
  ``FILTER(Universe!$B$5:$B$10004, Universe!$A$5:$A$10004<>"")``: the rows that
  hold a ticker, so the results grow and shrink with the pasted data, with no
  ``#N/A`` padding (Excel 2021/365).  Where FILTER is unknown (Excel 2019) a name
  falls back to the rows written, a fixed range.  Whole-column spills rather than an Excel
  table: a table cannot hold a spilled formula, and per-row table formulas call
  our functions once per row instead of once per column.
* **Screen**: criteria (minimum market cap, size classes, maximum EV/EBITDA);
  every passing company, largest first, as one ``SORT(FILTER(...))`` over the
  bounded columns (Excel 2021/365), and a fixed-range fallback for Excel 2019:
  the market cap of each passing company (Universe column K, one array formula)
  and the largest passing companies with ``LARGE``/``INDEX``/``MATCH``.
* **Summary**: count, market cap, median and mean by size class, in native
  formulas over the bounded columns (blank rows are ignored), and charts.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from .rows_xml import Numbers, Spill, Strings, add_rows, cache_points_fast
from .style import GRIDLINES, Styles, Translated, new_book, number_format, page_setup, tr

UNIVERSE_ROWS = 2000
#: The most companies a book is built with (``xlfuncs workbooks --rows``).  Writing rows is cheap;
#: computing the values stored in the file with ``formulas`` costs time and memory in proportion to
#: them (docs/templates.md gives the measurements).
MAX_ROWS = 100_000
#: The fewest rows the names and summaries cover, so that a small book still takes a pasted universe.
PASTE_ROWS = 10_000
SIZE_CLASSES = ("Mega", "Large", "Mid", "Small", "Micro", "Nano")
FIRST = 5  # Excel row of the first company
TOP = 20  # rows of the screen's list

HEADER = (
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
#: Defined names over the input columns and the spilled result columns.
NAMES = {
    "Ticker": "A",
    "Price": "B",
    "Shares": "C",
    "Debt": "D",
    "Cash": "E",
    "EBITDA": "F",
    "MktCap": "G",
    "EntValue": "H",
}
_USD_M = '$#,##0.0,,"m";-$#,##0.0,,"m"'
_MULT = '#,##0.0"x";-#,##0.0"x"'
#: The number formats of the input columns A..F (None: the input style's own).
_INPUT_FORMATS = (None, "$#,##0.00", "#,##0", _USD_M, _USD_M, _USD_M)


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
        rows.append((f"SYN{i + 1:05d}", price, shares, debt, cash, ebitda))
    return rows


_NATIVE_TWIN = {  # per-row native formulas computing what the spilled xlfuncs formulas compute
    6: "B{r}*C{r}",
    7: "G{r}+D{r}-E{r}",
    8: 'IF(G{r}>=200000000000,"Mega",IF(G{r}>=10000000000,"Large",IF(G{r}>=2000000000,"Mid",'
    'IF(G{r}>=300000000,"Small",IF(G{r}>=50000000,"Micro","Nano")))))',
    9: 'IF(F{r}>0,H{r}/F{r},"NM")',
}


#: The screen's criteria as written: minimum market cap, maximum EV/EBITDA, size classes included.
SCREEN_DEFAULTS = (1_000_000_000, 15, ("Large", "Mid", "Small"))


def passing(rows: list[tuple], min_cap: float, max_multiple: float, classes: tuple[str, ...]) -> list[str]:
    """Tickers that pass the screen (sizes its spilled list in the file), with our functions' kernels
    called once over the whole universe (EV/EBITDA NM, EBITDA <= 0, never passes).
    """
    import numpy as np

    from ..functions import REGISTRY

    if not rows:
        return []
    tickers = [row[0] for row in rows]
    price, shares, debt, cash, ebitda = np.array([row[1:] for row in rows], dtype=float).T
    mcap = price * shares
    size = REGISTRY["MCAPCLASS"].function(mcap)
    ratio = np.where(ebitda > 0, REGISTRY["MULTIPLE"].function(mcap + debt - cash, ebitda), np.nan)
    keep = (mcap >= min_cap) & np.isin(size, classes) & (ratio <= max_multiple)  # NaN compares False
    return [tickers[i] for i in np.flatnonzero(keep)]


def check_rows(n: int) -> None:
    """Refuse a number of companies outside 1..:data:`MAX_ROWS` (one line)."""
    if not 1 <= n <= MAX_ROWS:
        raise ValueError(f"rows must be between 1 and {MAX_ROWS:,}; got {n:,}")


def span(n: int) -> int:
    """Rows the names and summaries of a book of ``n`` companies cover: ``n``, at least :data:`PASTE_ROWS`."""
    return max(n, PASTE_ROWS)


def column(letter: str, n: int, sheet: str = "Universe") -> str:
    """The bounded column of every company row of a book of ``n``: ``Universe!$G$5:$G$10004``."""
    return f"{sheet}!${letter}${FIRST}:${letter}${FIRST + span(n) - 1}"


def _universe(book: Any, st: Styles, rows: list[tuple], native_twin: bool, note: str) -> None:
    n = len(rows)
    sheet = book.add_worksheet("Universe")
    for col, width in enumerate((10, 11, 16, 16, 16, 16, 18, 18, 11, 12, 16)):
        sheet.set_column(col, col, width)
    sheet.write(
        0, 0, Translated(tr("Universe screen: {n} synthetic companies").format(n=f"{n:,}")), st("title")
    )
    sheet.merge_range(
        1,
        0,
        1,
        10,
        Translated(
            tr(
                "Synthetic sample data: made-up companies (deterministic, seed 2026), not real securities. "
                "Paste your own into the blue columns from row {first} down (up to {rows} rows, no blank "
                "tickers): the result columns, the screen and the summary follow."
            ).format(first=FIRST, rows=f"{span(n):,}")
        ),
        st("subtitle", "wrap"),
    )
    sheet.set_row(1, 30)
    if note:
        sheet.write(2, 0, note, st("note"))
    for col, text in enumerate(HEADER):
        align = "plain" if col == 0 else "center" if col == 8 else "right"
        sheet.write(FIRST - 2, col, text, st("header", align))
    for name, letter in NAMES.items():  # Excel 2019 has no FILTER: there the names are the rows written
        rows_with_ticker = f'_xlfn._xlws.FILTER({column(letter, n)},{column("A", n)}<>"")'
        written = f"Universe!${letter}${FIRST}:${letter}${FIRST + n - 1}"
        book.define_name(name, f"=IF(ISERROR(ROWS({rows_with_ticker})),{written},{rows_with_ticker})")
    results = (
        (6, "MARKETCAP(Price,Shares)", _USD_M, "plain"),
        (7, "EV(MktCap,Debt,Cash)", _USD_M, "plain"),
        (8, "MCAPCLASS(MktCap)", "@", "center"),
        (9, "MULTIPLE(EntValue,EBITDA)", _MULT, "right"),
    )
    last = FIRST - 2 + n
    fixed = {c: f"${c}${FIRST}:${c}${last + 1}" for c in "GIJ"}
    passes = (
        f"({fixed['G']}>=Screen!$B$4)*ISNUMBER(MATCH({fixed['I']},Screen!$C$8:$C$13,0))*"
        f"ISNUMBER({fixed['J']})*(IF(ISNUMBER({fixed['J']}),{fixed['J']},0)<=Screen!$B$5)"
    )
    screen_cap = f'IF({passes},{fixed["G"]},"")'
    inputs = [st("input", num=num) for num in _INPUT_FORMATS]
    if native_twin:
        for col, (values, fmt) in enumerate(zip(zip(*rows, strict=True), inputs, strict=True)):
            sheet.write_column(FIRST - 1, col, values, fmt)
        for col, _, num, align in results:
            for r in range(FIRST, FIRST + n):
                sheet.write_formula(
                    r - 1, col, "=" + _NATIVE_TWIN[col].format(r=r), st("result", align, num=num)
                )
        sheet.write_array_formula(
            FIRST - 1, 10, last, 10, "{=" + screen_cap + "}", st("native", "right", num=_USD_M)
        )
    else:  # 11 cells a company: written as XML when the book is closed (rows_xml), the same bytes
        columns = zip(*rows, strict=True)
        add_rows(
            sheet,
            FIRST - 1,
            0,
            n,
            [
                Strings(next(columns), inputs[0]),
                *(Numbers(values, fmt) for values, fmt in zip(columns, inputs[1:], strict=True)),
                *(Spill(formula, st("result", align, num=num)) for _, formula, num, align in results),
                Spill(screen_cap, st("native", "right", num=_USD_M), dynamic=False),
            ],
        )
    sheet.write(FIRST - 2, 10, "Passes screen: market cap", st("header", "right"))
    sheet.freeze_panes(FIRST - 1, 1)
    sheet.autofilter(FIRST - 2, 0, last, len(HEADER) - 1)
    page_setup(sheet, header_rows=FIRST - 1)


def _screen(book: Any, st: Styles, rows: list[tuple]) -> None:
    n = len(rows)
    sheet = book.add_worksheet("Screen")
    for col, width in enumerate(
        (26, 14, 2, 6, 11, 16, 16, 11, 12, 2, 2, 10, 11, 16, 16, 16, 16, 16, 16, 11, 12)
    ):
        sheet.set_column(col, col, width)
    sheet.write(0, 0, "Screen: companies that pass every criterion, largest first", st("title"))
    sheet.write_row(2, 0, ("Criterion", "Value"), st("header"))
    sheet.write(3, 0, "Minimum market cap ($)")
    sheet.write(3, 1, SCREEN_DEFAULTS[0], st("input", num=_USD_M))
    sheet.write(4, 0, "Maximum EV / EBITDA")
    sheet.write(4, 1, SCREEN_DEFAULTS[1], st("input", num=_MULT))
    sheet.write_row(6, 0, ("Size class", "Include?"), st("header"))
    for i, name in enumerate(SIZE_CLASSES):
        sheet.write(7 + i, 0, name)
        sheet.write(7 + i, 1, "Yes" if name in SCREEN_DEFAULTS[2] else "No", st("input", "center"))
        sheet.data_validation(7 + i, 1, 7 + i, 1, {"validate": "list", "source": ["Yes", "No"]})
    for i in range(len(SIZE_CLASSES)):  # the included classes, for MATCH
        sheet.write_formula(7 + i, 2, f'=IF(B{8 + i}="Yes",A{8 + i},"-")', st("native"))
    for helper in (2, 9):  # helper columns: classes included, row of the k-th largest
        sheet.set_column(helper, helper, 2, None, {"hidden": True})
    sheet.write(14, 0, "Passing companies", st("header"))
    sheet.write_formula(14, 1, f"=COUNT(Universe!$K${FIRST}:$K${FIRST + n - 1})", st("header", num="#,##0"))
    lines = (  # one line each, not wrapped: a tall row would also stretch the spilled list beside it
        "Right (Excel 2021/365): every passing company, largest first, one SORT(FILTER(...)) that grows.",
        f"Below (any Excel, also 2019): the largest {TOP}, LARGE/INDEX/MATCH over the passing market caps (Universe K).",
        "Companies with EV/EBITDA NM (EBITDA ≤ 0) never pass.",
    )
    for i, line in enumerate(lines):
        sheet.write(15 + i, 0, line, st("subtitle"))
    mcap, cls, mult = column("G", n), column("I", n), column("J", n)
    passes = (
        f"({mcap}>=$B$4)*ISNUMBER(MATCH({cls},$C$8:$C${7 + len(SIZE_CLASSES)},0))*ISNUMBER({mult})*"
        f"(IF(ISNUMBER({mult}),{mult},0)<=$B$5)"
    )
    block = f"Universe!$A${FIRST}:$J${FIRST + span(n) - 1}"
    sheet.write(
        1, 11, "Every passing company (Excel 2021/365): one SORT(FILTER(...)) formula", st("subtitle")
    )
    for i, text in enumerate(HEADER):
        sheet.write(2, 11 + i, text, st("header", "plain" if i == 0 else "center" if i == 8 else "right"))
    count = len(passing(rows, *SCREEN_DEFAULTS))
    formats = ("$#,##0.00", "#,##0", _USD_M, _USD_M, _USD_M, _USD_M, _USD_M, "@", _MULT)
    spilled = max(count, 1)  # rows the formula covers as written (one when no company passes)
    if count:  # the formats of the spilled cells
        fmts = [
            st("result", "center" if i == 8 else "plain", num=num) for i, num in enumerate(formats, start=1)
        ]
    else:
        fmts = [st("result")] * len(formats)
    add_rows(  # written as XML when the book is closed (rows_xml), beside this sheet's own cells
        sheet,
        3,
        11,
        spilled,
        [
            Spill(
                f'_xlfn._xlws.SORT(_xlfn._xlws.FILTER({block},{passes},"none"),7,-1)',
                st("result"),
                columns=len(HEADER),
            ),
            *(Numbers([0] * spilled, fmt) for fmt in fmts),
        ],
    )
    # Excel 2019 and LibreOffice: fixed range
    top = 19
    for i, text in enumerate(("Rank", "Ticker", "Market cap ($)", "EV ($)", "Size class", "EV / EBITDA")):
        sheet.write(top, 3 + i, text, st("header", "plain" if i in (1, 4) else "right"))
    fixed = {c: f"Universe!${c}${FIRST}:${c}${FIRST + n - 1}" for c in "AHIJK"}
    for k in range(1, TOP + 1):  # the k-th largest passing market cap, then its row (hidden column J)
        r = top + k
        sheet.write(r, 3, k)
        sheet.write_formula(r, 5, f'=IFERROR(LARGE({fixed["K"]},{k}),"")', st("plain", num=_USD_M))
        sheet.write_formula(r, 9, f'=IF(F{r + 1}="","",MATCH(F{r + 1},{fixed["K"]},0))', st("plain"))
        for col, letter, num in ((4, "A", "@"), (6, "H", _USD_M), (7, "I", "@"), (8, "J", _MULT)):
            sheet.write_formula(
                r, col, f'=IF($J{r + 1}="","",INDEX({fixed[letter]},$J{r + 1}))', st("plain", num=num)
            )
    page_setup(sheet)


def _summary(book: Any, st: Styles, n: int) -> None:
    summary = book.add_worksheet("Summary")
    summary.set_column(0, 0, 14)
    summary.set_column(1, 8, 15)
    summary.write(0, 0, "Universe: summary by size class", st("title"))
    summary.write(
        1,
        0,
        "Native formulas over the Universe columns (blank rows ignored, so the summary follows the data).",
        st("subtitle"),
    )
    heads = (
        "Size class",
        "Companies",
        "Market cap ($)",
        "Share of total",
        "Median market cap",
        "Mean market cap",
        "Median EV/EBITDA",
        "Mean EV/EBITDA",
        "EV/EBITDA NM",
    )
    for col, text in enumerate(heads):
        summary.write(3, col, text, st("header", "plain" if col == 0 else "right"))
    cls, cap, mult = column("I", n), column("G", n), column("J", n)
    total = 4 + len(SIZE_CLASSES)
    usd = number_format("usd", 1e9, "bn")
    for i, name in enumerate(SIZE_CLASSES):
        r, a = 4 + i, f"$A{5 + i}"
        summary.write(r, 0, name)
        summary.write_formula(r, 1, f"=COUNTIFS({cls},{a})", st("plain", num="#,##0"))
        summary.write_formula(r, 2, f"=SUMIFS({cap},{cls},{a})", st("plain", num=usd))
        summary.write_formula(r, 3, f"=IF(C${total + 1}>0,C{r + 1}/C${total + 1},0)", st("plain", num="0.0%"))
        summary.write_array_formula(
            r, 4, r, 4, f'{{=IFERROR(MEDIAN(IF({cls}={a},{cap})),"n/a")}}', st("plain", "right", num=usd)
        )
        summary.write_formula(
            r, 5, f'=IFERROR(AVERAGEIFS({cap},{cls},{a}),"n/a")', st("plain", "right", num=usd)
        )
        summary.write_array_formula(
            r,
            6,
            r,
            6,
            f'{{=IFERROR(MEDIAN(IF(({cls}={a})*ISNUMBER({mult}),{mult})),"n/a")}}',
            st("plain", "right", num=_MULT),
        )
        summary.write_formula(
            r, 7, f'=IFERROR(AVERAGEIFS({mult},{cls},{a}),"n/a")', st("plain", "right", num=_MULT)
        )
        summary.write_formula(r, 8, f'=COUNTIFS({cls},{a},{mult},"NM")', st("plain", num="#,##0"))
    summary.write(total, 0, "Total", st("total"))
    for col, num in ((1, "#,##0"), (2, usd), (3, "0.0%"), (8, "#,##0")):
        letter = "ABCDEFGHI"[col]
        summary.write_formula(total, col, f"=SUM({letter}5:{letter}{total})", st("total", num=num))
    summary.write_array_formula(
        total, 4, total, 4, f"{{=MEDIAN(IF(ISNUMBER({cap}),{cap}))}}", st("total", num=usd)
    )
    summary.write_formula(total, 5, f"=AVERAGE({cap})", st("total", num=usd))
    page_setup(summary)
    _charts(book, summary, total, n)


def _charts(book: Any, summary: Any, total: int, n: int) -> None:
    bars = book.add_chart({"type": "column"})
    bars.add_series(
        {
            "name": "Companies",
            "categories": f"=Summary!$A$5:$A${total}",
            "values": f"=Summary!$B$5:$B${total}",
            "data_labels": {"value": True},
            "fill": {"color": "#4472C4"},
        }
    )
    bars.set_title({"name": "Companies by size class"})
    bars.set_legend({"none": True})
    bars.set_y_axis({"name": "Companies", "major_gridlines": GRIDLINES})
    summary.insert_chart(total + 2, 0, bars, {"x_scale": 1.1, "y_scale": 1.0})
    scatter = book.add_chart({"type": "scatter"})
    cache_points_fast(scatter)
    last = FIRST + n - 1
    scatter.add_series(
        {
            "name": "Companies",
            "categories": f"=Universe!$G${FIRST}:$G${last}",
            "values": f"=Universe!$J${FIRST}:$J${last}",
            # the points cached in the chart: the cells' values as written, before they are computed
            # (XlsxWriter would read them from its own cells, and the universe's are not among them)
            "categories_data": [0] * n,
            "values_data": [0] * n,
            "marker": {"type": "circle", "size": 3, "fill": {"color": "#4472C4"}, "border": {"none": True}},
        }
    )
    scatter.set_title({"name": "EV/EBITDA against market cap"})
    scatter.set_legend({"none": True})
    scatter.set_x_axis({"name": "Market cap ($, log scale)", "log_base": 10, "num_format": '$#,##0,,"m"'})
    scatter.set_y_axis({"name": "EV / EBITDA", "min": 0, "max": 40, "num_format": '0"x"'})
    summary.insert_chart(total + 2, 5, scatter, {"x_scale": 1.1, "y_scale": 1.0})


def build_universe_screen(
    path: Path, n: int = UNIVERSE_ROWS, native_twin: bool = False, note: str = ""
) -> None:
    """The universe template; ``native_twin`` writes per-row native formulas instead of
    our spilled functions (the same results, for benchmarking other engines).
    """
    check_rows(n)
    book, st = new_book(path)
    # no formula here names a function that needs XlsxWriter's _xlfn. prefixes (FILTER and SORT are
    # written with theirs): skipping its regular expressions per formula makes the native twin's
    # per-row formulas much cheaper to write, and changes no byte of the file
    book.use_future_functions = False
    rows = universe_rows(n)
    _universe(book, st, rows, native_twin, note)
    _screen(book, st, rows)
    _summary(book, st, n)
    book.close()

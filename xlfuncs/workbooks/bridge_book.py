"""``valuation_bridge.xlsx``: one company from price to fully diluted EV under every method.

* **Valuation bridge**: inputs (company, tranches, a convertible, earnings); per
  method (dropdowns) market cap, EV, FD shares, FD market cap, FD EV, size class
  and multiples, the spilled ``FDBRIDGE``; a signed EV bridge in $m with
  subtotals and per-share values, and its waterfall chart.
* **Tranche schedule**: ``FDTRANCHES`` under the treasury stock method, one
  spilled formula, and the convertible's shares (``CONVSHARES``).
* **Price sensitivity**: prices from −40 % to +40 % of the input price; per
  method FD shares, dilution, FD market cap, FD EV and the implied price
  (``IMPLIEDPRICE``), each block one spilled formula; two charts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..functions.diluted import METHODS, fdbridge
from .style import GRIDLINES, Styles, cell, new_book, number_format, page_setup, set_widths

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
_CONVERTIBLE = (
    ("conv_principal", "Convertible bond: principal ($)", 300_000_000, '$#,##0.0,,"m"'),
    ("conv_price", "Conversion price ($ a share)", 40, "$#,##0.00"),
    ("conv_settlement", "Settlement (shares or net)", "shares", "@"),
)
METHOD_NOTE = (
    "gross: every in-the-money instrument in full, proceeds added to cash · tsm: treasury stock "
    "method, proceeds buy back shares · all: every instrument, in the money or not"
)
USD_M = '$#,##0.0,,"m";-$#,##0.0,,"m"'
COUNT_M = '#,##0.00,,"m";-#,##0.00,,"m"'
PRICE = "$#,##0.00;-$#,##0.00"
YES_NO = '"yes";"yes";"no"'  # TRUE/FALSE where a viewer shows them as 1/0
#: Price changes of the sensitivity grid.
STEPS = (-0.4, -0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3, 0.4)


def _bridge_format(label: str) -> str:
    """Number format of one FDBRIDGE row: prices in $, share counts in m, amounts in $m."""
    if "price" in label.lower():
        return PRICE
    if any(word in label.lower() for word in ("shares", "instruments", "repurchased")):
        return COUNT_M
    return USD_M


def _inputs(sheet: Any, st: Styles) -> dict[str, str]:
    refs, row = {}, 3
    sheet.write_row(row, 0, ("Company", "Value"), st("header"))
    for name, label, value, fmt in _COMPANY:
        row += 1
        sheet.write(row, 0, label)
        sheet.write(row, 1, value, st("input", num=number_format(fmt, value, "m")))
        refs[name] = cell(row, 1)
    row += 2
    sheet.write_row(row, 0, ("Dilutive instruments", "Count", "Strike ($)"), st("header"))
    first = row + 1
    for label, count, strike in _TRANCHES:
        row += 1
        sheet.write(row, 0, label, st("input"))
        sheet.write(row, 1, count, st("input", num="#,##0"))
        sheet.write(row, 2, strike, st("input", num="$#,##0.00"))
    refs["counts"] = f"{cell(first, 1)}:{cell(row, 1)}"
    refs["counts_headed"] = f"{cell(first - 1, 1)}:{cell(row, 1)}"  # with the header above
    refs["strikes"] = f"{cell(first, 2)}:{cell(row, 2)}"
    refs["labels"] = f"{cell(first, 0)}:{cell(row, 0)}"
    sheet.write(
        row + 1, 0, "Blank or 0 strike: no exercise price (RSUs). Empty rows are ignored.", st("subtitle")
    )
    row += 3
    sheet.write_row(row, 0, ("Earnings metrics", "Value"), st("header"))
    for name, label, value in _EARNINGS:
        row += 1
        sheet.write(row, 0, label)
        sheet.write(row, 1, value, st("input", num=number_format("usd", value, "m")))
        refs[name] = cell(row, 1)
    row += 2
    sheet.write_row(row, 0, ("Convertible", "Value"), st("header"))
    for name, label, text_or_number, num in _CONVERTIBLE:
        row += 1
        sheet.write(row, 0, label)
        sheet.write(row, 1, text_or_number, st("input", num=num))
        refs[name] = cell(row, 1)
    sheet.data_validation(row, 1, row, 1, {"validate": "list", "source": ["shares", "net"]})
    refs["end"] = str(row)
    return refs


def _results(sheet: Any, st: Styles, r: dict[str, str]) -> tuple[int, str]:
    """Per-method results and the spilled FDBRIDGE; returns the last row used and FDBRIDGE's arguments."""
    out = 3
    sheet.write(out, 6, "Method", st("header"))
    for i, method in enumerate(METHODS):
        sheet.write(out, 7 + i, method, st("header", "input"))
    sheet.data_validation(out, 7, out, 9, {"validate": "list", "source": list(METHODS)})
    sheet.write(out - 1, 6, METHOD_NOTE, st("subtitle"))
    r["methods"] = f"{cell(out, 7)}:{cell(out, 9)}"
    conv = f"{r['conv_principal']},{r['conv_price']},{r['conv_settlement']}"
    tranche = f"{r['price']},{r['shares']},{r['counts']},{r['strikes']},{r['methods']}"
    bridge_args = (
        f"{r['price']},{r['shares']},{r['debt']},{r['cash']},{r['counts']},{r['strikes']},"
        f"{r['methods']},{r['preferred']},{r['minority']},{r['investments']},{conv}"
    )
    mcap, fd_mcap, fd_ev = f"H{out + 2}", f"H{out + 5}:J{out + 5}", f"H{out + 6}:J{out + 6}"
    lines = (
        ("Market cap", f"MARKETCAP({r['price']},{r['shares']})", 1, USD_M),
        (
            "Enterprise value",
            f"EV({mcap},{r['debt']},{r['cash']},{r['preferred']},{r['minority']},{r['investments']})",
            1,
            USD_M,
        ),
        ("Fully diluted shares", f"FDSHARES({tranche},{conv})", 3, COUNT_M),
        ("FD market cap", f"FDMCAP({tranche},{conv})", 3, USD_M),
        ("FD EV", f"FDEV({bridge_args})", 3, USD_M),
        ("Size class (market cap)", f"MCAPCLASS({mcap})", 1, "@"),
        ("EV / revenue (FD, per method)", f"MULTIPLE({fd_ev},{r['revenue']})", 3, '0.00"x"'),
        ("EV / EBITDA (FD, per method)", f"MULTIPLE({fd_ev},{r['ebitda']})", 3, '0.00"x"'),
        ("EV / EBIT (FD, per method)", f"MULTIPLE({fd_ev},{r['ebit']})", 3, '0.00"x"'),
        ("P / E (FD, per method)", f"MULTIPLE({fd_mcap},{r['net_income']})", 3, '0.00"x"'),
        ("P / B (FD, per method)", f"MULTIPLE({fd_mcap},{r['book']})", 3, '0.00"x"'),
    )
    row = out
    for label, formula, width, num in lines:
        row += 1
        sheet.write(row, 6, label)
        sheet.write_dynamic_array_formula(
            row, 7, row, 7 + width - 1, "=" + formula, st("result", "right", num=num)
        )
    row += 2
    sheet.write(row, 6, "FDBRIDGE: every step, per method ($m; shares in m)", st("header"))
    for i in range(len(METHODS)):
        sheet.write_formula(row, 7 + i, f"={cell(out, 7 + i, False)}", st("header", "right"))
    labels = list(fdbridge(1, 1, 0, 0))
    first = row + 1
    sheet.write_dynamic_array_formula(
        first, 6, row + len(labels), 6 + len(METHODS), f"=FDBRIDGE({bridge_args})", st("result")
    )
    for i, label in enumerate(labels):  # the formats of the spilled cells, row by row
        for col in range(7, 7 + len(METHODS)):
            sheet.write_number(first + i, col, 0, st("result", num=_bridge_format(label)))
    r["bridge"] = f"$H${first + 1}:$J${first + len(labels)}"
    r["bridge_labels"] = f"$G${first + 1}:$G${first + len(labels)}"
    return row + len(labels), bridge_args


def _items(expr: str, item: Any, col: int) -> str:
    """``expr`` with every ``{FDBRIDGE label}`` replaced by that row's value in method column ``col``."""
    return re.sub(r"\{([^}]+)\}", lambda m: str(item(m.group(1), col)), expr)


def _signed_bridge(book: Any, sheet: Any, st: Styles, r: dict[str, str], top: int) -> int:
    """The EV bridge with signs and subtotals per method, per-share values and the waterfall chart."""
    sheet.write(top, 6, "EV bridge, signed ($m)", st("header"))
    for i in range(len(METHODS)):
        sheet.write_formula(top, 7 + i, f"={'HIJ'[i]}4", st("header", "right"))

    def item(label: str, col: int) -> str:
        return f'INDEX({r["bridge"]},MATCH("{label}",{r["bridge_labels"]},0),{col})'

    steps = (
        ("FD equity value (FD market cap)", "+{FD market cap}", False),
        ("+ Debt", "+{Debt}", False),
        ("− Debt converted into shares", "-{Debt converted}", False),
        ("+ Preferred", "+{Preferred}", False),
        ("+ Minority interest", "+{Minority interest}", False),
        ("= Equity value and other claims", "SUM", True),
        ("− Cash", "-{Cash}", False),
        ("− Exercise proceeds", "-({Cash + proceeds}-{Cash})", False),
        ("− Non-operating investments", "-{Investments}", False),
        ("= FD enterprise value", "TOTAL", True),
    )
    rows = {}
    row = top
    for label, expr, subtotal in steps:
        row += 1
        rows[label] = row
        sheet.write_string(row, 6, label, st("total" if subtotal else "plain"))
        for i in range(len(METHODS)):
            letter = "HIJ"[i]
            if expr == "SUM":
                formula = f"=SUM({letter}{top + 2}:{letter}{row})"
            elif expr == "TOTAL":
                formula = f"={letter}{rows['= Equity value and other claims'] + 1}+SUM({letter}{row - 2}:{letter}{row})"
            else:
                formula = "=" + _items(expr, item, i + 1)
            sheet.write_formula(row, 7 + i, formula, st("total" if subtotal else "plain", num=USD_M))
    total = rows["= FD enterprise value"]
    row += 1
    sheet.write(row, 6, "Check: equals FDEV above")
    for i in range(len(METHODS)):
        letter = "HIJ"[i]
        sheet.write_formula(
            row, 7 + i, f'=IF(ABS({letter}{total + 1}-{letter}9)<=0.5,"OK","MISMATCH")', st("center")
        )
    row += 2
    sheet.write(row, 6, "Per share", st("header"))
    per_share = (
        ("FD equity value per FD share", "{FD market cap}/{FD shares}"),
        ("FD EV per FD share", "{FD EV}/{FD shares}"),
        ("EV per basic share", "{EV}/{Basic shares}"),
    )
    for label, expr in per_share:
        row += 1
        sheet.write(row, 6, label)
        for i in range(len(METHODS)):
            sheet.write_formula(row, 7 + i, "=" + _items(expr, item, i + 1), st("plain", num=PRICE))
    _waterfall(book, sheet, st, steps, rows, row + 2, r)
    return row


#: Waterfall series after the invisible base: (name, fill, label font, label format); a zero shows no label.
WATERFALL = (
    ("Totals", "#2F5597", {"color": "#FFFFFF", "bold": True}, '$#,##0,,"m";-$#,##0,,"m";;'),
    ("Rises", "#70AD47", {"color": "#262626"}, '"+"$#,##0,,"m";;;'),
    ("Falls", "#E06666", {"color": "#262626"}, '"−"$#,##0,,"m";;;'),
)


def _waterfall(
    book: Any, sheet: Any, st: Styles, steps: tuple, rows: dict, top: int, r: dict[str, str]
) -> None:
    """Chart data (first method) and a waterfall drawn as stacked bars on an invisible base.

    The first bar and the subtotals stand on zero as totals; every other step floats from the level
    before it, as a rise or a fall, labelled with its signed amount.
    """
    names = tuple(name for name, *_ in WATERFALL)
    sheet.write_row(top, 6, ("Waterfall data (first method)", "Base", *names, "Level"), st("header"))
    first = top + 1
    for k, (label, _, subtotal) in enumerate(steps):
        row, value = first + k, f"H{rows[label] + 1}"
        sheet.write_string(row, 6, label)
        if subtotal or k == 0:  # a total: a bar from zero
            base, total, rise, fall, level = "0", value, "0", "0", value
        else:  # a step floating from the level before it
            previous = f"L{row}"
            base, total = f"MIN({previous},{previous}+{value})", "0"
            rise, fall, level = f"MAX({value},0)", f"-MIN({value},0)", f"{previous}+{value}"
        for col, formula in enumerate((base, total, rise, fall, level), start=7):
            sheet.write_formula(row, col, f"={formula}", st("plain", num=USD_M))
    last = first + len(steps) - 1
    chart = book.add_chart({"type": "bar", "subtype": "stacked"})

    def column(letter: str) -> str:
        return f"='Valuation bridge'!${letter}${first + 1}:${letter}${last + 1}"

    chart.add_series(
        {
            "name": "Base",
            "categories": column("G"),
            "values": column("H"),
            "fill": {"none": True},
            "border": {"none": True},
        }
    )
    for i, (name, colour, font, label) in enumerate(WATERFALL):
        chart.add_series(
            {
                "name": name,
                "categories": column("G"),
                "values": column("IJK"[i]),
                "fill": {"color": colour},
                "border": {"none": True},
                "gap": 40,
                "data_labels": {"value": True, "num_format": label, "position": "inside_base", "font": font},
            }
        )
    # no legend: the signs of the labels and of the steps' names say which bar is which
    chart.set_title({"name": "EV bridge, first method ($m)", "name_font": {"size": 12}})
    chart.set_legend({"none": True})
    chart.set_x_axis(
        {"num_format": '$#,##0,,"m"', "num_font": {"size": 8, "rotation": 0}, "major_gridlines": GRIDLINES}
    )
    chart.set_y_axis({"reverse": True, "crossing": "max"})  # the first step on top, amounts below
    sheet.insert_chart(int(r["end"]) + 2, 0, chart, {"x_scale": 1.1, "y_scale": 1.5})


def _schedule(book: Any, st: Styles, r: dict[str, str]) -> None:
    sheet = book.add_worksheet("Tranche schedule")
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 8, 14)
    sheet.write(0, 0, "Per-tranche schedule, treasury stock method", st("title"))
    sheet.write(
        1, 0, "One FDTRANCHES formula over the tranche table of the Valuation bridge sheet.", st("subtitle")
    )
    vb = "'Valuation bridge'!"
    sheet.write(3, 0, "Tranche", st("header"))
    n = len(_TRANCHES)
    sheet.write_dynamic_array_formula(4, 0, 3 + n, 0, f'={vb}{r["labels"]}&""', st("plain"))
    # a tranche row without a count stays blank (its header row has one: "Count")
    schedule = f'FDTRANCHES({vb}{r["price"]},{vb}{r["counts"]},{vb}{r["strikes"]},"tsm")'
    sheet.write_dynamic_array_formula(
        3, 1, 3 + n, 7, f'=IF({vb}{r["counts_headed"]}="","",{schedule})', st("result")
    )
    for row in range(4, 4 + n):
        for col, num in zip(
            range(1, 8), ("#,##0", PRICE, YES_NO, "#,##0", USD_M, "#,##0", "#,##0"), strict=True
        ):
            sheet.write_number(row, col, 0, st("result", num=num))
    row = 4 + n
    sheet.write(row, 0, "Total", st("total"))
    for col in (4, 5, 6, 7):
        letter = "ABCDEFGH"[col]
        sheet.write_formula(
            row, col, f"=SUM({letter}5:{letter}{row})", st("total", num=USD_M if col == 5 else "#,##0")
        )
    row += 2
    sheet.write_row(
        row, 0, ("Convertible", "Principal", "Conv. price", "Settlement", "New shares"), st("header")
    )
    row += 1
    sheet.write(row, 0, "Convertible bond")
    sheet.write_formula(row, 1, f"={vb}{r['conv_principal']}", st("plain", num=USD_M))
    sheet.write_formula(row, 2, f"={vb}{r['conv_price']}", st("plain", num=PRICE))
    sheet.write_formula(row, 3, f"={vb}{r['conv_settlement']}", st("plain"))
    sheet.write_dynamic_array_formula(
        row,
        4,
        row,
        4,
        f"=CONVSHARES({vb}{r['price']},{vb}{r['conv_principal']},{vb}{r['conv_price']},{vb}{r['conv_settlement']})",
        st("result", num="#,##0"),
    )
    row += 2
    sheet.write(row, 0, "Net new shares, all instruments", st("total"))
    sheet.write_formula(row, 7, f"=H{4 + n + 1}+E{row - 1}", st("total", num="#,##0"))
    page_setup(sheet)


def _sensitivity(book: Any, st: Styles, r: dict[str, str], bridge_args: str) -> None:
    sheet = book.add_worksheet("Price sensitivity")
    sheet.set_column(0, 1, 11)
    sheet.set_column(2, 16, 11)
    sheet.write(
        0, 0, "Price sensitivity: every method, prices from −40 % to +40 % of the input price", st("title")
    )
    sheet.write(
        1,
        0,
        "Each block is one spilled formula. Implied price: the share price at which the fully diluted "
        "equity equals the basic market cap at that price (IMPLIEDPRICE).",
        st("subtitle"),
    )
    vb = "'Valuation bridge'!"
    first, last = 5, 5 + len(STEPS) - 1
    sheet.write_row(4, 0, ("Change", "Price ($)"), st("header", "right"))
    for i, step in enumerate(STEPS):
        sheet.write(first + i, 0, step, st("input", num="+0%;-0%;0%"))
    changes, prices = f"$A${first + 1}:$A${last + 1}", f"$B${first + 1}:$B${last + 1}"
    sheet.write_dynamic_array_formula(
        first, 1, last, 1, f"={vb}{r['price']}*(1+{changes})", st("native", num=PRICE)
    )
    methods = f"{vb}{r['methods']}"
    args = bridge_args.replace(r["price"], prices, 1)
    args = ",".join(f"{vb}{a}" if a[0] == "$" else a for a in args.split(","))
    args = args.replace(f"{vb}{prices}", prices)
    conv = f"{vb}{r['conv_principal']},{vb}{r['conv_price']},{vb}{r['conv_settlement']}"
    tranche = f"{prices},{vb}{r['shares']},{vb}{r['counts']},{vb}{r['strikes']},{methods}"
    blocks = (
        ("FD shares", f"FDSHARES({tranche},{conv})", COUNT_M),
        ("Dilution", None, "0.00%"),
        ("FD market cap", f"FDMCAP({tranche},{conv})", USD_M),
        ("FD EV", f"FDEV({args})", USD_M),
        (
            "Implied price",
            f"IMPLIEDPRICE({prices}*{vb}{r['shares']},{vb}{r['shares']},{vb}{r['counts']},{vb}{r['strikes']},"
            f"{methods},{vb}{r['conv_principal']},{vb}{r['conv_price']})",
            PRICE,
        ),
    )
    for b, (title, formula, num) in enumerate(blocks):
        col = 2 + 3 * b
        sheet.merge_range(3, col, 3, col + 2, title, st("header", "center"))
        for i in range(len(METHODS)):
            sheet.write_formula(4, col + i, f"={vb}{cell(3, 7 + i)}", st("header", "right"))
        if formula is None:  # dilution: FD shares over basic shares, native
            formula = f"C{first + 1}:E{last + 1}/{vb}{r['shares']}-1"
        sheet.write_dynamic_array_formula(first, col, last, col + 2, "=" + formula, st("result", num=num))
    for title, col, num in (
        ("FD shares against price", 2, '#,##0,,"m"'),
        ("FD market cap against price", 8, '$#,##0,,"m"'),
    ):
        chart = book.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
        for i in range(len(METHODS)):
            letter = "ABCDEFGHIJKLMNOPQ"[col + i]
            chart.add_series(
                {
                    "name": f"='Price sensitivity'!${letter}$5",
                    "categories": f"='Price sensitivity'!$B${first + 1}:$B${last + 1}",
                    "values": f"='Price sensitivity'!${letter}${first + 1}:${letter}${last + 1}",
                    "marker": {"type": "circle", "size": 4},
                }
            )
        chart.set_title({"name": title})
        chart.set_x_axis({"name": "Share price ($)", "num_format": "$#,##0"})
        chart.set_y_axis({"num_format": num, "major_gridlines": GRIDLINES})
        chart.set_legend({"position": "bottom"})
        sheet.insert_chart(last + 3, 0 if col == 2 else 8, chart, {"x_scale": 1.1, "y_scale": 1.0})
    page_setup(sheet)


def build_valuation_bridge(path: Path, note: str = "") -> None:
    """Write valuation_bridge.xlsx (formulas only; :func:`xlfuncs.workbooks.templates.build` computes it)."""
    book, st = new_book(path)
    sheet = book.add_worksheet("Valuation bridge")
    set_widths(sheet, {0: 34, (1, 2): 16, (3, 5): 2, 6: 38, (7, 11): 19})
    sheet.write(0, 0, "Valuation bridge: one company from price to fully diluted EV", st("title"))
    sheet.write(
        1,
        0,
        "Example Corp: illustrative figures. Replace the blue cells with your company's.",
        st("subtitle"),
    )
    if note:
        sheet.merge_range(2, 0, 2, 4, note, st("note", "wrap"))
        sheet.set_row(2, 30)
    refs = _inputs(sheet, st)
    end, bridge_args = _results(sheet, st, refs)
    sheet.merge_range(
        end + 2,
        6,
        end + 2,
        10,
        "How to use: enter the company's figures in the blue cells; every result is one xlfuncs formula and "
        "spills across the methods in row 4 (pick others from the dropdowns). Multiples on a metric ≤ 0 "
        "show NM. Other sheets: the per-tranche schedule and the price sensitivity.",
        st("subtitle", "wrap"),
    )
    sheet.set_row(end + 2, 45)
    _signed_bridge(book, sheet, st, refs, end + 4)
    sheet.freeze_panes(4, 0)
    page_setup(sheet)
    _schedule(book, st, refs)
    _sensitivity(book, st, refs, bridge_args)
    book.close()

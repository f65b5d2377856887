"""``xlfuncs company ID``: a model workbook of one company from its filings.

One sheet, **Model**:

* **Inputs**: per item the figure from the filing (a value, not a fetching formula, so the
  book computes offline and a stranger's copy makes no request), an **Override** column
  whose value wins, the value **Used**, unit, period end, form, filing date, a hyperlink to
  the filing and a note; stale and missing items highlighted, an override marked as one.
  The share price is the one input to type.
* **Results**: market cap, FD shares, FD market cap and FD EV (treasury stock method), the
  spilled ``FDBRIDGE`` and ``FDTRANCHES`` (options at their weighted-average strike, and
  RSUs), each one xlfuncs formula.
* **Checks**: the price is typed, no stale input is used without an override, and the
  treasury-method FD shares are within 10 % of the company's reported diluted count.

Writing it again over an earlier model keeps the price and the overrides typed there
(they survive a refresh).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..data.records import Company, Fact
from .style import BAD, GOOD, NEUTRAL, cell, new_book, page_setup, set_widths, status_formats

SHEET = "Model"
HEADER_ROW = 4
COLUMNS = (
    "Item",
    "From the filing",
    "Override",
    "Used",
    "Unit",
    "Period end",
    "Form",
    "Filed",
    "Filing",
    "Note",
)
LABELS = {
    "price": "Share price (type it)",
    "shares": "Basic shares outstanding",
    "options": "Options outstanding",
    "options_strike": "Options: weighted-average strike",
    "rsus": "RSUs (nonvested)",
    "debt": "Debt",
    "cash": "Cash and equivalents",
    "preferred": "Preferred equity",
    "minority_interest": "Minority interest",
    "diluted_reported": "Diluted shares (reported)",
}
COUNT = "#,##0"
MONEY = "#,##0"
DATE = "yyyy-mm-dd"
CHECK_TOLERANCE = 0.10


def kept_inputs(path: Path) -> dict[str, object]:
    """The price and the overrides typed into an earlier model at ``path`` ({item: value})."""
    if not path.is_file():
        return {}
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=False, read_only=True)
    try:
        if SHEET not in book.sheetnames:
            return {}
        kept: dict[str, object] = {}
        names = {label: item for item, label in LABELS.items()}
        for row in book[SHEET].iter_rows(min_row=HEADER_ROW + 2, max_col=3, values_only=True):
            label, _, override = (*row, None, None, None)[:3]
            if label in names and override not in (None, ""):
                kept[names[label]] = override
        return kept
    finally:
        book.close()


def build(found: Company, path: Path, kept: dict[str, object]) -> None:
    """Write the model of ``found`` to ``path``, with the ``kept`` price and overrides."""
    book, st = new_book(path)
    sheet = book.add_worksheet(SHEET)
    set_widths(sheet, {0: 32, (1, 3): 18, 4: 10, (5, 7): 11, 8: 16, 9: 60})
    ids = ", ".join(x for x in (found.ticker, f"CIK {found.cik}" if found.cik else None, found.lei) if x)
    sheet.write(0, 0, f"{found.name} ({ids}): fully diluted valuation from the filings", st("title"))
    latest = found.latest_period.isoformat() if found.latest_period else "none"
    sheet.write(
        1,
        0,
        f"Figures from {found.source.upper()} fetched {found.fetched:%Y-%m-%d}; latest reported period {latest} "
        f"({found.age_days} days old). Type the share price; a value typed under Override wins over the filing.",
        st("subtitle"),
    )
    if found.stopped:
        sheet.write(
            2, 0, "Warning: the latest report is old; the company may have stopped reporting.", st("note")
        )
    for col, title in enumerate(COLUMNS):
        sheet.write(HEADER_ROW, col, title, st("header"))
    used: dict[str, str] = {}
    row = HEADER_ROW + 1
    price = kept.get("price")
    sheet.write(row, 0, LABELS["price"])
    sheet.write_blank(row, 1, None, st("native"))
    if price is None:
        sheet.write_blank(row, 2, None, st("input", num="#,##0.00"))
    else:
        sheet.write(row, 2, price, st("input", num="#,##0.00"))
    sheet.write_formula(row, 3, f'=IF({cell(row, 2)}="","",{cell(row, 2)})', st("result", num="#,##0.00"))
    sheet.write(row, 9, "the one input to type")
    used["price"] = cell(row, 3)
    stale_flags = []
    for item, fact in found.items.items():
        row += 1
        _input_row(sheet, st, row, item, fact, kept.get(item))
        used[item] = cell(row, 3)
        if fact.stale:
            stale_flags.append(cell(row, 2))
        for part in fact.components:
            row += 1
            sheet.write(row, 0, f"  {part.item.replace('_', ' ')}", st("indent"))
            if part.value is not None:
                sheet.write(row, 1, part.value, st("linked", num=MONEY))
            sheet.write(row, 4, part.unit or "")
            sheet.write(row, 9, (part.tag or "") if part.value is not None else part.reason)
    last_input = row
    row = _results(sheet, st, used, last_input + 2)
    _checks(book, sheet, st, used, stale_flags, row + 1)
    sheet.freeze_panes(HEADER_ROW + 1, 1)
    page_setup(sheet)
    book.close()


def _input_row(sheet: Any, st: Any, row: int, item: str, fact: Fact, override: object) -> None:
    number = "#,##0.00" if item == "options_strike" else COUNT
    highlight = ("linked",) if not fact.stale and fact.value is not None else ("linked", "note")
    sheet.write(row, 0, LABELS[item])
    if fact.value is None:
        sheet.write_blank(row, 1, None, st(*highlight))
    else:
        sheet.write(row, 1, fact.value, st(*highlight, num=number))
    if override is None:
        sheet.write_blank(row, 2, None, st("input", num=number))
    else:
        sheet.write(row, 2, override, st("input", num=number))
    given, filed = cell(row, 2), cell(row, 1)
    sheet.write_formula(row, 3, f'=IF({given}<>"",{given},{filed})', st("result", num=number))
    sheet.write(row, 4, fact.unit or "")
    if fact.period_end:
        sheet.write_datetime(row, 5, _datetime(fact.period_end), st("plain", num=DATE))
    sheet.write(row, 6, fact.form or "")
    if fact.filed:
        sheet.write_datetime(row, 7, _datetime(fact.filed), st("plain", num=DATE))
    if fact.url:
        sheet.write_url(row, 8, fact.url, string=f"{fact.form} {fact.filed}")
    note = fact.reason.replace('"', "'")
    sheet.write_formula(row, 9, f'=IF({given}<>"","override (typed)","{note}")', None, note)


def _datetime(day: Any) -> Any:
    from datetime import datetime

    return datetime(day.year, day.month, day.day)


def _results(sheet: Any, st: Any, r: dict[str, str], top: int) -> int:
    sheet.write(top, 0, "Results (treasury stock method)", st("header"))
    sheet.write(top, 1, "", st("header"))
    # Options at their weighted-average strike, RSUs with no strike: a two-tranche table.
    strikes_row = top + 8
    sheet.write(strikes_row, 0, "Tranches: count, strike", st("header"))
    sheet.write_formula(strikes_row + 1, 0, '="Options (weighted-average strike)"')
    sheet.write_formula(strikes_row + 1, 1, f"={r['options']}", st("plain", num=COUNT))
    sheet.write_formula(strikes_row + 1, 2, f"={r['options_strike']}", st("plain", num="#,##0.00"))
    sheet.write_formula(strikes_row + 2, 0, '="RSUs (no strike)"')
    sheet.write_formula(strikes_row + 2, 1, f"={r['rsus']}", st("plain", num=COUNT))
    counts = f"{cell(strikes_row + 1, 1)}:{cell(strikes_row + 2, 1)}"
    strikes = f"{cell(strikes_row + 1, 2)}:{cell(strikes_row + 2, 2)}"
    tranche = f'{r["price"]},{r["shares"]},{counts},{strikes},"tsm"'
    claims = f'{r["debt"]},{r["cash"]},{counts},{strikes},"tsm",{r["preferred"]},{r["minority_interest"]}'
    lines = (
        ("Market cap", f"MARKETCAP({r['price']},{r['shares']})"),
        ("Fully diluted shares", f"FDSHARES({tranche})"),
        ("FD market cap", f"FDMCAP({tranche})"),
        ("FD enterprise value", f"FDEV({r['price']},{r['shares']},{claims})"),
    )
    for i, (label, formula) in enumerate(lines, start=1):
        sheet.write(top + i, 0, label)
        sheet.write_formula(top + i, 1, "=" + formula, st("result", num=MONEY))
    r["fd_shares"] = cell(top + 2, 1)
    bridge = strikes_row + 4
    sheet.write(bridge, 0, "Bridge (FDBRIDGE)", st("header"))
    sheet.write_dynamic_array_formula(
        bridge + 1, 0, bridge + 1, 0, f"=FDBRIDGE({r['price']},{r['shares']},{claims})"
    )
    schedule = bridge + 16
    sheet.write(schedule, 0, "Tranche schedule (FDTRANCHES)", st("header"))
    sheet.write_dynamic_array_formula(
        schedule + 1, 0, schedule + 1, 0, f'=FDTRANCHES({r["price"]},{counts},{strikes},"tsm")'
    )
    return schedule + 6


def _checks(book: Any, sheet: Any, st: Any, r: dict[str, str], stale: list[str], top: int) -> None:
    sheet.write(top, 0, "Checks", st("header"))
    sheet.write(top, 1, "", st("header"))
    unresolved = "+".join(f'({c}="")' for c in stale) or "0"
    checks = (
        ("Share price typed", f'=IF(AND(ISNUMBER({r["price"]}),{r["price"]}>0),"OK","TYPE THE PRICE")'),
        ("No stale input without an override", f'=IF({unresolved}=0,"OK","CHECK")'),
        (
            f"FD shares (TSM) within {CHECK_TOLERANCE:.0%} of the reported diluted count",
            f'=IF(NOT(ISNUMBER({r["diluted_reported"]})),"n/a",'
            f'IF(ABS({r["fd_shares"]}/{r["diluted_reported"]}-1)<={CHECK_TOLERANCE},"OK","CHECK"))',
        ),
    )
    for i, (label, formula) in enumerate(checks, start=1):
        sheet.write(top + i, 0, label)
        sheet.write_formula(top + i, 1, formula)
    status_formats(
        book, sheet, (top + 1, 1, top + len(checks), 1), {"OK": GOOD, "CHECK": BAD, "TYPE THE PRICE": NEUTRAL}
    )

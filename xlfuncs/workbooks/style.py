"""What every template workbook shares: XlsxWriter formats, number formats, references and text formulas."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..i18n import ENGLISH, text

CREATED = dt.datetime(2026, 1, 1)  # fixed document properties: a rebuild gives the same file

#: Excel's limit on one text literal inside a formula.
LITERAL_MAX = 255

#: ``[[expr|fmt]]`` in a label or note: how ``fmt`` shows the value of ``expr`` (``{x}``) as text.
TEXT_FORMATS = {
    "usd": 'TEXT({x},"$#,##0.00")',
    "m": 'TEXT(({x})/1000000,"$#,##0.0")&"m"',
    "bn": 'TEXT(({x})/1000000000,"$#,##0.00")&"bn"',
    "n": 'IF(({x})=INT({x}),TEXT({x},"#,##0"),TEXT({x},"#,##0.00"))',
    "x2": 'TEXT({x},"0.00")&"x"',  # no thousands separator: formulas 1.3.4 writes 0.5 as "0,.50"
    "pct": 'TEXT({x},"0.00%")',
    "pct1": 'TEXT({x},"0.0%")',
}
_PLACEHOLDER = re.compile(r"\[\[(.+?)(?:\|(\w+))?\]\]")


#: The catalogue context of every text a template workbook shows.
CONTEXT = "workbooks"
_LANGUAGE: contextvars.ContextVar[str] = contextvars.ContextVar("workbook_language", default=ENGLISH)
_RECORDED: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("workbook_texts", default=None)


@contextlib.contextmanager
def language(lang: str) -> Iterator[None]:
    """Build the workbooks inside this block with their texts in ``lang``."""
    token = _LANGUAGE.set(lang)
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


@contextlib.contextmanager
def recording() -> Iterator[set[str]]:
    """Collect every text the builders inside this block show (the catalogue's extraction)."""
    texts: set[str] = set()
    token = _RECORDED.set(texts)
    try:
        yield texts
    finally:
        _RECORDED.reset(token)


class Translated(str):
    """A text already in the language being built (a translated pattern with its values filled in)."""


def tr(message: str) -> str:
    """A text of a workbook in the language being built (the English as written, else the catalogue's)."""
    if isinstance(message, Translated):
        return message
    recorded = _RECORDED.get()
    if recorded is not None:
        recorded.add(message)
    return Translated(text(_LANGUAGE.get(), message, CONTEXT))


def _translating_sheet(sheet: Any) -> Any:
    """Every text cell of ``sheet`` (``write``, ``write_string``, ``merge_range``) through :func:`tr`."""
    write_string = sheet._write_string
    sheet._write_string = lambda row, col, string, *rest: write_string(row, col, tr(string), *rest)
    return sheet


def _translating_chart(chart: Any) -> Any:
    """A chart's title and axis names through :func:`tr`."""
    for method in ("set_title", "set_x_axis", "set_y_axis"):
        original = getattr(chart, method)

        def translated(options: dict, _original: Any = original) -> Any:
            if isinstance(options.get("name"), str) and not options["name"].startswith("="):
                options = {**options, "name": tr(options["name"])}
            return _original(options)

        setattr(chart, method, translated)
    return chart


def is_template(text: str) -> bool:
    """Whether a label or note holds ``[[...]]`` placeholders (and so becomes a formula)."""
    return bool(_PLACEHOLDER.search(text))


def _literal(text: str) -> list[str]:
    chunks = [text[i : i + LITERAL_MAX] for i in range(0, len(text), LITERAL_MAX)]
    return ['"' + chunk.replace('"', '""') + '"' for chunk in chunks]


def text_formula(template: str, refs: dict[str, str]) -> str:
    r"""The formula (without ``=``) that shows ``template`` with its placeholders computed.

    >>> text_formula("Price [[{p}|usd]], [[IF({p}>1,\"up\",\"down\")]]", {"p": "$B$5"})
    '"Price "&TEXT($B$5,"$#,##0.00")&", "&(IF($B$5>1,"up","down"))'
    """
    template = tr(template)
    parts: list[str] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(template):
        if m.start() > pos:
            parts += _literal(template[pos : m.start()])
        expr = render(m.group(1), refs)
        parts.append(TEXT_FORMATS[m.group(2)].format(x=expr) if m.group(2) else f"({expr})")
        pos = m.end()
    if pos < len(template):
        parts += _literal(template[pos:])
    return "&".join(parts)


def render(template: str, refs: dict[str, str]) -> str:
    """A formula template with every ``{name}`` replaced by its reference."""
    return re.sub(r"\{(\w+)\}", lambda m: refs[m.group(1)], template)


def number_format(fmt: str, magnitude: float = 0.0, unit: str = "") -> str:
    """Readable formats: amounts ≥ $1m in one unit (``unit``: "m" or "bn", else by magnitude)."""
    if fmt in ("usd", "count"):
        cur = "$" if fmt == "usd" else ""
        if magnitude < 1e6:
            return f"{cur}#,##0.00;-{cur}#,##0.00" if fmt == "usd" else "#,##0"
        unit = unit or ("bn" if magnitude >= 1e9 else "m")
        if unit == "bn":
            return f'{cur}#,##0.00,,,"bn";-{cur}#,##0.00,,,"bn"'
        return f'{cur}#,##0.0,,"m";-{cur}#,##0.0,,"m"'
    return {
        "pct": "0.00%",
        "x": '#,##0.00"x";-#,##0.00"x"',
        "date": "yyyy-mm-dd",
        "number": "#,##0.00##",
        "text": "@",
    }[fmt]


def tolerance_format(fmt: str) -> str:
    """How a tolerance shows, in the unit of its figure."""
    return {
        "usd": '"±"$0.000',
        "pct": '"±"0.00000%',
        "x": '"±"0.0000000"x"',
    }.get(fmt, '"±"0.0E+00')


class Styles:
    """XlsxWriter formats, created once per workbook: ``st("input", num="#,##0")``."""

    def __init__(self, book: Any) -> None:
        self.book: Any = book
        self.cache: dict[tuple[tuple[str, ...], str | None], Any] = {}

    def __call__(self, *kinds: str, num: str | None = None) -> Any:
        key = (kinds, num)
        if key not in self.cache:
            props: dict[str, Any] = {}
            for kind in kinds:
                props.update(STYLE[kind])
            if num:
                props["num_format"] = num
            self.cache[key] = self.book.add_format(props)
        return self.cache[key]


STYLE: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"italic": True, "font_color": "#595959"},
    "quote": {"italic": True, "text_wrap": True, "valign": "top", "font_color": "#404040"},
    "wrap": {"text_wrap": True, "valign": "top"},
    "verdict": {"bold": True, "text_wrap": True, "valign": "top", "font_color": "#C00000"},
    "header": {"bold": True, "bg_color": "#D9E1F2", "bottom": 1, "text_wrap": True, "valign": "top"},
    "input": {"font_color": "#0000FF", "bg_color": "#FFF2CC", "border": 1, "border_color": "#BFBFBF"},
    "linked": {"font_color": "#375623", "bg_color": "#EDEDED", "border": 1, "border_color": "#BFBFBF"},
    "result": {"bg_color": "#E2EFDA"},
    "native": {"bg_color": "#F2F2F2"},
    "total": {"bold": True, "top": 1},
    "note": {"italic": True, "font_color": "#C65911", "valign": "top"},
    "plain": {},
    "quote_cell": {"italic": True, "font_color": "#404040"},
    "indent": {"indent": 2, "left": 1, "left_color": "#D9D9D9"},
    "center": {"align": "center"},
    "right": {"align": "right"},
}

#: Light grey major gridlines of every chart.
GRIDLINES = {"visible": True, "line": {"color": "#D9D9D9"}}


def set_widths(sheet: Any, widths: dict[int | tuple[int, int], float]) -> None:
    """Column widths: ``{column or (first, last): width}`` (0-based columns)."""
    for cols, width in widths.items():
        first, last = cols if isinstance(cols, tuple) else (cols, cols)
        sheet.set_column(first, last, width)


#: Conditional formats of the status words.
GOOD = {"font_color": "#006100", "bg_color": "#C6EFCE"}
BAD = {"font_color": "#9C0006", "bg_color": "#FFC7CE"}
NEUTRAL = {"font_color": "#7F6000", "bg_color": "#FFEB9C"}


def new_book(path: Path) -> tuple[Any, Styles]:
    """An XlsxWriter workbook with fixed properties (a rebuild gives the same file)."""
    import xlsxwriter

    # in_memory: the parts are assembled in memory, not in temporary files written and read again
    book = xlsxwriter.Workbook(str(path), {"use_future_functions": True, "in_memory": True})
    book.set_properties({"created": CREATED, "author": "xlfuncs", "company": "xlfuncs"})
    book.set_calc_mode("auto")
    add_worksheet, add_chart = book.add_worksheet, book.add_chart
    book.add_worksheet = lambda *a, **k: _translating_sheet(add_worksheet(*a, **k))
    book.add_chart = lambda *a, **k: _translating_chart(add_chart(*a, **k))
    return book, Styles(book)


def page_setup(sheet: Any, header_rows: int = 0) -> None:
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    if header_rows:
        sheet.repeat_rows(0, header_rows - 1)


def cell(row: int, col: int, absolute: bool = True) -> str:
    """A1 reference of a 0-based cell."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    return str(xl_rowcol_to_cell(row, col, row_abs=absolute, col_abs=absolute))


def span_ref(rows: tuple[int, int], col: int, absolute: bool = True) -> str:
    """Reference of rows ``first..last`` of one column (one cell when they are equal)."""
    first, last = rows
    return cell(first, col, absolute) + ("" if first == last else ":" + cell(last, col, absolute))


def status_formats(book: Any, sheet: Any, area: tuple[int, int, int, int], words: dict[str, dict]) -> None:
    """Colour the cells of ``area`` (first row, first col, last row, last col) that show each word."""
    for word, colours in words.items():
        sheet.conditional_format(
            *area,
            {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": book.add_format(colours)},
        )


def write_note(sheet: Any, st: Styles, row: int, last_col: int, text: str, lines: int = 2) -> None:
    """A merged, wrapped note over columns A..``last_col``."""
    sheet.merge_range(row, 0, row, last_col, text, st("subtitle", "wrap"))
    sheet.set_row(row, 15 * lines)

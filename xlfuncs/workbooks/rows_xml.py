"""A block of rows written into an XlsxWriter sheet as XML, column by column: the universe's companies.

XlsxWriter keeps every cell as an object and writes each through its general per-cell path, about
12 µs a cell, half of it storing.  The universe template holds 11 cells a company (1.1 million at
100,000 companies) and the screen's spilled list 10 a passing company, and writing them that way
took more time than anything else in ``xlfuncs workbooks --rows 100000`` but computing the book.
:func:`add_rows` hands the sheet a block of rows instead: its cells are written when XlsxWriter
writes the sheet, in its order (rows, then columns), with one pattern per column.  The bytes are
those XlsxWriter writes for the same cells written with ``write_column``,
``write_dynamic_array_formula`` and ``write_number`` (a test builds both and compares every part of
the files), so the workbook does not change.

What this takes from XlsxWriter beyond its documented interface, all of it there since its first
versions: the sheet's ``_write_rows`` and ``_calculate_spans`` (the sheet's rows above the block,
the block's, the rows below; the ``spans`` of each 16 rows cover both), ``_write_row`` and
``_write_cell`` (the sheet's own cells in the block's rows), ``_check_dimensions`` (the sheet's
``<dimension>``), the shared-string table (the block's strings take their index when the block is
added, as writing them would give), the formats' ``_get_xf_index`` (taken at the block's first
cells, where XlsxWriter takes it) and the ``has_dynamic_arrays`` flag (``xl/metadata.xml``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Numbers", "Spill", "Strings", "add_rows", "cache_points_fast"]

#: Rows put together at a time (the XML of a few thousand rows, not of the whole block, is held).
_CHUNK = 4096


@dataclass(frozen=True)
class Strings:
    """Text cells, one a row, stored as shared strings as they are (no formula or link is made of them)."""

    values: Sequence[str]
    fmt: Any


@dataclass(frozen=True)
class Numbers:
    """Number cells, one a row (finite)."""

    values: Sequence[float]
    fmt: Any


@dataclass(frozen=True)
class Spill:
    """One array formula over the whole block in ``columns`` columns from this one: its first cell holds
    it, every cell the value 0 until it is computed (the columns after this one are the block's next
    ones, given as zeros in their own formats); ``dynamic``: a dynamic-array formula (Excel 365 spills it).
    """

    formula: str  # as stored: without "=", with the prefixes of Excel's newer functions (_xlfn.)
    fmt: Any
    dynamic: bool = True
    columns: int = 1


Column = Strings | Numbers | Spill


@dataclass
class _Block:
    first_row: int
    last_row: int
    first_col: int
    columns: Sequence[Column]
    letters: list[str]
    refs: list[str]  # a spill's range, else ""
    indices: list[list[int] | None]  # a column's shared strings
    styles: list[str] | None = None  # each column's s attribute, once XlsxWriter would have taken it


def add_rows(sheet: Any, first_row: int, first_col: int, n: int, columns: Sequence[Column]) -> None:
    """Rows ``first_row`` to ``first_row + n - 1`` (0-based) of ``sheet``, one cell in each of ``columns``
    from ``first_col`` on, written when the workbook is closed.  The sheet's own cells in these rows
    must lie outside the block's columns.
    """
    from xlsxwriter.utility import xl_col_to_name  # when a book is written: --help imports none of it

    last_row, last_col = first_row + n - 1, first_col + len(columns) - 1
    for column in columns:
        if not isinstance(column, Spill) and len(column.values) != n:
            raise ValueError(f"a column of {len(column.values)} cells in a block of {n} rows")
    if sheet._check_dimensions(first_row, first_col) or sheet._check_dimensions(last_row, last_col):
        raise ValueError(f"rows {first_row}..{last_row}, columns {first_col}..{last_col}: outside a sheet")
    table = sheet.str_table
    letters = [xl_col_to_name(first_col + j) for j in range(len(columns))]
    block = _Block(
        first_row,
        last_row,
        first_col,
        columns,
        letters,
        [
            _ref(
                f"{letters[j]}{first_row + 1}",
                f"{xl_col_to_name(first_col + j + c.columns - 1)}{last_row + 1}",
            )
            if isinstance(c, Spill)
            else ""
            for j, c in enumerate(columns)
        ],
        # the shared strings' indices in the order that writing the columns one after another gives
        [
            [table._get_shared_string_index(s) for s in c.values] if isinstance(c, Strings) else None
            for c in columns
        ],
    )
    if any(isinstance(c, Spill) and c.dynamic for c in columns):
        sheet.has_dynamic_arrays = True
    calculate_spans, write_rows = sheet._calculate_spans, sheet._write_rows

    def rows_around_block() -> None:
        """The sheet's rows above the block, the block's, the sheet's rows below it."""
        calculate_spans()
        for i in range(first_row // 16, last_row // 16 + 1):
            low, high = first_col + 1, last_col + 1
            if i in sheet.row_spans:
                theirs = sheet.row_spans[i].split(":")
                low, high = min(low, int(theirs[0])), max(high, int(theirs[1]))
            sheet.row_spans[i] = f"{low}:{high}"
        top, bottom = sheet.dim_rowmin, sheet.dim_rowmax
        sheet._calculate_spans = lambda: None  # the spans of every row stay while they are written in parts
        try:
            if top < first_row:
                sheet.dim_rowmax = first_row - 1
                write_rows()
            for start in range(first_row, last_row + 1, _CHUNK):
                _write_chunk(sheet, block, start, min(start + _CHUNK, last_row + 1))
            if bottom > last_row:
                sheet.dim_rowmin, sheet.dim_rowmax = last_row + 1, bottom
                write_rows()
        finally:
            sheet.dim_rowmin, sheet.dim_rowmax = top, bottom
            sheet._calculate_spans = calculate_spans

    sheet._write_rows = rows_around_block


def _ref(first: str, last: str) -> str:
    return first if first == last else f"{first}:{last}"


def _write_chunk(sheet: Any, block: _Block, start: int, stop: int) -> None:
    """Rows ``start`` to ``stop - 1`` of ``block``, with the sheet's own cells of those rows."""
    last_col = block.first_col + len(block.columns) - 1
    cells: list[list[str]] | None = None
    pending: list[str] = []  # rows of the block's cells alone, written together
    for r in range(start, stop):
        theirs, info = sheet.table.get(r), sheet.row_info.get(r)
        span = sheet.row_spans[r // 16]
        if not theirs and info is None and block.styles is not None:
            if cells is None:
                cells = _cells(block, start, stop)
            pending.append(f'<row r="{r + 1}" spans="{span}">{"".join(c[r - start] for c in cells)}</row>')
            continue
        sheet.fh.write("".join(pending))
        pending.clear()
        sheet._write_row(r, span, info)
        after = []
        for col in sorted(theirs or ()):
            if block.first_col <= col <= last_col:
                from xlsxwriter.utility import xl_rowcol_to_cell

                raise ValueError(f"cell {xl_rowcol_to_cell(r, col)} is both the sheet's and the block's")
            if col < block.first_col:
                sheet._write_cell(r, col, theirs[col])
            else:
                after.append(col)
        if block.styles is None:  # the formats' indices are taken here, after those of the cells before
            block.styles = [_style(c.fmt) for c in block.columns]
        if cells is None:
            cells = _cells(block, start, stop)
        sheet.fh.write("".join(c[r - start] for c in cells))
        for col in after:
            sheet._write_cell(r, col, theirs[col])
        sheet.fh.write("</row>")
    sheet.fh.write("".join(pending))


def _escaped(text: str) -> str:
    """``text`` as XML character data, escaped as XlsxWriter escapes a formula."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _style(fmt: Any) -> str:
    """The ``s`` attribute of a cell in ``fmt`` (none without a format)."""
    return "" if fmt is None else f' s="{fmt._get_xf_index()}"'


def _cells(block: _Block, start: int, stop: int) -> list[list[str]]:
    """Each column's cells in rows ``start`` to ``stop - 1``, as XlsxWriter writes them."""
    assert block.styles is not None
    rows = range(start + 1, stop + 1)  # Excel's row numbers
    skip, end = start - block.first_row, stop - block.first_row
    out = []
    for column, letter, style, ref, strings in zip(
        block.columns, block.letters, block.styles, block.refs, block.indices, strict=True
    ):
        if strings is not None:
            out.append(
                [
                    f'<c r="{letter}{r}"{style} t="s"><v>{i}</v></c>'
                    for r, i in zip(rows, strings[skip:end], strict=True)
                ]
            )
        elif isinstance(column, Numbers):
            out.append(
                [
                    f'<c r="{letter}{r}"{style}><v>{v:.16G}</v></c>'
                    for r, v in zip(rows, column.values[skip:end], strict=True)
                ]
            )
        elif isinstance(column, Spill):
            zeros = [f'<c r="{letter}{r}"{style}><v>0</v></c>' for r in rows]
            if start == block.first_row:
                dynamic = ' cm="1"' if column.dynamic else ""
                zeros[0] = (
                    f'<c r="{letter}{start + 1}"{style}{dynamic}><f t="array" ref="{ref}">'
                    f"{_escaped(column.formula)}</f><v>0</v></c>"
                )
            out.append(zeros)
    return out


def cache_points_fast(chart: Any) -> None:
    """The points a chart caches of its numeric ranges written as one string per range, not through
    XlsxWriter's per-point path (a scatter over the universe caches two points a company), in the same
    bytes: ``_write_num_cache`` of this chart, for data of numbers and gaps (None); other data as before.
    """
    write_num_cache = chart._write_num_cache

    def num_cache(data: Any) -> None:
        if not data or not all(v is None or type(v) in (int, float) for v in data):
            write_num_cache(data)
            return
        points = "".join(
            f'<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>' for i, v in enumerate(data) if v is not None
        )
        chart.fh.write(
            f'<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{len(data)}"/>{points}</c:numCache>'
        )

    chart._write_num_cache = num_cache

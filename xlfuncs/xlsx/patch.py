"""Cached values written into a workbook's sheets, everything else kept byte for byte.

:func:`write_values` stores ``{(sheet, "A1"): value}`` as the cells' cached values (``<v>``):
the formulas, styles and every other part of the package stay as they were, so the file is what
its author saved plus the values that previews, pandas and ``openpyxl(data_only=True)`` read.
How a value is stored (its ``t`` attribute and ``<v>`` text) is the caller's ``encode``.
"""

from __future__ import annotations

import contextlib
import copy
import re
import sys
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import chain, groupby
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from .package import copy_part, read_part, sheet_parts
from .refs import column_letters, letters_and_rows, split_ref
from .sheet import SHEET_DATA, attr, patterns
from .writes import replacing

__all__ = ["Encode", "SheetPatcher", "write_values"]

#: ``encode(value) -> (t attribute, <v> text)``; ``(None, None)`` removes the cached value.
Encode = Callable[[object], "tuple[str | None, str | None]"]

_T_ATTR = re.compile(r'\st="[^"]*"')


class _NotInFile(Exception):
    """A cell to write that the one pass did not find (raised at the end of the pass)."""


_ABSENT = object()
#: Characters of ``<sheetData>`` patched at a time, cut after a ``</row>``: the writer thread
#: compresses one piece while the next is patched.  A sheet under :data:`_PIECES` pieces is cut
#: in that many (but not below :data:`_SMALLEST_PIECE`), so that compressing overlaps patching in
#: a small sheet too; more pieces cost each piece a hand-over between the threads.
_PIECE = 1 << 20
_SMALLEST_PIECE = 1 << 16
_PIECES = 8
#: Columns named one by one in the one pass's expression: each costs a test per cell of the sheet
#: (0.2 ms per 100,000 cells); more columns than this are matched by any letters.
_COLUMNS = 64
#: Output bytes a cell may need besides its value text and prefixes (a new ``<c r="XFD1048576" s=".."
#: t="str"><v></v></c>`` in a new row): with the value texts, a bound of the patched part's size.
_CELL_BYTES = 128


class SheetPatcher:
    """Rewrites the cells of one sheet's XML; everything outside them stays as it was.

    ``cells``: ``{"A1" reference: value}`` (``$`` and lower case allowed).

    Handles the SpreadsheetML Excel, XlsxWriter and openpyxl write (with or
    without a namespace prefix; ``r`` attributes may be omitted).  Cells missing
    from the XML (openpyxl writes only the anchor of an array formula) are
    created with the row's or column's style, as Excel would show them.

    Two ways to the same XML: when every cell to write is in the file with its
    reference as its first attribute, spelt the same (``<c r="G5" ...>``, as
    Excel and XlsxWriter write every cell of a spilled range), one
    regular-expression pass finds the cells by their ``r`` text
    (:meth:`_patch_found`); otherwise the general merge (:meth:`_patch_general`)
    walks rows and cells by number and creates the missing ones.
    """

    def __init__(self, xml: str, cells: dict[str, object], encode: Encode):
        self.cells, self.encode = cells, encode
        m = SHEET_DATA.search(xml)
        if not m:
            raise ValueError("no <sheetData> in the sheet")
        self.prefix = m.group(1) or ""
        if m.group(2):  # <sheetData/>: opened and closed around the new rows
            self.head, self.body = f"{xml[: m.end() - 2]}>", ""
            self.tail = f"</{self.prefix}sheetData>{xml[m.end() :]}"
        else:
            end = xml.find(f"</{self.prefix}sheetData>", m.end())
            if end < 0:
                raise ValueError("no </sheetData> in the sheet")
            self.head, self.body, self.tail = xml[: m.end()], xml[m.end() : end], xml[end:]
        self.xml = patterns(self.prefix)
        # The cells with r first (as Excel, XlsxWriter and openpyxl write them) in the columns written
        # (up to _COLUMNS of them; the other cells then cost no Python call), by their r.
        self.letters, self.rows = letters_and_rows(cells)
        columns = "|".join(sorted(self.letters)) or "(?!)"  # (no letters: no cell to find)
        if len(self.letters) > _COLUMNS:
            columns = "[A-Za-z]+"
        self.found_re, self.refs_re = self.xml.cells_in(columns)
        self.col_styles = [
            (int(attr(a, "min") or 0), int(attr(a, "max") or 0), attr(a, "style"))
            for a in self.xml.col.findall(xml)
            if attr(a, "style")
        ]

    def size_bound(self, size: int) -> int:
        """At least the number of UTF-8 bytes :meth:`pieces` gives for a sheet of ``size`` bytes (for
        the zip entry's ZIP64 choice): what it removes only shrinks it, and a character of text
        written takes at most 7 bytes (``_xHHHH_``).
        """
        text = sum(len(v) for v in self.cells.values() if isinstance(v, str))
        return size + 7 * text + (_CELL_BYTES + 6 * len(self.prefix)) * len(self.cells)

    def patch(self) -> str:
        """The whole patched XML."""
        return "".join(self.pieces(checked=True))

    def pieces(self, checked: bool) -> Iterator[str]:
        """The patched XML in consecutive pieces.

        ``checked``: the cells are looked for first (:meth:`_found`) and
        the general merge used when the one pass would miss one.  Otherwise the one pass runs and
        raises :class:`_NotInFile` at its end if it missed one.
        """
        yield self._dimension(self.head)
        cuts = self._cuts()
        if checked and not self.cells.keys() <= self._found(cuts):
            yield self._patch_general(self.body)
        else:
            yield from self._patch_found(cuts)
        yield self.tail

    def _cuts(self) -> list[tuple[int, int]]:
        """Where the pieces of the rows begin and end: after the first ``</row>`` a piece's length on
        (:data:`_PIECE`; a cell is never cut).
        """
        body, end, cuts, pos = self.body, f"</{self.prefix}row>", [], 0
        piece = min(_PIECE, max(_SMALLEST_PIECE, len(body) // _PIECES))
        while pos < len(body):
            cut = body.find(end, pos + piece)
            cut = len(body) if cut < 0 else cut + len(end)
            cuts.append((pos, cut))
            pos = cut
        return cuts

    def _found(self, cuts: list[tuple[int, int]]) -> set[str]:
        """The ``r`` of the cells :meth:`_patch_found` finds in these pieces."""
        found: set[str] = set()
        for start, end in cuts:
            found.update(self.refs_re.findall(self.body[start:end]))
        return found

    def _patch_found(self, cuts: list[tuple[int, int]]) -> Iterator[str]:
        """The pieces of the rows patched in one pass each; :class:`_NotInFile` at the end unless
        each cell to write was among :meth:`_found`.

        A cell's ``r`` names it (ECMA-376 requires it to agree with its row's); the first cell
        with that ``r`` is patched, as :meth:`_patch_general` does.  The expression splits a piece
        into the text between the cells and each cell's groups, with no Python call per cell (as a
        replacement function would make); a cell not written is put back together from its
        groups, as the expression matches its tags literally.
        """
        todo = dict(self.cells)
        pop, cell, content, p = todo.pop, self._cell, self._content, self.prefix
        for start, end in cuts:
            # the text before the first cell, then per cell: r, other attributes, formula, <v> text,
            # content, and the text after it
            parts = self.found_re.split(self.body[start:end])
            cells: list[str] = []
            add = cells.append
            for ref, attrs, formula, cached, body in zip(*(parts[i::6] for i in range(1, 6)), strict=True):
                value = pop(ref, _ABSENT)
                if value is _ABSENT:  # not to write, or written already (a second cell with the same r)
                    if formula is not None:
                        add(f'<{p}c r="{ref}"{attrs}>{formula}<{p}v>{cached}</{p}v></{p}c>')
                    elif body is not None:
                        add(f'<{p}c r="{ref}"{attrs}>{body}</{p}c>')
                    else:
                        add(f'<{p}c r="{ref}"{attrs}>')
                elif formula is not None:  # <c ...>[<f>...</f>]<v>...</v></c>
                    add(cell(f' r="{ref}"{attrs}', formula, "", value))
                elif body is not None:
                    add(cell(f' r="{ref}"{attrs}', *content(body), value))
                else:
                    add(cell(f' r="{ref}"{attrs[:-1]}', "", "", value))  # <c .../>
            cells.append("")
            yield "".join(chain.from_iterable(zip(parts[::6], cells, strict=True)))
        if todo:
            raise _NotInFile(next(iter(todo)))

    def _patch_general(self, body: str) -> str:
        by_row: dict[int, dict[int, object]] = {}
        for ref, value in self.cells.items():
            row, col = split_ref(ref)
            by_row.setdefault(row, {})[col] = value
        return _merge(body, self.xml.row, by_row, self._patch_row, self._new_row)

    def _style(self, row_attrs: str, col: int) -> str | None:
        if attr(row_attrs, "customFormat") in ("1", "true"):
            return attr(row_attrs, "s")
        return next((s for lo, hi, s in self.col_styles if lo <= col <= hi), None)

    def _patch_row(self, m: re.Match[str], row: int, wanted: dict[int, object]) -> str:
        attrs, body, inserted = m.group(1), m.group(2) or "", []

        def new_cell(col: int, value: object) -> str:
            inserted.append(col)
            return self._cell(f' r="{column_letters(col)}{row}"', "", "", value, self._style(attrs, col))

        body = _merge(
            body,
            self.xml.cell,
            wanted,
            lambda cm, col, value: self._cell(cm.group(1), *self._content(cm.group(2) or ""), value),
            new_cell,
        )
        if inserted:
            attrs = re.sub(r'\sspans="[^"]*"', "", attrs)  # an optional hint that may now be too narrow
        return f"<{self.prefix}row{attrs}>{body}</{self.prefix}row>"

    def _new_row(self, row: int, wanted: dict[int, object]) -> str:
        cells = "".join(
            self._cell(f' r="{column_letters(col)}{row}"', "", "", wanted[col], self._style("", col))
            for col in sorted(wanted)
        )
        return f'<{self.prefix}row r="{row}">{cells}</{self.prefix}row>'

    def _content(self, body: str) -> tuple[str, str]:
        """A cell's content without its cached value (or inline-string constant), cut where the new
        ``<v>`` goes: after the formula (schema order: f, v, is, extLst).
        """
        if "<" in body:
            body = self.xml.cached.sub("", body)
        end = self.xml.formula_end.search(body)
        at = end.end() if end else 0
        return body[:at], body[at:]

    def _cell(self, attrs: str, before: str, after: str, value: object, style: str | None = None) -> str:
        """One ``<c>`` holding ``value`` as its cached value between ``before`` and ``after`` (its
        :meth:`_content`); formula, style, ``cm`` etc. kept.
        """
        t, v = self.encode(value)
        if 't="' in attrs:
            attrs = _T_ATTR.sub("", attrs)
        if style is not None:
            attrs += f' s="{style}"'
        if t:
            attrs += f' t="{t}"'
        p = self.prefix
        body = f"{before}<{p}v>{v}</{p}v>{after}" if v is not None else before + after
        return f"<{p}c{attrs}>{body}</{p}c>" if body else f"<{p}c{attrs}/>"

    def _dimension(self, xml: str) -> str:
        """Widen ``<dimension ref>`` to cover the written cells (readers in read-only mode trust it)."""
        m = self.xml.dimension.search(xml)
        if not m or not self.rows:
            return xml
        try:
            corners = [split_ref(r) for r in m.group(2).split(":")]
            cols = [split_ref(f"{letters}1")[1] for letters in self.letters]
        except ValueError:  # not a reference: left as it is (a cell's is refused by _patch_general)
            return xml
        r1, r2 = min([r for r, _ in corners] + self.rows), max([r for r, _ in corners] + self.rows)
        c1, c2 = min([c for _, c in corners] + cols), max([c for _, c in corners] + cols)
        ref = column_letters(c1) + str(r1)
        if (r1, c1) != (r2, c2):
            ref += f":{column_letters(c2)}{r2}"
        return xml[: m.start(2)] + ref + xml[m.end(2) :]


def _merge(
    body: str,
    element: re.Pattern[str],
    wanted: dict[int, Any],
    patch: Callable[[re.Match[str], int, Any], str],
    new: Callable[[int, Any], str],
) -> str:
    """Rewrite the elements of ``body`` whose index (``r``) is a key of ``wanted`` and create the missing
    ones in index order.  ``patch(match, index, value)`` and ``new(index, value)`` give the new XML.
    Elements before the next wanted index are copied as one slice; after the last, the rest of the body.
    """
    keys = sorted(wanted)
    out, pos, k, previous, n, last = [], 0, 0, 0, len(keys), 0
    for m in element.finditer(body):
        if k == n:
            break
        last = m.end()
        ref = attr(m.group(1), "r")
        if ref is None:
            index = previous + 1
        elif ref.isdigit():
            index = int(ref)
        else:
            index = split_ref(ref)[1]
        previous = index
        if keys[k] > index:
            continue
        out.append(body[pos : m.start()])
        while k < n and keys[k] < index:
            out.append(new(keys[k], wanted[keys[k]]))
            k += 1
        if k < n and keys[k] == index:
            out.append(patch(m, index, wanted[index]))
            k += 1
        else:
            out.append(m.group(0))
        pos = m.end()
    if k < n:  # wanted indexes after the last element: created after it
        out.append(body[pos:last])
        out.extend(new(key, wanted[key]) for key in keys[k:])
        pos = last
    out.append(body[pos:])
    return "".join(out)


#: zlib's level for a patched sheet: level 6, zlib's default, takes a sheet's XML much longer than
#: level 5 for about 1 % less size, and compressing beside patching sets the write-back's pace.
_LEVEL = 5

#: The GIL switch interval while a sheet is patched and compressed, seconds.  A small sheet's
#: pieces compress in a few milliseconds each, so the compressing thread's three waits for the GIL
#: a piece are a real share of the write-back unless they are short.
_SWITCH = 0.0002


@contextlib.contextmanager
def _prompt_handover() -> Iterator[None]:
    """A short GIL switch interval (:data:`_SWITCH`, instead of 5 ms) while :func:`_write_part` runs:
    the compressing thread needs the GIL back three times a piece (CRC, deflate, file write) from a
    main thread that never waits, and would otherwise hold it for the whole interval.
    """
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, _SWITCH))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def _write_part(zout: zipfile.ZipFile, info: zipfile.ZipInfo, pieces: Iterable[str], size_bound: int) -> None:
    """Write the patched sheet as the member ``info`` (same name, date, compression).

    Each piece is compressed in a second thread while the next one is patched: zlib and the CRC
    release the GIL, so compressing overlaps patching.
    """
    member = copy.copy(info)
    member.file_size = size_bound  # zipfile reserves ZIP64 fields only for a part that may need them
    member._compresslevel = _LEVEL  # type: ignore[attr-defined]  # (zipfile reads it; None as read: 6)
    with _prompt_handover(), zout.open(member, "w") as part, ThreadPoolExecutor(1) as writer:
        pending: deque[Future[int]] = deque()
        for piece in pieces:
            pending.append(writer.submit(part.write, piece.encode("utf-8")))
            if len(pending) > 2:  # at most three pieces held
                pending.popleft().result()
        for done in pending:
            done.result()


def _by_part(
    values: dict[tuple[str, str], object], parts: dict[str, str], book: str
) -> dict[str, dict[str, object]]:
    """``{sheet part: {reference: value}}``; sheet names match case-insensitively.

    Each run of values of one sheet is taken with ``zip`` and ``dict.update``: no Python step
    per value.
    """
    lower = {name.lower(): part for name, part in parts.items()}
    sheets, refs = list(map(itemgetter(0), values)), list(map(itemgetter(1), values))
    cells, start = list(values.values()), 0
    todo: dict[str, dict[str, object]] = {}
    for sheet, run in groupby(sheets):
        end = start + len(list(run))
        part = parts.get(sheet) or lower.get(sheet.lower())
        if part is None:
            raise KeyError(f"no sheet named {sheet!r} in {book}")
        todo.setdefault(part, {}).update(zip(refs[start:end], cells[start:end], strict=True))
        start = end
    return todo


def write_values(
    src: str | Path, dst: str | Path, values: dict[tuple[str, str], object], encode: Encode
) -> None:
    """Store ``values`` (``{(sheet name, "A1"): value}``) as cached values of the workbook ``src`` in ``dst``.

    ``encode(value)`` gives each value's ``t`` attribute and ``<v>`` text (``(None, None)`` removes
    the cached value).  Formulas and the cells' other attributes (``s``, ``cm``,
    the ``ref`` of array formulas) are kept; cells not in the file are created.
    Every zip member other than the patched sheets is copied unchanged (same
    bytes, name, date, compression, order).  ``dst`` may be ``src``: the new
    file is written beside it and then replaces it.  Sheet names match
    case-insensitively, as in Excel.
    """
    src, dst = Path(src), Path(dst)
    with zipfile.ZipFile(src) as zin:
        parts = sheet_parts(zin)
        todo = _by_part(values, parts, src.name)
        # replacing() refuses links, read-only and hard-linked targets and removes its temporary
        # file on failure, SIGINT and SIGTERM; parts not patched are streamed (copy_part)
        with replacing(dst, mode_from=src) as raw:
            try:
                _write_book(zin, raw, todo, encode, checked=False)
            except _NotInFile:  # a cell not in the file (openpyxl writes only an array's anchor): again
                raw.seek(0)
                raw.truncate()
                _write_book(zin, raw, todo, encode, checked=True)


def _write_book(
    zin: zipfile.ZipFile, raw: IO[bytes], todo: dict[str, dict[str, object]], encode: Encode, checked: bool
) -> None:
    """The new package: ``zin``'s parts, the sheets of ``todo`` patched (``checked``: see
    :meth:`SheetPatcher.pieces`).
    """
    with zipfile.ZipFile(raw, "w") as zout:
        zout.comment = zin.comment
        for info in zin.infolist():
            if info.filename not in todo:
                copy_part(zin, info, zout)
                continue
            xml = read_part(zin, info.filename).decode("utf-8")
            patcher, xml = SheetPatcher(xml, todo[info.filename], encode), ""  # (its text, held once)
            _write_part(zout, info, patcher.pieces(checked), patcher.size_bound(info.file_size))

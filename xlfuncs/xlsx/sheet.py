"""The one scanner of SpreadsheetML text: every regular expression that reads sheet XML (and the
formulas of the workbook part) lives here, and every module that reads or patches a sheet uses it.

Sheets are read and patched as text, not parsed, so that everything a patch does not change keeps
its bytes.  The expressions match what Excel, XlsxWriter and openpyxl write: elements with or
without a namespace prefix (:func:`patterns`), attributes in any order (:func:`attr`).

* :func:`attr`, :func:`escape_text`, :func:`unescape_text`: attributes and character data.
* :class:`Patterns`: rows, cells, formulas and cached values of a sheet with a given prefix;
  :data:`CELL`, :data:`FORMULA`, :data:`VALUE` for the unprefixed sheets the engines write.
* :data:`FORMULA_TEXT`, :data:`DEFINED_NAME_TEXT`: formula text in sheets and defined names.
* :func:`without_merges`, :func:`data_tables`, :func:`without_data_tables`: what the engines cannot
  compute as Excel does, found and removed.
* :func:`count_formulas` (how many formula cells, read in chunks) and :func:`formula_cells` (which
  cells hold a formula or lie in an array formula's range).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, unescape

from .package import CHUNK, read_part, sheet_parts
from .refs import cells

__all__ = [
    "CELL",
    "DEFINED_NAME_TEXT",
    "FORMULA",
    "FORMULA_TEXT",
    "SHEET_DATA",
    "VALUE",
    "Patterns",
    "attr",
    "count_cells",
    "count_formulas",
    "data_tables",
    "escape_text",
    "formula_cells",
    "patterns",
    "unescape_text",
    "without_data_tables",
    "without_merges",
]

_ATTR = r'(?<![\w:.-]){}="([^"]*)"'
_ATTRS: dict[str, re.Pattern[str]] = {}  # compiled _ATTR per name: attr() runs once or more per cell
_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")


def attr(attrs: str, name: str) -> str | None:
    """The (still escaped) value of attribute ``name`` in an element's attribute text, or None.

    A prefixed or longer name does not count: ``r`` is not found in ``x:r="1"``.

    >>> attr(' r="B2" s="3" t="str"', "s"), attr(' x:r="1"', "r")
    ('3', None)
    """
    pattern = _ATTRS.get(name)
    if pattern is None:
        pattern = _ATTRS[name] = re.compile(_ATTR.format(re.escape(name)))
    m = pattern.search(attrs)
    return m.group(1) if m else None


def escape_text(s: str) -> str:
    r"""Text as XML character data (for ``<v>`` or ``<t>``): ``&``, ``<`` and ``>`` escaped, characters XML
    cannot hold written as ``_xHHHH_``, and a literal ``_xHHHH_`` kept literal, as Excel does.

    >>> escape_text("a < b & c\x01_x0041_")
    'a &lt; b &amp; c_x0001__x005F_x0041_'
    """
    s = _ESCAPED.sub("_x005F_", s)
    return escape(_CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", s))


def unescape_text(s: str) -> str:
    r"""XML character data or an attribute value as text: the five predefined entities undone
    (``_xHHHH_`` sequences are left as they are).

    >>> unescape_text("A &amp; B &lt;&gt; &quot;x&quot; &apos;y&apos;")
    'A & B <> "x" \'y\''
    """
    return unescape(s, {"&quot;": '"', "&apos;": "'"})


# --- rows, cells, formulas, values ---------------------------------------------------------

#: ``<sheetData ...>`` or ``<sheetData/>``: groups the namespace prefix and the ``/`` of an empty one.
SHEET_DATA = re.compile(r"<(\w+:)?sheetData\b[^>]*?(/?)>")


@dataclass(frozen=True)
class Patterns:
    """The elements of one sheet's XML whose namespace prefix is ``prefix`` (``""`` or ``"x:"``)."""

    prefix: str
    row: re.Pattern[str]  #: groups: attributes, content
    cell: re.Pattern[str]  #: groups ``attrs`` and ``body`` (None for ``<c .../>``)
    formula: re.Pattern[str]  #: groups ``attrs`` and ``text``
    value: re.Pattern[str]  #: ``<v>``, group ``text``
    cached: re.Pattern[str]  #: a cell's cached value or inline string (``<v>`` or ``<is>``)
    formula_end: re.Pattern[str]  #: where a cell's formula ends (``</f>`` or ``<f .../>``)
    dimension: re.Pattern[str]  #: groups: ``<dimension ... ref="``, the reference
    col: re.Pattern[str]  #: ``<col>``, group: attributes

    def cells_in(self, columns: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
        """Two expressions for the cells whose ``r`` is their first attribute and whose column
        matches ``columns`` (an alternation of letters): the first groups ``r``, the other
        attributes, then the formula and the ``<v>`` text of a cell holding only ``[<f>]`` and
        ``<v>``, or else its content; the second only ``r``.  They match what :attr:`cell` matches
        (``[^>]*`` stops where ``[^>]*?`` does, before the first ``>``; a ``/`` before it makes an
        empty cell).
        """
        p = re.escape(self.prefix)
        cell = (  # {}: where a group opens, "(" or "(?:"
            rf'<{p}c r="((?:{columns})[0-9]+)"{{}}[^>]*)(?:(?<=/)>|>(?:{{}}(?:<{p}f\b[^>]*?(?:/>|>[^<]*</{p}f>))?)'
            rf"<{p}v>{{}}[^<]*)</{p}v>|{{}}.*?))</{p}c>)"
        )
        return re.compile(cell.format(*"(((("), re.S), re.compile(cell.format(*["(?:"] * 4), re.S)


def patterns(prefix: str = "") -> Patterns:
    """The :class:`Patterns` of a sheet whose elements carry the namespace prefix ``prefix``."""
    p = re.escape(prefix)
    return Patterns(
        prefix=prefix,
        row=re.compile(rf"<{p}row\b([^>]*?)(?:/>|>(.*?)</{p}row>)", re.S),
        cell=re.compile(rf"<{p}c\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</{p}c>)", re.S),
        formula=re.compile(rf"<{p}f\b(?P<attrs>[^>]*?)(?:/>|>(?P<text>.*?)</{p}f>)", re.S),
        value=re.compile(rf"<{p}v\b[^>]*?(?:/>|>(?P<text>.*?)</{p}v>)", re.S),
        cached=re.compile(rf"<{p}v\b[^>]*?(?:/>|>.*?</{p}v>)|<{p}is\b[^>]*?(?:/>|>.*?</{p}is>)", re.S),
        formula_end=re.compile(rf"</{p}f>|<{p}f\b[^>]*?/>"),
        dimension=re.compile(rf'(<{p}dimension\b[^>]*?\bref=")([^"]*)"'),
        col=re.compile(rf"<{p}col\b([^>]*)"),
    )


_PLAIN = patterns("")
#: Cells, formulas and cached values of a sheet without a namespace prefix (as the engines'
#: copies and every writer but some tools write them).
CELL, FORMULA, VALUE = _PLAIN.cell, _PLAIN.formula, _PLAIN.value

#: The text of every formula of a sheet (any prefix): groups the opening tag, the text, the end tag.
FORMULA_TEXT = re.compile(r"(<(?:\w+:)?f\b[^>]*>)(.*?)(</(?:\w+:)?f>)", re.S)
#: The same for the workbook part's defined names.
DEFINED_NAME_TEXT = re.compile(r"(<(?:\w+:)?definedName\b[^>]*>)(.*?)(</(?:\w+:)?definedName>)", re.S)


_CACHED_VALUE = re.compile(rb"<(\w+:|)v>[^<]*</\1v>")
_CELL_TYPE = re.compile(rb'(<(?:\w+:)?c\b[^>]*?) t="[^"]*"')


def without_cached_values(sheet_xml: bytes) -> bytes:
    """A sheet's XML without its cells' cached values (``<v>``) and their types (``t``): what
    stays is the sheet as written, whatever computed it.

    >>> without_cached_values(b'<c r="A1" s="1" t="b"><f>A2&gt;0</f><v>1</v></c>')
    b'<c r="A1" s="1"><f>A2&gt;0</f></c>'
    """
    return _CELL_TYPE.sub(rb"\1", _CACHED_VALUE.sub(b"", sheet_xml))


# --- what the engines cannot compute as Excel does -------------------------------------------

_MERGES = re.compile(r"<(\w+:|)mergeCells\b[^>]*?(?:/>|>.*?</\1mergeCells>)", re.S)


def without_merges(sheet_xml: str) -> str:
    """A sheet's XML without its merged ranges (``<mergeCells>``).  Merging only changes what is shown:
    Excel still computes a formula in a merged-over cell, which openpyxl would read as empty.

    >>> without_merges('<sheetData/><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells><x/>')
    '<sheetData/><x/>'
    """
    return _MERGES.sub("", sheet_xml)


_DATA_TABLE = re.compile(r'<(\w+:|)f\b(?=[^>]*?\bt="dataTable")([^>]*?)(?:/>|>[^<]*</\1f>)')


def data_tables(sheet_xml: str) -> list[str]:
    """The ranges of the what-if data tables of a sheet (``<f t="dataTable" ref="B5:B7" ...>``, the
    formula Excel stores once for the whole range), in the order of the file.

    >>> data_tables('<c r="B5"><f t="dataTable" ref="B5:B7" dt2D="0" dtr="0" r1="A1"/><v>1</v></c>')
    ['B5:B7']
    """
    return [attr(m.group(2), "ref") or "" for m in _DATA_TABLE.finditer(sheet_xml)]


def without_data_tables(sheet_xml: str) -> str:
    """A sheet's XML with each what-if data table's formula removed: its cells keep the values Excel
    stored, as constants.

    >>> without_data_tables('<c r="B5"><f t="dataTable" ref="B5:B7" dt2D="0" r1="A1"/><v>1</v></c>')
    '<c r="B5"><v>1</v></c>'
    """
    return _DATA_TABLE.sub("", sheet_xml)


# --- the formula cells ---------------------------------------------------------------------

_FORMULA_START = re.compile(rb"<f[\s/>]")


_CELL_START = re.compile(rb"<c[\s/>]")


def _count(z: zipfile.ZipFile, start: re.Pattern[bytes]) -> int:
    """How many elements the sheets hold that begin with ``start`` (three bytes), counted in chunks."""
    count = 0
    for part in sheet_parts(z).values():
        tail = b""
        with z.open(part) as xml:
            while chunk := xml.read(CHUNK):
                window = tail + chunk
                count += len(start.findall(window)) - len(start.findall(tail))
                tail = window[-3:]
    return count


def count_formulas(z: zipfile.ZipFile) -> int:
    """How many cells of the sheets hold a formula (``<f>`` elements), counted in chunks."""
    return _count(z, _FORMULA_START)


def count_cells(z: zipfile.ZipFile) -> int:
    """How many cells the sheets hold (``<c>`` elements: constants, formulas and empty styled cells)."""
    return _count(z, _CELL_START)


def formula_cells(
    path: Path,
    booleans: set[tuple[str, str]] | None = None,
    tables: list[tuple[str, str]] | None = None,
    marked: tuple[Callable[[str], bool], set[tuple[str, str]]] | None = None,
) -> dict[str, list[str]]:
    """``{sheet: [cell, ...]}``: every cell holding a formula or inside an array formula's range.
    ``booleans`` collects the cells whose stored value is a boolean (``t="b"``); ``tables`` the
    what-if data tables, ``(sheet, "B5:B7")``, whose cells are not listed.  ``marked``, ``(test,
    cells)``: collects the cells whose formula text (unescaped) passes ``test``, the cells sharing
    it and those of its array range included.
    """
    found: dict[str, list[str]] = {}
    with zipfile.ZipFile(path) as book:
        for name, part in sheet_parts(book).items():
            listed: list[str] = []
            shared: dict[str | None, bool] = {}
            for cell in CELL.finditer(read_part(book, part).decode("utf-8")):
                attrs, body = cell["attrs"], cell["body"]
                if booleans is not None and 't="b"' in attrs and attr(attrs, "t") == "b":
                    booleans.add((name, attr(attrs, "r") or ""))
                formula = FORMULA.search(body) if body and "<f" in body else None
                if formula is None:
                    continue
                if attr(formula["attrs"], "t") == "dataTable":
                    if tables is not None:
                        tables.append((name, attr(formula["attrs"], "ref") or ""))
                    continue
                kind = attr(formula["attrs"], "t")
                ref = attr(formula["attrs"], "ref") if kind == "array" else None
                these = cells(ref) if ref else [attr(cell["attrs"], "r") or ""]
                listed.extend(these)
                if marked is not None:
                    text = formula["text"]
                    passes = (
                        marked[0](unescape_text(text))
                        if text
                        else shared.get(attr(formula["attrs"], "si"), False)
                    )
                    if kind == "shared" and text:
                        shared[attr(formula["attrs"], "si")] = passes
                    if passes:
                        marked[1].update((name, r) for r in these)
            found[name] = list(dict.fromkeys(listed))
    return found

"""The parts of an .xlsx file, read as text: what :mod:`xlfuncs.workbooks.calc` and :mod:`xlfuncs.workbooks.libreoffice` share.

* :func:`sheet_parts`: which zip member holds each sheet's XML, found through
  the package and workbook relationships as Excel does.
* :func:`attr`, :func:`escape_text`, :func:`unescape_text`: attributes and
  character data of the SpreadsheetML those modules patch with regular
  expressions (so that everything they do not change keeps its bytes).
* :func:`split_ref`, :func:`column_letters`, :func:`cells`: A1 references.
* :func:`check_package`, :func:`read_part`, :func:`copy_part`: the package read within
  stated limits (:class:`PackageError`, one line) and parts copied without holding them.

Limits: a zip member may inflate to at most :data:`MAX_PART_BYTES` (256 MiB), all of them
together to :data:`MAX_PACKAGE_BYTES` (1 GiB), and a member over 1 MiB at most
:data:`MAX_RATIO` (200) times its compressed size; real SpreadsheetML compresses 5 to 30
times, a zip bomb hundreds to thousands.  Python's ``zipfile`` never inflates a member past
its declared size, so checking the declared sizes bounds what any reader of the file
(openpyxl, ``formulas``, this module) can be made to hold.  An XML part with a document type
declaration (``<!DOCTYPE``, which entity expansion attacks need and Excel never writes) is
refused too.
"""

from __future__ import annotations

import copy
import functools
import posixpath
import re
import string
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterable
from xml.sax.saxutils import escape, unescape

__all__ = [
    "MAX_PACKAGE_BYTES",
    "MAX_PART_BYTES",
    "MAX_RATIO",
    "REF",
    "ZIP_ERRORS",
    "PackageError",
    "attr",
    "cells",
    "check_package",
    "column_letters",
    "copy_part",
    "data_tables",
    "escape_text",
    "formula_cells",
    "letters_and_rows",
    "local_name",
    "read_part",
    "relationships",
    "sheet_parts",
    "split_ref",
    "unescape_text",
    "without_data_tables",
    "without_merges",
]

#: One A1 cell reference, ``$`` allowed: groups column letters and row number.
REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")
_ATTR = r'(?<![\w:.-]){}="([^"]*)"'
_ATTRS: dict[str, re.Pattern[str]] = {}  # compiled _ATTR per name: attr() runs once or more per cell
_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
MAX_PART_BYTES = 256 * 2**20
MAX_PACKAGE_BYTES = 2**30
MAX_RATIO = 200
_RATIO_FROM = 2**20  # small parts may compress better (a sheet of blanks); they cannot grow large
_CHUNK = 2**20
_DOCTYPE = b"<!DOCTYPE"
_FORMULA = re.compile(rb"<f[\s/>]")


#: What ``zipfile`` raises for a damaged package: damaged data, a bad CRC, an unknown zip
#: version or compression method, an encrypted member.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


class PackageError(ValueError):
    """A package refused within the stated limits; the message is one line."""


# --- A1 references ---------------------------------------------------------------------


def split_ref(ref: str) -> tuple[int, int]:
    """``"D12"`` -> (row 12, column 4); ``$`` and lower case are allowed.

    >>> split_ref("D12"), split_ref("$ab$3")
    ((12, 4), (3, 28))
    """
    m = REF.fullmatch(ref)
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), _column_number(m.group(1))


@functools.lru_cache(maxsize=4096)
def _column_number(letters: str) -> int:
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return col


@functools.lru_cache(maxsize=4096)
def column_letters(n: int) -> str:
    """Column number -> letters.

    >>> column_letters(1), column_letters(28), column_letters(16384)
    ('A', 'AB', 'XFD')
    """
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


_ALL_BYTES = bytes(range(256))
_NOT_LETTERS = _ALL_BYTES.translate(None, string.ascii_letters.encode() + b" ")
_NOT_DIGITS = _ALL_BYTES.translate(None, string.digits.encode() + b" ")


def letters_and_rows(refs: Iterable[str]) -> tuple[set[str], list[int]]:
    """The column letters (as written) and the row numbers of cell references (``$`` allowed).

    The references are joined and the letters, then the digits, cut out with ``bytes.translate``:
    no Python step per reference (500,000 references: 0.08 s, against 0.29 s for :func:`split_ref` on
    each).  Anything else in a reference is dropped (:func:`split_ref` is what refuses it).

    >>> letters, rows = letters_and_rows(["C7", "$AB$2", "C12"])
    >>> sorted(letters), rows
    (['AB', 'C'], [7, 2, 12])
    """
    text = " ".join(refs).encode()
    letters = {word.decode() for word in set(text.translate(None, _NOT_LETTERS).split())}
    return letters, list(map(int, text.translate(None, _NOT_DIGITS).split()))


def cells(ref: str) -> list[str]:
    """The cells of a range (``"A1:B2"``) or of one cell (``"C3"``), row by row.

    >>> cells("A1:B2"), cells("$C$3")
    (['A1', 'B1', 'A2', 'B2'], ['C3'])
    """
    (r1, c1), (r2, c2) = (split_ref(x) for x in (ref.split(":") * 2)[:2])
    return [f"{column_letters(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


# --- XML as text -----------------------------------------------------------------------


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


def local_name(tag: str) -> str:
    """An ElementTree tag or attribute name without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]


# --- the package -----------------------------------------------------------------------


def relationships(z: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """``{Id: (Type, target part)}`` of a part's relationships (part ``""``: the package's own).

    Relative targets are resolved against the part's folder, absolute ones (``/xl/...``) taken as they
    are; external targets (hyperlinks, linked files) are left out.
    """
    folder, name = posixpath.split(part)
    root = ET.fromstring(read_part(z, posixpath.join(folder, "_rels", name + ".rels")))
    out = {}
    for rel in root:
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), target)
    return out


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """``{sheet name: zip member of its XML}`` in workbook order.

    The workbook part is the package's officeDocument relationship (not always
    ``xl/workbook.xml``); targets may be relative or absolute and the XML may use
    namespace prefixes.  A sheet with an empty relationship id (``r:id=""``: the Excel 4
    macro sheets and VBA module sheets Excel keeps in some .xlsm files) has no part and
    holds no cells; it is left out.  Raises ``KeyError`` for a missing part or relationship,
    ``ET.ParseError`` for XML that is not well formed, ``StopIteration`` for a
    sheet without a relationship id attribute.
    """
    book = next((t for kind, t in relationships(z, "").values() if kind.endswith("/officeDocument")), None)
    if book is None:
        raise KeyError("no officeDocument relationship")
    rels = relationships(z, book)
    out = {}
    for el in ET.fromstring(read_part(z, book)).iter():
        if local_name(el.tag) == "sheet":
            rid = next(v for k, v in el.attrib.items() if local_name(k) == "id" and k.startswith("{"))
            if not rid:
                continue
            name = el.get("name", "")
            out[name] = rels[rid][1]
            z.getinfo(out[name])  # KeyError for a sheet whose part is missing
    return out


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


def check_package(z: zipfile.ZipFile) -> None:
    """Raise :class:`PackageError` if a part is over the limits, damaged, or an XML part has a DOCTYPE.

    Reads every part through, in chunks of 1 MiB, never a whole part.
    """
    total = 0
    for info in z.infolist():
        size, packed = info.file_size, max(info.compress_size, 1)
        total += size
        if size > MAX_PART_BYTES:
            raise PackageError(
                f"part {info.filename} inflates to {size:,} bytes, over the limit of {MAX_PART_BYTES:,}"
            )
        if size > _RATIO_FROM and size / packed > MAX_RATIO:
            raise PackageError(
                f"part {info.filename} inflates {size / packed:,.0f} times ({packed:,} to {size:,} bytes), "
                f"over the limit of {MAX_RATIO} (a zip bomb?)"
            )
        if total > MAX_PACKAGE_BYTES:
            raise PackageError(f"the parts inflate to more than {MAX_PACKAGE_BYTES:,} bytes together")
    for info in z.infolist():
        try:
            _read_through(z, info)
        except ZIP_ERRORS as exc:
            first = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise PackageError(f"part {info.filename} cannot be read ({first})") from None


def _read_through(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Inflate a part in chunks (zipfile checks its CRC at the end); refuse a DOCTYPE in XML."""
    xml = info.filename.endswith((".xml", ".rels", ".vml"))
    tail = b""
    with z.open(info) as part:
        while chunk := part.read(_CHUNK):
            if xml and (_DOCTYPE in tail + chunk[: len(_DOCTYPE)] or _DOCTYPE in chunk):
                raise PackageError(
                    f"part {info.filename} declares a document type (<!DOCTYPE>: entity declarations, "
                    "which Excel never writes); refused"
                )
            tail = chunk[-len(_DOCTYPE) :]


def read_part(z: zipfile.ZipFile, part: str) -> bytes:
    """A part's bytes, within :data:`MAX_PART_BYTES` (:class:`PackageError` otherwise)."""
    info = z.getinfo(part)
    if info.file_size > MAX_PART_BYTES:
        raise PackageError(
            f"part {part} inflates to {info.file_size:,} bytes, over the limit of {MAX_PART_BYTES:,}"
        )
    return z.read(info)


def copy_part(zin: zipfile.ZipFile, info: zipfile.ZipInfo, zout: zipfile.ZipFile) -> None:
    """Copy one member unchanged (name, date, compression, content) in chunks, never whole."""
    with zin.open(info) as src, zout.open(copy.copy(info), "w", force_zip64=info.file_size > 2**31) as dst:
        while chunk := src.read(_CHUNK):
            dst.write(chunk)


def formula_cells(z: zipfile.ZipFile) -> int:
    """How many cells of the sheets hold a formula (``<f>`` elements), counted in chunks."""
    count = 0
    for part in sheet_parts(z).values():
        tail = b""
        with z.open(part) as xml:
            while chunk := xml.read(_CHUNK):
                window = tail + chunk
                count += len(_FORMULA.findall(window)) - len(_FORMULA.findall(tail))
                tail = window[-3:]
    return count

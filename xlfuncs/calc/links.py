"""External references: the values a workbook has cached for other workbooks, never the other workbooks.

A formula such as ``=[1]Sheet1!B4*2`` refers to another workbook through an external-link part
(``xl/externalLinks/externalLink1.xml``), which also holds the values Excel last read from it.
Excel opens a workbook from elsewhere with its links not updated and shows those cached values;
``xlfuncs calc`` does the same and goes no further: before either engine sees the workbook, every
reference to another workbook in a formula or a defined name is replaced by the value cached for
it (a number, text, boolean or error literal; an array constant for a range), or by ``#REF!`` where
the workbook holds no cached value for it.  References written out in the formula
(``'../[secret.xlsx]Sheet1'!A1``, ``[book.xlsx]Sheet1!A1``), links to whole columns, to defined
names of the other workbook, DDE links and OLE links get ``#REF!``.  So no engine ever resolves a
path or URL that the workbook names, whatever the path, and the rewritten cells are listed in the
summary.
"""

from __future__ import annotations

import contextlib
import math
import posixpath
import re
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n.messages import marked
from ..xlsx import package, refs
from ..xlsx.sheet import DEFINED_NAME_TEXT, FORMULA_TEXT, attr, escape_text, unescape_text

__all__ = ["EXTERNAL", "MAX_ARRAY", "Cache", "caches", "sealed_copy", "sealed_formula"]

#: What the summary says of a cell whose formula refers to another workbook.
EXTERNAL = marked("external reference (the value the workbook cached; links are never updated)")

#: Cells of a cached range written as one array constant; a larger range becomes ``#REF!``.
MAX_ARRAY = 10_000
_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")
_STRING = re.compile(r'"(?:[^"]|"")*"')
_AREA = r"\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?|\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}|\$?\d+:\$?\d+"
_NAME = r"[A-Za-z_\\][\w.\\]*"
#: ``'…[book]Sheet'!A1`` (anything quoted that names a book), ``[book]Sheet!A1``, ``[book]!Name``,
#: and ``'…[book]Sheet1:Sheet3'!A1``: group ``book``, the sheet (``qsheet`` quoted, ``sheet`` plain),
#: the reference (``area`` or ``name``).
_EXTERNAL = re.compile(
    rf"(?:'(?P<qpath>(?:[^'\[]|'')*)\[(?P<qbook>[^\]]*)\](?P<qsheet>(?:[^']|'')*)'"
    rf"|(?<![\w.\]])\[(?P<book>[^\]]*)\](?P<sheet>{_NAME}(?::{_NAME})?)?)"
    rf"!(?:(?P<area>{_AREA})(?![\w(])|(?P<name>{_NAME}))"
)
#: A DDE remote reference, ``server|'topic'!item`` or ``server|topic!item``.
_DDE = re.compile(r"(?<![\w.])[A-Za-z_][\w.]*\|(?:'(?:[^']|'')*'|[^\s!]+)!(?:'(?:[^']|'')*'|[\w$:.]+)")


@dataclass
class Cache:
    """What a workbook has cached of one other workbook: ``{sheet name (upper case): {(row, col): value}}``.
    A sheet that is named but has no cached data is absent.
    """

    sheets: dict[str, dict[tuple[int, int], object]] = field(default_factory=dict)


def _value(kind: str | None, text: str) -> object:
    if kind in ("str", "s", "inlineStr"):
        return text
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "e":
        return text if text in _ERRORS else "#N/A"
    try:
        return float(text)
    except ValueError:
        return "#VALUE!"


def _cache(z: zipfile.ZipFile, part: str) -> Cache | None:
    """The cached values of one external-link part (None: not a link to a workbook, e.g. DDE or OLE)."""
    root = ET.fromstring(package.read_part(z, part))
    book = next((e for e in root if package.local_name(e.tag) == "externalBook"), None)
    if book is None:
        return None
    names: list[str] = []
    found = Cache()
    for element in book:
        tag = package.local_name(element.tag)
        if tag == "sheetNames":
            names = [e.get("val", "") for e in element]
        elif tag == "sheetDataSet":
            for data in element:
                index = int(data.get("sheetId", "-1"))
                if not 0 <= index < len(names) or data.get("refreshError") == "1":
                    continue
                cells = found.sheets.setdefault(names[index].upper(), {})
                for row in data:
                    for cell in row:
                        ref = cell.get("r")
                        v = next((e.text or "" for e in cell if package.local_name(e.tag) == "v"), None)
                        if ref and v is not None:
                            cells[refs.split_ref(ref)] = _value(cell.get("t"), v)
    return found


def caches(z: zipfile.ZipFile) -> dict[str, Cache | None]:
    """``{"1": Cache, ...}``: the workbook's external links by their number in formulas (``[1]``)."""
    workbook = next(
        (t for kind, t in package.relationships(z, "").values() if kind.endswith("/officeDocument")), None
    )
    if workbook is None:
        return {}
    rels = package.relationships(z, workbook)
    root = ET.fromstring(package.read_part(z, workbook))
    found: dict[str, Cache | None] = {}
    refs = [e for e in root.iter() if package.local_name(e.tag) == "externalReference"]
    for number, element in enumerate(refs, 1):
        rid = next((v for k, v in element.attrib.items() if package.local_name(k) == "id"), None)
        target = rels.get(rid or "")
        part = target[1] if target else None
        try:
            found[str(number)] = _cache(z, part) if part and part in z.NameToInfo else None
        except (ET.ParseError, ValueError, KeyError):
            found[str(number)] = None
    return found


def _literal(value: object, in_array: bool = False) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "#NUM!"
        text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
        if "e" in text and not in_array:  # a literal with an exponent is not read by every engine
            return f'VALUE("{text}")'
        return text if in_array or value >= 0 else f"({text})"
    text = str(value)
    if text in _ERRORS:
        return text
    return '"' + text.replace('"', '""') + '"'


def _resolved(m: re.Match[str], links: dict[str, Cache | None]) -> str:
    """The literal that replaces one external reference."""
    book = m["qbook"] if m["qbook"] is not None else m["book"]
    sheet = (m["qsheet"] or "").replace("''", "'") if m["qbook"] is not None else (m["sheet"] or "")
    cache = links.get(book or "") if not m["qpath"] else None
    area = m["area"]
    if cache is None or area is None or not sheet or ":" in sheet or sheet.upper() not in cache.sheets:
        return "#REF!"
    cells = cache.sheets[sheet.upper()]
    corners = area.split(":")
    try:
        (r1, c1), (r2, c2) = refs.split_ref(corners[0]), refs.split_ref(corners[-1])
    except ValueError:  # whole columns or rows
        return "#REF!"
    r1, r2, c1, c2 = min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)
    if (r1, c1) == (r2, c2):
        return _literal(cells.get((r1, c1), 0.0))
    if (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_ARRAY:
        return "#REF!"
    rows = (
        ",".join(_literal(cells.get((r, c), 0.0), in_array=True) for c in range(c1, c2 + 1))
        for r in range(r1, r2 + 1)
    )
    return "{" + ";".join(rows) + "}"


def sealed_formula(text: str, links: dict[str, Cache | None]) -> str | None:
    """``text`` with every reference to another workbook replaced by its cached value, or None when it
    has none.

    >>> links = {"1": Cache({"SHEET1": {(1, 1): "cached", (1, 2): 42.0, (2, 2): -1.5}})}
    >>> sealed_formula('[1]Sheet1!A1&"[1]Sheet1!A1"', links)
    '"cached"&"[1]Sheet1!A1"'
    >>> sealed_formula("SUM([1]Sheet1!$B$1:$B$2)*[1]Sheet1!B2", links)
    'SUM({42;-1.5})*(-1.5)'
    >>> sealed_formula("'../[secret.xlsx]Sheet1'!A1+[2]Sheet1!A1+'[1]Other'!A1+[1]!Name", links)
    '#REF!+#REF!+#REF!+#REF!'
    >>> sealed_formula("cmd|' /c calc'!A1", links), sealed_formula("SUM(A1:B2)", links) is None
    ('#REF!', True)
    """
    if "[" not in text and "|" not in text:
        return None
    pieces, pos, changed = [], 0, False

    def sub(piece: str) -> str:
        return _DDE.sub("#REF!", _EXTERNAL.sub(lambda m: _resolved(m, links), piece))

    for literal in _STRING.finditer(text):
        outside = text[pos : literal.start()]
        new = sub(outside)
        changed |= new != outside
        pieces += [new, literal.group()]
        pos = literal.end()
    rest = sub(text[pos:])
    changed |= rest != text[pos:]
    pieces.append(rest)
    return "".join(pieces) if changed else None


_EXTERNAL_REFERENCES = re.compile(
    r"<(\w+:|)externalReferences\b[^>]*?(?:/>|>.*?</\1externalReferences>)", re.S
)
_LINK_RELATIONSHIP = re.compile(
    r"<(?:\w+:)?Relationship\b[^>]*?\bType=\"[^\"]*/externalLink\"[^>]*?(?:/>|>\s*</(?:\w+:)?Relationship>)"
)
_ANY_CELL = re.compile(r"<(?:\w+:)?c\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?:\w+:)?c>)", re.S)


def _seal_text(xml: str, pattern: re.Pattern[str], links: dict[str, Cache | None]) -> tuple[str, bool]:
    changed = False

    def fix(m: re.Match[str]) -> str:
        nonlocal changed
        sealed = sealed_formula(unescape_text(m[2]), links)
        if sealed is None:
            return m[0]
        changed = True
        return m[1] + escape_text(sealed) + m[3]

    return pattern.sub(fix, xml), changed


def _seal_sheet(xml: str, links: dict[str, Cache | None]) -> tuple[str, list[str]]:
    """A sheet's XML with its formulas sealed, and the cells whose formulas changed."""
    cells: list[str] = []

    def fix(m: re.Match[str]) -> str:
        body = m["body"]
        if not body or "<" not in body or ("[" not in body and "|" not in body):
            return m[0]
        new, changed = _seal_text(body, FORMULA_TEXT, links)
        if not changed:
            return m[0]
        cells.append(attr(m["attrs"], "r") or "")
        return m[0].replace(body, new, 1)

    return _ANY_CELL.sub(fix, xml), cells


@contextlib.contextmanager
def sealed_copy(path: Path) -> Iterator[tuple[Path, list[tuple[str, str]]]]:
    """``(book, cells)``: ``path`` itself when no formula or defined name refers to another workbook,
    else a temporary copy (same file name) in which every such reference is its cached value
    (:func:`sealed_formula`) and the workbook lists no external links; ``cells``: the formula cells
    changed, ``(sheet, "A1")``.
    """
    path = Path(path)
    with zipfile.ZipFile(path) as z:
        links = caches(z)
        parts = package.sheet_parts(z)
        workbook = next(
            (t for kind, t in package.relationships(z, "").values() if kind.endswith("/officeDocument")), ""
        )
        changed: dict[str, str] = {}
        cells: list[tuple[str, str]] = []
        for name, part in parts.items():
            data = package.read_part(z, part)
            if b"[" not in data and b"|" not in data:
                continue
            xml, found = _seal_sheet(data.decode("utf-8"), links)
            if found:
                changed[part] = xml
                cells += [(name, ref) for ref in found]
        book_xml = package.read_part(z, workbook).decode("utf-8")
        new_book, names = _seal_text(book_xml, DEFINED_NAME_TEXT, links)
        if links or names:  # no engine needs the links any more, and openpyxl would read their parts
            changed[workbook] = _EXTERNAL_REFERENCES.sub("", new_book)
            rels = posixpath.join(
                posixpath.dirname(workbook), "_rels", posixpath.basename(workbook) + ".rels"
            )
            if rels in z.NameToInfo:
                changed[rels] = _LINK_RELATIONSHIP.sub("", package.read_part(z, rels).decode("utf-8"))
        if not changed:
            yield path, cells
            return
        with tempfile.TemporaryDirectory(prefix="xlfuncs_sealed_") as tmp:
            sealed = Path(tmp) / path.name
            with zipfile.ZipFile(sealed, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
                for info in z.infolist():
                    if info.filename in changed:
                        out.writestr(info.filename, changed[info.filename].encode("utf-8"))
                    else:
                        package.copy_part(z, info, out)
            yield sealed, cells

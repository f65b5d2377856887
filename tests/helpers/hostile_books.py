"""Hostile workbooks for ``xlfuncs calc``: each tries to make the calculator read, run or contact
something outside the workbook.  Written part by part (no library would write most of them).

Every book lives in ``<root>/books/``; ``<root>/secret.xlsx`` and ``<root>/secret.txt`` hold
:data:`MARKER`, which must never appear in an output, and :data:`TRAP` names the file a command
that ran would create.  ``port`` is a loopback listener that must never be contacted
(:class:`Listener`).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

#: Text of the secret files: found in an output, a neighbour was read.
MARKER = "xlfuncs-secret-7f3e91"
#: The file a command that ran would create (in the root folder).
TRAP = "trap-ran"

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_BOOK_CT = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


class Listener:
    """A loopback TCP listener that records every connection (an HTTP request would start one)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.contacts: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    first = conn.recv(200)
                except OSError:
                    first = b""
                self.contacts.append(first.split(b"\r\n", 1)[0] or b"(connection)")
                with contextlib.suppress(OSError):
                    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + MARKER.encode())

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@dataclass
class Part:
    name: str
    data: bytes | str
    content_type: str | None = None  #: an Override in [Content_Types].xml


@dataclass
class Book:
    """A workbook to write: one sheet ``Sheet1`` with ``cells`` (``<c>`` elements, row 1 onwards)."""

    cells: dict[int, str]  #: row -> its <c> elements
    parts: list[Part] = field(default_factory=list)
    book_rels: list[tuple[str, str, str, bool]] = field(default_factory=list)  #: (id, type, target, external)
    sheet_rels: list[tuple[str, str, str, bool]] = field(default_factory=list)
    workbook_extra: str = ""  #: XML after <sheets>
    sheet_extra: str = ""  #: XML after <sheetData>
    macro: bool = False
    content_types: bool = True
    defaults: dict[str, str] = field(default_factory=dict)  #: extension -> content type

    def write(self, path: Path, also: dict[str, bytes] | None = None) -> Path:
        rows = "".join(f'<row r="{r}">{c}</row>' for r, c in sorted(self.cells.items()))
        sheet = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" '
            f'xmlns:r="{REL}"><sheetData>{rows}</sheetData>{self.sheet_extra}</worksheet>'
        )
        workbook = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN}" '
            f'xmlns:r="{REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rIdS1"/></sheets>'
            f"{self.workbook_extra}</workbook>"
        )
        book_rels = [("rIdS1", f"{REL}/worksheet", "worksheets/sheet1.xml", False), *self.book_rels]
        parts = [
            Part("_rels/.rels", _rels([("rId1", f"{REL}/officeDocument", "xl/workbook.xml", False)])),
            Part("xl/workbook.xml", workbook, MACRO_BOOK_CT if self.macro else BOOK_CT),
            Part("xl/_rels/workbook.xml.rels", _rels(book_rels)),
            Part("xl/worksheets/sheet1.xml", sheet, SHEET_CT),
            *self.parts,
        ]
        if self.sheet_rels:
            parts.append(Part("xl/worksheets/_rels/sheet1.xml.rels", _rels(self.sheet_rels)))
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            if also and "mimetype" in also:  # ODF wants it first and stored
                z.writestr(zipfile.ZipInfo("mimetype"), also["mimetype"], zipfile.ZIP_STORED)
            if self.content_types:
                z.writestr("[Content_Types].xml", _content_types(parts, self.defaults))
            for part in parts:
                z.writestr(part.name, part.data)
            for name, data in (also or {}).items():
                if name != "mimetype":
                    z.writestr(name, data)
        return path


def _rels(rels: list[tuple[str, str, str, bool]]) -> str:
    items = "".join(
        f"<Relationship Id={quoteattr(i)} Type={quoteattr(t)} Target={quoteattr(target)}"
        + (' TargetMode="External"' if external else "")
        + "/>"
        for i, t, target, external in rels
    )
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG}">{items}</Relationships>'


def _content_types(parts: list[Part], defaults: dict[str, str]) -> str:
    found = {
        "rels": "application/vnd.openxmlformats-package.relationships+xml",
        "xml": "application/xml",
        **defaults,
    }
    items = "".join(f'<Default Extension="{e}" ContentType="{t}"/>' for e, t in found.items())
    items += "".join(
        f'<Override PartName="/{p.name}" ContentType="{p.content_type}"/>' for p in parts if p.content_type
    )
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{CT}">{items}</Types>'


def formula(ref: str, text: str, cached: str | None = None, t: str | None = None) -> str:
    """A formula cell; ``cached``: the value stored with it."""
    kind = f' t="{t}"' if t else ""
    value = f"<v>{escape(cached)}</v>" if cached is not None else ""
    return f'<c r="{ref}"{kind}><f>{escape(text)}</f>{value}</c>'


def number(ref: str, value: float) -> str:
    return f'<c r="{ref}"><v>{value!r}</v></c>'


def secrets(root: Path) -> None:
    """``secret.xlsx`` (Sheet1!A1 holds the marker) and ``secret.txt`` in ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "secret.txt").write_text(MARKER + "\n")
    Book({1: f'<c r="A1" t="inlineStr"><is><t>{MARKER}</t></is></c>' + number("B1", 7)}).write(
        root / "secret.xlsx"
    )


# --------------------------------------------------------------------------- external links

EXTERNAL_LINK_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"


def external_link(root: Path, name: str, target: str) -> Path:
    """A book whose ``[1]`` is an external-link part pointing at ``target``, with cached values
    (Sheet1!A1 = "cached", B1 = 42; the secret book holds the marker and 7 there): A1 ``=[1]Sheet1!A1``
    ("cached"), A2 ``=[1]Sheet1!B1*2`` (84 from the cache), A3 ``=[1]Sheet2!A1`` (a sheet named in the
    link with nothing cached: #REF!).
    """
    link = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<externalLink xmlns="{MAIN}" '
        f'xmlns:r="{REL}"><externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/>'
        '<sheetName val="Sheet2"/></sheetNames><sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1" t="str"><v>cached</v></cell>'
        '<cell r="B1"><v>42</v></cell></row></sheetData></sheetDataSet></externalBook></externalLink>'
    )
    book = Book(
        {
            1: formula("A1", "[1]Sheet1!A1", "stale", "str"),
            2: formula("A2", "[1]Sheet1!B1*2", "1"),
            3: formula("A3", "[1]Sheet2!A1", "0"),
        },
        parts=[
            Part("xl/externalLinks/externalLink1.xml", link, EXTERNAL_LINK_CT),
            Part(
                "xl/externalLinks/_rels/externalLink1.xml.rels",
                _rels([("rId1", f"{REL}/externalLinkPath", target, True)]),
            ),
        ],
        book_rels=[("rIdX1", f"{REL}/externalLink", "externalLinks/externalLink1.xml", False)],
        workbook_extra='<externalReferences><externalReference r:id="rIdX1"/></externalReferences>',
    )
    return book.write(root / "books" / f"{name}.xlsx")


#: What an external-link book computes to with links not updated (Excel's view): the cached values.
EXTERNAL_LINK_VALUES = {"A1": "cached", "A2": 84, "A3": "#REF!"}


def direct_reference(root: Path) -> Path:
    """References to ``../secret.xlsx`` written into the formulas, with no external-link part."""
    absolute = (root / "secret.xlsx").as_posix()
    folder, name = absolute.rsplit("/", 1)
    return Book(
        {
            1: formula("A1", "'../[secret.xlsx]Sheet1'!A1"),
            2: formula("A2", "INDIRECT(\"'../[secret.xlsx]Sheet1'!A1\")"),
            3: formula("A3", f"INDIRECT(\"'{folder}/[{name}]Sheet1'!A1\")"),
            4: formula("A4", f"INDIRECT(\"'file://{folder}/[{name}]Sheet1'!A1\")"),
            5: formula("A5", "'../[secret.xlsx]Sheet1'!B1+1"),
        }
    ).write(root / "books" / "direct.xlsx")


# --------------------------------------------------------------------------- the network and commands


def web_functions(root: Path, port: int) -> Path:
    """WEBSERVICE and FILTERXML to the listener and to a local file, HYPERLINK, INDIRECT to http."""
    url = f"http://127.0.0.1:{port}"
    secret = (root / "secret.txt").as_uri()
    return Book(
        {
            1: formula("A1", f'_xlfn.WEBSERVICE("{url}/ws")'),
            2: formula("A2", f'_xlfn.FILTERXML(_xlfn.WEBSERVICE("{url}/xml"),"//a")'),
            3: formula("A3", f'_xlfn.WEBSERVICE("{secret}")'),
            4: formula("A4", f'HYPERLINK("{url}/link","x")'),
            5: formula("A5", f"INDIRECT(\"'{url}/[book.xlsx]Sheet1'!A1\")"),
            6: formula("A6", "1+1"),
        }
    ).write(root / "books" / "web.xlsx")


def dde(root: Path) -> Path:
    """DDE in each form: a remote reference in a formula, LibreOffice's DDE function, a DDE link part."""
    trap = (root / TRAP).as_posix()
    link = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<externalLink xmlns="{MAIN}" '
        f'xmlns:r="{REL}"><ddeLink ddeService="sh" ddeTopic={quoteattr("-c touch " + trap)}><ddeItems>'
        '<ddeItem name="A1" advise="1"><values rows="1" cols="1"><value><val>5</val></value></values>'
        "</ddeItem></ddeItems></ddeLink></externalLink>"
    )
    return Book(
        {
            1: formula("A1", f"cmd|'/c touch {trap}'!A1"),
            2: formula("A2", f"sh|'-c touch {trap}'!A1"),
            3: formula("A3", f'DDE("sh","-c touch {trap}","A1")'),
            4: formula("A4", "[1]!A1"),
            5: formula("A5", "2*3"),
        },
        parts=[Part("xl/externalLinks/externalLink1.xml", link, EXTERNAL_LINK_CT)],
        book_rels=[("rIdX1", f"{REL}/externalLink", "externalLinks/externalLink1.xml", False)],
        workbook_extra='<externalReferences><externalReference r:id="rIdX1"/></externalReferences>',
    ).write(root / "books" / "dde.xlsx")


def connections(root: Path, port: int) -> Path:
    """Web, text and OLE DB connections set to refresh on load, and a query table using one."""
    url = f"http://127.0.0.1:{port}"
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<connections xmlns="{MAIN}">'
        f'<connection id="1" name="web" type="4" refreshedVersion="6" refreshOnLoad="1" saveData="1">'
        f'<webPr url="{url}/query" htmlTables="1"/></connection>'
        f'<connection id="2" name="text" type="6" refreshOnLoad="1" saveData="1">'
        f"<textPr sourceFile={quoteattr((root / 'secret.txt').as_posix())}/></connection>"
        f'<connection id="3" name="oledb" type="5" refreshOnLoad="1" saveData="1">'
        f'<dbPr connection="Provider=MSOLAP;Data Source={url}/olap" command="SELECT 1"/></connection>'
        "</connections>"
    )
    query = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<queryTable xmlns="{MAIN}" '
        'name="web" connectionId="1" refreshOnLoad="1" autoFormatId="16" applyNumberFormats="0" '
        'applyBorderFormats="0" applyFontFormats="1" applyPatternFormats="1" applyAlignmentFormats="0" '
        'applyWidthHeightFormats="1"/>'
    )
    return Book(
        {1: formula("A1", "2+2"), 3: '<c r="C3"><v>1</v></c>'},
        parts=[
            Part(
                "xl/connections.xml",
                xml,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.connections+xml",
            ),
            Part(
                "xl/queryTables/queryTable1.xml",
                query,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.queryTable+xml",
            ),
        ],
        book_rels=[("rIdC1", f"{REL}/connections", "connections.xml", False)],
        sheet_rels=[("rIdQ1", f"{REL}/queryTable", "../queryTables/queryTable1.xml", False)],
    ).write(root / "books" / "connections.xlsx")


def linked_picture(root: Path, port: int) -> Path:
    """A drawing whose picture is linked (not embedded) to an http URL."""
    drawing = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
        f'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="{REL}">'
        "<xdr:twoCellAnchor><xdr:from><xdr:col>2</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>2</xdr:row>"
        "<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>5</xdr:col><xdr:colOff>0</xdr:colOff>"
        "<xdr:row>8</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:pic><xdr:nvPicPr>"
        '<xdr:cNvPr id="2" name="Picture 1"/><xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill>'
        '<a:blip r:link="rIdP1"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr>'
        '<a:xfrm><a:off x="0" y="0"/><a:ext cx="1905000" cy="1143000"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/>'
        "</xdr:twoCellAnchor></xdr:wsDr>"
    )
    return Book(
        {1: formula("A1", "3+4")},
        parts=[
            Part(
                "xl/drawings/drawing1.xml",
                drawing,
                "application/vnd.openxmlformats-officedocument.drawing+xml",
            ),
            Part(
                "xl/drawings/_rels/drawing1.xml.rels",
                _rels([("rIdP1", f"{REL}/image", f"http://127.0.0.1:{port}/pixel.png", True)]),
            ),
        ],
        sheet_rels=[("rIdD1", f"{REL}/drawing", "../drawings/drawing1.xml", False)],
        sheet_extra='<drawing r:id="rIdD1"/>',
    ).write(root / "books" / "picture.xlsx")


# --------------------------------------------------------------------------- macros, events, packages

_BASIC = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<script:module xmlns:script="http://openoffice.org/2000/script" '
    'script:name="Module1" script:language="StarBasic">Sub Main\n  Shell("/bin/sh", 0, "-c ""touch {trap}""")\n'
    "End Sub\nSub Workbook_Open\n  Main\nEnd Sub\n</script:module>"
)


def macros(root: Path) -> Path:
    """An .xlsm with a VBA project part, a Basic library and a Workbook_Open in the package."""
    trap = (root / TRAP).as_posix()
    return Book(
        {1: formula("A1", "5+5")},
        parts=[Part("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)],
        book_rels=[
            (
                "rIdV1",
                "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
                "vbaProject.bin",
                False,
            )
        ],
        macro=True,
        defaults={"bin": "application/vnd.ms-office.vbaProject"},
    ).write(
        root / "books" / "macros.xlsm", also={"Basic/Standard/Module1.xml": _BASIC.format(trap=trap).encode()}
    )


_ODF_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.3">'
    "<office:scripts><office:event-listeners>"
    '<script:event-listener script:language="ooo:script" script:event-name="dom:load" '
    'xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;location=document"/>'
    "</office:event-listeners></office:scripts>"
    '<office:body><office:spreadsheet><table:table table:name="Sheet1"><table:table-row>'
    '<table:table-cell table:formula="of:=666" office:value-type="float" office:value="666">'
    "<text:p>666</text:p></table:table-cell></table:table-row></table:table>"
    "</office:spreadsheet></office:body></office:document-content>"
)
_ODF_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="Basic/Standard/Module1.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
_ODF_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def polyglot(root: Path) -> Path:
    """One zip that is both an ODF spreadsheet (A1 = 666, a Basic macro on load) and an OOXML
    workbook (A1 ``=1+1``): Excel shows the OOXML content, and so must the calculator.
    """
    trap = (root / TRAP).as_posix()
    return Book({1: formula("A1", "1+1", "0")}).write(
        root / "books" / "polyglot.xlsx",
        also={
            "mimetype": _ODF_MIMETYPE,
            "content.xml": _ODF_CONTENT.encode(),
            "META-INF/manifest.xml": _ODF_MANIFEST.encode(),
            "Basic/Standard/Module1.xml": _BASIC.format(trap=trap).encode(),
        },
    )


def odf_only(root: Path) -> Path:
    """An ODF spreadsheet named .xlsx: no [Content_Types].xml, so not an OOXML package."""
    trap = (root / TRAP).as_posix()
    path = root / "books" / "odf.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), _ODF_MIMETYPE, zipfile.ZIP_STORED)
        z.writestr("content.xml", _ODF_CONTENT)
        z.writestr("META-INF/manifest.xml", _ODF_MANIFEST)
        z.writestr("Basic/Standard/Module1.xml", _BASIC.format(trap=trap))
        # the parts of a workbook, without the content types that make it a package
        z.writestr("_rels/.rels", _rels([("rId1", f"{REL}/officeDocument", "xl/workbook.xml", False)]))
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rIdS1"/>'
            "</sheets></workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            _rels([("rIdS1", f"{REL}/worksheet", "worksheets/sheet1.xml", False)]),
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{formula("A1", "1+1")}</row></sheetData></worksheet>',
        )
    return path


def entities(root: Path) -> Path:
    """Shared strings declaring an external entity that reads ``secret.txt``."""
    secret = (root / "secret.txt").as_uri()
    strings = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE sst [<!ENTITY x SYSTEM "{secret}">]>'
        f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>&x;</t></si></sst>'
    )
    return Book(
        {1: '<c r="A1" t="s"><v>0</v></c>' + formula("B1", 'A1&"!"')},
        parts=[
            Part(
                "xl/sharedStrings.xml",
                strings,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
            )
        ],
        book_rels=[("rIdT1", f"{REL}/sharedStrings", "sharedStrings.xml", False)],
    ).write(root / "books" / "entities.xlsx")


def plain(root: Path, name: str = "plain") -> Path:
    """A harmless book: A1 = 2, B1 ``=A1*21``."""
    return Book({1: number("A1", 2) + formula("B1", "A1*21")}).write(root / "books" / f"{name}.xlsx")

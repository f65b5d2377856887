"""Pictures of the template workbooks for the README and the docs, drawn by LibreOffice.

    python scripts/render.py [WORKBOOKS] [-o docs/img] [--build]

WORKBOOKS is the folder holding the templates (default: workbooks/); ``--build``
builds them afresh into a temporary folder instead.  For each picture:

1. a render-only copy shows just the sheets of the picture, each on one page at
   100 % (no fit-to-page, large paper, optionally only the first rows);
2. LibreOffice, with the xlfuncs add-in installed in a private profile, computes
   every formula, ours live, and prints it to PDF; the PDF text is checked for
   error values and ##### (a column too narrow for its number);
3. ``pdftoppm -r 80`` draws each page, the picture is cropped to the content
   with a small white margin, sheets are stacked, and written as PNG.

Needs LibreOffice (soffice) with what the add-in needs (scripts/test.sh installs it) and
poppler-utils (pdftoppm, pdftotext).
"""

from __future__ import annotations

import argparse
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path
from xml.sax.saxutils import escape, unescape

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xlfuncs.calc.libreoffice import engine as libreoffice  # noqa: E402
from xlfuncs.workbooks import templates  # noqa: E402
from xlfuncs.xlsx.package import sheet_parts  # noqa: E402

DPI = 80
MARGIN = 12  # white pixels around each picture
A2 = 66  # OOXML paper size: large enough that every template sheet fits one page at 100 %
TALL, WIDE = 50, 14  # rows or columns from which a sheet is printed at 80 %

#: picture: (workbook, [(sheet, rows to show or None for all), ...])
PICTURES = {
    "article_examples.png": ("article_examples.xlsx", [("11 Buyback", None), ("12 Russell vs S&P", None)]),
    "valuation_bridge.png": (
        "valuation_bridge.xlsx",
        [("Valuation bridge", None), ("Tranche schedule", None), ("Price sensitivity", None)],
    ),
    "universe_screen.png": ("universe_screen.xlsx", [("Universe", 26), ("Screen", 42), ("Summary", None)]),
}
ERRORS = ("#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#N/A", "#NULL!", "#SPILL!", "#CALC!", "###")


# --- the render-only copy ----------------------------------------------------------------


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _dimension(xml: str) -> tuple[str, str, int] | None:
    """First and last column and last row of a sheet's used range, if the sheet states it."""
    ref = re.search(r'<dimension ref="([A-Z]+)\d+(?::([A-Z]+)(\d+))?"', xml)
    return (ref.group(1), ref.group(2) or ref.group(1), int(ref.group(3) or 1)) if ref else None


def _chart_extent(book: zipfile.ZipFile, sheet_part: str) -> tuple[int, int]:
    """Last column (1-based) and row that the sheet's charts cover, (0, 0) without charts."""
    folder, name = sheet_part.rsplit("/", 1)
    rels = f"{folder}/_rels/{name}.rels"
    if rels not in book.namelist():
        return 0, 0
    last_col = last_row = 0
    for target in re.findall(r'Type="[^"]*/drawing" Target="([^"]+)"', book.read(rels).decode("utf-8")):
        drawing = book.read(str(Path(folder, target)).replace("worksheets/../", "")).decode("utf-8")
        for col, row in re.findall(
            r"<xdr:to><xdr:col>(\d+)</xdr:col>.*?<xdr:row>(\d+)</xdr:row>", drawing, re.S
        ):
            last_col, last_row = max(last_col, int(col) + 1), max(last_row, int(row) + 1)
    return last_col, last_row


def _letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _page_setup(xml: str, rows: int = 0, columns: int = 0) -> str:
    """One page per sheet: no fit-to-page, large landscape paper, at 100 % (80 % for a large sheet)."""
    xml = re.sub(r'\sfitToPage="[^"]*"', "", xml)
    scale = ' scale="80"' if rows > TALL or columns > WIDE else ""
    setup = f'<pageSetup paperSize="{A2}"{scale} orientation="landscape"/>'
    if "<pageSetup" in xml:
        return re.sub(r"<pageSetup\b[^>]*?/>|<pageSetup\b.*?</pageSetup>", setup, xml, count=1, flags=re.S)
    return re.sub(r"(<pageMargins\b[^>]*/>)", r"\1" + setup, xml, count=1)


def render_copy(src: Path, dst: Path, show: list[tuple[str, int | None]]) -> None:
    """Copy of ``src`` printing only the sheets of ``show`` (others hidden), one page each."""
    wanted = dict(show)
    with zipfile.ZipFile(src) as book, zipfile.ZipFile(dst, "w") as out:
        parts = sheet_parts(book)
        names = list(parts)
        missing = set(wanted) - set(names)
        if missing:
            raise SystemExit(f"{src.name}: no sheet {sorted(missing)}; sheets: {names}")
        areas = []
        for info in book.infolist():
            if info.filename == "xl/workbook.xml":
                continue  # written below, once the print areas are known
            data = book.read(info.filename)
            if info.filename in parts.values():
                sheet = names[list(parts.values()).index(info.filename)]
                if sheet in wanted:
                    xml = data.decode("utf-8")
                    used = _dimension(xml)
                    if used:  # print the used range only (text overflowing it is cut, as in a printout)
                        first, last, rows = used
                        chart_col, chart_row = _chart_extent(book, info.filename)  # and the charts
                        last = _letters(max(_number(last), chart_col))
                        rows = min(max(rows, chart_row), wanted[sheet] or max(rows, chart_row))
                        areas.append((names.index(sheet), f"{_quote(sheet)}!${first}$1:${last}${rows}"))
                    data = _page_setup(xml, *((rows, _number(last)) if used else ())).encode("utf-8")
            out.writestr(info, data, compress_type=info.compress_type)
        xml = book.read("xl/workbook.xml").decode("utf-8")
        first = names.index(show[0][0])

        def hide(m):
            tag = re.sub(r'\sstate="[^"]*"', "", m.group(1))
            name = unescape(re.search(r'\bname="([^"]*)"', tag).group(1), {"&quot;": '"', "&apos;": "'"})
            return f"<sheet{tag}/>" if name in wanted else f'<sheet{tag} state="hidden"/>'

        xml = re.sub(r"<sheet\b([^>]*?)\s*/>", hide, xml)
        xml = re.sub(
            r"(<workbookView\b[^>]*?)(\s*/?>)",
            lambda m: (
                re.sub(r'\s(?:activeTab|firstSheet)="[^"]*"', "", m.group(1))
                + f' activeTab="{first}" firstSheet="{first}"'
                + m.group(2)
            ),
            xml,
            count=1,
        )
        xml = re.sub(r'<definedName name="_xlnm.Print_Area"[^>]*>.*?</definedName>', "", xml)
        names_xml = "".join(
            f'<definedName name="_xlnm.Print_Area" localSheetId="{i}">{escape(ref)}</definedName>'
            for i, ref in areas
        )
        if names_xml:
            if "<definedNames>" in xml:
                xml = xml.replace("<definedNames>", "<definedNames>" + names_xml, 1)
            else:
                xml = xml.replace("</sheets>", f"</sheets><definedNames>{names_xml}</definedNames>", 1)
        out.writestr(book.getinfo("xl/workbook.xml"), xml.encode("utf-8"))


# --- pictures ----------------------------------------------------------------------------


def _page_image(pdf: Path, page: int, work: Path) -> np.ndarray:
    """Page ``page`` of ``pdf`` as an RGB array (pdftoppm, PPM output)."""
    prefix = work / f"{pdf.stem}-{page}"
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(prefix)],
        check=True,
    )
    data = (prefix.with_suffix(".ppm")).read_bytes()
    header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    width, height = int(header.group(1)), int(header.group(2))
    return np.frombuffer(data, np.uint8, width * height * 3, header.end()).reshape(height, width, 3)


def _trim(image: np.ndarray) -> np.ndarray:
    """Crop to the drawn content (anything not white) with a white margin."""
    ink = (image < 245).any(axis=2)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        raise SystemExit("empty page")
    content = image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return np.pad(content, ((MARGIN, MARGIN), (MARGIN, MARGIN), (0, 0)), constant_values=255)


def _stack(images: list[np.ndarray]) -> np.ndarray:
    """Pictures one below the other (their margins make the gap), left-aligned."""
    width = max(i.shape[1] for i in images)
    return np.concatenate(
        [np.pad(i, ((0, 0), (0, width - i.shape[1]), (0, 0)), constant_values=255) for i in images]
    )


def write_png(image: np.ndarray, path: Path) -> None:
    """An 8-bit RGB PNG ("Up" filter on every row, zlib level 9)."""
    height, width, _ = image.shape
    up = np.diff(image.astype(np.int16), axis=0, prepend=0).astype(np.uint8)
    raw = np.concatenate([np.full((height, 1), 2, np.uint8), up.reshape(height, width * 3)], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw.tobytes(), 9))
        + chunk(b"IEND", b"")
    )


def render(workbook: Path, show: list[tuple[str, int | None]], png: Path, work: Path) -> dict:
    """One picture: render copy, PDF computed live with the add-in, check, PNG.  Returns timings and size."""
    start = time.perf_counter()
    copy = work / f"{png.stem}.xlsx"
    render_copy(workbook, copy, show)
    pdf = libreoffice.render_pdf(copy, work / "pdf")
    lo = time.perf_counter()
    pages = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout,
        ).group(1)
    )
    if pages != len(show):
        raise SystemExit(f"{png.name}: {pages} pages for {len(show)} sheets; a sheet does not fit one page")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # an error value fills its cell: a token of its own (a note may mention "#NAME?," in a sentence)
    tokens = {e: re.escape(e) for e in ERRORS} | {"###": "#{3,}"}
    bad = sorted({e for e, pattern in tokens.items() if re.search(rf"(?<!\S){pattern}(?!\S)", text)})
    if bad:
        raise SystemExit(f"{png.name}: the rendered sheets show {bad}:\n{text}")
    image = _stack([_trim(_page_image(pdf, page, work)) for page in range(1, pages + 1)])
    png.parent.mkdir(parents=True, exist_ok=True)
    write_png(image, png)
    return {
        "seconds": time.perf_counter() - start,
        "libreoffice": lo - start,
        "size": f"{image.shape[1]}x{image.shape[0]}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "workbooks",
        nargs="?",
        type=Path,
        default=ROOT / "workbooks",
        help="folder with the template workbooks (default: workbooks/)",
    )
    parser.add_argument("-o", "--out", type=Path, default=ROOT / "docs" / "img", help="folder for the PNGs")
    parser.add_argument("--build", action="store_true", help="build the templates afresh instead")
    args = parser.parse_args(argv)
    for tool in ("pdftoppm", "pdftotext", "pdfinfo"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: apt-get install poppler-utils")
    if not libreoffice.engine_available():
        raise SystemExit("LibreOffice with the add-in's needs is missing: run scripts/test.sh once")
    with tempfile.TemporaryDirectory(prefix="xlfuncs_render_") as tmp:
        work = Path(tmp)
        folder = args.workbooks
        if args.build:
            folder = work / "built"
            folder.mkdir()
            for name in templates.TEMPLATES:
                templates.build(name, folder / name)
        for png, (name, show) in PICTURES.items():
            workbook = folder / name
            if not workbook.is_file():
                raise SystemExit(f"{workbook} is missing: build the templates or use --build")
            result = render(workbook, show, args.out / png, work)
            print(
                f"{args.out / png}: {result['size']} px, {result['seconds']:.2f} s "
                f"(LibreOffice {result['libreoffice']:.2f} s)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

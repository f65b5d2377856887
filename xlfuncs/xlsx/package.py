"""An .xlsx package read within stated limits: its parts, found as Excel finds them.

* :func:`sheet_parts`: which zip member holds each sheet's XML, found through the package and
  workbook relationships as Excel does; :func:`relationships` for any part.
* :func:`check_package`, :func:`read_part`, :func:`copy_part`: the package read within stated
  limits (:class:`PackageError`, one line) and parts copied without holding them.

Limits: a zip member may inflate to at most :data:`MAX_PART_BYTES` (256 MiB), all of them
together to :data:`MAX_PACKAGE_BYTES` (1 GiB), and a member over 1 MiB at most
:data:`MAX_RATIO` (200) times its compressed size; real SpreadsheetML compresses 5 to 30
times, a zip bomb hundreds to thousands.  Python's ``zipfile`` never inflates a member past
its declared size, so checking the declared sizes bounds what any reader of the file
(openpyxl, ``formulas``, this package) can be made to hold.  An XML part with a document type
declaration (``<!DOCTYPE``, which entity expansion attacks need and Excel never writes) is
refused too.
"""

from __future__ import annotations

import copy
import posixpath
import xml.etree.ElementTree as ET
import zipfile
import zlib

__all__ = [
    "CHUNK",
    "MAX_PACKAGE_BYTES",
    "MAX_PART_BYTES",
    "MAX_RATIO",
    "ZIP_ERRORS",
    "PackageError",
    "check_package",
    "copy_part",
    "local_name",
    "read_part",
    "relationships",
    "sheet_parts",
]

MAX_PART_BYTES = 256 * 2**20
MAX_PACKAGE_BYTES = 2**30
MAX_RATIO = 200
_RATIO_FROM = 2**20  # small parts may compress better (a sheet of blanks); they cannot grow large
#: Bytes read at a time from a part: no reader here holds a whole part it does not need.
CHUNK = 2**20
_DOCTYPE = b"<!DOCTYPE"


#: What ``zipfile`` raises for a damaged package: damaged data, a bad CRC, an unknown zip
#: version or compression method, an encrypted member.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


class PackageError(ValueError):
    """A package refused within the stated limits; the message is one line."""


def local_name(tag: str) -> str:
    """An ElementTree tag or attribute name without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]


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
        while chunk := part.read(CHUNK):
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
        while chunk := src.read(CHUNK):
            dst.write(chunk)

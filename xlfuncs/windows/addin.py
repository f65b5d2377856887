"""The xlfuncs add-in file: made from xlwings' own add-in template, read back without Excel.

Making it takes two halves:

* :func:`make_addin`, pure Python: copies ``quickstart_addin.xlam`` of the
  installed xlwings (the file ``xlwings quickstart --addin`` copies), renames
  its config sheet ``_myaddin.conf`` (the underscore switches it off) to
  ``xlfuncs.conf`` and fills it with machine-independent settings.  The file is
  patched as a zip: ``xl/workbook.xml`` and the sheet change, every other part
  (the VBA project above all) is copied byte for byte.  openpyxl is no option:
  it refuses ``.xlam`` and drops parts it does not know.
* :func:`import_functions`, on the workbook's COM object in Excel: the VBA
  constant ``PROJECT_NAME`` becomes ``xlfuncs`` (so the add-in reads
  ``xlfuncs.conf``, not the template's ``myaddin.conf``) and xlwings'
  ``import_udfs`` writes the function wrappers into the add-in.  Both need
  "Trust access to the VBA project object model".

:func:`inspect_addin` reads an add-in on disk: the VBA modules from
``xl/vbaProject.bin`` (an OLE compound file whose module source is compressed,
MS-OVBA 2.4.1, so a byte search finds nothing; olefile reads the container),
which give the xlwings DLL the add-in loads, its ``PROJECT_NAME`` and the
imported functions; and the config sheet, as xlwings' VBA reads it.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

import olefile

from ..functions import REGISTRY
from ..i18n import ENGLISH, function_texts
from .winconfig import TRUST_HOWTO, InstallError

TEMPLATE = "quickstart_addin.xlam"
_SHEET_NAME = re.compile(rb'<sheet name="[^"]*"')
_SHEET_DATA = re.compile(rb"<sheetData>.*?</sheetData>|<sheetData/>", re.S)
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"')
_PROJECT_LINE = re.compile(r'^(\s*Public Const PROJECT_NAME As String = )"[^"]*"', re.I)
_DLL = re.compile(r'Lib "(xlwings(?:32|64)-[^"]+\.dll)"')
_FUNCTION = re.compile(r"^(?:Public\s+)?Function\s+(\w+)\s*\(", re.I | re.M)
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_RID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def template_path() -> Path:
    """Xlwings' custom add-in template in the installed xlwings package (found without importing it)."""
    spec = importlib.util.find_spec("xlwings")
    folders = spec.submodule_search_locations if spec else None
    path = Path(next(iter(folders))) / TEMPLATE if folders else None
    if path is None or not path.is_file():
        raise InstallError(f"xlwings' add-in template {TEMPLATE} was not found: reinstall xlwings")
    return path


def make_addin(template: Path, out: Path, project: str, settings: dict[str, str]) -> None:
    """Write ``out``: ``template`` with its config sheet named ``<project>.conf`` holding ``settings``.

    Only keys with a value are written: a blank key would end xlwings' lookup
    before the user config file, where the interpreter is.
    """
    if not all(settings.values()):
        raise InstallError(f"add-in settings without a value: {settings}")
    rows = "".join(
        f'<row r="{number}">{_cell(f"A{number}", key)}{_cell(f"B{number}", value)}</row>'
        for number, (key, value) in enumerate(settings.items(), 1)
    )
    sheet = _config_sheet_part(template)
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.xml":
                data = _replace_once(
                    _SHEET_NAME, b"<sheet name=" + quoteattr(f"{project}.conf").encode(), data, info.filename
                )
            elif info.filename == sheet:
                data = _replace_once(_SHEET_DATA, f"<sheetData>{rows}</sheetData>".encode(), data, sheet)
                data = _DIMENSION.sub(f'<dimension ref="A1:B{len(settings)}"'.encode(), data)
            target.writestr(info, data)


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" s="1" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def _replace_once(pattern: re.Pattern, new: bytes, data: bytes, part: str) -> bytes:
    data, count = pattern.subn(lambda _: new, data, count=1)
    if count != 1:
        raise InstallError(f"xlwings' add-in template has changed: {part} not as expected")
    return data


def rename_project(vbproject, project: str) -> None:
    """Set ``PROJECT_NAME`` in the VBA module ``xlwings`` and the VBA project's name (COM)."""
    module = vbproject.VBComponents("xlwings").CodeModule
    for number in range(1, module.CountOfLines + 1):
        found = _PROJECT_LINE.match(module.Lines(number, 1))
        if found:
            module.ReplaceLine(number, f'{found[1]}"{project}"')
            vbproject.Name = project
            return
    raise InstallError("PROJECT_NAME not found in the add-in's VBA module xlwings")


def import_functions(workbook, project: str, modules: str, lang: str = ENGLISH) -> None:
    """In Excel, on the add-in's COM Workbook: rename its VBA project and import the wrappers.

    ``lang`` other than English: the Function Wizard texts are then set again in that
    language (:func:`describe`), since xlwings sets the docstrings' English.

    The workbook must be open under a name ending in ``.xlam``: xlwings then
    writes wrappers that pass ``ActiveWorkbook`` (the caller's workbook) instead
    of ``ThisWorkbook``.  ``xlwings.import_udfs`` exists where xlwings' classic
    runtime is active (Windows with pywin32).
    """
    if not workbook.Name.endswith(".xlam"):  # the very test xlwings makes, case and all
        raise InstallError(f"{workbook.Name}: the add-in must be opened as an .xlam file")
    try:
        vbproject = workbook.VBProject  # Excel refuses this without the trust setting
        vbproject.VBComponents.Count  # noqa: B018 - and this, in some versions
    except Exception as exc:
        raise InstallError(
            f"Excel refused access to the add-in's VBA project ({exc}): {TRUST_HOWTO}"
        ) from exc
    for name in modules.split(";"):
        module = importlib.import_module(name)
        if not any(hasattr(getattr(module, attr), "__xlfunc__") for attr in dir(module)):
            raise InstallError(
                f"{name} registers no function: xlwings' classic runtime is not "
                "active here (Windows with pywin32 needed)"
            )
    rename_project(vbproject, project)
    import xlwings

    xlwings.import_udfs(modules, workbook)  # type: ignore[call-arg]  # off Windows xlwings binds a no-argument stand-in
    if lang != ENGLISH:
        describe(workbook, lang)


#: Excel's limit on each Function Wizard text ``Application.MacroOptions`` takes.
WIZARD_LIMIT = 255


def describe(workbook, lang: str) -> None:
    """Set each function's Function Wizard texts in ``lang`` with ``Application.MacroOptions``.

    ``MacroOptions`` has no language parameter: the add-in holds one language, chosen when it
    is built (``xlfuncs install --lang``).  The function names stay English in every language.
    """
    from ..runtimes.excel import CATEGORY

    for spec in REGISTRY.values():
        summary, arguments = function_texts(spec, lang)
        workbook.Application.MacroOptions(
            f"'{workbook.Name}'!{spec.excel_name}",
            Description=summary[:WIZARD_LIMIT],
            Category=CATEGORY,
            ArgumentDescriptions=[arguments[a.name][:WIZARD_LIMIT] for a in spec.args] or None,
        )


@dataclass(frozen=True)
class AddinInfo:
    """What an add-in file on disk holds."""

    modules: tuple[str, ...]  # VBA module names
    dlls: tuple[str, ...]  # the xlwings DLLs its VBA declares, e.g. xlwings64-0.37.8.dll
    project: str | None  # PROJECT_NAME in its VBA
    functions: tuple[str, ...]  # the functions in its module xlwings_udfs (imported wrappers)
    config_sheet: str | None  # name of its active config sheet (<project>.conf)
    config: dict  # that sheet's settings, read as xlwings' VBA reads them

    @property
    def xlwings_version(self) -> str | None:
        """The xlwings version the DLL pin requires (``None`` if none or several)."""
        versions = {m[1] for dll in self.dlls if (m := re.fullmatch(r"xlwings(?:32|64)-(.+)\.dll", dll))}
        return versions.pop() if len(versions) == 1 else None


def inspect_addin(path: Path) -> AddinInfo:
    """Read ``path`` (an ``.xlam``/``.xlsm``) without Excel; :class:`InstallError` if unreadable."""
    try:
        with zipfile.ZipFile(path) as book:
            sources = vba_modules(book.read("xl/vbaProject.bin"))
            sheet, config = _read_config_sheet(book)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError) as exc:
        raise InstallError(f"{path}: not a readable add-in ({exc})") from exc
    code = "\n".join(sources.values())
    project = re.search(r'PROJECT_NAME As String = "([^"]*)"', code)
    return AddinInfo(
        modules=tuple(sorted(sources)),
        dlls=tuple(sorted({m[1] for m in _DLL.finditer(code)})),
        project=project[1] if project else None,
        functions=tuple(_FUNCTION.findall(sources.get("xlwings_udfs", ""))),
        config_sheet=sheet,
        config=config,
    )


def vba_modules(vba_project: bytes) -> dict[str, str]:
    """``{module name: source}`` of a ``vbaProject.bin``.

    The ``VBA/dir`` stream (compressed) lists each module's stream name
    (record 0x001A) and where its compressed source starts (0x0031).
    """
    ole = olefile.OleFileIO(io.BytesIO(vba_project))
    directory = decompress(ole.openstream("VBA/dir").read())
    sources, stream, position = {}, None, 0
    while position + 6 <= len(directory):
        record, size = struct.unpack_from("<HI", directory, position)
        position += 6
        if record == 0x0009:  # PROJECTVERSION: its size field says 4, 6 bytes follow
            size = 6
        body = directory[position : position + size]
        position += size
        if record == 0x001A:
            stream = body.decode("latin-1")
        elif record == 0x0031 and stream is not None:
            offset = struct.unpack("<I", body)[0]
            raw = ole.openstream(f"VBA/{stream}").read()
            sources[stream] = decompress(raw[offset:]).decode("cp1252", "replace")
            stream = None
    return sources


def decompress(data: bytes) -> bytes:
    """Decompress an MS-OVBA 2.4.1 CompressedContainer (VBA module source, ``dir`` stream).

    >>> decompress(bytes([1, 0x05, 0xB0, 0x08]) + b"abc" + bytes([0x03, 0x20]))
    b'abcabcabc'
    """
    if not data or data[0] != 1:
        raise ValueError("not an MS-OVBA compressed container")
    out, position = bytearray(), 1
    while position < len(data):
        header = struct.unpack_from("<H", data, position)[0]
        chunk = data[position + 2 : position + (header & 0x0FFF) + 3]
        position += (header & 0x0FFF) + 3
        start = len(out)
        if not header & 0x8000:  # stored uncompressed
            out += chunk[:4096]
            continue
        index = 0
        while index < len(chunk):
            flags, index = chunk[index], index + 1
            for bit in range(8):
                if index >= len(chunk):
                    break
                if not flags >> bit & 1:
                    out.append(chunk[index])
                    index += 1
                    continue
                token = struct.unpack_from("<H", chunk, index)[0]
                index += 2
                bits = max((len(out) - start - 1).bit_length(), 4)
                length, offset = (token & (0xFFFF >> bits)) + 3, (token >> (16 - bits)) + 1
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


def _config_sheet_part(template: Path) -> str:
    """The zip part of the template's first (and only) sheet, its config sheet."""
    with zipfile.ZipFile(template) as book:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        first = workbook.find("m:sheets/m:sheet", _NS)
        return _part(book, None if first is None else first.get(_RID))


def _part(book: zipfile.ZipFile, rid: str | None) -> str:
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target", "") for r in rels.iterfind("p:Relationship", _NS) if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _read_config_sheet(book: zipfile.ZipFile) -> tuple[str | None, dict]:
    """``(name, settings)`` of the sheet ``*.conf`` without a leading underscore.

    Like ``GetConfigFromSheet``: keys in column A from A1 down to the first
    empty cell, values in column B; keys upper-cased (VBA's lookup).
    """
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    for sheet in workbook.iterfind("m:sheets/m:sheet", _NS):
        name = sheet.get("name", "")
        if name.endswith(".conf") and not name.startswith("_"):
            cells = _cells(book, _part(book, sheet.get(_RID)))
            settings: dict[str, object] = {}
            row = 1
            while cells.get(f"A{row}") not in (None, ""):
                settings[str(cells[f"A{row}"]).upper()] = cells.get(f"B{row}", "")
                row += 1
            return name, settings
    return None, {}


def _cells(book: zipfile.ZipFile, part: str) -> dict[str, object]:
    """``{"A1": value}`` of a worksheet part: text, booleans, numbers as text."""
    shared = []
    if "xl/sharedStrings.xml" in book.namelist():
        strings = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
        shared = [
            "".join(t.text or "" for t in si.iterfind(".//m:t", _NS)) for si in strings.iterfind("m:si", _NS)
        ]
    cells: dict[str, object] = {}
    for cell in ElementTree.fromstring(book.read(part)).iterfind("m:sheetData/m:row/m:c", _NS):
        kind, value, ref = cell.get("t"), cell.findtext("m:v", None, _NS), cell.get("r", "")
        if kind == "inlineStr":
            cells[ref] = "".join(t.text or "" for t in cell.iterfind(".//m:t", _NS))
        elif value is None:
            continue
        elif kind == "s":
            cells[ref] = shared[int(value)]
        elif kind == "b":
            cells[ref] = value == "1"
        else:
            cells[ref] = value
    return cells

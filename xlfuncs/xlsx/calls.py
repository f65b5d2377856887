"""How a workbook stores calls to our functions, per runtime (its *form*), and reading any of them back.

Excel stores a call to an add-in function differently for each kind of add-in
(evidence from workbooks real Excel saved, in the project notes
``excel-binding.md``; not checked in a running Excel here):

* **classic** (the ``.xlam`` of ``xlfuncs install``): the plain name,
  ``MARKETCAP(...)``; it binds once Excel rebuilds the formulas
  (Ctrl+Alt+Shift+F9), which the first sheet's note says.
* **lite** (xlwings Lite, an Office.js add-in without a namespace):
  ``_xldudf_MARKETCAP(...)`` plus the web-extension parts that reference the
  Lite add-in (store id ``WA200008175``), which carry the workbook's
  ``main.py`` and ``requirements.txt`` as properties and list every function id
  used in ``customFunctionIdList``.
* **server** (xlwings Server, namespace ``XLWINGS`` by default):
  ``_xldudf_XLWINGS_MARKETCAP(...)``.  The web-extension part of a server add-in
  names the deployment's own manifest id, which only the deployment knows, so
  only the formulas are written.

:func:`write_form` turns a plain-name workbook into another form (only the
formula text and, for lite, the added parts change; every other zip member keeps
its bytes); :func:`plain_copy` gives a plain-name copy of a workbook in any form
(``[1]!NAME`` and ``_xludf.NAME`` too) for engines that only know plain names;
:func:`inspect` says which form a workbook stores.  Never save a Lite workbook
with openpyxl: it drops ``xl/webextensions/*`` (:func:`inspect` reports it).
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from .package import read_part, relationships, sheet_parts
from .sheet import DEFINED_NAME_TEXT, FORMULA_TEXT, unescape_text
from .writes import replacing

if TYPE_CHECKING:
    from ..framework.spec import FunctionSpec

FORMS = ("classic", "lite", "server")
DEFAULT_NAMESPACE = "XLWINGS"
LITE_STORE_ID = "WA200008175"
PYODIDE_VERSION = "0.27.5"
LITE_ADDIN_VERSION = "1.0.0.0-18"
WEBEXTENSION = "xl/webextensions/webextension1.xml"
TASKPANES = "xl/webextensions/taskpanes.xml"
_REL_TASKPANES = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
_REL_WEBEXTENSION = "http://schemas.microsoft.com/office/2011/relationships/webextension"
_NS_WE = "http://schemas.microsoft.com/office/webextensions/webextension/2010/11"
_NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_EXT_CONTAINS = "{D87F86FE-615C-45B5-9D79-34F1136793EB}"
_EXT_IDS = "{7C84B067-C214-45C3-A712-C9D94CD141B2}"
#: The first sheet's note, per form.
NOTES = {
    "classic": "Excel with the xlfuncs add-in (xlfuncs install): if any cell shows #NAME?, press "
    "Ctrl+Alt+Shift+F9 once so that Excel binds the functions.",
    "lite": "Stored for xlwings Lite: open it with the free xlwings Lite add-in (Home > Add-ins); the "
    "functions' code is already in the workbook (main.py, requirements.txt).",
    "server": "Stored for xlwings Server with the function namespace {ns}: open it with your "
    "organisation's xlwings Server add-in loaded.",
}

#: A string literal or quoted sheet name in a formula's text: calls inside one are not calls.
LITERAL = re.compile(r'"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'')
_CALL = re.compile(r"(?<![\w.!\]])((?:\[\d+\]!)|(?:_xludf\.)|(?:_xldudf_))?([A-Za-z_][\w.]*)(?=\()")
#: Bytes that each of _CALL's prefixes contains, as the file stores them.
_PREFIXES = (b"]!", b"_xludf.", b"_xldudf_")


def stored_name(name: str, form: str, namespace: str | None = None) -> str:
    """How ``form`` stores a call of our function ``name`` (``namespace``: server only)."""
    if form == "classic":
        return name
    if form == "lite":
        return f"_xldudf_{name}"
    if form == "server":
        return f"_xldudf_{(namespace or DEFAULT_NAMESPACE).upper()}_{name}"
    raise ValueError(f"unknown form {form!r}; expected one of {', '.join(FORMS)}")


def note(form: str, namespace: str | None = None) -> str:
    """The first sheet's note for a workbook stored in ``form``."""
    return NOTES[form].format(ns=(namespace or DEFAULT_NAMESPACE).upper())


def _registry() -> dict[str, FunctionSpec]:
    """Our functions by Excel name, loaded when a workbook is first read: ``xlfuncs calc`` starts
    LibreOffice before the kernels (and numpy) are imported.
    """
    from ..functions import REGISTRY

    return REGISTRY


def _ours(token: str) -> tuple[str, str] | None:
    """(function, namespace) of a stored ``_xldudf_`` token of ours, else None."""
    upper = token.upper()
    registry = _registry()
    if upper in registry:
        return upper, ""
    for name in sorted(registry, key=len, reverse=True):
        if upper.endswith("_" + name):
            return name, upper[: -len(name) - 1]
    return None


@dataclass
class _Calls:
    """What one pass over the formulas found: {stored token} and the kinds of form."""

    tokens: set[str] = field(default_factory=set)
    kinds: set[tuple[str, str]] = field(default_factory=set)  # (form, namespace)


def _rewrite(formula: str, new: Callable[[str], str], found: _Calls) -> str:
    """Every call of our functions in one formula's text, renamed by ``new(function)``."""

    def call(m: re.Match) -> str:
        prefix, name = m.group(1) or "", m.group(2)
        if prefix == "_xldudf_":
            hit = _ours(name)
            if hit is None:
                return m.group(0)
            function, namespace = hit
            found.kinds.add(("server", namespace) if namespace else ("lite", ""))
        elif name.upper() in _registry():
            function = name.upper()
            found.kinds.add(("classic", ""))
        else:
            return m.group(0)
        stored = new(function)
        found.tokens.add(stored)
        return stored

    out, pos = [], 0
    for lit in LITERAL.finditer(formula):
        out.append(_CALL.sub(call, formula[pos : lit.start()]))
        out.append(lit.group(0))
        pos = lit.end()
    out.append(_CALL.sub(call, formula[pos:]))
    return "".join(out)


def _rewrite_xml(xml: str, pattern: re.Pattern, new: Callable[[str], str], found: _Calls) -> str:
    def element(m: re.Match) -> str:
        text = unescape_text(m.group(2))
        return m.group(1) + escape(_rewrite(text, new, found)) + m.group(3)

    return pattern.sub(element, xml)


def _formula_parts(z: zipfile.ZipFile) -> dict[str, re.Pattern]:
    parts: dict[str, re.Pattern] = dict.fromkeys(sheet_parts(z).values(), FORMULA_TEXT)
    book = next(t for kind, t in relationships(z, "").values() if kind.endswith("/officeDocument"))
    parts[book] = DEFINED_NAME_TEXT
    return parts


def _copy_zip(
    src: Path, dst: Path, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes]
) -> None:
    """Copy ``src`` to ``dst`` (which may be ``src``) safely (:func:`~xlfuncs.xlsx.writes.replacing`);
    ``change(name, data)`` gives new bytes (None: unchanged); ``extra`` is added.
    """
    with (
        zipfile.ZipFile(src) as zin,
        replacing(dst) as raw,
        zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        infos = zin.infolist()
        for info in infos:
            data = read_part(zin, info.filename)
            new = change(info.filename, data)
            zout.writestr(info, data if new is None else new)
        for name, data in extra.items():
            added = zipfile.ZipInfo(name, date_time=infos[0].date_time)
            added.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(added, data)


def _rename(src: Path, dst: Path, new: Callable[[str], str]) -> _Calls:
    found = _Calls()
    with zipfile.ZipFile(src) as z:
        parts = _formula_parts(z)

    def change(name: str, data: bytes) -> bytes | None:
        if name not in parts:
            return None
        return _rewrite_xml(data.decode("utf-8"), parts[name], new, found).encode("utf-8")

    _copy_zip(src, dst, change, {})
    return found


# --- xlwings Lite's web extension ------------------------------------------------------


def _json_property(text: str) -> str:
    r"""A property value as Lite saves it: a JSON string (``/`` escaped as ``\/``), then XML-quoted."""
    return quoteattr(json.dumps(text, ensure_ascii=False).replace("/", "\\/"), {'"': "&quot;"})


def webextension_xml(ids: list[str], main_py: str, requirements: str, guid: str) -> str:
    """``xl/webextensions/webextension1.xml`` of a Lite workbook, as in workbooks Lite saved."""
    properties = "".join(
        f'<we:property name="{name}" value={_json_property(value)}/>'
        for name, value in (
            ("main.py", main_py),
            ("pyodideVersion", PYODIDE_VERSION),
            ("addinVersion", LITE_ADDIN_VERSION),
            ("requirements.txt", requirements),
        )
    )
    listed = "".join(f"<we:customFunctionIds>{i}</we:customFunctionIds>" for i in ids)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<we:webextension xmlns:we="{_NS_WE}" id="{{{guid}}}">'
        f'<we:reference id="{LITE_STORE_ID.lower()}" version="1.0.0.0" store="en-US" storeType="OMEX"/>'
        f'<we:alternateReferences><we:reference id="{LITE_STORE_ID}" version="1.0.0.0" '
        f'store="{LITE_STORE_ID}" storeType="OMEX"/></we:alternateReferences>'
        f"<we:properties>{properties}</we:properties><we:bindings/>"
        f'<we:snapshot xmlns:r="{_NS_R}"/><we:extLst>'
        f'<a:ext xmlns:a="{_NS_A}" uri="{_EXT_CONTAINS}"><we:containsCustomFunctions/></a:ext>'
        f'<a:ext xmlns:a="{_NS_A}" uri="{_EXT_IDS}"><we:customFunctionIdList>{listed}'
        "</we:customFunctionIdList></a:ext></we:extLst></we:webextension>"
    )


TASKPANES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<wetp:taskpanes xmlns:wetp="http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11">'
    '<wetp:taskpane dockstate="right" visibility="0" width="438" row="3">'
    f'<wetp:webextensionref xmlns:r="{_NS_R}" r:id="rId1"/></wetp:taskpane></wetp:taskpanes>'
)
TASKPANES_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL_WEBEXTENSION}" Target="webextension1.xml"/></Relationships>'
)


def _lite_package(data: bytes, name: str) -> bytes | None:
    """Content types and package relationships with the web-extension parts added."""
    xml = data.decode("utf-8")
    if name == "[Content_Types].xml":
        xml = xml.replace(
            "</Types>",
            f'<Override PartName="/{TASKPANES}" ContentType="application/vnd.ms-office.webextensiontaskpanes+xml"/>'
            f'<Override PartName="/{WEBEXTENSION}" ContentType="application/vnd.ms-office.webextension+xml"/>'
            "</Types>",
        )
    elif name == "_rels/.rels":
        ids = {int(i) for i in re.findall(r'Id="rId(\d+)"', xml)}
        rid = f"rId{max(ids, default=0) + 1}"
        xml = xml.replace(
            "</Relationships>",
            f'<Relationship Id="{rid}" Type="{_REL_TASKPANES}" Target="{TASKPANES}"/></Relationships>',
        )
    else:
        return None
    return xml.encode("utf-8")


def write_form(src: Path, dst: Path, form: str, namespace: str | None = None) -> list[str]:
    """Write ``src`` (a workbook in any form) to ``dst`` stored for ``form``; returns the ids used.

    For ``lite`` the web-extension parts are added (``src`` must not have them yet),
    with the exported ``main.py`` and ``requirements.txt`` (:mod:`xlfuncs.runtimes.lite`).
    """
    src, dst = Path(src), Path(dst)
    found = _rename(src, dst, lambda name: stored_name(name, form, namespace))
    ids = sorted(found.tokens)
    if form == "lite":
        from ..runtimes.lite import build_main_py, build_requirements

        with zipfile.ZipFile(dst) as z:
            if WEBEXTENSION in z.namelist():
                raise ValueError(f"{src.name} already has web-extension parts")
        guid = str(uuid.uuid5(uuid.NAMESPACE_URL, "xlfuncs/" + dst.name)).upper()  # same file on a rebuild
        extra = {
            TASKPANES: TASKPANES_XML.encode(),
            "xl/webextensions/_rels/taskpanes.xml.rels": TASKPANES_RELS.encode(),
            WEBEXTENSION: webextension_xml(ids, build_main_py(), build_requirements(), guid).encode("utf-8"),
        }
        _copy_zip(dst, dst, lambda name, data: _lite_package(data, name), extra)
    return ids


@contextlib.contextmanager
def plain_copy(path: Path) -> Iterator[Path]:
    """``path`` itself when it stores plain names, else a temporary copy (same file name) that does."""
    path = Path(path)
    with zipfile.ZipFile(path) as z:  # a book without them stores plain names: no kernel needed
        marked = any(mark in xml for xml in map(z.read, _formula_parts(z)) for mark in _PREFIXES)
    if not marked or all(token in _registry() for token in inspect(path).tokens):  # plain names (or none)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="xlfuncs_plain_") as tmp:
        copy = Path(tmp) / path.name
        _rename(path, copy, lambda name: name)
        yield copy


# --- what a workbook stores ------------------------------------------------------------


@dataclass(frozen=True)
class StoredForm:
    """Which form a workbook stores, and what goes with it."""

    form: str  # classic, lite, server, none (no call of ours) or mixed
    namespace: str = ""  # server form: the namespace
    tokens: tuple[str, ...] = ()  # stored names of our functions, sorted
    listed: tuple[str, ...] = ()  # ids in the web extension's customFunctionIdList
    webextension: bool = False  # xl/webextensions/webextension*.xml present
    lite_code: bool = False  # the web extension carries main.py

    def problems(self) -> list[str]:
        """What keeps the workbook from binding in the runtime of its form."""
        out = []
        if self.form == "mixed":
            out.append(
                "calls are stored in more than one form: rebuild it with `xlfuncs workbooks --for ...`"
            )
        if self.form == "lite":
            if not self.webextension:
                out.append(
                    "the xlwings Lite web extension is missing (saved by openpyxl or another tool that drops "
                    "xl/webextensions): Lite will not load its code"
                )
            missing = sorted(set(self.tokens) - set(self.listed))
            if self.webextension and missing:
                out.append(f"customFunctionIdList lacks {', '.join(missing)}")
            if self.webextension and not self.lite_code:
                out.append("the web extension carries no main.py")
        return out

    def describe(self) -> str:
        kinds = {
            "classic": "plain names (classic add-in, xlfuncs install)",
            "lite": "_xldudf_NAME (xlwings Lite)",
            "server": f"_xldudf_{self.namespace}_NAME (xlwings Server, namespace {self.namespace})",
            "none": "no call of an xlfuncs function",
            "mixed": "more than one form",
        }
        n = len(self.tokens)
        return kinds[self.form] + (f", {n} function{'s' * (n != 1)}" if n else "")


def inspect(path: Path) -> StoredForm:
    """Which form the workbook at ``path`` stores (reads the zip; changes nothing)."""
    found = _Calls()
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        for part, pattern in _formula_parts(z).items():
            _rewrite_xml(z.read(part).decode("utf-8"), pattern, lambda name: name, found)
        webext = [n for n in names if re.fullmatch(r"xl/webextensions/webextension\d*\.xml", n)]
        listed: list[str] = []
        code = False
        for part in webext:
            xml = z.read(part).decode("utf-8")
            listed += re.findall(r"<we:customFunctionIds>([^<]*)</we:customFunctionIds>", xml)
            code = code or 'name="main.py"' in xml
    tokens = _stored_tokens(path)
    if not found.kinds:
        form, namespace = "none", ""
    elif len(found.kinds) > 1:
        form, namespace = "mixed", ""
    else:
        form, namespace = next(iter(found.kinds))
    return StoredForm(form, namespace, tuple(sorted(tokens)), tuple(listed), bool(webext), code)


def _stored_tokens(path: Path) -> set[str]:
    """Our function calls exactly as spelled in the file (``MARKETCAP``, ``_xldudf_EV``, ...)."""
    tokens: set[str] = set()
    registry = _registry()
    with zipfile.ZipFile(path) as z:
        for part, pattern in _formula_parts(z).items():
            for m in pattern.finditer(z.read(part).decode("utf-8")):
                text = LITERAL.sub('""', unescape_text(m.group(2)))
                for call in _CALL.finditer(text):
                    prefix, name = call.group(1) or "", call.group(2)
                    if (prefix == "_xldudf_" and _ours(name)) or (
                        prefix != "_xldudf_" and name.upper() in registry
                    ):
                        tokens.add(prefix + (name if prefix == "_xldudf_" else name.upper()))
    return tokens

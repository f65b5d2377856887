"""Headless LibreOffice as a second, independent spreadsheet engine.

* :func:`recalculate` opens a workbook in LibreOffice Calc, recalculates every
  formula and saves it as .xlsx, so its values can be read with openpyxl
  (``data_only=True``) and compared with what ``formulas`` computed.
* :func:`render_pdf` prints a workbook to PDF (for pictures of the templates).
* :func:`freeze_our_functions` makes a copy in which every cell computed by one
  of our functions holds its cached value as a constant.  LibreOffice does not
  know our functions (they give ``#NAME?`` there, and it always recomputes
  array formulas, so a spilled result cannot be kept by its cached value); in
  the frozen copy it recomputes every native formula that depends on them.

Each run of LibreOffice gets a fresh, private profile that forces
recalculation on load (LibreOffice otherwise shows the cached values of an
.xlsx), so runs are independent of each other and of the user's settings and
may run in parallel.  Install: ``apt-get install libreoffice-calc``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from . import xlsx
from .xlsx import sheet_parts  # also public here: scripts/render.py uses libreoffice.sheet_parts

#: Names of the LibreOffice executable, tried in order (``XLFUNCS_SOFFICE`` overrides).
EXECUTABLES = ("soffice", "libreoffice")
TIMEOUT = 180  # seconds per conversion; a first start in a fresh profile takes a few seconds

# Calc setting "recalculation on file load": 0 = always, 1 = never, 2 = ask (the default).
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>{mode}</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>{mode}</value></prop></item>
</oor:items>
"""
XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"
PDF_FILTER = "pdf:calc_pdf_Export"


class LibreOfficeError(RuntimeError):
    """LibreOffice is missing, failed or timed out."""


def executable() -> str | None:
    """Path of the LibreOffice executable, or None when it is not installed."""
    override = os.environ.get("XLFUNCS_SOFFICE")
    if override:
        return shutil.which(override)
    for name in EXECUTABLES:
        found = shutil.which(name)
        if found:
            return found
    return None


def available() -> bool:
    """Whether headless LibreOffice can be run here."""
    return executable() is not None


def _convert(src: Path, out_dir: Path, convert_to: str, suffix: str, recalc: bool, timeout: float) -> Path:
    """Run one headless conversion of ``src`` into ``out_dir``; return the new file."""
    soffice = executable()
    if soffice is None:
        raise LibreOfficeError(
            "LibreOffice (soffice) is not installed; install it with "
            "`apt-get install libreoffice-calc` (scripts/test.sh does)"
        )
    src, out_dir = Path(src).resolve(), Path(out_dir).resolve()
    if not src.is_file():
        raise FileNotFoundError(src)
    if out_dir == src.parent:
        raise ValueError(
            f"output folder {out_dir} is the input's folder: choose another one, "
            "the output would have the input's name"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / (src.stem + suffix)
    with tempfile.TemporaryDirectory(prefix="xlfuncs_lo_") as tmp:
        profile, work = Path(tmp) / "profile", Path(tmp) / "out"
        (profile / "user").mkdir(parents=True)
        work.mkdir()
        (profile / "user" / "registrymodifications.xcu").write_text(
            _PROFILE.format(mode=0 if recalc else 1), encoding="utf-8"
        )
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
            "--convert-to",
            convert_to,
            "--outdir",
            str(work),
            str(src),
        ]
        # Own session: on a timeout the whole process group (soffice.bin too) is killed.
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise LibreOfficeError(
                f"LibreOffice did not finish converting {src.name} within {timeout:g} s"
            ) from None
        finally:
            try:  # nothing of this run may outlive it
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        produced = work / (src.stem + suffix)
        if proc.returncode or not produced.is_file():
            detail = "\n".join(s.strip() for s in (stderr, stdout) if s.strip())
            raise LibreOfficeError(
                f"LibreOffice failed to convert {src.name} (exit code "
                f"{proc.returncode}): {detail or 'no output'}"
            )
        shutil.move(str(produced), target)
    return target


def recalculate(src, out_dir, timeout: float = TIMEOUT) -> Path:
    """Recalculate ``src`` in LibreOffice and save it as ``out_dir/<name>.xlsx``.

    Every formula is recomputed on load (cached values are ignored); read the
    results with ``openpyxl.load_workbook(path, data_only=True)``.  LibreOffice
    keeps 15 significant digits when it writes numbers.  ``out_dir`` must not
    be the input's folder.
    """
    return _convert(src, out_dir, XLSX_FILTER, ".xlsx", True, timeout)


def render_pdf(
    src, out_dir, recalc: bool = True, options: dict | None = None, timeout: float = TIMEOUT
) -> Path:
    """Print every visible sheet of ``src`` to ``out_dir/<name>.pdf`` with its stored page setup.

    ``options`` are settings of LibreOffice's PDF export, for example
    ``{"SinglePageSheets": True}`` (each sheet on one page of its own size) or
    ``{"PageRange": "2-3"}``.
    """
    convert_to = PDF_FILTER
    if options:
        import json

        typed = {
            key: {
                "type": "boolean"
                if isinstance(value, bool)
                else "long"
                if isinstance(value, int)
                else "string",
                "value": str(value).lower() if isinstance(value, bool) else str(value),
            }
            for key, value in options.items()
        }
        convert_to += ":" + json.dumps(typed, separators=(",", ":"))
    return _convert(src, out_dir, convert_to, ".pdf", recalc, timeout)


# --- freezing our functions ------------------------------------------------------------

_LITERALS = re.compile(r'"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'')  # strings and quoted sheet names


def _our_call():
    from ..functions import REGISTRY

    names = "|".join(sorted((re.escape(s.excel_name) for s in REGISTRY.values()), key=len, reverse=True))
    # a call of one of our names, plain or as Excel stores unresolved add-in names
    return re.compile(rf"(?<![\w.])(?:_xludf\.)?(?:{names})\s*\(", re.I)


def calls_our_function(formula: str) -> bool:
    """Whether a formula's text calls one of our functions.

    >>> calls_our_function("=MARKETCAP(B2,B3)*2"), calls_our_function("=SUM(B2:B3)")
    (True, False)
    >>> calls_our_function('=IF(A1="EV(",1,2)'), calls_our_function("='5 ABC EV'!B7")
    (False, False)
    """
    return bool(_our_call().search(_LITERALS.sub('""', formula)))


_CELL = re.compile(r"<c\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</c>)", re.S)
_FORMULA = re.compile(r"<f\b(?P<attrs>[^>]*?)(?:/>|>(?P<text>.*?)</f>)", re.S)
_VALUE = re.compile(r"<v\b[^>]*?(?:/>|>(?P<text>.*?)</v>)", re.S)


def _freeze_sheet(xml: str, where: str) -> tuple[str, list[str]]:
    """The sheet XML with every cell of our functions' formulas turned into its cached value."""
    ours, shared = [], set()
    for cell in _CELL.finditer(xml):
        formula = _FORMULA.search(cell["body"] or "")
        if not formula:
            continue
        fattrs = formula["attrs"]
        if formula["text"] and calls_our_function(xlsx.unescape_text(formula["text"])):
            ref = xlsx.attr(fattrs, "ref") if xlsx.attr(fattrs, "t") == "array" else None
            ours.extend(xlsx.cells(ref) if ref else [xlsx.attr(cell["attrs"], "r")])
            if xlsx.attr(fattrs, "t") == "shared":
                shared.add(xlsx.attr(fattrs, "si"))
    if shared:  # the cells that share a formula of ours
        for cell in _CELL.finditer(xml):
            formula = _FORMULA.search(cell["body"] or "")
            if (
                formula
                and xlsx.attr(formula["attrs"], "t") == "shared"
                and xlsx.attr(formula["attrs"], "si") in shared
            ):
                ours.append(xlsx.attr(cell["attrs"], "r"))
    ours = list(dict.fromkeys(ours))
    todo = set(ours)

    def freeze(cell):
        attrs, body = cell["attrs"], cell["body"] or ""
        ref = xlsx.attr(attrs, "r")
        if ref not in todo:
            return cell[0]
        value, kind = _VALUE.search(body), xlsx.attr(attrs, "t")
        if _FORMULA.search(body) and (value is None or not (value["text"] or kind == "str")):
            raise ValueError(
                f"{where}!{ref} has no computed value; compute the workbook first (xlfuncs calc)"
            )
        attrs = re.sub(r'\s(?:cm|vm)="[^"]*"', "", attrs)  # dynamic-array cell metadata
        if value is None:
            return f"<c{attrs}/>"
        if kind == "str":  # a formula's text result: as a constant it is an inline string
            attrs = re.sub(r'\st="[^"]*"', ' t="inlineStr"', attrs)
            return f'<c{attrs}><is><t xml:space="preserve">{value["text"] or ""}</t></is></c>'
        return f"<c{attrs}>{value[0]}</c>"  # numbers, booleans, errors, shared strings

    return _CELL.sub(freeze, xml), ours


def freeze_our_functions(src, dst) -> dict[str, list[str]]:
    """Copy ``src`` to ``dst`` with every cell computed by our functions replaced by its
    cached value as a constant; returns the frozen cells, ``{sheet: [cell, ...]}``.

    A cell counts as ours when its formula calls a name of :data:`xlfuncs.REGISTRY`;
    for an array (spilled) formula every cell of its range counts, for a shared
    formula every cell sharing it.  Native formulas that use our results stay
    formulas, so another engine recomputes them from the frozen values.  Only the
    frozen cells change: styles, values (to the last bit), native formulas and every
    other part of the file are copied as they are.  Raises ``ValueError`` when a
    formula of ours has no cached value (compute the workbook first: ``xlfuncs calc``).
    """
    import zipfile

    src, dst = Path(src), Path(dst)
    frozen: dict[str, list[str]] = {}
    with zipfile.ZipFile(src) as book:
        parts = {part: name for name, part in sheet_parts(book).items()}
        patched = {}
        for part, name in parts.items():
            xml, cells = _freeze_sheet(book.read(part).decode("utf-8"), f"{src.name}: {name}")
            if cells:
                patched[part], frozen[name] = xml.encode("utf-8"), cells
        tmp = dst.with_name(dst.name + ".tmp")
        with zipfile.ZipFile(tmp, "w") as out:
            for info in book.infolist():
                out.writestr(
                    info,
                    patched.get(info.filename) or book.read(info.filename),
                    compress_type=info.compress_type,
                )
    os.replace(tmp, dst)
    return frozen

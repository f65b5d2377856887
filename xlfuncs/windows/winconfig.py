r"""Windows paths and xlwings' config file format, for ``xlfuncs install``, ``uninstall`` and ``doctor``.

Pure Python: it imports neither Excel, xlwings nor ``winreg``, so all of it is
tested on Linux.

Where xlwings' VBA looks a setting up (``GetConfig`` in ``xlwings_custom_addin.bas``,
first hit wins), with ``PROJECT_NAME = "xlfuncs"``:

1. a sheet ``xlfuncs.conf`` in the active workbook;
2. the sheet ``xlfuncs.conf`` in the add-in itself;
3. a file ``xlfuncs.conf`` in the active workbook's folder;
4. the user file ``%USERPROFILE%\.xlfuncs\xlfuncs.conf``.

A key that is present with an empty value is a hit too and ends the search, so
nothing here ever writes a blank value.

The file format is the one xlwings' VBA writes with ``Write #`` and reads with
``Input #`` (``SaveConfigToFile``/``GetConfigFromFile``): one ``"KEY","value"``
line per key, CRLF line ends, keys compared case-insensitively, the first line
of a key wins.  ``Input #`` has no escape for ``"``, so a value containing one is
refused (:class:`ConfigError`).

Encoding: the ANSI code page (Python's ``mbcs`` codec on Windows), because
that is what VBA's ``Open``/``Input #``/``Write #`` use and what
``LoadLibraryA`` needs for the interpreter's folder anyway; a value the code
page can't hold is refused.  Off Windows (tests, previews) ``cp1252``, the ANSI
code page of Western Windows.  Lines we don't change are kept byte for byte,
whatever their bytes (``surrogateescape``), in their place.

Line ends are split as xlwings' Python reader (``utils.read_user_config``, a file
in text mode) and VBA's ``Input #`` split them: CRLF, LF and a lone CR each end a
line.  :func:`read` remembers each line's own end, a UTF-8 byte-order mark and
whether the last line had an end, and :func:`write` puts them back, so a merge
followed by its undo gives the file back byte for byte.  A replaced line keeps the
end of the line it replaces; an added line gets the file's most common end (CRLF,
what VBA writes, for a new file).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

ENCODING = "mbcs" if sys.platform == "win32" else "cp1252"
PROJECT = "xlfuncs"
#: Where Excel keeps "Trust access to the VBA project object model" (DWORD 1 = on).
TRUST_KEY = r"HKCU\Software\Microsoft\Office\16.0\Excel\Security"
TRUST_HOWTO = (
    "turn on Excel's File > Options > Trust Center > Trust Center Settings > "
    'Macro Settings > "Trust access to the VBA project object model" '
    f"(registry {TRUST_KEY}, AccessVBOM = 1), then run this again; "
    "only installing needs it, you may turn it off afterwards"
)
STORE_PYTHON = (
    "Python from the Microsoft Store runs in a sandbox that Excel cannot start "
    "(xlwings issues #1166, #2371): install Python from python.org and use that one"
)
STORE_EXCEL = (
    "Excel from the Microsoft Store cannot load xlwings' add-in (xlwings issue #1166): "
    "install the desktop Microsoft 365/Office Excel from office.com"
)

_FIELD = re.compile(r'"([^"]*)"')


class InstallError(Exception):
    """A problem ``xlfuncs install``/``uninstall`` reports in one line; ``code`` is the exit code."""

    code = 1


class ConfigError(InstallError):
    """A value the config file format cannot hold: unusable input (exit code 2)."""

    code = 2


def user_config(home: Path, project: str = PROJECT) -> Path:
    r"""``%USERPROFILE%\.<project>\<project>.conf``, the user file of a custom add-in
    (``GetConfigFilePath``); ``project="xlwings"`` gives xlwings' own ``xlwings.conf``.
    """
    return home / f".{project}" / f"{project}.conf"


def xlstart(appdata: Path) -> Path:
    r"""Excel's per-user start-up folder, ``%APPDATA%\Microsoft\Excel\XLSTART``.

    This is what Excel's ``Application.StartupPath`` returns and where
    ``xlwings addin install`` copies add-ins; computing it spares starting Excel
    for ``--dry-run`` and ``doctor``.
    """
    return appdata / "Microsoft" / "Excel" / "XLSTART"


def excel_python(executable: Path) -> Path:
    """The interpreter Excel should start: ``pythonw.exe`` beside ``executable`` (no
    console window), or ``executable`` itself when there is none.
    """
    windowed = executable.with_name("pythonw.exe")
    return windowed if windowed.is_file() else executable


def store_python(path: str | os.PathLike) -> bool:
    r"""Is this a Microsoft Store Python (under ``WindowsApps`` or ``\Packages\PythonSoftwareFoundation``)?"""
    text = str(path).lower()
    return "windowsapps" in text or r"\packages\pythonsoftwarefoundation" in text


def store_excel(path: str | os.PathLike) -> bool:
    """Is this Excel folder the Microsoft Store build (installed under ``WindowsApps``)?"""
    return "windowsapps" in str(path).lower()


BOM = b"\xef\xbb\xbf"
_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|\Z)")


class Line(str):
    """The text of one line of a config file, remembering the line end it had there."""

    end: str

    def __new__(cls, text: str, end: str) -> Line:
        line = super().__new__(cls, text)
        line.end = end
        return line


class Lines(list[str]):
    """The lines of a config file, with what :func:`write` needs to give back its exact bytes."""

    def __init__(
        self, lines: Iterable[str] = (), *, bom: bool = False, newline: str = "\r\n", final: bool = True
    ):
        super().__init__(lines)
        self.bom = bom  # a UTF-8 byte-order mark before the first line
        self.newline = newline  # the end given to an added line
        self.final = final  # whether the last line ends with a line end

    def like(self, lines: list[str]) -> Lines:
        """``lines`` in this file's format."""
        return Lines(lines, bom=self.bom, newline=self.newline, final=self.final)


def read(path: Path) -> Lines:
    """The lines of a config file without their line ends; empty when there is no file."""
    if not path.is_file():
        return Lines()
    data = path.read_bytes()
    bom = data.startswith(BOM)
    text = data[len(BOM) if bom else 0 :].decode(ENCODING, "surrogateescape")
    pairs = [m.groups() for m in _LINE.finditer(text)]
    if pairs and pairs[-1] == ("", ""):  # the empty match at the very end
        pairs.pop()
    ends = [end for _, end in pairs if end]
    newline = max(("\r\n", "\n", "\r"), key=ends.count) if ends else "\r\n"  # ties: CRLF, as VBA
    final = not pairs or bool(pairs[-1][1])
    return Lines([Line(t, e or newline) for t, e in pairs], bom=bom, newline=newline, final=final)


def entry(text: str) -> tuple[str, str] | None:
    """``(key, value)`` of a ``"KEY","value"`` line, parsed as xlwings'
    ``read_user_config`` does; ``None`` for any other line (kept as it is).
    """
    fields = _FIELD.findall(text)
    return (fields[0], fields[1]) if len(fields) >= 2 else None


def find(lines: list[str], key: str) -> str | None:
    """The line VBA reads for ``key``: the first one with that key, any case."""
    for text in lines:
        pair = entry(text)
        if pair and pair[0].lower() == key.lower():
            return text
    return None


def get(lines: list[str], key: str) -> str | None:
    """The value VBA reads for ``key``, ``None`` when the key is not there."""
    found = find(lines, key)
    pair = None if found is None else entry(found)
    return None if pair is None else pair[1]


def line(key: str, value: str) -> str:
    """``"KEY","value"`` as VBA's ``Write #`` writes it; refuses what VBA could not read back."""
    for text in (key, value):
        if not text:
            raise ConfigError(f"config {key or 'key'}: empty (a blank entry stops xlwings' lookup)")
        if '"' in text or "\r" in text or "\n" in text:
            raise ConfigError(
                f"config {key}: {text!r} contains a double quote or a line break, "
                "which xlwings' config file cannot hold"
            )
        try:
            text.encode(ENCODING)
        except UnicodeEncodeError:
            raise ConfigError(
                f"config {key}: {text!r} has characters outside the ANSI code page "
                f"({ENCODING}) that Excel's VBA reads the file in; use a path "
                "without them"
            ) from None
    return f'"{key}","{value}"'


def replace(lines: list[str], key: str, text: str | None) -> list[str]:
    """``lines`` with the line of ``key`` (the first, the one VBA reads) replaced by ``text``.

    ``text=None`` removes that line; a key that is not there is appended.
    Every other line stays as it is, in its place.
    """
    out = lines.like(lines) if isinstance(lines, Lines) else Lines(lines)
    found = find(out, key)
    if found is None:
        return out if text is None else out.like([*out, text])
    number = out.index(found)
    if text is None:
        del out[number]
    else:
        out[number] = Line(text, getattr(found, "end", out.newline))
    return out


def backup_path(path: Path, now: datetime | None = None) -> Path:
    """A free name ``<name>.<YYYYmmdd-HHMMSS>.bak`` beside ``path`` for its backup."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate, number = path.with_name(f"{path.name}.{stamp}.bak"), 1
    while candidate.exists():
        candidate, number = path.with_name(f"{path.name}.{stamp}-{number}.bak"), number + 1
    return candidate


def write(path: Path, lines: list[str], backup: Path | None = None) -> None:
    """Write ``lines`` in their file's format (:class:`Lines`; CRLF for a plain list),
    copying the existing file to ``backup`` first.

    The new content goes to a temporary file that then replaces ``path``, so an
    interrupted write leaves the old file.
    """
    form = lines if isinstance(lines, Lines) else Lines(lines)
    ends = [getattr(text, "end", form.newline) for text in form]
    if ends and not form.final:
        ends[-1] = ""
    text = "".join(f"{line}{end}" for line, end in zip(form, ends, strict=True))
    data = (BOM if form.bom else b"") + text.encode(ENCODING, "surrogateescape")
    path.parent.mkdir(parents=True, exist_ok=True)
    if backup is not None:
        shutil.copy2(path, backup)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)

"""Headless LibreOffice runs of the calculator: private profiles that recalculate on load, and
one-off conversions.

Each headless run gets a profile folder of its own (two soffice processes on one profile clash:
the second hands its job to the first and exits).  :func:`write_profile` makes one that
recalculates every formula on load (LibreOffice otherwise shows the values an .xlsx has stored).
"""

from __future__ import annotations

from pathlib import Path

from ...runtimes.libreoffice.office import TIMEOUT, LibreOfficeError, detail, executable, options, run

__all__ = ["HEADLESS", "OOXML_FILTER", "OOXML_FILTER_FLAGS", "OOXML_SUFFIXES", "convert", "write_profile"]

#: The import filter every workbook is opened with: a file that is also an OpenDocument package
#: (a "polyglot") would otherwise be detected, and opened, as that.
OOXML_FILTER = "Calc MS Excel 2007 XML"
OOXML_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")

#: The flags LibreOffice gives :data:`OOXML_FILTER`, but ``SUPPORTSSIGNING``, which every profile of
#: xlfuncs sets instead.  With that flag Calc checks a book's digital signatures as it finishes
#: loading it; on the first book of a process that starts the certificate store (NSS) and, through
#: GpgME, runs ``gpgconf``, ``gpg`` and ``gpgsm``, all of which a cold ``xlfuncs calc`` waits for.
#: The check decides nothing here: books are only computed, never signed, and their macros never run.
OOXML_FILTER_FLAGS = "IMPORT EXPORT ALIEN 3RDPARTYFILTER PREFERRED ENCRYPTION PASSWORDTOMODIFY"

#: How every LibreOffice of xlfuncs runs: no window, no document recovery, no lock files, no start
#: centre, no splash.
HEADLESS = ("--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo")

# Calc setting "recalculation on file load": 0 = always, 1 = never, 2 = ask (the default).
# The rest seals the workbook off (docs/untrusted-workbooks.md): BlockUntrustedRefererLinks and
# DisableActiveContent each stop a picture linked to an http address from being fetched while the
# book computes (measured; link updates set to never alone do not); links to other files are never
# updated (Calc/Content/Update/Link: 0 always, 1 never, 2 on request).  Macros are kept from
# running by opening every book with MacroExecutionMode 0 (service.py), not by
# DisableMacrosExecution, which would also stop the Python service the engine computes through.
# The last item sets the import filter's flags (OOXML_FILTER_FLAGS).
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>{mode}</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>{mode}</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="DisableActiveContent" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse">\
<value>1</value></prop></item>
<item oor:path="/org.openoffice.TypeDetection.Filter/Filters/org.openoffice.TypeDetection.Filter:Filter['{name}']">\
<prop oor:name="Flags" oor:op="fuse"><value>{flags}</value></prop></item>
</oor:items>
"""


def write_profile(profile: Path, recalc: bool = True) -> None:
    """Make ``profile`` a LibreOffice user profile that recalculates on load (or never)."""
    user = Path(profile) / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        _PROFILE.format(mode=0 if recalc else 1, name=OOXML_FILTER, flags=OOXML_FILTER_FLAGS),
        encoding="utf-8",
    )


def convert(
    src: Path,
    out_dir: Path,
    profile: Path,
    convert_to: str,
    suffix: str,
    packages: Path | None = None,
    timeout: float = TIMEOUT,
) -> Path:
    """Open ``src`` headless with ``profile`` (and the extensions in ``packages``) and save it as
    ``out_dir/<name><suffix>`` with the filter ``convert_to``; return that file.
    """
    soffice = executable()
    if soffice is None:
        raise LibreOfficeError(
            "LibreOffice (soffice) is not installed; install it with "
            "`apt-get install libreoffice-calc` (scripts/test.sh does)"
        )
    cmd = [
        soffice,
        *options(profile, packages),
        *HEADLESS,
        *([f"--infilter={OOXML_FILTER}"] if Path(src).suffix.lower() in OOXML_SUFFIXES else []),
        "--convert-to",
        convert_to,
        "--outdir",
        str(out_dir),
        str(src),
    ]
    proc = run(cmd, timeout, f"converting {Path(src).name}")
    produced = Path(out_dir) / (Path(src).stem + suffix)
    if proc.returncode or not produced.is_file():
        raise LibreOfficeError(f"LibreOffice failed to convert {Path(src).name}: {detail(proc)}")
    return produced

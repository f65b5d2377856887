"""LibreOffice: Calc with the xlfuncs.oxt add-in, and the instances ``xlfuncs calc``'s LibreOffice
engine keeps loaded.  Both are optional, so this check never fails.
"""

from __future__ import annotations

from ..i18n.messages import msg
from .checks import Check, Run, ok


def runs() -> list[Run]:
    return [("LibreOffice", _libreoffice)]


def _libreoffice() -> Check:
    """LibreOffice Calc and the xlfuncs.oxt add-in: optional (Calc, and ``xlfuncs calc``'s default engine)."""
    from ..functions.versions import __version__
    from ..runtimes.libreoffice import build, office

    version = office.version()
    if version is None:
        return ok("LibreOffice", msg("not installed (optional: Calc, and xlfuncs calc's default engine)"))
    installed = office.installed(build.IDENTIFIER)
    state = (
        msg("not installed (optional: xlfuncs libreoffice install)")
        if installed is None
        else msg("{version} installed", version=installed)
        + ("" if installed == __version__ else msg(", not {version}: reinstall it", version=__version__))
    )
    from ..calc.libreoffice import instances

    kept = len(instances.running(office.cache_root()))
    engine = (
        msg("; {kept} kept by xlfuncs calc (xlfuncs libreoffice stop ends them)", kept=kept) if kept else ""
    )
    return ok("LibreOffice", f"{'.'.join(map(str, version))}, xlfuncs.oxt {state}{engine}")

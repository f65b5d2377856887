"""``xlfuncs doctor --workbook``: which runtime's form a workbook stores (the classic add-in,
xlwings Lite or xlwings Server) and whether it suits the runtime installed here.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..i18n.messages import msg
from ..windows.install import ADDIN, WindowsHost
from ..xlsx.calls import inspect


def _installed_runtime(host: WindowsHost | None) -> str | None:
    """The installed runtime: ``classic`` (add-in in the startup folder), ``""`` (none), None off Windows."""
    if host is None:
        return None
    return "classic" if (host.startup_folder() / ADDIN).is_file() else ""


def lines(path: Path, host: WindowsHost | None = None) -> tuple[list[str], bool]:
    """The lines to print about the workbook at ``path``, and whether any is a FAIL."""
    path = Path(path)
    try:
        stored = inspect(path)
    except (OSError, zipfile.BadZipFile, KeyError, StopIteration) as exc:
        return [
            msg(
                "FAIL workbook: {name} cannot be read as an .xlsx ({error})",
                name=path.name,
                error=type(exc).__name__,
            )
        ], True
    found = [msg("OK   workbook: {name} stores {form}", name=path.name, form=stored.describe())]
    found += [msg("FAIL workbook: {problem}", problem=problem) for problem in stored.problems()]
    installed = _installed_runtime(host)
    runtime = {
        "classic": msg(
            "desktop Excel with the xlfuncs add-in (xlfuncs install); press Ctrl+Alt+Shift+F9 once "
            "if a cell shows #NAME?"
        ),
        "lite": msg("xlwings Lite (Excel on the web, Mac or Windows with the Lite add-in)"),
        "server": msg("xlwings Server with the function namespace {namespace}", namespace=stored.namespace),
    }.get(stored.form)
    if runtime is None:
        found.append(msg("OK   runtime: nothing to bind"))
    elif installed is None:
        found.append(
            msg(
                "OK   runtime: suits {runtime} (the installed add-in is checked on Windows only)",
                runtime=runtime,
            )
        )
    elif installed == stored.form:
        found.append(msg("OK   runtime: suits the installed {installed} add-in", installed=installed))
    elif stored.form == "classic":
        found.append(
            msg(
                "WARN runtime: suits {runtime}, which is not installed here. Fix: xlfuncs install",
                runtime=runtime,
            )
        )
    elif installed:
        found.append(
            msg(
                "WARN runtime: stored for {runtime}; the installed classic add-in does not bind these names. "
                "Fix: xlfuncs workbooks --for classic (or open it in that runtime)",
                runtime=runtime,
            )
        )
    else:
        found.append(msg("OK   runtime: suits {runtime}", runtime=runtime))
    return found, any(line.startswith("FAIL") for line in found)

"""Which xlfuncs, xlwings, runtime and Python are in use."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from ..framework.spec import udf

if TYPE_CHECKING:
    import argparse

#: The version of xlfuncs (pyproject.toml reads it from here).
__version__ = "0.1.0"

_RUNTIMES = {
    "xlwings.pro.udfs_officejs": "Office.js (xlwings Lite/Server)",
    "xlwings.udfs": "classic COM (Windows desktop Excel)",
}


#: The runtime inside LibreOffice: Calc's Python bridge (``pyuno``, which LibreOffice's own Python
#: loads for the xlfuncs.oxt add-in; xlfuncs.runtimes.libreoffice) is in the process.
LIBREOFFICE = "LibreOffice Calc (xlfuncs.oxt add-in)"


def runtime() -> str:
    """The runtime calling the functions: xlwings Lite, LibreOffice, or the xlwings runtime whose
    decorators are active in this process.
    """
    if sys.platform == "emscripten":
        return "xlwings Lite (Pyodide)"
    if "pyuno" in sys.modules:
        return LIBREOFFICE
    xlwings = sys.modules.get("xlwings")
    decorator = getattr(xlwings, "func", None)
    return _RUNTIMES.get(getattr(decorator, "__module__", ""), "Python (no Excel runtime)")


@udf("XLFUNCS", result="text")
def version_info() -> dict[str, str]:
    """Versions of xlfuncs, xlwings, the Excel runtime and Python: check that the add-in is loaded.

    Formula: no arguments

    Returns
    -------
    dict
        ``{"xlfuncs": ..., "xlwings": ..., "runtime": ..., "python": ...}``; Excel shows them in one cell.

    Examples
    --------
    >>> sorted(version_info())
    ['python', 'runtime', 'xlfuncs', 'xlwings']

    References
    ----------
    .. [1] xlwings documentation, "User Defined Functions", https://docs.xlwings.org/en/latest/udfs.html
    """
    import platform  # (as metadata)
    from importlib import metadata  # here: at module level it would slow every start-up

    try:
        xlwings_version = metadata.version("xlwings")
    except metadata.PackageNotFoundError:
        xlwings_version = "not installed"
    return {
        "xlfuncs": __version__,
        "xlwings": xlwings_version,
        "runtime": runtime(),
        "python": platform.python_version(),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``xlfuncs version`` takes no arguments."""


def run(args: argparse.Namespace) -> int:
    """``xlfuncs version``: one ``key: value`` line per entry of :func:`version_info`."""
    for key, value in version_info().items():
        print(f"{key}: {value}")
    return 0

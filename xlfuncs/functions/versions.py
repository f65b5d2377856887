"""Which xlfuncs, xlwings, runtime and Python are in use."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

from ..framework.spec import udf

#: The version of xlfuncs (pyproject.toml reads it from here).
__version__ = "0.1.0"

_RUNTIMES = {
    "xlwings.pro.udfs_officejs": "Office.js (xlwings Lite/Server)",
    "xlwings.udfs": "classic COM (Windows desktop Excel)",
}


def runtime() -> str:
    """The xlwings runtime whose decorators are active in this process."""
    if sys.platform == "emscripten":
        return "xlwings Lite (Pyodide)"
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

"""xlfuncs: company and crypto size and valuation metrics for Python and Excel.

The functions broadcast like numpy over scalars, lists, arrays and pandas
Series and raise :class:`InputError` (a ``ValueError``) naming the argument and
position of bad input.  The same functions are registered in Excel through
xlwings (:mod:`xlfuncs.runtimes.excel`).  Every function declared with ``@udf``
in :mod:`xlfuncs.functions` is public here under its Python name, in
registration order; nothing else needs to list it.  With the data extra
installed (``xlfuncs[data]``), so are the functions that fetch their inputs
(:mod:`xlfuncs.data.functions`: ``filing``, ``coinprice``...), after the kernels.
"""

from __future__ import annotations

import importlib.util

from .framework.assembly import after_kernels
from .framework.errors import InputError as InputError

#: typing's constant, without importing typing: ``xlfuncs calc`` starts LibreOffice from its first
#: lines, and everything imported before that delays a cold run
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .functions import REGISTRY as REGISTRY
    from .functions.versions import __version__ as __version__

# The functions, REGISTRY and __version__ are bound on first use (``xlfuncs.marketcap``,
# ``from xlfuncs import *``, ``dir(xlfuncs)``), not here: every module of the package runs this
# file first, and the command line starts without loading the kernels and numpy.


def _register_data() -> None:
    """The one place the full registry is assembled: the functions that fetch, after the kernels,
    wherever the data extra is installed.  xlfuncs.data is left out of the xlwings Lite export (the
    browser cannot reach the sources), where the kernels alone are registered.
    """
    if importlib.util.find_spec("xlfuncs.data") is not None:
        from .data import functions as data_functions

        if data_functions.installed():
            data_functions.register()


after_kernels(_register_data)  # before any module can import the kernels and read REGISTRY


def _bind() -> None:
    from .functions import REGISTRY
    from .functions.versions import __version__

    functions = {spec.python_name: spec.function for spec in REGISTRY.values()}
    globals().update(
        functions,
        REGISTRY=REGISTRY,
        __version__=__version__,
        __all__=["InputError", "REGISTRY", "__version__", *functions],
    )


def __getattr__(name: str) -> Any:
    if name.startswith("__") and name not in ("__all__", "__version__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    _bind()
    try:
        return globals()[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def __dir__() -> list[str]:
    _bind()
    return sorted(globals())

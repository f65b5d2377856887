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

import importlib.util

from .framework.errors import InputError
from .functions import REGISTRY
from .functions.versions import __version__

# The one place the full registry is assembled, before any runtime, engine or test can read
# it.  xlfuncs.data is left out of the xlwings Lite export (the browser cannot reach the
# sources), where the kernels alone are registered.
if importlib.util.find_spec("xlfuncs.data") is not None:
    from .data import functions as _data_functions

    if _data_functions.installed():
        _data_functions.register()

globals().update({spec.python_name: spec.function for spec in REGISTRY.values()})

__all__ = ["InputError", "REGISTRY", "__version__", *(spec.python_name for spec in REGISTRY.values())]

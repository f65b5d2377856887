"""xlfuncs: company and crypto size and valuation metrics for Python and Excel.

The functions broadcast like numpy over scalars, lists, arrays and pandas
Series and raise :class:`InputError` (a ``ValueError``) naming the argument and
position of bad input.  The same functions are registered in Excel through
xlwings (:mod:`xlfuncs.runtimes.excel`).  Every function declared with ``@udf``
in :mod:`xlfuncs.functions` is public here under its Python name, in
registration order; nothing else needs to list it.
"""

from .framework.errors import InputError
from .functions import REGISTRY
from .functions.versions import __version__

globals().update({spec.python_name: spec.function for spec in REGISTRY.values()})

__all__ = ["InputError", "REGISTRY", "__version__", *(spec.python_name for spec in REGISTRY.values())]

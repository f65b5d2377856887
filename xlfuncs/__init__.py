"""xlfuncs: company and crypto size and valuation metrics for Python and Excel.

The functions broadcast like numpy over scalars, lists, arrays and pandas
Series and raise :class:`InputError` (a ``ValueError``) naming the argument and
position of bad input.  The same functions are registered in Excel through
xlwings (:mod:`xlfuncs.excel`).
"""

__version__ = "0.1.0"

from .about import version_info
from .crypto import fdv
from .diluted import fdbridge, fdev, fdmcap, fdshares
from .equity import dilution, ev, ffmcap, freefloat, marketcap, multiple, ownership
from .errors import InputError
from .size import mcapclass
from .spec import REGISTRY

__all__ = [
    "InputError", "REGISTRY", "version_info",
    "marketcap", "ev", "fdshares", "fdmcap", "fdev", "fdbridge", "freefloat", "ffmcap",
    "fdv", "mcapclass", "dilution", "ownership", "multiple",
]

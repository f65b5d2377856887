"""xlfuncs: company and crypto size and valuation metrics for Python and Excel.

The functions broadcast like numpy over scalars, lists, arrays and pandas
Series and raise :class:`InputError` (a ``ValueError``) naming the argument and
position of bad input.  The same functions are registered in Excel through
xlwings (:mod:`xlfuncs.excel`).
"""

__version__ = "0.1.0"

# Import order is registration order: the order of the README reference and of Excel's list.
from .equity import marketcap, ev, freefloat, ffmcap, dilution, ownership, multiple  # noqa: I001
from .diluted import fdshares, fdmcap, fdev, fdbridge
from .crypto import fdv
from .size import mcapclass
from .about import version_info
from .errors import InputError
from .spec import REGISTRY

__all__ = [
    "InputError", "REGISTRY", "version_info",
    "marketcap", "ev", "fdshares", "fdmcap", "fdev", "fdbridge", "freefloat", "ffmcap",
    "fdv", "mcapclass", "dilution", "ownership", "multiple",
]

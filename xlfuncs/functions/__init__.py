"""The finance kernels, one module per topic, each function declared once with ``@udf``.

May import: numpy and :mod:`xlfuncs.framework`.  Importing this package registers every function.
"""

from ..framework.assembly import kernels_declared
from ..framework.spec import REGISTRY

# The topics, imported in registration order: the order of the function reference and of Excel's list.
# isort: off
from . import equity, shareclasses, diluted, implied, crypto, size, currency, versions  # noqa: F401
# isort: on

kernels_declared()  # the package adds the functions that fetch, after the kernels

__all__ = ["REGISTRY"]

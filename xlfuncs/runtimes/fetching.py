"""The functions that fetch their inputs (:mod:`xlfuncs.data.functions`), as the runtimes see them.

The root package registers them beside the kernels where the data extra is installed.  The
runtimes tell them apart by the module that declares them (:func:`fetches`): classic Excel
runs them on a worker thread, xlwings Server off its event loop, and the Lite export leaves
them out (the browser cannot reach the sources).
"""

from __future__ import annotations

from ..framework.spec import FunctionSpec
from ..functions import REGISTRY

PACKAGE = "xlfuncs.data"


def fetches(spec: FunctionSpec) -> bool:
    """Whether ``spec`` is one of the functions that fetch (declared in :data:`PACKAGE`)."""
    return spec.kernel.__module__.startswith(PACKAGE + ".")


def registered() -> bool:
    """Whether the functions that fetch are registered here (the data extra is installed)."""
    return any(fetches(spec) for spec in REGISTRY.values())

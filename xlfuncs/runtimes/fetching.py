"""The functions that fetch their inputs (:mod:`xlfuncs.data.functions`), as the runtimes see them.

The data layer sits above the runtimes and the calculator as well as below them: its
providers and worksheet functions need only the framework, but its ``xlfuncs company``
builds and computes workbooks.  So the runtimes and the calculator never import it (the
"No import cycles" contract): :func:`xlfuncs.data.functions.register` puts its functions
into the registry, the runtimes tell them apart by the module that declares them
(:func:`fetches`), and the few helpers they need (the calculator's ``cache_only``, the
.oxt's packed dependencies) are looked up by name, at run time, by :func:`data_module`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ..framework.spec import FunctionSpec
from ..functions import REGISTRY

PACKAGE = "xlfuncs.data"


def fetches(spec: FunctionSpec) -> bool:
    """Whether ``spec`` is one of the functions that fetch (declared in :data:`PACKAGE`)."""
    return spec.kernel.__module__.startswith(PACKAGE + ".")


def registered() -> bool:
    """Whether the functions that fetch are registered here (the data extra is installed)."""
    return any(fetches(spec) for spec in REGISTRY.values())


def data_module(name: str) -> ModuleType | None:
    """The module ``xlfuncs.data.<name>`` where :func:`registered`, else None."""
    return importlib.import_module(f"{PACKAGE}.{name}") if registered() else None

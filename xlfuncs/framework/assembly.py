"""What completes the registry once the kernels are declared, whichever module is imported first.

The kernels (:mod:`xlfuncs.functions`) never import the layers above them, yet the functions that
fetch (:mod:`xlfuncs.data.functions`) must follow them in ``REGISTRY`` wherever the data extra is
installed.  The package itself (``xlfuncs/__init__.py``, which Python runs before any of its
modules) hands its completion to :func:`after_kernels`; the kernels' package calls
:func:`kernels_declared` as its last step.  So ``REGISTRY`` is whole as soon as anything can read
it, and importing the package alone (the command line) loads no kernel and no numpy.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["after_kernels", "kernels_declared"]

_COMPLETIONS: list[Callable[[], object]] = []


def after_kernels(complete: Callable[[], object]) -> None:
    """Run ``complete()`` once the kernels are declared."""
    _COMPLETIONS.append(complete)


def kernels_declared() -> None:
    """Every kernel is in ``REGISTRY``: run each completion handed to :func:`after_kernels`, in order."""
    for complete in _COMPLETIONS:
        complete()

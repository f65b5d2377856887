"""Inputs from the filings and the markets: SEC EDGAR, ESEF with GLEIF, CoinGecko, the ECB.

A layer of its own: the pure kernels (:mod:`xlfuncs.functions`) never import it; the
worksheet functions that fetch (:mod:`xlfuncs.data.functions`) sit above both.  Every
answer goes through one cached HTTP session (:mod:`.http`) and every figure comes back as a
record of where it came from (:mod:`.records`).  Errors are :class:`~.errors.DataError`
subclasses, never a zero.

May import: requests, requests-cache, platformdirs, the standard library and
:mod:`xlfuncs.framework`; imports them lazily where a runtime may lack them.
"""

from __future__ import annotations

from .config import cache_only, offline
from .errors import DataError

__all__ = ["DataError", "cache_only", "offline"]

"""Settings of the data layer, read as every setting is (:mod:`xlfuncs.settings`:
``XLFUNCS_<NAME>``, else the ``[xlfuncs]`` section of the config file).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

from ..settings import setting

#: Each source's base URL, overridable as ``XLFUNCS_<NAME>`` (a local server in tests, a mirror).
DEFAULT_URLS = {
    "sec_url": "https://data.sec.gov",
    "sec_files_url": "https://www.sec.gov",
    "esef_url": "https://filings.xbrl.org",
    "gleif_url": "https://api.gleif.org",
    "coingecko_url": "https://api.coingecko.com",
    "ecb_url": "https://www.ecb.europa.eu",
}
#: A fact is stale when its period ends more than this many days before the company's latest.
STALE_DAYS = 400

# Blocks of cache_only() open in this process: a count, so that nested and concurrent blocks
# (calc's worker threads) keep the process offline until the last one closes.
_cache_only_depth = 0
_cache_only_lock = threading.Lock()


def url(name: str) -> str:
    """The base URL of a source (``sec_url``, ``ecb_url``...), without a trailing slash."""
    return (setting(name) or DEFAULT_URLS[name]).rstrip("/")


def stale_days() -> int:
    value = setting("stale_days")
    if value is None:
        return STALE_DAYS
    try:
        days = int(value)
    except ValueError:
        raise ValueError(f"XLFUNCS_STALE_DAYS: {value!r} is not a whole number of days") from None
    if days < 1:
        raise ValueError(f"XLFUNCS_STALE_DAYS: {days} must be at least 1")
    return days


def cache_dir() -> Path:
    explicit = setting("cache_dir")
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_cache_dir("xlfuncs", appauthor=False))


def offline() -> bool:
    """Answer from the cache only: ``XLFUNCS_OFFLINE=1`` (or ``true``/``yes``), or inside :func:`cache_only`."""
    if _cache_only_depth:
        return True
    return (setting("offline") or "").lower() in ("1", "true", "yes", "on")


@contextlib.contextmanager
def cache_only() -> Iterator[None]:
    """While this block runs no request of this process leaves the machine: the cache answers.

    Process-wide, threads included: ``xlfuncs calc`` computes a stranger's workbook inside it,
    so that no formula makes a request under the user's SEC identity.  (LibreOffice runs the
    add-in in its own process: there ``XLFUNCS_OFFLINE=1`` in that process's environment does
    the same.)
    """
    global _cache_only_depth
    with _cache_only_lock:
        _cache_only_depth += 1
    try:
        yield
    finally:
        with _cache_only_lock:
            _cache_only_depth -= 1

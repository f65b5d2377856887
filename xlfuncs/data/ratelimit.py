"""A request rate shared by every process of the machine (LibreOffice instances, server workers).

Each source has a file in the cache folder holding the time of its next free slot.  A
process takes the file's lock, reserves the next slot (one interval after the last one
reserved, or now) and sleeps until it, so N processes together send no faster than one.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[IO[str]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="ascii") as f:
        if fcntl is not None:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        else:  # locks the first byte; LK_LOCK retries for 10 s before raising
            f.seek(0)
            msvcrt.locking(f.fileno(), msvcrt.LK_LOCK, 1)
        try:
            yield f
        finally:
            if fcntl is not None:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)
            else:
                f.seek(0)
                msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)


def reserve(path: Path, interval: float) -> float:
    """Reserve the next slot of the rate in ``path``; returns the seconds to wait for it."""
    with _locked(path) as f:
        f.seek(0)
        try:
            last = float(f.read().strip() or 0.0)
        except ValueError:  # a damaged file: start again
            last = 0.0
        now = time.time()
        if last > now + 3600:  # a clock set back: a slot an hour ahead is no slot
            last = 0.0
        slot = max(now, last + interval)
        f.seek(0)
        f.truncate()
        f.write(repr(slot))
        f.flush()
        os.fsync(f.fileno())
    return slot - now


def wait(path: Path, interval: float) -> None:
    """Sleep until this process's slot of the machine-wide rate."""
    delay = reserve(path, interval)
    if delay > 0:
        time.sleep(delay)

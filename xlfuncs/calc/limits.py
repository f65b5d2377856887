"""How long, and with how much memory, one job of ``xlfuncs calc`` may compute.

Each engine computes in a process of its own: ``formulas`` in a child of this process
(:mod:`xlfuncs.calc.formulas_process`), LibreOffice in its instance
(:mod:`xlfuncs.calc.libreoffice.instances`).  A job that runs longer than :attr:`Limits.seconds`
(each engine's wait has that timeout), or whose process, with the processes it started, holds
more than :attr:`Limits.memory` bytes of resident memory (:func:`watched` reads it while the job
runs), has that process killed and is refused in one line that names the limit and the flag
that raises it (:func:`refusal`).

Resident memory, not an address-space limit (``RLIMIT_AS``): that does not exist on Windows, where
``formulas`` is always the engine, and the address space numpy's BLAS reserves but never touches
would trip it falsely.  psutil reads a process's resident memory the same way on Linux, macOS and
Windows.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..i18n.messages import msg
from .results import CalcInputError

__all__ = [
    "DEFAULT_SECONDS",
    "LimitExceeded",
    "Limits",
    "default_memory",
    "memory_size",
    "refusal",
    "watched",
]

#: Seconds a job may take by default: several times what the largest workbook the ``formulas``
#: engine takes on (50,000 formula cells, 1,000,000 cells) needs on an idle machine, and over
#: thirty times what LibreOffice needs for a 100,000-row template.
DEFAULT_SECONDS = 600.0
#: The most resident memory a job may hold by default, whatever the machine: the largest workbooks
#: the ``formulas`` engine takes on need 4 to 5 GB, LibreOffice computing a 100,000-row template
#: about 4 GB.
MAX_DEFAULT_MEMORY = 8 << 30
#: Seconds between two readings of a job's memory; the processes a job's process started are
#: looked up again every :data:`REFRESH` readings (listing them reads every process of the machine).
INTERVAL = 0.1
REFRESH = 10

TIME = "time"
MEMORY = "memory"

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([KMGT]?)(?:I?B)?\s*", re.IGNORECASE)


def default_memory() -> int:
    """Resident memory a job may hold by default: half the machine's memory, at most
    :data:`MAX_DEFAULT_MEMORY` (a job never pushes the machine into swapping on its own).
    """
    import psutil

    return min(MAX_DEFAULT_MEMORY, psutil.virtual_memory().total // 2)


@dataclass(frozen=True)
class Limits:
    """What one job may take: ``seconds`` of wall time, ``memory`` bytes of resident memory
    (default :func:`default_memory`).
    """

    seconds: float = DEFAULT_SECONDS
    memory: int = field(default_factory=default_memory)


class LimitExceeded(CalcInputError):
    """A job passed one of its :class:`Limits` and was stopped; the message is :func:`refusal`'s."""


def memory_size(text: str) -> int:
    """Bytes from ``4G``, ``500M``, ``1.5G``, ``800000000`` (K, M, G, T: powers of 1,024).

    >>> [memory_size(t) for t in ("4G", "500m", "1.5GiB", "1024")]
    [4294967296, 524288000, 1610612736, 1024]
    """
    found = _SIZE.fullmatch(text)
    if not found or float(found[1]) <= 0:
        raise ValueError(f"{text!r} is not a memory size such as 4G or 500M")
    return int(float(found[1]) * _UNITS[found[2].upper()])


def shown_memory(size: int) -> str:
    """A memory size as a refusal names it.

    >>> shown_memory(4 << 30), shown_memory(50 << 20)
    ('4.0 GiB', '50 MiB')
    """
    return f"{size / (1 << 30):.1f} GiB" if size >= 1 << 30 else f"{size / (1 << 20):.0f} MiB"


def passed(engine: str, limit: str, limits: Limits) -> tuple[str, str]:
    """What ``engine`` did when it passed ``limit`` (:data:`TIME` or :data:`MEMORY`), and the flag
    that raises that limit: ``("formulas stopped after 600 s", "--timeout raises the limit")``.
    """
    if limit == TIME:
        what = msg("{engine} stopped after {seconds:g} s", engine=engine, seconds=limits.seconds)
        return what, msg("--timeout raises the limit")
    what = msg(
        "{engine} held more than {memory} of memory", engine=engine, memory=shown_memory(limits.memory)
    )
    return what, msg("--max-memory raises the limit")


def refusal(name: str, engine: str, limit: str, limits: Limits) -> LimitExceeded:
    """The one-line refusal of workbook ``name`` whose job on ``engine`` passed ``limit``:
    ``book.xlsx: formulas stopped after 600 s (--timeout raises the limit)``.
    """
    what, flag = passed(engine, limit, limits)
    return LimitExceeded(f"{name}: {what} ({flag})")


@dataclass
class Watch:
    """What :func:`watched` saw: the most resident memory, and whether it passed the limit."""

    peak: int = 0
    exceeded: bool = False


def _resident(processes: list) -> int:
    import psutil

    total = 0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += process.memory_info().rss
    return total


@contextlib.contextmanager
def watched(pid: int | None, memory: int, kill: Callable[[], object]) -> Iterator[Watch]:
    """While this block runs, read the resident memory of process ``pid`` and every process it
    started, at once and every :data:`INTERVAL` seconds; once their sum passes ``memory`` bytes, call ``kill``
    (once) and mark the :class:`Watch` this yields ``exceeded``.
    """
    import psutil

    watch = Watch()
    done = threading.Event()

    def run() -> None:
        try:
            root = psutil.Process(pid)
        except psutil.NoSuchProcess:
            return
        processes, readings = [root], 0
        while True:  # the first reading at once: a job may be over the limit from its start
            if readings % REFRESH == 0:
                with contextlib.suppress(psutil.NoSuchProcess):
                    processes = [root, *root.children(recursive=True)]
            readings += 1
            resident = _resident(processes)
            watch.peak = max(watch.peak, resident)
            if resident > memory:
                watch.exceeded = True
                kill()
                return
            if done.wait(INTERVAL):
                return

    thread = threading.Thread(target=run, name="xlfuncs-memory-watch", daemon=True)
    if pid is not None:
        thread.start()
    try:
        yield watch
    finally:
        done.set()
        if pid is not None:
            thread.join()

"""What the benchmarks that run ``xlfuncs`` commands as whole processes share: timing a process with
the peak memory of its process tree, the best of several runs, the header of a run, and checking the
universe template's results of two outputs against each other.

Imported by ``bench_calc.py`` and ``bench_workbooks.py`` (run from the repository root, which they put
on ``sys.path`` first).
"""

from __future__ import annotations

import compileall
import math
import os
import platform
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from xlfuncs.calc.libreoffice import engine as libreoffice
from xlfuncs.runtimes.libreoffice import office
from xlfuncs.workbooks.universe_book import FIRST

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = {"G": "Market cap", "H": "EV", "I": "Size class", "J": "EV / EBITDA"}
REL_TOL = 1e-12
SAMPLE = 50  # rows compared, spread over the sheet (first and last included)
_PAGE = os.sysconf("SC_PAGE_SIZE")


def header(runs: str) -> bool:
    """Print Python, the platform, LibreOffice's version, the cores and the load, and ``runs`` (how the
    runs are taken); False (and why) where the LibreOffice engine cannot run here.
    """
    if not libreoffice.engine_available():
        print("the LibreOffice engine is not available here (scripts/test.sh installs it)")
        return False
    version = subprocess.run([office.executable() or "soffice", "--version"], capture_output=True, text=True)
    print(f"Python {platform.python_version()}, {platform.platform()}; {version.stdout.strip()}")
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}; {runs}")
    print(bytecode())
    return True


def bytecode() -> str:
    """Compile xlfuncs' modules to bytecode, as ``pip install`` does and as Python does on a module's
    first import, and say so: where ``PYTHONDONTWRITEBYTECODE`` is set (container images often set
    it) an editable install would otherwise compile every module it imports in every timed run, a
    cost an installed xlfuncs does not have.
    """
    compileall.compile_dir(ROOT / "xlfuncs", quiet=1)
    setting = os.environ.get("PYTHONDONTWRITEBYTECODE")
    return f"xlfuncs' bytecode compiled first (PYTHONDONTWRITEBYTECODE={setting or 'unset'})"


def each_size(sizes: list[int], prefix: str, size: Callable[[int, Path], list[str]]) -> int:
    """Measure each of ``sizes`` in a temporary folder of its own (``size(n, folder)`` gives its
    PASS/MISS lines), then print every PASS/MISS line; returns the exit code, 0.
    """
    verdicts = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            verdicts += size(n, Path(tmp))
    print()
    print("\n".join(verdicts))
    return 0


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (Linux ``/proc/PID/task/TID/children``)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:  # ended meanwhile
            continue
    return found


def _tree_rss(pids: list[int]) -> int:
    total = 0
    for p in {d for pid in pids for d in _descendants(pid)}:
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def measured(
    cmd: list[str], env: dict[str, str] | None = None, also: tuple[int, ...] = (), timeout: float = 1800
) -> tuple[float, int]:
    """Run ``cmd`` to its end: (seconds, peak resident bytes of its process tree and of the processes
    ``also``, such as the LibreOffice instance an earlier run kept loaded, which serves this one).
    """
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss([proc.pid, *also]))
            if time.perf_counter() - start > timeout:
                proc.kill()
                raise SystemExit(f"over {timeout:g} s: {' '.join(cmd)}")
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        if proc.returncode:
            log.seek(0)
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{log.read().decode()[-2000:]}")
    return seconds, peak


def best_of(repeat: int, run: Callable[[], tuple[float, int]]) -> tuple[float, int]:
    """Fastest time and highest peak memory over ``repeat`` runs."""
    return best([run() for _ in range(repeat)])


def best(runs: list[tuple[float, int]]) -> tuple[float, int]:
    """Fastest time and highest peak memory of runs already measured, ``(seconds, bytes)`` each."""
    return min(t for t, _ in runs), max(m for _, m in runs)


def sample_rows(n: int) -> list[int]:
    """Rows of the sheet (the companies start in row FIRST), the first and last company included."""
    return sorted({FIRST + round(i * (n - 1) / (SAMPLE - 1)) for i in range(SAMPLE)})


def compare(ours: Path, lo: Path, n: int) -> list[str]:
    """The cells of :data:`COLUMNS` in the :func:`sample_rows` of the Universe sheet where the two
    computed books differ (numbers to :data:`REL_TOL` relative).
    """
    import openpyxl

    a = openpyxl.load_workbook(ours, read_only=True, data_only=True)["Universe"]
    b = openpyxl.load_workbook(lo, read_only=True, data_only=True)["Universe"]
    wanted = set(sample_rows(n))

    def rows(ws) -> dict[int, dict[str, object]]:
        out = {}
        for r, row in enumerate(ws.iter_rows(min_col=7, max_col=10, values_only=True), start=1):
            if r in wanted:
                out[r] = dict(zip(COLUMNS, row, strict=True))
        return out

    ra, rb = rows(a), rows(b)
    problems = []
    for row in sorted(wanted):
        for col, label in COLUMNS.items():
            x, y = ra[row][col], rb[row][col]
            same = (
                math.isclose(x, y, rel_tol=REL_TOL)
                if isinstance(x, (int, float)) and isinstance(y, (int, float))
                else x == y and x is not None
            )
            if not same:
                problems.append(f"{col}{row} ({label}): xlfuncs calc {x!r}, LibreOffice {y!r}")
    return problems

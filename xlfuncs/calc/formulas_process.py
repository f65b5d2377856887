"""The ``formulas`` engine in a process of its own, held to a job's :class:`~xlfuncs.calc.limits.Limits`.

A workbook is computed by :func:`xlfuncs.calc.formulas_engine.compute` in a child Python process:
this interpreter started again (``subprocess``, so the same on Windows, which has no ``fork``),
with this process's import path.  The parent sends the job as one line on the child's standard
input; the child writes ``(values, problems)``, or the exception it raised, pickled into a file in
a private temporary folder (a 100,000-row book's values are tens of megabytes, more than a pipe
should carry in one message) and says so on its standard output.  Meanwhile the parent reads the
child's resident memory (:func:`~xlfuncs.calc.limits.watched`) and waits at most the job's
seconds; a child over either limit is killed, and the job refused in one line.

Starting the child imports ``formulas`` (about 2 s), so a child that is done stays for the next job
of the same process while it holds at most :data:`KEEP_RESIDENT` (building several templates, or a
test session, pays the import once); it ends when this process ends, as its standard input closes.
:func:`started` starts it before the workbook is read, as the LibreOffice engine does.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import os
import pickle
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .limits import MEMORY, TIME, Limits, refusal, watched
from .results import Problems, Values, one_line

__all__ = ["KEEP_RESIDENT", "serve", "started"]

#: A child holding more resident memory than this after its job ends instead of waiting for the next.
KEEP_RESIDENT = 512 << 20
#: The child's collector runs its youngest generation every this many new objects (Python: 700).
GC_YOUNGEST = 10_000
#: What starts each line the child answers with (anything else on its standard output is ignored).
_REPLY = "xlfuncs-formulas-done "
#: The child's program: the parent's import path, then :func:`serve`.
_BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from xlfuncs.calc.formulas_process import serve; serve()"
)

#: The child waiting for the next job (at most one).
_IDLE: list[Child] = []
_IDLE_LOCK = threading.Lock()


class Child:
    """A child process that computes one job at a time with ``formulas``."""

    def __init__(self) -> None:
        #: what it was started with: a waiting child takes the jobs of a process that still has them
        self.started_with = (dict(os.environ), list(sys.path))
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT, json.dumps(sys.path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # the child reports its own failures in its result
            text=True,
            encoding="utf-8",
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # no console window on Windows
        )
        self.replies: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self.busy = False  #: a job was sent and its reply has not come
        threading.Thread(target=self._read, name="xlfuncs-formulas-replies", daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith(_REPLY):
                self.replies.put(line[len(_REPLY) :].strip())
        self.replies.put(None)  # it ended

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        """End the child: its standard input closes, so it stops waiting for jobs (one still
        computing is killed).
        """
        if self.busy:
            self.kill()
            return
        with contextlib.suppress(OSError):
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.kill()
            self.proc.wait()

    def compute(
        self, path: Path, max_cells: int | None, limits: Limits, offline: bool
    ) -> tuple[Values, Problems]:
        """``formulas_engine.compute(path, max_cells)`` in the child (None: its default limit), within
        ``limits``: a child that passes one is killed (:class:`~xlfuncs.calc.limits.LimitExceeded`);
        ``offline``: the functions that fetch answer from the cache only.
        """
        with tempfile.TemporaryDirectory(prefix="xlfuncs_formulas_") as tmp:
            result = Path(tmp) / "result.pickle"
            job = {"path": str(path), "max_cells": max_cells, "result": str(result), "offline": offline}
            self.busy = True
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps(job) + "\n")
                self.proc.stdin.flush()
            except OSError:
                pass  # it ended: the reply queue says so
            deadline = time.monotonic() + limits.seconds
            with watched(self.proc.pid, limits.memory, self.kill) as watch:
                try:
                    reply = self.replies.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    self.kill()
                    raise refusal(path.name, "formulas", TIME, limits) from None
            if watch.exceeded:
                raise refusal(path.name, "formulas", MEMORY, limits)
            if reply is None:
                code = self.proc.wait()
                raise RuntimeError(f"the formulas process ended while computing (exit code {code})")
            self.busy = False
            with open(result, "rb") as f:
                outcome = pickle.load(f)
        if isinstance(outcome, BaseException):
            raise outcome
        values, problems = outcome
        return values, problems

    def resident(self) -> int:
        import psutil

        try:
            return int(psutil.Process(self.proc.pid).memory_info().rss)
        except psutil.NoSuchProcess:
            return 0


@contextlib.contextmanager
def started() -> Iterator[Child]:
    """A child for one job: one that waits from an earlier job of this process, started with the
    same environment and import path (the settings its functions read), or a new one (it starts
    importing ``formulas`` at once).  Afterwards it waits for the next job if it finished
    its job and holds at most :data:`KEEP_RESIDENT`; else it ends.
    """
    with _IDLE_LOCK:
        waiting = _IDLE.pop() if _IDLE else None
    if waiting is not None and waiting.alive() and waiting.started_with == (dict(os.environ), sys.path):
        child = waiting
    else:
        if waiting is not None:
            waiting.close()
        child = Child()
    try:
        yield child
    finally:
        if not child.busy and child.alive() and child.resident() <= KEEP_RESIDENT:
            with _IDLE_LOCK:
                others, _IDLE[:] = list(_IDLE), [child]  # one waits at most
            for other in others:
                other.close()
        else:
            child.close()


@atexit.register
def _end_idle() -> None:
    with _IDLE_LOCK:
        idle, _IDLE[:] = list(_IDLE), []
    for child in idle:
        child.close()


# --- the child ------------------------------------------------------------------------------


def _sendable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a ``RuntimeError`` saying what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(one_line(exc))
    return exc


def serve() -> None:
    """The child's loop: compute each job read from standard input, until it closes."""
    replies, sys.stdout = sys.stdout, sys.stderr  # what else prints never mixes with the replies
    from ..data.config import cache_only
    from . import formulas_engine

    failed: BaseException | None = None
    try:
        formulas_engine.register()  # imports formulas before the first job comes
    except Exception as exc:  # formulas missing or broken: each job says so
        failed = _sendable(exc)
    # What the imports made lives as long as the process: frozen, the collector's full passes during
    # a job do not walk it again.  A job makes millions of objects that live until its end (the
    # book's cells, formulas' graph); collecting the youngest every GC_YOUNGEST new ones instead of
    # Python's 700 walks the survivors fewer times.
    gc.freeze()
    gc.set_threshold(GC_YOUNGEST, *gc.get_threshold()[1:])
    for line in sys.stdin:
        job = json.loads(line)
        outcome: object
        try:
            if failed is not None:
                raise failed
            with cache_only() if job["offline"] else contextlib.nullcontext():
                cells = {} if job["max_cells"] is None else {"max_cells": job["max_cells"]}
                outcome = formulas_engine.compute(Path(job["path"]), **cells)
        except Exception as exc:
            outcome = _sendable(exc)
        with open(job["result"], "wb") as f:
            pickle.dump(outcome, f, pickle.HIGHEST_PROTOCOL)
        replies.write(_REPLY + "\n")
        replies.flush()

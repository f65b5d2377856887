"""The calculation service of ``xlfuncs calc``: a script LibreOffice runs, taking jobs on a socket.

:mod:`.instances` copies this file into the engine's private profile (``user/Scripts/python``) and
starts LibreOffice (its own ``soffice.bin``, not the launcher) with ``--headless
"vnd.sun.star.script:xlfuncs_service.py$serve?language=Python&location=user"``.
Calc then runs :func:`serve` in its main thread: it listens on the UNIX socket named by
``XLFUNCS_SERVICE_SOCKET`` (in a folder only its user can open), and each connection sends one job
as a line of JSON and gets two lines back, ``{"accepted": true}`` as soon as the job is read (so
that a client can tell a LibreOffice that stopped before a job from one that stopped during it)
and then the result::

    {"src": "/tmp/x/book.xlsx", "values": "/tmp/x/values.json"}
    {"src": "/tmp/x/book.xlsx", "store": ["/tmp/x/book.pdf", "calc_pdf_Export"]}
    {"stop": true}
    -> {"ok": true, "seconds": {"load": 0.3, "values": 0.05, "total": 0.41}, "at": {...}}
       or {"ok": false, "error": "..."}

``at`` holds the wall-clock times (``time.time()``) of the service's milestones up to that job:
``serve`` (its script started), ``listening``, ``imported``, ``blank``, ``addin`` and ``warm``
(the warm-up below done), ``job``, ``loaded`` (opened and computed), ``values`` (written);
``bench/calc_timeline.py`` lays them out beside the client's.

Opening a workbook computes it (the profile recalculates every formula on load).  ``values``
writes the result of every formula cell of every sheet to that file as JSON,
``{sheet: {"blocks": [[first column, first row, rows of values], ...], "errors": [[column, row,
Calc's error code], ...]}}`` (0-based positions; numbers exact, as Python's ``repr`` writes them;
an error cell is ``null`` in its block and listed under ``errors``; ``"booleans": [[column, row],
...]`` lists the cells whose 1 or 0 is a logical result).  A book with iteration on is iterated to
Excel's precision first (:func:`_converge`).  ``store`` saves the computed
book with a LibreOffice filter.

Between jobs LibreOffice stays loaded for ``XLFUNCS_SERVICE_IDLE`` seconds (0: it ends at once
after replying to the first job, :func:`_end_now`), which is what makes a second ``xlfuncs calc``
fast; it also ends after a job that left it holding more than ``XLFUNCS_SERVICE_MAX_RSS`` bytes,
and when no job arrives within ``XLFUNCS_SERVICE_FIRST_WAIT`` seconds of its start.  Before the
first job it opens and closes an empty spreadsheet and creates the service named by
``XLFUNCS_SERVICE_WARM`` (the xlfuncs add-in), so that Calc is set up and the add-in's Python
imported while the client still prepares its copy of the workbook; the add-in's modules are
imported meanwhile in a thread (:func:`_import_ahead`).

This file runs inside LibreOffice's own Python and imports only the standard library and
LibreOffice's ``uno``; it is not imported by the rest of xlfuncs.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import socket
import sys
import threading
import time

TYPE_CHECKING = False  # (typing is not imported: see xlfuncs/__init__.py)
if TYPE_CHECKING:
    from typing import Any

#: The script's name in the profile, and the URL that runs :func:`serve` from there.
SCRIPT = "xlfuncs_service.py"
URL = f"vnd.sun.star.script:{SCRIPT}$serve?language=Python&location=user"
#: Longest job line accepted (a job names two paths; anything longer is refused).
MAX_JOB_BYTES = 64 * 1024
#: Seconds a connection may take to send its job.
JOB_WAIT = 30.0
#: ``com.sun.star.sheet.CellFlags.FORMULA`` and ``com.sun.star.sheet.FormulaResult.ERROR``.
_FORMULA_CELLS, _ERROR_RESULTS = 16, 4
#: ``com.sun.star.util.NumberFormat.LOGICAL``.
_LOGICAL = 1024
#: Steps and smallest change of an iterative book (Excel's values match to 1e-9 with these).
ITERATIONS, ITERATION_STEP = 1000, 1e-15
#: The import filter every workbook is opened with, whatever else its package holds (a file that is
#: also an OpenDocument package would otherwise open as that).
OOXML_FILTER = "Calc MS Excel 2007 XML"


def _prop(name, value):
    from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _url(path: str) -> str:
    import uno  # type: ignore[import-not-found]

    return str(uno.systemPathToFileUrl(os.path.abspath(path)))


def _values(doc) -> dict:
    """Every formula cell's result, by sheet (see the module's docstring)."""
    formats = doc.NumberFormats
    logical: dict[int, bool] = {}  # number format key -> whether it is a logical format (UNO calls once)
    found = {}
    for sheet in doc.Sheets:
        blocks, errors, booleans = [], [], []
        for a in sheet.queryContentCells(_FORMULA_CELLS).RangeAddresses:
            cells = sheet.getCellRangeByPosition(a.StartColumn, a.StartRow, a.EndColumn, a.EndRow)
            data = cells.getDataArray()
            blocks.append([a.StartColumn, a.StartRow, data])
            if any((v == 1 or v == 0) and type(v) is float for row in data for v in row):
                booleans += _booleans(cells, a, data, formats, logical)
        for a in sheet.queryFormulaCells(_ERROR_RESULTS).RangeAddresses:
            for row in range(a.StartRow, a.EndRow + 1):
                for col in range(a.StartColumn, a.EndColumn + 1):
                    errors.append([col, row, sheet.getCellByPosition(col, row).getError()])
        if blocks:
            found[sheet.Name] = {"blocks": blocks, "errors": errors, "booleans": booleans}
    return found


def _booleans(cells, a, data, formats, logical: dict[int, bool]) -> list[list[int]]:
    """The cells of the block ``cells`` (its address ``a``, its values ``data``) whose 1 or 0 is a
    logical result.  Calc has no boolean type: a formula whose result is logical (a comparison, AND,
    ISNUMBER...) gets the logical number format.  The block's cells are asked for by format, one UNO
    call or two per distinct format, not per cell; ``logical`` keeps each format's answer.
    """
    found = []
    by_format = cells.getUniqueCellFormatRanges()
    for k in range(by_format.getCount()):
        ranges = by_format.getByIndex(k)
        key = ranges.NumberFormat
        if key not in logical:
            logical[key] = bool(formats.getByKey(key).Type & _LOGICAL)
        if not logical[key]:
            continue
        for r in ranges.getRangeAddresses():
            for row in range(r.StartRow, r.EndRow + 1):
                values = data[row - a.StartRow]
                for col in range(r.StartColumn, r.EndColumn + 1):
                    v = values[col - a.StartColumn]
                    if (v == 1 or v == 0) and type(v) is float:
                        found.append([col, row])
    return found


def _converge(doc) -> None:
    """Iterate a book with iteration on until its values settle to Excel's precision.  Excel's stored
    values are converged well past its stopping step (0.001 by default), because each recalculation
    starts from the values of the one before; Calc stops at the step, so it gets more steps and a much
    smaller one.
    """
    if doc.IsIterationEnabled:
        doc.IterationCount = ITERATIONS
        doc.IterationEpsilon = ITERATION_STEP
        doc.calculateAll()


def _run(job: dict, desktop, at: dict[str, float]) -> tuple[dict, Any]:
    """Do one job; returns the reply and the open document (closed after the reply: closing a large
    book takes LibreOffice seconds that no client needs to wait for).
    """
    start = time.perf_counter()
    at["job"] = time.time()
    # macros never run; the profile recalculates every formula while the book loads
    props = (_prop("Hidden", True), _prop("MacroExecutionMode", 0), _prop("FilterName", OOXML_FILTER))
    doc = desktop.loadComponentFromURL(_url(job["src"]), "_blank", 0, props)
    if doc is None:
        raise RuntimeError(f"LibreOffice could not open {os.path.basename(job['src'])}")
    _converge(doc)
    at["loaded"] = time.time()
    seconds = {"load": time.perf_counter() - start}
    try:
        if job.get("values"):
            text = json.dumps(_values(doc))  # one C-encoded string: json.dump writes in small pieces
            with open(job["values"], "w", encoding="utf-8") as f:
                f.write(text)
            seconds["values"] = time.perf_counter() - start - seconds["load"]
            at["values"] = time.time()
        if job.get("store"):
            target, filter_name = job["store"]
            doc.storeToURL(_url(target), (_prop("FilterName", filter_name),))
    except BaseException:
        doc.close(True)
        raise
    seconds["total"] = time.perf_counter() - start
    return {"seconds": {k: round(v, 3) for k, v in seconds.items()}, "at": at}, doc


def _resident_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _handle(conn: socket.socket, desktop, at: dict[str, float], last: bool) -> str:
    """Serve one connection: ``"none"`` (no job came), ``"done"`` or ``"stop"``; a client that went
    away never ends the service.  ``last``: LibreOffice ends once it has replied to a job
    (:func:`_end_now`).
    """
    try:
        return _serve_one(conn, desktop, at, last)
    except OSError:
        return "none"
    finally:
        conn.close()


def _serve_one(conn: socket.socket, desktop, at: dict[str, float], last: bool) -> str:
    with conn.makefile("rwb") as stream:
        try:
            line = stream.readline(MAX_JOB_BYTES + 1)
            job = json.loads(line) if len(line) <= MAX_JOB_BYTES else None
        except (OSError, ValueError):  # nothing sent within JOB_WAIT seconds, or not JSON
            job = None
        if not isinstance(job, dict):
            return "none"
        stream.write(b'{"accepted": true}\n')
        stream.flush()
        reply: dict = {"ok": True}
        doc: Any = None
        if not job.get("stop"):
            try:
                done, doc = _run(job, desktop, dict(at))
                reply.update(done)
            except Exception as exc:  # a UNO error or a bad job: the client reports it
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        try:
            with contextlib.suppress(OSError):  # the client gave up (its timeout): the next job may come
                stream.write(json.dumps(reply).encode() + b"\n")
                stream.flush()
        finally:
            if last and not job.get("stop"):
                _end_now()
            if doc is not None:
                doc.close(True)
        return "stop" if job.get("stop") else "done"


def _end_now() -> None:
    """End LibreOffice at once, after the reply to its last job.  Closing the book and shutting
    LibreOffice down would take a core while the client writes the values back on the other, and
    keep nothing wanted: the book is discarded, the profile is a slot's own copy, and the
    next start removes the socket.  The reply is in the client's socket already (a UNIX socket
    queues what is sent at the reader's end).
    """
    os._exit(0)


def _import_ahead(at: dict[str, float]) -> threading.Thread | None:
    """Import the modules named by ``XLFUNCS_SERVICE_IMPORT`` (the add-in's kernels and numpy, from
    the folder ``XLFUNCS_SERVICE_PYTHONPATH``) in a thread of their own, started as the service starts.

    They are most of the add-in's start, and LibreOffice's Python bridge lets go of Python's lock
    while Calc works, so they load on the other core while Calc sets up its first document.  A module
    that fails here fails again, and is reported, when Calc loads the add-in.
    """
    names = [name for name in os.environ.get("XLFUNCS_SERVICE_IMPORT", "").split(",") if name]
    if not names:
        return None
    folder = os.environ.get("XLFUNCS_SERVICE_PYTHONPATH")
    if folder and folder not in sys.path:
        sys.path.append(folder)

    def run() -> None:
        with contextlib.suppress(Exception):
            for name in names:
                importlib.import_module(name)
            at["imported"] = time.time()

    thread = threading.Thread(target=run, name="xlfuncs-import", daemon=True)
    thread.start()
    return thread


def serve(*_args) -> None:
    """Take jobs until idle (runs inside LibreOffice; see the module's docstring)."""
    at = {"serve": time.time()}  # the milestones a reply names (wall-clock), for timelines
    importing = _import_ahead(at)
    desktop = XSCRIPTCONTEXT.getDesktop()  # type: ignore[name-defined]  # noqa: F821  (given by LibreOffice)
    env = os.environ
    path = env["XLFUNCS_SERVICE_SOCKET"]
    idle = float(env.get("XLFUNCS_SERVICE_IDLE", "0"))
    max_rss = float(env.get("XLFUNCS_SERVICE_MAX_RSS", "inf"))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # left by a LibreOffice that was killed
        listener.bind(path)
        listener.listen(16)
        at["listening"] = time.time()
        if env.get("XLFUNCS_SERVICE_WARM"):
            ctx = XSCRIPTCONTEXT.getComponentContext()  # type: ignore[name-defined]  # noqa: F821
            with contextlib.suppress(Exception):  # only a head start: a job reports what fails
                # Calc's first document costs 0.1 s more than the next: one empty sheet, closed
                blank = desktop.loadComponentFromURL(
                    "private:factory/scalc", "_blank", 0, (_prop("Hidden", True),)
                )
                blank.close(True)
                at["blank"] = time.time()
                if importing is not None:  # Calc loads the add-in from the modules already imported
                    importing.join()
                ctx.ServiceManager.createInstanceWithContext(env["XLFUNCS_SERVICE_WARM"], ctx)
                at["addin"] = time.time()
            at["warm"] = time.time()
        listener.settimeout(float(env.get("XLFUNCS_SERVICE_FIRST_WAIT", "60")))
        while True:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                break
            conn.settimeout(JOB_WAIT)
            served = _handle(conn, desktop, at, idle <= 0)
            if served == "stop" or (served == "done" and (idle <= 0 or _resident_bytes() > max_rss)):
                break
            if served == "done":
                listener.settimeout(idle)
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            os.unlink(path)
        desktop.terminate()


g_exportedScripts = (serve,)

"""LibreOffice instances that compute for ``xlfuncs calc``, kept loaded between runs.

Starting LibreOffice and loading the add-in's Python costs more than computing a small workbook,
so the engine keeps LibreOffice running for a while (:func:`keep_seconds`, ``XLFUNCS_LIBREOFFICE_KEEP``,
default 120 s; 0 ends it after each run) and hands it jobs through :mod:`.service`.

Each instance has a *slot*: a folder with its own copy of the prepared profile and extensions, its
socket and a lock (one per core, :data:`SLOTS`).  A run takes the first slot whose lock is free and
holds it until its job is done, so concurrent runs each have their own LibreOffice and profile;
when every slot is taken, the run gets a one-off instance in a temporary folder.  ``xlfuncs calc``
takes its slot and starts its LibreOffice from its first lines (:func:`start_ahead`,
:mod:`.headstart`).  An instance ends itself when idle, after a job that left it larger than
:data:`MAX_RESIDENT` bytes, or on :func:`stop_all` (``xlfuncs libreoffice stop``).  The folders are
private to the user (mode 0700).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from ...runtimes.libreoffice import office
from ...runtimes.libreoffice.addin import IMPLEMENTATION, IMPORTS
from ...runtimes.libreoffice.office import LibreOfficeError
from . import headless, service

# xlfuncs calc imports this module before it starts LibreOffice (:mod:`.headstart`), and a cold run
# waits for that LibreOffice: what only some runs need (tempfile) is imported where it is used,
# Instance is a plain class (dataclasses imports inspect) and typing is not imported.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

#: Whether instances can run here: they need POSIX file locks and UNIX sockets (not on Windows, where
#: ``xlfuncs calc`` computes with ``formulas``; the add-in does not need them).
SUPPORTED = fcntl is not None and hasattr(socket, "AF_UNIX")

#: Environment variable: seconds an idle LibreOffice stays loaded after a run.
KEEP_VARIABLE = "XLFUNCS_LIBREOFFICE_KEEP"
DEFAULT_KEEP = 120.0
#: Longest a LibreOffice may be kept (a day): a larger value is refused.
MAX_KEEP = 86_400.0
#: Instances that may run at once (more concurrent runs get one-off instances).
SLOTS = max(2, os.cpu_count() or 2)
#: An instance holding more than this after a job ends instead of idling (a 100,000-row book
#: leaves LibreOffice at about 2.4 GB).
MAX_RESIDENT = 1 << 30
#: Seconds LibreOffice may take to start and listen.
START_TIMEOUT = 60.0
#: A socket path longer than this does not fit ``sockaddr_un`` (108 bytes on Linux).
_MAX_SOCKET_PATH = 100
#: The LibreOffice processes this process started (kept so that they are reaped, not warned about).
_STARTED: list[subprocess.Popen[bytes]] = []
#: Slots taken, and their LibreOffice started, before the command read its arguments
#: (:func:`start_ahead`): the prepared folder, the slot's lock (held open) and its instance.
_AHEAD: list[tuple[Path, IO[bytes], Instance]] = []


class JobLimitError(LibreOfficeError):
    """A job passed its time or memory limit, and its LibreOffice was killed."""

    def __init__(self, message: str, limit: str) -> None:
        super().__init__(message)
        self.limit = limit  #: :data:`~xlfuncs.calc.limits.TIME` or :data:`~xlfuncs.calc.limits.MEMORY`


def keep_seconds() -> float:
    """Seconds an idle instance stays (``XLFUNCS_LIBREOFFICE_KEEP``; default :data:`DEFAULT_KEEP`)."""
    text = os.environ.get(KEEP_VARIABLE, "").strip()
    if not text:
        return DEFAULT_KEEP
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not 0 <= seconds <= MAX_KEEP:
        raise ValueError(f"{KEEP_VARIABLE} must be seconds from 0 to {MAX_KEEP:g}; got {text!r}")
    return seconds


def _private(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def _socket_elsewhere(slot: Path) -> Path:
    """The socket of a slot whose folder is too deep for a UNIX socket path: in a folder of a random
    name (``mkdtemp``, under ``$XDG_RUNTIME_DIR`` when that is a private folder of this user, else the
    temporary folder), recorded in the slot's own private folder so that later runs find it.  A
    recorded folder that is no longer a private folder of this user (a link, another owner, other
    permissions: someone else's) is refused with :class:`LibreOfficeError`.
    """
    record = slot / "socket"
    try:
        path = Path(record.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        path = None
    if path is not None and path.is_absolute() and os.path.lexists(path.parent):
        if not office.private_folder(path.parent):
            raise LibreOfficeError(
                f"the engine's socket folder {path.parent} is not a private folder of this user "
                "(a real directory of ours with mode 0700); refused"
            )
        return path
    import tempfile  # (see the imports)

    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    base = runtime if runtime and office.private_folder(Path(runtime)) else tempfile.gettempdir()
    folder = Path(tempfile.mkdtemp(prefix="xlfuncs-", dir=base))  # mode 0700, a name no one can guess
    path = folder / "sock"
    record.write_text(str(path), encoding="utf-8")
    return path


class Instance:
    """One slot's LibreOffice (running or not): ``folder`` holds ``profile``, ``packages``, ``pid``, ``log``."""

    def __init__(self, folder: Path, prepared: Path, keep: float) -> None:
        self.folder = folder
        self.prepared = prepared  #: the prepared profile and extensions this slot copies
        self.keep = keep
        self._proc: subprocess.Popen[bytes] | None = None
        #: a connection made by :meth:`start` to one already running
        self._conn: socket.socket | None = None

    @property
    def socket_path(self) -> Path:
        path = self.folder / "sock"
        if len(os.fsencode(path)) <= _MAX_SOCKET_PATH:
            return path
        return _socket_elsewhere(self.folder)

    def pid(self) -> int | None:
        """The process group of this slot's LibreOffice if it runs, else None (where there is no
        ``/proc`` to tell a LibreOffice on this slot's profile from a process that reused its number,
        a live process of that number counts).
        """
        profile = os.fsencode((self.folder / "profile").resolve().as_uri())
        try:
            pid = int((self.folder / "pid").read_text())
            if not Path("/proc").is_dir():
                os.kill(pid, 0)
                return pid
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                mine = profile in f.read()
        except (OSError, ValueError):
            return None
        return pid if mine else None

    def start(self) -> None:
        """Start this slot's LibreOffice unless it runs; return at once (:meth:`run` waits for it)."""
        if self._proc is not None or self._conn is not None:
            return
        self._conn = self._connect()
        if self._conn is not None:
            return
        deadline = time.monotonic() + START_TIMEOUT
        while self.pid() is not None:  # one that is ending: a second on its profile would hand over to it
            if time.monotonic() > deadline:
                self.kill()
            time.sleep(0.01)
        for part in ("profile", "packages"):
            if not (self.folder / part).is_dir():
                shutil.copytree(self.prepared / part, self.folder / part, symlinks=True)
        # LibreOffice itself, not its launcher (:func:`~xlfuncs.runtimes.libreoffice.office.binary`):
        # :meth:`_ready` starts it again when it asks, as the launcher would
        soffice = office.binary() or office.executable()
        if soffice is None:
            raise LibreOfficeError("LibreOffice (soffice) is not installed")
        env = office.environment(
            **office.LAUNCHER_ENVIRONMENT,
            XLFUNCS_SERVICE_SOCKET=str(self.socket_path),
            XLFUNCS_SERVICE_IDLE=repr(self.keep),
            XLFUNCS_SERVICE_MAX_RSS=str(MAX_RESIDENT),
            XLFUNCS_SERVICE_WARM=IMPLEMENTATION,
            XLFUNCS_SERVICE_IMPORT=",".join(IMPORTS),
            XLFUNCS_SERVICE_PYTHONPATH=self._pythonpath(),
            # the add-in's FILING, COINPRICE... run in this process: the cache only, as in calc's own
            XLFUNCS_OFFLINE="1",
        )
        cmd = [
            soffice,
            *office.options(self.folder / "profile", self.folder / "packages"),
            *headless.HEADLESS,
            service.URL,
        ]
        with open(self.folder / "log", "wb") as log:
            # a session of its own: it outlives this run when kept, and is killed as a group
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        _STARTED.append(self._proc)
        (self.folder / "pid").write_text(str(self._proc.pid))

    def _pythonpath(self) -> str:
        """The folder of the add-in's modules in this slot's extensions (``""`` if there is none)."""
        return str(next((self.folder / "packages").glob("uno_packages/*/*.oxt/pythonpath"), ""))

    def _connect(self) -> socket.socket | None:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(str(self.socket_path))
        except OSError:
            conn.close()
            return None
        return conn

    def _ready(self, deadline: float, start: bool) -> socket.socket | None:
        if self._conn is not None:
            made, self._conn = self._conn, None
            return made
        while True:
            conn = self._connect()
            if conn is not None:
                return conn
            if self._proc is not None and self._proc.poll() is not None:
                if self._proc.returncode not in office.RESTART_CODES:
                    raise LibreOfficeError(f"LibreOffice ended while starting: {self._log_tail()}")
                self._proc = None  # it asks to be started again
            if self._proc is None:
                if not start:
                    return None
                self.start()
            if time.monotonic() > deadline:
                self.kill()
                raise LibreOfficeError(f"LibreOffice did not start within {START_TIMEOUT:g} s")
            time.sleep(0.005)

    def run(
        self, job: dict, timeout: float, what: str, start: bool = True, max_memory: int | None = None
    ) -> dict:
        """Send ``job`` (see :mod:`.service`) and wait for its result; a LibreOffice that ended before
        taking the job is replaced once (with ``start``; without, a LibreOffice not running is left so and
        ``{}`` returned).  Raises :class:`LibreOfficeError` when the job fails or LibreOffice stops during
        it, and :class:`JobLimitError` when it takes longer than ``timeout`` seconds or LibreOffice, with
        the processes it started, holds more than ``max_memory`` bytes of resident memory during it (the
        instance is then killed).
        """
        from ..limits import MEMORY, TIME, watched  # not before LibreOffice starts (headstart)

        for attempt in range(2):
            conn = self._ready(time.monotonic() + START_TIMEOUT, start)
            if conn is None:
                return {}
            # written with sendall, read through a file: a LibreOffice that ends meanwhile leaves no
            # buffered write for closing to fail on
            with conn, conn.makefile("rb") as stream:
                conn.settimeout(START_TIMEOUT)
                try:
                    conn.sendall(json.dumps(job).encode() + b"\n")
                    accepted = stream.readline()
                except OSError:
                    accepted = b""
                if not accepted:  # it was ending (idle) as we came: start another
                    self._forget()
                    if attempt:
                        raise LibreOfficeError(f"LibreOffice did not take the job {what}: {self._log_tail()}")
                    continue
                conn.settimeout(timeout)
                group = self._proc.pid if self._proc is not None else self.pid()
                with watched(group if max_memory else None, max_memory or 0, self._kill_group) as watch:
                    try:
                        line = stream.readline()
                    except TimeoutError:
                        self.kill()
                        raise JobLimitError(
                            f"LibreOffice did not finish {what} within {timeout:g} s", TIME
                        ) from None
                    except OSError:  # reset: it ended during the job
                        line = b""
            if watch.exceeded:
                self.kill()
                raise JobLimitError(f"LibreOffice held more than {max_memory:,} bytes {what}", MEMORY)
            if not line:
                self._forget()
                raise LibreOfficeError(f"LibreOffice stopped while {what}: {self._log_tail()}")
            reply = json.loads(line)
            if not reply.get("ok"):
                raise LibreOfficeError(f"LibreOffice failed {what}: {reply.get('error')}")
            return dict(reply)
        raise AssertionError("unreachable")

    def wait(self, timeout: float = 30.0) -> None:
        """Wait for this run's LibreOffice to end (a one-off instance, before its folder goes)."""
        if self._proc is not None:
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
            self._proc = None

    def _forget(self) -> None:
        if self._proc is not None:
            self._proc.poll()
        self._proc = None

    def kill(self) -> None:
        """Kill this slot's LibreOffice and everything it started."""
        self._kill_group()
        self.wait()

    def _kill_group(self) -> None:
        pid = self._proc.pid if self._proc is not None else self.pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)

    def _log_tail(self) -> str:
        try:
            text = (self.folder / "log").read_text(errors="replace").strip()
        except OSError:
            text = ""
        lines = [s for s in text.splitlines() if "javaldx" not in s]
        return " / ".join(lines[-3:]) or "no message"


def slots_folder(prepared: Path) -> Path:
    """Where the slots of the add-in prepared in ``prepared`` live."""
    return prepared / "slots"


def _take_slot(prepared: Path, keep: float) -> tuple[IO[bytes], Instance] | None:
    """The first free slot of ``prepared`` (its lock taken, held while the file stays open), or None."""
    root = _private(slots_folder(prepared))
    for number in range(SLOTS):
        folder = _private(root / str(number))
        lock = open(folder / "lock", "a+b")  # noqa: SIM115  (held open: the slot is this run's while it is)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        return lock, Instance(folder, prepared, keep)
    return None


def start_ahead(prepared: Path) -> None:
    """Take the first free slot of ``prepared`` and start (or connect to) its LibreOffice now, before the
    run has read its arguments; :func:`instance` hands that slot to the run, and a run that exits without
    asking for it ends the LibreOffice started here.  Nothing happens when every slot is taken.
    """
    if not SUPPORTED or any(ahead == prepared for ahead, _, _ in _AHEAD):
        return
    taken = _take_slot(prepared, keep_seconds())
    if taken is None:
        return
    lock, one = taken
    try:
        one.start()
    except BaseException:
        lock.close()
        raise
    if not _AHEAD:
        atexit.register(_end_unclaimed)
    _AHEAD.append((prepared, lock, one))


def _end_unclaimed() -> None:
    """At exit: end what :func:`start_ahead` started for a run that never computed (its slot is freed)."""
    while _AHEAD:
        _, lock, one = _AHEAD.pop()
        with lock:
            if one._proc is not None:
                one.kill()
            elif one._conn is not None:  # a kept LibreOffice: the connection sends no job, it goes on
                one._conn.close()


@contextlib.contextmanager
def instance(prepared: Path) -> Iterator[Instance]:
    """A LibreOffice for one run, with the add-in prepared in ``prepared`` (its ``profile`` and
    ``packages``): the slot :func:`start_ahead` took for it, else the first free slot's, kept afterwards
    for :func:`keep_seconds`; or, when every slot is taken, a one-off instance in a temporary folder.
    """
    if not SUPPORTED:
        raise LibreOfficeError("the LibreOffice engine needs POSIX file locks and UNIX sockets (not Windows)")
    keep = keep_seconds()
    _STARTED[:] = [proc for proc in _STARTED if proc.poll() is None]  # reap those that ended
    for index, (ahead, lock, one) in enumerate(_AHEAD):
        if ahead == prepared:
            del _AHEAD[index]
            with lock:
                yield one
            return
    taken = _take_slot(prepared, keep)
    if taken is not None:
        with taken[0]:
            yield taken[1]
        return
    import tempfile  # (see the imports)

    with tempfile.TemporaryDirectory(prefix="xlfuncs_lo_") as tmp:
        one_off = Instance(Path(tmp), prepared, 0.0)
        try:
            yield one_off
        finally:
            one_off.wait()  # it ends after its job; its folder goes once it has


def running(cache: Path) -> list[tuple[int, Path]]:
    """``(process group, slot folder)`` of every kept LibreOffice under ``cache`` (all add-in versions)."""
    if not SUPPORTED:
        return []
    found = []
    for folder in sorted(cache.glob("*/slots/*")):
        pid = Instance(folder, folder, 0.0).pid()
        if pid is not None:
            found.append((pid, folder))
    return found


def stop_all(cache: Path, timeout: float = 30.0) -> int:
    """End every kept LibreOffice under ``cache``; returns how many there were."""
    found = running(cache)
    for _, folder in found:
        one = Instance(folder, folder, 0.0)
        with open(folder / "lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # after the job it is doing
            with contextlib.suppress(LibreOfficeError):
                one.run({"stop": True}, timeout, "stopping", start=False)
            deadline = time.monotonic() + timeout
            while one.pid() is not None and time.monotonic() < deadline:
                time.sleep(0.02)
            if one.pid() is not None:
                one.kill()
    return len(found)

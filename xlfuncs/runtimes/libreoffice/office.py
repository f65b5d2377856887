"""The installed LibreOffice: where it is, its version, ``unopkg``.

:func:`run` runs a LibreOffice program in its own process group and kills the whole group when
it ends or times out, so nothing outlives a run; :func:`options` points it at a private profile
(two soffice processes on one profile clash: the second hands its job to the first and exits).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import shutil
import signal
import stat
import subprocess
from pathlib import Path

#: Names of the LibreOffice executable, tried in order (``XLFUNCS_SOFFICE`` overrides).
EXECUTABLES = ("soffice", "libreoffice")
#: The first version seen to bind a plain Excel name in an .xlsx to an add-in's CompatibilityName
#: (25.2 binds, 7.4 does not; the versions between were not tested, so they are treated as 7.4).
BINDS_EXCEL_NAMES = (25, 2)
TIMEOUT = 180.0


class LibreOfficeError(RuntimeError):
    """LibreOffice is missing, failed or timed out."""


class BuildError(RuntimeError):
    """The extension cannot be built here (no LibreOffice, no unoidl-write, a bad module); here, not in
    :mod:`.build`, so that catching it loads none of what building needs.
    """


def executable() -> str | None:
    """Path of the LibreOffice executable, or None when it is not installed."""
    override = os.environ.get("XLFUNCS_SOFFICE")
    if override:
        return shutil.which(override)
    return next((found for name in EXECUTABLES if (found := shutil.which(name))), None)


def binary() -> str | None:
    """LibreOffice's own program (``program/soffice.bin``) beside :func:`executable`, which is a launcher
    there: a script that runs ``oosplash``, which runs ``javaldx`` to find a Java runtime before it starts
    this program (a tenth of a second and more), and starts it again when it asks
    (:data:`RESTART_CODES`).  None where there is no separate program (``soffice`` is LibreOffice itself),
    and where the launcher reads ``program/ooenv``: a shell snippet (LibreOffice's development builds,
    an unpacked copy that carries its own libraries) setting an environment, such as the library path,
    without which the program alone does not start.
    """
    program = program_dir()
    if program is not None and (program / "ooenv").exists():
        return None
    found = None if program is None else program / "soffice.bin"
    return str(found) if found is not None and os.access(found, os.X_OK) else None


#: The exit codes with which LibreOffice asks its launcher to start it again (``EXITHELPER_*`` in
#: LibreOffice's desktop/inc/exithelper.h): after a crash, or after a change that needs a restart.
RESTART_CODES = (79, 81)
#: What the launcher script sets for LibreOffice (``program/soffice``).
LAUNCHER_ENVIRONMENT = {"SAL_ENABLE_FILE_LOCKING": "1"}


def available() -> bool:
    """Whether headless LibreOffice can be run here."""
    return executable() is not None


def program_dir() -> Path | None:
    """LibreOffice's ``program`` folder (soffice on the PATH is usually a link into it)."""
    soffice = executable()
    return None if soffice is None else Path(os.path.realpath(soffice)).parent


def cache_root() -> Path:
    """Where xlfuncs keeps what it prepares for LibreOffice (``$XDG_CACHE_HOME/xlfuncs/libreoffice``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "xlfuncs" / "libreoffice"


@functools.lru_cache(maxsize=4)
def _version(soffice: str) -> tuple[int, ...] | None:
    """``soffice --version``, remembered on disk for this installation (asking takes 0.1 s; an update
    of LibreOffice changes its ``versionrc`` or executable, and so the file the answer is kept in).
    """
    real = Path(os.path.realpath(soffice))
    stamp_of = real.parent / "versionrc" if (real.parent / "versionrc").is_file() else real
    try:
        st = stamp_of.stat()
    except OSError:
        return None
    stamp = hashlib.sha256(f"{real}|{stamp_of}|{st.st_mtime_ns}|{st.st_size}".encode()).hexdigest()[:16]
    remembered = cache_root() / f"version-{stamp}"
    with contextlib.suppress(OSError, ValueError):
        return tuple(int(x) for x in remembered.read_text().split("."))
    try:
        out = subprocess.run(
            [soffice, "--version"], capture_output=True, text=True, timeout=60, env=environment()
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    if not m:
        return None
    found = tuple(int(x) for x in m.groups() if x is not None)
    with contextlib.suppress(OSError):
        remembered.parent.mkdir(parents=True, exist_ok=True)
        partial = remembered.with_name(f"{remembered.name}.{os.getpid()}")
        partial.write_text(".".join(map(str, found)))
        os.replace(partial, remembered)
    return found


def version() -> tuple[int, ...] | None:
    """The installed LibreOffice's version, e.g. ``(25, 2, 3)``; None when there is none."""
    soffice = executable()
    return None if soffice is None else _version(soffice)


def binds_excel_names() -> bool:
    """Whether this LibreOffice binds ``MARKETCAP(...)`` stored in an .xlsx to the add-in."""
    found = version()
    return found is not None and found >= BINDS_EXCEL_NAMES


def unoidl_write() -> str | None:
    """LibreOffice's IDL compiler (Debian: ``libreoffice-dev``), or None."""
    found = shutil.which("unoidl-write")
    program = program_dir()
    if found is None and program is not None:
        candidate = program.parent / "sdk" / "bin" / "unoidl-write"
        found = str(candidate) if candidate.is_file() else None
    return found


def type_registries() -> list[Path]:
    """The installed LibreOffice's UNO type libraries an add-in's IDL is compiled against."""
    program = program_dir()
    if program is None:
        return []
    found = [program / "types.rdb", program / "types" / "offapi.rdb"]
    return found if all(p.is_file() for p in found) else []


#: Folders of the system's own programs, put first on LibreOffice's ``PATH`` (POSIX).
SYSTEM_PATH = ("/usr/bin", "/bin", "/usr/sbin", "/sbin")


def private_folder(folder: Path) -> bool:
    """Whether ``folder`` itself (not a link) is a directory of this user that only this user can open."""
    try:
        info = folder.lstat()
    except OSError:
        return False
    owner = os.getuid() if hasattr(os, "getuid") else info.st_uid
    return stat.S_ISDIR(info.st_mode) and info.st_uid == owner and stat.S_IMODE(info.st_mode) == 0o700


def environment(**extra: str) -> dict[str, str]:
    """The environment every LibreOffice of xlfuncs runs in: this process's, with the system's
    folders first on ``PATH`` and without the variables that point a Python elsewhere (``PYTHON*``,
    ``VIRTUAL_ENV``, ``CONDA_*``), plus ``extra``.  ``XDG_RUNTIME_DIR`` goes too unless it is a
    private folder of this user: LibreOffice's settings backend (dconf) writes into it.

    LibreOffice's embedded Python finds its standard library from the first ``python3`` on
    ``PATH``: from an activated virtual environment, or with a pyenv, conda or uv Python first, it
    loads that interpreter's library and LibreOffice aborts while starting.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "CONDA_")) and k not in ("VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT")
    }
    runtime = env.get("XDG_RUNTIME_DIR")
    if runtime and not private_folder(Path(runtime)):
        del env["XDG_RUNTIME_DIR"]
    if os.name == "posix":
        rest = [p for p in env.get("PATH", "").split(os.pathsep) if p and p not in SYSTEM_PATH]
        env["PATH"] = os.pathsep.join([*SYSTEM_PATH, *rest])
    env.update(extra)
    return env


def run(cmd: list[str], timeout: float, what: str) -> subprocess.CompletedProcess[str]:
    """Run a LibreOffice program (in :func:`environment`); raise :class:`LibreOfficeError` if it times
    out (all killed).
    """
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env=environment(),
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise LibreOfficeError(f"LibreOffice did not finish {what} within {timeout:g} s") from None
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):  # nothing of this run may outlive it
            os.killpg(proc.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)


def options(profile: Path, packages: Path | None = None) -> list[str]:
    """soffice/unopkg options for a private profile and, with ``packages``, a private folder for
    the extensions installed with ``--shared`` (LibreOffice's ``UNO_SHARED_PACKAGES_CACHE``), so
    that a run sees only the extensions installed there, and changes nothing outside its folders.
    """
    found = [f"-env:UserInstallation={Path(profile).resolve().as_uri()}"]
    if packages is not None:
        found.append(f"-env:UNO_SHARED_PACKAGES_CACHE={Path(packages).resolve().as_uri()}")
    return found


def unopkg(
    args: list[str], profile: Path | None = None, packages: Path | None = None, timeout: float = TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run ``unopkg`` (``--shared`` added as root, where unopkg refuses anything else, or with ``packages``)."""
    program = program_dir()
    tool = program / "unopkg" if program is not None else None
    if tool is None or not tool.is_file():
        raise LibreOfficeError(
            "LibreOffice (with unopkg) is not installed; Debian: apt-get install libreoffice-calc"
        )
    shared = ["--shared"] if packages is not None or os.geteuid() == 0 else []
    cmd = [str(tool), *args, *shared, *(options(profile, packages) if profile is not None else [])]
    return run(cmd, timeout, f"unopkg {args[0]}")


#: How often ``unopkg add`` runs when it dies of a signal: LibreOffice 7.4's unopkg has been seen
#: to crash (SIGSEGV) now and then where the same command run again installs the extension.
INSTALL_ATTEMPTS = 2


def install(oxt: Path, profile: Path | None = None, packages: Path | None = None) -> None:
    """Install the extension ``oxt`` (replacing an installed one), for the user or privately.

    A run killed by a signal is repeated (:data:`INSTALL_ATTEMPTS`; ``add -f`` replaces whatever it
    left); a run that exits with an error is not: it would say the same again.
    """
    args = ["add", "-f", "--suppress-license", str(Path(oxt).resolve())]
    for _ in range(INSTALL_ATTEMPTS):
        proc = unopkg(args, profile, packages)
        if proc.returncode >= 0:
            break
    if proc.returncode:
        raise LibreOfficeError(f"unopkg could not install {Path(oxt).name}: {detail(proc)}")


def uninstall(identifier: str, profile: Path | None = None, packages: Path | None = None) -> bool:
    """Remove extension ``identifier``; False when it was not installed."""
    if installed(identifier, profile, packages) is None:
        return False
    proc = unopkg(["remove", identifier], profile, packages)
    if proc.returncode:
        raise LibreOfficeError(f"unopkg could not remove {identifier}: {detail(proc)}")
    return True


def installed(identifier: str, profile: Path | None = None, packages: Path | None = None) -> str | None:
    """The version of extension ``identifier`` that is installed, or None."""
    proc = unopkg(["list"], profile, packages)
    m = re.search(rf"Identifier:\s*{re.escape(identifier)}\s*\n\s*Version:\s*(\S+)", proc.stdout)
    return m.group(1) if m else None


def detail(proc: subprocess.CompletedProcess[str]) -> str:
    """What a LibreOffice program said (stderr, then stdout), or its exit code."""
    return (
        "\n".join(s.strip() for s in (proc.stderr, proc.stdout) if s.strip())
        or f"exit code {proc.returncode}"
    )

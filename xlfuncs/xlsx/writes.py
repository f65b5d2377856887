"""Safe writes of workbook files, for ``xlfuncs calc`` and ``xlfuncs workbooks``.

Every write goes to a temporary file in the target's folder that then replaces the
target in one ``os.replace`` (atomic on one file system: a reader or a crash sees the
old file or the new one, never half of one).  Before anything is written the target is
checked, and a write that would be unsafe is refused with one line
(:class:`WriteRefused`):

- a symbolic link (dangling or not) is never written through or replaced: the write
  would land outside the folder, or turn the link into a file;
- a read-only file (no owner write bit) is respected, even for root;
- a file with other hard links is refused rather than split from them (``os.replace``
  would give the name a new inode and leave the other names with the old content);
  the message says so;
- a folder named like the target, and a target outside its folder (``..``), are refused.

The temporary file (``.STEM-<random>.SUFFIX.tmp`` beside the target, e.g. ``.book-k3j9_x.xlsx.tmp``) is removed when the write fails, on Ctrl+C
(SIGINT) and on SIGTERM, which is turned into ``SystemExit(143)`` for the time of the write.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


class WriteRefused(Exception):
    """A write refused before anything was written; the message is one line naming the file."""


def check_target(target: Path, folder: Path | None = None) -> None:
    """Raise :class:`WriteRefused` unless ``target`` can be replaced safely.

    ``folder``: the folder ``target`` must lie directly in (``xlfuncs workbooks DIR``).
    A target that does not exist yet is fine, unless it is a dangling link.
    """
    if folder is not None and target.parent.resolve() != folder.resolve():
        raise WriteRefused(f"{target}: outside {folder}; refused")
    try:
        info = target.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        where = os.readlink(target)
        raise WriteRefused(
            f"{target}: is a symbolic link (to {where}); refused, xlfuncs never writes through a link"
        )
    if stat.S_ISDIR(info.st_mode):
        raise WriteRefused(f"{target}: is a folder; refused")
    if not stat.S_ISREG(info.st_mode):
        raise WriteRefused(f"{target}: is not a regular file; refused")
    if not info.st_mode & stat.S_IWUSR:
        raise WriteRefused(f"{target}: is read-only; refused (make it writable first)")
    if info.st_nlink > 1:
        raise WriteRefused(
            f"{target}: has {info.st_nlink - 1} other hard link(s); refused, replacing it would break them "
            "(write a copy with -o, or remove the other links)"
        )


def check_folder(folder: Path) -> None:
    """Raise :class:`WriteRefused` unless ``folder`` is (or can be made) a writable folder."""
    if folder.is_symlink() and not folder.exists():
        raise WriteRefused(f"{folder}: is a dangling symbolic link; refused")
    if folder.exists() and not folder.is_dir():
        raise WriteRefused(f"{folder}: is not a folder")
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise WriteRefused(f"{folder}: is not writable")


@contextlib.contextmanager
def replacing(target: Path, mode_from: Path | None = None) -> Iterator[IO[bytes]]:
    """A binary file to write the new content of ``target`` into; it replaces ``target`` at the end.

    ``target`` is checked first (:func:`check_target`).  ``mode_from``: a file whose
    permission bits the new file gets (the source workbook when computing in place).
    Nothing is left behind when the body raises, on SIGINT or on SIGTERM.
    """
    target = Path(target)
    check_target(target)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=f"{target.suffix}.tmp", dir=target.parent)
    temporary = Path(name)
    try:
        with _sigterm_as_exit(), os.fdopen(fd, "wb") as raw:
            yield raw
            raw.flush()
            os.fsync(raw.fileno())
        if mode_from is not None:
            os.chmod(temporary, stat.S_IMODE(Path(mode_from).stat().st_mode))
        check_target(target)  # nothing changed under us while writing
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise


def copy_into(source: Path, target: Path, folder: Path) -> None:
    """Copy ``source`` to ``target`` (directly in ``folder``) safely: see :func:`replacing`."""
    check_target(target, folder)
    with open(source, "rb") as src, replacing(target) as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)


@contextlib.contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """While writing, SIGTERM raises ``SystemExit(143)`` (so cleanup runs) instead of killing at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)

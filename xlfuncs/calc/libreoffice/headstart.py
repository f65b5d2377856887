"""LibreOffice started from the first lines of ``xlfuncs calc``, before the command reads its arguments.

A cold run waits for LibreOffice to start, take the add-in's Python and open Calc; everything the
command imports and checks before it starts LibreOffice adds to that wait.  :func:`start` reads
only what decides whether this run computes with LibreOffice (the book, ``--engine``) and, when it
does and the add-in is already prepared, takes the run's slot and starts its LibreOffice
(:func:`.instances.start_ahead`), importing nothing but the standard library and the modules that
start it.  The run then goes its usual way and :func:`.instances.instance` hands it that slot; a
run that ends without computing (a refused book, an argument error) ends the LibreOffice it
started.  Whatever :func:`start` cannot decide cheaply it leaves to that usual way, which starts
LibreOffice itself.

:func:`prepared_folder` names where the add-in prepared for this LibreOffice and this xlfuncs is
kept (:func:`.engine.started` prepares it on first use).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from ...runtimes.libreoffice import office

__all__ = ["addin_key", "prepared_folder", "start"]

#: The options of ``xlfuncs calc`` that take a value, and those that take none.
_VALUED = frozenset(("-o", "--output", "--engine", "--max-cells", "--timeout", "--max-memory"))
_FLAGS = frozenset(("--json", "--cross-check"))
_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")


@functools.lru_cache(maxsize=1)
def addin_key() -> str:
    """What the prepared add-in depends on: the LibreOffice version and every module of xlfuncs (the
    extension is generated from them; a superset of what it packs, read in milliseconds).
    """
    digest = hashlib.sha256(repr(office.version()).encode())
    package = Path(__file__).resolve().parents[2]
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()[:16]


def prepared_folder() -> Path:
    """Where the add-in prepared for the installed LibreOffice and this xlfuncs is (or will be) kept."""
    return office.cache_root() / addin_key()


def book_to_compute(args: list[str]) -> Path | None:
    """The workbook ``xlfuncs calc ARGS`` computes with LibreOffice, or None when these arguments may
    mean anything else (``--help``, ``--engine formulas``, an abbreviated or unknown option, no book
    or two): those are left to the command's own parser.
    """
    books, engine = [], "auto"
    words = iter(args)
    for word in words:
        if not word.startswith("-") or word == "-":
            books.append(word)
            continue
        name, equals, value = word.partition("=")
        if name in _VALUED:
            if not equals:
                value = next(words, "")
            if name == "--engine":
                engine = value
        elif name not in _FLAGS or equals:
            return None
    if len(books) != 1 or engine not in ("auto", "libreoffice"):
        return None
    return Path(books[0])


def start(args: list[str]) -> None:
    """Start the LibreOffice that ``xlfuncs calc ARGS`` will compute with, if it will and can, now."""
    book = book_to_compute(args)
    if book is None or book.suffix.lower() not in _SUFFIXES or not book.is_file():
        return
    program = office.program_dir()
    if program is None or not (program / "pythonloader.py").is_file():
        return
    prepared = prepared_folder()
    if not prepared.is_dir():  # the first run prepares the add-in on its usual way
        return
    from . import instances

    try:
        instances.start_ahead(prepared)
    except (OSError, ValueError, office.LibreOfficeError):  # the usual way reports it, or starts one
        return

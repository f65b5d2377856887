"""Sealed: ``xlfuncs calc`` computes a workbook and nothing else happens, with either engine.

Each hostile book (tests/helpers/hostile_books.py) tries to read a neighbouring file, contact a
loopback listener or run a command.  For each engine the command line must either compute the
book or refuse it in one line; in no case may the listener be contacted, the marker of the
secret files appear in the output or on the console, or the trap file be created.  External
references give the values cached in the workbook's external-link parts, as Excel shows them
with links not updated.  These tests need LibreOffice; they fail, never skip, without it.
"""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import hostile_books as hb
from tests.helpers.calc_cli import calc_cli

ENGINES = ("formulas", "libreoffice")
NOBODY = 65534


@pytest.fixture(scope="module")
def listener() -> Iterator[hb.Listener]:
    found = hb.Listener()
    yield found
    found.close()


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    hb.secrets(folder)
    return folder


def run_calc(book: Path, out: Path, engine: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return calc_cli(book, "-o", out, "--engine", engine, env=env)


_CELL = re.compile(r'<c r="([A-Z]+\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)


def cached_values(path: Path) -> dict[str, object]:
    """``{"A1": value}`` of Sheet1 as stored in the output (numbers, text, errors as their text)."""
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    found: dict[str, object] = {}
    for ref, attrs, body in _CELL.findall(xml):
        v = re.search(r"<v>(.*?)</v>", body or "")
        if v is None:
            continue
        kind = re.search(r'\st="(\w+)"', attrs)
        text = v.group(1)
        if kind is None or kind.group(1) == "n":
            found[ref] = int(float(text)) if float(text).is_integer() else float(text)
        else:
            found[ref] = text
    return found


def sealed(proc: subprocess.CompletedProcess, out: Path, root: Path, listener: hb.Listener) -> None:
    """Nothing left the workbook: no contact, no marker anywhere, no command run."""
    assert listener.contacts == [], listener.contacts
    assert hb.MARKER not in proc.stdout + proc.stderr
    assert not (root / hb.TRAP).exists(), "a command in the workbook ran"
    if out.exists():
        with zipfile.ZipFile(out) as z:
            leaked = [name for name in z.namelist() if hb.MARKER.encode() in z.read(name)]
        assert leaked == [], f"the secret is in {leaked}"


def computed(proc: subprocess.CompletedProcess, engine: str) -> None:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"with {engine}" in proc.stdout.splitlines()[0], proc.stdout


def refused(proc: subprocess.CompletedProcess) -> str:
    text = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 2, text
    assert "Traceback" not in text and len(text.splitlines()) == 1, text
    return text


LINKS: dict[str, Callable[[Path, int], str]] = {
    "file-uri": lambda root, port: (root / "secret.xlsx").as_uri(),
    "absolute": lambda root, port: (root / "secret.xlsx").as_posix(),
    "relative": lambda root, port: "../secret.xlsx",
    "http": lambda root, port: f"http://127.0.0.1:{port}/secret.xlsx",
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", LINKS)
def test_external_links_give_the_cached_values_never_the_other_book(engine, kind, root, listener):
    book = hb.external_link(root, f"{kind}-{engine}", LINKS[kind](root, listener.port))
    out = root / "out" / engine / book.name
    out.parent.mkdir(parents=True, exist_ok=True)
    proc = run_calc(book, out, engine)
    sealed(proc, out, root, listener)
    computed(proc, engine)
    assert {ref: cached_values(out)[ref] for ref in hb.EXTERNAL_LINK_VALUES} == hb.EXTERNAL_LINK_VALUES
    assert "3 cells external reference" in proc.stdout, proc.stdout


@pytest.mark.parametrize("engine", ENGINES)
def test_references_written_into_formulas_read_no_other_book(engine, root, listener):
    book = hb.direct_reference(root)
    out = root / "out" / engine / book.name
    out.parent.mkdir(parents=True, exist_ok=True)
    proc = run_calc(book, out, engine)
    sealed(proc, out, root, listener)
    computed(proc, engine)
    values = cached_values(out)
    # no cached value for these references: errors, never the secret's 7 + 1 in A5
    assert all(
        isinstance(values[ref], str) and values[ref].startswith("#") for ref in ("A1", "A2", "A3", "A4", "A5")
    )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "make,ref,value",
    [
        (lambda root, port: hb.web_functions(root, port), "A6", 2),
        (lambda root, port: hb.dde(root), "A5", 6),
        (lambda root, port: hb.connections(root, port), "A1", 4),
        (lambda root, port: hb.linked_picture(root, port), "A1", 7),
        (lambda root, port: hb.macros(root), "A1", 10),
        (lambda root, port: hb.polyglot(root), "A1", 2),
    ],
    ids=["webservice-filterxml", "dde", "connections", "linked-picture", "macros", "polyglot"],
)
def test_hostile_books_compute_without_contact_or_commands(engine, make, ref, value, root, listener):
    book = make(root, listener.port)
    out = root / "out" / engine / book.name
    out.parent.mkdir(parents=True, exist_ok=True)
    proc = run_calc(book, out, engine)
    sealed(proc, out, root, listener)
    computed(proc, engine)
    assert cached_values(out)[ref] == value  # the OOXML content, as Excel shows it


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "make,reason",
    [(hb.odf_only, "[Content_Types].xml"), (hb.entities, "document type")],
    ids=["no-content-types", "doctype-entity"],
)
def test_books_that_are_not_plain_ooxml_are_refused_in_one_line(engine, make, reason, root, listener):
    book = make(root)
    out = root / "out" / engine / book.name
    out.parent.mkdir(parents=True, exist_ok=True)
    proc = run_calc(book, out, engine)
    sealed(proc, out, root, listener)
    assert reason in refused(proc)
    assert not out.exists()


def test_a_socket_folder_another_user_created_first_is_never_used(root, tmp_path):
    """A cache path too long for a UNIX socket puts the socket in a private folder under the temp
    dir; another user who created the old predictable name first gets nothing from our runs.
    """
    tmp = tmp_path / "tmp"
    tmp.mkdir(mode=0o777)
    tmp.chmod(0o1777)
    planted = tmp / f"xlfuncs-{os.getuid()}"
    planted.mkdir()
    planted.chmod(0o777)
    os.chown(planted, NOBODY, NOBODY)
    env = dict(
        os.environ,
        TMPDIR=str(tmp),
        XDG_CACHE_HOME=str(tmp_path / ("c" * 90)),
        XLFUNCS_LIBREOFFICE_KEEP="0",
    )
    env.pop("XDG_RUNTIME_DIR", None)
    seen: set[str] = set()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.update(os.listdir(planted))
            done.wait(0.005)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        proc = run_calc(hb.plain(root, "socket"), tmp_path / "out.xlsx", "libreoffice", env)
    finally:
        done.set()
        watcher.join()
    computed(proc, "libreoffice")
    assert cached_values(tmp_path / "out.xlsx")["B1"] == 42
    assert seen == set(), f"our socket went into another user's folder: {seen}"
    info = planted.lstat()
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (NOBODY, 0o777)  # not taken over either


def test_a_socket_folder_that_is_not_ours_is_refused_in_one_line(root, tmp_path):
    """``$XDG_RUNTIME_DIR`` owned by another user: the engine does not put its socket there."""
    runtime = tmp_path / "run"
    runtime.mkdir()
    runtime.chmod(0o777)
    os.chown(runtime, NOBODY, NOBODY)
    env = dict(
        os.environ,
        XDG_RUNTIME_DIR=str(runtime),
        XDG_CACHE_HOME=str(tmp_path / ("c" * 90)),
        XLFUNCS_LIBREOFFICE_KEEP="0",
    )
    proc = run_calc(hb.plain(root, "runtime"), tmp_path / "out.xlsx", "libreoffice", env)
    if proc.returncode:
        assert "socket" in refused(proc)
    else:
        computed(proc, "libreoffice")
    assert list(runtime.iterdir()) == []


def test_a_listener_and_marker_catch_a_leak(root, listener):
    """The suite's own detectors work: a real request is seen, the marker is what the secrets hold."""
    with socket.create_connection(("127.0.0.1", listener.port)) as conn:
        conn.sendall(b"GET /probe HTTP/1.0\r\n\r\n")
        assert hb.MARKER.encode() in conn.recv(200)
    assert listener.contacts == [b"GET /probe HTTP/1.0"]
    listener.contacts.clear()
    assert hb.MARKER in (root / "secret.txt").read_text()

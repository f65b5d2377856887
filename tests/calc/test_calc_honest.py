"""Honest about the engine: the summary names the engine that computed, never another.

LibreOffice's embedded Python takes ``python3`` from ``PATH``: a poisoned ``PATH`` (a folder holding a
dummy ``bin/python3`` and a ``lib/python3.11/os.py`` that raises, as an activated virtual environment,
pyenv, conda or uv put first) must not stop it.  Where LibreOffice truly cannot run, ``--engine
libreoffice`` fails in one line and ``auto`` says which engine computed instead.  These tests need
LibreOffice; they fail, never skip, without it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.helpers import hostile_books as hb
from tests.helpers.calc_cli import calc_cli


def run_calc(book: Path, out: Path, engine: str, env: dict) -> subprocess.CompletedProcess:
    return calc_cli(book, "-o", out, "--engine", engine, env=env)


def poisoned(tmp_path: Path) -> Path:
    folder = tmp_path / "poison"
    (folder / "bin").mkdir(parents=True)
    (folder / "lib" / "python3.11").mkdir(parents=True)
    python = folder / "bin" / "python3"
    python.write_text("#!/bin/sh\nexit 1\n")
    python.chmod(0o755)
    (folder / "lib" / "python3.11" / "os.py").write_text('raise SystemExit("a foreign standard library")\n')
    return folder


def test_libreoffice_computes_from_a_poisoned_path(tmp_path):
    poison = poisoned(tmp_path)
    env = dict(
        os.environ,
        PATH=f"{poison / 'bin'}{os.pathsep}{os.environ['PATH']}",
        VIRTUAL_ENV=str(poison),
        CONDA_PREFIX=str(poison),
        XDG_CACHE_HOME=str(tmp_path / "cache"),  # a LibreOffice started and prepared from this PATH
        XLFUNCS_LIBREOFFICE_KEEP="0",
    )
    book = hb.plain(tmp_path, "poisoned")
    for engine in ("libreoffice", "auto"):
        proc = run_calc(book, tmp_path / f"out-{engine}.xlsx", engine, env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        first = proc.stdout.splitlines()[0]
        assert "with libreoffice," in first, proc.stdout


def broken_libreoffice(tmp_path: Path) -> dict:
    """An environment whose LibreOffice is installed (every file of the real one, linked) but whose
    ``soffice`` cannot start.
    """
    real = Path(os.path.realpath(shutil.which("soffice") or "soffice")).parent
    program = tmp_path / "lo" / "program"
    program.mkdir(parents=True)
    for entry in real.iterdir():
        if entry.name != "soffice":
            (program / entry.name).symlink_to(entry)
    if (real.parent / "sdk").exists():
        (program.parent / "sdk").symlink_to(real.parent / "sdk")
    soffice = program / "soffice"
    soffice.write_text("#!/bin/sh\necho 'soffice: cannot start' >&2\nexit 1\n")
    soffice.chmod(0o755)
    return dict(
        os.environ,
        XLFUNCS_SOFFICE=str(soffice),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        XLFUNCS_LIBREOFFICE_KEEP="0",
    )


def test_engine_libreoffice_that_cannot_run_fails_in_one_line(tmp_path):
    out = tmp_path / "out.xlsx"
    proc = run_calc(hb.plain(tmp_path, "broken"), out, "libreoffice", broken_libreoffice(tmp_path))
    text = (proc.stdout + proc.stderr).strip()
    assert proc.returncode != 0 and len(text.splitlines()) == 1 and "Traceback" not in text, text
    assert "LibreOffice" in text and not out.exists()


def test_auto_says_it_fell_back_to_formulas(tmp_path):
    out = tmp_path / "out.xlsx"
    proc = run_calc(hb.plain(tmp_path, "fallback"), out, "auto", broken_libreoffice(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first = proc.stdout.splitlines()[0]
    assert "with formulas (LibreOffice failed:" in first and "with libreoffice" not in proc.stdout


def test_an_add_in_that_cannot_be_built_falls_back_under_auto(tmp_path, monkeypatch):
    """A failure to build the add-in (``unoidl-write`` failing, for one) is LibreOffice not starting:
    ``auto`` computes with formulas and its first line says why; ``--engine libreoffice`` fails in one line.
    """
    from xlfuncs.calc import command
    from xlfuncs.calc.libreoffice import engine as libreoffice
    from xlfuncs.runtimes.libreoffice import build

    def fails(*args, **kwargs):
        raise build.BuildError("unoidl-write failed: no types.rdb")

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # nothing prepared: the add-in is built
    monkeypatch.setattr(build, "build", fails)
    monkeypatch.setattr(libreoffice, "engine_available", lambda: True)
    book = hb.plain(tmp_path, "unbuilt")
    lines: list[str] = []
    assert command.main([str(book), "-o", str(tmp_path / "auto.xlsx")], echo=lines.append) == 0
    assert "with formulas (LibreOffice could not start: unoidl-write failed: no types.rdb)" in lines[0]
    lines.clear()
    out = tmp_path / "named.xlsx"
    assert command.main([str(book), "-o", str(out), "--engine", "libreoffice"], echo=lines.append) == 2
    assert len(lines) == 1 and "LibreOffice could not start (unoidl-write failed: no types.rdb)" in lines[0]
    assert not out.exists()

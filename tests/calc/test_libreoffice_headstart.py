"""``xlfuncs calc`` starts its LibreOffice from the command's first lines (calc/libreoffice/headstart.py):
which arguments start it, that the run computes with the instance started so, and that a run which
never computes ends the LibreOffice it started.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from xlfuncs import cli
from xlfuncs.calc.libreoffice import engine as libreoffice
from xlfuncs.calc.libreoffice import headstart, instances
from xlfuncs.runtimes.libreoffice import office

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("args", "book"),
    [
        (["b.xlsx"], "b.xlsx"),
        (["b.xlsx", "-o", "out.xlsx", "--engine", "libreoffice", "--json"], "b.xlsx"),
        (["--engine=auto", "--timeout", "5", "--max-memory=2G", "b.xlsx", "--cross-check"], "b.xlsx"),
        (["-o", "out.xlsx", "b.xlsx", "--max-cells", "10"], "b.xlsx"),
    ],
)
def test_the_book_a_libreoffice_run_computes(args, book):
    assert headstart.book_to_compute(args) == Path(book)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--help"],
        ["b.xlsx", "-h"],
        ["b.xlsx", "--engine", "formulas"],
        ["b.xlsx", "--engine=formulas"],
        ["--eng", "libreoffice", "b.xlsx"],  # an abbreviation: argparse's to read
        ["b.xlsx", "c.xlsx"],
        ["-o", "b.xlsx"],
        ["b.xlsx", "--json=1"],
        ["b.xlsx", "--unknown"],
    ],
)
def test_arguments_that_may_mean_anything_else_start_nothing(args):
    assert headstart.book_to_compute(args) is None


needs_libreoffice = pytest.mark.skipif(
    not libreoffice.engine_available(),
    reason="needs LibreOffice with python3-uno and libreoffice-script-provider-python "
    "(scripts/test.sh installs them)",
)


def _slot_pids() -> set[int]:
    return {pid for pid, _ in instances.running(office.cache_root())}


@pytest.fixture
def kept(monkeypatch):
    """Instances kept a minute; every kept instance is ended before and after; the add-in prepared."""
    monkeypatch.setenv(instances.KEEP_VARIABLE, "60")
    instances.stop_all(office.cache_root())
    libreoffice._prepared()
    yield
    instances.stop_all(office.cache_root())


@needs_libreoffice
def test_the_run_computes_with_the_libreoffice_started_first(tmp_path, kept, monkeypatch):
    ahead = []
    start_ahead = instances.start_ahead

    def spy(prepared: Path) -> None:
        start_ahead(prepared)
        ahead.append(list(instances._AHEAD))

    monkeypatch.setattr(instances, "start_ahead", spy)
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=MARKETCAP(12.5,1000)"
    wb.active["A2"] = "=1/4"
    wb.save(tmp_path / "in.xlsx")
    assert cli.main(["calc", str(tmp_path / "in.xlsx"), "-o", str(tmp_path / "out.xlsx")]) == 0
    (([(prepared, _, started)]),) = ahead  # started once, before the run read its arguments
    assert prepared == headstart.prepared_folder() == libreoffice._prepared()
    assert instances._AHEAD == []  # handed to the run
    assert _slot_pids() == {started.pid()}  # the run's own instance, kept
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True).active
    assert (ws["A1"].value, ws["A2"].value) == (12500, 0.25)  # 12.5 x 1000; a quarter


@needs_libreoffice
def test_a_run_that_never_computes_ends_the_libreoffice_it_started(tmp_path, kept):
    (tmp_path / "not.xlsx").write_bytes(b"not a zip")
    started = time.time() - 1
    env = {**os.environ, instances.KEEP_VARIABLE: "60", "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-m", "xlfuncs.cli", "calc", str(tmp_path / "not.xlsx"), "--engine", "libreoffice"]
    proc = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "not an .xlsx workbook" in proc.stdout
    slots = instances.slots_folder(headstart.prepared_folder())
    assert any(pid.stat().st_mtime > started for pid in slots.glob("*/pid"))  # it did start one
    deadline = time.monotonic() + 10
    while _slot_pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _slot_pids()


@pytest.mark.skipif(not instances.SUPPORTED, reason="instances need POSIX file locks and UNIX sockets")
@pytest.mark.parametrize("code", office.RESTART_CODES)
def test_a_libreoffice_that_asks_for_a_restart_is_started_again(tmp_path, code):
    """What LibreOffice's launcher does on these exit codes, the instance does for soffice.bin."""
    starts = []

    class Restarted(instances.Instance):
        def start(self) -> None:  # the second LibreOffice: it listens
            starts.append(self.socket_path)
            self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self._listener.bind(str(self.socket_path))
            self._listener.listen(1)
            self._proc = subprocess.Popen(["sleep", "30"])

    one = Restarted(tmp_path, tmp_path, 0.0)
    one._proc = subprocess.Popen(["sh", "-c", f"exit {code}"])  # the first: it asks for a restart
    one._proc.wait()
    try:
        conn = one._ready(time.monotonic() + 10, start=True)
        assert conn is not None and starts == [one.socket_path]
        conn.close()
    finally:
        one._proc.kill()
        one._proc.wait()
        one._listener.close()


@pytest.mark.skipif(not instances.SUPPORTED, reason="instances need POSIX file locks and UNIX sockets")
def test_a_libreoffice_that_fails_to_start_is_reported(tmp_path):
    one = instances.Instance(tmp_path, tmp_path, 0.0)
    one._proc = subprocess.Popen(["sh", "-c", "exit 1"])
    one._proc.wait()
    with pytest.raises(office.LibreOfficeError, match="LibreOffice ended while starting"):
        one._ready(time.monotonic() + 10, start=True)

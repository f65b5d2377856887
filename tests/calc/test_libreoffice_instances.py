"""The LibreOffice instances that compute for ``xlfuncs calc`` (calc/libreoffice/instances.py and the
calculation service LibreOffice runs, service.py), in a real headless LibreOffice.

What the service hands back is checked against LibreOffice's own .xlsx export of the same book (what
Excel-saved files are compared with in bench_oracle.py): the
same error value in every cell, the same numbers (to the export's 15 digits; the service's are exact).
Then the life of an instance: kept and reused, ended when idle, replaced when killed, killed on a
timeout, one per concurrent run (a one-off instance when every slot is taken), stopped on request.
"""

from __future__ import annotations

import fcntl
import math
import os
import signal
import socket
import tempfile
import time
from pathlib import Path

import openpyxl
import pytest

from xlfuncs.calc import command
from xlfuncs.calc.libreoffice import engine as libreoffice
from xlfuncs.calc.libreoffice import instances
from xlfuncs.calc.results import CIRCULAR, ExcelError
from xlfuncs.runtimes.libreoffice import office

pytestmark = pytest.mark.skipif(
    not libreoffice.engine_available(),
    reason="needs LibreOffice with python3-uno and libreoffice-script-provider-python "
    "(scripts/test.sh installs them)",
)

#: A formula and the value Excel's error or number it gives in LibreOffice (what LibreOffice writes to .xlsx).
FORMULAS = {
    "A1": ("=1/0", "#DIV/0!"),
    "A2": ("=NA()", "#N/A"),
    "A3": ("=SQRT(-1)", "#VALUE!"),  # Calc's Err:502 (IllegalArgument); Excel itself gives #NUM!
    "A4": ("=#REF!", "#REF!"),
    "A5": ('=1+"a"', "#VALUE!"),
    "A6": ("=2^1024", "#NUM!"),
    "A7": ("=NOSUCHFUNCTION()", "#NAME?"),
    "A8": ("=#NULL!", "#NULL!"),
    "A9": ("=A9+1", 0),  # a circular reference, Calc's Err:522: 0 as Excel shows it, and reported
    "A10": ("=0.1+0.2", 0.30000000000000004),
    "A11": ("=1/3", 1 / 3),
    "A12": ('=""', ""),
    "A13": ('="text"', "text"),
    "A14": ("=B99", 0),
    "A15": ("=MARKETCAP(12.5,1000)", 12500),
    "A16": ("=MARKETCAP(-1,1000)", "#NUM!"),
    "A17": ("=2^53+1", 2.0**53),  # beyond 2**53 a double stays a float
}


def _book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Probe"
    for ref, (formula, _) in FORMULAS.items():
        ws[ref] = formula
    wb.save(path)
    return path


def _slot_pids() -> set[int]:
    return {pid for pid, _ in instances.running(office.cache_root())}


def _gone(pid: int, seconds: float = 30.0) -> bool:
    """Whether process ``pid`` ends within ``seconds`` (ended: no process, or a zombie not yet reaped)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if not Path(f"/proc/{pid}/cmdline").read_bytes():
                return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def keep(monkeypatch):
    """Set how long instances are kept for this test; every kept instance is ended before and after."""
    instances.stop_all(office.cache_root())

    def set_keep(seconds: float) -> None:
        monkeypatch.setenv(instances.KEEP_VARIABLE, str(seconds))

    yield set_keep
    instances.stop_all(office.cache_root())


def test_values_are_libreoffices_own_with_exact_numbers(tmp_path, keep):
    keep(0)
    book = _book(tmp_path / "probe.xlsx")
    values, problems = libreoffice.compute(book)
    assert problems == {CIRCULAR: [("Probe", "A9")]}
    got = {ref: values[("Probe", ref)] for ref in FORMULAS}
    for ref, (_, expected) in FORMULAS.items():
        if isinstance(expected, str) and expected.startswith("#"):
            assert isinstance(got[ref], ExcelError) and str(got[ref]) == expected, ref
        else:
            assert got[ref] == expected and type(got[ref]) is type(expected), ref
    # the same book saved by LibreOffice itself: same errors and texts, numbers to its 15 digits
    # (without the add-in, A15/A16 are unknown names there)
    saved = libreoffice.recalculate(book, tmp_path / "saved")
    ws = openpyxl.load_workbook(saved, data_only=True)["Probe"]
    for ref in FORMULAS:
        theirs, ours = ws[ref].value, got[ref]
        if ref in ("A15", "A16"):
            assert theirs == "#NAME?"
        elif ref == "A9":  # LibreOffice writes its Err:522 as #VALUE!
            assert theirs == "#VALUE!"
        elif isinstance(ours, (int, float)) and not isinstance(ours, bool):
            assert math.isclose(theirs, ours, rel_tol=1e-15), ref
        elif isinstance(ours, ExcelError):
            assert theirs == str(ours), ref
        else:
            assert (theirs or "") == ours, ref
    assert ws["A10"].value == 0.3  # what the export writes; the service hands back the exact double


def test_a_kept_instance_computes_the_next_run(tmp_path, keep):
    keep(60)
    book = _book(tmp_path / "probe.xlsx")
    first, _ = libreoffice.compute(book)
    pids = _slot_pids()
    assert len(pids) == 1
    second, _ = libreoffice.compute(book)
    assert _slot_pids() == pids
    assert second == first


def test_an_instance_not_kept_ends_after_its_run(tmp_path, keep):
    keep(0)
    book = _book(tmp_path / "probe.xlsx")
    first, _ = libreoffice.compute(book)
    deadline = time.monotonic() + 30
    while _slot_pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _slot_pids()
    # it ended at once after its reply, not through LibreOffice's shutdown, which removes the socket;
    # the next run's LibreOffice starts in the same slot all the same
    slot = instances.Instance(instances.slots_folder(libreoffice._prepared()) / "0", tmp_path, 0)
    assert slot.socket_path.exists()
    second, _ = libreoffice.compute(book)
    assert second == first


def test_an_idle_instance_ends_itself(tmp_path, keep):
    keep(0.5)
    libreoffice.compute(_book(tmp_path / "probe.xlsx"))
    (pid,) = _slot_pids()
    assert _gone(pid)


def test_a_killed_instance_is_replaced(tmp_path, keep):
    keep(60)
    book = _book(tmp_path / "probe.xlsx")
    expected, _ = libreoffice.compute(book)
    (pid,) = _slot_pids()
    os.killpg(pid, signal.SIGKILL)
    assert _gone(pid)  # its socket file stays behind
    again, _ = libreoffice.compute(book)
    assert again == expected
    assert _slot_pids() and pid not in _slot_pids()


def test_a_connection_without_a_job_does_not_end_the_instance(tmp_path, keep):
    keep(60)
    book = _book(tmp_path / "probe.xlsx")
    expected, _ = libreoffice.compute(book)
    (pid,) = _slot_pids()
    (_, folder), *_ = instances.running(office.cache_root())
    for junk in (b"", b"not json\n", b"[1, 2]\n", b"x" * (70 * 1024) + b"\n"):
        with socket.socket(socket.AF_UNIX) as conn:
            conn.connect(str(instances.Instance(folder, folder, 0).socket_path))
            conn.sendall(junk)
    assert libreoffice.compute(book)[0] == expected
    assert _slot_pids() == {pid}


def test_a_job_over_its_time_is_killed(tmp_path, keep):
    keep(60)
    book = _book(tmp_path / "probe.xlsx")
    libreoffice.compute(book)  # started and warm
    (pid,) = _slot_pids()
    with pytest.raises(office.LibreOfficeError, match=r"did not finish computing probe\.xlsx within"):
        libreoffice.compute(book, timeout=0.001)
    assert _gone(pid, 5)


def test_concurrent_runs_get_their_own_instance(tmp_path, keep):
    keep(60)
    book = _book(tmp_path / "probe.xlsx")
    expected, _ = libreoffice.compute(book)
    slots = instances.slots_folder(libreoffice._prepared())
    held = []
    try:
        for number in range(instances.SLOTS):  # as if every slot were computing another book
            (slots / str(number)).mkdir(parents=True, exist_ok=True)
            lock = open(slots / str(number) / "lock", "a+b")  # noqa: SIM115 (held until finally)
            fcntl.flock(lock, fcntl.LOCK_EX)
            held.append(lock)
        before = _slot_pids()
        assert libreoffice.compute(book)[0] == expected  # a one-off instance in a temporary folder
        assert _slot_pids() == before
    finally:
        for lock in held:
            lock.close()
    assert not list(Path(tempfile.gettempdir()).glob("xlfuncs_lo_*/profile"))  # the one-off is gone


def test_stop_ends_every_kept_instance(tmp_path, keep, capsys):
    from xlfuncs import cli

    keep(60)
    libreoffice.compute(_book(tmp_path / "probe.xlsx"))
    (pid,) = _slot_pids()
    assert cli.main(["libreoffice", "stop"]) == 0
    assert capsys.readouterr().out == "ended 1 LibreOffice instance kept by xlfuncs calc\n"
    assert _gone(pid, 5)
    assert not _slot_pids()
    assert cli.main(["libreoffice", "stop"]) == 0
    assert capsys.readouterr().out == "ended 0 LibreOffice instances kept by xlfuncs calc\n"


@pytest.mark.parametrize("value", ["soon", "-1", "1e9", "nan"])
def test_an_unusable_keep_setting_is_refused_in_one_line(tmp_path, monkeypatch, value):
    monkeypatch.setenv(instances.KEEP_VARIABLE, value)
    with pytest.raises(ValueError, match=f"{instances.KEEP_VARIABLE} must be seconds from 0 to 86400"):
        instances.keep_seconds()
    lines: list[str] = []
    book = _book(tmp_path / "probe.xlsx")
    assert command.main([str(book), "--engine", "libreoffice"], echo=lines.append) == 2  # unusable input
    assert lines == [
        f"xlfuncs calc: error: {instances.KEEP_VARIABLE} must be seconds from 0 to 86400; got {value!r}"
    ]


def test_a_slot_too_deep_for_a_socket_path_gets_one_in_a_private_folder(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    path = instances.Instance(deep, deep, 0).socket_path
    assert len(os.fsencode(path)) <= 100 and not path.is_relative_to(deep)
    assert path == instances.Instance(deep, deep, 0).socket_path  # the same for every run
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert instances.Instance(tmp_path, tmp_path, 0).socket_path == tmp_path / "sock"


def test_the_engine_runs_from_a_cache_too_deep_for_a_socket_path(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ("c" * 80)))
    monkeypatch.setenv(instances.KEEP_VARIABLE, "0")
    values, problems = libreoffice.compute(_book(tmp_path / "probe.xlsx"))
    assert problems == {CIRCULAR: [("Probe", "A9")]} and values[("Probe", "A15")] == 12500


def test_the_addins_modules_are_imported_in_a_thread_while_calc_starts(tmp_path, keep):
    keep(0)
    book = _book(tmp_path / "probe.xlsx")
    with libreoffice.started() as office_instance:
        reply = office_instance.run({"src": str(book), "values": str(tmp_path / "values.json")}, 120, "probe")
    at = reply["at"]
    # imported in LibreOffice's Python from the slot's copy of the extension, before Calc created the add-in
    assert at["serve"] <= at["imported"] <= at["addin"] <= at["warm"] <= at["job"]
    assert at["blank"] <= at["addin"]
    assert libreoffice._read_values(tmp_path / "values.json", set())[("Probe", "A15")] == 12500


def test_the_service_imports_ahead_only_what_it_is_told_and_survives_a_failing_module(tmp_path, monkeypatch):
    import sys

    from xlfuncs.calc.libreoffice import service

    monkeypatch.delenv("XLFUNCS_SERVICE_IMPORT", raising=False)
    assert service._import_ahead({}) is None
    (tmp_path / "xlx_ahead_probe.py").write_text("LOADED = True\n")
    (tmp_path / "xlx_ahead_broken.py").write_text("raise RuntimeError('broken')\n")
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setenv("XLFUNCS_SERVICE_PYTHONPATH", str(tmp_path))
    try:
        for names, imported in (("xlx_ahead_probe", True), ("xlx_ahead_broken,xlx_ahead_probe", False)):
            monkeypatch.setenv("XLFUNCS_SERVICE_IMPORT", names)
            at: dict[str, float] = {}
            thread = service._import_ahead(at)
            assert thread is not None
            thread.join(30)
            assert ("imported" in at) is imported
            assert sys.modules["xlx_ahead_probe"].LOADED
            assert str(tmp_path) in sys.path
    finally:
        for name in ("xlx_ahead_probe", "xlx_ahead_broken"):
            sys.modules.pop(name, None)

"""xlfuncs doctor --workbook: which runtime's form a workbook stores, and whether it suits the
runtime installed here (xlfuncs.doctor.workbook), on the template built in each form."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.helpers.forms import built_in_every_form
from xlfuncs.doctor import workbook
from xlfuncs.windows.install import ADDIN

NAME = "valuation_bridge.xlsx"


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    return built_in_every_form(tmp_path_factory, NAME)


class _Host:
    """A Windows host whose Excel startup folder is a temporary folder."""

    def __init__(self, folder: Path, installed: bool) -> None:
        self.folder = folder
        if installed:
            (folder / ADDIN).write_bytes(b"add-in")

    def startup_folder(self) -> Path:
        return self.folder


def test_doctor_workbook_names_the_form_and_whether_it_suits_the_runtime(books, tmp_path):
    lines, failed = workbook.lines(books["lite"])
    assert not failed
    assert lines[0] == f"OK   workbook: {NAME} stores _xldudf_NAME (xlwings Lite), 11 functions"
    assert lines[1].startswith("OK   runtime: suits xlwings Lite")
    (tmp_path / "a").mkdir()
    lines, _ = workbook.lines(books["server"], _Host(tmp_path / "a", installed=False))
    assert lines[0].endswith("stores _xldudf_XLWINGS_NAME (xlwings Server, namespace XLWINGS), 11 functions")
    assert lines[1] == "OK   runtime: suits xlwings Server with the function namespace XLWINGS"
    (tmp_path / "b").mkdir()
    classic_here = _Host(tmp_path / "b", installed=True)
    assert (
        workbook.lines(books["classic"], classic_here)[0][1]
        == "OK   runtime: suits the installed classic add-in"
    )
    warn = workbook.lines(books["lite"], classic_here)[0][1]
    assert (
        warn.startswith("WARN runtime: stored for xlwings Lite") and "xlfuncs workbooks --for classic" in warn
    )
    (tmp_path / "c").mkdir()
    missing = workbook.lines(books["classic"], _Host(tmp_path / "c", installed=False))[0][1]
    assert missing.startswith("WARN runtime:") and missing.endswith("Fix: xlfuncs install")
    saved = tmp_path / NAME
    openpyxl.load_workbook(books["lite"]).save(saved)
    lines, failed = workbook.lines(saved)
    assert failed and any(
        line.startswith("FAIL workbook: the xlwings Lite web extension is missing") for line in lines
    )


def test_doctor_workbook_command(books):
    run = subprocess.run(
        [sys.executable, "-m", "xlfuncs.cli", "doctor", "--workbook", str(books["server"])],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0 and "xlwings Server, namespace XLWINGS" in run.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "xlfuncs.cli", "doctor", "--workbook", "no-such.xlsx"],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "no such file" in missing.stderr

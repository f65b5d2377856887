"""Bounded in time and memory: each engine computes a workbook in a process of its own, killed when
the job passes its wall-time (``--timeout``) or resident-memory (``--max-memory``) limit; the
refusal is one line naming the limit and the flag that raises it, with a non-zero exit code.

No test times how fast anything is: a stopped job is known by its message, and by ending long
before the book would have been computed (the margins allow for a loaded machine).  The
LibreOffice tests need LibreOffice; they fail, never skip, without it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from xlfuncs.calc import command, formulas_process
from xlfuncs.calc.libreoffice import engine as libreoffice
from xlfuncs.calc.libreoffice import instances
from xlfuncs.calc.limits import MEMORY, LimitExceeded, Limits
from xlfuncs.calc.workbook import calc

openpyxl = pytest.importorskip("openpyxl")
xlsxwriter = pytest.importorskip("xlsxwriter")


def small(path: Path) -> Path:
    """2 and 3, and formulas whose values are known by hand."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write_column("A1", [2, 3])
    for ref, formula in {
        "B1": "=A1*A2+1",  # 7
        "B2": "=SUM(A1:A2)/4",  # 1.25
        "B3": "=A1>A2",  # FALSE
        "B4": "=1/0",  # #DIV/0!
        "B5": "=MARKETCAP(A1,A2)",  # price 2 times 3 shares: 6
    }.items():
        ws.write_formula(ref, formula)
    wb.close()
    return path


def slow(path: Path, formula: str, cells: int) -> Path:
    """``cells`` copies of one costly ``formula``."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write_number("A1", 1)
    for row in range(cells):
        ws.write_formula(row, 1, formula)
    wb.close()
    return path


#: formulas takes seconds for one of these on a 2-core machine (it builds the 200,000 rows as objects).
SLOW_FOR_FORMULAS = "=SUMPRODUCT(ROW(A1:A200000)*1)"
#: LibreOffice takes about a tenth of a second for one of these.
SLOW_FOR_LIBREOFFICE = "=SUMPRODUCT(ROW(A1:A1048576)*COLUMN(A1:A1048576))"


def run(*args: str | Path) -> tuple[int, list[str], float]:
    """``xlfuncs calc ARGS``: its exit code, its lines, its seconds."""
    lines: list[str] = []
    start = time.monotonic()
    code = command.main([str(a) for a in args], echo=lines.append)
    return code, lines, time.monotonic() - start


def cached(path: Path) -> dict[str, object]:
    ws = openpyxl.load_workbook(path, data_only=True)["S"]
    return {ref: ws[ref].value for ref in ("B1", "B2", "B3", "B4", "B5")}


HAND = {"B1": 7, "B2": 1.25, "B3": False, "B4": "#DIV/0!", "B5": 6}


# --- formulas ---------------------------------------------------------------------------------


def test_formulas_computes_in_a_child_process_kept_for_the_next_book(tmp_path, monkeypatch):
    book = small(tmp_path / "small.xlsx")
    calc(book, tmp_path / "a.xlsx", "formulas")
    assert cached(tmp_path / "a.xlsx") == HAND
    [child] = formulas_process._IDLE
    assert child.proc.pid != os.getpid() and child.alive()
    calc(book, tmp_path / "b.xlsx", "formulas")
    [again] = formulas_process._IDLE
    assert again is child and cached(tmp_path / "b.xlsx") == HAND
    # a process whose settings changed gets a child started with them
    monkeypatch.setenv("XLFUNCS_WATCHDOG_TEST", "1")
    calc(book, tmp_path / "c.xlsx", "formulas")
    [other] = formulas_process._IDLE
    assert other is not child and not child.alive()
    assert cached(tmp_path / "c.xlsx") == HAND


def test_formulas_is_stopped_at_its_timeout(tmp_path):
    book = slow(tmp_path / "slow.xlsx", SLOW_FOR_FORMULAS, 40)  # minutes of computing
    out = tmp_path / "out.xlsx"
    code, lines, seconds = run(book, "-o", out, "--engine", "formulas", "--timeout", "2")
    assert code == 2 and lines == [
        "xlfuncs calc: error: slow.xlsx: formulas stopped after 2 s (--timeout raises the limit)"
    ]
    assert seconds < 60 and not out.exists()


@pytest.mark.parametrize(
    ("engine", "size", "shown"),
    # formulas and numpy alone take more than 50 MiB, LibreOffice alone more than 100 MiB
    [
        ("formulas", "50M", "formulas held more than 50 MiB"),
        ("libreoffice", "100M", "LibreOffice held more than 100 MiB"),
    ],
)
def test_each_engine_is_stopped_over_its_memory_limit(tmp_path, engine, size, shown):
    out = tmp_path / "out.xlsx"
    code, lines, _ = run(small(tmp_path / "small.xlsx"), "-o", out, "--engine", engine, "--max-memory", size)
    assert code == 2 and lines == [
        f"xlfuncs calc: error: small.xlsx: {shown} of memory (--max-memory raises the limit)"
    ]
    assert not out.exists()


def test_a_book_that_grows_past_the_limit_while_computing_is_stopped(tmp_path):
    """300 MiB is more than the child needs to start, less than 4,000 per-row formulas need."""
    book = slow(tmp_path / "rows.xlsx", "=A1*2+1", 4_000)
    with pytest.raises(LimitExceeded, match=r"^rows\.xlsx: formulas held more than 300 MiB of memory"):
        calc(book, tmp_path / "out.xlsx", "formulas", limits=Limits(600, 300 << 20))


def test_a_caller_sets_its_own_limits(tmp_path):
    book = small(tmp_path / "small.xlsx")
    with pytest.raises(LimitExceeded):
        calc(book, tmp_path / "a.xlsx", "formulas", limits=Limits(600, 50 << 20))
    calc(book, tmp_path / "b.xlsx", "formulas", limits=Limits(600, 2 << 30))
    assert cached(tmp_path / "b.xlsx") == HAND


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--timeout", "0"), ("--timeout", "soon"), ("--max-memory", "4X"), ("--max-memory", "0")],
)
def test_an_unusable_limit_is_refused(tmp_path, flag, value, capsys):
    with pytest.raises(SystemExit) as refused:
        command.main([str(small(tmp_path / "small.xlsx")), flag, value])
    assert refused.value.code == 2 and f"argument {flag}:" in capsys.readouterr().err


# --- LibreOffice ------------------------------------------------------------------------------


def test_libreoffice_computes_within_the_limits(tmp_path):
    out = tmp_path / "out.xlsx"
    code, lines, _ = run(small(tmp_path / "small.xlsx"), "-o", out, "--engine", "libreoffice")
    assert code == 0 and "with libreoffice," in lines[0]
    assert cached(out) == HAND


def test_libreoffice_is_stopped_at_its_timeout(tmp_path):
    book = slow(tmp_path / "slow.xlsx", SLOW_FOR_LIBREOFFICE, 3_000)  # minutes of computing
    out = tmp_path / "out.xlsx"
    code, lines, seconds = run(book, "-o", out, "--engine", "libreoffice", "--timeout", "3")
    assert code == 2 and lines == [
        "xlfuncs calc: error: slow.xlsx: LibreOffice stopped after 3 s (--timeout raises the limit)"
    ]
    assert seconds < 3 + 120 and not out.exists()  # LibreOffice may take a minute to start


def test_auto_says_which_limit_libreoffice_passed(tmp_path):
    """``auto`` computes with formulas a book LibreOffice was stopped on; when formulas is stopped too,
    the refusal names both.
    """
    book = slow(tmp_path / "slow.xlsx", SLOW_FOR_LIBREOFFICE, 3_000)
    code, lines, _ = run(book, "-o", tmp_path / "out.xlsx", "--engine", "auto", "--timeout", "3")
    assert code == 2 and lines == [
        "xlfuncs calc: error: slow.xlsx: formulas stopped after 3 s (--timeout raises the limit), "
        "after LibreOffice stopped after 3 s; --timeout raises the limit"
    ]


def test_auto_computes_with_formulas_what_libreoffice_was_stopped_on(tmp_path, monkeypatch):
    def stopped(*args, **kwargs):
        raise instances.JobLimitError("LibreOffice held more than 4,294,967,296 bytes", MEMORY)

    monkeypatch.setattr(libreoffice, "compute", stopped)
    out = tmp_path / "out.xlsx"
    code, lines, _ = run(small(tmp_path / "small.xlsx"), "-o", out, "--max-memory", "4G")
    assert code == 0 and lines[0].startswith("small.xlsx: computed 5 formula cells in ")
    assert lines[0].endswith(
        " s with formulas (LibreOffice held more than 4.0 GiB of memory; --max-memory raises the limit), "
        f"values written -> {out}"
    )
    assert cached(out) == HAND

"""Hostile file systems and workbooks for ``xlfuncs calc``: a link, a hard link, a read-only file,
a closed pipe, zip bombs, entity declarations, damaged parts.  Each is refused or handled with one
line and a non-zero exit code, nothing is written where it should not be, and nothing is read
whole that could be made too large to hold.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.helpers.command_line import ROOT, one_line_failure, run_cli
from tests.helpers.command_line import small_book as book
from xlfuncs.calc import formulas_engine, workbook
from xlfuncs.calc.results import CalcInputError
from xlfuncs.xlsx import package

# --------------------------------------------------------------------------- xlfuncs calc, in place


def test_calc_refuses_a_symlink_and_keeps_it(tmp_path):
    real = book(tmp_path / "real.xlsx")
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    before = real.read_bytes()
    text = one_line_failure(run_cli("calc", str(link)))
    assert "symbolic link" in text
    assert link.is_symlink() and real.read_bytes() == before


def test_calc_refuses_a_dangling_symlink_as_output(tmp_path):
    src = book(tmp_path / "src.xlsx")
    out = tmp_path / "out.xlsx"
    out.symlink_to(tmp_path / "elsewhere" / "x.xlsx")
    text = one_line_failure(run_cli("calc", str(src), "-o", str(out)))
    assert "symbolic link" in text and not (tmp_path / "elsewhere").exists()


def test_calc_refuses_to_break_hard_links(tmp_path):
    real = book(tmp_path / "a.xlsx")
    other = tmp_path / "b.xlsx"
    os.link(real, other)
    text = one_line_failure(run_cli("calc", str(real)))
    assert "hard link" in text and "refused" in text
    assert real.stat().st_ino == other.stat().st_ino and real.stat().st_nlink == 2


def test_calc_respects_a_read_only_workbook(tmp_path):
    real = book(tmp_path / "ro.xlsx")
    real.chmod(0o444)
    before = real.read_bytes()
    text = one_line_failure(run_cli("calc", str(real)))
    assert "read-only" in text and real.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ro.xlsx"]


def test_calc_in_place_still_works_and_keeps_the_mode(tmp_path):
    real = book(tmp_path / "ok.xlsx")
    real.chmod(0o640)
    proc = run_cli("calc", str(real))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    import openpyxl

    assert openpyxl.load_workbook(real, data_only=True)["S"]["B2"].value == 6
    assert (real.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.xlsx"]  # no temporary file left


def test_calc_into_a_closed_pipe_ends_quietly(tmp_path):
    real = book(tmp_path / "pipe.xlsx")
    proc = subprocess.run(
        f"{sys.executable} -m xlfuncs.cli calc {real} | head -c 0",
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr


# --------------------------------------------------------------------------- hostile packages


def repack(src: Path, dst: Path, extra: dict[str, bytes] | None = None, replace: dict | None = None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = (replace or {}).get(info.filename, zin.read(info))
            zout.writestr(info.filename, data, compresslevel=9)
        for name, data in (extra or {}).items():
            zout.writestr(name, data, compresslevel=9)
    return dst


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return book(tmp_path_factory.mktemp("base") / "base.xlsx")


def sheet_with_spaces(base: Path, size: int) -> bytes:
    with zipfile.ZipFile(base) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    head, tail = xml.split(b"<sheetData>", 1)
    return head + b"<sheetData>" + b" " * size + tail


@pytest.mark.parametrize(
    ("label", "words"),
    [
        ("bomb in the sheet", "times"),
        ("bomb in an unrelated part", "times"),
        ("part over the size limit", "over the limit of 268,435,456"),
        ("entity attack in workbook.xml", "document type"),
    ],
)
def test_hostile_packages_are_refused_with_one_line(tmp_path, base, label, words):
    target = tmp_path / "hostile.xlsx"
    if label == "bomb in the sheet":
        repack(base, target, replace={"xl/worksheets/sheet1.xml": sheet_with_spaces(base, 50_000_000)})
    elif label == "bomb in an unrelated part":
        repack(base, target, extra={"docProps/custom.xml": b"<a>" + b" " * 50_000_000 + b"</a>"})
    elif label == "part over the size limit":
        repack(base, target)
        with (
            zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z,
            z.open("xl/big.xml", "w") as w,
        ):
            for _ in range(package.MAX_PART_BYTES // (1 << 20) + 1):  # streamed, 1 MiB at a time
                w.write(b" " * (1 << 20))
    else:
        with zipfile.ZipFile(base) as z:
            workbook = z.read("xl/workbook.xml").decode()
        lol = '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        attacked = workbook.replace("?>", "?>" + lol, 1).replace('name="S"', 'name="&b;"')
        repack(base, target, replace={"xl/workbook.xml": attacked.encode()})
    start = time.perf_counter()
    text = one_line_failure(run_cli("calc", str(target)))
    assert words in text and "renamed?" not in text
    assert time.perf_counter() - start < 60  # refused up front, not after inflating


def test_too_many_formula_cells_for_the_formulas_engine_are_refused(tmp_path):
    target = book(tmp_path / "per_row.xlsx", formulas=formulas_engine.MAX_FORMULA_CELLS + 1)
    with pytest.raises(CalcInputError) as refused:
        formulas_engine.compute(target)  # the formulas engine (not LibreOffice, which `auto` may choose)
    text = str(refused.value)
    assert (
        f"{formulas_engine.MAX_FORMULA_CELLS + 1:,} formula cells" in text
        and "spilled" in text
        and "\n" not in text
    )


def test_unchanged_parts_are_copied_unchanged(tmp_path, base):
    extra = {
        "xl/media/image.bin": os.urandom(300_000),
        "docProps/custom.xml": b"<x>" + b"ab" * 200_000 + b"</x>",
    }
    src = repack(base, tmp_path / "src.xlsx", extra=extra)
    out = tmp_path / "out.xlsx"
    workbook.calc(src, out)
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]
        for info in a.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                assert b.read(info.filename) == a.read(info), info.filename
                assert b.getinfo(info.filename).compress_type == info.compress_type

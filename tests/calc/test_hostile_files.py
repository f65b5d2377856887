"""Hostile file systems and workbooks for ``xlfuncs calc`` and ``xlfuncs workbooks`` (issue 11).

Each case failed before: written through a symbolic link (a dangling one created a file
elsewhere), replaced a symlink by a file, broke hard links, overwrote a read-only
workbook, left ``.NAME-XXXX.xlsx.tmp`` behind when killed, read zip bombs whole (a
MemoryError, 3 GB), called an entity attack "an .xls, an encrypted workbook or another
file renamed?", and showed tracebacks (BrokenPipeError, DIR a file, a folder or a
non-xlsx file named like a template).  Now each is refused or handled with one line and a
non-zero exit code, and nothing is written where it should not be.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from xlfuncs import cli
from xlfuncs.calc import formulas_engine, workbook
from xlfuncs.calc.results import CalcInputError
from xlfuncs.workbooks import templates
from xlfuncs.xlsx import package, writes

ROOT = Path(__file__).resolve().parents[2]
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0


def book(path: Path, formulas: int = 1) -> Path:
    """A small workbook with ``formulas`` formula cells (XlsxWriter, as the templates)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write("A1", 2)
    for row in range(1, formulas + 1):
        ws.write_formula(row, 1, "=A1*3")
    wb.close()
    return path


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "xlfuncs.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def one_line_failure(proc: subprocess.CompletedProcess, code: int = 2) -> str:
    text = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == code, text
    assert "Traceback" not in proc.stderr and len(text.splitlines()) == 1, text
    return text


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


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_write_killed_midway_leaves_no_temporary_file(tmp_path, signum):
    """writes.replacing (calc's write) with a writer that stalls; the signal arrives mid-write."""
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")
    child = (
        "import sys, time; from pathlib import Path; from xlfuncs.xlsx import writes\n"
        f"with writes.replacing(Path({str(target)!r})) as out:\n"
        "    out.write(b'new, half'); print('writing', flush=True); time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", child], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout.readline() == b"writing\n"
    assert len(list(tmp_path.iterdir())) == 2  # the temporary file exists now
    proc.send_signal(signum)
    proc.wait(30)
    assert proc.returncode != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"] and target.read_bytes() == b"old"


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


# --------------------------------------------------------------------------- xlfuncs workbooks DIR


def test_workbooks_dir_is_a_file(tmp_path):
    target = tmp_path / "afile"
    target.write_text("x")
    text = one_line_failure(run_cli("workbooks", str(target)))
    assert "not a folder" in text and target.read_text() == "x"


def test_workbooks_dir_is_a_dangling_link(tmp_path):
    link = tmp_path / "dir"
    link.symlink_to(tmp_path / "nowhere")
    text = one_line_failure(run_cli("workbooks", str(link)))
    assert "dangling" in text and not (tmp_path / "nowhere").exists()


@pytest.mark.skipif(ROOT_USER, reason="root may write into a read-only folder")
def test_workbooks_dir_not_writable(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o555)
    text = one_line_failure(run_cli("workbooks", str(folder)))
    assert "not writable" in text


@pytest.fixture
def quick_templates(monkeypatch, tmp_path_factory):
    """``templates.build`` replaced by a copy of one small workbook: write_all's own checks and
    writes run for real, without building the real templates (18 s)."""
    small = book(tmp_path_factory.mktemp("small") / "small.xlsx")
    monkeypatch.setattr(
        templates, "build", lambda name, fresh, *a, **k: fresh.write_bytes(small.read_bytes())
    )
    return list(templates.TEMPLATES)


def cli_in_process(capsys, *args) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_workbooks_dangling_symlink_named_like_a_template(tmp_path, capsys, quick_templates):
    folder, outside = tmp_path / "dir", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (folder / quick_templates[0]).symlink_to(outside / "created.xlsx")
    for force in ([], ["--force"]):
        code, _, err = cli_in_process(capsys, "workbooks", str(folder), *force)
        assert code == 2 and "symbolic link" in err and len(err.strip().splitlines()) == 1
        assert list(outside.iterdir()) == []


def test_workbooks_force_never_overwrites_a_links_target(tmp_path, capsys, quick_templates):
    folder, victim = tmp_path / "dir", tmp_path / "victim.xlsx"
    folder.mkdir()
    victim.write_bytes(b"precious")
    (folder / quick_templates[0]).symlink_to(victim)
    code, _, err = cli_in_process(capsys, "workbooks", str(folder), "--force")
    assert code == 2 and "symbolic link" in err and victim.read_bytes() == b"precious"


def test_workbooks_non_xlsx_file_named_like_a_template_is_kept(tmp_path, capsys, quick_templates):
    folder = tmp_path / "dir"
    folder.mkdir()
    (folder / quick_templates[0]).write_text("my notes")
    code, out, _ = cli_in_process(capsys, "workbooks", str(folder))
    assert code == 2 and "kept" in out and (folder / quick_templates[0]).read_text() == "my notes"
    code, out, _ = cli_in_process(capsys, "workbooks", str(folder), "--force")
    assert code == 0 and zipfile.is_zipfile(folder / quick_templates[0])


def test_workbooks_folder_named_like_a_template(tmp_path, capsys, quick_templates):
    folder = tmp_path / "dir"
    (folder / quick_templates[0]).mkdir(parents=True)
    code, out, _ = cli_in_process(capsys, "workbooks", str(folder))
    assert code == 2 and "kept" in out
    code, _, err = cli_in_process(capsys, "workbooks", str(folder), "--force")
    assert code == 2 and "is a folder" in err and (folder / quick_templates[0]).is_dir()


def test_check_target_refuses_outside_the_folder(tmp_path):
    with pytest.raises(writes.WriteRefused, match="outside"):
        writes.check_target(tmp_path / "a" / ".." / ".." / "x.xlsx", tmp_path / "a")

"""``xlfuncs calc`` against Microsoft Excel: agreement with Excel's own values, per file and in total.

Reads the Excel-saved workbooks of ``../shared/excel-oracle/`` (test workbooks of spreadsheet
libraries; ``truth.json`` holds Excel's value for every scored formula cell) and computes
each with both engines of ``xlfuncs calc``, each file in a process of its own with a time
limit, so a crash or a hang is counted, not fatal::

    .venv/bin/python bench/bench_oracle.py                  # both engines, 120 s per file
    .venv/bin/python bench/bench_oracle.py --engine formulas --timeout 60
    .venv/bin/python bench/bench_oracle.py --strip-types    # a fairer test, see below
    .venv/bin/python bench/bench_oracle.py --engine auto --file 16_logical.xlsx --misses misses.json

A cell agrees when its value equals Excel's: numbers to a relative 1e-9, text, booleans and
error values exactly, an empty text matching an empty cell (the corpus README's rules).
``truth.json`` keeps a text as Excel stored it in the XML, where a character XML cannot hold
(a control character) is written ``_xHHHH_``: Excel's value is that character, so the escape
is undone before comparing (:func:`excel_text`).
Prints, per file and engine, the agreement in percent, the seconds and the failure if
any; then the totals, over all files and over the files both engines computed.
Goals: LibreOffice agrees on at least 95 % of the scored cells and crashes on
none; the formulas engine crashes on none.

``--strip-types`` computes a copy of each workbook whose formula cells (and the cells of array and
data-table ranges) hold no cached value and no type attribute (``t="b"``, ``t="str"``, ``t="e"``), as
a book written by openpyxl or XlsxWriter comes: an engine that types its results from the stale
attribute instead of the computed value scores lower here.

``--file`` scores only the named workbooks (one book at a time while a fix is tried); ``--misses``
writes every cell that disagrees, ``{engine: {file: {"Sheet!A1": [Excel's, the engine's]}}}``, to
a JSON file, to group the misses by function and cause.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORACLE = ROOT.parent / "shared" / "excel-oracle"
ENGINES = ("libreoffice", "formulas")


_CELL = re.compile(r"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
_RANGE = re.compile(r'<f\b[^>]*?\bt="(?:array|dataTable)"[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _in_ranges(xml: str) -> set[tuple[int, int]]:
    """(row, column) of every cell inside an array formula's or data table's range."""
    found = set()
    for c1, r1, c2, r2 in _RANGE.findall(xml):
        for row in range(int(r1), int(r2 or r1) + 1):
            for col in range(_column(c1), _column(c2 or c1) + 1):
                found.add((row, col))
    return found


def strip_types(src: Path, dst: Path) -> None:
    """Copy ``src`` to ``dst`` with no cached value and no ``t`` attribute in any formula cell (nor in
    the cells of array and data-table ranges).
    """
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                xml = data.decode("utf-8")
                ranges = _in_ranges(xml)

                def strip(m: re.Match[str], ranges: set[tuple[int, int]] = ranges) -> str:
                    attrs, body = m.group(1), m.group(3) or ""
                    ref = re.search(r'\br="([A-Z]+)(\d+)"', attrs)
                    inside = ref is not None and (int(ref.group(2)), _column(ref.group(1))) in ranges
                    if ("<f" not in body and not inside) or re.search(r'\bt="(?:s|inlineStr)"', attrs):
                        return m.group(0)
                    attrs = re.sub(r'\st="[^"]*"', "", attrs)
                    body = re.sub(r"<v\b[^>]*?(?:/>|>.*?</v>)", "", body, flags=re.S)
                    return f"<c{attrs}>{body}</c>" if body else f"<c{attrs}/>"

                data = _CELL.sub(strip, xml).encode("utf-8")
            zout.writestr(info, data)


def worker(engine: str, path: str, stripped: bool = False) -> None:
    """Compute one workbook and print ``{"Sheet!A1": [kind, value]}`` as JSON (run in a subprocess)."""
    sys.path.insert(0, str(ROOT))
    from xlfuncs.calc import engines, workbook
    from xlfuncs.calc.results import ExcelError

    with tempfile.TemporaryDirectory(prefix="bench_oracle_") as tmp:
        if stripped:
            copy = Path(tmp) / Path(path).name
            strip_types(Path(path), copy)
            path = str(copy)
        # libreoffice: a book LibreOffice fails on counts as its failure; auto: formulas computes it,
        # as xlfuncs calc does by default
        values, _ = engines.engine(engines.engine_for(engine), fallback=engine == "auto").compute(
            workbook.check_book(path)
        )
    out: dict[str, list] = {}
    for (sheet, ref), v in values.items():
        if isinstance(v, ExcelError):
            out[f"{sheet}!{ref}"] = ["e", str(v)]
        elif isinstance(v, bool):
            out[f"{sheet}!{ref}"] = ["b", v]
        elif isinstance(v, (int, float)):
            out[f"{sheet}!{ref}"] = ["n", v if math.isfinite(v) else None]
        elif v is None:
            out[f"{sheet}!{ref}"] = ["none", None]
        else:
            out[f"{sheet}!{ref}"] = ["s", str(v)]
    json.dump(out, sys.stdout)


_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def excel_text(stored: str) -> str:
    r"""The text Excel means by ``stored`` (OOXML's ``ST_Xstring``): each ``_xHHHH_`` is the
    character U+HHHH, and ``_x005F_`` escapes the underscore of a literal ``_xHHHH_``.

    >>> excel_text("_x0001_"), excel_text("a_x005F_x0041_b")
    ('\x01', 'a_x0041_b')
    """
    return _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), stored)


def agrees(truth: list, got: list | None) -> bool:
    kind, value = truth
    if kind == "s" and isinstance(value, str):
        value = excel_text(value)
    if got is None:
        return False
    gkind, gvalue = got
    if kind == "n":
        return (
            gkind == "n" and gvalue is not None and math.isclose(gvalue, value, rel_tol=1e-9, abs_tol=1e-12)
        )
    if kind in ("none", "s") and value in (None, "") and gkind in ("none", "s") and gvalue in (None, ""):
        return True
    return (gkind, gvalue) == (kind, value)


def run(engine: str, path: Path, timeout: float, stripped: bool = False) -> tuple[dict | None, float, str]:
    """(values or None, seconds, failure text)."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--worker",
                engine,
                str(path),
                *(["--strip-types"] if stripped else []),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - start, f"over {timeout:g} s"
    seconds = time.perf_counter() - start
    if proc.returncode:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        return None, seconds, (lines[-1] if lines else f"exit code {proc.returncode}")[:120]
    return json.loads(proc.stdout), seconds, ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--engine",
        choices=(*ENGINES, "auto"),
        action="append",
        help="default: both; auto: LibreOffice, and formulas for a book LibreOffice fails on",
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per file and engine")
    parser.add_argument("--oracle", type=Path, default=ORACLE)
    parser.add_argument(
        "--strip-types",
        action="store_true",
        help="compute copies without the cached values and type attributes of formula cells",
    )
    parser.add_argument("--file", action="append", help="score only this workbook of the corpus (repeatable)")
    parser.add_argument("--misses", type=Path, help="write every disagreeing cell to this JSON file")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        engine, path = args.worker
        worker(engine, path, stripped=args.strip_types)
        return 0
    if not (args.oracle / "truth.json").is_file():
        print(f"no oracle corpus at {args.oracle} (../shared/excel-oracle beside the repository)")
        return 2
    truth = json.loads((args.oracle / "truth.json").read_text())
    if args.file:
        unknown = sorted(set(args.file) - set(truth))
        if unknown:
            print(f"not in the corpus: {', '.join(unknown)}")
            return 2
        truth = {name: truth[name] for name in args.file}
    engines = args.engine or list(ENGINES)
    results: dict[str, dict[str, tuple[int, int, float, str]]] = {e: {} for e in engines}
    misses: dict[str, dict[str, dict[str, list]]] = {e: {} for e in engines}
    print(f"{'file':42} " + " ".join(f"{e:>34}" for e in engines))
    for name in sorted(truth):
        cells = truth[name]
        row = []
        for engine in engines:
            values, seconds, failure = run(engine, args.oracle / name, args.timeout, args.strip_types)
            missed = {
                ref: [t, None if values is None else values.get(ref)]
                for ref, t in cells.items()
                if values is None or not agrees(t, values.get(ref))
            }
            misses[engine][name] = missed
            agree = len(cells) - len(missed)
            results[engine][name] = (agree, len(cells), seconds, failure)
            shown = failure or f"{100 * agree / max(len(cells), 1):6.1f} % of {len(cells):5}"
            row.append(f"{shown[:24]:>24} {seconds:7.1f} s")
        print(f"{name[:42]:42} " + " ".join(f"{c:>34}" for c in row), flush=True)
    if args.misses:
        args.misses.write_text(json.dumps(misses, indent=1))
    both = [n for n in truth if all(not results[e][n][3] for e in engines)]
    print()
    for engine in engines:
        res = results[engine]
        agree, total = sum(r[0] for r in res.values()), sum(r[1] for r in res.values())
        agree_both = sum(res[n][0] for n in both)
        total_both = sum(res[n][1] for n in both)
        failures = [n for n, r in res.items() if r[3]]
        print(
            f"{engine}: {100 * agree / total:.1f} % of {total:,} scored cells; "
            f"{100 * agree_both / max(total_both, 1):.1f} % on the {len(both)} files every engine computed; "
            f"{sum(r[2] for r in res.values()):.0f} s in all; "
            f"{len(failures)} failed" + (f" ({', '.join(failures)})" if failures else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

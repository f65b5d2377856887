"""``xlfuncs calc`` against LibreOffice on the 2,000-row universe screen, in the same run.

Run from the repository root::

    .venv/bin/python bench/bench_calc.py            # 2,000 rows, best of 3
    .venv/bin/python bench/bench_calc.py --rows 500 --repeat 1

Both sides are timed as whole processes, as a user runs them:

* ours: ``python -m xlfuncs.cli calc IN -o OUT`` on a freshly built
  universe_screen.xlsx (our spilled functions; XlsxWriter output without
  values), ``python -m xlfuncs.workbooks.calc IN -o OUT`` while the CLI has no ``calc``;
* LibreOffice: ``soffice --headless --convert-to xlsx`` forcing recalculation
  of the native twin of the same workbook (per-row native formulas computing
  the same results; LibreOffice does not know our functions), in a fresh
  profile per run as :func:`xlfuncs.workbooks.libreoffice.recalculate` does it, and also
  in a reused (warm) profile, LibreOffice's best case.

Before anything is timed both outputs are read back and Market cap, EV, Size
class and EV/EBITDA of a sample of rows must agree (numbers to 1e-12 relative,
LibreOffice writing 15 significant digits).  Goal: xlfuncs calc no slower than
LibreOffice (fresh profile).  Prints PASS/MISS; exits 1 only if the results
disagree or something fails.
"""

from __future__ import annotations

import argparse
import math
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from xlfuncs.runtimes.libreoffice import office  # noqa: E402
from xlfuncs.workbooks import libreoffice, templates  # noqa: E402

COLUMNS = {"G": "Market cap", "H": "EV", "I": "Size class", "J": "EV / EBITDA"}
REL_TOL = 1e-12
SAMPLE = 50  # rows compared, spread over the sheet (first and last included)


def calc_command(src: Path, out: Path) -> list[str]:
    """Our command line: the CLI's ``calc`` when it is wired, else the module's own entry point."""
    probe = subprocess.run(
        [sys.executable, "-m", "xlfuncs.cli", "calc", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    if probe.returncode == 0:
        return [sys.executable, "-m", "xlfuncs.cli", "calc", str(src), "-o", str(out)]
    return [sys.executable, "-m", "xlfuncs.workbooks.calc", str(src), "-o", str(out)]


def warm_profile_command(src: Path, out_dir: Path, profile: Path) -> list[str]:
    """soffice in a profile kept between runs (created by a first, untimed run)."""
    office.write_profile(profile)
    return [
        libreoffice.executable(),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        libreoffice.XLSX_FILTER,
        "--outdir",
        str(out_dir),
        str(src),
    ]


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def sample_rows(n: int) -> list[int]:
    return sorted({2 + round(i * (n - 1) / (SAMPLE - 1)) for i in range(SAMPLE)})


def compare(ours: Path, lo: Path, n: int) -> list[str]:
    import openpyxl

    a = openpyxl.load_workbook(ours, data_only=True)["Universe"]
    b = openpyxl.load_workbook(lo, data_only=True)["Universe"]
    problems = []
    for row in sample_rows(n):
        for col, label in COLUMNS.items():
            x, y = a[f"{col}{row}"].value, b[f"{col}{row}"].value
            same = (
                math.isclose(x, y, rel_tol=REL_TOL)
                if isinstance(x, (int, float)) and isinstance(y, (int, float))
                else x == y and x is not None
            )
            if not same:
                problems.append(f"{col}{row} ({label}): xlfuncs calc {x!r}, LibreOffice {y!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=templates.UNIVERSE_ROWS)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs (default 3)")
    args = parser.parse_args(argv)
    if not libreoffice.available():
        print("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc")
        return 1
    soffice_version = subprocess.run(
        [libreoffice.executable(), "--version"], capture_output=True, text=True
    ).stdout.strip()
    print(f"Python {platform.python_version()}, {platform.platform()}; {soffice_version}")
    with tempfile.TemporaryDirectory(prefix="xlfuncs_bench_calc_") as tmp:
        tmp = Path(tmp)
        book, twin = tmp / "in" / "universe_screen.xlsx", tmp / "in" / "universe_twin.xlsx"
        book.parent.mkdir()
        templates.build_universe_screen(book, n=args.rows)  # no values yet: calc computes them
        templates.build_universe_screen(twin, n=args.rows, native_twin=True)
        ours_out, lo_dir, warm_dir = tmp / "ours.xlsx", tmp / "lo", tmp / "lo-warm"
        cmd = calc_command(book, ours_out)
        print(f"universe screen, {args.rows:,} rows; ours: python {' '.join(cmd[1:4])} IN -o OUT")

        def ours():
            p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            if p.returncode:
                raise SystemExit(f"xlfuncs calc failed ({p.returncode}):\n{p.stdout}{p.stderr}")

        def lo_fresh():
            libreoffice.recalculate(twin, lo_dir)

        profile = tmp / "warm-profile"
        warm = warm_profile_command(twin, warm_dir, profile)

        def lo_warm():
            p = subprocess.run(warm, capture_output=True, text=True, timeout=libreoffice.TIMEOUT)
            if p.returncode or not (warm_dir / twin.name).is_file():
                raise SystemExit(f"soffice failed ({p.returncode}):\n{p.stdout}{p.stderr}")

        # Verify first (these runs also warm the disk cache and the kept profile).
        ours()
        lo_fresh()
        lo_warm()
        for out in (lo_dir / twin.name, warm_dir / twin.name):
            problems = compare(ours_out, out, args.rows)
            if problems:
                print(f"MISMATCH between xlfuncs calc and LibreOffice ({out.parent.name}):")
                print("\n".join(problems[:20]))
                return 1
        print(
            f"verified: {len(sample_rows(args.rows))} rows x {len(COLUMNS)} columns "
            f"({', '.join(COLUMNS.values())}) agree"
        )

        t_ours = best_of(args.repeat, ours)
        t_fresh = best_of(args.repeat, lo_fresh)
        t_warm = best_of(args.repeat, lo_warm)
    print(f"xlfuncs calc (spilled xlfuncs formulas):        {t_ours:6.2f} s  (best of {args.repeat})")
    print(
        f"LibreOffice, fresh profile (native twin):      {t_fresh:6.2f} s  ratio ours/LO {t_ours / t_fresh:.2f}"
    )
    print(
        f"LibreOffice, warm profile (native twin):       {t_warm:6.2f} s  ratio ours/LO {t_ours / t_warm:.2f}"
    )
    verdict = "PASS" if t_ours <= t_fresh else "MISS"
    print(
        f"{verdict}: goal xlfuncs calc no slower than LibreOffice (fresh profile, as recalculate() runs it)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``xlfuncs workbooks --rows N --engine libreoffice`` against ``xlfuncs calc`` on the same book.

Run from the repository root::

    .venv/bin/python bench/bench_workbooks.py                  # 100,000 rows
    .venv/bin/python bench/bench_workbooks.py --rows 20000 --repeat 3

For each size, in one run:

* the universe template is written as ``xlfuncs workbooks --rows N`` writes it before computing
  (no values yet), in this process: the build's own share;
* ``xlfuncs calc BOOK -o OUT --engine libreoffice`` computes that book, as a whole process;
* ``xlfuncs workbooks DIR --rows N --engine libreoffice`` builds and computes all three templates
  into an empty folder, as a whole process.

Both commands start cold (no LibreOffice instance kept from an earlier run) and are timed with the
peak memory of their whole process tree (``measuring.measured``), taken in turn ``--repeat`` times
(each pair's ratio is printed; the verdict compares the best time of each).  Before timing, the universe
sheet of both outputs must agree on a sample of rows (``measuring.compare``).  Goal: the
workbooks command takes at most 1.3x the time and 1.3x the memory of ``calc`` on the same book.
Prints PASS/MISS; exits 1 only if the results disagree or something fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from measuring import compare, each_size, header, measured, sample_rows  # noqa: E402

from xlfuncs.calc.libreoffice import instances  # noqa: E402
from xlfuncs.runtimes.libreoffice import office  # noqa: E402
from xlfuncs.workbooks import templates  # noqa: E402

GOAL = 1.3  # workbooks / calc, time and memory


def size(n: int, repeat: int, tmp: Path) -> list[str]:
    book = tmp / "universe_screen.xlsx"
    start = time.perf_counter()
    templates.build_universe_screen(book, n=n)
    t_build = time.perf_counter() - start
    cli = [sys.executable, "-m", "xlfuncs.cli"]
    calc_out = tmp / "calc.xlsx"
    calc = [*cli, "calc", str(book), "-o", str(calc_out), "--engine", "libreoffice"]
    runs = iter(range(1_000_000))

    def workbooks_cmd() -> list[str]:
        folder = tmp / f"wb{next(runs)}"  # empty each time: nothing to compare with, all written
        return [*cli, "workbooks", str(folder), "--rows", str(n), "--engine", "libreoffice"]

    def cold(cmd: list[str]) -> tuple[float, int]:
        instances.stop_all(office.cache_root())
        return measured(cmd)

    first = workbooks_cmd()
    cold(calc)  # verify first (also prepares the add-in's profile and warms the disk cache)
    cold(first)
    problems = compare(Path(first[4]) / book.name, calc_out, n)
    if problems:
        raise SystemExit("MISMATCH between xlfuncs workbooks and xlfuncs calc:\n" + "\n".join(problems[:20]))
    print(f"\nuniverse template, {n:,} rows (verified: {len(sample_rows(n))} rows agree)")
    print(f"  build only (no values, this process)                  {t_build:7.2f} s")
    pairs = []
    for i in range(repeat):  # in turn, so that a change in the machine's load falls on both
        t_calc, m_calc = cold(calc)
        t_wb, m_wb = cold(workbooks_cmd())
        pairs.append((t_calc, m_calc, t_wb, m_wb))
        print(
            f"  run {i + 1}: calc {t_calc:6.2f} s {m_calc / 2**20:5.0f} MB, workbooks {t_wb:6.2f} s "
            f"{m_wb / 2**20:5.0f} MB: {t_wb / t_calc:.2f}x time, {m_wb / m_calc:.2f}x memory "
            f"(load {os.getloadavg()[0]:.1f})"
        )
    t_calc, m_calc = min(p[0] for p in pairs), max(p[1] for p in pairs)
    t_wb, m_wb = min(p[2] for p in pairs), max(p[3] for p in pairs)
    ratios = sorted(p[2] / p[0] for p in pairs)
    print(
        f"  xlfuncs calc --engine libreoffice (cold)              {t_calc:7.2f} s  {m_calc / 2**20:6.0f} MB"
    )
    print(
        f"  xlfuncs workbooks --engine libreoffice (3 books, cold) {t_wb:6.2f} s  {m_wb / 2**20:6.0f} MB"
        f"   ratio {t_wb / t_calc:.2f}x time (best of each; runs {ratios[0]:.2f}x-{ratios[-1]:.2f}x), "
        f"{m_wb / m_calc:.2f}x memory"
    )
    instances.stop_all(office.cache_root())
    return [
        f"{'PASS' if t_wb <= GOAL * t_calc else 'MISS'}: {n:,} rows, time {t_wb / t_calc:.2f}x (goal <= {GOAL}x)",
        f"{'PASS' if m_wb <= GOAL * m_calc else 'MISS'}: {n:,} rows, memory {m_wb / m_calc:.2f}x (goal <= {GOAL}x)",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000])
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of each, taken in turn; the best of each counts (default 1)",
    )
    args = parser.parse_args(argv)
    if not header(f"{args.repeat} run(s) of each, in turn; best of each"):
        return 1
    return each_size(args.rows, "xlfuncs_bench_workbooks_", lambda n, tmp: size(n, args.repeat, tmp))


if __name__ == "__main__":
    sys.exit(main())

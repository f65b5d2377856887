"""``xlfuncs calc`` against LibreOffice recalculating the native twin, side by side in one run.

Run from the repository root::

    .venv/bin/python bench/bench_calc.py                        # 2,000 and 100,000 rows
    .venv/bin/python bench/bench_calc.py --rows 2000 --repeat 5

For each size the universe template is built twice: as ``xlfuncs workbooks DIR --rows N`` writes it
(our spilled functions, XlsxWriter output without values) and as its native twin (per-row native formulas computing the same results).  Each side is then run as a whole
process, as a user runs it, and timed together with the peak memory of its whole process tree
(the sum of the resident sets of the process and every descendant, sampled every 20 ms):

* ``xlfuncs calc IN -o OUT --engine libreoffice``: Python, our engine's copy of the book, headless
  LibreOffice with the xlfuncs add-in computing it, the values written back into the original.
  Twice: *cold*, with ``XLFUNCS_LIBREOFFICE_KEEP=0`` (the run starts its LibreOffice, as a first run
  does), and *warm*, served by the LibreOffice instance the run before kept loaded (the default;
  the memory of that instance is counted with the run's own);
* LibreOffice: ``soffice --headless --convert-to xlsx`` recalculating the native twin, on its own
  (no Python), in a profile that recalculates on load and was started once before (LibreOffice's
  best case; our engine too starts from a prepared profile).  Its own way to use a LibreOffice
  already running, handing the conversion to it (the same command while a LibreOffice on the same
  profile runs), is timed too.  The cold conversion (on a profile of its own, so that it starts
  its LibreOffice), the hand-over and the cold runs of ``xlfuncs calc`` take turns (the machine's
  speed moves from minute to minute; runs in turn see the same); the ratios are to the faster of
  LibreOffice's two ways (its memory: the cold conversion's, the one measured as a whole process).
  LibreOffice's own cold conversion over its hand-over is printed beside them: what starting
  LibreOffice costs LibreOffice itself, which a cold run of ``xlfuncs calc`` pays too;
* ``xlfuncs calc IN -o OUT --engine formulas`` up to ``--formulas-max`` rows (it is minutes at
  100,000 rows).

``xlfuncs calc`` starts LibreOffice's own program, ``soffice.bin``, not the launcher ``soffice``
(a script that runs ``oosplash``, which runs ``javaldx`` first); the conversion run that way is
timed too and shown beside the yardstick, not used for it.  ``bench/calc_timeline.py`` shows
where a cold run's time goes.

Before anything is timed the outputs are read back and Market cap, EV, Size class and EV/EBITDA of
a sample of rows must agree (numbers to 1e-12 relative; LibreOffice writes 15 significant digits).
Goals: at 100,000 rows ours takes at most 1.3x the time and 1.5x the memory of
LibreOffice on the twin; at 2,000 rows at most 1.2x the time.  Prints PASS/MISS per goal; exits 1
only if the results disagree or something fails.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from measuring import COLUMNS, best, best_of, compare, each_size, header, measured, sample_rows  # noqa: E402

from xlfuncs.calc.libreoffice import engine as libreoffice  # noqa: E402
from xlfuncs.calc.libreoffice import headless, instances  # noqa: E402
from xlfuncs.runtimes.libreoffice import office  # noqa: E402
from xlfuncs.workbooks import templates  # noqa: E402

#: rows -> (time ratio goal, memory ratio goal or None)
GOALS = {100_000: (1.3, 1.5), 2_000: (1.2, None)}


def _verdicts(label: str, n: int, seconds: float, memory: int, t_lo: float, m_lo: int) -> list[str]:
    found = []
    time_goal, memory_goal = GOALS.get(n, (None, None))
    if time_goal:
        ok = seconds <= time_goal * t_lo
        found.append(
            f"{'PASS' if ok else 'MISS'}: {n:,} rows, {label}, time {seconds / t_lo:.2f}x (goal <= {time_goal}x)"
        )
    if memory_goal:
        ok = memory <= memory_goal * m_lo
        found.append(
            f"{'PASS' if ok else 'MISS'}: {n:,} rows, {label}, memory {memory / m_lo:.2f}x "
            f"(goal <= {memory_goal}x)"
        )
    return found


def size(n: int, repeat: int, formulas: bool, tmp: Path) -> list[str]:
    """Measure one size; returns the PASS/MISS lines."""
    book, twin = tmp / "in" / "universe_screen.xlsx", tmp / "in" / "universe_twin.xlsx"
    book.parent.mkdir(exist_ok=True)
    templates.build_universe_screen(
        book, n=n
    )  # what `xlfuncs workbooks --rows n` writes  # no values yet: calc computes them
    templates.build_universe_screen(twin, n=n, native_twin=True)
    calc = [sys.executable, "-m", "xlfuncs.cli", "calc", str(book), "-o"]
    ours_out, lo_dir = tmp / "ours.xlsx", tmp / "lo"

    def convert(profile: str) -> list[str]:
        """LibreOffice converting the twin, on a profile that recalculates on load."""
        headless.write_profile(tmp / profile)
        soffice = [office.executable() or "soffice", *office.options(tmp / profile), *headless.HEADLESS]
        return [*soffice, "--convert-to", libreoffice.XLSX_FILTER, "--outdir", str(lo_dir), str(twin)]

    lo, lo_hand = convert("profile"), convert("profile-handed")
    ours_cmd = [*calc, str(ours_out), "--engine", "libreoffice"]
    cold = {instances.KEEP_VARIABLE: "0"}  # no LibreOffice kept: each run starts one
    # verify first (these runs also prepare every profile and warm the disk cache)
    instances.stop_all(office.cache_root())
    measured(ours_cmd, cold)
    measured(lo_hand)
    measured(lo)
    problems = compare(ours_out, lo_dir / twin.name, n)
    if problems:
        raise SystemExit("MISMATCH between xlfuncs calc and LibreOffice:\n" + "\n".join(problems[:20]))
    print(
        f"\nuniverse template, {n:,} rows (verified: {len(sample_rows(n))} rows x {len(COLUMNS)} columns agree)"
    )
    instances.stop_all(office.cache_root())  # nothing of ours runs beside LibreOffice's own runs
    binary = office.binary()
    if binary:  # shown beside it: xlfuncs calc starts this program, not the launcher soffice is
        lo_bin = [binary, *lo[1:]]
        t_bin, _ = best_of(repeat, lambda: measured(lo_bin, office.LAUNCHER_ENVIRONMENT))

    def cold_run() -> tuple[float, int]:
        instances.stop_all(office.cache_root())  # the last run's LibreOffice may still be ending
        return measured(ours_cmd, cold)

    # LibreOffice's two ways and our cold run take turns, so that the machine's speed, which moves
    # from minute to minute on a shared machine, moves every side of the ratios alike
    running = subprocess.Popen(  # the hand-over's profile, no file: it waits for work
        lo_hand[: lo_hand.index("--convert-to")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    converted, handed, colds = [], [], []
    try:
        time.sleep(5)  # started and listening
        for _ in range(repeat):
            converted.append(measured(lo))
            handed.append(measured(lo_hand))
            colds.append(cold_run())
    finally:
        os.killpg(running.pid, signal.SIGKILL)
        running.wait()
    t_lo, m_lo = best(converted)
    t_hand, _ = best(handed)
    t_cold, m_cold = best(colds)
    print(f"  LibreOffice recalculating the native twin       {t_lo:7.2f} s  {m_lo / 2**20:6.0f} MB")
    print(
        f"  ... handed to a LibreOffice already running     {t_hand:7.2f} s   "
        f"(the cold conversion: {t_lo / t_hand:.2f}x this)"
    )
    if binary:
        print(f"  ... soffice.bin itself, without the launcher    {t_bin:7.2f} s   (not the yardstick)")
    t_lo = min(t_lo, t_hand)  # the yardstick: the faster of LibreOffice's own two ways
    print(
        f"  xlfuncs calc, cold (starts LibreOffice)         {t_cold:7.2f} s  {m_cold / 2**20:6.0f} MB"
        f"   ratio {t_cold / t_lo:.2f}x time, {m_cold / m_lo:.2f}x memory"
    )
    instances.stop_all(office.cache_root())
    measured(ours_cmd)  # leaves an instance loaded, as any run does (unless it grew past its limit)
    serving = tuple(pid for pid, _ in instances.running(office.cache_root()))
    t_warm, m_warm = best_of(repeat, lambda: measured(ours_cmd, also=serving))
    kept = "" if instances.running(office.cache_root()) else " (none kept: over its memory limit)"
    print(
        f"  xlfuncs calc, warm (LibreOffice kept loaded)    {t_warm:7.2f} s  {m_warm / 2**20:6.0f} MB"
        f"   ratio {t_warm / t_lo:.2f}x time, {m_warm / m_lo:.2f}x memory{kept}"
    )
    instances.stop_all(office.cache_root())
    if formulas:
        t_f, m_f = best_of(repeat, lambda: measured([*calc, str(tmp / "f.xlsx"), "--engine", "formulas"]))
        print(
            f"  xlfuncs calc --engine formulas                  {t_f:7.2f} s  {m_f / 2**20:6.0f} MB"
            f"   ratio {t_f / t_lo:.2f}x time, {m_f / m_lo:.2f}x memory"
        )
    return _verdicts("cold", n, t_cold, m_cold, t_lo, m_lo) + _verdicts("warm", n, t_warm, m_warm, t_lo, m_lo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=sorted(GOALS))
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs (default 3)")
    parser.add_argument(
        "--formulas-max", type=int, default=20_000, help="also time the formulas engine up to this many rows"
    )
    args = parser.parse_args(argv)
    if not header(f"best time and highest peak memory of {args.repeat} runs each"):
        return 1
    return each_size(
        args.rows, "xlfuncs_bench_calc_", lambda n, tmp: size(n, args.repeat, n <= args.formulas_max, tmp)
    )


if __name__ == "__main__":
    sys.exit(main())

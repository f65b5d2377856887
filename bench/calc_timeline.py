"""Where a cold ``xlfuncs calc --engine libreoffice`` run's time goes: a timeline of one run.

Run from the repository root::

    .venv/bin/python bench/calc_timeline.py                  # 2,000 rows, 3 cold runs
    .venv/bin/python bench/calc_timeline.py --repeat 5 --events --book BOOK.xlsx
    .venv/bin/python bench/calc_timeline.py --repeat 8 \
        --variant PYTHONPATH=/tmp/before --variant PYTHONPATH=/tmp/after   # two trees, in turn

One line per run gives its milestones (``--events``: every event); the medians of each variant
close the output.

Each run is ``python -m xlfuncs.cli calc BOOK -o OUT --engine libreoffice`` with
``XLFUNCS_LIBREOFFICE_KEEP=0`` (it starts its own LibreOffice), as ``bench_calc.py`` times it, but
the process first installs an import hook (:func:`_instrument`) that wraps the functions on the
critical path once their modules are imported, so it imports nothing earlier than the command
does; an audit hook notes when LibreOffice is started.  Every event is printed in milliseconds
from the moment the parent started the process.  The calculation service's own milestones
(its script started, listening, the add-in and Calc warmed up, the job taken, the book loaded and
computed, the values written) come back in its reply (``"at"``, wall-clock) and are merged in.
"""

from __future__ import annotations

import os
import sys
import time

# the child imports nothing the command does not import itself before it runs it
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: module -> the attributes wrapped in it once it is imported (``Class.method`` for methods).
WRAPPED = {
    "xlfuncs.calc.workbook": ("check_book", "write_values", "summarize"),
    "xlfuncs.calc.engines": ("plain_copy", "sealed_copy", "engine_for"),
    "xlfuncs.calc.libreoffice.engine": (
        "started",
        "engine_copy",
        "_read_values",
        "formula_cells",
        "_prepared",
    ),
    "xlfuncs.calc.libreoffice.instances": ("Instance.start", "Instance._ready", "Instance.run"),
}


def _instrument(t0: float, events: list[tuple[float, str]]) -> None:
    """Note the events of this process in ``events`` (ms after ``t0``, the parent's wall-clock)."""
    import functools  # already loaded by Python's start, as is importlib.machinery (not importlib.abc)
    import importlib.machinery

    def note(what: str) -> None:
        events.append(((time.time() - t0) * 1000, what))

    note("python: instrumented")

    def audit(event: str, args: tuple) -> None:
        if event == "subprocess.Popen" and "soffice" in str(args[0]):
            note("soffice launched")

    sys.addaudithook(audit)

    class Entered:
        def __init__(self, cm, name):
            self.cm, self.name = cm, name

        def __enter__(self):
            got = self.cm.__enter__()
            note(f"{self.name} entered")
            return got

        def __exit__(self, *exc):
            note(f"{self.name} exiting")
            done = self.cm.__exit__(*exc)
            note(f"{self.name} exited")
            return done

    def wrap(function, name):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            note(f"{name} >")
            result = function(*args, **kwargs)
            if type(result).__name__ == "_GeneratorContextManager":
                return Entered(result, name)
            note(f"{name} <")
            if name.endswith("Instance.run") and isinstance(result, dict):
                for what, at in result.get("at", {}).items():
                    events.append(((at - t0) * 1000, f"  [service] {what}"))
                note(f"  [service] seconds {result.get('seconds')}")
            return result

        return wrapper

    class Loader:
        def __init__(self, inner, names):
            self.inner, self.names = inner, names

        def create_module(self, spec):
            return self.inner.create_module(spec)

        def exec_module(self, module):
            note(f"import {module.__name__} >")
            self.inner.exec_module(module)
            for name in self.names:
                owner, _, attr = name.rpartition(".")
                holder = getattr(module, owner) if owner else module
                setattr(holder, attr, wrap(getattr(holder, attr), f"{module.__name__.split('.')[-1]}.{name}"))
            note(f"import {module.__name__} <")

    class Finder:
        def find_spec(self, fullname, path, target=None):
            if fullname not in WRAPPED:
                return None
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
            if spec is not None:
                spec.loader = Loader(spec.loader, WRAPPED[fullname])
            return spec

    sys.meta_path.insert(0, Finder())


def child(argv: list[str]) -> int | str | None:
    """The instrumented command (``--child OUT.json ARGS...``)."""
    out, args = argv[0], argv[1:]
    events: list[tuple[float, str]] = []
    _instrument(float(os.environ["TIMELINE_T0"]), events)
    import runpy

    sys.argv = ["xlfuncs", *args]
    try:
        runpy.run_module("xlfuncs.cli", run_name="__main__")  # as python -m xlfuncs.cli runs it
    except SystemExit as exc:
        code = exc.code
    finally:
        events.append(((time.time() - float(os.environ["TIMELINE_T0"])) * 1000, "main returned"))
        import json

        with open(out, "w") as f:
            json.dump(events, f)
    return code


def run_once(book, tmp, env: dict[str, str]) -> tuple[float, list[tuple[float, str]]]:
    import json
    import subprocess

    events_file = tmp / "events.json"
    cmd = [
        sys.executable,
        __file__,
        "--child",
        str(events_file),
        "calc",
        str(book),
        "-o",
        str(tmp / "out.xlsx"),
    ]
    cmd += ["--engine", "libreoffice"]
    t0 = time.time()
    proc = subprocess.run(cmd, env={**env, "TIMELINE_T0": repr(t0)}, capture_output=True, text=True)
    total = (time.time() - t0) * 1000
    if proc.returncode:
        raise SystemExit(f"failed: {proc.stdout}{proc.stderr}")
    return total, sorted(json.loads(events_file.read_text()))


#: The milestones of a run's one-line summary: (column, event).
MILESTONES = (
    ("launch", "soffice launched"),
    ("serve", "  [service] serve"),
    ("listen", "  [service] listening"),
    ("import", "  [service] imported"),
    ("blank", "  [service] blank"),
    ("addin", "  [service] addin"),
    ("warm", "  [service] warm"),
    ("ready", "instances.Instance.run >"),
    ("job", "  [service] job"),
    ("loaded", "  [service] loaded"),
    ("values", "  [service] values"),
    ("reply", "instances.Instance.run <"),
    ("write", "workbook.write_values >"),
    ("written", "workbook.write_values <"),
    ("main", "main returned"),
)


def milestones(events: list[tuple[float, str]], total: float) -> dict[str, float]:
    found = {column: at for at, what in events for column, event in MILESTONES if what == event}
    found["total"] = total
    return found


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        return child(argv[1:])
    import argparse
    import statistics
    import tempfile
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--book", type=Path, help="time this workbook instead of the universe template")
    parser.add_argument(
        "--variant",
        action="append",
        metavar="NAME=VALUE",
        help="an environment variable set for some runs (repeatable): the runs of the variants take turns",
    )
    parser.add_argument(
        "--events", action="store_true", help="print every event of each run, not only its milestones"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, ROOT)
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    from measuring import bytecode

    from xlfuncs.calc.libreoffice import instances
    from xlfuncs.runtimes.libreoffice import office

    env = {**os.environ, instances.KEEP_VARIABLE: "0"}
    # PYTHONPATH=TREE as a variant runs the xlfuncs of another tree (a copy of a commit, for one)
    variants = {v: dict([v.split("=", 1)]) for v in args.variant or ()} or {"(none)": {}}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory(prefix="xlfuncs_timeline_") as name:
        tmp = Path(name)
        book = args.book
        if book is None:
            from xlfuncs.workbooks import templates

            book = tmp / "universe_screen.xlsx"
            templates.build_universe_screen(book, n=args.rows)
        for extra in variants.values():
            run_once(book, tmp, {**env, **extra})  # prepares the add-in once, warms the disk cache
        print(bytecode())
        print("ms after start: " + " ".join(f"{column:>7}" for column, _ in MILESTONES) + "   total  load")
        for _ in range(args.repeat):
            for variant, extra in variants.items():
                instances.stop_all(office.cache_root())
                total, events = run_once(book, tmp, {**env, **extra})
                if args.events:
                    print()
                    for at, what in events:
                        print(f"{at:7.0f}  {what}")
                found = milestones(events, total)
                runs[variant].append(found)
                cells = " ".join(f"{found[c]:7.0f}" if c in found else "      -" for c, _ in MILESTONES)
                print(f"{variant[-14:]:>14}: {cells} {total:7.0f} {os.getloadavg()[0]:5.2f}")
        print("\nmedian of each milestone:")
        for variant, found in runs.items():
            cells = []
            for column in [c for c, _ in MILESTONES] + ["total"]:
                got = [f[column] for f in found if column in f]
                cells.append(f"{statistics.median(got):7.0f}" if got else "      -")
            best = min(f["total"] for f in found)
            print(f"{variant[-14:]:>14}: {' '.join(cells)}   (best total {best:.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

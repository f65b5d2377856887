"""One request over an N-row range against N single-cell requests through xlwings Server, same run.

Run from the repository root::

    .venv/bin/python bench/bench_server.py             # 2,000 rows
    .venv/bin/python bench/bench_server.py --rows 200

Excel sends one ``POST /xlwings/custom-functions-call`` per formula.  This times
``=XLFUNCS.MARKETCAP(B2:B2001, C2)`` written once over the range (one POST whose
first argument is a 2,000-row column) against the same formula written in each of
the 2,000 cells (2,000 POSTs with 1x1 arguments), both through xlwings Server's own
app (``xlwings_server.main:main_app``) driven in-process by FastAPI's
``TestClient``: JSON, ASGI, routing, xlwings' conversion and our function, i.e.
what the server does per request, without the network.  Second row: the same
calls without HTTP, through ``xlwings.server.custom_functions_call`` on the
mounted module (xlwings' conversion plus our function).

The app runs in a fresh interpreter (this file with ``--child``), set up by
``bench/server_harness.py`` as ``tests/test_runtimes_server.py`` sets it up: importing
``xlwings_server`` changes the environment of the process that imports it.

Before anything is timed, the array result must equal the N single-cell results
cell for cell (and price x shares), on both paths.  Timings: best of
:data:`ROUNDS` interleaved rounds of :data:`ARRAY_CALLS_PER_ROUND` array calls
plus one loop of N single calls, payloads built outside the timing.  Goal: the
array call at least :data:`GOAL` times faster than the N single calls together.
Prints PASS/MISS and exits 0 whatever the timings; exits 1 only if a result is
wrong or something fails.  Without xlwings Server installed it says so and
exits 0.
"""

from __future__ import annotations

import argparse
import copy
import math
import os
import platform
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _path in (ROOT, HERE):  # xlfuncs; server_harness (HERE is already there when run as a script)
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import server_harness  # noqa: E402  (beside this file; imports nothing of xlwings)

GOAL = 50.0  # (N single-cell calls) / (one N-row call), at least
ROUNDS, ARRAY_CALLS_PER_ROUND = 3, 3
SHARES = 1_000_000  # the one-cell second argument, the same in every call


def prices(rows: int) -> list[float]:
    """Column B: varied two-decimal prices from 10.00 to 109.72."""
    return [round(10 + (i * 7919) % 9973 / 100, 2) for i in range(rows)]


# --------------------------------------------------------------------------- child side


def child_bench(client, job) -> dict:
    """In the child: verify, then time both paths; seconds and counts back as JSON."""
    import asyncio

    import xlwings
    import xlwings.server

    rows = job["rows"]
    col = prices(rows)
    expected = [p * SHARES for p in col]
    module = sys.modules["custom_functions"]  # the project's MOUNT, as the server calls it

    def payload(args):
        return server_harness.body("MARKETCAP", args, version=xlwings.__version__)

    array_args = [[[p] for p in col], [[SHARES]]]
    single_args = [[[[p]], [[SHARES]]] for p in col]

    def check(path, array_out, single_out):
        assert len(array_out) == rows and all(len(r) == 1 for r in array_out), (
            f"{path}: the array result is not {rows}x1: {str(array_out)[:200]}"
        )
        assert all(len(r) == 1 and len(r[0]) == 1 for r in single_out), f"{path}: a single result is not 1x1"
        diffs = [i for i in range(rows) if array_out[i][0] != single_out[i][0][0]]
        assert not diffs, (
            f"{path}: {len(diffs)} of {rows} cells differ from the single-cell results, first "
            f"row {diffs[0]}: {array_out[diffs[0]][0]!r} != {single_out[diffs[0]][0][0]!r}"
        )
        wrong = [i for i in range(rows) if array_out[i][0] != expected[i]]
        assert not wrong, (
            f"{path}: {len(wrong)} cells are not price x shares, first row {wrong[0]}: "
            f"{array_out[wrong[0]][0]!r} != {expected[wrong[0]]!r}"
        )

    # HTTP: one request over the range against one request per cell.
    url = server_harness.CALL_URL
    array_body, single_bodies = payload(array_args), [payload(a) for a in single_args]

    def post(b):
        resp = client.post(url, json=b)
        assert resp.status_code == 200, f"HTTP {resp.status_code}: {resp.text[:500]}"
        return resp.json()["result"]

    check("HTTP", post(array_body), [post(b) for b in single_bodies])  # also the warm-up
    http_array = http_single = math.inf
    for _ in range(ROUNDS):  # interleaved, so a transient load hits both sides
        for _ in range(ARRAY_CALLS_PER_ROUND):
            start = time.perf_counter()
            resp = client.post(url, json=array_body)
            http_array = min(http_array, time.perf_counter() - start)
            assert resp.status_code == 200, resp.text[:500]
        start = time.perf_counter()
        statuses = [client.post(url, json=b).status_code for b in single_bodies]
        http_single = min(http_single, time.perf_counter() - start)
        assert set(statuses) == {200}, f"HTTP statuses {sorted(set(statuses))}"

    # Without HTTP: xlwings.server.custom_functions_call, a fresh payload per call (as if
    # decoded from each request), built outside the timing.
    call = xlwings.server.custom_functions_call

    def fresh(args):
        return payload(copy.deepcopy(args))

    async def direct():
        check(
            "custom_functions_call",
            await call(fresh(array_args), module),
            [await call(fresh(a), module) for a in single_args],
        )
        t_array = t_single = math.inf
        for _ in range(ROUNDS):
            for _ in range(ARRAY_CALLS_PER_ROUND):
                p = fresh(array_args)
                start = time.perf_counter()
                await call(p, module)
                t_array = min(t_array, time.perf_counter() - start)
            payloads = [fresh(a) for a in single_args]
            start = time.perf_counter()
            for p in payloads:
                await call(p, module)
            t_single = min(t_single, time.perf_counter() - start)
        return t_array, t_single

    direct_array, direct_single = asyncio.run(direct())
    return {
        "rows": rows,
        "verified": True,
        "http": {"array_s": http_array, "single_s": http_single},
        "direct": {"array_s": direct_array, "single_s": direct_single},
    }


# --------------------------------------------------------------------------- parent side


def load_average() -> str:
    try:
        return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "load average unknown"


def machine_line() -> str:
    import xlfuncs

    def version(dist):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    deps = ", ".join(f"{d} {version(d)}" for d in ("xlwings", "xlwings-server", "fastapi", "httpx"))
    return (
        f"machine: {platform.platform()} ({platform.machine()}), {os.cpu_count()} CPUs, {load_average()}; "
        f"{platform.python_implementation()} {platform.python_version()}; {deps}, xlfuncs {xlfuncs.__version__}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000, help="rows of the range (default 2,000)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        server_harness.serve(child_bench)
        return 0
    if args.rows < 1:
        parser.error("--rows must be at least 1")

    print(
        f"xlwings Server benchmark: 1 POST over a {args.rows:,}-row MARKETCAP range vs {args.rows:,} "
        "single-cell POSTs, ratios measured in this run"
    )
    print(machine_line())
    if not server_harness.installed():
        print(f"not run: {server_harness.NOT_INSTALLED}")
        return 0
    sys.stdout.flush()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="xlfuncs_bench_server_") as d:
        try:
            result = server_harness.run_server(
                server_harness.make_project(Path(d)), {"rows": args.rows}, script=Path(__file__), timeout=None
            )
        except RuntimeError as exc:
            print(f"FAILED (wrong results or a crash; nothing timed is reported): {exc}")
            return 1
    if not result.get("verified") or result.get("xlwings_func_module") != "xlwings.pro.udfs_officejs":
        print(f"FAILED: unexpected answer from the child: {result}")
        return 1

    n = f"{args.rows:,}"
    print(
        f"verified: the array result equals the {n} single-cell results cell for cell "
        "(HTTP and custom_functions_call)"
    )
    print(
        f"timing: best of {ROUNDS} interleaved rounds ({ARRAY_CALLS_PER_ROUND} array calls + 1 loop of "
        f"{n} single calls each); in-process TestClient, no network"
    )
    header = (
        f"{'path':<36}{'1 call, ' + n + ' rows (ms)':>26}{n + ' x 1-cell calls (ms)':>28}"
        f"{'per call (us)':>15}{'ratio':>9}{'goal':>9}  result"
    )
    print(header)
    print("-" * len(header))
    for label, key in (
        ("POST /xlwings/custom-functions-call", "http"),
        ("custom_functions_call (no HTTP)", "direct"),
    ):
        t_array, t_single = result[key]["array_s"], result[key]["single_s"]
        ratio = t_single / t_array
        print(
            f"{label:<36}{t_array * 1e3:>26.2f}{t_single * 1e3:>28.1f}{t_single / args.rows * 1e6:>15.1f}"
            f"{ratio:>8.1f}x{'>= ' + format(GOAL, 'g') + 'x':>9}  {'PASS' if ratio >= GOAL else 'MISS'}"
        )
    print(f"total {time.perf_counter() - start:.1f} s; at the end {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

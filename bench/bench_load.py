"""Load and stall test of xlwings Server serving xlfuncs, over real HTTP on the loopback interface.

Run from the repository root::

    .venv/bin/python bench/bench_load.py                       # both recipes, 8 clients, 10 s
    .venv/bin/python bench/bench_load.py --recipes before --clients 4 --seconds 5

For each recipe a real ``uvicorn`` server process (one worker) is started on
``127.0.0.1`` on a free port, serving an xlwings Server project set up by
``bench/server_harness.py``:

- ``before``: the plain recipe, xlwings Server's own app (``xlwings_server.main:main_app``;
  JSON decoding, the function and the JSON answer all on the event loop);
- ``after``: ``xlfuncs.runtimes.server:app``, the same app with xlfuncs' guard (body
  limit, request checks, large calls in worker threads).

Both mount ``from xlfuncs.runtimes.excel import *``.

Two phases per recipe, both bounded (``--clients`` <= 64, ``--seconds`` <= 120,
``--large-rows`` <= 1,048,576, Excel's row count):

1. throughput: ``--clients`` threads, each with one keep-alive connection, post one-cell
   ``MARKETCAP`` calls for ``--seconds``; requests/s, p50 and p99 latency, errors;
2. stall: one client posts one large call (``MARKETCAP`` over ``--large-rows`` rows,
   payload size printed) while another posts one-cell calls one after another; the
   one-cell latency while the large call runs (p50 and max) and the large call's time.

Every answer is checked (status 200 and the right value); a wrong answer is counted
as an error.  Figures vary with the machine's load; compare recipes within one run.
Without xlwings Server installed it says so and exits 0.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _path in (ROOT, HERE):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import server_harness  # noqa: E402  (beside this file; imports nothing of xlwings)

HOST = "127.0.0.1"  # loopback only
MAX_CLIENTS, MAX_SECONDS, MAX_ROWS = 64, 120.0, 1_048_576
SHARES = 1_000_000
QUIET = ("--log-level", "warning", "--no-access-log")
RECIPES = {"before": "xlwings_server.main:main_app", "after": "xlfuncs.runtimes.server:app"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    """A uvicorn process serving one recipe on the loopback interface."""

    def __init__(self, recipe: str, project: Path) -> None:
        app = RECIPES[recipe]
        server_harness.make_project(project)
        self.port = free_port()
        env = server_harness.child_env(project)
        env["XLWINGS_LOG_LEVEL"] = "WARNING"  # no log line per request in either recipe
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(self.port), *QUIET],
            env=env,
            cwd=project,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read().decode()[-3000:]}")
            try:
                status, _ = Client(self.port).post(one_cell(10.0))
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.close()
        raise RuntimeError("server did not answer within 60 s")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Client:
    """One keep-alive HTTP connection."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=300)

    def post(self, body: bytes) -> tuple[int, bytes]:
        self.conn.request(
            "POST", server_harness.CALL_URL, body=body, headers={"Content-Type": "application/json"}
        )
        resp = self.conn.getresponse()
        return resp.status, resp.read()


def payload(prices: list[float]) -> bytes:
    return json.dumps(server_harness.body("MARKETCAP", [[[p] for p in prices], [[SHARES]]])).encode()


def one_cell(price: float) -> bytes:
    return payload([price])


def right(status: int, answer: bytes, prices: list[float]) -> bool:
    if status != 200:
        return False
    result = json.loads(answer)["result"]
    return len(result) == len(prices) and all(r == [p * SHARES] for r, p in zip(result, prices, strict=True))


def throughput(port: int, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(k: int) -> None:
        client, mine, bad = Client(port), [], 0
        price = 10.0 + k
        body = one_cell(price)
        while time.perf_counter() < stop:
            start = time.perf_counter()
            try:
                status, answer = client.post(body)
                ok = right(status, answer, [price])
            except OSError:
                client, ok = Client(port), False
            mine.append(time.perf_counter() - start)
            bad += not ok
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "errors": errors[0],
        **quantiles(latencies),
    }


def quantiles(latencies: list[float]) -> dict:
    if len(latencies) < 2:
        return {
            "p50": latencies[0] if latencies else float("nan"),
            "p99": max(latencies, default=float("nan")),
        }
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"p50": q[49], "p99": q[98], "max": max(latencies)}


def stall(port: int, rows: int) -> dict:
    prices = [round(10 + (i * 7919) % 9973 / 100, 2) for i in range(rows)]
    big = payload(prices)
    done = threading.Event()
    large: dict = {}

    def large_call() -> None:
        start = time.perf_counter()
        status, answer = Client(port).post(big)
        # checked after the one-cell calls: decoding it here would hold this process's GIL while
        # the last one-cell call is timed
        large.update(seconds=time.perf_counter() - start, status=status, answer=answer)
        done.set()

    thread = threading.Thread(target=large_call)
    thread.start()
    time.sleep(0.2)  # the large call is on its way
    small, errors, client = [], 0, Client(port)
    while True:  # at least one call; the last one may have waited for the large call to end
        start = time.perf_counter()
        status, answer = client.post(one_cell(42.0))
        small.append(time.perf_counter() - start)
        errors += not right(status, answer, [42.0])
        if done.is_set():
            break
    thread.join()
    return {
        "payload_bytes": len(big),
        "large_s": large["seconds"],
        "large_ok": right(large["status"], large["answer"], prices),
        "small_calls": len(small),
        "small_p50": statistics.median(small),
        "small_max": max(small),
        "errors": errors,
    }


def run(recipe: str, clients: int, seconds: float, rows: int) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"xlfuncs_load_{recipe}_") as d:
        server = Server(recipe, Path(d))
        try:
            return {
                "throughput": throughput(server.port, clients, seconds),
                "stall": stall(server.port, rows),
            }
        finally:
            server.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipes", default="before,after", help="comma-separated: before, after")
    parser.add_argument("--clients", type=int, default=8, help=f"concurrent clients (1..{MAX_CLIENTS})")
    parser.add_argument("--seconds", type=float, default=10.0, help=f"throughput phase (<= {MAX_SECONDS:g})")
    parser.add_argument(
        "--large-rows", type=int, default=300_000, help=f"rows of the large call (<= {MAX_ROWS:,})"
    )
    args = parser.parse_args(argv)
    recipes = [r.strip() for r in args.recipes.split(",") if r.strip()]
    if not recipes or set(recipes) - set(RECIPES):
        parser.error(f"--recipes: choose from {', '.join(RECIPES)}")
    if not 1 <= args.clients <= MAX_CLIENTS:
        parser.error(f"--clients must be 1 to {MAX_CLIENTS}")
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be above 0 and at most {MAX_SECONDS:g}")
    if not 1 <= args.large_rows <= MAX_ROWS:
        parser.error(f"--large-rows must be 1 to {MAX_ROWS:,}")

    print(
        f"xlwings Server load test on {HOST}: {args.clients} clients x {args.seconds:g} s of one-cell MARKETCAP "
        f"calls; stall: one-cell calls during one MARKETCAP call over {args.large_rows:,} rows"
    )
    from bench_server import machine_line

    print(machine_line())
    if not server_harness.installed():
        print(f"not run: {server_harness.NOT_INSTALLED}")
        return 0
    header = (
        f"{'recipe':<8}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'payload MB':>12}"
        f"{'large s':>9}{'1-cell p50 ms':>15}{'1-cell max ms':>15}{'errors':>8}"
    )
    print(header)
    print("-" * len(header))
    failed = False
    for recipe in recipes:
        sys.stdout.flush()
        try:
            r = run(recipe, args.clients, args.seconds, args.large_rows)
        except (RuntimeError, OSError) as exc:
            print(f"{recipe:<8}FAILED: {exc}")
            failed = True
            continue
        t, s = r["throughput"], r["stall"]
        errors = s["errors"] + (not s["large_ok"])
        failed |= bool(t["errors"] or errors)
        print(
            f"{recipe:<8}{t['rps']:>8.1f}{t['p50'] * 1e3:>9.1f}{t['p99'] * 1e3:>9.1f}{t['errors']:>8}"
            f"{s['payload_bytes'] / 1e6:>12.2f}{s['large_s']:>9.2f}{s['small_p50'] * 1e3:>15.1f}"
            f"{s['small_max'] * 1e3:>15.1f}{errors:>8}"
        )
    print("errors: wrong or failed answers (non-200, wrong value, connection error)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

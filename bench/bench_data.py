"""Data layer benchmark: a company's items from the network, from the HTTP cache and from memory.

Run from the repository root::

    .venv/bin/python bench/bench_data.py [--copies N]

A local HTTP server serves the recorded Tesla companyfacts of ``tests/data/fixtures`` with
its facts repeated ``--copies`` times (default 30, about the 3 MB of Tesla's full answer), so
the parse cost is that of a large filer.  Three ways of getting the same items are timed,
each against the first (a fresh cache, one request through the SEC's rate limit):

* the HTTP cache on disk answers and the JSON is parsed again (a new process, a new day's
  first FILING cell);
* the in-memory memo answers (every further FILING cell of the sheet).

Every way is checked to give the same items before anything is timed.  Nothing asserts on
timings; the script prints the ratios and exits 0 unless a result differs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
FIXTURES = ROOT / "tests" / "data" / "fixtures"
CIK = "0001318605"


def large_facts(copies: int) -> bytes:
    """Tesla's recorded facts, each concept's rows repeated (same values, other accessions)."""
    facts = json.loads((FIXTURES / f"companyfacts-CIK{CIK}.json").read_text(encoding="utf-8"))
    for tags in facts["facts"].values():
        for body in tags.values():
            for unit, rows in body["units"].items():
                body["units"][unit] = rows + [
                    {**row, "accn": f"{row['accn']}-{i}", "filed": "2000-01-01"}
                    for i in range(copies - 1)
                    for row in rows
                ]
    return json.dumps(facts).encode()


def serve(body: bytes) -> str:
    import logging

    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    tickers = (FIXTURES / "company_tickers.json").read_bytes()

    def app(environ, start_response):
        path = Request(environ).path
        data = tickers if path.endswith("company_tickers.json") else body
        return Response(data, content_type="application/json")(environ, start_response)

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.port}"


def timed(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=30)
    args = parser.parse_args()
    body = large_facts(args.copies)
    base = serve(body)
    with tempfile.TemporaryDirectory() as cache:
        os.environ.update(
            XLFUNCS_CACHE_DIR=cache,
            XLFUNCS_SEC_URL=base,
            XLFUNCS_SEC_FILES_URL=base,
            XLFUNCS_SEC_USER_AGENT="xlfuncs bench bench@example.com",
        )
        from xlfuncs.data import companies, http

        start = time.perf_counter()
        first = companies.company("TSLA")
        network = time.perf_counter() - start

        def from_disk():
            companies.forget()
            return companies.company("TSLA")

        if from_disk().items != first.items or companies.company("TSLA").items != first.items:
            print("FAIL: the cache gives other items than the network")
            return 1
        disk = timed(from_disk, 5)
        from_disk()
        memo = timed(lambda: companies.company("TSLA"), 200)
        http.close_all()
    print(f"companyfacts {len(body) / 1e6:.1f} MB (Tesla's recorded facts x {args.copies})")
    print(f"  network, fresh cache     {network * 1000:8.1f} ms  1.00x")
    print(f"  HTTP cache, parsed again {disk * 1000:8.1f} ms  {disk / network:.2f}x")
    print(f"  in-memory memo           {memo * 1000:8.3f} ms  {memo / network:.4f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

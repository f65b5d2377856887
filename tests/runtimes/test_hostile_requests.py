"""Fuzzed hostile server requests: random JSON bodies (wrong types, missing keys, unknown
names, too many arguments, odd cells) to the guarded xlwings Server app: every answer is 200
or a 4xx with a one-line reason, never a 5xx.

Seeded random cases (tests/helpers/fuzz.py), so a failure names a case that can be rerun.
"""

from __future__ import annotations

import random

import pytest

from tests.helpers.fuzz import SCALE
from xlfuncs import REGISTRY

REQUESTS = 300 * SCALE


def random_request(rng: random.Random) -> object:
    from bench.server_harness import body

    name = rng.choice([*REGISTRY, "NOSUCH", "", 5, None, "__init__", "../x"])
    spec = REGISTRY.get(name) if isinstance(name, str) else None
    width = len(spec.args) if spec else 2
    cell = lambda: rng.choice(  # noqa: E731
        [
            1.5,
            -3,
            0,
            None,
            "",
            "abc",
            "#N/A",
            True,
            [],
            {},
            {"type": "Error", "basicValue": "#SPILL!"},
            1e308,
            "1e999",
        ]
    )
    args = [
        rng.choice(
            [
                None,
                [[cell()]],
                [[cell(), cell()], [cell(), cell()]],
                [[cell()], [cell(), cell()]],
                7,
                "x",
                [1],
            ]
        )
        for _ in range(rng.randrange(width + 2))
    ]
    data = body(name if isinstance(name, str) else "MARKETCAP", args)
    if not isinstance(name, str):
        data["func_name"] = name
    for key in rng.sample(["args", "version", "runtime", "client", "caller_address"], rng.randrange(3)):
        data[key] = rng.choice([None, 3, [], "1.4", "zzz", {}]) if rng.random() < 0.5 else data.pop(key, None)
    return rng.choice([data, data, data, [data], "text", 12])


def test_random_requests_never_get_a_server_error(tmp_path):
    from bench.server_harness import CALL_URL, installed, make_project, run_server

    if not installed():
        pytest.skip("xlwings Server is not installed")
    rng = random.Random(11)
    requests = [
        {"label": str(i), "method": "POST", "path": CALL_URL, "json": random_request(rng)}
        for i in range(REQUESTS)
    ]
    out = run_server(make_project(tmp_path), {"app": "xlfuncs", "requests": requests})["responses"]
    statuses = {}
    for label, r in out.items():
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
        assert r["status"] == 200 or 400 <= r["status"] < 500, (requests[int(label)]["json"], r)
        if r["status"] != 200:
            detail = r["json"]["detail"]
            assert isinstance(detail, str) and "\n" not in detail, r
    assert statuses.get(200) and sum(statuses.values()) == REQUESTS

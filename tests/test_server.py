"""xlfuncs inside xlwings Server (the optional ``server`` extra), over HTTP as Excel calls it.

Our functions are mounted the documented way: a project directory with the layout
``xlwings-server init`` creates (``custom_functions/`` and ``custom_scripts/``
packages), whose ``custom_functions/__init__.py`` is the single line :data:`MOUNT`.
xlwings Server's own FastAPI app (``xlwings_server.main:main_app``) is then driven
in-process with FastAPI's ``TestClient``, as xlwings Server's own tests do:
``GET /xlwings/custom-functions-meta`` (what Excel registers) and
``POST /xlwings/custom-functions-call`` with the body its Office.js client sends.

The app runs in ONE fresh interpreter (this file run as a script with
``--child``): importing ``xlwings_server`` sets ``XLWINGS_ON_SERVER=true`` in
``os.environ``, puts the project directory on ``sys.path`` and reads ``.env`` and
``pyproject.toml`` from it, and xlwings binds its decorators when first imported.
None of that may reach the other tests, so this pytest process never imports
``xlwings_server``; it only checks that it is installed.

Licence: xlwings Server and ``xlwings.server`` are PolyForm Noncommercial 1.0.0
or a paid xlwings PRO licence; ``XLWINGS_LICENSE_KEY=noncommercial`` is set only
in the child's environment.

Benchmark (numbers only, no test): ``python tests/test_server.py [rows]`` times one
POST over a ``rows``-row MARKETCAP range against ``rows`` single-cell POSTs.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__" and str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from xlfuncs import REGISTRY  # noqa: E402  (the package does not import xlwings)

#: The whole of ``custom_functions/__init__.py`` in an xlwings Server project.
MOUNT = "from xlfuncs.excel import *  # noqa: F403\n"
NAMESPACE = "XLFUNCS"  # XLWINGS_FUNCTIONS_NAMESPACE: formulas read =XLFUNCS.MARKETCAP(...)
SKIP_REASON = (
    "xlwings Server is not installed; it is optional: pip install 'xlfuncs[server]' "
    "(Python >= 3.11; PolyForm Noncommercial 1.0.0 or a paid xlwings licence)"
)

if __name__ != "__main__" and not all(
    importlib.util.find_spec(name) for name in ("xlwings_server", "fastapi", "httpx")
):
    # find_spec, not pytest.importorskip: importing xlwings_server would set
    # XLWINGS_ON_SERVER=true in this process's environment (see the docstring).
    pytest.skip(SKIP_REASON, allow_module_level=True)


def err(kind):
    """An error cell as custom-functions-call returns it (CustomFunctionsRuntime 1.4)."""
    return {"type": "Error", "errorType": kind}


NA_CELL = {"type": "Error", "basicType": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
DIV0_CELL = {"type": "Error", "basicType": "Error", "basicValue": "#DIV/0!", "errorType": "Div0"}


def body(func_name, args, runtime="1.4"):
    """The JSON the xlwings Office.js client posts for one cell's formula."""
    return {
        "func_name": func_name,  # Python __name__, which xlfuncs.excel sets to the Excel name
        "args": args,  # one 2-D matrix per parameter, None for an omitted optional
        "caller_address": "[Book1.xlsx]Sheet1!B2",
        "culture_info_name": "en-US",
        "date_format": "M/d/yyyy",
        "version": metadata.version("xlwings"),
        "client": "Office.js",
        "runtime": runtime,
    }


# --------------------------------------------------------------------------- parent side


def make_project(directory: Path) -> Path:
    """An xlwings Server project (the layout ``xlwings-server init`` creates) serving xlfuncs."""
    (directory / "custom_functions").mkdir(parents=True, exist_ok=True)
    (directory / "custom_scripts").mkdir(exist_ok=True)
    (directory / "custom_functions" / "__init__.py").write_text(MOUNT)
    (directory / "custom_scripts" / "__init__.py").write_text("")
    return directory


def run_server(project: Path, job: dict) -> dict:
    """Run ``job`` against xlwings Server's app in a fresh interpreter; return its JSON answer."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_") and k != "DOTENV_PATH"}
    env.update(
        XLWINGS_PROJECT_DIR=str(project),  # what the `xlwings-server` command sets
        XLWINGS_LICENSE_KEY="noncommercial",
        XLWINGS_FUNCTIONS_NAMESPACE=NAMESPACE,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child"],
                          input=json.dumps(job), env=env, cwd=project,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode:
        raise RuntimeError(f"xlwings Server child exited with {proc.returncode}:\n{proc.stderr[-5000:]}")
    return json.loads(proc.stdout)


REQUESTS = {
    "meta": ("GET", "/xlwings/custom-functions-meta", None),
    "code": ("GET", "/xlwings/custom-functions-code", None),
    "manifest": ("GET", "/manifest", None),
    "marketcap": ("POST", "/xlwings/custom-functions-call", body("MARKETCAP", [[[100]], [[1_000_000]]])),
    "marketcap range": ("POST", "/xlwings/custom-functions-call",
                        body("MARKETCAP", [[[100], [50]], [[1_000_000]]])),
    "error pass-through": ("POST", "/xlwings/custom-functions-call",
                           body("MARKETCAP", [[[NA_CELL, DIV0_CELL, 100]], [[1_000_000]]])),
    "bad input": ("POST", "/xlwings/custom-functions-call", body("MARKETCAP", [[[-1]], [[1_000_000]]])),
    "bad input mixed": ("POST", "/xlwings/custom-functions-call",
                        body("MARKETCAP", [[[-1, "abc", 100]], [[1_000_000]]])),
    "runtime 1.3": ("POST", "/xlwings/custom-functions-call",
                    body("MARKETCAP", [[[-1, 100]], [[1_000_000]]], runtime="1.3")),
    "ev omitted optionals": ("POST", "/xlwings/custom-functions-call",
                             body("EV", [[[100]], [[20]], [[5]], None, None, None])),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("xlwings-server-project"))
    jobs = [{"label": label, "method": m, "path": p, "json": j} for label, (m, p, j) in REQUESTS.items()]
    try:
        out = run_server(project, {"requests": jobs})
    except RuntimeError as exc:
        pytest.fail(str(exc))
    out["project"] = str(project)
    return out


def response(server, label, status=200):
    r = server["responses"][label]
    assert r["status"] == status, r
    return r


def test_our_functions_are_mounted_from_the_project(server):
    assert server["xlwings_func_module"] == "xlwings.pro.udfs_officejs"
    assert server["custom_functions"] == str(Path(server["project"], "custom_functions", "__init__.py"))


def test_meta_lists_every_function_with_its_descriptions(server):
    meta = response(server, "meta")["json"]
    functions = {f["id"]: f for f in meta["functions"]}
    assert sorted(functions) == sorted(REGISTRY)
    for name, spec in REGISTRY.items():
        f = functions[name]
        assert f["name"] == name
        assert f["description"] == spec.summary
        assert [p["name"] for p in f["parameters"]] == [a.name for a in spec.args]
        assert [p["description"] for p in f["parameters"]] == [a.doc for a in spec.args]
        assert [p.get("optional", False) for p in f["parameters"]] == [not a.required for a in spec.args]
        assert f["result"]["dimensionality"] == "matrix"


def test_functions_code_associates_every_function(server):
    js = response(server, "code")["text"]
    for name in REGISTRY:
        assert f'CustomFunctions.associate("{name}", {name});' in js


def test_manifest_namespace(server):
    assert f'id="Functions.Namespace" DefaultValue="{NAMESPACE}"' in response(server, "manifest")["text"]


@pytest.mark.parametrize("label, result", [
    ("marketcap", [[100_000_000.0]]),
    ("marketcap range", [[100_000_000.0], [50_000_000.0]]),
    ("error pass-through", [[err("NotAvailable"), err("Div0"), 100_000_000.0]]),
    ("bad input", [[err("Num")]]),
    ("bad input mixed", [[err("Num"), err("Value"), 100_000_000.0]]),
    ("runtime 1.3", [["#NUM!", 100_000_000.0]]),
    ("ev omitted optionals", [[115.0]]),
])
def test_call(server, label, result):
    assert response(server, label)["json"] == {"result": result}


# --------------------------------------------------------------------------- benchmark


def bench(rows: int = 2000, repeat: int = 5) -> dict:
    """Time one POST over a ``rows``-row MARKETCAP range against ``rows`` single-cell POSTs.

    Both go through xlwings Server's app via TestClient (JSON, ASGI, routing,
    xlwings' conversion, our function), i.e. what the server does per request,
    without the network.  Not a test; run ``python tests/test_server.py [rows]``.
    """
    with tempfile.TemporaryDirectory() as d:
        return run_server(make_project(Path(d)), {"bench": {"rows": rows, "repeat": repeat}})


# --------------------------------------------------------------------------- child side


def _child() -> None:
    if "xlwings" in sys.modules or "XLWINGS_PROJECT_DIR" not in os.environ:
        raise SystemExit("run by run_server(): a fresh interpreter with XLWINGS_PROJECT_DIR set")
    job = json.load(sys.stdin)
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the JSON answer
        import logging

        from fastapi.testclient import TestClient

        # First import of xlwings, through xlwings_server (as `xlwings-server`, uvicorn and
        # gunicorn do): its config sets XLWINGS_ON_SERVER=true before xlwings binds its
        # decorators; then it imports the project's custom_functions, i.e. MOUNT.
        from xlwings_server.main import main_app

        import xlwings

        logging.getLogger("httpx").setLevel(logging.WARNING)  # the test client's own log line
        # As a context manager the client keeps one event loop for all requests, as a
        # server process does (otherwise every request starts a thread and an event loop).
        with TestClient(main_app) as client:
            out = _child_job(client, job)
        out.update(xlwings_func_module=xlwings.func.__module__,
                   custom_functions=sys.modules["custom_functions"].__file__)
    json.dump(out, sys.stdout)


def _child_job(client, job):
    if "bench" in job:
        return _child_bench(client, **job["bench"])
    responses = {}
    for r in job["requests"]:
        resp = client.request(r["method"], r["path"], json=r["json"])
        entry = {"status": resp.status_code, "text": resp.text}
        if resp.headers.get("content-type", "").startswith("application/json"):
            entry["json"] = resp.json()
        responses[r["label"]] = entry
    return {"responses": responses}


def _child_bench(client, rows, repeat):
    url = "/xlwings/custom-functions-call"
    prices = [float(10 + i % 97) for i in range(rows)]
    shares = 1_000_000
    client.post(url, json=body("MARKETCAP", [[[1]], [[1]]]))  # warm-up

    batch = []
    for _ in range(repeat):
        t = time.perf_counter()
        resp = client.post(url, json=body("MARKETCAP", [[[p] for p in prices], [[shares]]]))
        batch.append(time.perf_counter() - t)
    batch_result = [row[0] for row in resp.json()["result"]]

    singles = []
    for _ in range(max(1, repeat // 2)):
        single_result = []
        t = time.perf_counter()
        for p in prices:
            resp = client.post(url, json=body("MARKETCAP", [[[p]], [[shares]]]))
            single_result.append(resp.json()["result"][0][0])
        singles.append(time.perf_counter() - t)

    assert batch_result == single_result == [p * shares for p in prices]
    one, many = statistics.median(batch), statistics.median(singles)

    # The same calls without HTTP: xlwings.server.custom_functions_call on the mounted
    # module, the part of each request that is xlwings' conversion plus our function.
    import asyncio

    import xlwings.server

    module = sys.modules["custom_functions"]

    async def direct():
        t = time.perf_counter()
        await xlwings.server.custom_functions_call(
            body("MARKETCAP", [[[p] for p in prices], [[shares]]]), module)
        t_one = time.perf_counter() - t
        t = time.perf_counter()
        for p in prices:
            await xlwings.server.custom_functions_call(body("MARKETCAP", [[[p]], [[shares]]]), module)
        return t_one, time.perf_counter() - t

    direct_one, direct_many = asyncio.run(direct())
    return {"rows": rows, "one_post_s": one, "single_posts_s": many,
            "per_single_post_ms": 1000 * many / rows, "ratio": many / one,
            "one_post_runs_s": batch, "single_posts_runs_s": singles,
            "direct_one_call_s": direct_one, "direct_single_calls_s": direct_many}


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        _child()
    else:
        if not importlib.util.find_spec("xlwings_server"):
            raise SystemExit(SKIP_REASON)
        result = bench(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
        print(f"{result['rows']} rows: one POST over the range {1000 * result['one_post_s']:.1f} ms; "
              f"{result['rows']} single-cell POSTs {result['single_posts_s']:.2f} s "
              f"({result['per_single_post_ms']:.2f} ms each); ratio {result['ratio']:.0f}x\n"
              f"without HTTP (custom_functions_call): one call {1000 * result['direct_one_call_s']:.1f} ms; "
              f"{result['rows']} single calls {result['direct_single_calls_s']:.2f} s")

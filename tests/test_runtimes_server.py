"""xlfuncs inside xlwings Server (the optional ``server`` extra), over HTTP as Excel calls it.

Our functions are mounted the documented way (a project directory as
``xlwings-server init`` creates it, whose ``custom_functions/__init__.py`` is one
line importing ``xlfuncs.runtimes.excel``) and xlwings Server's own FastAPI app is driven
in-process with FastAPI's ``TestClient``, as xlwings Server's own tests do:
``GET /xlwings/custom-functions-meta`` (what Excel registers) and
``POST /xlwings/custom-functions-call`` with the body its Office.js client sends.

The app runs in ONE fresh interpreter, started by ``bench/server_harness.py``
(shared with ``bench/bench_server.py``, the benchmark of this path): importing
``xlwings_server`` changes the process's environment and ``sys.path`` (see that
module's docstring), so this pytest process never imports it; it only checks that
it is installed.  ``bench`` is imported from the repository root, which pytest puts
on ``sys.path`` (``pythonpath = ["."]`` in pyproject.toml).

Licence: xlwings Server and ``xlwings.server`` are PolyForm Noncommercial 1.0.0
or a paid xlwings PRO licence; ``XLWINGS_LICENSE_KEY=noncommercial`` is set only
in the child's environment.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.server_harness import CALL_URL, NAMESPACE, NOT_INSTALLED, body, installed, make_project, run_server
from xlfuncs import REGISTRY  # the package does not import xlwings

if not installed():
    pytest.skip(NOT_INSTALLED, allow_module_level=True)


def err(kind):
    """An error cell as custom-functions-call returns it (CustomFunctionsRuntime 1.4)."""
    return {"type": "Error", "errorType": kind}


NA_CELL = {"type": "Error", "basicType": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
DIV0_CELL = {"type": "Error", "basicType": "Error", "basicValue": "#DIV/0!", "errorType": "Div0"}

REQUESTS = {
    "meta": ("GET", "/xlwings/custom-functions-meta", None),
    "code": ("GET", "/xlwings/custom-functions-code", None),
    "manifest": ("GET", "/manifest", None),
    "marketcap": ("POST", CALL_URL, body("MARKETCAP", [[[100]], [[1_000_000]]])),
    "marketcap range": ("POST", CALL_URL, body("MARKETCAP", [[[100], [50]], [[1_000_000]]])),
    "error pass-through": ("POST", CALL_URL, body("MARKETCAP", [[[NA_CELL, DIV0_CELL, 100]], [[1_000_000]]])),
    "bad input": ("POST", CALL_URL, body("MARKETCAP", [[[-1]], [[1_000_000]]])),
    "bad input mixed": ("POST", CALL_URL, body("MARKETCAP", [[[-1, "abc", 100]], [[1_000_000]]])),
    "runtime 1.3": ("POST", CALL_URL, body("MARKETCAP", [[[-1, 100]], [[1_000_000]]], runtime="1.3")),
    "ev omitted optionals": ("POST", CALL_URL, body("EV", [[[100]], [[20]], [[5]], None, None, None])),
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


@pytest.mark.parametrize(
    "label, result",
    [
        ("marketcap", [[100_000_000.0]]),
        ("marketcap range", [[100_000_000.0], [50_000_000.0]]),
        ("error pass-through", [[err("NotAvailable"), err("Div0"), 100_000_000.0]]),
        ("bad input", [[err("Num")]]),
        ("bad input mixed", [[err("Num"), err("Value"), 100_000_000.0]]),
        ("runtime 1.3", [["#NUM!", 100_000_000.0]]),
        ("ev omitted optionals", [[115.0]]),
    ],
)
def test_call(server, label, result):
    assert response(server, label)["json"] == {"result": result}

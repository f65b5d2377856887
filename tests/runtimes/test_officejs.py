"""xlfuncs.runtimes.excel under xlwings' Office.js runtime (xlwings Lite and xlwings Server).

xlwings chooses its UDF decorators once, when it is first imported: Office.js with
``XLWINGS_ON_SERVER=true``, classic COM on Windows with pywin32, and no-ops
anywhere else.  So the Office.js runtime runs in ONE fresh interpreter
(``tests/helpers/runtime_officejs.py``) with that environment; this pytest process never
sets it.  The helper sends every case below through the real
``xlwings.server.custom_functions_call`` and returns the real
``custom_functions_meta``; the assertions are all here.

Licence: ``xlwings.server`` is xlwings PRO code (PolyForm Noncommercial; the
``noncommercial`` key is accepted as is).  Commercial use, including CI of a
commercial product, needs a licence.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from tests.helpers.cases_runtimes import CASES
from tests.helpers.runtime_officejs import OFFICE_JS, assert_registered, run_runtime
from xlfuncs import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
HELPER = ROOT / "tests" / "helpers" / "runtime_officejs.py"


LOCAL_PATH = re.compile(r"/(home|work|tmp)\b|defined in", re.I)


@pytest.fixture(scope="module")
def officejs():
    """Run every case in one fresh interpreter under the Office.js runtime."""
    calls = [{"func_name": c.func, "args": c.args, "runtime": c.runtime} for c in CASES]
    out = run_runtime(HELPER.name, calls, OFFICE_JS)
    out["calls"] = dict(zip((c.label for c in CASES), out["calls"], strict=True))
    return out


def test_plain_python_process_registers_nothing():
    """Without a runtime chosen (plain Linux/macOS) xlwings' decorators are no-ops,
    so a test that does not choose a runtime on purpose would check nothing.
    """
    if os.environ.get("XLWINGS_ON_SERVER") == "true" or sys.platform.startswith("win"):
        pytest.skip("this pytest process runs under a real xlwings runtime")
    import xlwings

    import xlfuncs.runtimes.excel

    assert xlwings.func.__module__ == "xlwings"  # the no-op fallback in xlwings/__init__.py
    assert xlfuncs.runtimes.excel.__all__ == list(REGISTRY)
    registered = [
        n for n in xlfuncs.runtimes.excel.__all__ if hasattr(getattr(xlfuncs.runtimes.excel, n), "__xlfunc__")
    ]
    assert registered == []


def test_registered_by_the_officejs_decorators(officejs):
    assert officejs["runtime"] == {
        "func_module": "xlwings.pro.udfs_officejs",
        "func_is_server_func": True,
        "arg_module": "xlwings.pro.udfs_officejs",
    }
    # raw: matrices as Excel sends them; excel_name: a key only the Office.js decorator writes
    assert_registered(officejs["exports"], REGISTRY, {"convert": "raw"}, "excel_name")


def test_metadata_lists_every_function(officejs):
    ids = [f["id"] for f in officejs["meta"]["functions"]]
    assert sorted(ids) == sorted(REGISTRY)
    assert [f["name"] for f in officejs["meta"]["functions"]] == ids
    assert officejs["meta"]["allowErrorForDataTypeAny"] is True


@pytest.mark.parametrize("name", list(REGISTRY))
def test_metadata_of_each_function(officejs, name):
    spec = REGISTRY[name]
    [meta] = [f for f in officejs["meta"]["functions"] if f["id"] == name]
    assert meta["description"] == spec.summary
    assert "category" not in meta  # Office.js has no categories; xw.func(category=) is ignored
    assert meta["result"]["dimensionality"] == "matrix"
    params = meta["parameters"]
    assert [p["name"] for p in params] == [a.name for a in spec.args]
    assert [p["description"] for p in params] == [a.doc for a in spec.args]
    assert [p.get("optional", False) for p in params] == [not a.required for a in spec.args]
    assert all(p["dimensionality"] == "matrix" and "repeating" not in p for p in params)
    for text in [meta["description"]] + [p["description"] for p in params]:
        assert text.strip(), f"{name}: empty description"
        assert len(text) <= 255, f"{name}: description longer than 255 characters: {text!r}"
        assert not LOCAL_PATH.search(text), f"{name}: description leaks a path: {text!r}"


def test_every_function_is_called():
    assert {c.func for c in CASES} == set(REGISTRY)
    assert len({c.label for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_call(officejs, case):
    assert officejs["calls"][case.label] == case.expected

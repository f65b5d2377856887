"""xlfuncs.runtimes.excel under xlwings' classic runtime (Windows desktop Excel, COM + VBA).

The classic runtime runs in ONE fresh interpreter (``tests/helpers/runtime_classic.py``)
without ``XLWINGS_ON_SERVER``: ``classic_harness.install()`` stubs pywin32 so that
xlwings' real ``udfs``, ``_xlwindows`` and ``com_server`` import on Linux, then
``xlfuncs.runtimes.excel`` is imported, the real ``import_udfs`` writes the VBA wrappers
into a recording fake ``xlfuncs.xlam`` and every case below goes through the real
``XLPython.CallUDF``.  Whether the VBA compiles and what Excel then displays is
not tested (see the harness docstring); the assertions are all here.

Classic can only hand text back for errors: ``"#N/A"`` in a result is the
*string* "#N/A" in the cell (``ISERROR()`` is FALSE), unlike Office.js.
"""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest

import xlfuncs
from tests.helpers.cases_runtimes import XYZ_BRIDGE
from tests.helpers.classic_harness import ERR, MISSING
from tests.helpers.runtime_officejs import assert_registered, run_runtime
from xlfuncs import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
HELPER = ROOT / "tests" / "helpers" / "runtime_classic.py"
MODULE, ADDIN = "xlfuncs.runtimes.excel", "xlfuncs.xlam"
NA, DIV0 = ERR["#N/A"], ERR["#DIV/0!"]  # error cells as pywin32 delivers them (int codes)


def ref(values):
    """A cell reference (Excel passes a Range object): a value or rows of cells."""
    return {"ref": values}


# XYZ: 50m shares at $10, 10m options and 10m warrants struck at $5, cash $100m, no debt.
XYZ = [10, 50e6, 0, 100e6, ref([[10e6], [10e6]]), ref([[5], [5]])]


@dataclass(frozen=True)
class Case:
    label: str
    func: str
    args: list  # as COM passes them; ref(...) for a cell reference, MISSING for omitted
    expected: object  # what CallUDF hands back to VBA (1x1 -> scalar, 1xN -> row)


CASES = [
    Case("marketcap scalar", "MARKETCAP", [10, 1000], 10000.0),
    Case(
        "marketcap 2-D range",
        "MARKETCAP",
        [ref([[10, 20], [30, 40]]), 1000],
        [[10000.0, 20000.0], [30000.0, 40000.0]],
    ),
    Case(
        "marketcap 1xN range squeezed to a row",
        "MARKETCAP",
        [ref([[10, 20, 30]]), 1000],
        [10000.0, 20000.0, 30000.0],
    ),
    Case("marketcap column range", "MARKETCAP", [ref([[10], [20]]), 1000], [[10000.0], [20000.0]]),
    Case(
        "marketcap error cells come back as text",
        "MARKETCAP",
        [ref([[10, NA], [DIV0, 40]]), 1000],
        [[10000.0, "#N/A"], ["#DIV/0!", 40000.0]],
    ),
    Case("marketcap error value", "MARKETCAP", [NA, 1000], "#N/A"),
    Case("marketcap single error cell", "MARKETCAP", [ref(NA), ref(1000)], "#N/A"),
    Case("marketcap empty cell in a range", "MARKETCAP", [ref([[10, None]]), 1000], [10000.0, "#N/A"]),
    Case("marketcap empty required argument", "MARKETCAP", [10, ref(None)], "#N/A"),
    Case(
        "marketcap bad input",
        "MARKETCAP",
        [ref([[-1, "abc", True, "12"]]), 1000],
        ["#NUM!", "#VALUE!", "#VALUE!", 12000.0],
    ),
    Case(
        "marketcap boolean in a numeric range", "MARKETCAP", [ref([[10, True]]), 1000], [10000.0, "#VALUE!"]
    ),
    Case("ev omitted optionals", "EV", [100, 20, 5, MISSING, MISSING, MISSING], 115.0),
    Case("ev empty optional cells", "EV", [100, 20, 5, ref(None), ref(None), None], 115.0),
    Case("ev all arguments", "EV", [ref(100), ref(20), ref(5), 10, 2, 7], 120.0),
    Case(
        "ev column x row",
        "EV",
        [ref([[100], [200]]), ref([[20, 40]]), 5, MISSING, MISSING, MISSING],
        [[115.0, 135.0], [215.0, 235.0]],
    ),
    Case("multiple NM", "MULTIPLE", [1400, ref([[175], [0], [-20]])], [[8.0], ["NM"], ["NM"]]),
    Case("fdev xyz", "FDEV", XYZ + [MISSING] * 4, 500e6),
    Case("fdev xyz tsm", "FDEV", [*XYZ, "tsm", MISSING, MISSING, MISSING], 500e6),
    Case("fdev empty strikes cell", "FDEV", XYZ[:5] + [ref(None)] + [MISSING] * 4, 600e6),
    Case("fdbridge xyz 2-column spill", "FDBRIDGE", XYZ + [MISSING] * 4, XYZ_BRIDGE),
    Case(
        "fdtranches schedule with TRUE/FALSE",
        "FDTRANCHES",
        [20, ref([[100e3], [50e3]]), ref([[10], [25]]), "tsm"],
        [
            ["count", "strike", "in the money", "counted", "proceeds", "repurchased", "net new"],
            [100e3, 10.0, True, 100e3, 1e6, 50e3, 50e3],
            [50e3, 25.0, False, 0.0, 0.0, 0.0, 0.0],
        ],
    ),
    Case("tomajor pence", "TOMAJOR", [ref([[250, 250]]), ref([["GBp", "GBP"]])], [2.5, 250.0]),
    Case("fdv no supply known", "FDV", [3000, 0, MISSING], "#N/A"),
    Case(
        "mcapclass defaults",
        "MCAPCLASS",
        [ref([[250e9], [5e9], [1.4e9], [10e6]]), MISSING, MISSING],
        [["Mega"], ["Mid"], ["Small"], ["Nano"]],
    ),
    Case("mcapclass empty optional cells", "MCAPCLASS", [5e9, ref(None), ref(None)], "Mid"),
    Case(
        "xlfuncs version info",
        "XLFUNCS",
        [],
        f"xlfuncs {xlfuncs.__version__}, xlwings {metadata.version('xlwings')}, "
        f"runtime classic COM (Windows desktop Excel), python {platform.python_version()}",
    ),
]


@pytest.fixture(scope="module")
def classic():
    """Import Functions and every case in one fresh interpreter under the classic runtime."""
    calls = [{"func_name": c.func, "args": c.args} for c in CASES]
    out = run_runtime(HELPER.name, calls)
    out["calls"] = dict(zip((c.label for c in CASES), out["calls"], strict=True))
    out["macro_options"] = dict(out["macro_options"])
    return out


def test_registered_by_the_classic_decorators(classic):
    assert classic["runtime"] == {
        "func_module": "xlwings.udfs",
        "func_is_xlfunc": True,
        "arg_module": "xlwings.udfs",
    }
    # call_in_wizard: a key only the classic decorator writes
    assert_registered(classic["exports"], REGISTRY, {"ndim": 2, "err_to_str": True}, "call_in_wizard")


def test_vba_module_declares_every_function_once(classic):
    bas = classic["bas"]
    assert bas.startswith('Attribute VB_Name = "xlwings_udfs"')
    assert sorted(re.findall(r"^Function (\w+)\(", bas, re.M)) == sorted(REGISTRY)
    assert "ThisWorkbook" not in bas  # an add-in's wrappers call with ActiveWorkbook


@pytest.mark.parametrize("name", list(REGISTRY))
def test_vba_wrapper_of_each_function(classic, name):
    spec = REGISTRY[name]
    lines = [line.strip() for line in classic["bas"].splitlines()]
    params = ", ".join(("" if a.required else "Optional ") + a.name for a in spec.args)
    assert f"Function {name}({params})" in lines
    array = ", ".join(a.name for a in spec.args)
    assert (
        f'{name} = XLPy.CallUDF("{MODULE}", "{name}", Array({array}), ActiveWorkbook, Application.Caller)'
    ) in lines


def test_macro_options_for_every_function(classic):
    assert sorted(classic["macro_options"]) == sorted(f"'{ADDIN}'!{n}" for n in REGISTRY)


@pytest.mark.parametrize("name", list(REGISTRY))
def test_macro_options_of_each_function(classic, name):
    spec = REGISTRY[name]
    options = classic["macro_options"][f"'{ADDIN}'!{name}"]
    # xlwings cuts every text to 255 characters; equality shows nothing was cut
    assert options["Description"] == spec.summary
    assert len(spec.summary) <= 255
    assert options["Category"] == "xlfuncs"
    assert options["ArgumentDescriptions"] == ([a.doc for a in spec.args] or None)
    assert all(0 < len(a.doc) <= 255 for a in spec.args)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.label) for c in CASES])
def test_call(classic, case):
    assert classic["calls"][case.label] == case.expected


# The functions that fetch are threaded UDFs (async_mode="threading"): Excel gets a placeholder
# at once, xlwings' worker computes, re-enters the calling cell's formula, and the recalculated
# cell gets the answer from xlwings' cache.  Offline with an empty cache: no request can leave.


@pytest.fixture(scope="module")
def threaded(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    env = {"XLFUNCS_OFFLINE": "1", "XLFUNCS_CACHE_DIR": str(cache)}
    return run_runtime("runtime_classic_async.py", [], env)


def test_functions_that_fetch_are_threaded_and_the_kernels_not(threaded):
    fetching = {"FILING", "FILINGS", "COINSUPPLY", "COINPRICE", "FXRATE"}
    assert list(threaded["async_modes"]) == list(REGISTRY)
    for name, mode in threaded["async_modes"].items():
        assert mode == ("threading" if name in fetching else None), name


def test_a_threaded_call_answers_a_placeholder_then_its_result(threaded):
    assert threaded["first"] == "#N/A waiting..."  # at once, on the calling (COM) thread
    assert threaded["worker_thread"] and threaded["caller_thread"] not in threaded["worker_thread"]
    assert threaded["formula_written"] == ['=FDMCAP(10, FILING("TSLA", "nonsense"))']  # re-entered
    assert threaded["second"] == "#VALUE!"  # the function's own answer: "nonsense" is no item


def test_the_placeholder_is_no_number_in_a_nested_call(threaded):
    assert threaded["nested"] == "#VALUE!"  # FDMCAP(10, "#N/A waiting...")

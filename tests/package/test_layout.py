"""The package layout: one subpackage per layer, imports pointing one way, a new function is one kernel.

The import graph is the one the Lite export packs by (``xlfuncs.runtimes.lite.module_imports``:
every ``import`` and ``from ... import`` of a module, at module level or inside functions).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from xlfuncs.runtimes import lite

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "xlfuncs"

#: Each layer and the layers it may import (itself included).  ``xlfuncs`` is the package
#: itself, the public Python API; ``cli`` and ``docs`` are entry points.
ALLOWED = {
    "framework": {"framework"},
    "functions": {"framework", "functions"},
    "xlfuncs": {"framework", "functions"},
    "runtimes": {"framework", "functions", "runtimes"},
    "windows": {"framework", "functions", "runtimes", "windows"},
    "workbooks": {"framework", "functions", "runtimes", "windows", "workbooks"},
    "cli": {"xlfuncs", "framework", "functions", "runtimes", "windows", "workbooks"},
    "docs": {"xlfuncs", "framework", "functions", "runtimes", "windows", "workbooks"},
}
#: The only third-party packages the two bottom layers may import (pandas only where a
#: function builds a DataFrame, lazily): nothing of Excel, xlwings or the file formats.
CORE_THIRD_PARTY = {"numpy", "pandas"}
CORE = {"framework", "functions"}


def layer(module: str) -> str:
    return module.split(".")[1] if "." in module else module


def violations(graph: dict[str, tuple[set[str], set[str]]]) -> list[str]:
    """Every import in ``graph`` (module -> (package modules, other top-level modules)) that
    breaks the layering: an import of a layer above, or a core module importing a third party
    other than numpy/pandas."""
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    found = []
    for module, (internal, external) in sorted(graph.items()):
        own = layer(module)
        found += [
            f"{module} imports {other} ({own} may import {', '.join(sorted(ALLOWED[own]))})"
            for other in sorted(internal)
            if layer(other) not in ALLOWED[own]
        ]
        if own in CORE:
            found += [
                f"{module} imports {other} ({own} may import only the standard library, numpy and pandas)"
                for other in sorted(external - stdlib - CORE_THIRD_PARTY)
            ]
    return found


def real_graph() -> dict[str, tuple[set[str], set[str]]]:
    return {name: lite.module_imports(name) for name in lite.package_modules()}


# --- the listing ----------------------------------------------------------------------------


def test_listing_reads_as_the_architecture():
    entries = sorted(p.name for p in PACKAGE.iterdir() if p.name not in ("__init__.py", "__pycache__"))
    assert entries == ["cli.py", "docs.py", "framework", "functions", "runtimes", "windows", "workbooks"]
    assert len(entries) <= 8


@pytest.mark.parametrize("package", ["framework", "functions", "runtimes", "windows", "workbooks"])
def test_each_layer_says_what_it_holds_and_may_import(package):
    doc = (PACKAGE / package / "__init__.py").read_text(encoding="utf-8")
    docstring = doc.split('"""')[1].strip().splitlines()
    lines = [line for line in docstring if line.strip()]
    assert len(lines) == 2, lines
    assert lines[1].startswith("May import:"), lines


def test_every_module_belongs_to_a_layer():
    modules = lite.package_modules()
    assert {layer(m) for m in modules} == set(ALLOWED)
    assert len(modules) == len({lite.module_path(m) for m in modules})


def test_tests_are_packages_that_import_no_test_module():
    """Each test folder is a package (so two folders may hold modules of the same name), and
    what tests share lives in tests/helpers/ or conftest.py, never in another test module."""
    tests = ROOT / "tests"
    folders = [p for p in tests.iterdir() if p.is_dir() and p.name != "__pycache__"]
    assert [p.name for p in folders if not (p / "__init__.py").is_file()] == []
    imported = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in tests.glob("*/test_*.py")
        for name in re.findall(
            r"^\s*(?:from|import) ((?:tests\.)?(?:\w+\.)*test_\w+)", path.read_text(), re.M
        )
    }
    assert sorted(imported) == []


# --- the direction of imports -------------------------------------------------------------


def test_imports_point_downward():
    graph = real_graph()
    assert "xlwings" in graph["xlfuncs.runtimes.excel"][1]  # the graph is real: it sees third parties
    assert violations(graph) == []


def test_rule_catches_imports_against_the_direction():
    ok = {
        "xlfuncs": ({"xlfuncs.functions", "xlfuncs.framework.errors"}, set()),
        "xlfuncs.functions.equity": ({"xlfuncs.framework.spec"}, {"numpy", "math"}),
        "xlfuncs.runtimes.excel": ({"xlfuncs.functions", "xlfuncs.framework.sheet"}, {"xlwings"}),
        "xlfuncs.windows.doctor": ({"xlfuncs.runtimes.names"}, {"olefile"}),
        "xlfuncs.workbooks.calc": ({"xlfuncs.workbooks.xlsx", "xlfuncs.functions"}, {"formulas"}),
        "xlfuncs.cli": ({"xlfuncs.workbooks.calc", "xlfuncs"}, {"argparse"}),
    }
    assert violations(ok) == []
    kernel_imports_xlwings = {"xlfuncs.functions.equity": ({"xlfuncs.framework.spec"}, {"numpy", "xlwings"})}
    assert violations(kernel_imports_xlwings) == [
        "xlfuncs.functions.equity imports xlwings (functions may import only the standard library, "
        "numpy and pandas)"
    ]
    upward = {
        "xlfuncs.framework.values": ({"xlfuncs.functions.equity"}, set()),
        "xlfuncs.functions.size": ({"xlfuncs.runtimes.excel"}, set()),
        "xlfuncs.runtimes.lite": ({"xlfuncs.windows.install"}, set()),
        "xlfuncs.windows.doctor": ({"xlfuncs.workbooks.calc"}, set()),
        "xlfuncs.functions.crypto": ({"xlfuncs"}, set()),
        "xlfuncs.framework.sheet": (set(), {"openpyxl"}),
    }
    assert [v.split(" (")[0] for v in violations(upward)] == [
        "xlfuncs.framework.sheet imports openpyxl",
        "xlfuncs.framework.values imports xlfuncs.functions.equity",
        "xlfuncs.functions.crypto imports xlfuncs",
        "xlfuncs.functions.size imports xlfuncs.runtimes.excel",
        "xlfuncs.runtimes.lite imports xlfuncs.windows.install",
        "xlfuncs.windows.doctor imports xlfuncs.workbooks.calc",
    ]


def test_rule_catches_a_kernel_that_imports_xlwings_in_the_real_package(tmp_path):
    """The same check on a copy of the package whose kernel module imports xlwings."""
    copy = tmp_path / "xlfuncs"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    equity = copy / "functions" / "equity.py"
    equity.write_text(equity.read_text(encoding="utf-8") + "\n\ndef _hook():\n    import xlwings\n")
    original = lite.PACKAGE_DIR
    try:
        lite.PACKAGE_DIR = copy
        graph = real_graph()
    finally:
        lite.PACKAGE_DIR = original
    assert [v.split(" (")[0] for v in violations(graph)] == ["xlfuncs.functions.equity imports xlwings"]


# --- a new function is one kernel -----------------------------------------------------------

NEW_KERNEL = '''

@udf(
    "PERSHARE",
    value=SIGNED,
    shares=AMOUNT,
    checks=(Check("shares", DIV0, "shares is 0", lambda shares, **_: shares == 0),),
)
def pershare(value, shares):
    """Value per share: an amount divided by the number of shares.

    Formula: value / shares

    Parameters
    ----------
    value : float or array_like
        Amount to share out, in currency units (equity value, cash, ...).
    shares : float or array_like
        Number of shares (>= 0).

    Returns
    -------
    float or ndarray
        Value per share, in the currency of ``value``.

    Examples
    --------
    >>> pershare(1e9, 50e6)
    20.0

    References
    ----------
    .. [1] CFA Institute, "Equity Valuation: Concepts and Basic Tools", 2020.
    """
    return value / shares
'''

CHECKS = r"""
import asyncio, base64, doctest, io, json, re, sys, zipfile
import xlwings, xlwings.server
import xlfuncs, xlfuncs.functions.equity
import xlfuncs.runtimes.excel as excel
from xlfuncs.docs import reference
from xlfuncs.framework.sheet import call
from xlfuncs.runtimes import lite, names
from runtime_officejs import payload

spec = xlfuncs.REGISTRY["PERSHARE"]
data = payload("PERSHARE", [[[1e9], [2e9]], [[0], [50e6]]], "1.4", xlwings.__version__)
main = lite.build_main_py()
q = '"' * 3
blob = base64.b64decode(re.search("^_XLFUNCS_ZIP = " + q + "\n(.*?)\n" + q + "$", main, re.S | re.M).group(1))
packed = zipfile.ZipFile(io.BytesIO(blob)).read("xlfuncs/functions/equity.py").decode()
meta = [f for f in xlwings.server.custom_functions_meta(excel)["functions"] if f["id"] == "PERSHARE"]
print(json.dumps({
    "file": xlfuncs.__file__,
    "python": xlfuncs.pershare([1e9, 3e9], 50e6).tolist(),
    "sheet": call(spec, [[1e9], [2e9]], [[0], [50e6]]),
    "officejs": asyncio.run(xlwings.server.custom_functions_call(data, excel)),
    "meta": meta,
    "wizard": [spec.summary] + [a.doc for a in spec.args],
    "reference": "PERSHARE(value, shares)" in reference(),
    "names": names.problems(),
    "doctest": list(doctest.testmod(xlfuncs.functions.equity)),
    "lite": "PERSHARE" in main and 'def pershare(' in packed,
    "exported": "pershare" in xlfuncs.__all__,
}))
try:
    xlfuncs.pershare(1e9, 0)
except xlfuncs.InputError as exc:
    print(json.dumps(str(exc)))
"""


def test_a_new_function_is_one_kernel_and_nothing_else(tmp_path):
    """Add a kernel with ``@udf`` to a copy of ``functions/equity.py`` and nothing else: it is
    then a Python function, a worksheet function with per-cell errors, registered for Office.js
    with its Wizard texts, in the README reference, packed for Lite and passes the name check."""
    copy = tmp_path / "xlfuncs"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    equity = copy / "functions" / "equity.py"
    source = equity.read_text(encoding="utf-8")
    assert "SIGNED" in source and "DIV0" in source and "Check" in source  # the names the kernel uses
    equity.write_text(source + NEW_KERNEL, encoding="utf-8")
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT / "tests" / "helpers")]),
        XLWINGS_ON_SERVER="true",
        XLWINGS_LICENSE_KEY="noncommercial",
    )
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHECKS)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out_line, error_line = run.stdout.strip().splitlines()[-2:]
    out = json.loads(out_line)
    assert out["file"] == str(copy / "__init__.py")  # the copy, not the repository's package
    assert out["python"] == [20.0, 60.0]
    assert out["sheet"] == [["#DIV/0!"], [40.0]]
    assert out["officejs"] == [[{"type": "Error", "errorType": "Div0"}], [40.0]]
    [meta] = out["meta"]
    assert meta["description"] == "Value per share: an amount divided by the number of shares."
    assert [p["name"] for p in meta["parameters"]] == ["value", "shares"]
    assert out["wizard"][1].startswith("Amount to share out") and all(len(t) <= 255 for t in out["wizard"])
    assert out["reference"] and out["lite"] and out["exported"]
    assert out["names"] == []
    assert out["doctest"][0] == 0 and out["doctest"][1] > 0  # no failures, the new example ran
    assert json.loads(error_line) == "shares: shares is 0 (#DIV/0! in Excel)"

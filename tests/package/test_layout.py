"""The package layout: the layers import-linter checks, imports pointing one way, no cycle, a
new function is one kernel.

The layers are stated once, as import-linter contracts in pyproject.toml (``lint-imports`` runs
them in scripts/test.sh); the rule here is read from those contracts and checks the import
graph the Lite export packs by (``xlfuncs.runtimes.lite.module_imports``: every ``import`` and
``from ... import`` of a module, at module level or inside functions).
"""

from __future__ import annotations

import graphlib
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

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "xlfuncs"
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"][
    "contracts"
]
#: The stack of layers, bottom first: ``(names, optional names)`` per level, read from the
#: layers contract ("(name)" is a layer that need not exist yet).
[_LAYERS] = [c["layers"] for c in CONTRACTS if c["type"] == "layers"]
STACK = [
    ({n.strip("()") for n in names}, {n.strip("()") for n in names if n.startswith("(")})
    for names in ([n.strip() for n in re.split(r"[|:]", level)] for level in reversed(_LAYERS))
]
#: Pairs of packages ``(importer, imported)`` a forbidden contract rules out.
FORBIDDEN = {
    (source.split(".")[1], forbidden.split(".")[1])
    for contract in CONTRACTS
    if contract["type"] == "forbidden"
    for source in contract["source_modules"]
    for forbidden in contract["forbidden_modules"]
    if forbidden.startswith("xlfuncs.")
}
#: Packages of xlfuncs outside the stack, held in place by forbidden contracts of their own.
OUTSIDE = {package for pair in FORBIDDEN for package in pair} - set().union(*(names for names, _ in STACK))
#: The only third-party packages the two bottom layers may import (pandas only where a
#: function builds a DataFrame, lazily): nothing of Excel, xlwings or the file formats.  Stricter
#: than the contract, which can forbid packages but not allow a list.
CORE_THIRD_PARTY = {"numpy", "pandas"}
CORE = {"framework", "functions"}


def allowed() -> dict[str, set[str]]:
    """Each layer and the layers it may import, itself included.  ``xlfuncs``, the package
    itself (the Python API), stands on the core and registers the data layer's functions
    beside the kernels; the entry points at the top may import it."""
    rules = {}
    for i, (names, _) in enumerate(STACK):
        below = set().union(*(level for level, _ in STACK[:i]))
        rules.update({name: below | {name} for name in names})
    rules["xlfuncs"] = CORE | {"data", "xlfuncs"}
    for name in STACK[-1][0]:
        rules[name].add("xlfuncs")
    return rules


ALLOWED = allowed()


def layer(module: str) -> str:
    return module.split(".")[1] if "." in module else module


def violations(graph: dict[str, tuple[set[str], set[str]]]) -> list[str]:
    """Every import in ``graph`` (module -> (package modules, other top-level modules)) that
    breaks the layering: an import of a layer above or beside, an import a forbidden contract
    rules out, or a core module importing a third party other than numpy/pandas."""
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    found = []
    for module, (internal, external) in sorted(graph.items()):
        own = layer(module)
        for other in sorted(internal):
            theirs = layer(other)
            if (own, theirs) in FORBIDDEN:
                found.append(f"{module} imports {other} ({own} never imports {theirs})")
            elif own in ALLOWED and theirs in ALLOWED and theirs not in ALLOWED[own]:
                found.append(f"{module} imports {other} ({own} may import {', '.join(sorted(ALLOWED[own]))})")
        if own in CORE:
            found += [
                f"{module} imports {other} ({own} may import only the standard library, numpy and pandas)"
                for other in sorted(external - stdlib - CORE_THIRD_PARTY)
            ]
    return found


def cycle(graph: dict[str, tuple[set[str], set[str]]]) -> list[str]:
    """A cycle of imports between the modules of ``graph``, or ``[]`` when there is none.  A
    module importing a submodule of its own package counts; ``from pkg import name`` counts as
    an import of ``pkg`` when ``name`` is not a module."""

    def module_of(name: str) -> str:
        while name and name not in graph:
            name = name.rpartition(".")[0]
        return name

    edges = {m: {module_of(i) for i in internal} - {"", m} for m, (internal, _) in graph.items()}
    try:
        graphlib.TopologicalSorter(edges).prepare()
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return []


def real_graph() -> dict[str, tuple[set[str], set[str]]]:
    return {name: lite.module_imports(name) for name in lite.package_modules()}


# --- the listing ----------------------------------------------------------------------------


def test_the_listing_is_the_layers():
    """Every entry of xlfuncs/ is a layer of the stack or a package with contracts of its own,
    and every layer the stack requires is there."""
    entries = {
        p.name.removesuffix(".py") for p in PACKAGE.iterdir() if p.name not in ("__init__.py", "__pycache__")
    }
    stated = set().union(*(names for names, _ in STACK)) | set(OUTSIDE)
    required = set().union(*(names - optional for names, optional in STACK))
    assert sorted(entries - stated) == []
    assert sorted(required - entries) == []


@pytest.mark.parametrize("package", sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py")))
def test_each_package_says_what_it_holds_and_may_import(package):
    doc = (PACKAGE / package / "__init__.py").read_text(encoding="utf-8")
    lines = [line for line in doc.split('"""')[1].strip().splitlines() if line.strip()]
    assert len(lines) >= 2, lines
    assert any(line.startswith("May import:") for line in lines), lines


def test_every_module_belongs_to_a_layer():
    modules = lite.package_modules()
    assert sorted({layer(m) for m in modules} - set(ALLOWED) - set(OUTSIDE)) == []
    assert len(modules) == len({lite.module_path(m) for m in modules})


#: Test folders for what cuts across the package, besides one per concern of xlfuncs/.
CROSS_CUTTING = {"helpers", "bench", "package"}


def test_tests_mirror_the_layout():
    """``ls xlfuncs/`` and ``ls tests/`` show the same concerns: every package of xlfuncs has
    its test folder, every test folder is a concern of xlfuncs or cuts across, and no test
    module sits at the top of tests/."""
    tests = ROOT / "tests"
    folders = {p.name for p in tests.iterdir() if p.is_dir() and p.name != "__pycache__"}
    entries = {
        p.name.removesuffix(".py") for p in PACKAGE.iterdir() if p.name not in ("__init__.py", "__pycache__")
    }
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert sorted(packages - folders) == []
    assert sorted(folders - entries - CROSS_CUTTING) == []
    assert sorted(p.name for p in tests.glob("test_*.py")) == []


def test_tests_are_packages_that_import_no_test_module():
    """Each test folder is a package (so two folders may hold modules of the same name), and
    what tests share lives in tests/helpers/ or conftest.py, never in another test module."""
    tests = ROOT / "tests"
    folders = [p for p in tests.iterdir() if p.is_dir() and p.name != "__pycache__"]
    assert [p.name for p in folders if not (p / "__init__.py").is_file()] == []
    imported = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in tests.rglob("test_*.py")
        for name in re.findall(
            r"^\s*(?:from|import) ((?:tests\.)?(?:\w+\.)*test_\w+)", path.read_text(), re.M
        )
    }
    assert sorted(imported) == []


# --- the direction of imports -------------------------------------------------------------


def test_the_rule_is_the_contracts():
    """What the contracts in pyproject.toml say, read back: the stack, bottom first."""
    assert [names for names, _ in STACK] == [
        {"framework"},
        {"functions"},
        {"data"},
        {"runtimes"},
        {"xlsx"},
        {"calc", "windows"},
        {"workbooks"},
        {"cli", "doctor", "docs"},
    ]
    assert {"sql", "i18n"} <= OUTSIDE
    assert {("framework", "data"), ("functions", "data")} <= FORBIDDEN


def test_imports_point_downward():
    graph = real_graph()
    assert "xlwings" in graph["xlfuncs.runtimes.excel"][1]  # the graph is real: it sees third parties
    assert violations(graph) == []


def test_the_import_graph_has_no_cycle():
    assert cycle(real_graph()) == []


def test_cycle_finds_a_cycle_through_packages():
    graph = {
        "xlfuncs.calc.engine": ({"xlfuncs.xlsx.parts"}, set()),
        "xlfuncs.xlsx.parts": ({"xlfuncs.xlsx.scan"}, set()),
        "xlfuncs.xlsx.scan": ({"xlfuncs.calc.engine.ExcelError"}, set()),  # a name in a module
        "xlfuncs.functions": ({"xlfuncs.functions.equity"}, set()),
        "xlfuncs.functions.equity": ({"xlfuncs.framework"}, set()),
        "xlfuncs.framework": (set(), {"numpy"}),
    }
    found = cycle(graph)
    assert found[0] == found[-1] and set(found) == {
        "xlfuncs.calc.engine",
        "xlfuncs.xlsx.parts",
        "xlfuncs.xlsx.scan",
    }
    del graph["xlfuncs.xlsx.scan"]
    assert cycle(graph) == []


def test_rule_catches_imports_against_the_direction():
    ok = {
        "xlfuncs": ({"xlfuncs.functions", "xlfuncs.framework.errors"}, set()),
        "xlfuncs.functions.equity": ({"xlfuncs.framework.spec"}, {"numpy", "math"}),
        "xlfuncs.runtimes.excel": ({"xlfuncs.functions", "xlfuncs.framework.sheet"}, {"xlwings"}),
        "xlfuncs.doctor.classic": ({"xlfuncs.runtimes.names", "xlfuncs.windows.addin"}, {"olefile"}),
        "xlfuncs.calc.engine": ({"xlfuncs.xlsx.parts", "xlfuncs.functions"}, {"formulas"}),
        "xlfuncs.data.sec": ({"xlfuncs.framework.errors"}, {"requests"}),
        "xlfuncs.cli": ({"xlfuncs.xlsx.writes", "xlfuncs"}, {"argparse"}),
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
        "xlfuncs.functions.equity": ({"xlfuncs.data.sec"}, set()),
        "xlfuncs.runtimes.lite": ({"xlfuncs.windows.install"}, set()),
        "xlfuncs.xlsx.parts": ({"xlfuncs.windows.install"}, set()),
        "xlfuncs.windows.install": ({"xlfuncs.doctor"}, set()),
        "xlfuncs.calc.engine": ({"xlfuncs.workbooks.templates"}, set()),
        "xlfuncs.functions.crypto": ({"xlfuncs"}, set()),
        "xlfuncs.framework.sheet": (set(), {"openpyxl"}),
    }
    assert [v.split(" (")[0] for v in violations(upward)] == [
        "xlfuncs.calc.engine imports xlfuncs.workbooks.templates",
        "xlfuncs.framework.sheet imports openpyxl",
        "xlfuncs.framework.values imports xlfuncs.functions.equity",
        "xlfuncs.functions.crypto imports xlfuncs",
        "xlfuncs.functions.equity imports xlfuncs.data.sec",
        "xlfuncs.functions.size imports xlfuncs.runtimes.excel",
        "xlfuncs.runtimes.lite imports xlfuncs.windows.install",
        "xlfuncs.windows.install imports xlfuncs.doctor",
        "xlfuncs.xlsx.parts imports xlfuncs.windows.install",
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

"""The functions as a LibreOffice Calc add-in (xlfuncs.oxt): its parts, and the shared cases computed by Calc.

The parts are checked against the registry without LibreOffice.  Then, where LibreOffice,
its Python bridge and unoidl-write are installed (scripts/test.sh installs them), the
extension is built, installed into a private folder and every case of
tests/helpers/cases_runtimes.py (the table the Office.js test uses) is written into one workbook
that headless Calc computes in one start-up; each cell must hold the value or error the
Office.js path returns, except where Calc itself hands the add-in other inputs
(:data:`CALC_DIFFERS`, each with its reason; a new case that differs fails until it is listed
there with the reason).
"""

from __future__ import annotations

import math
import re
import signal
import xml.etree.ElementTree as ET
import zipfile

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

import xlfuncs
from tests.helpers.cases_runtimes import CASES, excel_value
from xlfuncs import REGISTRY
from xlfuncs.calc import command
from xlfuncs.calc.libreoffice import engine as libreoffice
from xlfuncs.functions import versions
from xlfuncs.runtimes.libreoffice import addin, build, office

OOR = "{http://openoffice.org/2001/registry}"

needs_calc = pytest.mark.skipif(
    not libreoffice.engine_available() or office.unoidl_write() is None,
    reason="needs LibreOffice with python3-uno, libreoffice-script-provider-python and unoidl-write "
    "(libreoffice-dev); scripts/test.sh installs them",
)

#: Cases where Calc gives the add-in other inputs than Excel does, so the cell differs from Office.js:
#: label -> (what the cell holds in Calc, why).
CALC_DIFFERS = {
    "marketcap error cells pass through": (
        [["#VALUE!", "#VALUE!"], ["#VALUE!", "#VALUE!"]],
        "Calc does not call an add-in with an error inside a range argument (Err:504, saved as #VALUE!)",
    ),
    "marketcap empty required argument": (
        [[0]],
        "Calc passes an empty single cell as 0 (in a range it passes an empty cell as empty)",
    ),
    "marketcap bad input": (
        [["#NUM!", "#VALUE!", 1000, 12000]],
        "Calc has no boolean type: TRUE is the number 1",
    ),
    "marketcap boolean in a numeric range": (
        [[10000, 1000]],
        "Calc has no boolean type: TRUE is the number 1",
    ),
    "marketcap runtime 1.3: errors are text": (
        [["#VALUE!"] * 5],
        "an Office.js runtime case; in Calc the error cell in the range gives Err:504 (#VALUE!)",
    ),
    "mcapclass empty optional cells": (
        [["0"]],
        "Calc passes the empty single cells as 0: one threshold 0 with the label 0, read as the text '0'",
    ),
    "combinedmcap no class priced": (
        [[0]],
        "Calc passes the empty single cell as 0: the class is priced at 1 with 0 shares",
    ),
    "fdev empty strikes cell": (
        [["#VALUE!"]],
        "Calc passes the empty strikes cell as 0: one strike for two counts",
    ),
    "mcapclass bad input": (
        [["#VALUE!"] * 4],
        "Calc does not call an add-in with an error inside a range argument (Err:504, saved as #VALUE!)",
    ),
}


# --- the parts, without LibreOffice -----------------------------------------------------------


def test_idl_declares_one_method_per_function():
    text = build.idl()
    methods = re.findall(r"sequence< sequence< any > > (\w+)\(([^)]*)\);", text)
    assert [m for m, _ in methods] == [addin.method_name(s) for s in REGISTRY.values()]
    for (_, params), spec in zip(methods, REGISTRY.values(), strict=True):
        names = re.findall(r"\[in\] any (\w+)", params)
        assert names == [addin.parameter_name(a.name) for a in spec.args]
        assert all("_" not in n for n in names)  # UNO IDL rejects underscores in identifiers
    assert "interface XFunctions : com::sun::star::uno::XInterface" in text


def test_calc_addins_xcu_describes_every_function_with_its_excel_name():
    root = ET.fromstring(build.calc_addins_xcu())
    [impl] = root.find("node").findall("node")
    assert impl.get(OOR + "name") == addin.IMPLEMENTATION
    functions = impl.find("node").findall("node")
    assert [f.get(OOR + "name") for f in functions] == [addin.method_name(s) for s in REGISTRY.values()]
    for node, spec in zip(functions, REGISTRY.values(), strict=True):
        props = {p.get(OOR + "name"): p.find("value").text for p in node.findall("prop")}
        assert props == {
            "DisplayName": spec.excel_name,
            "Description": spec.summary,
            "Category": "Add-In",
            "CompatibilityName": spec.excel_name,
        }
        params = node.find("node").findall("node")
        assert [p.get(OOR + "name") for p in params] == [addin.parameter_name(a.name) for a in spec.args]
        for param, arg in zip(params, spec.args, strict=True):
            texts = {p.get(OOR + "name"): p.find("value").text for p in param.findall("prop")}
            assert texts == {"DisplayName": arg.name, "Description": arg.doc}
        for text in [props["Description"], *(a.doc for a in spec.args)]:
            assert text and len(text) <= 255  # the Function Wizard's limit, as Excel's


def test_manifest_and_description():
    manifest = build.manifest()
    for part in (build.TYPES, build.COMPONENT, "CalcAddIns.xcu"):
        assert f'manifest:full-path="{part}"' in manifest
    assert f'<identifier value="{build.IDENTIFIER}"/>' in build.description()
    assert f'<version value="{xlfuncs.__version__}"/>' in build.description()


def test_the_core_packed_needs_only_numpy():
    modules = build.core_modules()
    assert "xlfuncs.runtimes.excel" not in modules  # xlwings is not in LibreOffice's Python
    assert {"xlfuncs", "xlfuncs.framework.sheet", "xlfuncs.runtimes.libreoffice.addin"} <= set(modules)
    assert not [m for m in modules if m.startswith(("xlfuncs.workbooks", "xlfuncs.windows"))]


def test_error_values_are_calc_error_codes():
    # LibreOffice's FormulaError codes, as Calc shows them: Err:503 is #NUM!, Err:532 #DIV/0!, ...
    codes = {"#N/A": 32767, "#VALUE!": 519, "#NUM!": 503, "#DIV/0!": 532, "#REF!": 524, "#NAME?": 525}
    out = addin.to_calc([list(codes)])[0]
    assert [addin.error_code(v) for v in out] == list(codes.values())
    assert all(math.isnan(v) for v in out)
    assert addin.error_code(1.0) is None and addin.error_code(float("nan")) == 0


def test_methods_take_what_calc_passes():
    """Calc passes a single cell as a number, a text or None, and a range as rows (tuples) of those."""
    functions = addin.addin_class(object)()
    assert functions.marketcap(10.0, 1000.0) == ((10000.0,),)
    out = functions.marketcap(((10.0,), (None,), (-1.0,), ("abc",)), 1000.0)
    assert out[0] == (10000.0,) and [addin.error_code(r[0]) for r in out[1:]] == [32767, 503, 519]
    assert functions.ev(100.0, 20.0, 5.0, None, None, None) == ((115.0,),)
    assert functions.mcapclass(5e9, None, None) == (("Mid",),)
    assert addin.error_code(functions.marketcap(1.0, 2.0, 3.0)[0][0]) == 519  # too many arguments


# --- inside LibreOffice ------------------------------------------------------------------------

_ERROR_FORMULA = {"#N/A": "=NA()", "#DIV/0!": "=1/0", "#VALUE!": '="a"+1', "#NUM!": "=SQRT(-1)"}


def _write_case(ws, case) -> tuple[str, tuple[int, int]]:
    """The case's arguments as cells of ``ws`` and its formula at A20; returns (anchor, result shape)."""
    refs, col = [], 1
    for arg in case.args:
        if arg is None:
            refs.append("")
            continue
        for i, row in enumerate(arg):
            for j, v in enumerate(row):
                cell = ws.cell(row=1 + i, column=col + j)
                cell.value = _ERROR_FORMULA[excel_value(v)] if isinstance(v, dict) else v
        first = ws.cell(row=1, column=col).coordinate
        last = ws.cell(row=len(arg), column=col + len(arg[0]) - 1).coordinate
        refs.append(first if first == last else f"{first}:{last}")
        col += len(arg[0]) + 1
    while refs and refs[-1] == "":
        refs.pop()
    formula = f"={case.func}({','.join(refs)})"
    rows, cols = len(case.expected), len(case.expected[0])
    if (rows, cols) == (1, 1):
        ws["A20"] = formula
    else:
        last = ws.cell(row=20 + rows - 1, column=cols).coordinate
        ws["A20"] = ArrayFormula(f"A20:{last}", formula)
    return "A20", (rows, cols)


@pytest.fixture(scope="module")
def cases_book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lo_cases")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for i, case in enumerate(CASES):
        _write_case(wb.create_sheet(f"C{i}"), case)
    wb.save(folder / "cases.xlsx")
    return folder / "cases.xlsx"


@pytest.fixture(scope="module")
def in_calc(cases_book):
    """Every case computed by headless LibreOffice with xlfuncs.oxt, in one start-up."""
    values, problems = libreoffice.compute(cases_book, errors_in_ranges=False)
    assert not problems
    return values


def _cells(values, index, shape):
    return [
        [values.get((f"C{index}", f"{chr(65 + j)}{20 + i}")) for j in range(shape[1])]
        for i in range(shape[0])
    ]


def _same(actual, expected) -> bool:
    if isinstance(expected, bool):  # Calc has no boolean type: TRUE and FALSE are the numbers 1 and 0
        return actual == int(expected) and not isinstance(actual, str)
    if isinstance(expected, float) and not isinstance(expected, bool):
        return isinstance(actual, (int, float)) and math.isclose(actual, expected, rel_tol=1e-14)
    return actual == expected


@needs_calc
@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.label for c in CASES])
def test_case_in_calc_as_in_officejs(in_calc, index):
    case = CASES[index]
    shape = (len(case.expected), len(case.expected[0]))
    got = _cells(in_calc, index, shape)
    if case.func == "XLFUNCS":  # the text names the Python and the runtime it runs in: LibreOffice's own
        assert got[0][0].startswith(f"xlfuncs {xlfuncs.__version__}, xlwings not installed, ")
        assert f"runtime {versions.LIBREOFFICE}, python 3." in got[0][0]
        return
    expected = CALC_DIFFERS[case.label][0] if case.label in CALC_DIFFERS else case.expected
    expected = [[excel_value(v) for v in row] for row in expected]
    assert all(
        _same(a, e) for ra, re_ in zip(got, expected, strict=True) for a, e in zip(ra, re_, strict=True)
    ), (
        got,
        expected,
    )


#: In ``xlfuncs calc``'s copy each argument of an array formula of ours passes errors as text, so they
#: stay per element: #N/A as itself, any other error as #VALUE! (Calc cannot say which it was).
ENGINE_ERRORS = {
    "marketcap error cells pass through": [[10000, "#N/A"], ["#VALUE!", 40000]],
    "mcapclass bad input": [["Mid", "#NUM!", "#VALUE!", "#N/A"]],
    "marketcap runtime 1.3: errors are text": [["#NUM!", "#VALUE!", 1000, "#N/A", 2000]],
}


@needs_calc
def test_the_calc_engine_keeps_errors_inside_ranges_per_element(cases_book):
    values, problems = libreoffice.compute(cases_book)
    assert not problems
    for index, case in enumerate(CASES):
        expected = ENGINE_ERRORS.get(case.label)
        if expected is not None:
            assert _cells(values, index, (len(expected), len(expected[0]))) == expected, case.label


@needs_calc
def test_the_stored_names_bind_by_excel_name_or_after_the_rewrite(cases_book):
    """Calc 25.2 binds MARKETCAP(...) through CompatibilityName; 7.4 only the internal name, which the
    engine writes into its copy.  Both ways give the same cells, and the original keeps its formulas."""
    plain, _ = libreoffice.compute(cases_book, rewrite=False)
    rewritten, _ = libreoffice.compute(cases_book, rewrite=True)
    if office.binds_excel_names():
        assert plain == rewritten
    else:
        assert plain[("C0", "A20")] == "#NAME?"
    assert rewritten[("C0", "A20")] == 10000
    with zipfile.ZipFile(cases_book) as book:
        assert b"ORG.XLFUNCS" not in book.read("xl/worksheets/sheet1.xml")


@needs_calc
def test_build_is_deterministic_and_installs_privately(tmp_path):
    first = build.build(tmp_path / "a")
    second = build.build(tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as oxt:
        names = oxt.namelist()
        assert {build.TYPES, build.COMPONENT, "CalcAddIns.xcu", "META-INF/manifest.xml"} <= set(names)
        assert "pythonpath/xlfuncs/framework/sheet.py" in names
    profile, packages = tmp_path / "profile", tmp_path / "packages"
    office.install(first, profile, packages)
    assert office.installed(build.IDENTIFIER, profile, packages) == xlfuncs.__version__
    assert office.uninstall(build.IDENTIFIER, profile, packages)
    assert office.installed(build.IDENTIFIER, profile, packages) is None
    assert not office.uninstall(build.IDENTIFIER, profile, packages)


def _fake_unopkg(tmp_path, monkeypatch, script: str):
    """A LibreOffice whose ``unopkg`` runs ``script`` (sh), each run noted in ``runs``."""
    program = tmp_path / "program"
    program.mkdir()
    (program / "soffice").write_text("#!/bin/sh\nexit 0\n")
    (program / "unopkg").write_text(f"#!/bin/sh\necho run >> {tmp_path / 'runs'}\n{script}\n")
    for name in ("soffice", "unopkg"):
        (program / name).chmod(0o755)
    monkeypatch.setenv("XLFUNCS_SOFFICE", str(program / "soffice"))
    return tmp_path / "runs"


def test_an_unopkg_killed_by_a_signal_runs_again(tmp_path, monkeypatch):
    crashed = tmp_path / "crashed"
    runs = _fake_unopkg(tmp_path, monkeypatch, f"[ -e {crashed} ] || {{ touch {crashed}; kill -SEGV $$; }}")
    office.install(tmp_path / "x.oxt", tmp_path / "profile", tmp_path / "packages")
    assert runs.read_text().count("run") == 2


def test_an_unopkg_that_keeps_crashing_is_reported(tmp_path, monkeypatch):
    runs = _fake_unopkg(tmp_path, monkeypatch, "kill -SEGV $$")
    with pytest.raises(
        office.LibreOfficeError, match=rf"could not install x\.oxt: exit code -{signal.SIGSEGV.value}"
    ):
        office.install(tmp_path / "x.oxt", tmp_path / "profile", tmp_path / "packages")
    assert runs.read_text().count("run") == office.INSTALL_ATTEMPTS


def test_an_unopkg_that_refuses_is_reported_without_running_again(tmp_path, monkeypatch):
    runs = _fake_unopkg(tmp_path, monkeypatch, "echo bad oxt >&2\nexit 1")
    with pytest.raises(office.LibreOfficeError, match=r"could not install x\.oxt: bad oxt"):
        office.install(tmp_path / "x.oxt", tmp_path / "profile", tmp_path / "packages")
    assert runs.read_text().count("run") == 1  # an error it exits with is not repeated


@needs_calc
def test_calc_command_with_the_libreoffice_engine(cases_book, tmp_path):
    lines = []
    out = tmp_path / "out.xlsx"
    assert command.main([str(cases_book), "-o", str(out), "--engine", "libreoffice"], echo=lines.append) == 0
    assert "with libreoffice" in lines[0]
    got = openpyxl.load_workbook(out, data_only=True)
    assert got["C0"]["A20"].value == 10000 and got["C3"]["B20"].value == "#N/A"
    kept = openpyxl.load_workbook(out)
    assert kept["C0"]["A20"].value == "=MARKETCAP(A1,C1)"


def test_runtime_is_libreoffice_where_its_python_bridge_is_loaded(monkeypatch):
    """XLFUNCS() names LibreOffice where Calc's bridge (pyuno) is in the process, without importing it;
    this process has none, so it is plain Python here (the add-in's own answer: the XLFUNCS case)."""
    import sys
    import types

    assert "pyuno" not in sys.modules and versions.runtime() == "Python (no Excel runtime)"
    monkeypatch.setitem(sys.modules, "pyuno", types.ModuleType("pyuno"))
    assert versions.runtime() == versions.LIBREOFFICE


def test_without_posix_locks_the_engine_steps_aside_and_the_command_line_still_works(tmp_path):
    """Windows has no ``fcntl`` (nor UNIX sockets): the CLI, doctor's LibreOffice check and
    ``xlfuncs libreoffice stop`` still work, and ``auto`` computes with formulas.
    """
    import subprocess
    import sys

    book = tmp_path / "b.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append([10, 1000, "=MARKETCAP(A1,B1)"])
    wb.save(book)
    script = (
        "import sys; sys.modules['fcntl'] = None\n"  # `import fcntl` now fails, as on Windows
        "from xlfuncs import cli\n"
        "from xlfuncs.calc.libreoffice import instances\n"
        "from xlfuncs.calc.libreoffice import engine as libreoffice\n"
        "from xlfuncs.calc.engines import engine_for\n"
        "assert not instances.SUPPORTED and not libreoffice.engine_available()\n"
        "assert engine_for('auto') == 'formulas'\n"
        "assert cli.main(['libreoffice', 'stop']) == 0\n"
        f"assert cli.main(['calc', {str(book)!r}]) == 0\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "ended 0 LibreOffice instances kept by xlfuncs calc"
    assert "with formulas" in proc.stdout
    assert openpyxl.load_workbook(book, data_only=True).active["C1"].value == 10000


@pytest.mark.parametrize("ooenv", [False, True])
def test_libreoffice_itself_is_started_unless_its_launcher_sets_an_environment(tmp_path, monkeypatch, ooenv):
    """``program/soffice.bin`` is started without its launcher script, except where the launcher reads
    ``program/ooenv`` (an unpacked LibreOffice whose libraries are found through the path set there:
    started alone, 7.4 unpacked on a machine without its liborcus ended at once, exit 127).
    """
    program = tmp_path / "program"
    program.mkdir()
    for name in ("soffice", "soffice.bin"):
        (program / name).write_text("#!/bin/sh\n")
        (program / name).chmod(0o755)
    if ooenv:
        (program / "ooenv").write_text('LD_LIBRARY_PATH="$sd_prog"\nexport LD_LIBRARY_PATH\n')
    monkeypatch.setenv("XLFUNCS_SOFFICE", str(program / "soffice"))
    assert office.executable() == str(program / "soffice")
    assert office.binary() == (None if ooenv else str(program / "soffice.bin"))


def test_the_modules_the_calculation_service_imports_ahead_are_all_the_class_needs():
    """The service imports ``addin.IMPORTS`` in a thread while Calc starts: creating the add-in's class
    afterwards must import no module of xlfuncs or numpy left out of them.
    """
    import subprocess
    import sys

    code = (
        "import sys, importlib\n"
        "from xlfuncs.runtimes.libreoffice import addin\n"
        "for name in addin.IMPORTS: importlib.import_module(name)\n"
        "before = set(sys.modules)\n"
        "addin.addin_class(object)\n"
        "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] in ('xlfuncs', 'numpy')))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
    assert (
        "numpy"
        not in subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys, xlfuncs.runtimes.libreoffice.addin; print(sorted(sys.modules))",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
    )  # without them, the add-in's module alone stays light (the engine's client reads it)

"""``xlfuncs lite``: the main.py and requirements.txt pasted into xlwings Lite.

The exported main.py is imported in a fresh interpreter that stands in for Lite's
Pyodide as far as Linux allows:

- xlwings' Office.js decorators are active (``XLWINGS_ON_SERVER=true``);
- ``python -I -S``: no site-packages, no PYTHONPATH, no script folder, no repo;
- on ``sys.path``: the standard library plus a folder that holds only numpy and
  xlwings (links into the venv).

So the xlfuncs it runs can only be the copy packed inside main.py.  The test
checks that, then reads the real ``xlwings.server.custom_functions_meta`` and
calls functions through the real ``custom_functions_call``.

Licence: ``xlwings.server`` is xlwings PRO code (PolyForm Noncommercial; the
``noncommercial`` key is accepted as is).  See tests/runtimes/test_officejs.py.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from xlfuncs import REGISTRY, __version__
from xlfuncs.runtimes import lite

ROOT = Path(__file__).resolve().parents[2]
#: What main.py registers: the registry less the functions that fetch, which the browser cannot
#: feed (docs/data-sources.md); those are registered here, the test environment has the data extra.
EXPORTED = lite.exported_names()
FETCHING = [name for name in REGISTRY if name not in EXPORTED]
PURE_PYTHON_TAG = "-py3-none-any.whl"
#: Built by Pyodide itself: their version is the Pyodide's, so requirements.txt must not pin them.
PYODIDE_BUILT = {"numpy"}
#: Modules that need packages Lite may not provide (or a desktop); they must stay out of main.py.
NOT_FOR_LITE = {
    "calc",
    "cli",
    "demo",
    "docs",
    "engine",
    "examples",
    "libreoffice",
    "names",
    "templates",
    "xlsx",
    "lite",
}

RUNNER = r"""
import asyncio, contextlib, importlib, importlib.util, json, os, sys

main_path, extra_paths, options = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
if os.environ.get("XLWINGS_ON_SERVER") != "true" or "xlwings" in sys.modules:
    raise SystemExit("run in a fresh interpreter with XLWINGS_ON_SERVER=true")
sys.path.extend(extra_paths)
with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the JSON result
    before = None
    if options.get("import_first"):  # an xlfuncs from elsewhere, imported before main.py runs
        sys.path[:0] = options["import_first"]
        import xlfuncs.runtimes.excel
        before = xlfuncs.runtimes.excel.__file__
    for _ in range(options.get("runs", 1)):  # Lite may run main.py again in the same interpreter
        spec = importlib.util.spec_from_file_location("main", main_path)
        main = importlib.util.module_from_spec(spec)
        sys.modules["main"] = main
        spec.loader.exec_module(main)

    import xlwings
    import xlwings.server
    import xlfuncs

    def call(func_name, args):
        data = {"func_name": func_name, "args": args, "caller_address": "[Book1.xlsx]Sheet1!B2",
                "version": xlwings.__version__, "client": "Office.js", "runtime": "1.4"}
        try:
            return asyncio.run(xlwings.server.custom_functions_call(data, main))
        except Exception as exc:
            return {"raised": f"{type(exc).__name__}: {exc}"}

    packed = {}
    archive = getattr(getattr(xlfuncs, "__loader__", None), "archive", None)
    if archive:
        import zipfile
        for name in zipfile.ZipFile(archive).namelist():
            module = name[:-3].replace("/", ".").removesuffix(".__init__")
            try:
                packed[module] = importlib.import_module(module).__file__
            except Exception as exc:
                packed[module] = f"raised {type(exc).__name__}: {exc}"
    out = {
        "imported_before": before,
        "func_module": xlwings.func.__module__,
        "xlwings_version": xlwings.__version__,
        "xlfuncs_file": xlfuncs.__file__,
        "archive": archive,
        "sys_path": sys.path,
        "packed": packed,
        "members": {name: getattr(obj, "__xlfunc__")["name"] for name, obj in vars(main).items()
                    if hasattr(obj, "__xlfunc__")},
        "meta": xlwings.server.custom_functions_meta(main),
        "calls": {
            "MARKETCAP": call("MARKETCAP", [[[100]], [[1000000]]]),
            "MARKETCAP range": call("MARKETCAP", [[[100, None], [-1, "abc"]], [[1000000]]]),
            "EV": call("EV", [[[500]], [[100]], [[20]], None, None, None]),
            "XLFUNCS": call("XLFUNCS", []),
        },
        "loaded": sorted({m.split(".")[0] for m, mod in sys.modules.items() if mod is not None}
                         - set(sys.stdlib_module_names)),
    }
print(json.dumps(out))
"""


def export(directory: Path, *argv: str) -> int:
    """``xlfuncs lite DIRECTORY ARGV...`` through the CLI hooks."""
    parser = argparse.ArgumentParser()
    lite.add_arguments(parser)
    return lite.run(parser.parse_args([str(directory), *argv]))


def numpy_and_xlwings_only(folder: Path) -> Path:
    """A folder holding numpy and xlwings (with their metadata) and nothing else."""
    folder.mkdir()
    for package in ("numpy", "xlwings"):
        location = Path(metadata.distribution(package).locate_file(""))
        for entry in location.iterdir():
            if re.fullmatch(rf"{package}(\.libs|-[^-]+\.dist-info)?", entry.name):
                try:
                    (folder / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
                except OSError:  # no symlinks (Windows without the privilege)
                    (shutil.copytree if entry.is_dir() else shutil.copy2)(entry, folder / entry.name)
    return folder


def run_in_lite_stand_in(main_py: Path, paths: list[Path], **options) -> dict:
    """Run ``main_py`` under the Office.js runtime with only the stdlib and ``paths`` importable."""
    work = main_py.parent.with_name(main_py.parent.name + "-run")  # beside the export, not in it
    temp = work / "tmp"  # where main.py unpacks xlfuncs
    temp.mkdir(parents=True, exist_ok=True)
    runner = work / "runner.py"
    runner.write_text(RUNNER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "XLWINGS"))}
    env.update(
        XLWINGS_ON_SERVER="true",
        XLWINGS_LICENSE_KEY="noncommercial",
        TMPDIR=str(temp),
        TEMP=str(temp),
        TMP=str(temp),
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            str(runner),
            str(main_py),
            json.dumps([str(p) for p in paths]),
            json.dumps(options),
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return numpy_and_xlwings_only(tmp_path_factory.mktemp("site") / "site-packages")


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("lite") / "xlfuncs-lite"
    assert export(directory) == 0
    return directory


@pytest.fixture(scope="module")
def in_lite(exported, site) -> dict:
    return run_in_lite_stand_in(exported / "main.py", [site])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel pip builds from the project (from a copy, so the work tree stays clean)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", *(p.name for p in ROOT.glob("LICEN[CS]E*"))):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "xlfuncs", source / "xlfuncs", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheelhouse")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(source), "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    [built] = out.glob("*.whl")
    return built


# --- the export -------------------------------------------------------------------------


def test_export_writes_main_and_requirements(exported):
    assert sorted(p.name for p in exported.iterdir()) == ["main.py", "requirements.txt"]
    main = (exported / "main.py").read_text(encoding="utf-8")
    head = main[:3000]
    assert head.startswith(f"# xlfuncs {__version__} for xlwings Lite")
    assert "xlfuncs lite" in head  # how to regenerate
    assert FETCHING == ["FILING", "FILINGS", "COINSUPPLY", "COINPRICE", "FXRATE"]
    for name in EXPORTED:
        assert name in head
    for name in FETCHING:
        assert name not in head
    assert "\r" not in main
    assert main.rstrip().endswith(
        "from xlfuncs.runtimes.excel import *  # noqa: E402,F401,F403  (one attribute per worksheet function)"
    )
    compile(main, "main.py", "exec")


def test_export_is_deterministic(tmp_path, exported):
    assert export(tmp_path / "again") == 0
    for name in ("main.py", "requirements.txt"):
        assert (tmp_path / "again" / name).read_bytes() == (exported / name).read_bytes(), name


def test_requirements_are_installable_in_pyodide(exported):
    lines = (exported / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert lines == [lite.XLWINGS_REQUIREMENT, "numpy"]
    for line in lines:
        name = re.match(r"[A-Za-z0-9_.-]+", line).group(0).lower()
        if name in PYODIDE_BUILT:
            assert line == name, f"{line!r}: a package built by Pyodide must not be pinned"
        else:  # xlwings: a pure-Python wheel on PyPI, installed by Lite from requirements.txt
            assert name == "xlwings", f"{line!r}: not a package xlwings Lite is known to provide"


def test_xlwings_line_is_the_tested_series():
    dependencies = re.search(
        r"^dependencies = \[(.*)\]$", (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M
    ).group(1)
    assert f'"{lite.XLWINGS_REQUIREMENT}"' in dependencies


def test_xlwings_line_can_be_left_out(tmp_path):
    assert export(tmp_path, "--xlwings", "") == 0
    assert (tmp_path / "requirements.txt").read_text(encoding="utf-8") == "numpy\n"


def test_packed_modules_are_the_runtime_closure(exported):
    modules = lite.runtime_modules()
    assert {
        f"xlfuncs.{m}"
        for m in (
            "runtimes.excel",
            "framework.sheet",
            "framework.spec",
            "framework.values",
            "framework.errors",
            "framework.rules",
            "functions.versions",
        )
    } <= set(modules)
    assert {"xlfuncs", "xlfuncs.framework", "xlfuncs.functions", "xlfuncs.runtimes"} <= set(
        modules
    )  # packages too
    assert not {m.rpartition(".")[2] for m in modules} & NOT_FOR_LITE
    # every module the exported kernels live in is packed, and nothing of the data layer
    assert {REGISTRY[name].kernel.__module__ for name in EXPORTED} <= set(modules)
    assert not [m for m in modules if m.split(".")[:2] == ["xlfuncs", "data"]]
    main = (exported / "main.py").read_text(encoding="utf-8")
    files = sorted(lite.module_path(m).relative_to(ROOT).as_posix() for m in modules)
    for file in files:
        assert file in main  # listed in the header
    blob = re.search(r'^_XLFUNCS_ZIP = """\n(.*?)\n"""$', main, re.S | re.M).group(1)
    data = base64.b64decode(blob)
    assert f"# Zip SHA-256: {hashlib.sha256(data).hexdigest()}" in main
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == files
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)  # no build time: same sources, same bytes
            source = (ROOT / info.filename).read_text(encoding="utf-8").replace("\r\n", "\n")
            assert archive.read(info).decode("utf-8") == source, info.filename


def test_export_refuses_a_module_lite_cannot_run(monkeypatch):
    real = lite.module_imports

    def imports(name):
        internal, external = real(name)
        return internal, external | (
            {"openpyxl", "subprocess"} if name == "xlfuncs.framework.sheet" else set()
        )

    monkeypatch.setattr(lite, "module_imports", imports)
    with pytest.raises(
        lite.LiteExportError,
        match=r"xlfuncs/framework/sheet\.py imports openpyxl.*sheet\.py imports subprocess",
    ):
        lite.build_main_py()


# --- main.py under the Office.js runtime, isolated from the repo --------------------------


def test_main_runs_the_packed_xlfuncs_only(in_lite, site, exported):
    assert in_lite["func_module"] == "xlwings.pro.udfs_officejs"
    archive = in_lite["archive"]
    assert Path(archive).parent == exported.with_name("xlfuncs-lite-run") / "tmp"
    assert Path(archive).name.startswith(f"xlfuncs-{__version__}-") and archive.endswith(".zip")
    assert in_lite["xlfuncs_file"] == os.path.join(archive, "xlfuncs", "__init__.py")
    assert in_lite["sys_path"][0] == archive
    others = [p for p in in_lite["sys_path"] if p not in (archive, str(site))]
    assert not [p for p in others if "site-packages" in p or p.startswith(str(ROOT)) or not p], others


def test_every_packed_module_imports_with_only_numpy_and_xlwings(in_lite):
    packed = in_lite["packed"]
    expected = set(lite.runtime_modules())
    assert set(packed) == expected
    for module, file in packed.items():
        assert file.startswith(in_lite["archive"]), f"{module}: {file}"
    assert set(in_lite["loaded"]) == {"__main__", "main", "numpy", "xlfuncs", "xlwings"}, in_lite["loaded"]


def test_main_exports_exactly_the_registry(in_lite):
    assert in_lite["members"] == {name: name for name in EXPORTED}
    ids = [f["id"] for f in in_lite["meta"]["functions"]]
    assert sorted(ids) == sorted(EXPORTED) and len(ids) == len(EXPORTED)


@pytest.mark.parametrize("name", EXPORTED)
def test_metadata_matches_the_specs(in_lite, name):
    spec = REGISTRY[name]
    [meta] = [f for f in in_lite["meta"]["functions"] if f["id"] == name]
    assert meta["name"] == name
    assert meta["description"] == spec.summary
    params = meta["parameters"]
    assert [p["name"] for p in params] == [a.name for a in spec.args]
    assert [p["description"] for p in params] == [a.doc for a in spec.args]
    assert [p.get("optional", False) for p in params] == [not a.required for a in spec.args]


def test_calls_through_custom_functions_call(in_lite):
    calls = in_lite["calls"]
    assert calls["MARKETCAP"] == [[100_000_000.0]]
    num, value = {"type": "Error", "errorType": "Num"}, {"type": "Error", "errorType": "Value"}
    na = {"type": "Error", "errorType": "NotAvailable"}
    assert calls["MARKETCAP range"] == [[100_000_000.0, na], [num, value]]
    assert calls["EV"] == [[580.0]]
    [[text]] = calls["XLFUNCS"]
    assert f"xlfuncs {__version__}" in text and "Office.js" in text


# --- the wheel, and main.py with --requirement -------------------------------------------


def test_wheel_is_pure_python(wheel):
    assert wheel.name == f"xlfuncs-{__version__}{PURE_PYTHON_TAG}"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = archive.read(f"xlfuncs-{__version__}.dist-info/WHEEL").decode()
        meta = archive.read(f"xlfuncs-{__version__}.dist-info/METADATA").decode()
    assert "Root-Is-Purelib: true" in info
    assert not [n for n in names if n.endswith((".so", ".pyd", ".dll", ".dylib"))]
    required = {
        re.match(r"[A-Za-z0-9_.-]+", line.split(":", 1)[1].strip()).group(0).lower()
        for line in meta.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    }
    # all install in Pyodide: numpy is built by Pyodide; xlwings, olefile, babel and platformdirs are
    # pure-Python wheels (babel reads the catalogues of other languages, platformdirs finds the
    # config file; the worksheet functions import neither)
    assert required == {"numpy", "xlwings", "olefile", "babel", "platformdirs"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory, wheel) -> Path:
    """The wheel unpacked as micropip would install it (numpy and xlwings are already there)."""
    target = tmp_path_factory.mktemp("installed")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def test_main_replaces_an_xlfuncs_imported_before_and_runs_twice(tmp_path, exported, installed, site):
    (tmp_path / "lite").mkdir()
    shutil.copy2(exported / "main.py", tmp_path / "lite" / "main.py")
    result = run_in_lite_stand_in(
        tmp_path / "lite" / "main.py", [site], import_first=[str(installed)], runs=2
    )
    assert result["imported_before"] == str(installed / "xlfuncs" / "runtimes" / "excel.py")
    assert result["xlfuncs_file"] == os.path.join(result["archive"], "xlfuncs", "__init__.py")
    assert all(f.startswith(result["archive"]) for f in result["packed"].values()), result["packed"]
    assert result["members"] == {name: name for name in EXPORTED}
    assert result["calls"]["MARKETCAP"] == [[100_000_000.0]]


def test_requirement_mode_imports_the_installed_wheel(tmp_path, wheel, installed, site):
    spec = f"xlfuncs @ https://example.org/wheels/{wheel.name}"
    assert export(tmp_path / "lite", "--requirement", spec) == 0
    main = (tmp_path / "lite" / "main.py").read_text(encoding="utf-8")
    assert "_XLFUNCS_ZIP" not in main and len(main) < 4000
    assert (tmp_path / "lite" / "requirements.txt").read_text(encoding="utf-8").splitlines() == [
        lite.XLWINGS_REQUIREMENT,
        "numpy",
        spec,
    ]
    result = run_in_lite_stand_in(tmp_path / "lite" / "main.py", [installed, site])
    assert result["archive"] is None
    assert result["xlfuncs_file"] == str(installed / "xlfuncs" / "__init__.py")
    assert result["members"] == {name: name for name in EXPORTED}
    assert result["calls"]["MARKETCAP"] == [[100_000_000.0]]

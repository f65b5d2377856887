"""xlfuncs doctor: one line per check, exit code 1 only with a FAIL (xlfuncs.doctor).

Here (Linux) the real run checks what needs no Excel; the Windows checks run
against the recording fake host (tests/helpers/windows_host.py) after a fake install.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from importlib import metadata
from pathlib import Path

import pytest

import xlfuncs.runtimes.excel
from tests.helpers.windows_host import FakeHost
from xlfuncs import REGISTRY, doctor
from xlfuncs.doctor import classic
from xlfuncs.runtimes import names
from xlfuncs.windows import addin, install
from xlfuncs.windows.winconfig import STORE_EXCEL, STORE_PYTHON, TRUST_HOWTO

XLWINGS = metadata.version("xlwings")


def run(capsys, *argv, host=None):
    parser = argparse.ArgumentParser(prog="xlfuncs doctor")
    doctor.add_arguments(parser)
    code = doctor.run(parser.parse_args(list(argv)), host=host)
    lines = capsys.readouterr().out.splitlines()
    for line in lines[:-1]:
        assert line.split(" ", 1)[0] in ("OK", "WARN", "FAIL"), line
    return code, lines


def by_what(lines):
    return {line[5:].split(":", 1)[0]: line for line in lines[:-1]}


@pytest.mark.skipif(sys.platform == "win32", reason="the run without Windows")
def test_without_windows_reports_what_it_can(capsys):
    code, lines = run(capsys)
    checks = by_what(lines)
    assert code == 0
    assert checks["platform"].startswith("WARN") and "desktop Excel needs Windows" in checks["platform"]
    for what in ("Python", "xlwings", "xlwings' add-in template", "module", "function names"):
        assert checks[what].startswith("OK"), checks[what]
    assert f"loads xlwings64-{XLWINGS}.dll" in checks["xlwings' add-in template"]
    assert f"{len(REGISTRY)} functions" in checks["function names"]
    assert "register them only on Windows" in checks["registration"]
    assert lines[-1] == f"{len(lines) - 2} OK, 1 WARN, 0 FAIL"


def test_addin_option_inspects_a_file(capsys, tmp_path):
    """The template patched but not yet through Excel: no functions, PROJECT_NAME still myaddin."""
    built = tmp_path / "xlfuncs.xlam"
    addin.make_addin(addin.template_path(), built, "xlfuncs", install.SHEET_SETTINGS)
    code, lines = run(capsys, "--addin", str(built))
    checks = by_what(lines)
    assert code == 1
    assert checks["add-in xlwings version"].startswith("OK")
    assert checks["add-in VBA project"].startswith("FAIL") and "'myaddin'" in checks["add-in VBA project"]
    assert checks["add-in functions"].startswith(f"FAIL add-in functions: {len(REGISTRY)} of {len(REGISTRY)}")
    assert checks["add-in config sheet"].startswith("OK")


def excel_built(info: addin.AddinInfo) -> addin.AddinInfo:
    """What the add-in holds after Excel ran the import (can't be made without Excel)."""
    return dataclasses.replace(
        info,
        project="xlfuncs",
        functions=tuple(REGISTRY),
        modules=tuple(sorted({*info.modules, "xlwings_udfs"})),
    )


@pytest.fixture
def windows(tmp_path, monkeypatch):
    """A fake Windows after `xlfuncs install`, as it would be with Excel's import done."""
    home = tmp_path / "home"
    python = home / "venv" / "Scripts" / "pythonw.exe"
    python.parent.mkdir(parents=True)
    python.touch()
    (home / "venv" / f"xlwings64-{XLWINGS}.dll").touch()  # where pip puts it (sys.prefix)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(sys, "executable", str(home / "venv" / "Scripts" / "python.exe"))
    host = FakeHost(tmp_path)
    assert install.install(host, home, python, out=lambda line: None) == 0
    inspect = addin.inspect_addin
    monkeypatch.setattr(addin, "inspect_addin", lambda path: excel_built(inspect(path)))
    for spec in REGISTRY.values():  # xlwings' classic decorators, as on Windows
        monkeypatch.setattr(getattr(xlfuncs.runtimes.excel, spec.excel_name), "__xlfunc__", {}, raising=False)
    return home, python, host


def test_healthy_windows(capsys, windows):
    code, lines = run(capsys, host=windows[2])
    checks = by_what(lines)
    assert code == 0 and lines[-1] == f"{len(lines) - 1} OK, 0 WARN, 0 FAIL", lines
    assert set(checks) >= {
        "platform",
        "Python",
        "xlwings",
        "Excel",
        "VBA project access",
        "add-in",
        "add-in xlwings version",
        "add-in functions",
        "add-in config sheet",
        "install record",
        "config INTERPRETER_WIN",
        "xlwings DLL",
        "module",
        "function names",
        "registration",
    }


def test_addin_of_another_xlwings_version(capsys, windows, monkeypatch):
    monkeypatch.setattr(
        addin,
        "inspect_addin",
        lambda path: addin.AddinInfo(
            ("xlwings", "xlwings_udfs"),
            ("xlwings32-0.30.0.dll", "xlwings64-0.30.0.dll"),
            "xlfuncs",
            tuple(REGISTRY),
            "xlfuncs.conf",
            {"UDF MODULES": "xlfuncs.runtimes.excel"},
        ),
    )
    code, lines = run(capsys, host=windows[2])
    line = by_what(lines)["add-in xlwings version"]
    assert code == 1 and line.startswith("FAIL") and "File not found: xlwings64-0.30.0.dll" in line
    assert line.endswith("Fix: run `xlfuncs install` again")


def test_missing_addin(capsys, windows):
    (windows[2].xlstart / "xlfuncs.xlam").unlink()
    code, lines = run(capsys, host=windows[2])
    checks = by_what(lines)
    assert code == 1 and checks["add-in"].startswith("FAIL") and "run `xlfuncs install`" in checks["add-in"]


def test_config_problems(capsys, windows, tmp_path):
    home, _python, host = windows
    config = home / ".xlfuncs" / "xlfuncs.conf"
    other = tmp_path / "other" / "pythonw.exe"
    other.parent.mkdir()
    other.touch()
    cases = {
        b"": ("FAIL", "not set in"),
        b'"INTERPRETER_WIN","C:\\gone\\pythonw.exe"\r\n': ("FAIL", "does not exist"),
        f'"INTERPRETER_WIN","{other}"\r\n'.encode(): ("WARN", "that Python needs xlfuncs installed"),
    }
    for content, (status, text) in cases.items():
        config.write_bytes(content)
        _code, lines = run(capsys, host=host)
        line = by_what(lines)["config INTERPRETER_WIN"]
        assert line.startswith(status) and text in line, line
    assert by_what(lines)["xlwings DLL"].startswith("FAIL")  # none beside the other Python
    assert f"Could not load xlwings64-{XLWINGS}.dll" in by_what(lines)["xlwings DLL"]


def test_store_builds_and_trust(capsys, windows):
    host = windows[2]
    host.excel = r"C:\Program Files\WindowsApps\Microsoft.Office.Desktop.Excel_16051.x64\Office16"
    host.trusted = None
    code, lines = run(capsys, host=host)
    checks = by_what(lines)
    assert (
        code == 1
        and checks["Excel"] == f"FAIL Excel: {host.excel} is the Microsoft Store build. Fix: {STORE_EXCEL}"
    )
    assert checks["VBA project access"].startswith("WARN") and checks["VBA project access"].endswith(
        TRUST_HOWTO
    )
    store = classic._python(Path(r"C:\Users\z\AppData\Local\Microsoft\WindowsApps\python.exe"))
    assert store.status == "FAIL" and store.fix == STORE_PYTHON


def test_a_broken_check_is_a_fail_not_a_crash(capsys, windows):
    def broken():
        raise OSError("registry unreadable")

    windows[2].excel_path = broken
    code, lines = run(capsys, host=windows[2])
    assert code == 1 and by_what(lines)["Excel"] == (
        "FAIL Excel: could not check: OSError: registry unreadable. Fix: report this to xlfuncs"
    )


def test_name_problems_fail(capsys, monkeypatch):
    monkeypatch.setattr(names, "problems", lambda: ["EV1: function name looks like a cell reference"])
    code, lines = run(capsys)
    assert code == 1 and by_what(lines)["function names"].startswith(
        "FAIL function names: 1 problems, first: EV1"
    )


def test_missing_addin_file_is_a_usage_error(capsys, tmp_path):
    parser = argparse.ArgumentParser(prog="xlfuncs doctor")
    doctor.add_arguments(parser)
    assert doctor.run(parser.parse_args(["--addin", str(tmp_path / "nope.xlam")])) == 2
    err = capsys.readouterr().err
    assert err.startswith("xlfuncs: error: --addin") and err.count("\n") == 1


def test_help(capsys):
    parser = argparse.ArgumentParser(prog="xlfuncs doctor")
    doctor.add_arguments(parser)
    with pytest.raises(SystemExit) as done:
        parser.parse_args(["--help"])
    assert done.value.code == 0 and "--addin PATH" in capsys.readouterr().out

"""xlfuncs install / uninstall against a recording fake of the Windows side (xlfuncs.windows.install).

The fake stands in for Excel over COM and for xlwings' CLI: ``import_functions``
records the call and marks the add-in as Excel would save it; ``xlwings addin
install/remove -f`` copies into / deletes from a fake XLSTART, as xlwings does.
Everything else is real: the add-in built from xlwings' template, the config
merge, the install record, the command line.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.helpers.windows_host import XLWINGS_SAID, FakeHost
from xlfuncs.windows import addin, install, uninstall
from xlfuncs.windows.winconfig import STORE_EXCEL, STORE_PYTHON

ROOT = Path(__file__).resolve().parents[2]
USER_KEYS = [
    ("CONDA PATH", r"C:\Users\Zoë\miniconda3"),
    ("CONDA ENV", "base"),
    ("PYTHONPATH", r"C:\work\lib"),
    ("INTERPRETER_WIN", r"C:\Users\Zoë\miniconda3\pythonw.exe"),
    ("UDF MODULES", "my_udfs"),
    ("DEBUG UDFS", "False"),
    ("USE UDF SERVER", "True"),
    ("SHOW CONSOLE", "False"),
    ("LICENSE_KEY", "noncommercial"),
    ("SHOW_ERROR_POPUPS", "False"),
]
USER_FILE = "".join(f'"{k}","{v}"\r\n' for k, v in USER_KEYS).encode("cp1252")


@pytest.fixture
def machine(tmp_path, monkeypatch):
    """A user profile, a venv interpreter, a fake Excel; HOME is the profile."""
    home = tmp_path / "home"
    home.mkdir()
    python = home / "AppData" / "Local" / "xlfuncs" / "venv" / "Scripts" / "pythonw.exe"
    python.parent.mkdir(parents=True)
    python.touch()
    monkeypatch.setenv("HOME", str(home))
    return home, python, FakeHost(tmp_path)


def snapshot(*roots: Path) -> dict:
    return {p: (p.read_bytes() if p.is_file() else "dir") for root in roots for p in sorted(root.rglob("*"))}


def do_install(machine, **options):
    home, python, host = machine
    lines = []
    code = install.install(host, home, python, out=lines.append, **options)
    return code, "\n".join(lines)


def do_uninstall(machine, **options):
    home, _, host = machine
    lines = []
    code = install.uninstall(host, home, out=lines.append, **options)
    return code, "\n".join(lines)


def conf(home: Path) -> Path:
    return home / ".xlfuncs" / "xlfuncs.conf"


def backups(home: Path) -> list[Path]:
    return sorted((home / ".xlfuncs").glob("xlfuncs.conf.*.bak"))


def test_install_sequence(machine):
    home, python, host = machine
    code, said = do_install(machine)
    assert code == 0
    staged = host.calls[1][-1]
    assert host.calls == [
        ("import_functions", "xlfuncs.xlam", "xlfuncs", "xlfuncs.runtimes.excel"),
        ("xlwings", "addin", "install", "-f", staged),
    ]
    assert Path(staged).name == "xlfuncs.xlam" and not Path(staged).parent.exists()  # temporary
    installed = host.xlstart / "xlfuncs.xlam"
    with zipfile.ZipFile(installed) as book:
        assert book.read("xl/saved-by-excel.txt")  # the file Excel saved is the one installed
    assert addin.inspect_addin(installed).config == {"UDF MODULES": "xlfuncs.runtimes.excel"}
    assert conf(home).read_bytes() == f'"INTERPRETER_WIN","{python}"\r\n'.encode()
    record = json.loads((home / ".xlfuncs" / "install.json").read_text())
    assert record["addin"]["path"] == str(installed)
    assert record["config"] == {
        "path": str(conf(home)),
        "created": True,
        "keys": {"INTERPRETER_WIN": {"previous": None, "value": str(python)}},
    }
    assert record["folder_created"] is True
    steps = [line.split(" ", 1)[0] for line in said.splitlines()]
    assert steps == ["build", "open", "run", "write", "write", "done:"]


def test_dry_run_names_every_file_and_action_and_changes_nothing(machine, tmp_path):
    _home, _python, host = machine
    before = snapshot(tmp_path)
    code, said = do_install(machine, dry_run=True)
    assert code == 0 and host.calls == [] and snapshot(tmp_path) == before
    assert (
        "would open" in said
        and "hidden Excel over COM" in said
        and "xlwings.import_udfs('xlfuncs.runtimes.excel')" in said
    )
    assert "would run `xlwings addin install -f" in said
    assert said.splitlines()[-1] == "dry run: nothing was changed"
    do_install(machine)
    written = [
        p for p, content in snapshot(tmp_path).items() if content != "dir" and before.get(p) != content
    ]
    assert written and all(str(p) in said for p in written), (written, said)


def test_second_install_changes_nothing(machine, tmp_path):
    _home, _python, host = machine
    do_install(machine)
    before, calls = snapshot(tmp_path), list(host.calls)
    code, said = do_install(machine)
    assert code == 0 and host.calls == calls and snapshot(tmp_path) == before
    assert "add-in up to date" in said and "config up to date" in said and "nothing to do" in said


def test_force_and_a_new_template_rebuild(machine):
    home, _python, host = machine
    do_install(machine)
    do_install(machine, force=True)
    assert [c[0] for c in host.calls] == ["import_functions", "xlwings"] * 2
    record_path = home / ".xlfuncs" / "install.json"
    record = json.loads(record_path.read_text())
    record["fingerprint"] = "built by another xlwings"
    record_path.write_text(json.dumps(record))
    do_install(machine)
    assert len(host.calls) == 6


@pytest.mark.parametrize("has_key", [True, False])
def test_merge_into_a_user_config_and_restore_it(machine, has_key):
    home, python, host = machine
    original = USER_FILE if has_key else USER_FILE.replace(b'"INTERPRETER_WIN"', b'"OTHER_KEY"')
    conf(home).parent.mkdir()
    conf(home).write_bytes(original)
    code, said = do_install(machine)
    assert code == 0 and f"backup of the old file: {backups(home)[0]}" in said
    assert backups(home)[0].read_bytes() == original
    ours = f'"INTERPRETER_WIN","{python}"'.encode()
    old_lines, new_lines = original.split(b"\r\n"), conf(home).read_bytes().split(b"\r\n")
    if has_key:  # replaced in place, nothing else moved
        assert [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b] == [3]
        assert new_lines[3] == ours and len(new_lines) == len(old_lines)
    else:  # appended
        assert new_lines == [*old_lines[:-1], ours, b""]
    do_install(machine)
    assert len(backups(home)) == 1  # the second run wrote nothing
    code, said = do_uninstall(machine)
    assert code == 0 and conf(home).read_bytes() == original
    assert not (home / ".xlfuncs" / "install.json").exists() and not (host.xlstart / "xlfuncs.xlam").exists()
    assert len(backups(home)) == 2  # the user's file is backed up before each change, backups kept


def test_uninstall_leaves_no_trace(machine, tmp_path):
    _home, _python, host = machine
    before = snapshot(tmp_path)
    do_install(machine)
    code, said = do_uninstall(machine)
    assert code == 0 and snapshot(tmp_path) == before
    assert host.calls[-1] == ("xlwings", "addin", "remove", "-f", "xlfuncs.xlam")
    assert "delete the empty folder" in said and said.splitlines()[-1].startswith("done:")


def test_uninstall_dry_run_changes_nothing(machine, tmp_path):
    home, _python, host = machine
    do_install(machine)
    before, calls = snapshot(tmp_path), len(host.calls)
    code, said = do_uninstall(machine, dry_run=True)
    assert code == 0 and snapshot(tmp_path) == before and len(host.calls) == calls
    for text in (
        "would run `xlwings addin remove -f xlfuncs.xlam`",
        f"would delete {conf(home)}",
        f"would delete {home / '.xlfuncs' / 'install.json'}",
        "would delete the empty folder",
    ):
        assert text in said


def test_uninstall_keeps_what_the_user_changed_since(machine):
    home, _python, _host = machine
    do_install(machine)
    edited = b'"INTERPRETER_WIN","C:\\mine\\pythonw.exe"\r\n"SHOW CONSOLE","True"\r\n'
    conf(home).write_bytes(edited)
    code, said = do_uninstall(machine)
    assert code == 0 and "INTERPRETER_WIN" in said and "changed after install; left as it is" in said
    assert conf(home).read_bytes() == edited and (home / ".xlfuncs").is_dir()


def test_reinstall_from_another_python_keeps_the_first_previous_value(machine, tmp_path):
    home, _python, host = machine
    conf(home).parent.mkdir()
    conf(home).write_bytes(USER_FILE)
    do_install(machine)
    other = tmp_path / "other" / "pythonw.exe"
    other.parent.mkdir()
    other.touch()
    assert install.install(host, home, other, out=lambda line: None) == 0
    assert f'"INTERPRETER_WIN","{other}"'.encode() in conf(home).read_bytes()
    do_uninstall(machine)
    assert conf(home).read_bytes() == USER_FILE


def run_cli(machine, command, *argv, capsys):
    parser = argparse.ArgumentParser(prog=f"xlfuncs {command}")
    if command == "install":
        install.add_arguments(parser)
        code = install.run(parser.parse_args(argv), host=machine[2])
    else:
        uninstall.add_arguments(parser)
        code = uninstall.run(parser.parse_args(argv), host=machine[2])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    assert err.startswith("xlfuncs: error: ") and err.count("\n") == 1 and "Traceback" not in err
    return err


def test_refuses_store_python(machine, tmp_path, capsys):
    store = tmp_path / "Microsoft" / "WindowsApps" / "pythonw.exe"
    store.parent.mkdir(parents=True)
    store.touch()
    before = snapshot(tmp_path)
    code, _out, err = run_cli(machine, "install", "--python", str(store), capsys=capsys)
    assert code == 1 and STORE_PYTHON in one_line_error(err) and snapshot(tmp_path) == before


def test_refuses_store_excel(machine, capsys):
    machine[2].excel = r"C:\Program Files\WindowsApps\Microsoft.Office.Desktop.Excel_16051.x64__8wekyb3d8bbwe"
    code, _out, err = run_cli(machine, "install", capsys=capsys)
    assert code == 1 and STORE_EXCEL in one_line_error(err) and machine[2].calls == []


def test_trust_setting_off_stops_before_excel(machine, tmp_path, capsys):
    machine[2].trusted = False
    before = snapshot(tmp_path)
    code, _out, err = run_cli(machine, "install", capsys=capsys)
    one_line_error(err)
    assert code == 1 and machine[2].calls == [] and snapshot(tmp_path) == before
    for where in (
        "File > Options > Trust Center > Trust Center Settings > Macro Settings",
        '"Trust access to the VBA project object model"',
        r"HKCU\Software\Microsoft\Office\16.0\Excel\Security, AccessVBOM = 1",
    ):
        assert where in err


@pytest.mark.parametrize(("python", "code"), [("missing/pythonw.exe", 2), ('say "hi"/pythonw.exe', 2)])
def test_unusable_interpreter_is_a_usage_error(machine, tmp_path, capsys, python, code):
    path = tmp_path / python
    if "hi" in python:
        path.parent.mkdir()
        path.touch()
    got, _out, err = run_cli(machine, "install", "--python", str(path), capsys=capsys)
    assert got == code and one_line_error(err) and machine[2].calls == []


def test_xlwings_cli_failure_is_reported_and_nothing_recorded(machine, tmp_path, capsys):
    machine[2].copies = False
    before = snapshot(tmp_path)
    code, _out, err = run_cli(machine, "install", capsys=capsys)
    assert code == 1 and XLWINGS_SAID in one_line_error(err) and "did not arrive" in err
    assert snapshot(tmp_path) == before


def test_a_failure_after_the_addin_keeps_the_record_for_uninstall(machine, capsys):
    home, _python, host = machine
    conf(home).mkdir(parents=True)  # a folder where the config file goes: the write fails
    code, _out, err = run_cli(machine, "install", capsys=capsys)
    assert code == 1 and one_line_error(err)
    record = json.loads((home / ".xlfuncs" / "install.json").read_text())
    assert "addin" in record and "config" not in record
    conf(home).rmdir()
    assert run_cli(machine, "uninstall", capsys=capsys)[0] == 0
    assert not (host.xlstart / "xlfuncs.xlam").exists()
    assert list((home / ".xlfuncs").iterdir()) == []  # the folder was there before install: kept


def test_uninstall_without_a_record(machine, capsys):
    _home, _python, host = machine
    code, out, err = run_cli(machine, "uninstall", capsys=capsys)
    assert code == 0 and "nothing to uninstall" in out
    (host.xlstart / "xlfuncs.xlam").write_bytes(b"someone else's")
    code, out, err = run_cli(machine, "uninstall", capsys=capsys)
    assert code == 1 and "was not installed by `xlfuncs install`" in one_line_error(err)
    assert (host.xlstart / "xlfuncs.xlam").exists()


def test_unexpected_errors_are_one_line(machine, capsys):
    def broken(*args):
        raise OSError("(-2147221005, 'Invalid class string')")

    machine[2].import_functions = broken
    code, _out, err = run_cli(machine, "install", capsys=capsys)
    assert code == 1 and "OSError: (-2147221005" in one_line_error(err)


@pytest.mark.skipif(sys.platform == "win32", reason="checks the non-Windows message")
def test_needs_windows(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    parser = argparse.ArgumentParser()
    install.add_arguments(parser)
    assert install.run(parser.parse_args([])) == 1
    assert "needs Windows with desktop Excel" in one_line_error(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


def test_excel_host_runs_xlwings_cli():
    """The real ExcelHost's call of xlwings' command line (here, where it can only fail for addin)."""
    host = object.__new__(install.ExcelHost)  # its __init__ refuses anything but Windows
    assert host.xlwings_cli("-v") == f"xlwings {__import__('xlwings').__version__}"
    with pytest.raises(install.InstallError) as raised:
        host.xlwings_cli("addin", "nonsense")
    assert str(raised.value).startswith("`xlwings addin nonsense` failed: cli.py addin: error: argument")
    if sys.platform != "win32":
        with pytest.raises(install.InstallError, match="only supported on Windows and macOS"):
            host.xlwings_cli("addin", "install", "-f", "xlfuncs.xlam")


def test_excel_host_com_session(monkeypatch):
    """The real ExcelHost.import_functions, with xlwings' App replaced by a recording fake:
    a hidden Excel without dialogs, the add-in opened, wrappers imported, saved, closed, Excel quit."""
    import xlfuncs.runtimes.excel

    events = []
    module = SimpleNamespace(
        CountOfLines=1,
        Lines=lambda n, count: 'Public Const PROJECT_NAME As String = "x"',
        ReplaceLine=lambda n, text: events.append(("ReplaceLine", text)),
    )

    class Components:
        Count = 5

        def __call__(self, name):
            return SimpleNamespace(CodeModule=module)

    class Book:
        api = SimpleNamespace(
            Name="xlfuncs.xlam", VBProject=SimpleNamespace(Name="MyAddin", VBComponents=Components())
        )

        def save(self):
            events.append(("save",))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            events.append(("close",))

    class App:
        def __init__(self, visible, add_book):
            events.append(("App", visible, add_book))
            self.books = SimpleNamespace(open=lambda path: events.append(("open", path)) or Book())

        display_alerts = property(None, lambda self, value: events.append(("display_alerts", value)))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            events.append(("quit",))

    def import_udfs(modules, workbook):
        events.append(("import_udfs", modules, workbook.Name))

    monkeypatch.setitem(sys.modules, "xlwings", SimpleNamespace(App=App, import_udfs=import_udfs))
    for name in xlfuncs.runtimes.excel.__all__:  # registered, as by xlwings' classic decorators on Windows
        monkeypatch.setattr(getattr(xlfuncs.runtimes.excel, name), "__xlfunc__", {}, raising=False)
    xlam = Path("C:/Temp/x/xlfuncs.xlam")
    object.__new__(install.ExcelHost).import_functions(xlam, "xlfuncs", "xlfuncs.runtimes.excel", "en")
    assert events == [
        ("App", False, False),
        ("display_alerts", False),
        ("open", str(xlam)),
        ("ReplaceLine", 'Public Const PROJECT_NAME As String = "xlfuncs"'),
        ("import_udfs", "xlfuncs.runtimes.excel", "xlfuncs.xlam"),
        ("save",),
        ("close",),
        ("quit",),
    ]
    assert Book.api.VBProject.Name == "xlfuncs"


@pytest.mark.parametrize("adder", [install.add_arguments, uninstall.add_arguments])
def test_help(adder, capsys):
    parser = argparse.ArgumentParser(prog="xlfuncs x")
    adder(parser)
    with pytest.raises(SystemExit) as done:
        parser.parse_args(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert done.value.code == 0 and "--dry-run" in out and " ".join(parser.description.split()) in out


def test_installer_scripts():
    """What can be checked without PowerShell: the wrapper, the messages, the commands."""
    cmd = (ROOT / "installer" / "install.cmd").read_text()
    assert '-ExecutionPolicy Bypass -File "%~dp0install.ps1" %*' in cmd
    ps1 = (ROOT / "installer" / "install.ps1").read_text(encoding="utf-8")
    for text in (
        r"$env:LOCALAPPDATA\xlfuncs\venv",
        '"-m", "venv"',
        '"-m", "pip", "install"',
        '"xlfuncs.cli", "install"',
        '"xlfuncs.cli", "uninstall"',
        "-m xlfuncs.cli doctor",
        '$options += "--dry-run"',
        "WindowsApps",
        r"\Packages\PythonSoftwareFoundation",
        "AccessVBOM",
        r"HKCU:\Software\Microsoft\Office\16.0\Excel\Security",
        "File > Options > Trust Center > Trust Center Settings > Macro Settings",
        '"Trust access to the VBA project object model"',
        "Microsoft Store",
    ):
        assert text in ps1, text
    code = re.sub(r"#.*|'[^']*'|\"(?:`.|[^\"`])*\"", "", ps1)  # without comments and strings
    for opening, closing in ("{}", "()", "[]"):
        assert code.count(opening) == code.count(closing), opening

"""xlwings' config file format (xlfuncs.windows.winconfig): merge without losing or moving anything."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import pytest

from xlfuncs.windows import winconfig
from xlfuncs.windows.winconfig import ConfigError

# A user config as xlwings writes it (VBA `Write #`: CRLF; `xlwings config create`,
# `license update`), with many keys that are none of our business.
USER_KEYS = [
    ("INTERPRETER_WIN", r"C:\Users\Zoë\miniconda3\pythonw.exe"),
    ("CONDA PATH", r"C:\Users\Zoë\miniconda3"),
    ("CONDA ENV", "base"),
    ("PYTHONPATH", r"C:\work\lib;%USERPROFILE%\shared"),
    ("UDF MODULES", "my_udfs;other_udfs"),
    ("DEBUG UDFS", "False"),
    ("USE UDF SERVER", "True"),
    ("SHOW CONSOLE", "False"),
    ("LICENSE_KEY", "noncommercial"),
    ("ONEDRIVE_CONSUMER_WIN", r"C:\Users\Zoë\OneDrive"),
    ("SHAREPOINT_WIN", r"C:\Users\Zoë\Company"),
    ("ADD_WORKBOOK_TO_PYTHONPATH", "False"),
]
USER_FILE = "".join(f'"{k}","{v}"\r\n' for k, v in USER_KEYS).encode("cp1252")


def test_encoding_is_the_ansi_code_page():
    assert ("mbcs" if sys.platform == "win32" else "cp1252") == winconfig.ENCODING


def test_read_crlf_and_lf_alike(tmp_path):
    crlf, lf = tmp_path / "crlf.conf", tmp_path / "lf.conf"
    crlf.write_bytes(USER_FILE)
    lf.write_bytes(USER_FILE.replace(b"\r\n", b"\n"))
    assert winconfig.read(crlf) == winconfig.read(lf) == [f'"{k}","{v}"' for k, v in USER_KEYS]
    assert winconfig.read(tmp_path / "missing.conf") == []


def test_get_is_case_insensitive_and_the_first_line_wins():
    lines = ['"Interpreter_Win","first"', '"INTERPRETER_WIN","second"', "garbage", ""]
    assert winconfig.get(lines, "INTERPRETER_WIN") == "first"
    assert winconfig.find(lines, "interpreter_win") == '"Interpreter_Win","first"'
    assert winconfig.get(lines, "PYTHONPATH") is None


def test_replace_keeps_every_other_line_in_place():
    lines = [f'"{k}","{v}"' for k, v in USER_KEYS] + ["not a setting", ""]
    new = winconfig.replace(lines, "show console", winconfig.line("SHOW CONSOLE", "True"))
    changed = [i for i, (a, b) in enumerate(zip(lines, new, strict=True)) if a != b]
    assert len(new) == len(lines) and changed == [7] and new[7] == '"SHOW CONSOLE","True"'
    appended = winconfig.replace(lines, "XLFUNCS_NEW", '"XLFUNCS_NEW","x"')
    assert appended == [*lines, '"XLFUNCS_NEW","x"']
    removed = winconfig.replace(lines, "CONDA ENV", None)
    assert removed == lines[:2] + lines[3:]
    assert winconfig.replace(lines, "ABSENT", None) == lines


def test_line_is_what_vba_writes():
    assert (
        winconfig.line("INTERPRETER_WIN", r"C:\a b\pythonw.exe") == r'"INTERPRETER_WIN","C:\a b\pythonw.exe"'
    )


@pytest.mark.parametrize("value", ['C:\\say "hi"\\python.exe', "two\r\nlines", ""])
def test_values_vba_cannot_read_back_are_refused(value):
    with pytest.raises(ConfigError) as raised:
        winconfig.line("INTERPRETER_WIN", value)
    assert raised.value.code == 2 and "\n" not in str(raised.value)


@pytest.mark.skipif(sys.platform == "win32", reason="the ANSI code page differs per Windows machine")
def test_values_outside_the_code_page_are_refused():
    with pytest.raises(ConfigError, match="ANSI code page"):
        winconfig.line("INTERPRETER_WIN", r"C:\Users\张伟\python.exe")
    assert winconfig.line("INTERPRETER_WIN", r"C:\Users\Zoë\python.exe")  # cp1252 holds ë


def test_write_crlf_ansi_with_backup(tmp_path):
    path = tmp_path / ".xlfuncs" / "xlfuncs.conf"
    path.parent.mkdir()
    path.write_bytes(USER_FILE)
    lines = winconfig.read(path)
    backup = winconfig.backup_path(path, datetime(2025, 1, 2, 3, 4, 5))
    assert backup.name == "xlfuncs.conf.20250102-030405.bak"
    winconfig.write(path, winconfig.replace(lines, "LICENSE_KEY", None), backup)
    assert backup.read_bytes() == USER_FILE
    assert path.read_bytes() == USER_FILE.replace(b'"LICENSE_KEY","noncommercial"\r\n', b"")
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(
        [backup.name, path.name]
    )  # no temporary left


def test_backup_names_never_collide(tmp_path):
    path = tmp_path / "x.conf"
    when = datetime(2025, 1, 2, 3, 4, 5)
    first = winconfig.backup_path(path, when)
    first.write_text("taken")
    second = winconfig.backup_path(path, when)
    assert second != first and second.name == "x.conf.20250102-030405-1.bak"


def test_unrelated_bytes_survive_a_rewrite(tmp_path):
    """A line in another encoding (UTF-8 from an editor, a byte cp1252 leaves undefined)
    comes back byte for byte; only our line changes."""
    path = tmp_path / "x.conf"
    odd = '"NOTE","Zoë ✓"'.encode() + b"\r\n" + b'"RAW","\x81\x8d"\n'
    path.write_bytes(odd)
    winconfig.write(path, winconfig.replace(winconfig.read(path), "K", '"K","v"'))
    assert path.read_bytes() == odd + b'"K","v"\r\n'  # each line keeps its own end


def test_merge_is_idempotent(tmp_path):
    path = tmp_path / "x.conf"
    path.write_bytes(USER_FILE)
    writes = 0
    for _ in range(2):
        lines = winconfig.read(path)
        new = winconfig.replace(
            lines, "INTERPRETER_WIN", winconfig.line("INTERPRETER_WIN", r"C:\v\pythonw.exe")
        )
        if new != lines:
            winconfig.write(path, new)
            writes += 1
    _first, rest = USER_FILE.split(b"\r\n", 1)
    assert writes == 1 and path.read_bytes() == b'"INTERPRETER_WIN","C:\\v\\pythonw.exe"\r\n' + rest


def test_xlwings_reads_what_we_write(tmp_path, monkeypatch):
    """xlwings' own reader (utils.read_user_config) sees our merge as intended (ASCII
    here: it opens the file in the locale's encoding, the ANSI code page on Windows)."""
    import xlwings
    import xlwings.utils

    keys = [(k, v.replace("ë", "e")) for k, v in USER_KEYS]
    path = tmp_path / ".xlwings" / "xlwings.conf"
    path.parent.mkdir()
    path.write_bytes("".join(f'"{k}","{v}"\r\n' for k, v in keys).encode())
    lines = winconfig.read(path)
    winconfig.write(
        path,
        winconfig.replace(lines, "interpreter_win", winconfig.line("INTERPRETER_WIN", r"C:\v\pythonw.exe")),
    )
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(path))
    expected = {k.lower(): os.path.expandvars(v) for k, v in keys} | {"interpreter_win": r"C:\v\pythonw.exe"}
    assert xlwings.utils.read_user_config() == expected


def test_paths():
    home = Path("/home/zoe")
    assert winconfig.user_config(home) == home / ".xlfuncs" / "xlfuncs.conf"
    assert winconfig.user_config(home, "xlwings") == home / ".xlwings" / "xlwings.conf"
    assert winconfig.xlstart(Path("/r/AppData/Roaming")) == Path("/r/AppData/Roaming/Microsoft/Excel/XLSTART")


def test_excel_python_prefers_pythonw(tmp_path):
    python = tmp_path / "python.exe"
    python.touch()
    assert winconfig.excel_python(python) == python
    (tmp_path / "pythonw.exe").touch()
    assert winconfig.excel_python(python) == tmp_path / "pythonw.exe"


@pytest.mark.parametrize(
    ("path", "store"),
    [
        (r"C:\Users\z\AppData\Local\Microsoft\WindowsApps\python.exe", True),
        (
            r"C:\Program Files\WindowsApps\PythonSoftwareFoundation.Python.3.11_3.11.2544.0_x64__qbz5\python.exe",
            True,
        ),
        (
            r"C:\Users\z\AppData\Local\Packages\PythonSoftwareFoundation.Python.3.11_qbz5\LocalCache\python.exe",
            True,
        ),
        (r"C:\Users\z\AppData\Local\Programs\Python\Python311\pythonw.exe", False),
        (r"C:\Users\z\AppData\Local\xlfuncs\venv\Scripts\pythonw.exe", False),
    ],
)
def test_store_python(path, store):
    assert winconfig.store_python(path) is store


def test_store_excel():
    assert winconfig.store_excel(
        r"C:\Program Files\WindowsApps\Microsoft.Office.Desktop.Excel_16051.x64\Office16"
    )
    assert not winconfig.store_excel(r"C:\Program Files\Microsoft Office\root\Office16")


# Exact restore: install then uninstall gives the file back byte for byte, and install keeps
# the file's own line ends: LF or CRLF per line, a BOM with our key on line 1, lone CRs as
# line ends.
KEY, NEW = "INTERPRETER_WIN", r"C:\new\pythonw.exe"
ODD_FILES = {
    "LF": b'"INTERPRETER_WIN","C:\\old\\pythonw.exe"\n"CONDA ENV","base"\n',
    "mixed": b'"CONDA ENV","base"\r\n"INTERPRETER_WIN","old"\n"SHOW CONSOLE","False"\r\n\n',
    "no final newline": b'"CONDA ENV","base"\r\n"INTERPRETER_WIN","old"',
    "no final newline, key absent": b'"CONDA ENV","base"\n"PYTHONPATH","x"',
    "BOM, key on line 1": b'\xef\xbb\xbf"INTERPRETER_WIN","old"\r\n"CONDA ENV","base"\r\n',
    "BOM, key absent": b'\xef\xbb\xbf"CONDA ENV","base"\r\n',
    "lone CR": b'"CONDA ENV","base"\r"INTERPRETER_WIN","old"\r"PYTHONPATH","x"\r',
    "empty": b"",
    "blank lines only": b"\r\n\r\n",
}


def install_then_uninstall(path):
    """What xlfuncs install and uninstall do to the file (xlfuncs.windows.install), with the
    previous line kept in install.json in between."""
    import json

    lines = winconfig.read(path)
    previous = json.loads(json.dumps(winconfig.find(lines, KEY)))
    winconfig.write(path, winconfig.replace(lines, KEY, winconfig.line(KEY, NEW)))
    installed = path.read_bytes()
    lines = winconfig.read(path)
    assert winconfig.get(lines, KEY) == NEW
    winconfig.write(path, winconfig.replace(lines, KEY, previous))
    return installed


@pytest.mark.parametrize("label", list(ODD_FILES))
def test_install_then_uninstall_restores_byte_for_byte(tmp_path, label):
    path = tmp_path / "xlfuncs.conf"
    path.write_bytes(ODD_FILES[label])
    install_then_uninstall(path)
    assert path.read_bytes() == ODD_FILES[label]


@pytest.mark.parametrize(
    ("label", "end"), [("LF", b"\n"), ("lone CR", b"\r"), ("BOM, key on line 1", b"\r\n")]
)
def test_install_keeps_the_files_own_line_ends(tmp_path, label, end):
    path = tmp_path / "xlfuncs.conf"
    path.write_bytes(ODD_FILES[label])
    installed = install_then_uninstall(path)
    rest = installed.replace(end, b"")
    assert b"\r" not in rest and b"\n" not in rest, installed
    assert installed.startswith(winconfig.BOM) == label.startswith("BOM")
    assert NEW.encode() in installed


def test_a_new_file_is_crlf_as_vba_writes(tmp_path):
    path = tmp_path / "new.conf"
    winconfig.write(path, winconfig.replace(winconfig.read(path), KEY, winconfig.line(KEY, NEW)))
    assert path.read_bytes() == b'"INTERPRETER_WIN","C:\\new\\pythonw.exe"\r\n'


@pytest.mark.parametrize("label", ["lone CR", "BOM, key on line 1", "mixed", "no final newline"])
def test_lines_are_split_as_xlwings_reads_them(tmp_path, monkeypatch, label):
    """xlwings' own reader and winconfig find the same INTERPRETER_WIN in the same file."""
    import xlwings
    import xlwings.utils

    path = tmp_path / "xlwings.conf"
    path.write_bytes(ODD_FILES[label])
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(path))
    monkeypatch.setattr("locale.getpreferredencoding", lambda *a: "cp1252")
    theirs = xlwings.utils.read_user_config()
    assert winconfig.get(winconfig.read(path), KEY) == theirs["interpreter_win"] == "old"

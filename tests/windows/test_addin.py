"""The add-in file (xlfuncs.windows.addin): zip patch of xlwings' template, VBA read from disk, COM glue.

The COM half runs against xlwings' REAL classic ``import_udfs`` in a subprocess
(tests/helpers/classic_harness.py: pywin32 stubbed, a recording fake workbook): what
Excel itself does with the VBA is on the manual checklist.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

import pytest

from xlfuncs import REGISTRY
from xlfuncs.windows import addin
from xlfuncs.windows.winconfig import InstallError

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = addin.template_path()
XLWINGS = metadata.version("xlwings")
SETTINGS = {"UDF Modules": "xlfuncs.runtimes.excel"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("addin") / "xlfuncs.xlam"
    addin.make_addin(TEMPLATE, out, "xlfuncs", SETTINGS)
    return out


def test_template_is_xlwings_own():
    assert TEMPLATE.name == "quickstart_addin.xlam" and TEMPLATE.parent.name == "xlwings"
    info = addin.inspect_addin(TEMPLATE)
    assert info.xlwings_version == XLWINGS
    assert info.dlls == (f"xlwings32-{XLWINGS}.dll", f"xlwings64-{XLWINGS}.dll")
    assert info.project == "myaddin" and "xlwings" in info.modules and info.functions == ()
    assert info.config_sheet is None  # "_myaddin.conf": the underscore switches it off


def test_patch_changes_only_the_config_sheet(built):
    with zipfile.ZipFile(TEMPLATE) as old, zipfile.ZipFile(built) as new:
        assert new.testzip() is None
        assert new.namelist() == old.namelist()
        changed = [n for n in old.namelist() if old.read(n) != new.read(n)]
        assert changed == ["xl/workbook.xml", "xl/worksheets/sheet1.xml"]
        assert new.read("xl/vbaProject.bin") == old.read("xl/vbaProject.bin")
        assert [i.compress_type for i in new.infolist()] == [i.compress_type for i in old.infolist()]


def test_patched_addin_reads_back(built):
    info = addin.inspect_addin(built)
    assert info.config_sheet == "xlfuncs.conf"
    assert info.config == {"UDF MODULES": "xlfuncs.runtimes.excel"}  # only keys with values: none blank
    assert info.xlwings_version == XLWINGS


def test_patched_sheet_is_valid_spreadsheetml(built):
    """openpyxl (a second reader) sees the same sheet; it only refuses the add-in content type."""
    openpyxl = pytest.importorskip("openpyxl")
    buffer = io.BytesIO()
    with zipfile.ZipFile(built) as source, zipfile.ZipFile(buffer, "w") as copy:
        for name in source.namelist():
            data = source.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(b"addin.macroEnabled.main", b"sheet.macroEnabled.main")
            copy.writestr(name, data)
    book = openpyxl.load_workbook(buffer)
    assert book.sheetnames == ["xlfuncs.conf"]
    assert [[c.value for c in row] for row in book.active.iter_rows()] == [
        ["UDF Modules", "xlfuncs.runtimes.excel"]
    ]


def test_blank_settings_are_refused(tmp_path):
    with pytest.raises(InstallError, match="without a value"):
        addin.make_addin(TEMPLATE, tmp_path / "x.xlam", "xlfuncs", {"UDF Modules": "m", "PYTHONPATH": ""})


def test_config_sheet_read_like_vba(tmp_path):
    """The template's own sheet switched on (shared strings, booleans, blank values): read
    from A1 down to the first empty key, keys upper-cased; the blanks are why we never
    write a key without a value (a blank INTERPRETER_WIN there would hide the user file)."""
    path = tmp_path / "on.xlam"
    with zipfile.ZipFile(TEMPLATE) as source, zipfile.ZipFile(path, "w") as copy:
        for info in source.infolist():
            data = source.read(info)
            copy.writestr(info, data.replace(b'name="_myaddin.conf"', b'name="myaddin.conf"'))
    info = addin.inspect_addin(path)
    assert info.config_sheet == "myaddin.conf"
    assert info.config == {
        "INTERPRETER_WIN": "",
        "INTERPRETER_MAC": "",
        "PYTHONPATH": "",
        "CONDA PATH": "",
        "CONDA ENV": "",
        "UDF MODULES": "",
        "DEBUG UDFS": False,
        "USE UDF SERVER": False,
        "SHOW CONSOLE": False,
    }


def test_unreadable_addin(tmp_path):
    bad = tmp_path / "bad.xlam"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InstallError, match="not a readable add-in"):
        addin.inspect_addin(bad)


def test_decompress_uncompressed_chunk():
    raw = bytes(range(256)) * 16  # 4096 bytes stored as they are
    header = struct.pack("<H", 0x3000 | (4096 + 2 - 3))
    assert addin.decompress(b"\x01" + header + raw) == raw


def test_decompress_refuses_other_data():
    with pytest.raises(ValueError):
        addin.decompress(b"\x00abc")


def _template_xlwings_module() -> list[str]:
    """The VBA module xlwings of the template as Excel's CodeModule shows it (no Attribute lines)."""
    with zipfile.ZipFile(TEMPLATE) as book:
        source = addin.vba_modules(book.read("xl/vbaProject.bin"))["xlwings"]
    return [line for line in source.splitlines() if not line.startswith("Attribute ")]


class CodeModule:
    """Excel's VBIDE CodeModule, 1-based, as far as rename_project uses it."""

    def __init__(self, lines):
        self.lines = list(lines)

    @property
    def CountOfLines(self):
        return len(self.lines)

    def Lines(self, start, count):
        return "\r\n".join(self.lines[start - 1 : start - 1 + count])

    def ReplaceLine(self, number, text):
        self.lines[number - 1] = text


def test_rename_project_changes_one_line():
    before = _template_xlwings_module()
    module = CodeModule(before)
    project = SimpleNamespace(Name="MyAddin", VBComponents=lambda name: SimpleNamespace(CodeModule=module))
    addin.rename_project(project, "xlfuncs")
    changed = [(a, b) for a, b in zip(before, module.lines, strict=True) if a != b]
    assert changed == [
        ('Public Const PROJECT_NAME As String = "myaddin"', 'Public Const PROJECT_NAME As String = "xlfuncs"')
    ]
    assert project.Name == "xlfuncs"


def test_rename_project_needs_the_constant():
    project = SimpleNamespace(
        Name="P", VBComponents=lambda name: SimpleNamespace(CodeModule=CodeModule(["x"]))
    )
    with pytest.raises(InstallError, match="PROJECT_NAME not found"):
        addin.rename_project(project, "xlfuncs")


class Untrusted:
    Name = "xlfuncs.xlam"

    @property
    def VBProject(self):
        raise RuntimeError("(-2146827284, 'Programmatic access to Visual Basic Project is not trusted')")


def test_import_functions_explains_the_trust_setting():
    with pytest.raises(InstallError) as raised:
        addin.import_functions(Untrusted(), "xlfuncs", "xlfuncs.runtimes.excel")
    message = str(raised.value)
    assert "Trust Center Settings > Macro Settings" in message and "AccessVBOM" in message
    assert "not trusted" in message


def test_import_functions_needs_an_xlam_name():
    with pytest.raises(InstallError, match=r"opened as an \.xlam"):
        addin.import_functions(SimpleNamespace(Name="xlfuncs.xlsm"), "xlfuncs", "xlfuncs.runtimes.excel")


@pytest.mark.skipif(sys.platform == "win32", reason="on Windows the classic decorators are active")
def test_import_functions_refuses_a_module_without_registration():
    """Here xlwings' decorators do nothing: importing would give an add-in without functions."""
    book = SimpleNamespace(
        Name="xlfuncs.xlam", VBProject=SimpleNamespace(VBComponents=SimpleNamespace(Count=5))
    )
    with pytest.raises(InstallError, match="registers no function"):
        addin.import_functions(book, "xlfuncs", "xlfuncs.runtimes.excel")


CLASSIC = r"""
import contextlib, json, sys, zipfile
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import classic_harness as classic
classic.install()
from win32com.client import CDispatch
from xlfuncs.windows import addin

with zipfile.ZipFile(addin.template_path()) as book:
    source = addin.vba_modules(book.read("xl/vbaProject.bin"))["xlwings"]

class CodeModule:
    def __init__(self, lines): self.lines = lines
    CountOfLines = property(lambda self: len(self.lines))
    def Lines(self, start, count): return "\r\n".join(self.lines[start - 1:start - 1 + count])
    def ReplaceLine(self, number, text): self.lines[number - 1] = text

module = CodeModule([l for l in source.splitlines() if not l.startswith("Attribute ")])
workbook = classic.FakeWorkbook("xlfuncs.xlam")
workbook._components["xlwings"] = classic.PyIDispatch("VBComponent", {"Name": "xlwings", "CodeModule": module})
workbook.com.VBProject.Name = "MyAddin"
workbook.com.VBProject.VBComponents.Count = 5
with contextlib.redirect_stdout(sys.stderr):  # import_udfs prints
    addin.import_functions(CDispatch(workbook.com), "xlfuncs", "xlfuncs.runtimes.excel")
json.dump({"project_lines": [l for l in module.lines if "PROJECT_NAME As" in l],
           "vbproject": workbook.com.VBProject.Name,
           "bas": workbook.imported[-1][1], "removed": workbook.removed,
           "macro_options": workbook.macro_options}, sys.stdout)
"""


@pytest.fixture(scope="module")
def classic_import():
    env = {k: v for k, v in __import__("os").environ.items() if k != "XLWINGS_ON_SERVER"}
    done = subprocess.run(
        [sys.executable, "-c", CLASSIC, str(ROOT / "tests" / "helpers"), str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_classic_import_renames_the_project(classic_import):
    assert classic_import["project_lines"] == ['Public Const PROJECT_NAME As String = "xlfuncs"']
    assert classic_import["vbproject"] == "xlfuncs"


def test_classic_import_writes_addin_wrappers(classic_import):
    """xlwings' real import_udfs, called by our glue on an .xlam: one wrapper per
    function, calling xlfuncs.runtimes.excel with ActiveWorkbook (the caller's workbook)."""
    bas = classic_import["bas"]
    assert bas.startswith('Attribute VB_Name = "xlwings_udfs"')
    for spec in REGISTRY.values():
        assert f"Function {spec.excel_name}(" in bas
        assert f'XLPy.CallUDF("xlfuncs.runtimes.excel", "{spec.excel_name}", ' in bas
    assert "ActiveWorkbook" in bas and "ThisWorkbook" not in bas
    assert sorted(addin._FUNCTION.findall(bas)) == sorted(REGISTRY)


def test_classic_import_sets_the_function_wizard_texts(classic_import):
    options = dict(classic_import["macro_options"])
    assert sorted(options) == sorted(f"'xlfuncs.xlam'!{name}" for name in REGISTRY)
    for spec in REGISTRY.values():
        kwargs = options[f"'xlfuncs.xlam'!{spec.excel_name}"]
        assert kwargs["Category"] == "xlfuncs" and kwargs["Description"] == spec.summary[:255]
        assert kwargs["ArgumentDescriptions"] == ([a.doc[:255] for a in spec.args] or None)

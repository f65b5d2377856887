"""Classic Excel: ``xlfuncs install --lang de`` sets the Function Wizard texts in German."""

from __future__ import annotations

import argparse
import json
from types import SimpleNamespace

from tests.helpers.windows_host import FakeHost
from xlfuncs import REGISTRY, i18n
from xlfuncs.windows import addin, install


class Workbook:
    """The add-in's COM workbook, recording ``Application.MacroOptions``."""

    Name = "xlfuncs.xlam"

    def __init__(self):
        self.options = {}
        self.Application = SimpleNamespace(
            MacroOptions=lambda macro, **kw: self.options.__setitem__(macro, kw)
        )


def test_describe_sets_every_function_in_german():
    book = Workbook()
    addin.describe(book, "de")
    assert sorted(book.options) == sorted(f"'xlfuncs.xlam'!{name}" for name in REGISTRY)
    for spec in REGISTRY.values():
        summary, arguments = i18n.function_texts(spec, "de")
        kwargs = book.options[f"'xlfuncs.xlam'!{spec.excel_name}"]
        assert kwargs["Description"] == summary and len(summary) <= addin.WIZARD_LIMIT
        assert kwargs["ArgumentDescriptions"] == ([arguments[a.name] for a in spec.args] or None)
        assert kwargs["Category"] == "xlfuncs"


def machine(tmp_path, monkeypatch):
    home = tmp_path / "home"
    python = home / "venv" / "Scripts" / "pythonw.exe"
    python.parent.mkdir(parents=True)
    python.touch()
    monkeypatch.setenv("HOME", str(home))
    return home, python, FakeHost(tmp_path)


def test_install_in_german_then_english_rebuilds(tmp_path, monkeypatch):
    home, python, host = machine(tmp_path, monkeypatch)
    assert install.install(host, home, python, lang="de", out=lambda line: None) == 0
    assert host.calls[0] == ("import_functions", "xlfuncs.xlam", "xlfuncs", install.MODULES, "de")
    assert json.loads((home / ".xlfuncs" / "install.json").read_text())["lang"] == "de"
    install.install(host, home, python, lang="de", out=lambda line: None)
    assert len(host.calls) == 2  # up to date in German: nothing rebuilt
    install.install(host, home, python, lang="en", out=lambda line: None)
    assert host.calls[2] == ("import_functions", "xlfuncs.xlam", "xlfuncs", install.MODULES)


def test_an_unknown_language_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    _home, python, host = machine(tmp_path, monkeypatch)
    args = argparse.Namespace(python=python, dry_run=False, force=False, lang="xx")
    assert install.run(args, host) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no catalogue for language 'xx'" in err
    assert host.calls == []

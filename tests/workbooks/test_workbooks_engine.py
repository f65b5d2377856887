"""``xlfuncs workbooks --engine``: formulas by default, the engine named, one line when it cannot run."""

from __future__ import annotations

import pytest

from xlfuncs import cli
from xlfuncs.calc.libreoffice import engine as libreoffice
from xlfuncs.workbooks import templates


@pytest.fixture
def written(monkeypatch):
    """The engine each ``write_all`` was given; nothing is built."""
    engines = []

    def write_all(directory, force=False, **options):
        engines.append(options["engine"])
        return 0

    monkeypatch.setattr(templates, "write_all", write_all)
    return engines


def test_formulas_by_default_so_the_books_do_not_depend_on_what_is_installed(tmp_path, written, capsys):
    assert cli.main(["workbooks", str(tmp_path)]) == 0
    assert written == ["formulas"]
    assert capsys.readouterr().out.splitlines()[0] == "stored values computed with formulas"


def test_auto_names_the_engine_it_chose(tmp_path, written, capsys, monkeypatch):
    monkeypatch.setattr(libreoffice, "engine_available", lambda: False)
    assert cli.main(["workbooks", str(tmp_path), "--engine", "auto"]) == 0
    assert written == ["formulas"]
    assert "stored values computed with formulas" in capsys.readouterr().out


def test_libreoffice_that_cannot_run_is_one_line_and_writes_nothing(tmp_path, written, capsys, monkeypatch):
    monkeypatch.setattr(libreoffice, "engine_available", lambda: False)
    assert cli.main(["workbooks", str(tmp_path / "out"), "--engine", "libreoffice"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("xlfuncs workbooks: error: the LibreOffice engine needs")
    assert written == [] and not (tmp_path / "out").exists()


def test_rows_out_of_range_is_refused_before_the_engine_is_chosen(tmp_path, written, capsys):
    assert cli.main(["workbooks", str(tmp_path), "--rows", "0", "--engine", "libreoffice"]) == 2
    assert "rows must be between 1 and" in capsys.readouterr().err
    assert written == []

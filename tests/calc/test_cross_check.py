"""``xlfuncs calc --cross-check``: both engines compute the book, and the cells where they disagree
are listed.  A name the workbook does not define is ``#NAME?`` in LibreOffice, as in Excel, while
``formulas`` answers ``#REF!``.  These tests need LibreOffice; they fail, never skip, without it.
"""

from __future__ import annotations

import json

import openpyxl
import pytest

from xlfuncs.calc import command
from xlfuncs.calc.results import Summary


@pytest.fixture(autouse=True)
def _own_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XLFUNCS_LIBREOFFICE_KEEP", "0")


def book(path, formulas: dict[str, str]):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"], ws["A2"] = 1, 3
    for cell, formula in formulas.items():
        ws[cell] = formula
    wb.save(path)
    return path


AGREED = {"B2": "=A1+A2", "B3": "=A1/A2*3", "B4": '="x"&A1', "B5": "=1/0", "B6": "=A2>A1"}


def run(*args) -> tuple[int, list[str]]:
    lines: list[str] = []
    return command.main([str(a) for a in args], echo=lines.append), lines


def test_cells_where_the_engines_disagree_are_listed(tmp_path):
    src = book(tmp_path / "differ.xlsx", {"B1": "=undefined_name", **AGREED})
    code, lines = run(src, "-o", tmp_path / "out.xlsx", "--engine", "libreoffice", "--cross-check")
    assert code == 0, lines
    assert lines[-2:] == [
        "cross-check: libreoffice and formulas disagree on 1 cell",
        "  S!B1: libreoffice #NAME?, formulas #REF!",
    ]
    assert openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["S"]["B1"].value == "#NAME?"
    code, lines = run(src, "-o", tmp_path / "out2.xlsx", "--engine", "formulas", "--cross-check", "--json")
    assert code == 0, lines
    summary = json.loads(lines[0])
    assert summary["cross_checked"] == "libreoffice"
    assert summary["disagreements"] == [{"cell": "S!B1", "formulas": "#REF!", "libreoffice": "#NAME?"}]
    assert openpyxl.load_workbook(tmp_path / "out2.xlsx", data_only=True)["S"]["B1"].value == "#REF!"


def test_a_book_both_engines_agree_on(tmp_path):
    src = book(tmp_path / "agree.xlsx", AGREED)
    code, lines = run(src, "-o", tmp_path / "out.xlsx", "--cross-check")
    assert code == 0, lines
    assert lines[-1] == "cross-check: libreoffice and formulas agree on every cell"
    code, lines = run(src, "-o", tmp_path / "out.xlsx", "--cross-check", "--json")
    assert json.loads(lines[0])["disagreements"] == []
    code, lines = run(src, "-o", tmp_path / "out.xlsx", "--json")  # without: no such keys
    assert "disagreements" not in json.loads(lines[0])


def test_the_text_summary_shows_twenty_disagreements(tmp_path):
    summary = Summary(tmp_path, tmp_path, 25, 0.0, engine="libreoffice", cross_checked="formulas")
    summary.disagreements = [(f"S!A{i}", i, i + 1) for i in range(1, 26)]
    lines = summary.lines()
    assert (
        lines[-1] == "  ... 5 more (--json lists every one)"
        and lines[-2] == "  S!A20: libreoffice 20, formulas 21"
    )
    assert len(summary.as_dict()["disagreements"]) == 25


def test_without_libreoffice_the_cross_check_fails_in_one_line(tmp_path, monkeypatch):
    from xlfuncs.calc.libreoffice import engine as libreoffice

    monkeypatch.setattr(libreoffice, "engine_available", lambda: False)
    src = book(tmp_path / "book.xlsx", AGREED)
    code, lines = run(src, "-o", tmp_path / "out.xlsx", "--engine", "formulas", "--cross-check")
    assert code == 2 and len(lines) == 1 and "LibreOffice" in lines[0]
    assert not (tmp_path / "out.xlsx").exists()

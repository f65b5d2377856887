"""`xlfuncs demo`: builds and computes the templates, checks every example, fails on a wrong figure."""

import contextlib
import dataclasses
import re
import subprocess
import sys

import openpyxl
import pytest

import xlfuncs.workbooks.demo as demo
from xlfuncs.calc.libreoffice import engine as libreoffice
from xlfuncs.workbooks.examples import EXAMPLES

FIGURES = sum(len(e.figures) for e in EXAMPLES)
NO_LIBREOFFICE = "LibreOffice with the add-in's needs is not installed (scripts/test.sh installs it)"


@pytest.mark.parametrize("engine", ["formulas", "libreoffice"])
def test_every_figure_of_both_articles_checks_out(engine, tmp_path):
    if engine == "libreoffice" and not libreoffice.engine_available():
        pytest.skip(NO_LIBREOFFICE)
    lines = []
    assert demo.main(tmp_path, out=lines.append, engine=engine) == 0, "\n".join(lines)
    assert lines[0] == f"Building the template workbooks in {tmp_path}/, computed with {engine} ..."
    assert lines[-3:] == [
        f"\nChecks (our functions against native Excel): {FIGURES} of {FIGURES} OK.",
        f"Matches the article (article inputs): {FIGURES} of {FIGURES}.",
        f"{FIGURES} of {FIGURES} figures OK, 0 mismatches.",
    ]
    assert not any("LibreOffice failed" in line for line in lines)  # no silent fallback to formulas
    _labels_are_resolved(lines)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "article_examples.xlsx",
        "universe_screen.xlsx",
        "valuation_bridge.xlsx",
    ]


def _inputs(sheet: str) -> dict:
    return {i.name: i.value for i in next(e for e in EXAMPLES if e.sheet == sheet).inputs}


def _labels_are_resolved(lines: list[str]) -> None:
    """Labels and notes show numbers and words, as the workbook's label formulas compute them."""
    text = "\n".join(lines)
    assert "[[" not in text and "]]" not in text and not re.search(r"\{\w+\}", text)
    labels = {line[3:].split(" article: ")[0].rstrip() for line in lines if " article: " in line}
    assert len(labels) > 40
    buyback, sizes = _inputs("11 Buyback"), _inputs("2 Price vs size")
    change = buyback["price_after"] / buyback["price"] - 1  # 54 / 50 - 1: up 8 %
    assert f"Market cap after (price up {change * 100:.1f}%)" in labels
    assert f"Your stake's value if the price stays at ${buyback['price']:,.2f}" in labels
    assert f"Your stake's value at ${buyback['price_after']:,.2f}" in labels
    assert f"A: shares ({sizes['times']} × B's)" in labels
    assert {
        "Market cap after (price up 8.0%)",
        "Your stake's value at $54.00",
        "A: shares (5 × B's)",
    } <= labels


@pytest.mark.skipif(not libreoffice.engine_available(), reason=NO_LIBREOFFICE)
def test_the_other_engine_finds_the_same_workbooks_unchanged(tmp_path):
    """LibreOffice stores a logical result as 1 (formulas: TRUE); a rerun with the other engine is no edit."""
    assert demo.main(tmp_path, out=lambda _: None, engine="libreoffice") == 0
    book = openpyxl.load_workbook(tmp_path / "article_examples.xlsx", data_only=True)
    assert book.worksheets[0]["E5"].value == 1 and book["1 Market cap"]["B9"].value is True
    lines = []
    assert demo.main(tmp_path, out=lines.append, engine="formulas") == 0, "\n".join(lines)
    assert sum(line.endswith(": unchanged (classic form)") for line in lines) == 3


def test_an_engine_that_cannot_run_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(libreoffice, "engine_available", lambda: False)
    lines = []
    assert demo.main(tmp_path / "demo", out=lines.append, engine="libreoffice") == -1
    assert len(lines) == 1 and lines[0].startswith("xlfuncs demo: error: the LibreOffice engine needs")
    assert not (tmp_path / "demo").exists()


def test_a_wrong_figure_is_reported(tmp_path, monkeypatch):
    first = EXAMPLES[0]
    wrong = dataclasses.replace(first, figures=(dataclasses.replace(first.figures[0], expected=1.0),))
    monkeypatch.setattr(demo, "EXAMPLES", (wrong, *EXAMPLES[1:]))
    lines = []
    assert demo.main(tmp_path, out=lines.append) == 1
    assert any("MISMATCH" in line for line in lines)


def test_cli_demo_exit_code_and_help(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "xlfuncs.cli", "demo", str(tmp_path)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "0 mismatches" in run.stdout and not run.stderr
    default = "libreoffice" if libreoffice.engine_available() else "formulas"  # auto, as xlfuncs calc
    assert run.stdout.splitlines()[0].endswith(f"computed with {default} ...")
    bad = subprocess.run(
        [sys.executable, "-m", "xlfuncs.cli", "demo", str(tmp_path), "--engine", "excel"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "--engine: invalid choice: 'excel'" in bad.stderr
    helped = subprocess.run([sys.executable, "-m", "xlfuncs.cli", "--help"], capture_output=True, text=True)
    assert helped.returncode == 0
    for command in ("demo", "workbooks", "calc", "version"):
        assert command in helped.stdout


def test_a_fallback_to_formulas_is_said(tmp_path, monkeypatch):
    """Where LibreOffice fails on a book, calc computes it with formulas; the demo says so per book."""

    def fails(path, **options):
        raise libreoffice.LibreOfficeError("Calc aborted importing the book")

    monkeypatch.setattr(libreoffice, "engine_available", lambda: True)
    monkeypatch.setattr(libreoffice, "started", lambda: contextlib.nullcontext(None))  # no LibreOffice
    monkeypatch.setattr(libreoffice, "compute", fails)
    lines = []
    assert demo.main(tmp_path, out=lines.append, engine="libreoffice") == 0
    fallback = [line for line in lines if "LibreOffice failed" in line]
    assert fallback == [  # in the order the books are computed: the quickest to write first
        f"{name}: computed with formulas (LibreOffice failed: LibreOfficeError: Calc aborted importing the book)"
        for name in ("valuation_bridge.xlsx", "article_examples.xlsx", "universe_screen.xlsx")
    ]

"""`xlfuncs demo`: builds and computes the templates, checks every example, fails on a wrong figure."""

import dataclasses
import subprocess
import sys

import xlfuncs.workbooks.demo as demo
from xlfuncs.workbooks.examples import EXAMPLES


def test_every_figure_of_both_articles_checks_out(tmp_path):
    lines = []
    assert demo.main(tmp_path, out=lines.append) == 0
    figures = sum(len(e.figures) for e in EXAMPLES)
    assert lines[-1].strip() == f"{figures} of {figures} figures OK, 0 mismatches."
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "article_examples.xlsx",
        "universe_screen.xlsx",
        "valuation_bridge.xlsx",
    ]


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
    helped = subprocess.run([sys.executable, "-m", "xlfuncs.cli", "--help"], capture_output=True, text=True)
    assert helped.returncode == 0
    for command in ("demo", "workbooks", "calc", "version"):
        assert command in helped.stdout

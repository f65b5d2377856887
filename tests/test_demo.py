"""`xlfuncs demo`: every worked example computes, and a wrong figure makes it fail."""

import dataclasses
import subprocess
import sys

import xlfuncs.demo as demo
from xlfuncs.examples import EXAMPLES


def test_every_figure_of_both_articles_checks_out():
    lines = []
    assert demo.main(out=lines.append) == 0
    figures = sum(len(e.figures) for e in EXAMPLES)
    assert lines[-1].strip() == f"{figures} of {figures} figures OK, 0 mismatches."


def test_articles_own_figures_are_reproduced():
    """The figures the articles state themselves (not hand-computed ones) all match."""
    stated = {(e.sheet, f.label): f.expected for e in EXAMPLES for f in e.figures
              if not f.article.startswith("no figure")}
    assert stated[("1 Market cap", "Market cap")] == 100e6
    assert stated[("5 ABC EV", "Enterprise value")] == 1.4e9
    assert stated[("5 ABC EV", "EV above market cap")] == 400e6
    assert stated[("7 FD market cap", "Fully diluted market cap")] == 700e6
    assert stated[("8 XYZ FD EV", "FD EV (gross)")] == 500e6
    for example in EXAMPLES:
        for row in demo.run_example(example):
            assert row["ok"], (example.sheet, row["figure"].label, row["ours"], row["native"])


def test_a_wrong_figure_is_reported(monkeypatch):
    first = EXAMPLES[0]
    wrong = dataclasses.replace(first, figures=(dataclasses.replace(first.figures[0], expected=1.0),))
    monkeypatch.setattr(demo, "EXAMPLES", (wrong,))
    lines = []
    assert demo.main(out=lines.append) == 1
    assert any("MISMATCH" in line for line in lines)


def test_cli_demo_exit_code_and_help():
    run = subprocess.run([sys.executable, "-m", "xlfuncs.cli", "demo"], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "0 mismatches" in run.stdout
    helped = subprocess.run([sys.executable, "-m", "xlfuncs.cli", "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "demo" in helped.stdout

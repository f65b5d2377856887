"""The README's function reference is the one the specs generate, and CI runs the README's test command."""

from pathlib import Path

from xlfuncs import REGISTRY
from xlfuncs.docs import END, START, reference

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_reference_matches_specs():
    block = README.split(START, 1)[1].split(END, 1)[0]
    assert block.strip() == reference().strip(), "run: python -m xlfuncs.docs README.md"


def test_every_function_documented():
    for spec in REGISTRY.values():
        assert f"### `{spec.excel_name}(" in README
        assert spec.summary and spec.formula, spec.excel_name
        for arg in spec.args:
            assert arg.doc, f"{spec.excel_name}.{arg.name} has no description"


def test_ci_runs_the_readme_test_command():
    command = "bash scripts/test.sh"
    assert command in README
    ci = [
        line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")
    ]
    assert command in ci

"""article_examples.xlsx is a live model: changed inputs keep every check green (computed by xlfuncs calc)."""

from __future__ import annotations

import datetime as dt
import random
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from xlfuncs.calc.workbook import calc
from xlfuncs.workbooks.article_book import CHANGED, CHECK, MATCH, MATCHES, OK, example_layout
from xlfuncs.workbooks.examples import EXAMPLES, Input
from xlfuncs.workbooks.templates import build

SETS = 3  # random valid input sets per sheet


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("live") / "article_examples.xlsx"
    build("article_examples.xlsx", path)
    return path


def _random_inputs(rng: random.Random, inputs: tuple[Input, ...]) -> dict[str, list]:
    """Valid values: numbers scaled by 0.2-5x, bounded inputs below their bound, dates kept in order."""
    out: dict[str, list] = {}
    for item in sorted(inputs, key=lambda i: bool(i.upto)):  # bounds first
        values = list(item.value) if isinstance(item.value, tuple) else [item.value]
        if item.upto:
            bound = out[item.upto][0]
            new = [bound * rng.uniform(0.01, 0.45) for _ in values]
        elif isinstance(values[0], dt.date):
            shift = -rng.randint(0, 3000) if item.name == "ipo_date" else rng.randint(0, 300)
            new = [v + dt.timedelta(days=shift) for v in values]
        else:
            new = [v * rng.uniform(0.2, 5) if isinstance(v, (int, float)) and v else v for v in values]
        out[item.name] = new
    return out


def _set_inputs(src: Path, dst: Path, values: dict[str, dict[str, list]]) -> None:
    """Write the new input constants into the sheet XML (cached values elsewhere are recomputed)."""
    from xlfuncs.calc.workbook import write_values

    cells = {}
    for example in EXAMPLES:
        layout = example_layout(example)
        for item in example.inputs:
            first, _ = layout["inputs"][item.name]
            links = item.links or (None,) * len(values[example.sheet][item.name])
            for i, value in enumerate(values[example.sheet][item.name]):
                if links[i]:
                    continue  # a cell taken from another sheet
                if isinstance(value, dt.date):
                    value = (value - dt.date(1899, 12, 30)).days
                cells[(example.sheet, f"B{first + i + 1}")] = value
    write_values(src, dst, cells)


@pytest.mark.parametrize("seed", range(SETS))
def test_random_valid_inputs_never_turn_a_check_red(book, tmp_path, seed):
    rng = random.Random(seed)
    values = {e.sheet: _random_inputs(rng, e.inputs) for e in EXAMPLES}
    changed = tmp_path / "article_examples.xlsx"
    _set_inputs(book, changed, values)
    summary = calc(changed)
    assert not summary.errors, summary.lines()
    wb = openpyxl.load_workbook(changed, data_only=True)
    red = []
    for example in EXAMPLES:
        ws, layout = wb[example.sheet], example_layout(example)
        assert ws.cell(layout["article_inputs"] + 1, 2).value is False, example.sheet
        for first, last in layout["figures"].values():
            for r in range(first + 1, last + 2):
                if ws.cell(r, CHECK + 1).value != OK:
                    red.append((example.sheet, r, ws.cell(r, 2).value, ws.cell(r, 3).value))
                assert ws.cell(r, MATCH + 1).value == CHANGED
    assert not red
    contents = wb["Contents"]
    total = 5 + len(EXAMPLES)
    assert contents.cell(total, 4).value == 0  # no check failed
    assert contents.cell(total, 6).value == 0  # no figure compared with the article
    assert contents.cell(total, 5).value == f"{len(EXAMPLES)} changed"


def test_with_the_articles_inputs_every_figure_matches_and_contents_tallies_both(book):
    wb = openpyxl.load_workbook(book, data_only=True)
    figures = 0
    for example in EXAMPLES:
        ws, layout = wb[example.sheet], example_layout(example)
        assert ws.cell(layout["article_inputs"] + 1, 2).value is True
        for first, last in layout["figures"].values():
            for r in range(first + 1, last + 2):
                figures += 1
                assert (ws.cell(r, CHECK + 1).value, ws.cell(r, MATCH + 1).value) == (OK, MATCHES)
    contents = wb["Contents"]
    total = 5 + len(EXAMPLES)
    assert [contents.cell(total, c).value for c in range(3, 8)] == [figures, 0, "0 changed", figures, 0]


def _verdicts(path: Path) -> dict[str, str]:
    wb = openpyxl.load_workbook(path, data_only=True)
    return {e.sheet: wb[e.sheet]["A5"].value for e in EXAMPLES if e.verdict}


def test_the_text_of_each_flag_with_the_articles_inputs(book):
    verdicts = _verdicts(book)
    assert verdicts == {
        "2 Price vs size": "Check of the article: The article's answer does not hold: 5 times the shares at "
        "$3.00 against $30.00 is 0.50x B's market cap ($150.0m against $300.0m). A is bigger only "
        "with more than 10.00x B's shares.",
        "6 Net cash": "Check of the article: The article's condition is incomplete: cash above the market "
        "cap is not enough. EV < 0 exactly when cash > market cap + debt. B: cash $250.0m against market "
        "cap + debt $210.0m gives EV -$40.0m; C: cash $250.0m against market cap $200.0m + debt $100.0m "
        "= $300.0m gives EV $50.0m.",
        "11 Buyback": "Check of the article: Holds in part. The market cap can indeed fall while the price "
        "rises; here it goes from $5,000.0m to $4,860.0m with the price up 8.0%. But at a stable price "
        "your stake is a larger percentage (1.00% to 1.11%), not worth more money: 1,000,000 shares × "
        "$50.00 = $50.0m before and after. It is worth more only if the price rises.",
    }
    wb = openpyxl.load_workbook(book, data_only=True)
    buyback = wb["11 Buyback"]
    labels = [buyback.cell(r, 1).value for r in range(1, 40)]
    assert "Market cap after (price up 8.0%)" in labels
    assert "Your stake's value if the price stays at $50.00" in labels
    assert "Your stake's value at $54.00" in labels
    change = labels.index("Change in your stake (relative)") + 1
    assert buyback.cell(change, 2).value == pytest.approx(1 / 9)  # 1.00 % -> 1.11 % is a rise of 11.1 %
    assert "A: shares (5 × B's)" in [wb["2 Price vs size"].cell(r, 1).value for r in range(1, 30)]


def test_flags_follow_changed_inputs(book, tmp_path):
    values = {
        e.sheet: {i.name: list(i.value) if isinstance(i.value, tuple) else [i.value] for i in e.inputs}
        for e in EXAMPLES
    }
    values["2 Price vs size"]["times"] = [20]
    values["11 Buyback"]["price_after"] = [45]
    changed = tmp_path / "article_examples.xlsx"
    _set_inputs(book, changed, values)
    calc(changed)
    verdicts = _verdicts(changed)
    assert verdicts["2 Price vs size"].startswith(
        "Check of the article: With these inputs the article's answer holds: 20 times the shares"
    )
    assert "with the price down 10.0%" in verdicts["11 Buyback"]
    assert "$5,000.0m to $4,050.0m" in verdicts["11 Buyback"]


def test_no_result_is_a_typed_number():
    """Every figure cell is a formula; an input cell of sheet 14 taken from another sheet is one too."""
    with zipfile.ZipFile(Path(__file__).resolve().parents[2] / "workbooks" / "article_examples.xlsx") as z:
        names = [n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
        xml = {n: z.read(n).decode() for n in names}
    assert len(xml) == 1 + len(EXAMPLES)
    for i, example in enumerate(EXAMPLES):
        sheet = xml[f"xl/worksheets/sheet{i + 2}.xml"]
        layout = example_layout(example)
        for first, last in layout["figures"].values():
            for r in range(first + 1, last + 2):
                for col in "CGH":  # column B of a spilled figure holds its formula in the first row
                    cell = re.search(rf'<c r="{col}{r}"[^>]*?(?:/>|>.*?</c>)', sheet).group(0)
                    assert "<f" in cell, (example.sheet, col, r)

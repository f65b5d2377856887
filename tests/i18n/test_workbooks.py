"""German templates and demo: the same numbers as English, every check OK, no English text left."""

from __future__ import annotations

import re

import openpyxl
import pytest

import xlfuncs
from xlfuncs import i18n
from xlfuncs.workbooks import demo
from xlfuncs.workbooks.demo import read_examples
from xlfuncs.workbooks.examples import EXAMPLES
from xlfuncs.workbooks.style import CONTEXT
from xlfuncs.workbooks.templates import TEMPLATES, cells, write_all

ROWS = 60  # companies in universe_screen: enough for every size class, quick to compute


#: The row labels FDBRIDGE returns: results of a function, the same in every language, as its name.
BRIDGE_LABELS = set(
    xlfuncs.fdbridge(10, 100, 20, 0, counts=[1], strikes=[5], conv_principal=[10], conv_price=[5])
)


def english_texts() -> set[str]:
    """The workbook texts of the English catalogue whose German differs (patterns left out)."""
    return {
        m.id
        for m in i18n.catalogue("de")
        if m.id and m.context == CONTEXT and m.string != m.id and not re.search(r"\{\w*\}|\[\[", m.id)
    } - BRIDGE_LABELS


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    root = tmp_path_factory.mktemp("books")
    for lang in ("en", "de"):
        assert write_all(root / lang, out=lambda _: None, rows=ROWS, lang=lang) == 0
    return root


def text_values(path):
    wb = openpyxl.load_workbook(path, data_only=True)
    return {
        (ws.title, c.coordinate): c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    }


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_german_and_english_compute_the_same_numbers(books, name):
    english, german = cells(books / "en" / name), cells(books / "de" / name)
    assert set(english) == set(german)
    numbers = 0
    for key, (formula, value) in english.items():
        other_formula, other_value = german[key]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            assert other_value == value, key
            numbers += 1
        if isinstance(formula, str) and formula.startswith("=") and formula != value and '"' not in formula:
            assert other_formula == formula, key
    assert numbers > 50


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_check_is_ok(books, lang):
    for example, rows, _ in read_examples(books / lang / "article_examples.xlsx"):
        for row in rows:
            assert row["ok"], (lang, example.sheet, row["label"])
    for name in TEMPLATES:
        values = set(text_values(books / lang / name).values())
        assert not values & {"MISMATCH", "DIFFERS", "CHECK"}, (lang, name)


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_german_books_hold_no_english_text_of_the_catalogue(books, name):
    english = english_texts()
    german = text_values(books / "de" / name)
    assert {k: v for k, v in german.items() if v in english} == {}
    assert len(set(german.values()) & set(text_values(books / "en" / name).values()) & english) == 0


def test_the_article_sheets_quote_the_articles_in_german(books):
    wb = openpyxl.load_workbook(books / "de" / "article_examples.xlsx", data_only=True)
    for example in EXAMPLES:
        shown = {c.value for row in wb[example.sheet].iter_rows(max_row=6) for c in row}
        assert f"„{example.quote}“" in shown or any(example.quote in str(v) for v in shown), example.sheet


def test_demo_in_german(tmp_path):
    lines: list[str] = []
    assert demo.main(tmp_path, out=lines.append, engine="formulas", lang="de") == 0, "\n".join(lines)
    said = "\n".join(lines)
    assert "51 von 51 Kennzahlen OK, 0 Abweichungen." in said
    assert f"{tmp_path / 'article_examples.xlsx'}: geschrieben (Form classic)" in said
    for pattern in demo.MESSAGES.values():
        assert pattern.split("{")[0].strip() not in said or not pattern.split("{")[0].strip()
    english = english_texts()
    assert [t for t in english if len(t) > 20 and t in said] == []
    assert all(i18n.text("de", e.title, CONTEXT) in said for e in EXAMPLES)

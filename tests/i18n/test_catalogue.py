"""The catalogue: complete, current, within the Function Wizard's limit, and the language choice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from xlfuncs import i18n
from xlfuncs.functions import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
#: Excel's Function Wizard (``Application.MacroOptions``) cuts a description at 255 characters.
WIZARD_LIMIT = 255


def read(path):
    with path.open("rb") as f:
        return read_po(f)


def translations():
    return [lang for lang in i18n.languages() if lang != i18n.ENGLISH]


def test_german_is_there():
    assert i18n.languages() == ("en", "de")


def test_the_template_is_what_the_specs_say():
    """scripts/catalogue.py run again writes the committed template byte for byte."""
    code = "import sys; sys.path.insert(0, 'scripts'); import catalogue; sys.stdout.buffer.write(catalogue.pot_text())"
    fresh = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=True).stdout
    assert fresh == i18n.TEMPLATE.read_bytes()


@pytest.mark.parametrize("lang", translations())
def test_every_text_is_translated(lang):
    """Every msgid of the template has a finished (not fuzzy, not empty) msgstr."""
    catalogue = i18n.catalogue(lang)
    missing = [
        f"{m.context}: {m.id}"
        for m in read(i18n.TEMPLATE)
        if m.id and ((e := catalogue.get(m.id, m.context)) is None or e.fuzzy or not e.string)
    ]
    assert missing == []


@pytest.mark.parametrize("lang", translations())
def test_function_wizard_texts_fit(lang):
    too_long = [
        (m.context, len(m.string))
        for m in i18n.catalogue(lang)
        if m.id and m.context not in ("workbooks", "cli") and len(m.string) > WIZARD_LIMIT
    ]
    assert too_long == []


def test_every_registered_function_reads_german():
    for spec in REGISTRY.values():
        summary, arguments = i18n.function_texts(spec, "de")
        assert summary != spec.summary, spec.excel_name
        assert [a for a in spec.args if a.doc and arguments[a.name] == a.doc] == [], spec.excel_name


def test_german_uses_the_analysts_terms():
    de = {s: i18n.function_texts(REGISTRY[s], "de")[0] for s in ("MARKETCAP", "EV", "FDMCAP", "FREEFLOAT")}
    assert de["MARKETCAP"].startswith("Marktkapitalisierung")
    assert de["EV"].startswith("Unternehmenswert")
    assert de["FDMCAP"].startswith("Voll verwässerte Marktkapitalisierung")
    assert "Streubesitz" in de["FREEFLOAT"]
    assert "im Geld" in i18n.function_texts(REGISTRY["FDSHARES"], "de")[1]["price"]


def test_english_is_the_spec():
    spec = REGISTRY["MARKETCAP"]
    assert i18n.function_texts(spec, "en") == (spec.summary, {a.name: a.doc for a in spec.args})


def test_a_text_not_in_the_catalogue_stays_english():
    assert i18n.text("de", "no such text", "MARKETCAP") == "no such text"


def test_language_from_option_then_setting_then_english(monkeypatch, tmp_path):
    monkeypatch.delenv(i18n.ENV, raising=False)
    monkeypatch.setenv("XLFUNCS_CONFIG", os.devnull)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")  # the machine's locale never decides
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    assert i18n.choose() == "en"
    config = tmp_path / "config.ini"
    config.write_text("[xlfuncs]\nlang = de\n", encoding="utf-8")
    monkeypatch.setenv("XLFUNCS_CONFIG", str(config))
    assert i18n.choose() == "de"
    monkeypatch.setenv(i18n.ENV, "en")
    assert i18n.choose() == "en"
    assert i18n.choose("de-AT") == "de"
    assert i18n.choose("DE_ch") == "de"


def test_an_unknown_language_is_refused_with_the_choices(monkeypatch):
    monkeypatch.delenv(i18n.ENV, raising=False)
    with pytest.raises(i18n.LanguageError, match="'xx'; available: en, de"):
        i18n.choose("xx")

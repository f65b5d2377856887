"""The commands' messages: every one in the catalogue, German when the setting says so, and
nothing of the English catalogue left in what a German command prints.
"""

from __future__ import annotations

import os
import string

import pytest
from babel.messages.pofile import read_po

from tests.helpers.command_line import run_cli, small_book
from xlfuncs import i18n
from xlfuncs.i18n import messages


def cli_entries():
    with i18n.TEMPLATE.open("rb") as f:
        return [m for m in read_po(f) if m.id and m.context == messages.CONTEXT]


def fields(pattern: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}


def english_left(output: str, lang: str = "de") -> list[str]:
    """The parts of English messages (between their fields) that ``output`` holds, where the
    translation differs (words of 8 or more characters, so ``: `` or ``, `` count as nothing).
    """
    left = []
    for entry in cli_entries():
        translated = i18n.text(lang, entry.id, messages.CONTEXT)
        for literal, *_ in string.Formatter().parse(entry.id):
            words = literal.strip(" :;,.()")
            if len(words) >= 8 and words not in translated and words in output:
                left.append(words)
    return left


def german(tmp_path, **more: str) -> dict[str, str]:
    """The environment of a command run in German, with nothing of this machine's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLFUNCS_")}
    return {**env, "XLFUNCS_LANG": "de", "XLFUNCS_CACHE_DIR": str(tmp_path / "cache"), **more}


def test_the_catalogue_holds_the_commands_messages():
    ids = {m.id for m in cli_entries()}
    assert "xlfuncs {command}: error: {exc}" in ids  # the data commands' one-line error
    assert "{source}: offline and nothing cached for {url}" in ids  # raised as a pattern
    assert ". Fix: {fix}" in ids  # doctor


@pytest.mark.parametrize("lang", [lang for lang in i18n.languages() if lang != i18n.ENGLISH])
def test_a_translation_fills_in_the_same_fields(lang):
    """A translation that dropped or renamed a field would fail when the message is printed."""
    wrong = [m.id for m in cli_entries() if fields(i18n.text(lang, m.id, messages.CONTEXT)) != fields(m.id)]
    assert wrong == []


def test_the_setting_chooses_and_a_bad_one_prints_english(monkeypatch):
    monkeypatch.setenv("XLFUNCS_CONFIG", os.devnull)
    monkeypatch.setenv(i18n.ENV, "de")
    assert messages.msg("{path}: no such file", path="a.sql") == "a.sql: Datei nicht gefunden"
    with messages.speaking("en"):
        assert messages.msg("{path}: no such file", path="a.sql") == "a.sql: no such file"
    monkeypatch.setenv(i18n.ENV, "xx")
    assert messages.msg("{path}: no such file", path="a.sql") == "a.sql: no such file"


def test_doctor_in_german(tmp_path):
    proc = run_cli("doctor", env=german(tmp_path))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "OK   Funktionsnamen: " in out
    assert "OK   Modul: xlfuncs.runtimes.excel lässt sich importieren" in out
    assert "OK   Registrierung: " in out
    assert english_left(out) == []
    workbook = run_cli("doctor", "--workbook", str(small_book(tmp_path / "b.xlsx")), env=german(tmp_path))
    assert workbook.stdout.startswith("OK   Arbeitsmappe: b.xlsx speichert ")
    assert english_left(workbook.stdout) == []


def test_filings_error_line_in_german(tmp_path):
    proc = run_cli("filings", "TSLA", env=german(tmp_path, XLFUNCS_OFFLINE="1"))
    assert proc.returncode == 1
    assert proc.stderr == (
        "xlfuncs filings: Fehler: sec: offline und nichts im Cache für "
        "https://www.sec.gov/files/company_tickers.json\n"
    )
    assert english_left(proc.stderr) == []


def test_filings_and_sql_refusals_in_german(tmp_path):
    filings = run_cli("filings", env=german(tmp_path))
    assert (filings.returncode, filings.stderr) == (
        2,
        "xlfuncs filings: Fehler: eine Unternehmens-ID angeben, oder --many IDS.txt -o FILE\n",
    )
    sql = run_cli("sql", "SELECT 1", "--table", "t=missing.csv", env=german(tmp_path))
    assert (sql.returncode, sql.stderr) == (2, "xlfuncs sql: Fehler: missing.csv: Datei nicht gefunden\n")


def test_english_without_a_setting(tmp_path):
    env = {k: v for k, v in german(tmp_path).items() if k != "XLFUNCS_LANG"}
    proc = run_cli("filings", "TSLA", env={**env, "XLFUNCS_OFFLINE": "1"})
    assert proc.stderr == (
        "xlfuncs filings: error: sec: offline and nothing cached for "
        "https://www.sec.gov/files/company_tickers.json\n"
    )


def test_calc_in_german(tmp_path):
    book = small_book(tmp_path / "b.xlsx", formulas=2)
    proc = run_cli("calc", str(book), "--engine", "formulas", env=german(tmp_path))
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.splitlines()
    assert first.startswith("b.xlsx: 2 Formelzellen in ")
    assert first.endswith(" s mit formulas berechnet, Werte geschrieben in dieselbe Datei")
    assert second == "keine Fehlerwerte"
    assert english_left(proc.stdout) == []
    missing = run_cli("calc", str(tmp_path / "none.xlsx"), env=german(tmp_path))
    assert missing.returncode == 2
    assert missing.stdout.startswith("xlfuncs calc: Fehler: ")

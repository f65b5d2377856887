"""One config file for every setting: the language and the data sources read the same file."""

from __future__ import annotations

import sys

import pytest

from xlfuncs import i18n
from xlfuncs.data import config
from xlfuncs.settings import config_path, setting


@pytest.fixture
def home(monkeypatch, tmp_path):
    """The user's config folder is ``tmp_path`` (XDG_CONFIG_HOME, as platformdirs reads it on Linux)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the user's config folder is set through XDG_CONFIG_HOME on Linux")
    monkeypatch.delenv("XLFUNCS_CONFIG", raising=False)
    monkeypatch.delenv(i18n.ENV, raising=False)
    monkeypatch.delenv("XLFUNCS_SEC_URL", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    return tmp_path


def test_the_default_file_sets_language_and_sources_alike(home):
    (home / "xlfuncs").mkdir()
    (home / "xlfuncs" / "config.ini").write_text(
        "[xlfuncs]\nlang = de\nsec_url = http://127.0.0.1:9/\n", encoding="utf-8"
    )
    assert config_path() == home / "xlfuncs" / "config.ini"
    assert i18n.choose() == "de"
    assert config.url("sec_url") == "http://127.0.0.1:9"


def test_the_environment_wins_over_the_file(home, monkeypatch):
    (home / "xlfuncs").mkdir()
    (home / "xlfuncs" / "config.ini").write_text("[xlfuncs]\nlang = de\n", encoding="utf-8")
    monkeypatch.setenv(i18n.ENV, "en")
    assert i18n.choose() == "en"


@pytest.mark.parametrize(
    "content", [None, b"\xff\xfe not utf-8", b"no section header\n", b"[xlfuncs]\nlang =\n"]
)
def test_a_missing_or_unreadable_file_sets_nothing(home, content):
    if content is not None:
        (home / "xlfuncs").mkdir()
        (home / "xlfuncs" / "config.ini").write_bytes(content)
    assert setting("lang") is None
    assert i18n.choose() == "en"
    assert config.url("sec_url") == "https://data.sec.gov"

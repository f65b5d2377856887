"""The books written beside the universe speak the caller's language: their messages (a refusal)
are written in a second thread, which runs in the caller's context."""

from __future__ import annotations

import pytest

from xlfuncs.calc.limits import LimitExceeded
from xlfuncs.i18n.messages import speaking
from xlfuncs.workbooks import templates


def test_a_refusal_from_the_second_thread_is_in_the_callers_language(tmp_path, monkeypatch):
    monkeypatch.setattr(templates, "TEMPLATE_SECONDS", 0.01)  # every book is stopped at once
    with speaking("de"), pytest.raises(LimitExceeded, match=r"formulas nach 0\.01 s angehalten"):
        templates.write_all(tmp_path / "out", rows=50, engine="formulas")

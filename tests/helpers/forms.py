"""A template built once in each runtime's stored form (xlfuncs.xlsx.calls.FORMS)."""

from __future__ import annotations

from pathlib import Path

import pytest

from xlfuncs.workbooks.templates import build
from xlfuncs.xlsx import calls


def built_in_every_form(factory: pytest.TempPathFactory, name: str) -> dict[str, Path]:
    """{form: path} of the template ``name`` built in every form, each in its own folder."""
    out = {}
    for form in calls.FORMS:
        path = factory.mktemp(form) / name
        build(name, path, form)
        out[form] = path
    return out

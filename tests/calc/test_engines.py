"""The two engines of ``xlfuncs calc`` agree cell by cell on every template.

Each template is built once, then computed by the ``formulas`` engine and by headless
LibreOffice with the xlfuncs add-in; every formula cell must get the same value from both
(numbers within 1e-9 relative, LibreOffice giving 232 where formulas gives 231.99999999999994).
"""

from __future__ import annotations

import math

import pytest

from xlfuncs.workbooks import calc, libreoffice, templates

pytestmark = pytest.mark.skipif(
    not libreoffice.engine_available(), reason="LibreOffice with the add-in's needs is not installed"
)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def same(a: object, b: object) -> bool:
    if _number(a) and _number(b):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if _number(a) or _number(b):
        return False
    return type(a) is type(b) and a == b


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("engines")
    paths = {}
    for name in templates.TEMPLATES:
        paths[name] = folder / name
        templates.build(name, paths[name])
    return paths


@pytest.mark.parametrize("name", list(templates.TEMPLATES))
def test_both_engines_give_every_cell_the_same_value(built, name):
    ours = calc.calculate(built[name], "formulas")
    theirs = calc.calculate(built[name], "libreoffice")
    assert ours.keys() == theirs.keys()
    assert len(ours) > 300
    differ = {k: (ours[k], theirs[k]) for k in ours if not same(ours[k], theirs[k])}
    assert differ == {}, list(differ.items())[:10]


def test_comparison_sees_a_difference():
    assert same(231.99999999999994, 232) and same("OK", "OK") and same(True, True)
    assert not same(1.0, "1") and not same(True, 1) and not same(0.0, 1e-6) and not same("NM", "nm")

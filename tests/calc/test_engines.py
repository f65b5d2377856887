"""The two engines of ``xlfuncs calc`` agree cell by cell on every template.

Each template is built once, then computed by the ``formulas`` engine and by headless
LibreOffice with the xlfuncs add-in; every formula cell must get the same value from both
(numbers within 1e-9 relative, LibreOffice giving 232 where formulas gives 231.99999999999994).
"""

from __future__ import annotations

import pytest

from tests.helpers.engines import same
from xlfuncs.calc import workbook
from xlfuncs.calc.libreoffice import engine as libreoffice
from xlfuncs.workbooks import templates

pytestmark = pytest.mark.skipif(
    not libreoffice.engine_available(), reason="LibreOffice with the add-in's needs is not installed"
)


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
    ours = workbook.compute(built[name], "formulas")
    theirs = workbook.compute(built[name], "libreoffice")
    assert ours.keys() == theirs.keys()
    assert len(ours) > 300
    differ = {k: (ours[k], theirs[k]) for k in ours if not same(ours[k], theirs[k])}
    assert differ == {}, list(differ.items())[:10]


def test_comparison_sees_a_difference():
    assert same(231.99999999999994, 232) and same("OK", "OK") and same(True, True)
    assert not same(1.0, "1") and not same(True, 1) and not same(0.0, 1e-6) and not same("NM", "nm")

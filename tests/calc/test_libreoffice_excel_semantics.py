"""The LibreOffice engine against Excel's own values where Calc by itself differs: Excel-saved books of
``../shared/excel-oracle`` whose every formula cell Excel's stored value decides (skipped with the reason
where that folder is absent).

- ``19_date_time.xlsx``: DAY, MONTH and YEAR on Excel's 1900 calendar; a negative serial is #NUM! in
  HOUR, MINUTE, SECOND, WEEKDAY, EDATE and EOMONTH; EDATE and EOMONTH refuse TRUE and FALSE (#VALUE!).
- ``20_information.xlsx``: ISNUMBER of a cell holding TRUE is FALSE; ISEVEN and ISODD of an empty cell,
  of a number held as text and of TRUE/FALSE.
- ``32_ceiling_floor.xlsx``: CEILING's and FLOOR's #NUM! and #DIV/0!, where Calc answers #VALUE!.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from xlfuncs.calc import workbook
from xlfuncs.calc.libreoffice import engine as libreoffice

ORACLE = Path(__file__).resolve().parents[3] / "shared" / "excel-oracle"

pytestmark = [
    pytest.mark.skipif(
        not (ORACLE / "truth.json").is_file(),
        reason="needs ../shared/excel-oracle beside the repository (Excel-saved workbooks, kept out of it)",
    ),
    pytest.mark.skipif(not libreoffice.engine_available(), reason="needs the LibreOffice engine"),
]


def agrees(kind: str, expected: object, value: object) -> bool:
    """Whether a computed value is the one Excel stored (numbers to a relative 1e-9)."""
    if kind == "n":
        return (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and isinstance(expected, (int, float))
            and math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12)
        )
    return value == expected and (kind != "b" or isinstance(value, bool))


@pytest.mark.parametrize("name", ["19_date_time.xlsx", "20_information.xlsx", "32_ceiling_floor.xlsx"])
def test_every_cell_is_excels(name):
    truth = json.loads((ORACLE / "truth.json").read_text())[name]
    values = workbook.compute(ORACLE / name, "libreoffice")
    got = {f"{sheet}!{ref}": value for (sheet, ref), value in values.items()}
    wrong = {
        ref: (expected, got.get(ref))
        for ref, (kind, expected) in truth.items()
        if not agrees(kind, expected, got.get(ref))
    }
    assert wrong == {}
    assert len(truth) > 150

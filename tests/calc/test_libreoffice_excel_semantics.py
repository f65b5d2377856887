"""The LibreOffice engine against Excel's own values where Calc by itself differs: Excel-saved books of
``../shared/excel-oracle`` whose every formula cell Excel's stored value decides (skipped with the reason
where that folder is absent).

- ``19_date_time.xlsx``: DAY, MONTH and YEAR on Excel's 1900 calendar; a negative serial is #NUM! in
  HOUR, MINUTE, SECOND, WEEKDAY, EDATE and EOMONTH; EDATE and EOMONTH refuse TRUE and FALSE (#VALUE!).
- ``20_information.xlsx``: ISNUMBER of a cell holding TRUE is FALSE; ISEVEN and ISODD of an empty cell,
  of a number held as text and of TRUE/FALSE.
- ``32_ceiling_floor.xlsx``: CEILING's and FLOOR's #NUM! and #DIV/0!, where Calc answers #VALUE!.
- ``30_TemplateWithTableSourcePivotTables.xlsx``: formulas over pivot tables read the pivot tables' cells
  as stored (Excel's "(blank)" items), not laid out again by Calc (its "(empty)").
"""

from __future__ import annotations

import json
import math
import shutil
import zipfile
from pathlib import Path

import pytest

from xlfuncs.calc import workbook
from xlfuncs.calc.libreoffice import engine as libreoffice
from xlfuncs.calc.libreoffice.rewrite import engine_copy

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


PIVOTS = "30_TemplateWithTableSourcePivotTables.xlsx"

#: Cells whose Excel value no engine can give: an XLL add-in's function (``_xll.DSSData``) that is not
#: installed (Excel stored the add-in's own #VALUE!; LibreOffice answers #NAME?).
ADD_IN_CELLS = {"BondsOverview!L2"}


@pytest.mark.parametrize(
    "name", ["19_date_time.xlsx", "20_information.xlsx", "32_ceiling_floor.xlsx", PIVOTS]
)
def test_every_cell_is_excels(name):
    truth = json.loads((ORACLE / "truth.json").read_text())[name]
    values = workbook.compute(ORACLE / name, "libreoffice")
    got = {f"{sheet}!{ref}": value for (sheet, ref), value in values.items()}
    wrong = {
        ref: (expected, got.get(ref))
        for ref, (kind, expected) in truth.items()
        if not agrees(kind, expected, got.get(ref)) and ref not in ADD_IN_CELLS
    }
    assert wrong == {}
    assert len(truth) > 150


def pivot_relationships(book: Path) -> int:
    with zipfile.ZipFile(book) as z:
        return sum(
            z.read(n).count(b'/pivotTable"') for n in z.namelist() if n.startswith("xl/worksheets/_rels/")
        )


def test_pivot_tables_stay_in_the_copy_when_a_formula_reads_one(tmp_path):
    """GETPIVOTDATA needs the pivot table itself: then the engine's copy keeps every pivot table."""
    copy = tmp_path / "copy.xlsx"
    engine_copy(ORACLE / PIVOTS, copy, names=False, wrap=False)
    assert pivot_relationships(ORACLE / PIVOTS) == 14
    assert pivot_relationships(copy) == 0
    reads = tmp_path / "reads.xlsx"
    shutil.copy(ORACLE / PIVOTS, reads)
    with zipfile.ZipFile(ORACLE / PIVOTS) as zin, zipfile.ZipFile(reads, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"</sheetData>",
                    b'<row r="999"><c r="A999"><f>GETPIVOTDATA("x",A1)</f></c></row></sheetData>',
                    1,
                )
            zout.writestr(info, data)
    engine_copy(reads, copy, names=False, wrap=False)
    assert pivot_relationships(copy) == 14


#: Formulas that combine rewritten calls, with A1 = 45000 (15 March 2023, a Wednesday) and their values
#: by hand: LibreOffice 25.2 computes a LET inside another, or LETs of one formula binding different
#: names, wrongly, so the rewrites must not produce such formulas.
COMBINED = {
    "DAY(EOMONTH(A1,0))": 31,
    "MONTH(DATE(YEAR(A1),1,1))": 1,
    "YEAR(A1)+HOUR(A1)": 2023,
    "DAY(A1+1)+HOUR(A1*1+0.5)": 16 + 12,
    "YEAR(DAY(A1+1)+1)": 1900,  # serial 17 is 17 January 1900
    'YEAR(A1+1)&"/"&MONTH(A1+1)': "2023/3",
    "FLOOR(A1*2,DAY(A1+1))+CEILING(-A1,-1)": 90000 - 45000,
    "_xlfn.LET(_xlpm.rate,0.5,YEAR(A1+1)*_xlpm.rate)": 1011.5,
}


def test_rewritten_calls_combine(tmp_path):
    import openpyxl

    book, out = tmp_path / "combined.xlsx", tmp_path / "out.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = 45000
    for row, formula in enumerate(COMBINED, start=2):
        ws.cell(row, 1, "=" + formula)
    wb.save(book)
    workbook.calc(book, out, "libreoffice")
    got = openpyxl.load_workbook(out, data_only=True).active
    assert {f: got.cell(row, 1).value for row, f in enumerate(COMBINED, start=2)} == COMBINED

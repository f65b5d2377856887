"""Fuzzed hostile workbooks: a valid .xlsx with bytes flipped, cut short, parts dropped or
replaced by junk; ``xlfuncs calc``'s reading (``_check_book``) and the formulas engine either
give values or refuse with one line (:class:`CalcInputError`), never another exception.

Seeded random cases (tests/helpers/fuzz.py), so a failure names a case that can be rerun.
"""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from tests.helpers.fuzz import SCALE
from xlfuncs.calc import formulas_engine, workbook
from xlfuncs.calc.results import CalcInputError

WORKBOOKS = 60 * SCALE


@pytest.fixture(scope="module")
def valid_book(tmp_path_factory) -> bytes:
    import xlsxwriter

    path = tmp_path_factory.mktemp("fuzz") / "valid.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    ws.write_column("A1", [10, 20, 30])
    ws.write_formula("B1", "=SUM(A1:A3)")
    ws.write_formula("B2", "=MARKETCAP(A1,A2)")
    ws.write_string("C1", "text & <tags>")
    wb.close()
    return path.read_bytes()


def corrupt(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(4)
    if kind == 0:  # flip bytes anywhere
        out = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    if kind == 1:  # cut short
        return data[: rng.randrange(len(data))]
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        names = zin.namelist()
        victim = rng.choice(names)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
            for name in names:
                if name == victim and kind == 2:
                    continue  # a part dropped
                body = zin.read(name)
                if name == victim:  # a part replaced by junk, truncated XML or a DOCTYPE
                    body = rng.choice(
                        [
                            rng.randbytes(rng.randrange(200)),
                            body[: rng.randrange(len(body) + 1)],
                            b"<!DOCTYPE x>" + body,
                        ]
                    )
                zout.writestr(name, body)
        return buf.getvalue()


def test_corrupted_workbooks_give_values_or_one_line(valid_book, tmp_path):
    rng = random.Random(11)
    outcomes = {"refused": 0, "computed": 0}
    for i in range(WORKBOOKS):
        path = tmp_path / f"case{i}.xlsx"
        path.write_bytes(corrupt(valid_book, rng))
        try:
            formulas_engine.compute(workbook.check_book(path))
            outcomes["computed"] += 1
        except CalcInputError as exc:
            assert "\n" not in str(exc), f"case {i}: {exc}"
            outcomes["refused"] += 1
    assert sum(outcomes.values()) == WORKBOOKS and outcomes["refused"]

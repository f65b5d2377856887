"""Closer to Excel: what-if data tables, spill references, iteration, booleans and circular references
computed as Excel does, checked against hand calculation (tests/helpers/calc_models.py; raw
LibreOffice, ``soffice --convert-to xlsx`` with recalculation on load, gives the same data-table
and boolean values).  Run through the command line, as a user would.
"""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest

from tests.helpers import calc_models
from tests.helpers.calc_cli import calc_cli


def calc(book: Path, engine: str) -> tuple[dict[str, object], str]:
    out = book.with_name(f"{book.stem}-{engine}.xlsx")
    proc = calc_cli(book, "-o", out, "--engine", engine)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"with {engine}" in proc.stdout.splitlines()[0], proc.stdout
    ws = openpyxl.load_workbook(out, data_only=True).active
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}, proc.stdout


def same(got: object, want: object) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return type(got) is type(want) and got == want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)
    return got == want


def check(values: dict[str, object], expected: dict[str, object]) -> None:
    wrong = {
        ref: (values.get(ref), want) for ref, want in expected.items() if not same(values.get(ref), want)
    }
    assert wrong == {}, wrong


def test_data_tables_are_computed_by_libreoffice(tmp_path):
    book, expected = calc_models.data_tables(tmp_path / "tables.xlsx")
    values, summary = calc(book, "libreoffice")
    check(values, expected)
    assert "data table" not in summary


def test_data_tables_formulas_cannot_compute_are_named(tmp_path):
    book, expected = calc_models.data_tables(tmp_path / "tables.xlsx")
    values, summary = calc(book, "formulas")
    check(values, {ref: expected[ref] for ref in ("B2", "B3", "E1", "G6")})
    assert "Model!E2:E4" in summary and "Model!H7:I8" in summary


def test_spill_references_use_the_stored_spill_range(tmp_path):
    book, expected = calc_models.spill_references(tmp_path / "spill.xlsx")
    values, _ = calc(book, "libreoffice")
    check(values, expected)


def test_iterative_books_converge_to_excels_precision(tmp_path):
    book, expected = calc_models.iterative(tmp_path / "loop.xlsx")
    values, _ = calc(book, "libreoffice")
    check(values, expected)


@pytest.mark.parametrize("engine", ["formulas", "libreoffice"])
def test_booleans_without_cached_values_come_out_as_booleans(engine, tmp_path):
    book, expected = calc_models.booleans(tmp_path / "logic.xlsx")
    values, _ = calc(book, engine)
    check(values, expected)


@pytest.mark.parametrize("engine", ["formulas", "libreoffice"])
def test_a_circular_reference_is_written_as_excel_shows_it_and_reported(engine, tmp_path):
    book, expected = calc_models.circular(tmp_path / "circle.xlsx")
    values, summary = calc(book, engine)
    check(values, expected)
    assert "circular reference" in summary and "Circle!A1" in summary


def test_json_names_the_engine_of_each_sheet_and_what_it_did_not_compute(tmp_path):
    import json

    book, _ = calc_models.data_tables(tmp_path / "tables.xlsx")
    proc = calc_cli(book, "-o", tmp_path / "out.xlsx", "--engine", "formulas", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["engine"] == "formulas" and summary["sheets"] == {"Model": "formulas"}
    assert summary["uncomputed"] == ["Model!E2:E4", "Model!H7:I8"]

"""The template workbooks: built by code, stored for a runtime, computed headlessly, committed.

* ``article_examples.xlsx`` (:mod:`xlfuncs.workbooks.article_book`): one live
  sheet per worked example of both articles.
* ``valuation_bridge.xlsx`` (:mod:`xlfuncs.workbooks.bridge_book`): one company
  from price to FD EV under every method: the signed bridge, the per-tranche
  schedule, a price sensitivity and charts.
* ``universe_screen.xlsx`` (:mod:`xlfuncs.workbooks.universe_book`): synthetic
  companies, one spilled formula per result column, screen criteria, a summary
  by size class and charts.

Files are written with XlsxWriter, because results that spill must be stored as
dynamic-array formulas (``<f t="array" ref=...>`` plus the dynamic-array
metadata), which openpyxl cannot write.  Our function names are written plain and
then stored in the form of the runtime the workbook is for
(:mod:`xlfuncs.xlsx.calls`); each formula's value is computed (``formulas`` by
default, see ``--engine``) and stored in the file (:mod:`xlfuncs.calc.workbook`), so the
numbers show without the add-in.
"""

from __future__ import annotations

import contextvars
import re
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..i18n import ENGLISH
from ..xlsx import calls, writes
from ..xlsx.sheet import without_cached_values
from .article_book import build_article_examples, example_layout
from .bridge_book import build_valuation_bridge
from .style import language, tr
from .universe_book import UNIVERSE_ROWS, build_universe_screen, check_rows, universe_rows

#: The most cells a template is computed with (the formulas engine's limit for the templates).
TEMPLATE_CELLS = 2_000_000
#: The time and memory computing a template may take: the largest takes formulas about 4.5 minutes
#: and 5 GB on an idle machine, over the limits for a workbook from elsewhere.
TEMPLATE_SECONDS, TEMPLATE_MEMORY = 3600.0, 12 << 30

__all__ = [
    "TEMPLATES",
    "UNIVERSE_ROWS",
    "build",
    "build_universe_screen",
    "cells",
    "example_layout",
    "universe_rows",
    "write_all",
]

#: The template that takes ``--rows``.
UNIVERSE = "universe_screen.xlsx"
#: The template written in the least time.
QUICKEST = "valuation_bridge.xlsx"

#: file name -> builder(path, note=..., [rows=...])
TEMPLATES: dict[str, Callable[..., None]] = {
    "article_examples.xlsx": build_article_examples,
    "valuation_bridge.xlsx": build_valuation_bridge,
    UNIVERSE: build_universe_screen,
}


def build(
    name: str,
    path: Path,
    form: str = "classic",
    namespace: str | None = None,
    rows: int | None = None,
    engine: str = "formulas",
    out: Callable[[str], object] | None = None,
    lang: str = ENGLISH,
) -> None:
    """Write one template to ``path``, stored for ``form``, with every formula's value computed by
    ``engine`` (:data:`xlfuncs.workbooks.calc.ENGINES`); ``out`` hears where LibreOffice failed and
    ``formulas`` computed the book instead.
    """
    _write(name, Path(path), form, namespace, rows, lang)
    _compute(name, Path(path), engine, out)


def _write(name: str, path: Path, form: str, namespace: str | None, rows: int | None, lang: str) -> None:
    """The template ``name`` as its builder writes it, stored for ``form``; no values computed yet."""
    if form not in calls.FORMS:
        raise ValueError(f"unknown form {form!r}; expected one of {', '.join(calls.FORMS)}")
    options: dict[str, Any] = {"note": calls.note(form, namespace)}
    if rows is not None and name == UNIVERSE:
        options["n"] = rows
    with language(lang):
        options["note"] = tr(options["note"])
        if form == "classic":
            TEMPLATES[name](path, **options)
        else:
            with tempfile.TemporaryDirectory(prefix="xlfuncs_form_") as tmp:
                plain = Path(tmp) / path.name
                TEMPLATES[name](plain, **options)
                calls.write_form(plain, path, form, namespace)


def _compute(name: str, path: Path, engine: str, out: Callable[[str], object] | None) -> None:
    """Every formula's value of the written template at ``path``, stored in it."""
    from ..calc.limits import Limits
    from ..calc.workbook import calc

    # the largest template (MAX_ROWS companies) holds 1.33 million cells, over the formulas engine's
    # default limit for a workbook from elsewhere
    limits = Limits(TEMPLATE_SECONDS, TEMPLATE_MEMORY)
    summary = calc(path, path, engine, fallback=True, max_cells=TEMPLATE_CELLS, limits=limits)
    if out is not None and summary.engine != engine and engine != "auto":  # LibreOffice's fallback
        out(f"{name}: computed with {summary.engine}")


def _build_all(
    paths: dict[str, Path],
    form: str,
    namespace: str | None,
    rows: int | None,
    engine: str,
    out: Callable[[str], object],
    lang: str,
) -> None:
    """Build every template into ``paths[name]``.  The universe, by far the longest to write, is written
    in this thread while a second one builds and computes the others, the quickest to write first: its
    computing starts the engine (LibreOffice, or ``formulas``' process) that the universe then finds
    running.  Each book is built as :func:`build` builds it alone, so the files are the same.
    """

    def others() -> None:
        for name in (QUICKEST, *(n for n in TEMPLATES if n not in (UNIVERSE, QUICKEST))):
            build(name, paths[name], form, namespace, rows, engine, out, lang)

    with ThreadPoolExecutor(1) as pool:  # left only when the other books are done, whatever happens here
        # in this thread's context: the language its messages (a refusal, say) are written in
        done = pool.submit(contextvars.copy_context().run, others)
        _write(UNIVERSE, paths[UNIVERSE], form, namespace, rows, lang)
        done.result()
    _compute(UNIVERSE, paths[UNIVERSE], engine, out)


def cells(path: Path) -> dict:
    """Every cell's formula (or constant) and cached value, for comparing workbooks (reads only)."""
    import openpyxl

    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for ws in formulas.worksheets:
        vs = values[ws.title]
        for row in ws.iter_rows():
            for c in row:
                f = c.value.text if hasattr(c.value, "text") else c.value
                v = vs[c.coordinate].value
                if f is not None or v is not None:
                    out[(ws.title, c.coordinate)] = (f, round(v, 9) if isinstance(v, float) else v)
    return out


def write_all(
    directory: Path,
    force: bool = False,
    out: Callable[[str], object] = print,
    form: str = "classic",
    namespace: str | None = None,
    rows: int | None = None,
    engine: str = "formulas",
    lang: str = ENGLISH,
) -> int:
    """Build every template into ``directory``, its texts in ``lang``; never overwrite an edited
    workbook unless ``force``.

    Returns the number of workbooks kept because they differ from the template.
    """
    if rows is not None:
        check_rows(rows)  # before anything is written
    writes.check_folder(directory)  # a file, a dangling link, not writable: one line, before writing
    directory.mkdir(parents=True, exist_ok=True)
    refused = 0
    with tempfile.TemporaryDirectory() as tmp:
        _build_all({name: Path(tmp) / name for name in TEMPLATES}, form, namespace, rows, engine, out, lang)
        for name in TEMPLATES:
            fresh, target = Path(tmp) / name, directory / name
            if not target.exists():
                status = "written"
            elif _same_workbook(target, fresh):
                status = "unchanged"
            elif force:
                status = "overwritten"
            else:
                status = "kept"
                refused += 1
            if status in ("written", "overwritten"):
                writes.copy_into(fresh, target, directory)  # never through a link
            with language(lang):
                out(tr(MESSAGES[status]).format(target=target, form=form))
    return refused


#: What writing the templates says about each file: patterns filled in with ``str.format``.
MESSAGES = dict(
    written="{target}: written ({form} form)",
    unchanged="{target}: unchanged ({form} form)",
    overwritten="{target}: overwritten (--force) ({form} form)",
    kept="{target}: differs from the template (edited?); kept. Use --force to overwrite.",
)


def _package(path: Path) -> dict[str, bytes]:
    """Every part of the file (names, charts, styles, sheets' layout and formats, web extension) for
    comparing, without the sheets' cached values and their types (:func:`cells` compares the values,
    rounded): the LibreOffice engine stores a logical result as the number 1 or 0 (``t`` absent),
    ``formulas`` as TRUE or FALSE (``t="b"``), so a book computed by either is the same template.
    """
    with zipfile.ZipFile(path) as z:
        return {
            n: without_cached_values(z.read(n))
            if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)
            else z.read(n)
            for n in z.namelist()
        }


def _same_workbook(target: Path, fresh: Path) -> bool:
    """Whether ``target`` holds what ``fresh`` does: every cell (formula and value) and every other part
    (a folder, or a file that is no readable workbook, does not).
    """
    try:
        return _package(target) == _package(fresh) and cells(target) == cells(fresh)
    except Exception:  # whatever openpyxl or zipfile raise for a file that is not an .xlsx
        return False

"""A copy of a workbook with our functions' results frozen as constants, for a LibreOffice without
the add-in: it recomputes every native formula from the values our functions stored.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ...xlsx.package import read_part, sheet_parts
from ...xlsx.refs import cells
from ...xlsx.sheet import CELL, FORMULA, VALUE, attr, unescape_text
from ...xlsx.writes import replacing
from .rewrite import calls_our_function

__all__ = ["freeze_our_functions"]


def _freeze_sheet(xml: str, where: str) -> tuple[str, list[str]]:
    """The sheet XML with every cell of our functions' formulas turned into its cached value."""
    ours: list[str] = []
    shared: set[str | None] = set()
    for cell in CELL.finditer(xml):
        formula = FORMULA.search(cell["body"] or "")
        if not formula:
            continue
        fattrs = formula["attrs"]
        if formula["text"] and calls_our_function(unescape_text(formula["text"])):
            ref = attr(fattrs, "ref") if attr(fattrs, "t") == "array" else None
            ours.extend(cells(ref) if ref else [attr(cell["attrs"], "r") or ""])
            if attr(fattrs, "t") == "shared":
                shared.add(attr(fattrs, "si"))
    if shared:  # the cells that share a formula of ours
        for cell in CELL.finditer(xml):
            formula = FORMULA.search(cell["body"] or "")
            if formula and attr(formula["attrs"], "t") == "shared" and attr(formula["attrs"], "si") in shared:
                ours.append(attr(cell["attrs"], "r") or "")
    ours = list(dict.fromkeys(ours))
    todo = set(ours)

    def freeze(cell):
        attrs, body = cell["attrs"], cell["body"] or ""
        ref = attr(attrs, "r")
        if ref not in todo:
            return cell[0]
        value, kind = VALUE.search(body), attr(attrs, "t")
        if FORMULA.search(body) and (value is None or not (value["text"] or kind == "str")):
            raise ValueError(
                f"{where}!{ref} has no computed value; compute the workbook first (xlfuncs calc)"
            )
        attrs = re.sub(r'\s(?:cm|vm)="[^"]*"', "", attrs)  # dynamic-array cell metadata
        if value is None:
            return f"<c{attrs}/>"
        if kind == "str":  # a formula's text result: as a constant it is an inline string
            attrs = re.sub(r'\st="[^"]*"', ' t="inlineStr"', attrs)
            return f'<c{attrs}><is><t xml:space="preserve">{value["text"] or ""}</t></is></c>'
        return f"<c{attrs}>{value[0]}</c>"  # numbers, booleans, errors, shared strings

    return CELL.sub(freeze, xml), ours


def freeze_our_functions(src, dst) -> dict[str, list[str]]:
    """Copy ``src`` to ``dst`` with every cell computed by our functions replaced by its
    cached value as a constant; returns the frozen cells, ``{sheet: [cell, ...]}``.

    A cell counts as ours when its formula calls a name of :data:`xlfuncs.REGISTRY`;
    for an array (spilled) formula every cell of its range counts, for a shared
    formula every cell sharing it.  Native formulas that use our results stay
    formulas, so another engine recomputes them from the frozen values.  Only the
    frozen cells change: styles, values (to the last bit), native formulas and every
    other part of the file are copied as they are.  Raises ``ValueError`` when a
    formula of ours has no cached value (compute the workbook first: ``xlfuncs calc``).
    """
    src, dst = Path(src), Path(dst)
    frozen: dict[str, list[str]] = {}
    with zipfile.ZipFile(src) as book:
        parts = {part: name for name, part in sheet_parts(book).items()}
        patched = {}
        for part, name in parts.items():
            xml, found = _freeze_sheet(read_part(book, part).decode("utf-8"), f"{src.name}: {name}")
            if found:
                patched[part], frozen[name] = xml.encode("utf-8"), found
        with replacing(dst, mode_from=src) as raw, zipfile.ZipFile(raw, "w") as out:
            for info in book.infolist():
                out.writestr(
                    info,
                    patched.get(info.filename) or read_part(book, info.filename),
                    compress_type=info.compress_type,
                )
    return frozen

"""Office.js metadata in other languages: ``functions-de.json`` beside xlwings' ``functions.json``.

Office.js custom functions take one metadata file per language, with the same function ids;
the add-in's XML manifest names the default file and, per Office locale, an override
(``<bt:Override Locale="de-DE" Value="…/functions-de.json"/>``).  xlwings writes one
language only (the docstrings'), so each other language is xlwings' metadata with every
description replaced from :mod:`xlfuncs.i18n`.  The ``name`` stays the Excel name in every
language: it is what users type and what a workbook stores, so workbooks move between
languages unchanged.

``python -m xlfuncs.runtimes.metadata DIR`` writes ``functions.json``, ``functions-<lang>.json``
for each catalogue and ``manifest-overrides.xml`` (the ``<bt:Url>`` element to put in an xlwings
Server project's manifest); it selects xlwings' Office.js runtime itself, so it runs anywhere.
xlwings Lite cannot use them: its manifest is the Lite add-in's own, which reads the
metadata from ``main.py`` in one language.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from ..functions import REGISTRY
from ..i18n import ENGLISH, function_texts, languages

#: The Office locales that show each language's metadata (Office matches locales exactly).
LOCALES = {"de": ("de-DE", "de-AT", "de-CH")}
#: The id xlwings Server's manifest gives the metadata URL.
URL_ID = "Functions.Metadata.Url"


def localise(meta: dict[str, Any], lang: str) -> dict[str, Any]:
    """The metadata xlwings made, with each xlfuncs function's descriptions in ``lang``; ids and names kept."""
    meta = copy.deepcopy(meta)
    for function in meta["functions"]:
        spec = REGISTRY.get(function["id"])
        if spec is None:
            continue
        summary, arguments = function_texts(spec, lang)
        function["description"] = summary
        for parameter in function.get("parameters", ()):
            parameter["description"] = arguments.get(parameter["name"], parameter.get("description", ""))
    return meta


def file_name(lang: str) -> str:
    return "functions.json" if lang == ENGLISH else f"functions-{lang}.json"


def overrides(url: Callable[[str], str]) -> str:
    """The ``<bt:Override>`` elements of the manifest's metadata URL: for each language but
    English, one per Office locale, pointing at ``url(lang)``.
    """
    return "".join(
        f"\n  <bt:Override Locale={quoteattr(locale)} Value={quoteattr(url(lang))}/>"
        for lang in languages()[1:]
        for locale in LOCALES.get(lang, (lang,))
    )


def manifest_url(base_url: str) -> str:
    """The manifest's metadata ``<bt:Url>``: the English file by default, each locale's override."""
    default = quoteattr(f"{base_url}/{file_name(ENGLISH)}")
    found = overrides(lambda lang: f"{base_url}/{file_name(lang)}")
    return f'<bt:Url id="{URL_ID}" DefaultValue={default}>{found}\n</bt:Url>\n'


def write(directory: Path, base_url: str) -> list[Path]:
    """Write every language's metadata and the manifest element into ``directory``."""
    os.environ.setdefault("XLWINGS_ON_SERVER", "true")
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    import xlwings.server

    from . import excel

    if not excel.OFFICE_JS:
        raise RuntimeError("xlwings was imported before its Office.js runtime could be chosen")
    meta = xlwings.server.custom_functions_meta(excel)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in languages():
        path = directory / file_name(lang)
        path.write_text(
            json.dumps(localise(meta, lang), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        written.append(path)
    manifest = directory / "manifest-overrides.xml"
    manifest.write_text(manifest_url(base_url), encoding="utf-8")
    return [*written, manifest]


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print("usage: python -m xlfuncs.runtimes.metadata DIR [BASE_URL]", file=sys.stderr)
        return 2
    base = argv[1] if len(argv) == 2 else "https://127.0.0.1:8000/static"
    for path in write(Path(argv[0]), base.rstrip("/")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

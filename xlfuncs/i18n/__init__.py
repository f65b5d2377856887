"""The catalogue of user-facing texts per language, and the choice of language.

May import: the standard library, babel (reading the gettext catalogues), xlfuncs.framework.

The English texts stay where they are written (a function's help in its ``@udf``
docstring); each other language is a gettext catalogue ``locale/<lang>/LC_MESSAGES/xlfuncs.po``
whose ``msgid`` is the English text.  A function's summary has the function's Excel name as its
``msgctxt`` (``MARKETCAP``), an argument's description the function and argument
(``MARKETCAP(price)``), so one English sentence used by two functions can read differently.
``locale/xlfuncs.pot`` is the template ``scripts/catalogue.py`` extracts; a translator adds a
language with ``pybabel init`` and keeps it current with ``pybabel update`` (docs/de/index.md).

The ``.po`` files are read as they are, with Babel, when a text is first needed: no compiled
``.mo`` ships, so what a translator edits is what runs, and no compiled file can go stale.

The language is chosen once per command: ``--lang``, else ``XLFUNCS_LANG``, else ``lang`` in the
``[xlfuncs]`` section of the config file (:mod:`xlfuncs.settings`), else English.  Never from
``LANG``/``LC_ALL``: output and tests must not change with the machine's locale.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..settings import setting

if TYPE_CHECKING:  # annotations only: English messages need neither Babel nor numpy
    from babel.messages.catalog import Catalog

    from ..framework.spec import FunctionSpec

DOMAIN = "xlfuncs"
LOCALE_DIR = Path(__file__).with_name("locale")
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
ENGLISH = "en"
ENV = "XLFUNCS_LANG"


class LanguageError(ValueError):
    """A language was asked for that has no catalogue."""


def languages() -> tuple[str, ...]:
    """English and every language with a catalogue, in order."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (ENGLISH, *found)


def choose(requested: str | None = None) -> str:
    """The language of a command: ``requested`` (``--lang``), else the setting, else English."""
    lang = (requested or setting("lang") or ENGLISH).strip().lower()
    lang = lang.replace("_", "-").split("-")[0]  # de-AT, de_CH: the German catalogue
    if lang not in languages():
        raise LanguageError(f"no catalogue for language {lang!r}; available: {', '.join(languages())}")
    return lang


@functools.cache
def catalogue(lang: str) -> Catalog:
    """The catalogue of ``lang`` as Babel reads it (English: empty, texts stay as written)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    if lang == ENGLISH:
        return Catalog(locale="en", domain=DOMAIN)
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        raise LanguageError(f"no catalogue for language {lang!r}; available: {', '.join(languages())}")
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def text(lang: str, message: str, context: str | None = None) -> str:
    """``message`` in ``lang``; the English when the catalogue has no finished translation."""
    if lang == ENGLISH or not message:
        return message
    entry = catalogue(lang).get(message, context)
    if entry is None or entry.fuzzy or not entry.string:
        return message
    return str(entry.string)


def argument_context(spec: FunctionSpec, name: str) -> str:
    return f"{spec.excel_name}({name})"


def function_texts(spec: FunctionSpec, lang: str) -> tuple[str, dict[str, str]]:
    """A function's Function Wizard texts in ``lang``: (summary, {argument: description})."""
    return text(lang, spec.summary, spec.excel_name), {
        a.name: text(lang, a.doc, argument_context(spec, a.name)) for a in spec.args
    }


def template(specs: Iterable[FunctionSpec]) -> Catalog:
    """The catalogue template of the function help: every summary and argument description."""
    from babel.messages.catalog import Catalog

    pot = Catalog(domain=DOMAIN, project="xlfuncs", msgid_bugs_address="", fuzzy=False)
    for spec in specs:
        pot.add(spec.summary, context=spec.excel_name)
        for a in spec.args:
            if a.doc:
                pot.add(a.doc, context=argument_context(spec, a.name))
    return pot

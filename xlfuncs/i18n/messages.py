"""The command line's messages in the chosen language.

A command prints ``msg("{path}: written", path=p)``: the English pattern is the catalogue's
``msgid`` (context ``cli``), its ``str.format`` fields are filled in after translating, so a
translation may move them.  ``scripts/catalogue.py`` extracts every ``msg("...")`` call of the
package with Babel's Python extractor; the pattern must therefore be a literal string.

The language is the setting's (``XLFUNCS_LANG``, else the config file), or ``--lang`` for a
command that has it (:func:`speaking`).  An unknown language in the setting prints English: a
message must never fail for its language (the commands that take ``--lang`` refuse it there).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from . import ENGLISH, LanguageError, choose, text

#: The catalogue context of every command-line message.
CONTEXT = "cli"
#: The names ``scripts/catalogue.py`` extracts messages by: ``msg`` translates and fills in,
#: ``marked`` only marks a constant that is printed later through ``msg`` (gettext's ``N_``).
KEYWORDS = ("msg", "marked")

_CHOSEN: contextvars.ContextVar[str | None] = contextvars.ContextVar("cli_language", default=None)


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Print the messages inside this block in ``lang`` (a command's ``--lang``)."""
    token = _CHOSEN.set(lang)
    try:
        yield
    finally:
        _CHOSEN.reset(token)


def language() -> str:
    """The language messages print in now."""
    chosen = _CHOSEN.get()
    if chosen is not None:
        return chosen
    try:
        return choose()
    except LanguageError:
        return ENGLISH


def msg(pattern: str, /, **values: Any) -> str:
    """``pattern`` in the chosen language, its ``{fields}`` filled in from ``values``."""
    translated = text(language(), pattern, CONTEXT)
    return translated.format(**values) if values else translated


def marked(text: str) -> str:
    """``text`` as it is, marked for the catalogue: a constant that :func:`msg` shows later."""
    return text

"""Extract the function help into the catalogue template and merge it into every language.

    python scripts/catalogue.py          # writes xlfuncs/i18n/locale/xlfuncs.pot, updates each .po

The template holds every function's summary and argument descriptions, read from the
``@udf`` specs (the kernels and the functions that fetch), and every text the template
workbooks show, recorded while they are built in English (context ``workbooks``; the data
the formulas read, such as tickers, size classes and method names, stays as it is), and every
message the commands print: each ``msg("...")`` call of the package and each data error raised
as a pattern (context ``cli``), found by Babel's Python extractor.  Merging is Babel's own
(``pybabel update``): a changed English text keeps its old translation marked fuzzy, which
``tests/i18n`` reports as missing until a translator confirms it.  A new language:
``pybabel init -i xlfuncs/i18n/locale/xlfuncs.pot -d xlfuncs/i18n/locale -D xlfuncs -l fr``.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import tempfile
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from xlfuncs import REGISTRY, i18n
from xlfuncs.data import errors
from xlfuncs.data.functions import register
from xlfuncs.i18n import messages
from xlfuncs.workbooks import demo, style, templates
from xlfuncs.workbooks.examples import EXAMPLES
from xlfuncs.workbooks.templates import TEMPLATES
from xlfuncs.workbooks.universe_book import SIZE_CLASSES
from xlfuncs.xlsx import calls

#: Texts in the workbooks that are data (inputs and results the formulas compare), names of
#: sheets (which formulas refer to), and the articles' own German words.
DATA = {
    *SIZE_CLASSES,
    *("Yes", "No", "gross", "tsm", "all", "shares", "net"),
    *(e.sheet for e in EXAMPLES),
    *(e.source for e in EXAMPLES),
    *(f.article for e in EXAMPLES for f in e.figures),
}


def workbook_texts() -> list[str]:
    """Every text the template workbooks show, as their builders write it in English."""
    with tempfile.TemporaryDirectory() as tmp, style.recording() as texts:
        for form in calls.FORMS:
            style.tr(calls.note(form))
        for message in (
            *templates.MESSAGES.values(),
            *demo.MESSAGES.values(),
            *(e.summary for e in EXAMPLES),
        ):
            style.tr(message)
        for name, builder in TEMPLATES.items():
            builder(Path(tmp) / name, note=calls.note("classic"))
    return sorted(
        t
        for t in texts
        if re.search("[A-Za-z]", t)
        and not re.fullmatch(r"SYN\d+", t)
        and t not in DATA
        and not t.startswith("„")  # a quoted passage of an article
    )


def cli_messages() -> list[str]:
    """Every message the commands print: the patterns given to ``msg``, and the data errors raised
    as a pattern with its values (``NotCached("{source}: ...", source=...)``; a data error raised
    with a finished text stays English, and the extractor's warnings about those are not ours).
    """
    package = Path(i18n.__file__).parents[1]
    said = {m for *_, m, _, _ in extract_from_dir(package, keywords=dict.fromkeys(messages.KEYWORDS))}
    raised = [
        c.__name__ for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.DataError)
    ]
    with contextlib.redirect_stderr(io.StringIO()):
        found = {m for *_, m, _, _ in extract_from_dir(package, keywords=dict.fromkeys(raised))}
    patterns = {m for m in found if isinstance(m, str) and "{" in m}
    return sorted(m for m in said | patterns if isinstance(m, str))


def pot_text() -> bytes:
    """The template as ``scripts/catalogue.py`` writes it (no creation date: same input, same bytes)."""
    register()
    template = i18n.template(REGISTRY.values())
    for text in workbook_texts():
        template.add(text, context=style.CONTEXT)
    for message in cli_messages():
        template.add(message, context=messages.CONTEXT)
    out = io.BytesIO()
    write_po(out, template, width=0, omit_header=False, sort_output=False)
    return b"\n".join(
        line for line in out.getvalue().split(b"\n") if not line.startswith(b'"POT-Creation-Date')
    )


def main() -> int:
    i18n.TEMPLATE.write_bytes(pot_text())
    with i18n.TEMPLATE.open("rb") as f:
        template = read_po(f)
    for lang in i18n.languages()[1:]:
        path = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
        with path.open("rb") as f:
            catalogue = read_po(f, locale=lang)
        catalogue.update(template, update_header_comment=False)
        out = io.BytesIO()
        write_po(out, catalogue, width=0, ignore_obsolete=True)
        path.write_bytes(out.getvalue())
        print(f"{path}: {len(catalogue)} texts")
    print(f"{i18n.TEMPLATE}: {len(template)} texts")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Extract the function help into the catalogue template and merge it into every language.

    python scripts/catalogue.py          # writes xlfuncs/i18n/locale/xlfuncs.pot, updates each .po

The template holds every function's summary and argument descriptions, read from the
``@udf`` specs (the kernels and the functions that fetch).  Merging is Babel's own
(``pybabel update``): a changed English text keeps its old translation marked fuzzy, which
``tests/i18n`` reports as missing until a translator confirms it.  A new language:
``pybabel init -i xlfuncs/i18n/locale/xlfuncs.pot -d xlfuncs/i18n/locale -D xlfuncs -l fr``.
"""

from __future__ import annotations

import io
import sys

from babel.messages.pofile import read_po, write_po

from xlfuncs import REGISTRY, i18n
from xlfuncs.data.functions import register


def pot_text() -> bytes:
    """The template as ``scripts/catalogue.py`` writes it (no creation date: same input, same bytes)."""
    register()
    out = io.BytesIO()
    write_po(out, i18n.template(REGISTRY.values()), width=0, omit_header=False, sort_output=False)
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

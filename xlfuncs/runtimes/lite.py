"""``xlfuncs lite [DIR]``: the ``main.py`` and ``requirements.txt`` to paste into xlwings Lite.

xlwings Lite is the free Office add-in that runs Python in Pyodide (WebAssembly)
inside Excel on Windows, macOS and the web.  A workbook's code lives in the
workbook: the ``main.py`` tab, whose module members decorated with xlwings'
``@func`` become Excel custom functions when the add-in starts, and a
``requirements.txt`` tab that Lite installs with micropip (pure-Python wheels
from PyPI, or packages Pyodide builds itself such as numpy; don't pin the
latter).  Sources: https://lite.xlwings.org/custom-functions,
https://lite.xlwings.org/dependencies, https://lite.xlwings.org/limitations,
https://lite.xlwings.org/changelog.

What is exported, and why
-------------------------
**main.py carries xlfuncs itself** (the default).  xlfuncs is not on PyPI yet,
so there is nothing micropip could fetch by name.  The pure-Python modules the
worksheet functions need at run time are packed, as a deterministic zip encoded
in base64, at the end of ``main.py``.  On start-up ``main.py`` writes that zip
to a temporary file (named after its SHA-256; in Pyodide, /tmp is in memory),
puts it first on ``sys.path``
(the standard library's zipimport reads it) and runs
``from xlfuncs.runtimes.excel import *``.  That binds one module attribute per function
of :data:`xlfuncs.REGISTRY`, named after its Excel name and carrying xlwings'
``__xlfunc__`` (this is what Lite inspects), and nothing else.  ``main.py``
needs no network, no hosting and no CORS, and it works the same in a
self-hosted Lite with a private index.  The packed code is exactly the code
the tests import.

**Only what runs in Lite is packed.**  :func:`runtime_modules` follows the
package-internal imports, at any depth, from ``xlfuncs/__init__.py`` and
``xlfuncs/runtimes/excel.py``: the framework, the functions and the registration
(15 modules and packages today).  ``workbooks``, ``windows``, ``cli``, ``docs`` and
the rest are left out, because they need openpyxl, formulas and XlsxWriter or a
desktop.
:func:`check_imports` then refuses to export if a packed module imports
anything except the standard library (less the modules Pyodide removes or
can't run), numpy and xlwings.

**requirements.txt: numpy, unpinned (Pyodide builds it), and the xlwings
series the registration is tested with** (:data:`XLWINGS_REQUIREMENT`, the
same range as ``pyproject.toml``).  Lite installs xlwings itself from
requirements.txt ("New workbooks now default to xlwings 0.33.x … upgrade …
via requirements.txt", Lite changelog; "For pure Python packages including
xlwings, you can pin the version", Lite dependencies page).  xlwings also
publishes a pure ``py3-none-any`` wheel.  The 0.37.8 wheel declares
dependencies only for Windows (pywin32) and macOS (psutil, appscript), none
for Pyodide.  So the line installs cleanly, and a pasted requirements.txt
keeps a tested xlwings in the workbook instead of dropping the xlwings line
that new workbooks carry.  ``--xlwings ''`` leaves it out, to keep a
workbook's own xlwings line.  One manual check, not in the tests: main.py
also registered and computed with xlwings 0.33.20, the default for new
workbooks in Lite's changelog.

**--requirement SPEC** instead installs xlfuncs with micropip, from a release
on PyPI (``xlfuncs==0.2.0``) or from a wheel URL on a server that allows
CORS (``xlfuncs @ https://…/xlfuncs-0.1.0-py3-none-any.whl``).  ``main.py``
is then just the import.  The wheel is pure Python (``py3-none-any``, a test
checks this), and its dependencies numpy and xlwings both resolve in
Pyodide.

``main.py`` is deterministic: the same sources give the same bytes (fixed zip
timestamps, order and permissions, LF line endings, no dates in the header).

Not verifiable without Excel: that Lite registers functions from ``main.py``
only, not from modules that ``main.py`` imports.  xlwings' own
``custom_functions_meta`` (used in the tests) inspects only the module it is
given.
"""

from __future__ import annotations

import argparse
import ast
import base64
import hashlib
import io
import sys
import textwrap
import zipfile
from pathlib import Path

from ..functions import REGISTRY
from ..functions.versions import __version__
from . import fetching

PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: Where the import graph starts: the package itself and the xlwings registration.
ROOTS = ("xlfuncs", "xlfuncs.runtimes.excel")
#: Left out of the export: the functions that fetch (xlfuncs.data).  The browser sends its own
#: User-Agent, which the SEC refuses, and blocks sources without CORS headers (the SEC's APIs);
#: Pyodide has no threads for the machine-wide rate lock.  Without the package, xlfuncs'
#: ``__init__`` registers the kernels alone (docs/data-sources.md, "Runtimes × sources").
NOT_EXPORTED = fetching.PACKAGE
#: Third-party packages a packed module may import: both available in xlwings Lite.
THIRD_PARTY = {"numpy", "xlwings"}
#: Imported only by the Python API (a schedule returned as a DataFrame), never by a worksheet
#: function, so never in Lite.
PYTHON_API_ONLY = {"pandas"}
#: The xlwings line of requirements.txt: the series the registration is tested with (pyproject.toml).
XLWINGS_REQUIREMENT = "xlwings>=0.37.8,<0.38"
#: Standard-library modules that Pyodide removes, or that import but can't work in WebAssembly
#: (https://pyodide.org/en/stable/usage/wasm-constraints.html, https://lite.xlwings.org/limitations).
NOT_IN_PYODIDE = {
    "curses",
    "dbm",
    "ensurepip",
    "idlelib",
    "lib2to3",
    "tkinter",
    "turtle",
    "turtledemo",
    "venv",
    "multiprocessing",
    "threading",
    "socket",
    "subprocess",
}
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: no build time in the output
_WIDTH = 76


class LiteExportError(ValueError):
    """The package can't be exported for xlwings Lite as it stands."""


def module_path(name: str) -> Path:
    """The source file of package module ``name`` (dotted, e.g. ``xlfuncs.framework.spec``)."""
    folder = PACKAGE_DIR.parent.joinpath(*name.split("."))
    return folder / "__init__.py" if folder.is_dir() else folder.with_suffix(".py")


def package_modules() -> list[str]:
    """Every module and subpackage of xlfuncs, dotted, sorted."""
    names = []
    for path in PACKAGE_DIR.rglob("*.py"):
        parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return sorted(names)


def module_imports(name: str) -> tuple[set[str], set[str]]:
    """(package modules, other top-level modules) that package module ``name`` names in its
    imports, at any depth (module level or inside functions).  Importing a submodule also runs
    the packages above it; :func:`runtime_modules` adds those.
    """
    path = module_path(name)
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE_DIR.parent)))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    internal: set[str] = set()
    external: set[str] = set()

    def add(dotted: str, alias_names=()) -> None:
        internal.add(dotted)
        internal.update(
            f"{dotted}.{a}"
            for a in alias_names  # ``from pkg import module``
            if module_path(f"{dotted}.{a}").is_file()
        )

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names = [a.name for a in node.names]
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                add(".".join(base + ([node.module] if node.module else [])), names)
            elif node.module and node.module.split(".")[0] == "xlfuncs":
                add(node.module, names)
            elif node.module:
                external.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "xlfuncs":
                    add(alias.name)
                else:
                    external.add(alias.name.split(".")[0])
    internal.discard(name)
    return internal, external


def runtime_modules(leave_out: str | None = NOT_EXPORTED) -> list[str]:
    """The package modules that ``xlfuncs.runtimes.excel`` needs at run time, sorted: the closure of
    package-internal imports (module level or inside functions) from :data:`ROOTS`, less the
    package ``leave_out`` (the LibreOffice add-in keeps it: ``None``).
    """
    seen: set[str] = set()
    todo = list(ROOTS)
    while todo:
        name = todo.pop()
        if name in seen or (leave_out and (name == leave_out or name.startswith(leave_out + "."))):
            continue
        seen.add(name)
        parts = name.split(".")
        todo.extend({".".join(parts[:i]) for i in range(1, len(parts))} | module_imports(name)[0])
    return sorted(seen)


def exported_names() -> list[str]:
    """The Excel names of the functions the export registers: :data:`REGISTRY` less :data:`NOT_EXPORTED`'s."""
    return [name for name, spec in REGISTRY.items() if not fetching.fetches(spec)]


def _relative(name: str) -> str:
    return module_path(name).relative_to(PACKAGE_DIR.parent).as_posix()


def check_imports(modules: list[str]) -> None:
    """Raise :class:`LiteExportError` if a module imports what xlwings Lite can't provide."""
    stdlib = set(sys.stdlib_module_names) - NOT_IN_PYODIDE
    problems = [
        f"{_relative(name)} imports {other}"
        for name in modules
        for other in sorted(module_imports(name)[1] - stdlib - THIRD_PARTY - PYTHON_API_ONLY)
    ]
    if problems:
        raise LiteExportError(
            "xlwings Lite (Pyodide) can't run what these imports need; only the standard library, "
            f"{' and '.join(sorted(THIRD_PARTY))} are available to the packed modules: " + "; ".join(problems)
        )


def pack(modules: list[str]) -> bytes:
    """A zip of the source file of each module; the same sources give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(modules, key=_relative):
            info = zipfile.ZipInfo(_relative(name), date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever machine exports
            info.external_attr = 0o100644 << 16
            source = module_path(name).read_text(encoding="utf-8").replace("\r\n", "\n").encode("utf-8")
            archive.writestr(info, source, compresslevel=9)
    return buffer.getvalue()


def _comment_list(items, prefix: str) -> list[str]:
    return textwrap.wrap(
        ", ".join(items), width=88, initial_indent=prefix, subsequent_indent="#" + " " * (len(prefix) - 1)
    )


def _header(
    requirement: str | None, xlwings: str | None, modules: list[str] | None, digest: str | None
) -> list[str]:
    names = exported_names()
    lines = [
        f"# xlfuncs {__version__} for xlwings Lite: {len(names)} worksheet functions for Excel.",
        "#",
        "# Generated by `xlfuncs lite`; don't edit.  To regenerate (for example after upgrading",
        "# xlfuncs), run `xlfuncs lite DIR` and paste DIR/main.py and DIR/requirements.txt again.",
        "#",
        "# How to use: paste this whole file into the main.py tab of the xlwings Lite editor and",
        "# requirements.txt into the requirements.txt tab, then restart xlwings Lite.  The functions",
        "# then appear in Excel, for example =MARKETCAP(100, 1000000).",
        "#",
    ]
    lines += _comment_list(names, "# Functions: ")
    lines += ["#", "# requirements.txt: " + ", ".join(_requirement_lines(requirement, xlwings)), "#"]
    if requirement is None:
        lines += [
            "# This file carries the xlfuncs package itself: its pure-Python modules needed in Excel,",
            "# as a zip encoded in base64 at the end of this file.  At start-up, the zip is written",
            "# to a temporary file and imported from there (zipimport), then the functions are",
            "# imported into this module.  xlfuncs is BSD-3-Clause licensed.",
            "#",
            f"# Zip SHA-256: {digest}",
        ]
        lines += _comment_list(sorted(_relative(m) for m in modules or ()), "# Modules: ")
    else:
        lines += [f"# xlfuncs itself is installed by micropip from requirements.txt ({requirement})."]
    return lines


_LOADER = '''

def _use_packed_xlfuncs(packed):
    """Make `import xlfuncs` find the zip below, and no other xlfuncs."""
    import base64
    import hashlib
    import importlib
    import os
    import sys
    import tempfile

    data = base64.b64decode(packed)
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(tempfile.gettempdir(), f"xlfuncs-{{VERSION}}-{digest[:16]}.zip")
    try:
        with open(path, "rb") as existing:
            current = existing.read() == data
    except OSError:
        current = False
    if not current:
        partial = f"{path}.{os.getpid()}.part"
        with open(partial, "wb") as out:
            out.write(data)
        os.replace(partial, path)
    # An xlfuncs imported before from elsewhere (an installed one, an earlier main.py) goes.
    for name in [n for n in sys.modules if n == "xlfuncs" or n.startswith("xlfuncs.")]:
        if not (getattr(sys.modules[name], "__file__", None) or "").startswith(path + os.sep):
            del sys.modules[name]
    stale = os.path.join(tempfile.gettempdir(), "xlfuncs-")  # earlier versions' zips
    sys.path[:] = [p for p in sys.path if not (str(p).startswith(stale) and str(p).endswith(".zip"))]
    sys.path.insert(0, path)
    importlib.invalidate_caches()


'''


def build_main_py(requirement: str | None = None, xlwings: str | None = XLWINGS_REQUIREMENT) -> str:
    """The text of ``main.py``: self-contained, or (with ``requirement``) just the import."""
    if requirement is not None:
        return "\n".join(
            [
                *_header(requirement, xlwings, None, None),
                "",
                "from xlfuncs.runtimes.excel import *  # noqa: F401,F403  (one attribute per worksheet function)",
                "",
            ]
        )
    modules = runtime_modules()
    check_imports(modules)
    data = pack(modules)
    encoded = base64.b64encode(data).decode("ascii")
    blob = "\n".join(encoded[i : i + _WIDTH] for i in range(0, len(encoded), _WIDTH))
    return (
        "\n".join(_header(None, xlwings, modules, hashlib.sha256(data).hexdigest()))
        + _LOADER.replace("{{VERSION}}", __version__)
        + f'_XLFUNCS_ZIP = """\n{blob}\n"""\n\n'
        + "_use_packed_xlfuncs(_XLFUNCS_ZIP)\n"
        + "del _use_packed_xlfuncs, _XLFUNCS_ZIP\n\n"
        + "from xlfuncs.runtimes.excel import *  # noqa: E402,F401,F403  (one attribute per worksheet function)\n"
    )


def _requirement_lines(requirement: str | None, xlwings: str | None) -> list[str]:
    lines = [xlwings] if xlwings else []
    lines.append("numpy")  # built by Pyodide: its version is the Pyodide's, so not pinned
    if requirement is not None:
        lines.append(requirement)
    return lines


def build_requirements(requirement: str | None = None, xlwings: str | None = XLWINGS_REQUIREMENT) -> str:
    """The text of ``requirements.txt``: xlwings, numpy and, with ``requirement``, xlfuncs."""
    return "\n".join(_requirement_lines(requirement, xlwings)) + "\n"


def export(
    directory: Path, requirement: str | None = None, xlwings: str | None = XLWINGS_REQUIREMENT
) -> dict[str, Path]:
    """Write ``main.py`` and ``requirements.txt`` into ``directory``; return their paths."""
    directory = Path(directory)
    files = {
        "main.py": build_main_py(requirement, xlwings),
        "requirements.txt": build_requirements(requirement, xlwings),
    }
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, text in files.items():
        path = directory / name
        path.write_bytes(text.encode("utf-8"))  # LF on every platform
        written[name] = path
    return written


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory",
        nargs="?",
        default=Path("xlfuncs-lite"),
        type=Path,
        help="folder for main.py and requirements.txt (default: xlfuncs-lite)",
    )
    parser.add_argument(
        "--requirement",
        metavar="SPEC",
        default=None,
        help="install xlfuncs with micropip from SPEC instead of carrying it in main.py: "
        "a release ('xlfuncs==0.2.0') or a wheel URL on a server that allows CORS "
        "('xlfuncs @ https://.../xlfuncs-0.1.0-py3-none-any.whl')",
    )
    parser.add_argument(
        "--xlwings",
        metavar="SPEC",
        default=XLWINGS_REQUIREMENT,
        help=f"the xlwings line of requirements.txt (default: {XLWINGS_REQUIREMENT!r}, "
        "the series the functions are tested with); '' leaves it out, to keep "
        "the workbook's own xlwings line",
    )


def run(args: argparse.Namespace) -> int:
    try:
        written = export(args.directory, args.requirement, args.xlwings or None)
    except LiteExportError as exc:
        print(f"xlfuncs lite: {exc}", file=sys.stderr)
        return 2
    for path in written.values():
        print(f"wrote {path}")
    print(
        "In Excel: open xlwings Lite (Home > xlwings Lite), paste main.py into the main.py tab and "
        "requirements.txt into the requirements.txt tab, then restart xlwings Lite."
    )
    return 0


if __name__ == "__main__":
    _parser = argparse.ArgumentParser(
        prog="python -m xlfuncs.runtimes.lite", description=__doc__.splitlines()[0]
    )
    add_arguments(_parser)
    sys.exit(run(_parser.parse_args()))

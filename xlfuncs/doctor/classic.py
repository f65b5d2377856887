"""``xlfuncs doctor``: is everything in place for the functions in desktop Excel?

One line per check: ``OK``, ``WARN`` or ``FAIL``, what was checked, what was
found and, when it is not OK, how to fix it.  The checks follow what goes wrong
for users of xlwings add-ins (xlwings issues): a DLL or add-in of another
xlwings version ("File not found: xlwings64-x.y.z.dll"), a Microsoft Store
Python or Excel, a config pointing at the wrong Python, functions missing
after a change, "Trust access to the VBA project object model" being off.

On Windows everything is checked (through :class:`xlfuncs.windows.install.ExcelHost`,
without starting Excel).  Elsewhere doctor checks what needs no Excel (the
versions, xlwings' add-in template and its DLL pin, the module, the function
names) and says that desktop Excel needs Windows; ``--addin`` inspects an
add-in file on any system.

Exit code 0 when no check FAILs, 1 otherwise.
"""

from __future__ import annotations

import importlib
import json
import platform
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from importlib import metadata
from pathlib import Path

from ..functions import REGISTRY
from ..runtimes import names
from . import addin, winconfig
from .install import ADDIN, MODULES, ExcelHost, Layout, WindowsHost, fingerprint
from .winconfig import PROJECT, STORE_EXCEL, STORE_PYTHON, TRUST_HOWTO, InstallError

REINSTALL = "run `xlfuncs install --force`"


@dataclass(frozen=True)
class Check:
    status: str  # OK, WARN or FAIL
    what: str
    found: str
    fix: str = ""

    def __str__(self) -> str:
        return f"{self.status:<4} {self.what}: {self.found}" + (f". Fix: {self.fix}" if self.fix else "")


def ok(what: str, found: str) -> Check:
    return Check("OK", what, found)


def warn(what: str, found: str, fix: str) -> Check:
    return Check("WARN", what, found, fix)


def fail(what: str, found: str, fix: str) -> Check:
    return Check("FAIL", what, found, fix)


def diagnose(host: WindowsHost | None, home: Path, addin_path: Path | None = None) -> list[Check]:
    """Every check, in the order a user would fix them; a check that breaks is a FAIL, not a crash."""
    runs: list[tuple[str, Callable[[], Check | list[Check]]]] = [
        ("platform", partial(_platform, host)),
        ("Python", partial(_python, Path(sys.executable))),
        ("xlwings", _xlwings),
        ("xlwings' add-in template", _template),
    ]
    if host is not None:
        addin_path = addin_path or host.startup_folder() / ADDIN
        runs += [("Excel", partial(_excel, host)), ("VBA project access", partial(_trust, host))]
    if addin_path is not None:
        runs.append(("add-in", partial(_addin, addin_path)))
        if host is not None:
            runs += [
                ("install record", partial(_record, Layout(home), addin_path)),
                ("config", partial(_config, Layout(home))),
            ]
    runs += [("module", _module), ("functions", partial(_functions, host is not None))]
    runs.append(("LibreOffice", _libreoffice))
    checks: list[Check] = []
    for what, check in runs:
        try:
            result = check()
        except Exception as exc:
            result = fail(what, f"could not check: {type(exc).__name__}: {exc}", "report this to xlfuncs")
        checks += result if isinstance(result, list) else [result]
    return checks


def _xlwings_version() -> str | None:
    try:
        return metadata.version("xlwings")
    except metadata.PackageNotFoundError:
        return None


def _platform(host) -> Check:
    if host is None:
        return warn(
            "platform",
            f"desktop Excel needs Windows; this is {platform.system()}, so the "
            "add-in, XLSTART, config and Excel checks are skipped",
            "run `xlfuncs doctor` on the Windows PC with Excel",
        )
    return ok("platform", f"{platform.system()} {platform.release()}")


def _python(executable: Path) -> Check:
    found = f"{platform.python_version()} ({struct.calcsize('P') * 8}-bit) at {executable}"
    if winconfig.store_python(executable):
        return fail("Python", f"{found} is the Microsoft Store build", STORE_PYTHON)
    return ok("Python", found)


def _xlwings() -> Check:
    version = _xlwings_version()
    if version is None:
        return fail("xlwings", "not installed", "pip install xlfuncs (it installs a compatible xlwings)")
    return ok("xlwings", version)


def _template() -> Check:
    what = "xlwings' add-in template"
    try:
        path = addin.template_path()
        pin = addin.inspect_addin(path).xlwings_version
    except InstallError as exc:
        return fail(what, str(exc), "reinstall xlwings")
    if pin != _xlwings_version():
        return fail(
            what,
            f"{path} loads the DLL of xlwings {pin}, the package is {_xlwings_version()}",
            "reinstall xlwings",
        )
    return ok(what, f"{path} readable, loads xlwings64-{pin}.dll as the package needs")


def _excel(host: WindowsHost) -> Check:
    path = host.excel_path()
    if path is None:
        return warn(
            "Excel",
            "desktop Excel not found (registry App Paths excel.exe)",
            "install desktop Excel (Microsoft 365 or Office 2016+)",
        )
    if winconfig.store_excel(path):
        return fail("Excel", f"{path} is the Microsoft Store build", STORE_EXCEL)
    return ok("Excel", path)


def _trust(host: WindowsHost) -> Check:
    what = "VBA project access"
    if host.vba_access_trusted():
        return ok(what, '"Trust access to the VBA project object model" is on')
    return warn(
        what,
        '"Trust access to the VBA project object model" is off; only '
        "`xlfuncs install` needs it, using the functions does not",
        TRUST_HOWTO,
    )


def _addin(path: Path) -> list[Check]:
    if not path.is_file():
        return [fail("add-in", f"{path} not found", "run `xlfuncs install`")]
    try:
        info = addin.inspect_addin(path)
    except InstallError as exc:
        return [fail("add-in", str(exc), REINSTALL)]
    checks = [ok("add-in", str(path))]
    version = _xlwings_version()
    if info.xlwings_version != version:
        checks.append(
            fail(
                "add-in xlwings version",
                f"built for xlwings {info.xlwings_version}, this "
                f"Python has {version}: Excel would report 'File not found: "
                f"xlwings64-{info.xlwings_version}.dll'",
                "run `xlfuncs install` again",
            )
        )
    else:
        checks.append(ok("add-in xlwings version", f"{version} (loads xlwings64-{version}.dll)"))
    if info.project != PROJECT:
        checks.append(
            fail(
                "add-in VBA project",
                f"PROJECT_NAME is {info.project!r}, so it reads {info.project}.conf, not {PROJECT}.conf",
                REINSTALL,
            )
        )
    wanted = [s.excel_name for s in REGISTRY.values()]
    missing = [n for n in wanted if n not in info.functions]
    if missing:
        checks.append(
            fail(
                "add-in functions",
                f"{len(missing)} of {len(wanted)} not imported: {', '.join(missing)}",
                REINSTALL,
            )
        )
    else:
        checks.append(ok("add-in functions", f"all {len(wanted)} imported"))
    if info.config_sheet != f"{PROJECT}.conf" or info.config.get("UDF MODULES") != MODULES:
        checks.append(
            fail(
                "add-in config sheet",
                f"{info.config_sheet}: {info.config}; expected {PROJECT}.conf with UDF Modules = {MODULES}",
                REINSTALL,
            )
        )
    else:
        checks.append(ok("add-in config sheet", f"{info.config_sheet}: UDF Modules = {MODULES}"))
    return checks


def _record(layout: Layout, path: Path) -> Check:
    what = "install record"
    try:
        record = json.loads(layout.record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return warn(
            what,
            f"no readable {layout.record}: `xlfuncs uninstall` can't undo anything",
            "run `xlfuncs install`",
        )
    if record.get("addin", {}).get("path") != str(path):
        return warn(what, f"{layout.record} does not list {path}", "run `xlfuncs install`")
    if record.get("fingerprint") != fingerprint(addin.template_path()):
        return warn(
            what,
            "the add-in was built from another xlwings or xlfuncs version",
            "run `xlfuncs install` (it rebuilds)",
        )
    return ok(what, f"{layout.record} lists the add-in; `xlfuncs uninstall` removes it")


def _config(layout: Layout) -> list[Check]:
    what, path = "config INTERPRETER_WIN", layout.config
    configured = winconfig.get(winconfig.read(path), "INTERPRETER_WIN")
    if configured is None:
        return [
            fail(
                what,
                f"not set in {path}: Excel would start whatever `pythonw` is on PATH",
                "run `xlfuncs install`",
            )
        ]
    interpreter = Path(configured)
    if not interpreter.is_file():
        return [
            fail(
                what,
                f"{interpreter} does not exist",
                "run `xlfuncs install` with the Python Excel should use",
            )
        ]
    if winconfig.store_python(interpreter):
        return [fail(what, f"{interpreter} is a Microsoft Store Python", STORE_PYTHON)]
    checks = []
    here = winconfig.excel_python(Path(sys.executable))
    if interpreter != here:
        checks.append(
            warn(
                what,
                f"Excel starts {interpreter}, this is {here}; that Python needs xlfuncs installed",
                "run `xlfuncs install` from the Python Excel should use",
            )
        )
    else:
        checks.append(ok(what, str(interpreter)))
    version = _xlwings_version()
    dlls = [f"xlwings{bits}-{version}.dll" for bits in (64, 32)]
    folders = (interpreter.parent, interpreter.parent.parent)  # where xlwings' VBA calls LoadLibrary
    found = [folder / dll for folder in folders for dll in dlls if (folder / dll).is_file()]
    if found:
        checks.append(ok("xlwings DLL", str(found[0])))
    else:
        checks.append(
            fail(
                "xlwings DLL",
                f"no {dlls[0]} in {folders[0]} or {folders[1]}: Excel "
                f"would report 'Could not load {dlls[0]}'",
                f"pip install --force-reinstall xlwings=={version} into that Python",
            )
        )
    return checks


def _module() -> Check:
    try:
        importlib.import_module(MODULES)
    except Exception as exc:
        return fail(
            "module",
            f"{MODULES} does not import: {type(exc).__name__}: {exc}",
            "pip install --force-reinstall xlfuncs",
        )
    from ..functions.versions import runtime

    return ok("module", f"{MODULES} imports (xlwings runtime: {runtime()})")


def _functions(windows: bool) -> list[Check]:
    count = len(REGISTRY)
    problems = names.problems()
    checks = [
        fail(
            "function names",
            f"{len(problems)} problems, first: {problems[0]}",
            "rename the function or argument",
        )
        if problems
        else ok("function names", f"{count} functions, every name valid for VBA, Excel and xlwings")
    ]
    module = sys.modules.get(MODULES)
    if module is None:
        return checks
    registered = sum(hasattr(getattr(module, s.excel_name, None), "__xlfunc__") for s in REGISTRY.values())
    if windows and registered != count:
        checks.append(
            fail(
                "registration",
                f"{registered} of {count} functions registered by xlwings' classic decorators",
                "pip install pywin32 (xlwings needs it on Windows)",
            )
        )
    elif windows:
        checks.append(ok("registration", f"all {count} registered by xlwings' classic decorators"))
    else:
        checks.append(
            ok(
                "registration",
                f"{registered} of {count} registered here: xlwings' decorators "
                "register them only on Windows (classic) or with XLWINGS_ON_SERVER (Office.js)",
            )
        )
    return checks


def _libreoffice() -> Check:
    """LibreOffice Calc and the xlfuncs.oxt add-in: optional (Calc, and ``xlfuncs calc``'s default engine)."""
    from ..functions.versions import __version__
    from ..runtimes.libreoffice import build, office

    version = office.version()
    if version is None:
        return ok("LibreOffice", "not installed (optional: Calc, and xlfuncs calc's default engine)")
    installed = office.installed(build.IDENTIFIER)
    state = (
        "not installed (optional: xlfuncs libreoffice install)"
        if installed is None
        else f"{installed} installed"
        + ("" if installed == __version__ else f", not {__version__}: reinstall it")
    )
    from ..runtimes.libreoffice import instances

    kept = len(instances.running(office.cache_root()))
    engine = f"; {kept} kept by xlfuncs calc (xlfuncs libreoffice stop ends them)" if kept else ""
    return ok("LibreOffice", f"{'.'.join(map(str, version))}, xlfuncs.oxt {state}{engine}")


def add_arguments(parser) -> None:
    """Options of ``xlfuncs doctor``."""
    parser.description = (
        "Check and explain, one line each, what the functions need in desktop "
        "Excel; exit code 1 when a check FAILs."
    )
    parser.add_argument(
        "--addin",
        type=Path,
        metavar="PATH",
        help="inspect this .xlam instead of the installed one (works on any system)",
    )
    parser.add_argument(
        "--workbook",
        type=Path,
        metavar="FILE",
        help="say which runtime form FILE stores (classic, xlwings Lite or Server) and whether it suits "
        "the runtime installed here",
    )


def run(args, host: WindowsHost | None = None) -> int:
    """``xlfuncs doctor``: exit code 0 without FAIL, 1 with, 2 for an ``--addin`` that is not there."""
    if args.addin is not None and not args.addin.is_file():
        print(f"xlfuncs: error: --addin {args.addin}: no such file", file=sys.stderr)
        return 2
    if host is None and sys.platform == "win32":
        host = ExcelHost()
    checks = diagnose(host, Path.home(), args.addin)
    for check in checks:
        print(check)
    counts = {status: sum(c.status == status for c in checks) for status in ("OK", "WARN", "FAIL")}
    print(", ".join(f"{n} {status}" for status, n in counts.items()))
    return int(counts["FAIL"] > 0)

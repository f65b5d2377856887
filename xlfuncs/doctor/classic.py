"""The classic add-in in Windows desktop Excel: Python, xlwings and its add-in template, Excel,
the installed add-in, its install record and the config that says which Python Excel starts.

The checks follow what goes wrong for users of xlwings add-ins (xlwings issues): a DLL or
add-in of another xlwings version ("File not found: xlwings64-x.y.z.dll"), a Microsoft Store
Python or Excel, a config pointing at the wrong Python, functions missing after a change,
"Trust access to the VBA project object model" being off.  On Windows everything is checked
(through :class:`xlfuncs.windows.install.ExcelHost`, without starting Excel); elsewhere only
what needs no Excel, and an add-in file given with ``--addin``.
"""

from __future__ import annotations

import json
import platform
import struct
import sys
from functools import partial
from importlib import metadata
from pathlib import Path

from ..functions import REGISTRY
from ..i18n.messages import msg
from ..windows import addin, winconfig
from ..windows.install import ADDIN, MODULES, Layout, WindowsHost, fingerprint
from ..windows.winconfig import PROJECT, STORE_EXCEL, STORE_PYTHON, TRUST_HOWTO, InstallError
from .checks import Check, Run, fail, ok, warn


def runs(host: WindowsHost | None, home: Path, addin_path: Path | None = None) -> list[Run]:
    """The checks, in the order a user would fix them: what needs no Excel, then Excel and the
    installed add-in (``host``: Windows only), or the add-in file at ``addin_path``.
    """
    checks: list[Run] = [
        ("platform", partial(_platform, host)),
        ("Python", partial(_python, Path(sys.executable))),
        ("xlwings", _xlwings),
        ("xlwings' add-in template", _template),
    ]
    if host is not None:
        addin_path = addin_path or host.startup_folder() / ADDIN
        checks += [("Excel", partial(_excel, host)), ("VBA project access", partial(_trust, host))]
    if addin_path is not None:
        checks.append(("add-in", partial(_addin, addin_path)))
        if host is not None:
            checks += [
                ("install record", partial(_record, Layout(home), addin_path)),
                ("config", partial(_config, Layout(home))),
            ]
    return checks


def _reinstall() -> str:
    return msg("run `xlfuncs install --force`")


def _xlwings_version() -> str | None:
    try:
        return metadata.version("xlwings")
    except metadata.PackageNotFoundError:
        return None


def _platform(host) -> Check:
    if host is None:
        return warn(
            msg("platform"),
            msg(
                "desktop Excel needs Windows; this is {system}, so the "
                "add-in, XLSTART, config and Excel checks are skipped",
                system=platform.system(),
            ),
            msg("run `xlfuncs doctor` on the Windows PC with Excel"),
        )
    return ok(msg("platform"), f"{platform.system()} {platform.release()}")


def _python(executable: Path) -> Check:
    found = msg(
        "{version} ({bits}-bit) at {executable}",
        version=platform.python_version(),
        bits=struct.calcsize("P") * 8,
        executable=executable,
    )
    if winconfig.store_python(executable):
        return fail("Python", msg("{found} is the Microsoft Store build", found=found), STORE_PYTHON)
    return ok("Python", found)


def _xlwings() -> Check:
    version = _xlwings_version()
    if version is None:
        return fail(
            "xlwings", msg("not installed"), msg("pip install xlfuncs (it installs a compatible xlwings)")
        )
    return ok("xlwings", version)


def _template() -> Check:
    what = msg("xlwings' add-in template")
    try:
        path = addin.template_path()
        pin = addin.inspect_addin(path).xlwings_version
    except InstallError as exc:
        return fail(what, str(exc), msg("reinstall xlwings"))
    if pin != _xlwings_version():
        return fail(
            what,
            msg(
                "{path} loads the DLL of xlwings {pin}, the package is {version}",
                path=path,
                pin=pin,
                version=_xlwings_version(),
            ),
            msg("reinstall xlwings"),
        )
    return ok(
        what, msg("{path} readable, loads xlwings64-{pin}.dll as the package needs", path=path, pin=pin)
    )


def _excel(host: WindowsHost) -> Check:
    path = host.excel_path()
    if path is None:
        return warn(
            "Excel",
            msg("desktop Excel not found (registry App Paths excel.exe)"),
            msg("install desktop Excel (Microsoft 365 or Office 2016+)"),
        )
    if winconfig.store_excel(path):
        return fail("Excel", msg("{found} is the Microsoft Store build", found=path), STORE_EXCEL)
    return ok("Excel", path)


def _trust(host: WindowsHost) -> Check:
    what = msg("VBA project access")
    if host.vba_access_trusted():
        return ok(what, msg('"Trust access to the VBA project object model" is on'))
    return warn(
        what,
        msg(
            '"Trust access to the VBA project object model" is off; only '
            "`xlfuncs install` needs it, using the functions does not"
        ),
        TRUST_HOWTO,
    )


def _addin(path: Path) -> list[Check]:
    if not path.is_file():
        return [fail(msg("add-in"), msg("{path} not found", path=path), msg("run `xlfuncs install`"))]
    try:
        info = addin.inspect_addin(path)
    except InstallError as exc:
        return [fail(msg("add-in"), str(exc), _reinstall())]
    checks = [ok(msg("add-in"), str(path))]
    version = _xlwings_version()
    if info.xlwings_version != version:
        checks.append(
            fail(
                msg("add-in xlwings version"),
                msg(
                    "built for xlwings {pin}, this Python has {version}: Excel would report "
                    "'File not found: xlwings64-{pin}.dll'",
                    pin=info.xlwings_version,
                    version=version,
                ),
                msg("run `xlfuncs install` again"),
            )
        )
    else:
        checks.append(
            ok(
                msg("add-in xlwings version"),
                msg("{version} (loads xlwings64-{version}.dll)", version=version),
            )
        )
    if info.project != PROJECT:
        checks.append(
            fail(
                msg("add-in VBA project"),
                msg(
                    "PROJECT_NAME is {name!r}, so it reads {name}.conf, not {project}.conf",
                    name=info.project,
                    project=PROJECT,
                ),
                _reinstall(),
            )
        )
    wanted = [s.excel_name for s in REGISTRY.values()]
    missing = [n for n in wanted if n not in info.functions]
    if missing:
        checks.append(
            fail(
                msg("add-in functions"),
                msg(
                    "{missing} of {wanted} not imported: {names}",
                    missing=len(missing),
                    wanted=len(wanted),
                    names=", ".join(missing),
                ),
                _reinstall(),
            )
        )
    else:
        checks.append(ok(msg("add-in functions"), msg("all {wanted} imported", wanted=len(wanted))))
    if info.config_sheet != f"{PROJECT}.conf" or info.config.get("UDF MODULES") != MODULES:
        checks.append(
            fail(
                msg("add-in config sheet"),
                msg(
                    "{sheet}: {config}; expected {project}.conf with UDF Modules = {modules}",
                    sheet=info.config_sheet,
                    config=info.config,
                    project=PROJECT,
                    modules=MODULES,
                ),
                _reinstall(),
            )
        )
    else:
        checks.append(ok(msg("add-in config sheet"), f"{info.config_sheet}: UDF Modules = {MODULES}"))
    return checks


def _record(layout: Layout, path: Path) -> Check:
    what = msg("install record")
    try:
        record = json.loads(layout.record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return warn(
            what,
            msg("no readable {record}: `xlfuncs uninstall` can't undo anything", record=layout.record),
            msg("run `xlfuncs install`"),
        )
    if record.get("addin", {}).get("path") != str(path):
        return warn(
            what,
            msg("{record} does not list {path}", record=layout.record, path=path),
            msg("run `xlfuncs install`"),
        )
    if record.get("fingerprint") != fingerprint(addin.template_path(), record.get("lang", "en")):
        return warn(
            what,
            msg("the add-in was built from another xlwings or xlfuncs version"),
            msg("run `xlfuncs install` (it rebuilds)"),
        )
    return ok(what, msg("{record} lists the add-in; `xlfuncs uninstall` removes it", record=layout.record))


def _config(layout: Layout) -> list[Check]:
    what, path = msg("config INTERPRETER_WIN"), layout.config
    configured = winconfig.get(winconfig.read(path), "INTERPRETER_WIN")
    if configured is None:
        return [
            fail(
                what,
                msg("not set in {path}: Excel would start whatever `pythonw` is on PATH", path=path),
                msg("run `xlfuncs install`"),
            )
        ]
    interpreter = Path(configured)
    if not interpreter.is_file():
        return [
            fail(
                what,
                msg("{path} does not exist", path=interpreter),
                msg("run `xlfuncs install` with the Python Excel should use"),
            )
        ]
    if winconfig.store_python(interpreter):
        return [fail(what, msg("{path} is a Microsoft Store Python", path=interpreter), STORE_PYTHON)]
    checks = []
    here = winconfig.excel_python(Path(sys.executable))
    if interpreter != here:
        checks.append(
            warn(
                what,
                msg(
                    "Excel starts {interpreter}, this is {here}; that Python needs xlfuncs installed",
                    interpreter=interpreter,
                    here=here,
                ),
                msg("run `xlfuncs install` from the Python Excel should use"),
            )
        )
    else:
        checks.append(ok(what, str(interpreter)))
    version = _xlwings_version()
    dlls = [f"xlwings{bits}-{version}.dll" for bits in (64, 32)]
    folders = (interpreter.parent, interpreter.parent.parent)  # where xlwings' VBA calls LoadLibrary
    found = [folder / dll for folder in folders for dll in dlls if (folder / dll).is_file()]
    if found:
        checks.append(ok(msg("xlwings DLL"), str(found[0])))
    else:
        checks.append(
            fail(
                msg("xlwings DLL"),
                msg(
                    "no {dll} in {first} or {second}: Excel would report 'Could not load {dll}'",
                    dll=dlls[0],
                    first=folders[0],
                    second=folders[1],
                ),
                msg("pip install --force-reinstall xlwings=={version} into that Python", version=version),
            )
        )
    return checks

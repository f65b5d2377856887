r"""``xlfuncs install`` and ``xlfuncs uninstall``: the functions in every Excel workbook on Windows.

``install`` prints each step as it runs (``--dry-run``: prints them, changes nothing):

1. build ``xlfuncs.xlam`` in a temporary folder from xlwings' add-in template; its
   config sheet ``xlfuncs.conf`` holds ``UDF Modules = xlfuncs.runtimes.excel``
   (:func:`xlfuncs.windows.addin.make_addin`);
2. in a hidden Excel, over COM through xlwings: rename its VBA project to
   ``xlfuncs``, import the function wrappers with ``xlwings.import_udfs``, save
   (:func:`xlfuncs.windows.addin.import_functions`; needs "Trust access to the VBA
   project object model");
3. ``xlwings addin install -f xlfuncs.xlam``: xlwings copies it into Excel's
   start-up folder (XLSTART) and opens it in running Excels; the copy is checked,
   because xlwings' command reports its failures with exit code 0;
4. merge ``INTERPRETER_WIN`` (this Python's ``pythonw.exe``) into
   ``%USERPROFILE%\.xlfuncs\xlfuncs.conf``, after a timestamped backup of a
   file that was the user's (:mod:`xlfuncs.windows.winconfig`);
5. write ``%USERPROFILE%\.xlfuncs\install.json``: the add-in added, each config
   line replaced or added and what was there before.  After a failure the record
   of the steps done so far is still written, so uninstall undoes them.

Steps 1-3 are skipped while the recorded add-in is in place and was built from
the same template, settings and function metadata (``--force`` rebuilds), step 4
while the value is set: a second run changes nothing.

``uninstall`` undoes what the record lists: ``xlwings addin remove -f
xlfuncs.xlam``; each config line back as it was (or removed), unless changed
since; our config file and folder deleted when nothing else is left in them.
Backups of the user's file are kept.

What needs Windows is behind :class:`WindowsHost`: :class:`ExcelHost` is the
real one; tests drive the same sequence with a recording fake.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..functions import REGISTRY
from ..i18n import ENGLISH, LanguageError, choose, function_texts
from ..i18n.messages import msg, speaking
from . import addin, winconfig
from .winconfig import PROJECT, STORE_EXCEL, STORE_PYTHON, TRUST_HOWTO, ConfigError, InstallError

ADDIN = f"{PROJECT}.xlam"
MODULES = "xlfuncs.runtimes.excel"
#: The add-in's own config sheet: only what is the same on every machine.
SHEET_SETTINGS = {"UDF Modules": MODULES}
APP_PATHS = r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\excel.exe"  # under HKLM
#: Where AccessVBOM may be set, under HKCU: a group policy wins over the user's choice.
TRUST_KEYS = (
    r"Software\Policies\Microsoft\Office\16.0\Excel\Security",
    r"Software\Microsoft\Office\16.0\Excel\Security",
)


class WindowsHost(Protocol):
    """The Windows side of install, uninstall and doctor."""

    def startup_folder(self) -> Path:
        """Excel's per-user start-up folder (XLSTART)."""

    def excel_path(self) -> str | None:
        """The folder of the desktop Excel, ``None`` when it is not found."""

    def vba_access_trusted(self) -> bool | None:
        """Whether "Trust access to the VBA project object model" is on, off, or ``None`` when never set."""

    def import_functions(self, xlam: Path, project: str, modules: str, lang: str) -> None:
        """Open ``xlam`` in a hidden Excel, run :func:`xlfuncs.windows.addin.import_functions`, save, close."""

    def xlwings_cli(self, *args: str) -> str:
        """Run xlwings' command line with ``args``; its output."""


class ExcelHost:
    """The real Windows side: Excel over COM through xlwings, xlwings' CLI, the registry.

    xlwings and ``winreg`` are imported inside the methods: on Windows only.
    """

    def __init__(self):
        if sys.platform != "win32":
            raise InstallError(
                msg(
                    "this needs Windows with desktop Excel (this is {platform}); "
                    "`xlfuncs doctor` shows what can be checked here",
                    platform=sys.platform,
                )
            )

    def startup_folder(self) -> Path:
        return winconfig.xlstart(Path(os.environ["APPDATA"]))

    def excel_path(self) -> str | None:
        if sys.platform != "win32":  # refused by __init__ already; this also tells the type checker
            raise InstallError("the Windows registry exists only on Windows")
        import winreg

        import xlwings

        if xlwings.apps.count and xlwings.apps.active is not None:
            return xlwings.apps.active.path
        try:
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, APP_PATHS) as key:
                return str(Path(winreg.QueryValueEx(key, "")[0]).parent)
        except OSError:
            return None

    def vba_access_trusted(self) -> bool | None:
        if sys.platform != "win32":  # refused by __init__ already; this also tells the type checker
            raise InstallError("the Windows registry exists only on Windows")
        import winreg

        for key_name in TRUST_KEYS:
            try:
                with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key_name) as key:
                    return bool(winreg.QueryValueEx(key, "AccessVBOM")[0])
            except OSError:
                continue
        return None

    def import_functions(self, xlam: Path, project: str, modules: str, lang: str) -> None:
        import xlwings

        with xlwings.App(visible=False, add_book=False) as app:
            app.display_alerts = False  # a dialog in a hidden Excel would wait forever
            with app.books.open(str(xlam)) as book:
                addin.import_functions(book.api, project, modules, lang)
                book.save()

    def xlwings_cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "xlwings.cli", *args], capture_output=True, text=True, check=False
        )
        if done.returncode:  # the last line of a traceback or usage message says what went wrong
            last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
            raise InstallError(msg("`xlwings {args}` failed: {last}", args=" ".join(args), last=last))
        return " ".join(done.stdout.split())


@dataclass(frozen=True)
class Layout:
    r"""Our files under ``%USERPROFILE%``."""

    home: Path

    @property
    def folder(self) -> Path:
        return self.home / f".{PROJECT}"

    @property
    def config(self) -> Path:
        return winconfig.user_config(self.home)

    @property
    def record(self) -> Path:
        return self.folder / "install.json"


@dataclass(frozen=True)
class Step:
    text: str  # what is done, printed before doing it (or instead, with --dry-run)
    action: Callable[[], None]
    deletes: Path | None = None  # the file the step deletes, if any


def fingerprint(template: Path, lang: str = ENGLISH) -> str:
    """What the add-in is built from: the template, our settings, every function's
    name, description and arguments (what the generated VBA depends on), in ``lang``.
    """
    functions = [
        [s.excel_name, *function_texts(s, lang), [[a.name, a.required] for a in s.args]]
        for s in REGISTRY.values()
    ]
    payload = [_sha256(template), PROJECT, MODULES, SHEET_SETTINGS, functions]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def install(
    host: WindowsHost,
    home: Path,
    interpreter: Path,
    *,
    dry_run: bool = False,
    force: bool = False,
    lang: str = ENGLISH,
    out: Callable[[str], None] = print,
) -> int:
    """Install the add-in and its settings for the user whose profile is ``home``; the
    Function Wizard texts in ``lang``.
    """
    layout = Layout(home)
    if not interpreter.is_file():
        raise ConfigError(msg("{interpreter}: no such Python interpreter", interpreter=interpreter))
    settings = {"INTERPRETER_WIN": str(interpreter)}
    for key, value in settings.items():
        winconfig.line(key, value)  # refuses what VBA could not read back, before anything is done
    if winconfig.store_python(interpreter):
        raise InstallError(STORE_PYTHON)
    excel = host.excel_path()
    if excel and winconfig.store_excel(excel):
        raise InstallError(STORE_EXCEL)
    if excel is None:
        out(msg("note: desktop Excel was not found in the registry; trying anyway"))
    record = _read_record(layout.record) or {"folder_created": not layout.folder.exists()}
    # a dry run names the temporary build folder without creating it
    dry_staging = contextlib.nullcontext(Path(tempfile.gettempdir(), "xlfuncs-build"))
    with dry_staging if dry_run else tempfile.TemporaryDirectory(prefix="xlfuncs-") as staging:
        steps = _addin_steps(host, Path(staging) / ADDIN, record, force, lang, out)
        steps += _config_steps(layout, settings, record, out)
        if not steps:
            out(msg("nothing to do: xlfuncs is installed and up to date"))
            return 0
        steps.append(
            Step(
                msg("write {record}: what `xlfuncs uninstall` undoes", record=layout.record),
                lambda: _write_record(layout.record, record),
            )
        )
        _execute(steps, layout, record, dry_run, out)
    out(
        msg("dry run: nothing was changed")
        if dry_run
        else msg("done: type =XLFUNCS() in any Excel workbook; it shows the versions of xlfuncs and xlwings")
    )
    return 0


def _addin_steps(host, staged: Path, record: dict, force: bool, lang: str, out) -> list[Step]:
    template = addin.template_path()
    target = host.startup_folder() / ADDIN
    built_from = fingerprint(template, lang)
    installed = record.get("addin", {})
    if (
        not force
        and installed.get("path") == str(target)
        and target.is_file()
        and installed.get("sha256") == _sha256(target)
        and record.get("fingerprint") == built_from
    ):
        out(msg("add-in up to date: {target}", target=target))
        return []
    if host.vba_access_trusted() is False:
        raise InstallError(
            msg('"Trust access to the VBA project object model" is off: {howto}', howto=TRUST_HOWTO)
        )

    def copy_to_xlstart():
        said = host.xlwings_cli("addin", "install", "-f", str(staged))
        if not target.is_file() or _sha256(target) != _sha256(staged):
            raise InstallError(
                msg(
                    "the add-in did not arrive in {target}; xlwings said: {said}",
                    target=target,
                    said=said or msg("nothing"),
                )
            )
        record.update(
            fingerprint=built_from, lang=lang, addin={"path": str(target), "sha256": _sha256(target)}
        )

    sheet = ", ".join(f"{k} = {v}" for k, v in SHEET_SETTINGS.items())
    return [
        Step(
            msg(
                "build {staged} from xlwings' add-in template {template} (config sheet {project}.conf: {sheet})",
                staged=staged,
                template=template,
                project=PROJECT,
                sheet=sheet,
            ),
            lambda: addin.make_addin(template, staged, PROJECT, SHEET_SETTINGS),
        ),
        Step(
            msg(
                "open {staged} in a hidden Excel over COM: VBA project and PROJECT_NAME -> {project!r}; "
                "xlwings.import_udfs({modules!r}); Function Wizard texts in {lang!r}; save; close",
                staged=staged,
                project=PROJECT,
                modules=MODULES,
                lang=lang,
            ),
            lambda: host.import_functions(staged, PROJECT, MODULES, lang),
        ),
        Step(
            msg(
                "run `xlwings addin install -f {staged}`: copies it to {target} and opens it in running Excel",
                staged=staged,
                target=target,
            ),
            copy_to_xlstart,
        ),
    ]


def _config_steps(layout: Layout, settings: dict[str, str], record: dict, out) -> list[Step]:
    path = layout.config
    lines = winconfig.read(path)
    known = record.get("config", {})
    created = known.get("created", not path.exists())
    keys = {key: dict(value) for key, value in known.get("keys", {}).items()}
    new: list[str] = lines
    changes: list[str] = []
    for key, value in settings.items():
        if winconfig.get(lines, key) == value:
            continue
        keys.setdefault(key, {"previous": winconfig.find(lines, key)})["value"] = value
        new = winconfig.replace(new, key, winconfig.line(key, value))
        changes.append(f"{key} = {value}")
    if new == lines:
        out(msg("config up to date: {path}", path=path))
        return []
    backup = winconfig.backup_path(path) if path.exists() and not created else None

    def write():
        winconfig.write(path, new, backup)
        record["config"] = {"path": str(path), "created": created, "keys": keys}

    note = msg(" (backup of the old file: {backup})", backup=backup) if backup else ""
    return [
        Step(msg("write {path}: {changes}{note}", path=path, changes="; ".join(changes), note=note), write)
    ]


def uninstall(
    host: WindowsHost, home: Path, *, dry_run: bool = False, out: Callable[[str], None] = print
) -> int:
    """Undo what ``install`` recorded for the user whose profile is ``home``."""
    layout = Layout(home)
    record = _read_record(layout.record)
    if record is None:
        stray = host.startup_folder() / ADDIN
        if stray.exists():
            raise InstallError(
                msg(
                    "{stray} was not installed by `xlfuncs install` (no {record}); "
                    "remove it with `xlwings addin remove -f {addin}`",
                    stray=stray,
                    record=layout.record,
                    addin=ADDIN,
                )
            )
        out(msg("nothing to uninstall: no {record}", record=layout.record))
        return 0
    steps = _remove_addin_steps(host, record, out) + _restore_config_steps(record, out)
    steps.append(Step(msg("delete {path}", path=layout.record), layout.record.unlink, deletes=layout.record))
    if record.get("folder_created") and layout.folder.is_dir():
        deleted = {step.deletes for step in steps}
        left = sorted(p.name for p in layout.folder.iterdir() if p not in deleted)
        if left:
            out(msg("keeping {folder}: it also holds {left}", folder=layout.folder, left=", ".join(left)))
        else:
            steps.append(
                Step(msg("delete the empty folder {folder}", folder=layout.folder), layout.folder.rmdir)
            )
    _execute(steps, layout, record, dry_run, out)
    out(
        msg("dry run: nothing was changed")
        if dry_run
        else msg("done: xlfuncs is no longer installed in Excel")
    )
    return 0


def _remove_addin_steps(host, record: dict, out) -> list[Step]:
    if "addin" not in record:
        return []
    path = Path(record["addin"]["path"])
    if not path.exists():
        out(msg("add-in already gone: {path}", path=path))
        return []

    def remove():
        said = host.xlwings_cli("addin", "remove", "-f", ADDIN)
        if path.exists():
            raise InstallError(
                msg(
                    "{path} is still there; xlwings said: {said} (quit Excel and run `xlfuncs uninstall` again)",
                    path=path,
                    said=said or msg("nothing"),
                )
            )
        del record["addin"]

    return [
        Step(
            msg(
                "run `xlwings addin remove -f {addin}`: closes it in running Excel and deletes {path}",
                addin=ADDIN,
                path=path,
            ),
            remove,
        )
    ]


def _restore_config_steps(record: dict, out) -> list[Step]:
    if "config" not in record:
        return []
    config = record["config"]
    path = Path(config["path"])
    lines = winconfig.read(path)
    new: list[str] = lines
    changes: list[str] = []
    for key, entry in config["keys"].items():
        if winconfig.get(lines, key) != entry["value"]:
            out(msg("note: {key} in {path} was changed after install; left as it is", key=key, path=path))
            continue
        new = winconfig.replace(new, key, entry["previous"])
        changes.append(
            msg("{key} removed", key=key) if entry["previous"] is None else msg("{key} restored", key=key)
        )
    if new == lines:
        return []

    if config["created"] and not any(text.strip() for text in new):

        def delete():
            path.unlink()
            del record["config"]

        return [
            Step(
                msg("delete {path} (created by install, nothing else in it)", path=path), delete, deletes=path
            )
        ]
    backup = None if config["created"] else winconfig.backup_path(path)

    def write():
        winconfig.write(path, new, backup)
        del record["config"]

    note = msg(" (backup: {backup})", backup=backup) if backup else ""
    return [
        Step(msg("write {path}: {changes}{note}", path=path, changes="; ".join(changes), note=note), write)
    ]


def _execute(steps: list[Step], layout: Layout, record: dict, dry_run: bool, out) -> None:
    """Run (or, dry, print) the steps; on a failure keep the record of what was done."""
    if dry_run:
        out(msg("dry run: nothing is changed; the steps would be:"))
    try:
        for step in steps:
            out(msg("  would {step}", step=step.text) if dry_run else step.text)
            if not dry_run:
                step.action()
    except BaseException:
        if not dry_run and (layout.record.exists() or "addin" in record or "config" in record):
            _write_record(layout.record, record)
        raise


def _read_record(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise InstallError(
            msg("{path}: unreadable install record ({exc}); fix or delete it", path=path, exc=exc)
        ) from exc


def _write_record(path: Path, record: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


DESCRIPTION = (
    "Make the xlfuncs functions available in every Excel workbook (Windows desktop Excel): "
    "builds the add-in xlfuncs.xlam with xlwings, installs it into Excel's start-up "
    r"folder and sets the Python Excel starts in %USERPROFILE%\.xlfuncs\xlfuncs.conf."
)


def add_arguments(parser) -> None:
    """Options of ``xlfuncs install``."""
    parser.description = DESCRIPTION
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print every file it would write and every Excel action; change nothing",
    )
    parser.add_argument(
        "--force", action="store_true", help="rebuild and reinstall the add-in even when it is up to date"
    )
    parser.add_argument(
        "--python",
        type=Path,
        metavar="PATH",
        help="the Python interpreter Excel starts (default: pythonw.exe of this Python)",
    )
    parser.add_argument(
        "--lang",
        metavar="LANG",
        help="language of the Function Wizard texts: en or de (default: XLFUNCS_LANG, the config "
        "file, else en); the function names stay English",
    )


def run(args, host: WindowsHost | None = None) -> int:
    """``xlfuncs install``: exit code 0 done, 1 failed, 2 unusable input."""
    interpreter = args.python.absolute() if args.python else winconfig.excel_python(Path(sys.executable))
    try:
        lang = choose(getattr(args, "lang", None))
    except LanguageError as exc:
        print(msg("xlfuncs: error: {exc}", exc=exc), file=sys.stderr)
        return 2
    with speaking(lang):
        return one_line_errors(
            lambda h: install(h, Path.home(), interpreter, dry_run=args.dry_run, force=args.force, lang=lang),
            host,
        )


def one_line_errors(work: Callable[[WindowsHost], int], host: WindowsHost | None) -> int:
    """One line on stderr instead of a traceback: these commands are for Excel users."""
    try:
        return work(host or ExcelHost())
    except InstallError as exc:
        print(msg("xlfuncs: error: {exc}", exc=exc), file=sys.stderr)
        return exc.code
    except Exception as exc:
        print(msg("xlfuncs: error: {error}: {exc}", error=type(exc).__name__, exc=exc), file=sys.stderr)
        return 1

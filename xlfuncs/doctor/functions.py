"""The functions in both xlwings runtimes (the classic add-in; Office.js: xlwings Lite and Server):
the module they load imports, every name is valid, the decorators registered them.
"""

from __future__ import annotations

import importlib
import sys

from ..functions import REGISTRY
from ..runtimes import names
from ..windows.install import MODULES
from .checks import Check, Run, fail, ok


def runs(windows: bool) -> list[Run]:
    """The checks; ``windows``: whether xlwings' classic decorators must have registered."""
    return [("module", _module), ("functions", lambda: _functions(windows))]


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

"""The functions in both xlwings runtimes (the classic add-in; Office.js: xlwings Lite and Server):
the module they load imports, every name is valid, the decorators registered them.
"""

from __future__ import annotations

import importlib
import sys

from ..functions import REGISTRY
from ..i18n.messages import msg
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
            msg("module"),
            msg(
                "{module} does not import: {error}: {exc}", module=MODULES, error=type(exc).__name__, exc=exc
            ),
            "pip install --force-reinstall xlfuncs",
        )
    from ..functions.versions import runtime

    return ok(
        msg("module"), msg("{module} imports (xlwings runtime: {runtime})", module=MODULES, runtime=runtime())
    )


def _functions(windows: bool) -> list[Check]:
    count = len(REGISTRY)
    problems = names.problems()
    checks = [
        fail(
            msg("function names"),
            msg("{count} problems, first: {first}", count=len(problems), first=problems[0]),
            msg("rename the function or argument"),
        )
        if problems
        else ok(
            msg("function names"),
            msg("{count} functions, every name valid for VBA, Excel and xlwings", count=count),
        )
    ]
    module = sys.modules.get(MODULES)
    if module is None:
        return checks
    registered = sum(hasattr(getattr(module, s.excel_name, None), "__xlfunc__") for s in REGISTRY.values())
    if windows and registered != count:
        checks.append(
            fail(
                msg("registration"),
                msg(
                    "{registered} of {count} functions registered by xlwings' classic decorators",
                    registered=registered,
                    count=count,
                ),
                msg("pip install pywin32 (xlwings needs it on Windows)"),
            )
        )
    elif windows:
        checks.append(
            ok(msg("registration"), msg("all {count} registered by xlwings' classic decorators", count=count))
        )
    else:
        checks.append(
            ok(
                msg("registration"),
                msg(
                    "{registered} of {count} registered here: xlwings' decorators "
                    "register them only on Windows (classic) or with XLWINGS_ON_SERVER (Office.js)",
                    registered=registered,
                    count=count,
                ),
            )
        )
    return checks

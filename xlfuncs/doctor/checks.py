"""One finding of ``xlfuncs doctor``: its status, what was checked, what was found, how to fix it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..i18n.messages import msg


@dataclass(frozen=True)
class Check:
    status: str  # OK, WARN or FAIL
    what: str
    found: str
    fix: str = ""

    def __str__(self) -> str:
        return f"{self.status:<4} {self.what}: {self.found}" + (
            msg(". Fix: {fix}", fix=self.fix) if self.fix else ""
        )


def ok(what: str, found: str) -> Check:
    return Check("OK", what, found)


def warn(what: str, found: str, fix: str) -> Check:
    return Check("WARN", what, found, fix)


def fail(what: str, found: str, fix: str) -> Check:
    return Check("FAIL", what, found, fix)


#: A check not yet run: what it checks, and the call that returns its finding(s).
Run = tuple[str, Callable[[], "Check | list[Check]"]]


def run_all(runs: list[Run]) -> list[Check]:
    """Every finding of ``runs``, in order; a check that breaks is a FAIL, not a crash."""
    checks: list[Check] = []
    for what, check in runs:
        try:
            result = check()
        except Exception as exc:
            result = fail(
                what,
                msg("could not check: {error}: {exc}", error=type(exc).__name__, exc=exc),
                msg("report this to xlfuncs"),
            )
        checks += result if isinstance(result, list) else [result]
    return checks

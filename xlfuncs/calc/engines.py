"""The engines of ``xlfuncs calc``, and how ``--engine`` chooses one.

An engine computes every formula of a workbook: ``compute(path) -> (values, problems)``
(:mod:`xlfuncs.calc.results`), reading the workbook at ``path`` in whichever form it stores our
functions (a Lite or Server workbook is computed from a plain-name copy,
:func:`xlfuncs.xlsx.calls.plain_copy`), and sealed: every reference to another workbook is the
value the workbook cached for it (:mod:`xlfuncs.calc.links`), so no engine opens another file.  Two engines implement it:

* ``libreoffice``: headless LibreOffice with the xlfuncs add-in (:mod:`xlfuncs.calc.libreoffice`);
  where LibreOffice fails on a workbook, the ``formulas`` engine computes it and the summary
  says so;
* ``formulas``: the pip-only ``formulas`` package (:mod:`xlfuncs.calc.formulas_engine`).

``auto`` (the command line's default) is LibreOffice when it can run the add-in here, else
``formulas``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ..i18n.messages import msg
from ..xlsx.calls import plain_copy
from .limits import LimitExceeded, Limits, passed, refusal
from .links import EXTERNAL, sealed_copy
from .results import CalcInputError, Problems, Values, one_line

__all__ = ["ENGINES", "Engine", "engine", "engine_for"]

#: ``--engine`` choices.
ENGINES = ("auto", "libreoffice", "formulas")


class Engine(Protocol):
    """What computes a workbook."""

    name: str
    computed_by: str  #: what computed the last workbook (``formulas (LibreOffice failed: ...)``)

    def compute(self, path: Path) -> tuple[Values, Problems]:
        """The value of every formula cell of the workbook at ``path``, and the problem cells."""
        ...


class Formulas:
    """The ``formulas`` package, in a process of its own held to :attr:`limits`
    (:mod:`~xlfuncs.calc.formulas_process`).
    """

    name = computed_by = "formulas"

    def __init__(self, max_cells: int | None = None, limits: Limits | None = None) -> None:
        self.max_cells = max_cells  #: cells it takes on (None: :data:`~.formulas_engine.MAX_CELLS`)
        self.limits = limits or Limits()  #: the time and memory one workbook may take

    def compute(self, path: Path) -> tuple[Values, Problems]:
        from ..data.config import offline
        from . import formulas_process

        # the child imports formulas while the book is read
        with (
            formulas_process.started() as child,
            plain_copy(path) as readable,
            sealed_copy(readable) as (sealed, external),
        ):
            return _listed(child.compute(sealed, self.max_cells, self.limits, offline()), external)


class LibreOffice:
    """Headless LibreOffice with the add-in, each workbook held to :attr:`limits`.  With ``fallback``
    (``--engine auto``), ``formulas`` computes a workbook LibreOffice fails on, and :attr:`computed_by`
    says so; without, the failure is a :class:`CalcInputError` naming its cause.
    """

    name = "libreoffice"

    def __init__(
        self, fallback: bool = True, max_cells: int | None = None, limits: Limits | None = None
    ) -> None:
        self.fallback, self.max_cells, self.limits = fallback, max_cells, limits or Limits()
        self.computed_by = self.name  #: what computed the last workbook, as the summary names it

    def compute(self, path: Path) -> tuple[Values, Problems]:
        from ..runtimes.libreoffice.office import BuildError, LibreOfficeError
        from .libreoffice import engine, instances

        try:  # LibreOffice starts (or one kept from an earlier run is taken) while the book is read
            with (
                engine.started() as office_instance,
                plain_copy(path) as readable,
                sealed_copy(readable) as (sealed, external),
            ):
                computed = engine.compute(
                    sealed,
                    timeout=self.limits.seconds,
                    max_memory=self.limits.memory,
                    office_instance=office_instance,
                )
                return _listed(computed, external)
        except BuildError as exc:  # the add-in cannot be built here (unoidl-write fails, for one)
            reason = _first_line(str(exc).strip() or one_line(exc))
            return self._instead(
                f"LibreOffice could not start: {reason[:120]}",
                f"{path.name}: LibreOffice could not start ({reason[:160]}); {_WITHOUT}",
                path,
            )
        except instances.JobLimitError as exc:  # the book took too long, or too much memory
            what, flag = passed("LibreOffice", exc.limit, self.limits)
            return self._instead(
                f"{what}; {flag}", str(refusal(path.name, "LibreOffice", exc.limit, self.limits)), path
            )
        except LibreOfficeError as exc:  # it cannot start here, or Calc 25.2 aborts importing the book
            reason = _first_line(one_line(exc))
            return self._instead(
                f"LibreOffice failed: {reason[:120]}",
                f"{path.name}: LibreOffice could not compute it ({reason[:160]}); {_WITHOUT}",
                path,
            )

    def _instead(self, why: str, refused: str, path: Path) -> tuple[Values, Problems]:
        """With :attr:`fallback`, ``formulas``' values, :attr:`computed_by` saying ``formulas (why)``;
        without, the one-line :class:`CalcInputError` ``refused``.
        """
        if not self.fallback:
            raise CalcInputError(refused) from None
        try:
            computed = Formulas(self.max_cells, self.limits).compute(path)
        except LimitExceeded as exc:  # the refusal says why formulas computed at all
            raise LimitExceeded(msg("{refusal}, after {why}", refusal=exc, why=why)) from None
        self.computed_by = f"formulas ({why})"
        return computed


#: What the refusal of a workbook LibreOffice could not compute suggests.
_WITHOUT = "--engine formulas computes without LibreOffice"


def _first_line(text: str) -> str:
    return (text.splitlines() or [""])[0]


def _listed(computed: tuple[Values, Problems], external: list[tuple[str, str]]) -> tuple[Values, Problems]:
    """An engine's result with the cells that refer to other workbooks listed (:data:`EXTERNAL`)."""
    values, problems = computed
    if external:
        problems[EXTERNAL] = external
    return values, problems


def engine_for(engine: str = "auto") -> str:
    """The engine ``engine`` stands for (``auto``: LibreOffice when it can run the add-in here)."""
    if engine not in ENGINES:
        raise CalcInputError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if engine == "formulas":
        return engine
    from .libreoffice import engine as libreoffice
    from .libreoffice import instances

    if engine == "auto":
        engine = "libreoffice" if libreoffice.engine_available() else "formulas"
    elif not libreoffice.engine_available():
        raise CalcInputError(
            "the LibreOffice engine needs LibreOffice with its Python bridge and, to build the add-in, "
            "unoidl-write (Debian: apt-get install libreoffice-calc python3-uno "
            "libreoffice-script-provider-python python3-numpy libreoffice-dev); or use --engine formulas"
        )
    if engine == "libreoffice":
        try:
            instances.keep_seconds()
        except ValueError as exc:
            raise CalcInputError(str(exc)) from None
    return engine


def engine(
    name: str, fallback: bool = True, max_cells: int | None = None, limits: Limits | None = None
) -> Engine:
    """The engine named ``name`` (``libreoffice`` or ``formulas``, as :func:`engine_for` gives);
    ``fallback``: whether LibreOffice may leave a workbook it fails on to ``formulas`` (``auto``);
    ``max_cells``: the most cells ``formulas`` takes on; ``limits``: the time and memory each
    workbook may take, with either engine.
    """
    if name == "libreoffice":
        return LibreOffice(fallback, max_cells, limits)
    return Formulas(max_cells, limits)

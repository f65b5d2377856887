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

from ..xlsx.calls import plain_copy
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
    """The ``formulas`` package."""

    name = computed_by = "formulas"

    def __init__(self, max_cells: int | None = None) -> None:
        self.max_cells = max_cells  #: cells it takes on (None: :data:`~.formulas_engine.MAX_CELLS`)

    def compute(self, path: Path) -> tuple[Values, Problems]:
        from . import formulas_engine

        with plain_copy(path) as readable, sealed_copy(readable) as (sealed, external):
            limit = formulas_engine.MAX_CELLS if self.max_cells is None else self.max_cells
            return _listed(formulas_engine.compute(sealed, limit), external)


class LibreOffice:
    """Headless LibreOffice with the add-in.  With ``fallback`` (``--engine auto``), ``formulas``
    computes a workbook LibreOffice fails on, and :attr:`computed_by` says so; without, the failure
    is a :class:`CalcInputError` naming its cause.
    """

    name = "libreoffice"

    def __init__(self, fallback: bool = True, max_cells: int | None = None) -> None:
        self.fallback, self.max_cells = fallback, max_cells
        self.computed_by = self.name  #: what computed the last workbook, as the summary names it

    def compute(self, path: Path) -> tuple[Values, Problems]:
        from ..runtimes.libreoffice.build import BuildError
        from ..runtimes.libreoffice.office import LibreOfficeError
        from .libreoffice import engine

        try:  # LibreOffice starts (or one kept from an earlier run is taken) while the book is read
            with (
                engine.started() as office_instance,
                plain_copy(path) as readable,
                sealed_copy(readable) as (sealed, external),
            ):
                return _listed(engine.compute(sealed, office_instance=office_instance), external)
        except BuildError as exc:  # the add-in cannot be built here (unoidl-write fails, for one)
            reason = str(exc).strip() or one_line(exc)
            return self._instead(path, "LibreOffice could not start", "LibreOffice could not start", reason)
        except LibreOfficeError as exc:  # it cannot start here, or Calc 25.2 aborts importing the book
            return self._instead(
                path, "LibreOffice failed", "LibreOffice could not compute it", one_line(exc)
            )

    def _instead(self, path: Path, fell_back: str, failed: str, reason: str) -> tuple[Values, Problems]:
        """With :attr:`fallback`, ``formulas``' values, :attr:`computed_by` saying ``fell_back`` and
        why; without, a one-line :class:`CalcInputError` saying ``failed`` and why.
        """
        reason = (reason.splitlines() or [""])[0]
        if not self.fallback:
            raise CalcInputError(
                f"{path.name}: {failed} ({reason[:160]}); --engine formulas computes without LibreOffice"
            ) from None
        computed = Formulas(self.max_cells).compute(path)
        self.computed_by = f"formulas ({fell_back}: {reason[:120]})"
        return computed


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


def engine(name: str, fallback: bool = True, max_cells: int | None = None) -> Engine:
    """The engine named ``name`` (``libreoffice`` or ``formulas``, as :func:`engine_for` gives);
    ``fallback``: whether LibreOffice may leave a workbook it fails on to ``formulas`` (``auto``);
    ``max_cells``: the most cells ``formulas`` takes on.
    """
    return LibreOffice(fallback, max_cells) if name == "libreoffice" else Formulas(max_cells)

"""The engines of ``xlfuncs calc``, and how ``--engine`` chooses one.

An engine computes every formula of a workbook: ``compute(path) -> (values, problems)``
(:mod:`xlfuncs.calc.results`), reading the workbook at ``path`` in whichever form it stores our
functions (a Lite or Server workbook is computed from a plain-name copy,
:func:`xlfuncs.xlsx.calls.plain_copy`).  Two engines implement it:

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
from .results import CalcInputError, Problems, Values, one_line

__all__ = ["ENGINES", "Engine", "engine", "engine_for"]

#: ``--engine`` choices.
ENGINES = ("auto", "libreoffice", "formulas")


class Engine(Protocol):
    """What computes a workbook."""

    name: str

    def compute(self, path: Path) -> tuple[Values, Problems]:
        """The value of every formula cell of the workbook at ``path``, and the problem cells."""
        ...


class Formulas:
    """The ``formulas`` package."""

    name = "formulas"

    def compute(self, path: Path) -> tuple[Values, Problems]:
        from . import formulas_engine

        with plain_copy(path) as readable:
            return formulas_engine.compute(readable)


class LibreOffice:
    """Headless LibreOffice with the add-in; ``formulas`` where LibreOffice fails on the workbook."""

    name = "libreoffice"

    def compute(self, path: Path) -> tuple[Values, Problems]:
        from ..runtimes.libreoffice.office import LibreOfficeError
        from .libreoffice import engine

        try:  # LibreOffice starts (or one kept from an earlier run is taken) while the book is read
            with engine.started() as office_instance, plain_copy(path) as readable:
                return engine.compute(readable, office_instance=office_instance)
        except LibreOfficeError as exc:  # e.g. Calc 25.2 aborts importing some books
            values, problems = Formulas().compute(path)
            problems[f"computed with formulas: LibreOffice failed ({one_line(exc)[:80]})"] = list(values)
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


def engine(name: str) -> Engine:
    """The engine named ``name`` (``libreoffice`` or ``formulas``, as :func:`engine_for` gives)."""
    return LibreOffice() if name == "libreoffice" else Formulas()

"""The SQL form of every per-row function, derived from its ``@udf`` spec.

A function makes sense per row when it is a pure kernel of :mod:`xlfuncs.functions`
giving one number or one label per element (``result`` "number" or "label"); the tables
(FDBRIDGE), schedules (FDTRANCHES) and texts (XLFUNCS) do not, nor do the functions that
fetch figures from a provider (:mod:`xlfuncs.data`), one request per element, which a
query over millions of rows must not make.  Each argument's SQL type follows from its rule and its role:
a numeric rule is ``DOUBLE``, any other rule (a keyword, a currency code, a label)
text; a table argument (tranches, share classes, thresholds) is a list of those,
one list per row.  Optional arguments are trailing, as in Excel, so a call may stop
after any of them; an argument given as NULL is blank and means what a blank cell
means (see :mod:`xlfuncs.sql.batches`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..framework.rules import Number
from ..framework.spec import REGISTRY, FunctionSpec
from ..functions.tranches import ROW_TABLE_KERNELS

#: The results that give one value per row, and whether the value is text.
PER_ROW_RESULTS = {"number": False, "label": True}


@dataclass(frozen=True)
class Param:
    name: str
    text: bool  # text (VARCHAR / StringType) rather than DOUBLE
    table: bool  # one list per row (LIST / ArrayType)
    required: bool


@dataclass(frozen=True)
class Signature:
    spec: FunctionSpec
    params: tuple[Param, ...]
    text: bool  # the result is text (a label), else DOUBLE
    row_tables: bool  # the kernel takes one table per row (all rows in one call)
    pairs: tuple[tuple[str, str], ...]  # of a row-table kernel: its tables, paired (tranches.PAIRS)

    @property
    def name(self) -> str:
        return self.spec.excel_name

    @property
    def least(self) -> int:
        """The fewest arguments a call may give: up to the last required one."""
        return max((i + 1 for i, p in enumerate(self.params) if p.required), default=0)


def signature(spec: FunctionSpec) -> Signature:
    params = tuple(Param(a.name, not isinstance(a.rule, Number), a.table, a.required) for a in spec.args)
    pairs = ROW_TABLE_KERNELS.get(spec.kernel)
    if pairs is not None and {p.name for p in params if p.table} != {name for pair in pairs for name in pair}:
        # rows are padded pair by pair (see xlfuncs.functions.tranches.row_tables)
        raise ValueError(f"{spec.excel_name}: a row table that is not one of a pair cannot be padded")
    return Signature(spec, params, PER_ROW_RESULTS[spec.result], pairs is not None, pairs or ())


def signatures() -> list[Signature]:
    """Every per-row function, in the registry's order."""
    import xlfuncs.functions as core  # registers every pure kernel

    return [
        signature(s)
        for s in REGISTRY.values()
        if s.result in PER_ROW_RESULTS and s.args and s.kernel.__module__.startswith(core.__name__ + ".")
    ]


@functools.cache
def by_name(name: str) -> Signature:
    """A per-row function's signature by its Excel name.

    A Spark worker looks its function up by name: the rules compare markers by identity, which
    pickling them to the worker would break.
    """
    return next(s for s in signatures() if s.name == name)

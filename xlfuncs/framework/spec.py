"""The single description of every function, and the Python front-end.

Each finance kernel is declared once with :func:`udf`: its Excel name, one rule
per argument, per-element domain checks and what its result is.  Argument names
and defaults come from the kernel's signature, the descriptions from its
numpy-style docstring.  From that one :class:`FunctionSpec` the package derives
the public Python function (validation, broadcasting, pandas in/out), the
worksheet functions for every xlwings runtime, the function reference and the
workbook checks.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import NA, InputError
from .rules import Number, Rule
from .values import CODE_DTYPE, Codes, Ragged, classify, same_index

if TYPE_CHECKING:
    import numpy.typing as npt

#: Every registered function, in declaration order.
REGISTRY: dict[str, FunctionSpec] = {}

_SECTION = re.compile(r"^(\w[\w ]*)\n-{3,}$", re.M)


@dataclass(frozen=True)
class Arg:
    name: str
    rule: Rule
    doc: str
    required: bool
    default: object
    table: bool  # a whole range read as one list (tranches, thresholds), not broadcast


@dataclass(frozen=True)
class Check:
    """A per-element condition on the broadcast inputs that makes a result an error."""

    argument: str
    code: int
    reason: str
    test: Callable[..., npt.NDArray[np.bool_]]  # kernel inputs -> boolean mask of bad elements


@dataclass(frozen=True)
class Shortcut:
    """A cheap test of a kernel's whole result that can hold only where no check fails and every
    element of the ``covers`` arguments is within its rule, the other arguments being within theirs.

    When it holds, the Python API has skipped the checks' and ``covers``' passes over the data;
    when it does not, the full path decides, so no result or error depends on it.  ``covers``
    names broadcast :class:`~xlfuncs.framework.rules.Number` arguments; the kernel must not
    raise on out-of-range input.
    """

    test: Callable[[Any], bool]
    covers: tuple[str, ...] = ()


@dataclass(frozen=True)
class FunctionSpec:
    excel_name: str
    python_name: str
    kernel: Callable[..., Any]
    args: tuple[Arg, ...]
    summary: str  # first paragraph of the docstring: the Function Wizard text
    formula: str  # the "Formula:" line of the docstring
    result: str  # "number", "label", "table", "schedule" (columns × rows, DataFrame in Python) or "text"
    nan_result: str | None  # what a nan result of valid input means in a cell ("NM", "#N/A")
    function: Callable[..., Any] = field(compare=False)  # the public Python function
    checks: tuple[Check, ...] = ()
    shortcut: Shortcut | None = None

    @property
    def broadcast_args(self) -> tuple[Arg, ...]:
        return tuple(a for a in self.args if not a.table)


def parse_docstring(doc: str) -> tuple[str, str, dict[str, str]]:
    """(summary, formula, {parameter: description}) from a numpy-style docstring."""
    text = inspect.cleandoc(doc)
    parts = _SECTION.split(text)
    head, sections = parts[0], dict(zip(parts[1::2], parts[2::2], strict=True))
    paragraphs = [" ".join(p.split()) for p in head.strip().split("\n\n")]
    formula = next((p[len("Formula:") :].strip() for p in paragraphs if p.startswith("Formula:")), "")
    params: dict[str, str] = {}
    name = None
    for line in sections.get("Parameters", "").strip("\n").splitlines():
        if line and not line[0].isspace():
            name = line.split(":")[0].strip()
            params[name] = ""
        elif name and line.strip():
            params[name] = (params[name] + " " + line.strip()).strip()
    return paragraphs[0], formula, params


def udf(
    excel_name: str,
    *,
    result: str = "number",
    nan_result: str | None = None,
    tables: tuple[str, ...] = (),
    checks: tuple[Check, ...] = (),
    shortcut: Shortcut | None = None,
    **rules: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``kernel`` as an xlfuncs function; returns the public function.

    ``rules`` maps every argument name to its rule (:mod:`xlfuncs.framework.rules`);
    ``tables`` names the arguments read as whole ranges rather than broadcast.
    ``shortcut`` (:class:`Shortcut`) spares the Python API passes over the data.
    """

    def register(kernel: Callable[..., Any]) -> Callable[..., Any]:
        summary, formula, docs = parse_docstring(kernel.__doc__ or "")
        signature = inspect.signature(kernel)
        params = signature.parameters
        if set(params) != set(rules):
            raise TypeError(f"{kernel.__name__}: rules {sorted(rules)} != arguments {sorted(params)}")
        args = tuple(
            Arg(
                name,
                rules[name],
                docs.get(name, ""),
                p.default is inspect.Parameter.empty,
                None if p.default is inspect.Parameter.empty else p.default,
                name in tables,
            )
            for name, p in params.items()
        )
        if shortcut is not None:
            for name in shortcut.covers:
                if name in tables or not isinstance(rules.get(name), Number):
                    raise TypeError(f"{kernel.__name__}: shortcut covers {name}, not a broadcast Number")

        @functools.wraps(kernel)
        def function(*a: Any, **kw: Any) -> Any:
            bound = signature.bind(*a, **kw)
            bound.apply_defaults()
            return call_python(spec, bound.arguments)

        spec = FunctionSpec(
            excel_name,
            kernel.__name__,
            kernel,
            args,
            summary,
            formula,
            result,
            nan_result,
            function,
            tuple(checks),
            shortcut,
        )
        if excel_name in REGISTRY:
            raise ValueError(f"duplicate function {excel_name}")
        REGISTRY[excel_name] = spec
        function.spec = spec  # type: ignore[attr-defined]  # the public function carries its spec
        return function

    return register


def read_arg(arg: Arg, raw: Any) -> tuple[npt.NDArray[Any], Codes | None]:
    """Read one argument with its rule; a required table given as None is blank."""
    if raw is None and arg.table:
        if arg.required:
            return np.zeros(1), np.array([NA], CODE_DTYPE)
        return np.zeros(0), None
    return arg.rule.read(raw)


def call_python(spec: FunctionSpec, arguments: dict[str, Any]) -> Any:
    """Validate, broadcast (numpy rules) and compute; raise :class:`InputError`."""
    same_index({a.name: arguments[a.name] for a in spec.broadcast_args})  # labelled inputs share one index
    quick = None
    if spec.shortcut is not None:
        quick = _shortcut(spec, spec.shortcut.covers, arguments)
        if quick is not None and spec.shortcut.test(quick[0]):
            return _result(spec, *quick, arguments)
    inputs = {}
    for arg in spec.args:
        raw = arguments[arg.name]
        try:
            values, codes = read_arg(arg, raw)
        except Ragged:
            raise InputError(arg.name, "rows of different lengths") from None
        if codes is not None and codes.any():
            flat = int(np.flatnonzero(codes)[0])
            position = np.unravel_index(flat, codes.shape) if codes.ndim and np.ndim(raw) else None
            element = np.asarray(raw, dtype=object).ravel()[flat] if np.ndim(raw) else raw
            label = _index_label(raw, position)
            raise InputError(
                arg.name,
                arg.rule.reason(element),
                code=int(codes.ravel()[flat]),
                position=tuple(int(i) for i in position) if position else None,
                label=label,
            )
        inputs[arg.name] = values.ravel() if arg.table else values
    names = [a.name for a in spec.broadcast_args]
    try:
        shape = np.broadcast_shapes(*(inputs[n].shape for n in names))
    except ValueError:
        shapes = ", ".join(f"{n} {inputs[n].shape}" for n in names)
        raise InputError(names[0], f"shapes cannot be broadcast together: {shapes}") from None
    for n, arr in zip(names, np.broadcast_arrays(*(inputs[n] for n in names)), strict=True):
        inputs[n] = arr
    with np.errstate(all="ignore"):
        for check in spec.checks:
            bad = check.test(**inputs)
            if bad.any():
                position = np.unravel_index(int(np.flatnonzero(bad)[0]), shape) if shape else None
                raise InputError(
                    check.argument,
                    check.reason,
                    code=check.code,
                    position=tuple(int(i) for i in position) if position else None,
                )
        # Here every argument is within its rule and no check fails, so a result the shortcut
        # computed from these same values stands.
        result = quick[0] if quick is not None else spec.kernel(**inputs)
    return _result(spec, result, shape, arguments)


def _shortcut(
    spec: FunctionSpec, covers: tuple[str, ...], arguments: dict[str, Any]
) -> tuple[Any, tuple[int, ...]] | None:
    """The kernel's result and shape from inputs read without the bounds of ``covers``; None
    when an argument needs the full path (a blank, an error, out of range, a bad shape).
    """
    inputs = {}
    for arg in spec.args:
        raw = arguments[arg.name]
        try:
            if arg.name in covers:
                c = classify(raw)
                values, codes = c.values, c.codes
            else:
                values, codes = read_arg(arg, raw)
        except Ragged:
            return None
        if codes is not None:
            return None
        inputs[arg.name] = values.ravel() if arg.table else values
    names = [a.name for a in spec.broadcast_args]
    try:
        arrays = np.broadcast_arrays(*(inputs[n] for n in names))
    except ValueError:
        return None
    inputs.update(zip(names, arrays, strict=True))
    with np.errstate(all="ignore"):
        return spec.kernel(**inputs), arrays[0].shape if arrays else ()


def _result(spec: FunctionSpec, out: Any, shape: tuple[int, ...], arguments: dict[str, Any]) -> Any:
    if spec.result == "schedule":
        return _frame(out)
    return _shape_result(out, shape, [arguments[a.name] for a in spec.broadcast_args])


def _frame(columns: dict[str, npt.NDArray[Any]]) -> Any:
    """A schedule's ``{column: values}`` as a pandas DataFrame.

    pandas is optional: it is imported here, when the Python API returns a schedule, and never by
    the worksheet functions (the Lite export allows this one import for that reason).
    """
    try:
        import pandas
    except ImportError:
        raise ImportError("this function returns a pandas DataFrame: pip install pandas") from None
    return pandas.DataFrame(columns, copy=False)


def _index_label(raw: Any, position: tuple[Any, ...] | None) -> Any:
    index = getattr(raw, "index", None)
    if position is None or index is None or type(raw).__module__.split(".")[0] != "pandas":
        return None
    return index[position[0]] if len(position) == 1 else None


def _shape_result(out: Any, shape: tuple[int, ...], inputs: list[Any]) -> Any:
    """Scalars for scalar input, a pandas Series when a broadcast input was one, else arrays."""
    if isinstance(out, dict):
        return {k: _shape_result(v, shape, inputs) for k, v in out.items()}
    out = np.asarray(out)
    if not shape:
        return out.item()
    series = next(
        (
            v
            for v in inputs
            if type(v).__module__.split(".")[0] == "pandas"
            and hasattr(v, "index")
            and getattr(v, "ndim", 0) == 1
            and len(v) == (shape[0] if len(shape) == 1 else -1)
        ),
        None,
    )
    if series is not None:
        return type(series)(out, index=series.index)
    return out

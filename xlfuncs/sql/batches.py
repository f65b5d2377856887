"""Compute a per-row function over Arrow columns, with the worksheet's rules per row.

A SQL engine hands over a batch of rows as one Arrow array per argument.  Each row gets
what :func:`xlfuncs.framework.sheet.call` gives for that row's cells, computed for the
whole batch at once:

* NULL is an empty cell: an optional argument takes its default, a required one is
  ``#N/A``, a list element means what a blank cell in that range means (a blank tranche
  count is 0, a blank class price "not listed"); a list given as NULL is an omitted
  range, an empty list one blank cell, as Excel has no empty range.
* Every argument is read with its own rule, so a bad element, a check that fails or a
  table that does not fit makes that row's error, and the row is NULL.
* Tables are lists, one per row.  Rows that share one table (a constant list) get it
  in one call, as the worksheet passes it.  Kernels that take row tables
  (:mod:`xlfuncs.functions.tranches`) get the rows grouped by their list lengths, one
  call per group; any other kernel gets one call per distinct table, its rows' other
  arguments as arrays.  A kernel that refuses its arguments as a whole
  (:class:`~xlfuncs.framework.errors.InputError`) is asked again with each half of the
  rows, down to the rows at fault, so one bad row never takes its batch with it.

Nothing here loops over rows: text columns are read once per distinct value, numeric
columns by the rules' vectorised path.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

try:  # an extra: the core imports xlfuncs.sql without it, registering asks for it (require)
    import pyarrow as pa  # type: ignore[import-untyped]  # no type information published
    import pyarrow.compute as pc  # type: ignore[import-untyped]
except ImportError:
    pa = pc = None

from ..framework.errors import CODE_DTYPE, ERROR_CODE, NA, OK, InputError
from ..framework.spec import Arg
from .signatures import Param, Signature

Column: TypeAlias = Any  # a pyarrow Array or ChunkedArray, as the engine hands it over


@dataclass
class Elements:
    """An argument's elements read with its rule, and a key: equal keys, equal elements."""

    values: npt.NDArray[Any]
    codes: npt.NDArray[np.uint8]
    keys: npt.NDArray[np.int64]  # (elements, 2)
    null: npt.NDArray[np.bool_]


@dataclass
class Lists:
    """A table argument: its elements, and per row where its list starts and how long it is."""

    elements: Elements
    start: npt.NDArray[np.int64]
    length: npt.NDArray[np.int64]


def require(extra: str) -> None:
    """Raise ImportError, naming the extra to install, when pyarrow is missing."""
    if pa is None:
        raise ImportError(f'the SQL functions need pyarrow: pip install "xlfuncs[{extra}]"')


def evaluate(sig: Signature, columns: Sequence[Column]) -> pa.Array:
    """One result per row: a DOUBLE or text array, NULL where the worksheet shows an error."""
    if len(columns) > len(sig.params):
        raise TypeError(f"{sig.name} takes at most {len(sig.params)} arguments, got {len(columns)}")
    if len(columns) < max(sig.least, 1):  # as Excel refuses such a formula
        raise TypeError(f"{sig.name} needs at least {sig.least} arguments, got {len(columns)}")
    rows = len(columns[0])
    arrays = [_array(c) for c in columns]
    arrays += [pa.nulls(rows)] * (len(sig.params) - len(arrays))  # omitted trailing arguments
    args = dict(zip(sig.params, sig.spec.args, strict=True))
    try:
        read: dict[str, Elements | Lists] = {
            p.name: _lists(p, args[p], a) if p.table else _scalars(p, args[p], a)
            for p, a in zip(sig.params, arrays, strict=True)
        }
    except TypeError as exc:  # an argument the whole call cannot use: name the function too
        raise TypeError(f"{sig.name}: {exc}") from None
    out = np.empty(rows, object) if sig.text else np.full(rows, np.nan)
    codes = np.zeros(rows, CODE_DTYPE)
    for index, tables in _groups(sig, read, rows):
        inputs: dict[str, npt.NDArray[Any]] = {}
        group_codes = np.zeros(rows if isinstance(index, slice) else len(index), CODE_DTYPE)
        for param in sig.params:
            part = read[param.name]
            if isinstance(part, Lists):
                inputs[param.name], part_codes = tables[param.name]
            else:
                inputs[param.name], part_codes = part.values[index], part.codes[index]
            group_codes = np.where(group_codes == OK, part_codes, group_codes)
        result, codes[index] = _compute(sig, inputs, group_codes)
        if result is not None:
            out[index] = result
    return _result(sig, out, codes)


def _array(column: Column) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column


def _scalars(param: Param, arg: Arg, column: pa.Array) -> Elements:
    """One element per row; NULL is the argument's blank: its default, or ``None``."""
    return _read(param, arg, column, None if arg.required else arg.default, keys=False)


@functools.cache
def _blank(arg: Arg, blank: object) -> tuple[npt.NDArray[Any], int]:
    """What ``arg``'s rule reads from the cell ``blank``: (a one-element array, its code)."""
    values, codes = arg.rule.read(np.array([blank], object))
    return values, OK if codes is None else int(codes[0])


def _read(param: Param, arg: Arg, column: pa.Array, blank: object, keys: bool = True) -> Elements:
    """Elements of ``column`` read with ``arg``'s rule; NULL read as the cell ``blank``.

    The keys (equal keys, equal elements) serve the grouping of tables by content; without
    ``keys`` they are left empty.
    """
    no_keys = np.zeros((0, 2), np.int64)
    blank_values, blank_code = _blank(arg, blank)
    size = len(column)
    if column.null_count == size:  # an omitted argument, or a column of blanks
        codes = np.full(size, blank_code, CODE_DTYPE)
        blank_keys = np.zeros((size, 2), np.int64) if keys else no_keys
        return Elements(np.repeat(blank_values, size), codes, blank_keys, np.ones(size, bool))
    null = column.is_null().to_numpy(zero_copy_only=False) if column.null_count else None
    if param.text:
        encoded = pc.dictionary_encode(column.cast(pa.string()))
        distinct = encoded.dictionary.to_numpy(zero_copy_only=False)
        values, read_codes = arg.rule.read(distinct.astype(object))
        values = np.concatenate([values, blank_values])
        codes = np.concatenate([_codes(read_codes, len(distinct)), [blank_code]]).astype(CODE_DTYPE)
        index = encoded.indices.fill_null(len(distinct)).to_numpy(zero_copy_only=False).astype(np.int64)
        text_keys = np.stack([index, codes[index]], axis=1) if keys else no_keys
        return Elements(
            values[index], codes[index], text_keys, np.zeros(size, bool) if null is None else null
        )
    if column.type != pa.float64():
        column = column.cast(pa.float64())
    values, read_codes = arg.rule.read(column.to_numpy(zero_copy_only=False))  # NULL is nan here
    codes = _codes(read_codes, size)
    if null is not None:
        values = np.where(null, blank_values[0], values)
        codes = np.where(null, blank_code, codes).astype(CODE_DTYPE)
    number_keys = no_keys
    if keys:  # an error's value does not matter
        bits = np.where(codes == OK, values, 0.0).view(np.int64)
        number_keys = np.stack([bits, codes.astype(np.int64)], axis=1)
    return Elements(values, codes, number_keys, np.zeros(size, bool) if null is None else null)


def _codes(codes: npt.NDArray[np.uint8] | None, size: int) -> npt.NDArray[np.uint8]:
    return np.zeros(size, CODE_DTYPE) if codes is None else codes


def _lists(param: Param, arg: Arg, column: pa.Array) -> Lists:
    """A list per row, as the worksheet reads a range.

    A NULL list is an omitted range (an optional table is then empty; a required one is
    ``#N/A``); an empty list, or a list of one NULL for an optional table, is as the
    worksheet reads a single empty cell there.
    """
    rows = len(column)
    omitted = column.null_count == rows
    if not omitted and not pa.types.is_list(column.type) and not pa.types.is_large_list(column.type):
        raise TypeError(f"{arg.name} must be a list (one list per row), not {column.type}")
    # after the elements, two more: a blank cell, and a required range not given (#N/A)
    blank_values, blank_code = _blank(arg, None)
    extra = Elements(
        np.concatenate([blank_values, np.zeros(1, blank_values.dtype)]),
        np.array([blank_code, NA], CODE_DTYPE),
        np.array([[-1, 0], [-2, 0]], np.int64),
        np.array([True, False]),
    )
    if omitted:  # the whole column: an omitted argument, or no list in this batch
        start, length = np.ones(rows, np.int64), np.zeros(rows, np.int64)
        if arg.required:
            length += 1
        return Lists(extra, start, length)
    offsets = column.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
    start, length = offsets[:-1], np.diff(offsets)
    read = _read(param, arg, column.values, None)  # a blank element is a blank cell
    size = len(read.values)
    elements = Elements(
        np.concatenate([read.values, extra.values]),
        np.concatenate([read.codes, extra.codes]),
        np.concatenate([read.keys, extra.keys]),
        np.concatenate([read.null, extra.null]),
    )
    empty = length == 0
    if not arg.required:  # an optional range that is one empty cell is omitted
        length = np.where((length == 1) & elements.null[start], 0, length)
    if column.null_count:
        null_list = column.is_null().to_numpy(zero_copy_only=False)
        empty &= ~null_list
        length = np.where(null_list, int(arg.required), length)
        start = np.where(null_list, size + 1, start)
    if empty.any():
        start = np.where(empty, size, start)
        length = np.where(empty, 1, length)
    return Lists(elements, start, length)


def _groups(
    sig: Signature, read: dict[str, Elements | Lists], rows: int
) -> Iterator[tuple[npt.NDArray[np.intp] | slice, dict[str, tuple[npt.NDArray[Any], npt.NDArray[np.uint8]]]]]:
    """(rows, {table: (values, per-row code)}) for each call of the kernel.

    Rows that share one table (a constant list) get it 1-D, as the worksheet passes it.
    Otherwise row-table kernels get all rows with the same list lengths at once, each table
    as a (rows, length) array; other kernels get the rows of one distinct table, 1-D.
    """
    lists = {name: part for name, part in read.items() if isinstance(part, Lists)}
    if not lists:
        yield slice(None), {}
        return
    lengths = np.stack([part.length for part in lists.values()], axis=1)
    uniform = bool((lengths == lengths[:1]).all())  # the common case: one group, no sorting
    for index in [np.arange(rows)] if uniform else _split(lengths):
        whole = uniform or len(index) == rows
        first = index[0]
        gathers = {
            name: (part.start if whole else part.start[index])[:, None] + np.arange(part.length[first])
            for name, part in lists.items()
        }
        given = [lists[name].elements.keys[g].reshape(len(g), -1) for name, g in gathers.items() if g.size]
        keys = np.concatenate(given, axis=1) if given else np.zeros((len(index), 0), np.int64)
        if (keys == keys[:1]).all():  # one table for every row (a constant list): shared, 1-D
            yield (
                (slice(None) if whole else index),
                {name: _one_table(lists[name].elements, g[0]) for name, g in gathers.items()},
            )
            continue
        if sig.row_tables:
            yield (
                (slice(None) if whole else index),
                {name: _table(lists[name].elements, g) for name, g in gathers.items()},
            )
            continue
        for same in _split(keys):
            yield (
                index[same],
                {name: _one_table(lists[name].elements, g[same[0]]) for name, g in gathers.items()},
            )


def _split(keys: npt.NDArray[np.int64]) -> list[npt.NDArray[np.intp]]:
    """The row numbers of each distinct row of ``keys``."""
    if not keys.shape[1] or (keys == keys[:1]).all():
        return [np.arange(len(keys))]
    rows = np.ascontiguousarray(keys).view(np.dtype((np.void, keys.dtype.itemsize * keys.shape[1])))
    _, inverse, counts = np.unique(rows.ravel(), return_inverse=True, return_counts=True)  # bytewise
    order = np.argsort(inverse, kind="stable")
    return np.split(order, np.cumsum(counts)[:-1])


def _table(
    elements: Elements, gather: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[Any], npt.NDArray[np.uint8]]:
    """A (rows, length) table and each row's first error code (the worksheet's per range)."""
    codes = elements.codes[gather]
    bad = codes != OK
    first = (
        codes[np.arange(len(codes)), np.argmax(bad, axis=1)] if codes.shape[1] else np.zeros(0, CODE_DTYPE)
    )
    row_codes = (
        np.where(bad.any(axis=1), first, OK).astype(CODE_DTYPE)
        if codes.shape[1]
        else np.zeros(len(codes), CODE_DTYPE)
    )
    return elements.values[gather], row_codes


def _one_table(
    elements: Elements, gather: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[Any], npt.NDArray[np.uint8]]:
    codes = elements.codes[gather]
    bad = codes[codes != OK]
    return elements.values[gather], np.array(bad[0] if bad.size else OK, CODE_DTYPE)


def _compute(
    sig: Signature, inputs: dict[str, npt.NDArray[Any]], codes: npt.NDArray[np.uint8]
) -> tuple[npt.NDArray[Any] | None, npt.NDArray[np.uint8]]:
    """The kernel's result for one group's rows and their codes, as the worksheet computes them."""
    spec = sig.spec
    with np.errstate(all="ignore"):
        for check in spec.checks:
            codes = np.where((codes == OK) & check.test(**inputs), check.code, codes).astype(CODE_DTYPE)
        if not (codes == OK).any():
            return None, codes
        try:
            result = spec.kernel(**inputs)
        except InputError as exc:
            if len(codes) == 1:
                return None, np.where(codes == OK, ERROR_CODE[exc.excel_error], codes).astype(CODE_DTYPE)
            half = len(codes) // 2
            parts = [
                _compute(sig, _rows(sig, inputs, part), codes[part])
                for part in (slice(None, half), slice(half, None))
            ]
            out = np.empty(len(codes), object) if sig.text else np.full(len(codes), np.nan)
            for part, (result, _) in zip((slice(None, half), slice(half, None)), parts, strict=True):
                if result is not None:
                    out[part] = result
            return out, np.concatenate([c for _, c in parts])
    return np.broadcast_to(np.asarray(result, object if sig.text else np.float64), codes.shape), codes


def _rows(sig: Signature, inputs: dict[str, npt.NDArray[Any]], part: slice) -> dict[str, npt.NDArray[Any]]:
    """The inputs of some of a group's rows (row tables are per row, a shared 1-D table is kept)."""
    table = {p.name for p in sig.params if p.table}
    return {
        name: values if name in table and values.ndim == 1 else values[part]
        for name, values in inputs.items()
    }


def _result(sig: Signature, out: npt.NDArray[Any], codes: npt.NDArray[np.uint8]) -> pa.Array:
    if sig.text:
        labels = out.copy()
        labels[(codes != OK) | (out == None)] = None  # noqa: E711 (element-wise)
        return pa.array(labels, pa.string())
    invalid = (codes != OK) | ~np.isfinite(out)
    return pa.array(out, pa.float64(), mask=invalid if invalid.any() else None)

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
  (:mod:`xlfuncs.functions.tranches`) get every row in one call, each row's lists
  padded with neutral tranches to the longest of the batch, built from the lists'
  offsets (only rows whose paired lists differ in length, the kernel's own error, go
  apart, grouped by their lengths); any other kernel gets one call per distinct table,
  its rows' other arguments as arrays.  A kernel that refuses its arguments as a whole
  (:class:`~xlfuncs.framework.errors.InputError`) is asked again with each half of the
  rows, down to the rows at fault, so one bad row never takes its batch with it.

Nothing here loops over rows: text columns are read once per distinct value, numeric
columns by the rules' vectorised path.

Most batches need neither grouping nor padding: every list of a table column has the
same length and no NULL, as when a query passes one constant table or every company has
as many tranches.  Such a batch goes to the kernel in one call without the grouping's
keys, the tables reshaped from the lists' elements, which is what the grouping would
hand over for it.
An engine calls the function once per batch (DuckDB: 2,048 rows), so what each call
costs apart from the arithmetic bounds the speed of every query.  What does not depend
on the rows is worked out once per function in :class:`BatchFunction`; a list that every
row shares (a constant in the query, which the engine hands over again with every batch,
once per row) is compared byte for byte with the last one and read with its rule only
when it changed; an argument left off, or NULL in every row, goes to the kernel once as
its blank (0-d), as the Python API passes a default.
"""

from __future__ import annotations

import functools
import math
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

from ..framework.errors import ERROR_CODE, NA, OK, InputError
from ..framework.spec import Arg
from ..framework.values import CODE_DTYPE
from ..functions.tranches import OMISSIBLE, PAD
from .signatures import Param, Signature

_DOUBLE = pa.float64() if pa is not None else None
_FLOAT64 = pa.float64().id if pa is not None else None
#: The types of a list column, and the integers of their offsets.
_OFFSETS: dict[int, np.dtype[Any]] = (
    {pa.list_(pa.null()).id: np.dtype(np.int32), pa.large_list(pa.null()).id: np.dtype(np.int64)}
    if pa is not None
    else {}
)
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


@dataclass(frozen=True)
class Argument:
    """One argument of a SQL function: its signature, its spec, and what its NULL reads as."""

    param: Param
    arg: Arg
    # a NULL: a scalar's default (or a blank cell when required), a list element's blank cell
    blank: tuple[npt.NDArray[Any], int]

    @property
    def omitted(self) -> npt.NDArray[Any]:
        """A scalar argument left off or NULL in every row: its blank as one value (0-d), as the
        Python API passes a default, which the kernel broadcasts against the other arguments.
        """
        return self.blank[0].reshape(())


class BatchFunction:
    """``sig`` over Arrow batches: one result per row, NULL where the worksheet shows an error.

    Call it with one column per argument, as the engine hands them over (trailing optional
    ones may be left off).  What does not depend on the rows is worked out here, once.
    """

    def __init__(self, sig: Signature) -> None:
        self.sig = sig
        self.most, self.least = len(sig.params), max(sig.least, 1)
        self.arguments = tuple(
            Argument(p, a, _blank(a, None if a.required or a.table else a.default))
            for p, a in zip(sig.params, sig.spec.args, strict=True)
        )
        # per table argument, the last list every row shared: its elements' bytes, and read
        self._shared: dict[str, tuple[bytes, npt.NDArray[Any]]] = {}
        # per number of arguments given, those left off: the scalars, and the tables
        self._left_off = {
            given: (
                [a for a in self.arguments[given:] if not a.param.table],
                [a for a in self.arguments[given:] if a.param.table],
            )
            for given in range(self.least, self.most + 1)
        }

    def __call__(self, columns: Sequence[Column]) -> pa.Array:
        sig = self.sig
        if len(columns) > self.most:
            raise TypeError(f"{sig.name} takes at most {self.most} arguments, got {len(columns)}")
        if len(columns) < self.least:  # as Excel refuses such a formula
            raise TypeError(f"{sig.name} needs at least {sig.least} arguments, got {len(columns)}")
        rows = len(columns[0])
        arrays = [_array(c) for c in columns]
        try:
            whole = self._whole(arrays, rows)
            if whole is not None:
                result, codes = _compute(sig, *whole, rows)
                return _result(sig, _empty(sig, rows) if result is None else result, codes)
            if len(arrays) < self.most:  # omitted trailing arguments
                arrays += [pa.nulls(rows)] * (self.most - len(arrays))
            # row tables go by their lengths alone, other tables by their contents: keys
            read: dict[str, Elements | Lists] = {
                a.param.name: _lists(a, c, keys=not sig.row_tables)
                if a.param.table
                else _read(a, c, keys=False)
                for a, c in zip(self.arguments, arrays, strict=True)
            }
        except TypeError as exc:  # an argument the whole call cannot use: name the function too
            raise TypeError(f"{sig.name}: {exc}") from None
        out = _empty(sig, rows)
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
            result, done = _compute(sig, inputs, group_codes, len(group_codes))
            codes[index] = OK if done is None else done
            if result is not None:
                out[index] = result
        return _result(sig, out, codes)

    def _whole(
        self, arrays: list[pa.Array], rows: int
    ) -> tuple[dict[str, npt.NDArray[Any]], npt.NDArray[np.uint8] | None] | None:
        """Every row's inputs for one call of the kernel and each row's code (None: every row
        OK), or None when the batch needs :func:`_groups`: tables of different lengths or with
        NULLs, or elements their rule refuses.  The inputs are those :func:`_groups` would hand
        over for it, but for a scalar argument left off (``arrays`` may stop early) or NULL in
        every row, which is its blank once (0-d) rather than once per row.
        """
        if not rows:
            return None
        inputs: dict[str, npt.NDArray[Any]] = {}
        codes: npt.NDArray[np.uint8] | None = None
        given: dict[str, tuple[npt.NDArray[Any], bool]] = {}
        scalars_left_off, empty = self._left_off[len(arrays)]
        for argument, column in zip(self.arguments, arrays, strict=False):
            if argument.param.table:
                table = self._whole_table(argument, column, rows)
                if table is False:
                    return None
                if table is True:
                    empty = [*empty, argument]
                else:
                    given[argument.param.name] = table
                continue
            inputs[argument.param.name], part = _scalar(argument, column, rows)
            if part is not None:  # the first error in argument order wins, as in the worksheet
                codes = part if codes is None else np.where(codes == OK, part, codes).astype(CODE_DTYPE)
        for argument in scalars_left_off:  # blank
            inputs[argument.param.name], part = _blank_scalar(argument, rows)
            if part is not None:
                codes = part if codes is None else np.where(codes == OK, part, codes).astype(CODE_DTYPE)
        if all(shared for _, shared in given.values()):  # one table for every row: 1-D
            shape: tuple[int, ...] = (0,)
            inputs.update({name: values for name, (values, _) in given.items()})
        elif self.sig.row_tables:
            shape = (rows, 0)
            inputs.update(
                {
                    name: np.tile(values, (rows, 1)) if shared else values
                    for name, (values, shared) in given.items()
                }
            )
        else:
            return None
        for argument in empty:  # an omitted optional table: no rows of it
            inputs[argument.param.name] = np.zeros(shape, argument.blank[0].dtype)
        return inputs, codes

    def _whole_table(
        self, argument: Argument, column: pa.Array, rows: int
    ) -> tuple[npt.NDArray[Any], bool] | bool:
        """A table column's values when every row has a list of one length, no NULL in it, and
        every element is within the rule: (the one list, True) when every row's list is the
        first's, else ((rows, length) values, False).

        True for an omitted optional table (no rows of it, as for :func:`_lists`), False when
        the batch needs :func:`_groups`.
        """
        nulls = column.null_count
        if nulls == rows:
            return not argument.arg.required
        offsets = _list_type(argument, column)
        if nulls:
            return False
        uniform = _uniform(column, rows, offsets)
        if uniform is None:
            return False  # empty lists (a blank cell each), or lengths that differ
        first, width = uniform
        size = rows * width
        values = column.values
        if values.null_count and values.slice(first, size).null_count:
            return False
        if argument.param.text:
            read = _read(argument, values.slice(first, size))
            if (read.codes != OK).any():
                return False
            if _same_rows(read.keys[:, 0].reshape(rows, width)):
                return read.values[:width], True
            return read.values.reshape(rows, width), False
        if values.type.id != _FLOAT64:
            values = values.cast(pa.float64())
        data, start = values.buffers()[1], (values.offset + first) * 8
        shift = (size - width) * 8
        if data.slice(start + width * 8, shift).equals(data.slice(start, shift)):  # each list is the next
            shared = self._shared_list(argument, data.slice(start, width * 8).to_pybytes())
            return False if shared is None else (shared, True)
        table, codes = argument.arg.rule.read(np.frombuffer(data, np.float64, size, start))
        if codes is not None:
            return False
        return table.reshape(rows, width), False

    def _shared_list(self, argument: Argument, elements: bytes) -> npt.NDArray[Any] | None:
        """The list every row shares (its elements' bytes) read with its rule, None when the rule
        refuses an element.

        A query passing one constant list hands it over again with every batch: the last one
        read is kept, read-only.
        """
        name = argument.param.name
        known = self._shared.get(name)
        if known is not None and known[0] == elements:
            return known[1]
        values, codes = argument.arg.rule.read(np.frombuffer(elements, np.float64))
        if codes is not None:
            return None
        values = np.array(values)
        values.flags.writeable = False
        self._shared[name] = (elements, values)
        return values


def _array(column: Column) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column


def _blank(arg: Arg, blank: object) -> tuple[npt.NDArray[Any], int]:
    """What ``arg``'s rule reads from the cell ``blank``: (a one-element array, its code)."""
    values, codes = arg.rule.read(np.array([blank], object))
    return values, OK if codes is None else int(codes[0])


def _read(argument: Argument, column: pa.Array, keys: bool = True) -> Elements:
    """Elements of ``column`` read with the argument's rule; NULL read as its blank.

    The keys (equal keys, equal elements) serve the grouping of tables by content; without
    ``keys`` they are left empty.
    """
    no_keys = np.zeros((0, 2), np.int64)
    blank_values, blank_code = argument.blank
    size = len(column)
    if column.null_count == size:  # an omitted argument, or a column of blanks
        codes = np.full(size, blank_code, CODE_DTYPE)
        blank_keys = np.zeros((size, 2), np.int64) if keys else no_keys
        return Elements(np.repeat(blank_values, size), codes, blank_keys, np.ones(size, bool))
    null = column.is_null().to_numpy(zero_copy_only=False) if column.null_count else None
    if argument.param.text:
        encoded = pc.dictionary_encode(column.cast(pa.string()))
        distinct = encoded.dictionary.to_numpy(zero_copy_only=False)
        values, read_codes = argument.arg.rule.read(distinct.astype(object))
        values = np.concatenate([values, blank_values])
        codes = np.concatenate([_codes(read_codes, len(distinct)), [blank_code]]).astype(CODE_DTYPE)
        index = encoded.indices.fill_null(len(distinct)).to_numpy(zero_copy_only=False).astype(np.int64)
        text_keys = np.stack([index, codes[index]], axis=1) if keys else no_keys
        return Elements(
            values[index], codes[index], text_keys, np.zeros(size, bool) if null is None else null
        )
    values, read_codes = _numbers(argument, column, null)
    codes = _codes(read_codes, size)
    number_keys = no_keys
    if keys:  # an error's value does not matter
        bits = np.where(codes == OK, values, 0.0).view(np.int64)
        number_keys = np.stack([bits, codes.astype(np.int64)], axis=1)
    return Elements(values, codes, number_keys, np.zeros(size, bool) if null is None else null)


def _numbers(
    argument: Argument, column: pa.Array, null: npt.NDArray[np.bool_] | None
) -> tuple[npt.NDArray[Any], npt.NDArray[np.uint8] | None]:
    """A numeric column read with the argument's rule, ``null`` (its NULLs) read as its blank."""
    if column.type.id != _FLOAT64:
        column = column.cast(pa.float64())
    values, codes = argument.arg.rule.read(column.to_numpy(zero_copy_only=False))  # NULL is nan here
    if null is not None:
        blank_values, blank_code = argument.blank
        values = np.where(null, blank_values[0], values)
        codes = np.where(null, blank_code, _codes(codes, len(values))).astype(CODE_DTYPE)
    return values, codes


def _scalar(
    argument: Argument, column: pa.Array, rows: int
) -> tuple[npt.NDArray[Any], npt.NDArray[np.uint8] | None]:
    """An argument of one element per row, as :func:`_read` reads it; codes None when all are OK.

    NULL in every row is the blank once (0-d), as for an argument left off.
    """
    nulls = column.null_count
    if nulls == rows:
        return _blank_scalar(argument, rows)
    if nulls or argument.param.text:
        read = _read(argument, column, keys=False)
        return read.values, read.codes
    return _numbers(argument, column, None)


def _blank_scalar(argument: Argument, rows: int) -> tuple[npt.NDArray[Any], npt.NDArray[np.uint8] | None]:
    """A scalar argument blank in every row: its blank once (0-d), and the rows' codes."""
    code = argument.blank[1]
    return argument.omitted, None if code == OK else np.full(rows, code, CODE_DTYPE)


def _uniform(column: pa.Array, rows: int, dtype: np.dtype[Any]) -> tuple[int, int] | None:
    """(where the first list starts, the length of every list) when each of the ``rows``
    lists of ``column`` (its offsets of ``dtype``) has one length, not 0; else None.
    """
    offsets = np.frombuffer(column.buffers()[1], dtype, rows + 1, column.offset * dtype.itemsize)
    first = int(offsets[0])
    width = (int(offsets[-1]) - first) // rows
    if not width:
        return None
    if first:
        offsets = offsets - first
    return (first, width) if pa.py_buffer(offsets).equals(_steps(rows, width, dtype)) else None


@functools.lru_cache(maxsize=64)
def _steps(rows: int, width: int, dtype: np.dtype[Any]) -> pa.Buffer:
    """The offsets of ``rows`` lists of ``width`` elements each, from 0, as a buffer to compare."""
    return pa.py_buffer(np.arange(0, rows * width + 1, width, dtype=dtype))


def _codes(codes: npt.NDArray[np.uint8] | None, size: int) -> npt.NDArray[np.uint8]:
    return np.zeros(size, CODE_DTYPE) if codes is None else codes


def _lists(argument: Argument, column: pa.Array, keys: bool) -> Lists:
    """A list per row, as the worksheet reads a range; the elements' keys only with ``keys``.

    A NULL list is an omitted range (an optional table is then empty; a required one is
    ``#N/A``); an empty list, or a list of one NULL for an optional table, is as the
    worksheet reads a single empty cell there.
    """
    arg = argument.arg
    rows = len(column)
    omitted = column.null_count == rows
    if not omitted:
        _list_type(argument, column)
    # after the elements, two more: a blank cell, and a required range not given (#N/A)
    blank_values, blank_code = argument.blank
    extra = Elements(
        np.concatenate([blank_values, np.zeros(1, blank_values.dtype)]),
        np.array([blank_code, NA], CODE_DTYPE),
        np.array([[-1, 0], [-2, 0]], np.int64) if keys else np.zeros((0, 2), np.int64),
        np.array([True, False]),
    )
    if omitted:  # the whole column: an omitted argument, or no list in this batch
        start, length = np.ones(rows, np.int64), np.zeros(rows, np.int64)
        if arg.required:
            length += 1
        return Lists(extra, start, length)
    offsets = column.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
    start, length = offsets[:-1], np.diff(offsets)
    read = _read(argument, column.values, keys)  # a blank element is a blank cell
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


def _same_rows(keys: npt.NDArray[Any]) -> bool:
    """Whether every row of ``keys`` equals the first: each equals the next, one flat pass."""
    flat, width = keys.reshape(-1), keys.shape[1]
    return bool((flat[width:] == flat[:-width]).all())


def _list_type(argument: Argument, column: pa.Array) -> np.dtype[Any]:
    """The integers of the list column's offsets; TypeError when it is not a list column."""
    offsets = _OFFSETS.get(column.type.id)
    if offsets is None:
        raise TypeError(f"{argument.arg.name} must be a list (one list per row), not {column.type}")
    return offsets


def _groups(
    sig: Signature, read: dict[str, Elements | Lists], rows: int
) -> Iterator[tuple[npt.NDArray[np.intp] | slice, dict[str, tuple[npt.NDArray[Any], npt.NDArray[np.uint8]]]]]:
    """(rows, {table: (values, per-row code)}) for each call of the kernel.

    Row-table kernels get their rows as in :func:`_row_groups`.  Other kernels get the rows
    of one distinct table at once, the table 1-D, as the worksheet passes it: one call for a
    constant list.
    """
    lists = {name: part for name, part in read.items() if isinstance(part, Lists)}
    if not lists:
        yield slice(None), {}
        return
    if sig.row_tables:
        yield from _row_groups(sig, lists, rows)
        return
    lengths = np.stack([part.length for part in lists.values()], axis=1)
    for index in _split(lengths):
        gathers = {
            name: part.start[index][:, None] + np.arange(part.length[index[0]])
            for name, part in lists.items()
        }
        given = [lists[name].elements.keys[g].reshape(len(g), -1) for name, g in gathers.items() if g.size]
        keys = np.concatenate(given, axis=1) if given else np.zeros((len(index), 0), np.int64)
        for same in _split(keys):
            yield (
                slice(None) if len(same) == rows else index[same],
                {name: _one_table(lists[name].elements, g[same[0]]) for name, g in gathers.items()},
            )


def _row_groups(
    sig: Signature, lists: dict[str, Lists], rows: int
) -> Iterator[tuple[npt.NDArray[np.intp] | slice, dict[str, tuple[npt.NDArray[Any], npt.NDArray[np.uint8]]]]]:
    """Row tables, (rows, length) arrays: every row whose pairs line up in one call, padded.

    A row lines up when the two lists of each pair are as long, or the second may be omitted
    and is empty in every row (strikes: all 0); its lists are then padded with neutral tranches to the longest of the batch,
    which changes no row's result (:func:`xlfuncs.functions.tranches.row_tables`).  The rows
    that do not (lists of different lengths: the kernel's own error, or strikes omitted in
    some rows only) go to the kernel as they are, one call per combination of lengths.
    """
    lined_up = np.ones(rows, bool)
    for first, second in sig.pairs:
        if second not in OMISSIBLE or lists[second].length.any():
            lined_up &= lists[first].length == lists[second].length
    if lined_up.any():
        index = slice(None) if lined_up.all() else np.flatnonzero(lined_up)
        yield (
            index,
            {
                name: _padded(part.elements, part.start[index], part.length[index])
                for name, part in lists.items()
            },
        )
    rest = np.flatnonzero(~lined_up)
    if not rest.size:
        return
    for same in _split(np.stack([part.length[rest] for part in lists.values()], axis=1)):
        group = rest[same]
        yield (
            group,
            {
                name: _padded(part.elements, part.start[group], part.length[group])
                for name, part in lists.items()
            },
        )


def _split(keys: npt.NDArray[np.int64]) -> list[npt.NDArray[np.intp]]:
    """The row numbers of each distinct row of ``keys``."""
    if not keys.shape[1] or (keys == keys[:1]).all():
        return [np.arange(len(keys))]
    rows = np.ascontiguousarray(keys).view(np.dtype((np.void, keys.dtype.itemsize * keys.shape[1])))
    _, inverse, counts = np.unique(rows.ravel(), return_inverse=True, return_counts=True)  # bytewise
    order = np.argsort(inverse, kind="stable")
    return np.split(order, np.cumsum(counts)[:-1])


def _padded(
    elements: Elements, start: npt.NDArray[np.int64], length: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[Any], npt.NDArray[np.uint8]]:
    """The rows' lists as one (rows, longest) table, the shorter ones padded with
    :data:`~xlfuncs.functions.tranches.PAD`, and each row's first error code (the worksheet's
    per range).  Built from the lists' offsets at once, no loop over rows.
    """
    rows = len(start)
    width = int(length.max()) if rows else 0
    if not width:
        return np.zeros((rows, 0), elements.values.dtype), np.zeros(rows, CODE_DTYPE)
    gather = start[:, None] + np.arange(width)
    outside = np.arange(width) >= length[:, None]
    short = outside.any()
    if short:
        gather[outside] = 0  # any element: the pad replaces it below
    codes = elements.codes[gather]
    if short:
        codes[outside] = OK
    bad = codes != OK
    row_codes = np.zeros(rows, CODE_DTYPE)
    if bad.any():
        row_codes = np.where(bad.any(axis=1), codes[np.arange(rows), np.argmax(bad, axis=1)], OK).astype(
            CODE_DTYPE
        )
    values = elements.values[gather]
    if short:
        values[outside] = PAD
    return values, row_codes


def _one_table(
    elements: Elements, gather: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[Any], npt.NDArray[np.uint8]]:
    codes = elements.codes[gather]
    bad = codes[codes != OK]
    return elements.values[gather], np.array(bad[0] if bad.size else OK, CODE_DTYPE)


def _compute(
    sig: Signature, inputs: dict[str, npt.NDArray[Any]], codes: npt.NDArray[np.uint8] | None, rows: int
) -> tuple[npt.NDArray[Any] | None, npt.NDArray[np.uint8] | None]:
    """The kernel's result for one group's rows and their codes, as the worksheet computes them.

    Codes None: every row is OK (and stays None while every check passes).
    """
    spec = sig.spec
    with np.errstate(all="ignore"):
        for check in spec.checks:
            failed = check.test(**inputs)
            if np.any(failed):
                base = np.zeros(rows, CODE_DTYPE) if codes is None else codes
                codes = np.where((base == OK) & failed, check.code, base).astype(CODE_DTYPE)
        if codes is not None and not (codes == OK).any():
            return None, codes
        try:
            result = spec.kernel(**inputs)
        except InputError as exc:
            codes = np.zeros(rows, CODE_DTYPE) if codes is None else codes
            if rows == 1:
                return None, np.where(codes == OK, ERROR_CODE[exc.excel_error], codes).astype(CODE_DTYPE)
            half = rows // 2
            parts = [
                _compute(sig, _rows(sig, inputs, part), codes[part], len(codes[part]))
                for part in (slice(None, half), slice(half, None))
            ]
            out = _empty(sig, rows)
            for part, (result, _) in zip((slice(None, half), slice(half, None)), parts, strict=True):
                if result is not None:
                    out[part] = result
            return out, np.concatenate([c for _, c in parts])
    result = np.asarray(result, object if sig.text else np.float64)
    return (result if result.shape == (rows,) else np.broadcast_to(result, (rows,))), codes


def _empty(sig: Signature, rows: int) -> npt.NDArray[Any]:
    """A result column with nothing computed yet."""
    return np.empty(rows, object) if sig.text else np.full(rows, np.nan)


def _rows(sig: Signature, inputs: dict[str, npt.NDArray[Any]], part: slice) -> dict[str, npt.NDArray[Any]]:
    """The inputs of some of a group's rows (row tables are per row, a shared 1-D table and a
    scalar given once are kept).
    """
    table = {p.name for p in sig.params if p.table}
    return {
        name: values if not values.ndim or (name in table and values.ndim == 1) else values[part]
        for name, values in inputs.items()
    }


def _result(sig: Signature, out: npt.NDArray[Any], codes: npt.NDArray[np.uint8] | None) -> pa.Array:
    """The rows' results, NULL where a row's code is an error (codes None: none is) or the
    number is not finite.
    """
    if sig.text:
        labels = out.copy()
        refused = out == None  # noqa: E711 (element-wise)
        labels[refused if codes is None else refused | (codes != OK)] = None
        return pa.array(labels, pa.string())
    if codes is None and math.isfinite(np.add.reduce(out)):  # an inf or a nan would make the sum one
        return pa.Array.from_buffers(_DOUBLE, len(out), [None, pa.py_buffer(np.ascontiguousarray(out))])
    invalid = ~np.isfinite(out)
    if codes is not None and codes.any():
        invalid |= codes != OK
    return pa.array(out, pa.float64(), mask=invalid if invalid.any() else None)

"""A1 cell references: split, join, and the cells of a range."""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable

__all__ = ["REF", "cells", "column_letters", "letters_and_rows", "split_ref"]

#: One A1 cell reference, ``$`` allowed: groups column letters and row number.
REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def split_ref(ref: str) -> tuple[int, int]:
    """``"D12"`` -> (row 12, column 4); ``$`` and lower case are allowed.

    >>> split_ref("D12"), split_ref("$ab$3")
    ((12, 4), (3, 28))
    """
    m = REF.fullmatch(ref)
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), _column_number(m.group(1))


@functools.lru_cache(maxsize=4096)
def _column_number(letters: str) -> int:
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return col


@functools.lru_cache(maxsize=4096)
def column_letters(n: int) -> str:
    """Column number -> letters.

    >>> column_letters(1), column_letters(28), column_letters(16384)
    ('A', 'AB', 'XFD')
    """
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


_ALL_BYTES = bytes(range(256))
_NOT_LETTERS = _ALL_BYTES.translate(None, string.ascii_letters.encode() + b" ")
_NOT_DIGITS = _ALL_BYTES.translate(None, string.digits.encode() + b" ")


def letters_and_rows(refs: Iterable[str]) -> tuple[set[str], list[int]]:
    """The column letters (as written) and the row numbers of cell references (``$`` allowed).

    The references are joined and the letters, then the digits, cut out with ``bytes.translate``,
    so that no Python step runs per reference (a sheet may have hundreds of thousands).  Anything
    else in a reference is dropped (:func:`split_ref` is what refuses it).

    >>> letters, rows = letters_and_rows(["C7", "$AB$2", "C12"])
    >>> sorted(letters), rows
    (['AB', 'C'], [7, 2, 12])
    """
    text = " ".join(refs).encode()
    letters = {word.decode() for word in set(text.translate(None, _NOT_LETTERS).split())}
    return letters, list(map(int, text.translate(None, _NOT_DIGITS).split()))


def cells(ref: str) -> list[str]:
    """The cells of a range (``"A1:B2"``) or of one cell (``"C3"``), row by row.

    >>> cells("A1:B2"), cells("$C$3")
    (['A1', 'B1', 'A2', 'B2'], ['C3'])
    """
    (r1, c1), (r2, c2) = (split_ref(x) for x in (ref.split(":") * 2)[:2])
    return [f"{column_letters(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]

"""Reading a formula's text: string literals, calls and their arguments, outside literals."""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["CELL", "arguments", "calls", "literal_end", "logical_cell"]


def literal_end(text: str, i: int) -> int:
    """The index after the string literal or quoted sheet name that starts at ``text[i]``."""
    quote, j = text[i], i + 1
    while j < len(text):
        if text[j] == quote:
            if j + 1 < len(text) and text[j + 1] == quote:  # a doubled quote inside
                j += 2
                continue
            return j + 1
        j += 1
    return j


def arguments(text: str, start: int) -> tuple[list[str], int] | None:
    """The arguments of the call whose ``(`` ends at ``start``, and the index after its ``)``."""
    args, depth, i, begin = [], 0, start, start
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            i = literal_end(text, i)
            continue
        if ch in "({":
            depth += 1
        elif ch in ")}":
            if depth == 0:
                args.append(text[begin:i])
                return args, i + 1
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(text[begin:i])
            begin = i + 1
        i += 1
    return None


def calls(
    formula: str,
    call: re.Pattern[str],
    rewrite: Callable[[re.Match[str], list[str]], str | None],
) -> str:
    """``formula`` with each call that ``call`` matches (up to its ``(``) outside literals replaced by
    ``rewrite(match, arguments)``; a call it answers None for stays, and is searched inside.
    """
    out, i = [], 0
    while i < len(formula):
        if formula[i] in "\"'":
            end = literal_end(formula, i)
            out.append(formula[i:end])
            i = end
            continue
        m = call.match(formula, i)
        found = arguments(formula, m.end()) if m else None
        text = rewrite(m, found[0]) if m is not None and found is not None else None
        if text is None or found is None:
            out.append(formula[i])
            i += 1
            continue
        out.append(text)
        i = found[1]
    return "".join(out)


#: One cell reference, maybe on another sheet, as a whole argument: what Calc's ISLOGICAL can tell a
#: TRUE or FALSE in (Calc keeps logical values as numbers that carry a logical format; a value
#: computed inside a formula loses it).
CELL = re.compile(r"\s*(?:(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?\$?[A-Za-z]{1,3}\$?\d+\s*")


def logical_cell(arg: str) -> bool:
    """Whether an argument is one cell reference, which may hold TRUE or FALSE.

    >>> [logical_cell(a) for a in ("A1", " $B$2 ", "'My S'!C3", "A1:A2", "A1+0", "TRUE")]
    [True, True, True, False, False, False]
    """
    return CELL.fullmatch(arg) is not None

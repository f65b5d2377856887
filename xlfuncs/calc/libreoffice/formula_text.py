"""Reading a formula's text: string literals, calls and their arguments, outside literals."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

__all__ = ["CELL", "arguments", "bind", "calls", "lets_sound", "literal_end", "logical_cell", "top_level"]


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


def _scan(text: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """``(index, character, depth)`` for each character from ``start`` on outside string literals and
    quoted sheet names: the depth of parentheses and braces around it (a closing one counted out).
    """
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            i = literal_end(text, i)
            continue
        if ch in ")}":
            depth -= 1
        yield i, ch, depth
        if ch in "({":
            depth += 1
        i += 1


def top_level(text: str) -> Iterator[str]:
    """The characters of a formula's text outside string literals, quoted sheet names, parentheses and
    braces.

    >>> "".join(top_level('A1+SUM(B1,C1)&"x+y"&{1,2}'))
    'A1+SUM&&'
    """
    return (ch for _, ch, depth in _scan(text) if depth == 0 and ch not in "(){}")


def arguments(text: str, start: int) -> tuple[list[str], int] | None:
    """The arguments of the call whose ``(`` ends at ``start``, and the index after its ``)``.

    >>> arguments('F(A1,"a,b",G(1,2))+1', 2)
    (['A1', '"a,b"', 'G(1,2)'], 18)
    """
    args, begin = [], start
    for i, ch, depth in _scan(text, start):
        if depth < 0:
            args.append(text[begin:i])
            return args, i + 1
        if ch == "," and depth == 0:
            args.append(text[begin:i])
            begin = i + 1
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


_LET = re.compile(r"(?<![\w.])_xlfn\.LET\s*\(", re.I)


def lets_sound(formula: str) -> bool:
    """Whether LibreOffice computes a formula's ``LET`` calls as Excel does.  Calc 25.2 reads only some:
    a LET inside another LET's arguments is #NAME? or silently wrong (``LET(a,1,a+LET(a,3,a))`` gives
    2), and so are two LETs of one formula that bind different names (``LET(a,1,a)+LET(b,2,b)``, #NAME?);
    LETs side by side that bind the same names compute.  A formula without LET is sound.

    >>> L = "_xlfn.LET"
    >>> lets_sound(f"{L}(_xlpm.x,A1,_xlpm.x+1)+{L}(_xlpm.x,B1,_xlpm.x)"), lets_sound("SUM(A1)")
    (True, True)
    >>> lets_sound(f"{L}(_xlpm.x,A1,_xlpm.x+1)+{L}(_xlpm.y,B1,_xlpm.y)")
    False
    >>> lets_sound(f"{L}(_xlpm.x,{L}(_xlpm.x,A1,_xlpm.x),_xlpm.x)"), lets_sound(f'{L}(_xlpm.x,"LET(",_xlpm.x)')
    (False, True)
    """
    if len(_LET.findall(formula)) <= 1:  # one LET neither nests nor binds other names
        return True
    spans: list[tuple[int, int]] = []
    bound: set[frozenset[str]] = set()

    def note(m: re.Match[str], args: list[str]) -> None:
        found = arguments(formula, m.end())
        if found is not None:
            spans.append((m.start(), found[1]))
        bound.add(frozenset(a.strip().lower() for a in args[:-1:2]))

    calls(formula, _LET, lambda m, args: note(m, args))
    nested = any(a < b < a_end for a, a_end in spans for b, _ in spans)
    return not nested and len(bound) <= 1


#: A number written out, as a whole argument.
_NUMBER = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*")
_NAMES = ("_xlpm.x", "_xlpm.y")


def bind(values: list[str], body: Callable[..., str]) -> str:
    """``body`` of the values, each computed once: a cell reference or a number goes in as it is, any
    other value is bound by one ``LET`` (to ``_xlpm.x``, then ``_xlpm.y``), so that formulas of few
    LETs, each binding the same names, stay :func:`lets_sound`.

    >>> bind(["A1", "2"], lambda a, b: f"F({a},{b})")
    'F(A1,2)'
    >>> bind(["A1+1", "B2"], lambda a, b: f"F({a},{b})")
    '_xlfn.LET(_xlpm.x,A1+1,F(_xlpm.x,B2))'
    """
    if len(values) > len(_NAMES):
        raise ValueError(f"at most {len(_NAMES)} values are bound, not {len(values)}")
    names: list[str] = []
    lets: list[str] = []
    for value in values:
        if CELL.fullmatch(value) or _NUMBER.fullmatch(value):
            names.append(value.strip())
            continue
        name = _NAMES[len(lets) // 2]
        names.append(name)
        lets += [name, value]
    text = body(*names)
    return f"_xlfn.LET({','.join(lets)},{text})" if lets else text

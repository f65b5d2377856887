"""Excel's regression functions where Calc gives another result: sizes that do not match, and x values
that are all the same.

Excel checks the shapes of the arrays before it reads their values: a pair function (SLOPE, CORREL,
FORECAST, ...) whose two arrays hold different numbers of points is #N/A, a LINEST or TREND whose
arrays do not fit together is #REF! (Excel's documentation of each function, and [MS-OI29500]
2.1.985 for LINEST; Excel's stored values in ``../shared/excel-oracle/18_stats.xlsx`` show both,
the #REF! also where the values hold an empty cell, which alone gives #VALUE!).  Calc gives an
error value of its own (#VALUE!).  An x variable that is collinear with the others is dropped from
Excel's regression with a coefficient of 0 ([MS-OI29500] again), where Calc's LINEST and TREND give
#VALUE! for the singular matrix; :func:`regression` gives Excel's result where every x variable is
constant (each then collinear with the intercept): coefficients 0 and the mean of y as intercept.
"""

from __future__ import annotations

import re

from .formula_text import calls, top_level

__all__ = ["REGRESSION", "regression"]

#: Functions of two arrays of paired points, and where in the call their two arrays are.
_PAIRED = {
    "SLOPE": 0,
    "INTERCEPT": 0,
    "PEARSON": 0,
    "RSQ": 0,
    "STEYX": 0,
    "CORREL": 0,
    "COVAR": 0,
    "_XLFN.COVARIANCE.P": 0,
    "_XLFN.COVARIANCE.S": 0,
    "FORECAST": 1,
    "_XLFN.FORECAST.LINEAR": 1,
}
REGRESSION = re.compile(
    r"(?<![\w.])(SLOPE|INTERCEPT|PEARSON|RSQ|STEYX|CORREL|COVAR|_xlfn\.COVARIANCE\.[PS]|FORECAST"
    r"|_xlfn\.FORECAST\.LINEAR|LINEST|TREND)\s*\(",
    re.I,
)

_Y, _X, _N = "_xlpm.ky", "_xlpm.kx", "_xlpm.kn"
_RY, _CY, _RX, _CX, _ONE = "_xlpm.ry", "_xlpm.cy", "_xlpm.rx", "_xlpm.cx", "_xlpm.one"
_RN, _CN = "_xlpm.rn", "_xlpm.cn"
#: ``LET``, which Calc 25.2 answers with #NAME? inside another ``LET`` (measured): a formula that holds one
#: (the workbook's own, or another rewrite's) is left as it is.
_LET = re.compile(r"(?<![\w.])_xlfn\.LET\s*\(", re.I)


_CELL = r"\$?([A-Za-z]{1,3})\$?(\d+)"
#: A reference to one cell or range, with its sheet or without: its shape is known from the text.
_REFERENCE = re.compile(rf"(?:(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?{_CELL}(?::{_CELL})?")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _column(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _shape(text: str) -> tuple[int, int] | None:
    """(rows, columns) of a reference written out (or a number: one value), None for anything else.

    >>> _shape("$B$2:D11"), _shape("'My S'!C3"), _shape("2.5"), _shape("A1:A5^2"), _shape("XYZ1")
    ((10, 3), (1, 1), (1, 1), None, None)
    """
    text = text.strip()
    if _NUMBER.fullmatch(text):
        return 1, 1
    m = _REFERENCE.fullmatch(text)
    if m is None:
        return None
    c1, r1, c2, r2 = m.groups()
    c2, r2 = c2 or c1, r2 or r1
    cols, rows = (_column(c1), _column(c2)), (int(r1), int(r2))
    if max(cols) > 16384 or max(rows) > 1048576 or min(rows) < 1:
        return None  # a name, not a cell
    return abs(rows[1] - rows[0]) + 1, abs(cols[1] - cols[0]) + 1


def _bound(text: str) -> str:
    """An array argument as a ``LET`` binds it: an expression (an operator outside parentheses) inside
    ``TRANSPOSE(TRANSPOSE(...))``, which evaluates it as an array, as the function's own argument is in
    Excel (a ``LET`` binding alone would take one cell of it outside an array formula); a reference or
    a call as it is, a reference keeping its empty cells apart from zeros.

    >>> _bound("A2:A13^{1,2}"), _bound("Data!B1:B9"), _bound('OFFSET(A1,0,0,5)'), _bound("-B1:B3")
    ('TRANSPOSE(TRANSPOSE(A2:A13^{1,2}))', 'Data!B1:B9', 'OFFSET(A1,0,0,5)', 'TRANSPOSE(TRANSPOSE(-B1:B3))')
    """
    if any(ch in "+-*/^&=<>% " for ch in top_level(text)):
        return f"TRANSPOSE(TRANSPOSE({text}))"
    return text


def _flag(text: str, default: bool) -> bool | None:
    """The value of a literal flag argument (empty: ``default``), None if it is not a literal."""
    text = text.strip().upper()
    if text == "":
        return default
    return {"TRUE": True, "TRUE()": True, "1": True, "FALSE": False, "FALSE()": False, "0": False}.get(text)


def _paired(name: str, args: list[str], at: int) -> str | None:
    """The call with #N/A where its two arrays hold different numbers of points (a scalar argument, which
    has no rows, and an error go to the function as they are); for two references, #N/A or the call as
    it is, by their sizes.
    """
    y, x = _shape(args[at]), _shape(args[at + 1])
    if y is not None and x is not None:  # references: their sizes are known here
        return "NA()" if y[0] * y[1] != x[0] * x[1] else None
    rest = [*args[:at], _Y, _X, *args[at + 2 :]]
    call = f"{name}({','.join(rest)})"
    return (
        f"_xlfn.LET({_Y},{_bound(args[at])},{_X},{_bound(args[at + 1])},{_RY},ROWS({_Y}),{_RX},ROWS({_X}),"
        f"IF(ISERROR({_RY}*{_RX}),{call},IF({_RY}*COLUMNS({_Y})<>{_RX}*COLUMNS({_X}),NA(),{call})))"
    )


def _fitted(name: str, args: list[str]) -> str | None:
    """LINEST or TREND with #REF! where the arrays do not fit together, and Excel's result where every x
    variable is constant.  Known y's of one column take a variable from each column of the known x's
    (and new x's), one row from each row; x's of y's shape are one variable.  Arrays that fit no way but
    hold as many values, and a scalar, go to the function as they are.
    """
    linest = name.upper() == "LINEST"
    new = None if linest or len(args) < 3 or not args[2].strip() else args[2]
    const = _flag(args[2 if linest else 3] if len(args) > (2 if linest else 3) else "", True)
    stats = _flag(args[3] if linest and len(args) > 3 else "", False)
    y, x, n = _shape(args[0]), _shape(args[1]), _shape(new) if new else None
    if y is not None and x is not None and (n is not None or not new):
        return _fitted_references(name, args, new, y, x, n, bool(const) and stats is False)
    rest = [_Y, _X, *([_N] if new else args[2:3]), *args[3:]]
    call = f"{name}({','.join(rest)})"
    kn = _N if new else _X
    fits = f"({_ONE}+({_CY}=1)*({_RX}={_RY})+({_RY}=1)*({_CX}={_CY}))"
    branches = f"IF({fits}=0,IF({_RY}*{_CY}<>{_RX}*{_CX},#REF!,{call}),"
    if new:
        branches += f"IF((1-{_ONE})*IF({_CY}=1,{_CN}<>{_CX},{_RN}<>{_RX}),#REF!,"
    if const and stats is False:
        # every variable constant: each row of x (y in one column) or column (y in one row) repeats
        # the first, or the one variable has a single value; all values numbers, at least 2 points
        same = (
            f"IF({_CY}=1,SUMPRODUCT(ABS({_X}-INDEX({_X},1,0))),IF({_RY}=1,"
            f"SUMPRODUCT(ABS({_X}-INDEX({_X},0,1))),MAX({_X})-MIN({_X})))=0"
        )
        if linest:
            k = f"IF({_ONE},1,IF({_CY}=1,{_CX},{_RX}))"
            excel = f"IF(_xlfn.SEQUENCE(1,{k}+1)<={k},0,AVERAGE({_Y}))"
            numbers = ""
        else:
            excel = (
                f"AVERAGE({_Y})+IF({_ONE},0*{kn},IF({_CY}=1,MMULT(0*{kn},TRANSPOSE(0*INDEX({kn},1,0))),"
                f"MMULT(TRANSPOSE(0*INDEX({kn},0,1)),0*{kn})))"
            )
            numbers = f"*(COUNT({kn})={_RN}*{_CN})"
        branches += (
            f"IF(({_RY}*{_CY}>1)*(COUNT({_Y})={_RY}*{_CY})*(COUNT({_X})={_RX}*{_CX}){numbers},"
            f"IF({same},{excel},{call}),{call})"
        )
    else:
        branches += call
    branches += ")" * (2 if new else 1)
    # a single number as new x's is one row and column; ROWS and COLUMNS take arrays only
    bound = f"{_Y},{_bound(args[0])},{_X},{_bound(args[1])}," + (
        f"{_N},{_bound(new)},{_RN},IFERROR(ROWS({_N}),IF(ISNUMBER({_N}),1,NA())),"
        f"{_CN},IFERROR(COLUMNS({_N}),IF(ISNUMBER({_N}),1,NA())),"
        if new
        else f"{_RN},ROWS({_X}),{_CN},COLUMNS({_X}),"
    )
    return (
        f"_xlfn.LET({bound}{_RY},ROWS({_Y}),{_CY},COLUMNS({_Y}),{_RX},ROWS({_X}),{_CX},COLUMNS({_X}),"
        f"{_ONE},({_RY}={_RX})*({_CY}={_CX}),IF(ISERROR({_RY}*{_RX}*{_RN}),{call},{branches}))"
    )


def _fitted_references(
    name: str,
    args: list[str],
    new: str | None,
    y: tuple[int, int],
    x: tuple[int, int],
    n: tuple[int, int] | None,
    flat: bool,
) -> str | None:
    """:func:`_fitted` for references (and a number as new x's), whose shapes are known here: #REF!, the
    call as it is, or (``flat``: a constant, no statistics) the call with Excel's result in place of
    Calc's error where every x variable is constant.
    """
    (ry, cy), (rx, cx) = y, x
    one = y == x
    if ry * cy == 1:
        return None
    if not (one or (cy == 1 and rx == ry) or (ry == 1 and cx == cy)):
        return "#REF!" if ry * cy != rx * cx else None
    if n is not None and not one and (n[1] != cx if cy == 1 else n[0] != rx):
        return "#REF!"
    if not flat:
        return None
    ky, kx = args[0], args[1]
    kn = new or kx
    if cy == 1:
        same = f"SUMPRODUCT(ABS({kx}-INDEX({kx},1,0)))"
    elif ry == 1:
        same = f"SUMPRODUCT(ABS({kx}-INDEX({kx},0,1)))"
    else:
        same = f"MAX({kx})-MIN({kx})"
    numbers = f"(COUNT({ky})={ry * cy})*(COUNT({kx})={rx * cx})"
    if name.upper() == "LINEST":
        k = 1 if one else cx if cy == 1 else rx
        excel = f"IF(_xlfn.SEQUENCE(1,{k + 1})<={k},0,AVERAGE({ky}))"
    else:
        if new and n is not None:
            numbers += f"*(COUNT({kn})={n[0] * n[1]})"
        if one:
            zeros = f"0*{kn}"
        elif cy == 1:
            zeros = f"MMULT(0*{kn},TRANSPOSE(0*INDEX({kn},1,0)))"
        else:
            zeros = f"MMULT(TRANSPOSE(0*INDEX({kn},0,1)),0*{kn})"
        excel = f"AVERAGE({ky})+{zeros}"
    res = "_xlpm.res"
    # Calc's result first: only its error (a singular matrix) asks whether every variable is constant
    return (
        f"_xlfn.LET({res},{name}({','.join(args)}),IF(ISERROR(INDEX({res},1,1)),"
        f"IF({numbers},IF({same}=0,{excel},{res}),{res}),{res}))"
    )


def regression(formula: str) -> str:
    r"""``formula`` with the pair functions (SLOPE, INTERCEPT, PEARSON, RSQ, STEYX, CORREL, COVAR,
    COVARIANCE.P and .S, FORECAST and FORECAST.LINEAR) #N/A where their arrays hold different numbers
    of points, and LINEST and TREND given known x's #REF! where the arrays do not fit together and,
    with a constant and without statistics (as literals), Excel's result where every x variable is
    constant.  Each call becomes a ``LET`` binding its arrays once.

    >>> regression("SLOPE(A1:A5,B1:B4)+SLOPE($A$1:$A$5,Data!B1:B5)+CORREL(A1:A3,Prices)")[:89]
    'NA()+SLOPE($A$1:$A$5,Data!B1:B5)+_xlfn.LET(_xlpm.ky,A1:A3,_xlpm.kx,Prices,_xlpm.ry,ROWS(_'
    >>> f = regression("FORECAST(2.5,A1:A5,Prices)")
    >>> print(f[:89], f[89:151], f[151:], sep="\n")
    _xlfn.LET(_xlpm.ky,A1:A5,_xlpm.kx,Prices,_xlpm.ry,ROWS(_xlpm.ky),_xlpm.rx,ROWS(_xlpm.kx),
    IF(ISERROR(_xlpm.ry*_xlpm.rx),FORECAST(2.5,_xlpm.ky,_xlpm.kx),
    IF(_xlpm.ry*COLUMNS(_xlpm.ky)<>_xlpm.rx*COLUMNS(_xlpm.kx),NA(),FORECAST(2.5,_xlpm.ky,_xlpm.kx))))
    >>> regression("LINEST(A1:A5)"), regression('LINEST(A1:A5,,FALSE)&"TREND("')
    ('LINEST(A1:A5)', 'LINEST(A1:A5,,FALSE)&"TREND("')
    >>> regression("LINEST(A1:A5,B1:C4)"), regression("TREND(A1:A5,B1:C5,D1:D2)"), regression("LINEST(A1:A5,B1:C5,,TRUE)")
    ('#REF!', '#REF!', 'LINEST(A1:A5,B1:C5,,TRUE)')
    >>> f = regression("LINEST(A1:A5,B1:C5)")
    >>> print(f[:92], f[92:156], f[156:], sep="\n")
    _xlfn.LET(_xlpm.res,LINEST(A1:A5,B1:C5),IF(ISERROR(INDEX(_xlpm.res,1,1)),IF((COUNT(A1:A5)=5)
    *(COUNT(B1:C5)=10),IF(SUMPRODUCT(ABS(B1:C5-INDEX(B1:C5,1,0)))=0,
    IF(_xlfn.SEQUENCE(1,3)<=2,0,AVERAGE(A1:A5)),_xlpm.res),_xlpm.res),_xlpm.res))
    >>> "MMULT" in regression("TREND(A1:A5,B1:C5,D1:E2)"), "#REF!" in regression("LINEST(A1:A5,B1:C5^2,,TRUE)")
    (True, True)
    """

    def rewrite(m: re.Match[str], args: list[str]) -> str | None:
        name = m[1]
        key = name.upper()
        if any(REGRESSION.search(a) for a in args):
            return None  # the inner call is rewritten; two LETs would nest
        if key in _PAIRED:
            at = _PAIRED[key]
            return _paired(name, args, at) if len(args) == at + 2 else None
        if len(args) < 2 or not args[1].strip() or len(args) > 4:
            return None
        return _fitted(name, args)

    return formula if _LET.search(formula) else calls(formula, REGRESSION, rewrite)

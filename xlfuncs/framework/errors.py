"""Excel error codes and the exception the Python API raises for bad input.

Every element of every argument is classified into a small integer code
(``OK``, ``BLANK`` or one of Excel's error values).  The Python API turns the
first non-``OK`` code into an :class:`InputError`; the Excel layer writes the
matching error value into the cell instead.
"""

from __future__ import annotations

OK = 0
BLANK = 1  # an empty cell / None; each argument's rule decides what it means
NA, VALUE, NUM, DIV0, REF, NAME, NULL = 2, 3, 4, 5, 6, 7, 8
#: Excel's newer error values (dynamic arrays, data types, async functions): they pass
#: through as the others do, but only as text, since xlwings writes the seven above alone
#: as error values (docs/usage.md).
NEWER_ERRORS = (
    "#SPILL!",
    "#CALC!",
    "#BUSY!",
    "#GETTING_DATA",
    "#FIELD!",
    "#CONNECT!",
    "#BLOCKED!",
    "#UNKNOWN!",
    "#EXTERNAL!",
    "#PYTHON!",
)

#: The Excel error value written for each error code.
ERROR_TEXT = {
    NA: "#N/A",
    VALUE: "#VALUE!",
    NUM: "#NUM!",
    DIV0: "#DIV/0!",
    REF: "#REF!",
    NAME: "#NAME?",
    NULL: "#NULL!",
    **{NULL + 1 + i: text for i, text in enumerate(NEWER_ERRORS)},
}
#: Excel error text (upper case) -> code, for error values arriving as input.
ERROR_CODE = {text: code for code, text in ERROR_TEXT.items()}


class InputError(ValueError):
    """Bad input to an xlfuncs function.

    Attributes
    ----------
    argument : str
        Name of the offending argument (``"price"``, ``"counts"``, ...).
    position : tuple of int or None
        Index of the offending element, ``None`` for a scalar or a problem
        with the argument as a whole.
    excel_error : str
        The Excel error value the same input gives in a worksheet cell.
    """

    def __init__(
        self,
        argument: str,
        reason: str,
        *,
        code: int = VALUE,
        position: tuple[int, ...] | None = None,
        label: object = None,
    ):
        self.argument = argument
        self.position = position
        self.excel_error = ERROR_TEXT[code]
        where = argument
        if position is not None:
            where += "[" + ", ".join(str(i) for i in position) + "]"
            if label is not None:
                where += f" (index {label!r})"
        super().__init__(f"{where}: {reason} ({self.excel_error} in Excel)")

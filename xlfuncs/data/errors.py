"""The errors of the data layer: each a reason a figure cannot be given, never a zero.

Every error carries the Excel error value a cell shows for it (``excel_error``); its
message is the one line the command line prints and Office.js shows beside the cell.
"""

from __future__ import annotations


class DataError(Exception):
    """A figure that cannot be given; the message says why, in one line.

    Given as a ``str.format`` pattern and its values, the message can be shown in another
    language: the command line translates :attr:`pattern` (the catalogue's context ``cli``).
    """

    excel_error = "#N/A"

    def __init__(self, message: str = "", /, **values: object) -> None:
        super().__init__(message.format(**values) if values else message)
        self.pattern, self.values = message, values


class UnknownId(DataError):
    """The ticker, CIK, ISIN, LEI or coin is not known to the source."""


class NoSuchFact(DataError):
    """The company never reported the item (or only with dimensions, which the API drops)."""


class StaleFact(DataError):
    """The latest fact ends more than the staleness limit before the company's latest period."""


class NotCached(DataError):
    """Offline (``XLFUNCS_OFFLINE=1`` or inside ``xlfuncs calc``) and nothing cached for the request."""


class RateLimited(DataError):
    """The source kept answering 429 (or asked to wait longer than allowed)."""


class NoUserAgent(DataError):
    """The SEC needs a User-Agent naming the user and an email; none is configured."""

    excel_error = "#VALUE!"


class Unreachable(DataError):
    """The source did not answer, or answered with a server error."""

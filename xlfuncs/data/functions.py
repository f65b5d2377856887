"""The worksheet functions that fetch: FILING, FILINGS (and the market data functions).

Declared with the same ``@udf`` spec as the pure kernels, so every runtime registers them
the same way; they sit above both the kernels and the data layer, which they import only
when called.  The package itself (``xlfuncs/__init__.py``) calls :func:`register` wherever
the data extra is :func:`installed`, before anything can read ``REGISTRY``: what the
registry holds depends on the installation alone, never on what was imported first.
Each failure is an Excel error value in its own cell (``#N/A`` for a missing, stale or
unreachable figure), and an :class:`~xlfuncs.framework.errors.InputError` naming the
argument and the reason in Python.
"""

from __future__ import annotations

import importlib.util
import math
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from ..framework.errors import ERROR_CODE, InputError
from ..framework.rules import ABSENT, Choice, Labels, Number
from ..framework.spec import REGISTRY, FunctionSpec, udf
from .chains import ITEMS
from .errors import DataError, NoSuchFact, StaleFact, UnknownId
from .records import Fact

if TYPE_CHECKING:
    import numpy.typing as npt

FIELDS = ("value", "period_end", "form", "filed", "url", "tag", "stale", "note")
ITEM = Choice(ITEMS, default="shares")
FIELD = Choice(FIELDS, default="value")
AS_OF = Number(blank=ABSENT, help="must be a date (a date cell or its serial number)")
TEXT = Labels()

_EPOCH = date(1899, 12, 30)  # day 0 of Excel's serial dates (1900 system, past 1 March 1900)
Objects = np.ndarray[Any, np.dtype[np.object_]]


def serial(day: date) -> float:
    """Excel's serial number of a date."""
    return float((day - _EPOCH).days)


#: Excel's last date, 9999-12-31, as a serial number.
LAST_SERIAL = 2958465


def from_serial(number: float) -> date | None:
    """The date of an Excel serial number; None for nan (blank); #NUM! outside Excel's dates."""
    if math.isnan(number):
        return None
    if not 0 <= number <= LAST_SERIAL:
        raise InputError(
            "as_of",
            f"{number:g} is not a date: Excel's dates are the serial numbers 0 to {LAST_SERIAL:,}",
            code=ERROR_CODE["#NUM!"],
        )
    return _EPOCH + timedelta(days=int(number))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _argument_of(exc: DataError) -> str:
    return "item" if isinstance(exc, (NoSuchFact, StaleFact)) else "company"


def _cells(compute: Any, args: dict[str, npt.NDArray[Any]], argument: Any = _argument_of) -> Objects:
    """``compute(**element)`` per broadcast element; a data error is that element's error value.

    When every element fails (a single call that fails, above all) the first reason is raised
    as :class:`InputError`: the message in Python, the error value in every cell.  Otherwise
    each failing element holds its error value (nan in the numeric functions, ``#N/A``).
    """
    arrays = np.broadcast_arrays(*args.values())
    out = np.empty(arrays[0].shape, object)
    failures: list[DataError] = []
    for index in np.ndindex(out.shape):
        element = {name: a[index] for name, a in zip(args, arrays, strict=True)}
        try:
            out[index] = compute(**element)
        except DataError as exc:
            failures.append(exc)
            out[index] = exc.excel_error
    if failures and len(failures) == out.size:
        first = failures[0]
        raise InputError(argument(first), str(first), code=ERROR_CODE[first.excel_error])
    return out


def _numbers(cells: Objects) -> npt.NDArray[np.float64]:
    """Numbers of :func:`_cells`, an element that failed as nan (``#N/A`` in its cell)."""
    out = np.full(cells.shape, np.nan)
    for index in np.ndindex(cells.shape):
        if not isinstance(cells[index], str):
            out[index] = cells[index]
    return out


def _company(identifier: Any, as_of: float) -> Any:
    from .companies import company

    if not isinstance(identifier, str) or not identifier.strip():
        raise UnknownId("no company given")
    return company(identifier, from_serial(float(as_of)))


def _field(fact: Fact, field: str) -> object:
    if field == "stale":
        return fact.stale
    if field == "note":  # why a value is missing or stale, in any runtime's cell
        return fact.reason
    if fact.value is None:
        raise NoSuchFact(f"{fact.item}: {fact.reason}")
    if field == "value":
        if fact.stale:
            raise StaleFact(f"{fact.item}: {fact.reason}")
        return fact.value
    if field in ("period_end", "filed"):
        day = getattr(fact, field)
        return serial(day) if day else None
    return _text(getattr(fact, field))


def filing(company: Objects, item: Any, field: Any = "value", as_of: Any = None) -> Objects:
    """An input of a company from its latest filing (SEC EDGAR): shares, options, their strike, RSUs, debt, cash, preferred, minority interest or the reported diluted count; or that figure's period end, form, filing date, link, tag, stale flag or note.

    Formula: the latest fact of the first tag in the item's chain whose period ends at most 400 days before the company's latest period

    Parameters
    ----------
    company : str or array_like
        A ticker (TSLA), a CIK (1318605), ISIN:… or LEI:….
    item : str or array_like
        shares, options, options_strike, rsus, debt, cash, preferred, minority_interest or diluted_reported.
    field : str or array_like, optional
        value (the default), period_end, form, filed, url, tag, stale or note.
    as_of : float or array_like, optional
        A date: only facts filed on or before it count, so a model of a past date sees no later figure.

    Returns
    -------
    object or ndarray
        The value (a number), a date (as Excel's serial number), a text or TRUE/FALSE; a stale value is an error, never used silently.

    Notes
    -----
    A missing figure (never reported, or reported only with dimensions, which the SEC's
    companyfacts API drops) is ``#N/A``, never a zero.  Offline (``XLFUNCS_OFFLINE=1``, and
    always inside ``xlfuncs calc``) the figures come from the cache only.
    """

    def one(company: Any, item: float, field: float, as_of: float) -> object:
        found = _company(company, as_of)
        return _field(found.items[ITEMS[int(item)]], FIELDS[int(field)])

    return _cells(one, {"company": company, "item": item, "field": field, "as_of": as_of})


def filings(company: Objects) -> dict[str, Objects]:
    """The whole table of a company's inputs from its filings: item, value, unit, period end, form, filing date, stale flag, link and note (spills).

    Formula: FILING for every item, with its date, form and link

    Parameters
    ----------
    company : str
        A ticker (TSLA), a CIK (1318605), ISIN:… or LEI:….

    Returns
    -------
    dict of ndarray
        Columns item, value, unit, period_end, form, filed, stale, link, note: one row per item; a missing value is #N/A, the note says why.
    """
    identifier = np.asarray(company, object).ravel()
    if identifier.size != 1:
        raise InputError("company", "FILINGS takes one company")
    try:
        found = _company(identifier[0], math.nan)
    except DataError as exc:
        raise InputError("company", str(exc), code=ERROR_CODE[exc.excel_error]) from None
    facts = list(found.items.values())

    def column(values: list[object]) -> Objects:
        out = np.empty(len(values), object)
        out[:] = values
        return out

    return {
        "item": column([f.item for f in facts]),
        "value": column([f.value if f.value is not None else "#N/A" for f in facts]),
        "unit": column([f.unit for f in facts]),
        "period_end": column([serial(f.period_end) if f.period_end else None for f in facts]),
        "form": column([f.form for f in facts]),
        "filed": column([serial(f.filed) if f.filed else None for f in facts]),
        "stale": column([f.stale for f in facts]),
        "link": column([f.url for f in facts]),
        "note": column([f.reason for f in facts]),
    }


KINDS = ("circulating", "total", "max")
KIND = Choice(KINDS, default="circulating")
VS = Labels()


def coinsupply(coin: Objects, kind: Any = "circulating") -> npt.NDArray[np.float64]:
    """A coin's circulating, total or maximum supply from CoinGecko (0 for a maximum the protocol does not set, which FDV reads as unlimited).

    Formula: CoinGecko's circulating_supply, total_supply or max_supply

    Parameters
    ----------
    coin : str or array_like
        CoinGecko's API id of the coin: bitcoin, ethereum, solana….
    kind : str or array_like, optional
        circulating (the default), total or max.

    Returns
    -------
    float or ndarray
        Coins; a supply CoinGecko does not report is #N/A.
    """

    def one(coin: Any, kind: float) -> object:
        from .coingecko import coin as market

        found = market(_text(coin))
        name = KINDS[int(kind)]
        value = {"circulating": found.circulating, "total": found.total, "max": found.max}[name]
        if value is None:
            if name == "max":
                return 0.0
            raise NoSuchFact(f"CoinGecko reports no {name} supply for {found.id}")
        return value

    return _numbers(_cells(one, {"coin": coin, "kind": kind}, lambda exc: "coin"))


def coinprice(coin: Objects, vs_currency: Any = "usd") -> npt.NDArray[np.float64]:
    """A coin's latest price from CoinGecko, in a currency (usd by default).

    Formula: CoinGecko's current_price in vs_currency

    Parameters
    ----------
    coin : str or array_like
        CoinGecko's API id of the coin: bitcoin, ethereum, solana….
    vs_currency : str or array_like, optional
        The currency of the price: usd (the default), eur, btc….

    Returns
    -------
    float or ndarray
        The price of one coin.
    """

    def one(coin: Any, vs_currency: Any) -> object:
        from .coingecko import coin as market

        found = market(_text(coin), _text(vs_currency) or "usd")
        if found.price is None:
            raise NoSuchFact(f"CoinGecko reports no {found.vs} price for {found.id}")
        return found.price

    return _numbers(_cells(one, {"coin": coin, "vs_currency": vs_currency}, lambda exc: "coin"))


def fxrate(base: Objects, quote: Objects, as_of: Any = None) -> npt.NDArray[np.float64]:
    """The ECB euro reference rate: units of the quote currency for one unit of the base currency, crossed through EUR; as of a date, the latest published on or before it.

    Formula: (quote per EUR) / (base per EUR), the ECB's reference rates

    Parameters
    ----------
    base : str or array_like
        ISO 4217 code of the currency converted from (USD, EUR, GBP…).
    quote : str or array_like
        ISO 4217 code of the currency converted to.
    as_of : float or array_like, optional
        A date: the rate published on or before it (default: the latest).

    Returns
    -------
    float or ndarray
        Units of quote per unit of base.
    """

    def one(base: Any, quote: Any, as_of: float) -> object:
        from .ecb import rate

        return rate(_text(base), _text(quote), from_serial(float(as_of))).rate

    return _numbers(_cells(one, {"base": base, "quote": quote, "as_of": as_of}, lambda exc: "base"))


#: (kernel, udf arguments) of every function this module registers, in registration order.
DECLARATIONS: tuple[tuple[Any, dict[str, Any]], ...] = (
    (filing, dict(excel_name="FILING", result="label", company=TEXT, item=ITEM, field=FIELD, as_of=AS_OF)),
    (filings, dict(excel_name="FILINGS", result="schedule", company=TEXT)),
    (coinsupply, dict(excel_name="COINSUPPLY", nan_result="#N/A", coin=TEXT, kind=KIND)),
    (coinprice, dict(excel_name="COINPRICE", nan_result="#N/A", coin=TEXT, vs_currency=VS)),
    (fxrate, dict(excel_name="FXRATE", nan_result="#N/A", base=TEXT, quote=TEXT, as_of=AS_OF)),
)


#: The Excel names of the functions that fetch: a runtime runs these off its event loop
#: (xlwings Server: always on its worker threads, whatever the size of the call).
NAMES = frozenset(arguments["excel_name"] for _, arguments in DECLARATIONS)


#: The modules of the data extra (pyproject.toml's ``data``; packed into the LibreOffice .oxt).
REQUIRES = ("requests", "requests_cache", "platformdirs")


def installed() -> bool:
    """Whether the data extra's modules can be imported here (found, not imported: ``requests``
    costs its import time only when a function first fetches).
    """
    return all(importlib.util.find_spec(name) is not None for name in REQUIRES)


def register() -> list[FunctionSpec]:
    """Add the functions that fetch to ``REGISTRY`` (once); returns their specs.

    Their public Python functions are then ``REGISTRY[name].function``, with the same
    validation, broadcasting and errors as the kernels'.
    """
    for kernel, arguments in DECLARATIONS:
        if arguments["excel_name"] not in REGISTRY:
            options = dict(arguments)
            udf(options.pop("excel_name"), **options)(kernel)
    return [REGISTRY[arguments["excel_name"]] for _, arguments in DECLARATIONS]

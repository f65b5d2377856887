"""Which reported concepts give each input, in order, and the freshness rule that picks one.

Companies change tags over the years (one large issuer's option and RSU tags end in 2015 and
its ``LongTermDebtNoncurrent`` in 2014 while ``LongTermDebt`` runs on), so each item is an
ordered chain of concepts across the ``dei``, ``us-gaap`` and ``ifrs-full`` taxonomies.  The
item is the latest fact of the first concept in the chain that is *current*: its period ends
at most the staleness limit before the company's latest reported period.  When no concept is
current, the most recent fact is returned flagged stale, never used silently.

``debt`` is a sum of named components (:data:`DEBT_BASES`): the first basis whose anchor is
current wins, and every other component is taken at the anchor's period end or shown as
missing.  ``LongTermDebt`` (and IFRS ``LongtermBorrowings``) already include the current
portion, so no basis adds ``LongTermDebtCurrent`` or ``DebtCurrent`` to them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from . import config
from .records import Company, Fact

_SBC = "us-gaap:ShareBasedCompensationArrangementByShareBasedPaymentAward"

#: item -> (unit kind, ordered concepts)
CHAINS: dict[str, tuple[str, tuple[str, ...]]] = {
    "shares": (
        "shares",
        (
            "dei:EntityCommonStockSharesOutstanding",  # the cover-page count, usually after the balance sheet
            "us-gaap:CommonStockSharesOutstanding",
            "ifrs-full:NumberOfSharesOutstanding",
        ),
    ),
    "options": (
        "shares",
        (
            _SBC + "OptionsOutstandingNumber",
            "ifrs-full:NumberOfShareOptionsOutstandingInSharebasedPaymentArrangement",
        ),
    ),
    "options_strike": (
        "per_share",
        (
            _SBC + "OptionsOutstandingWeightedAverageExercisePrice",
            "ifrs-full:WeightedAverageExercisePriceOfShareOptionsOutstandingInSharebasedPaymentArrangement",
        ),
    ),
    "rsus": ("shares", (_SBC + "EquityInstrumentsOtherThanOptionsNonvestedNumber",)),
    "cash": ("money", ("us-gaap:CashAndCashEquivalentsAtCarryingValue", "ifrs-full:CashAndCashEquivalents")),
    "preferred": ("money", ("us-gaap:PreferredStockValue",)),
    "minority_interest": (
        "money",
        (
            "us-gaap:MinorityInterest",
            "ifrs-full:NoncontrollingInterests",
        ),
    ),
    "diluted_reported": (
        "shares",
        (
            "us-gaap:WeightedAverageNumberOfDilutedSharesOutstanding",
            "ifrs-full:AdjustedWeightedAverageShares",
        ),
    ),
}

#: The bases of ``debt``: (component, concept), the first one the anchor whose freshness decides.
DEBT_BASES: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("long_term_debt", "us-gaap:LongTermDebt"),  # current portion included
        ("short_term_borrowings", "us-gaap:ShortTermBorrowings"),
    ),
    (
        ("long_term_debt_noncurrent", "us-gaap:LongTermDebtNoncurrent"),
        ("debt_current", "us-gaap:DebtCurrent"),  # current portion and short-term borrowings
    ),
    (
        ("long_term_debt_noncurrent", "us-gaap:LongTermDebtNoncurrent"),
        ("long_term_debt_current", "us-gaap:LongTermDebtCurrent"),
        ("short_term_borrowings", "us-gaap:ShortTermBorrowings"),
    ),
    (("borrowings", "ifrs-full:Borrowings"),),  # current and non-current, short- and long-term
    (
        ("long_term_borrowings", "ifrs-full:LongtermBorrowings"),  # current portion included
        ("short_term_borrowings", "ifrs-full:ShorttermBorrowings"),
    ),
)
#: Lease liabilities, added to ``debt`` only when asked for.
LEASES: tuple[tuple[str, str], ...] = (
    ("finance_leases", "us-gaap:FinanceLeaseLiability"),
    ("operating_leases", "us-gaap:OperatingLeaseLiability"),
    ("lease_liabilities", "ifrs-full:LeaseLiabilities"),
)

#: Every item of a company, in the order of the table.
ITEMS = (
    "shares",
    "options",
    "options_strike",
    "rsus",
    "debt",
    "cash",
    "preferred",
    "minority_interest",
    "diluted_reported",
)

STRIKE_NOTE = "one weighted-average strike approximates the real option tranches"
DILUTED_NOTE = "weighted average of the period, for checking the treasury-method count"


@dataclass(frozen=True)
class Entry:
    """One reported value of a concept, as every source is read into."""

    concept: str  # "us-gaap:LongTermDebt"
    unit: str  # "shares", "USD", "USD/shares", "EUR"
    start: date | None  # duration facts only
    end: date
    value: float
    form: str
    filed: date
    accn: str
    url: str


Index = dict[str, list[Entry]]


def _unit_fits(kind: str, unit: str) -> bool:
    if kind == "shares":
        return unit == "shares"
    if kind == "per_share":
        return unit.endswith("/shares")
    return unit not in ("shares", "pure") and "/" not in unit


def latest(entries: Iterable[Entry], as_of: date | None) -> Entry | None:
    """The most recent fact filed by ``as_of``: the latest period end, the shortest duration
    (a quarter before the year to date), then the latest filing (the same figure repeats in
    later reports).
    """
    usable = [e for e in entries if as_of is None or e.filed <= as_of]
    if not usable:
        return None
    end = max(e.end for e in usable)
    return min(
        (e for e in usable if e.end == end),
        key=lambda e: ((e.end - e.start).days if e.start else 0, -e.filed.toordinal()),
    )


def latest_period(index: Index, as_of: date | None) -> date | None:
    """The company's latest reported period: the latest end of its financial facts (cover-page
    ``dei`` dates excluded, and any end after its own filing date, which no reported period has).
    """
    ends = [
        e.end
        for concept, entries in index.items()
        if not concept.startswith("dei:")
        for e in entries
        if e.end <= e.filed and (as_of is None or e.filed <= as_of)
    ]
    return max(ends, default=None)


def _fact(item: str, entry: Entry, stale: bool, note: str = "") -> Fact:
    return Fact(
        item,
        entry.value,
        entry.unit,
        entry.end,
        entry.concept,
        entry.form,
        entry.filed,
        entry.accn,
        entry.url,
        stale,
        note,
    )


def _candidates(index: Index, concept: str, kind: str, as_of: date | None) -> Entry | None:
    return latest((e for e in index.get(concept, ()) if _unit_fits(kind, e.unit)), as_of)


def resolve(item: str, index: Index, as_of: date | None, period: date | None, stale_days: int) -> Fact:
    """The item by its chain and the freshness rule; value None when no concept was ever reported."""
    if item == "debt":
        return resolve_debt(index, as_of, period, stale_days, leases=False)
    kind, chain = CHAINS[item]
    note = {"options_strike": STRIKE_NOTE, "diluted_reported": DILUTED_NOTE}.get(item, "")
    found = [e for e in (_candidates(index, c, kind, as_of) for c in chain) if e is not None]
    if not found:
        return Fact(
            item, None, note=f"not reported ({', '.join(chain)}; facts with dimensions are not served)"
        )
    for entry in found:
        if not _is_stale(entry.end, period, stale_days):
            return _fact(item, entry, False, note)
    return _fact(item, max(found, key=lambda e: e.end), True, note)


def _is_stale(end: date, period: date | None, stale_days: int) -> bool:
    return period is not None and (period - end).days > stale_days


def resolve_debt(
    index: Index, as_of: date | None, period: date | None, stale_days: int, *, leases: bool
) -> Fact:
    """``debt`` as the sum of the first current basis's components, each shown."""
    anchors = []
    for basis in DEBT_BASES:
        anchor = _candidates(index, basis[0][1], "money", as_of)
        if anchor is not None:
            anchors.append((basis, anchor))
    if not anchors:
        concepts = sorted({c for basis in DEBT_BASES for _, c in basis})
        return Fact("debt", None, note=f"not reported ({', '.join(concepts)})")
    current = [(b, a) for b, a in anchors if not _is_stale(a.end, period, stale_days)]
    stale = not current
    # Of the current bases, the first whose components are all reported at the anchor's end.
    built = [
        (anchor, _components(basis, anchor, index, as_of, stale))
        for basis, anchor in (current or [max(anchors, key=lambda pair: pair[1].end)])
    ]
    anchor, components = next(
        ((a, parts) for a, parts in built if all(c.value is not None for c in parts)), built[0]
    )
    if leases:
        components += _components(
            ((components[0].item, anchor.concept), *LEASES), anchor, index, as_of, stale
        )[1:]
    total = sum(c.value for c in components if c.value is not None)
    tag = " + ".join(c.tag for c in components if c.value is not None and c.tag)
    return Fact(
        "debt",
        float(total),
        anchor.unit,
        anchor.end,
        tag,
        anchor.form,
        anchor.filed,
        anchor.accn,
        anchor.url,
        stale,
        "sum of the named components; leases excluded" if not leases else "sum of the named components",
        tuple(components),
    )


def _components(
    basis: tuple[tuple[str, str], ...], anchor: Entry, index: Index, as_of: date | None, stale: bool
) -> list[Fact]:
    """The anchor, then each other component at the anchor's period end (else missing)."""
    out = [_fact(basis[0][0], anchor, stale)]
    for name, concept in basis[1:]:
        same_end = [e for e in index.get(concept, ()) if e.end == anchor.end and e.unit == anchor.unit]
        entry = latest(same_end, as_of)
        if entry is None:
            out.append(Fact(name, None, tag=concept, note=f"not reported for {anchor.end.isoformat()}"))
        else:
            out.append(_fact(name, entry, stale))
    return out


def resolve_all(index: Index, as_of: date | None, stale_days: int) -> tuple[date | None, dict[str, Fact]]:
    period = latest_period(index, as_of)
    return period, {item: resolve(item, index, as_of, period, stale_days) for item in ITEMS}


def company(
    index: Index,
    as_of: date | None,
    *,
    filed_by: date | None,
    ids: tuple[str | None, str | None, str | None],
    name: str,
    fetched: datetime,
    expired: bool,
    source: str,
) -> Company:
    """Every item of a company from its facts; ``filed_by`` keeps only facts filed by then,
    ``as_of`` is the date the latest period's age is counted to (today by default).
    """
    stale_days = config.stale_days()
    period, items = resolve_all(index, filed_by, stale_days)
    age = ((as_of or date.today()) - period).days if period else None
    stopped = period is None or (age is not None and age > stale_days)
    ticker, cik, lei = ids
    return Company(ticker, cik, lei, name, period, age, stopped, items, fetched, expired, source)

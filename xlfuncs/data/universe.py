"""One row per company for screening in SQL: the items of :func:`xlfuncs.data.companies.company`,
their dates and stale flags, written as CSV (always) or Parquet (with pyarrow).

Each company is fetched on its own (through the cache, at the SEC's rate): the SEC's
``frames`` API serves one tag of one calendar period for every filer, which cannot apply each
company's tag chain and freshness rule, so it is not used for these items.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from .chains import ITEMS
from .errors import DataError

#: Companies one table may hold: at the SEC's 10 requests a second, about an hour uncached.
MAX_COMPANIES = 20_000

COLUMNS = (
    "id",
    "ticker",
    "cik",
    "lei",
    "name",
    "latest_period",
    "latest_period_age_days",
    "stopped_reporting",
    *(f"{item}_{part}" for item in ITEMS for part in ("value", "unit", "period_end", "filed", "stale")),
    "error",
)


def read_ids(path: Path) -> list[str]:
    """The identifiers of a file, one a line (blank lines and ``#`` comments skipped)."""
    ids = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            ids.append(text)
            if len(ids) > MAX_COMPANIES:
                raise ValueError(f"{path}: more than {MAX_COMPANIES:,} companies; split the list")
    return ids


def rows(ids: Iterable[str], as_of: date | None) -> list[dict[str, object]]:
    """One row per identifier; a company that fails has its reason in ``error``."""
    from .companies import company

    out = []
    for identifier in ids:
        row: dict[str, object] = dict.fromkeys(COLUMNS)
        row["id"] = identifier
        try:
            found = company(identifier, as_of)
        except DataError as exc:
            row["error"] = str(exc)
            out.append(row)
            continue
        row.update(
            ticker=found.ticker,
            cik=found.cik,
            lei=found.lei,
            name=found.name,
            latest_period=found.latest_period,
            latest_period_age_days=found.age_days,
            stopped_reporting=found.stopped,
        )
        for item, fact in found.items.items():
            row[f"{item}_value"] = fact.value
            row[f"{item}_unit"] = fact.unit
            row[f"{item}_period_end"] = fact.period_end
            row[f"{item}_filed"] = fact.filed
            row[f"{item}_stale"] = fact.stale if fact.value is not None else None
        out.append(row)
    return out


def write(table: list[dict[str, object]], path: Path) -> None:
    """CSV, or Parquet for a ``.parquet`` path (typed columns: numbers, dates, flags)."""
    if path.suffix.lower() == ".parquet":
        try:
            import pyarrow as pa  # type: ignore[import-untyped]
            import pyarrow.parquet as pq  # type: ignore[import-untyped]
        except ImportError:
            raise ValueError("writing Parquet needs pyarrow (pip install pyarrow), or write .csv") from None
        columns = {name: [row[name] for row in table] for name in COLUMNS}
        pq.write_table(pa.table(columns), path)
        return
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, COLUMNS)
        writer.writeheader()
        for row in table:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})

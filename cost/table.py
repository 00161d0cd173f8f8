"""The price table (`prices.json`), read and checked once.

Every figure carries its date and the public page it belongs to; a figure nobody could read
from a public copy is marked `confirmed: false` with a note saying why.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

TABLE_PATH = Path(__file__).resolve().parent / "prices.json"
GLOBAL = "global"  # Route53 is not a regional service
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PriceTableError(ValueError):
    """prices.json is malformed; the message names the entry."""


class MissingPriceError(LookupError):
    """The table has no figure for this line item in this region."""


@dataclass(frozen=True)
class Price:
    key: str
    region: str
    usd: float
    unit: str
    date: str
    source: str
    confirmed: bool
    note: str = ""


@dataclass(frozen=True)
class PriceTable:
    currency: str
    hours_per_month: float
    as_of: str
    prices: dict[tuple[str, str], Price]

    def price(self, key: str, region: str) -> Price:
        found = self.prices.get((key, region))
        if found is None:
            raise MissingPriceError(f"no price for {key} in {region}")
        return found

    @property
    def keys(self) -> set[str]:
        return {key for key, _ in self.prices}


def parse_table(document: Any) -> PriceTable:
    if not isinstance(document, dict) or not isinstance(document.get("prices"), dict):
        raise PriceTableError("prices.json must be an object with a 'prices' object")
    hours = document.get("hoursPerMonth")
    if not isinstance(hours, int | float) or isinstance(hours, bool) or not 672 <= hours <= 744:
        raise PriceTableError(f"prices.json hoursPerMonth must be 672-744 (got {hours!r})")
    as_of = document.get("asOf")
    if not isinstance(as_of, str) or not _DATE.match(as_of):
        raise PriceTableError(f"prices.json asOf must be a YYYY-MM-DD date (got {as_of!r})")
    prices: dict[tuple[str, str], Price] = {}
    for key, entry in document["prices"].items():
        unit, source, regions = entry.get("unit"), entry.get("source"), entry.get("regions")
        if not isinstance(unit, str) or not unit or not isinstance(regions, dict) or not regions:
            raise PriceTableError(f"prices.json {key} needs a unit and at least one region")
        for region, figure in regions.items():
            where = f"prices.json {key} {region}"
            usd = figure.get("usd")
            if not isinstance(usd, int | float) or isinstance(usd, bool) or usd < 0:
                raise PriceTableError(f"{where} usd must be a non-negative number (got {usd!r})")
            date = figure.get("date")
            if not isinstance(date, str) or not _DATE.match(date):
                raise PriceTableError(f"{where} date must be YYYY-MM-DD (got {date!r})")
            page = figure.get("source", source)
            if not isinstance(page, str) or not page.startswith("https://"):
                raise PriceTableError(f"{where} needs a public https source (got {page!r})")
            confirmed = figure.get("confirmed")
            if not isinstance(confirmed, bool):
                raise PriceTableError(f"{where} confirmed must be true or false")
            note = figure.get("note", "")
            if confirmed and not str(figure.get("seenAt", "")).startswith("https://"):
                raise PriceTableError(f"{where} is confirmed but says nowhere it was seen (seenAt)")
            if not confirmed and not note:
                raise PriceTableError(f"{where} is not confirmed and needs a note saying why")
            prices[(key, region)] = Price(key=key, region=region, usd=float(usd), unit=unit,
                                          date=date, source=page, confirmed=confirmed, note=note)
    return PriceTable(currency=str(document.get("currency", "USD")), hours_per_month=float(hours),
                      as_of=as_of, prices=prices)


@functools.lru_cache(maxsize=1)
def load_table(path: Optional[Path] = None) -> PriceTable:
    return parse_table(json.loads((path or TABLE_PATH).read_text(encoding="utf-8")))

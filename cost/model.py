"""The standby cost model: resources in, monthly USD out.

`estimate(resources, settings)` walks what a program declared (the offline preview's recording,
or any list of `ResourceView`s) and maps each resource type to its line items (`cost/rules.py`),
priced from `prices.json`. A type the rules do not know, or a figure the table lacks, is listed
as unpriced, never dropped. It takes plain settings and resources, so other callers (a
`drctl rto --profiles` cost column, once recovery profiles exist) can price a variant directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

from cost.table import MissingPriceError, Price, PriceTable, load_table
from stack_config import PRIMARY, CostSettings, Settings

PRODUCTION_ITEM = "production (not standby)"
_PLACEHOLDER = re.compile(r"^⟨(?P<label>[^⟩]+)\.(?P<prop>[A-Za-z0-9]+)⟩$")


@dataclass(frozen=True)
class ResourceView:
    """What the model needs of one declared resource (inputs camelCase, as the engine sees them)."""

    type: str
    name: str
    region: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    read: bool = False

    @property
    def label(self) -> str:
        """The AWS name when the program sets one, else the Pulumi name."""
        name = self.inputs.get("name")
        return name if isinstance(name, str) and name and "⟨" not in name else self.name


@dataclass(frozen=True)
class LineItem:
    item: str
    resource: str
    region: str
    monthly_usd: float
    basis: str
    prices: tuple[Price, ...] = ()
    for_dr: bool = False  # exists only because of the DR copy (replicas), even in the primary

    def as_json(self) -> dict[str, Any]:
        return {"item": self.item, "resource": self.resource,
                "monthlyUsd": round(self.monthly_usd, 4), "basis": self.basis}


@dataclass(frozen=True)
class Unpriced:
    type: str
    resource: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"type": self.type, "resource": self.resource, "reason": self.reason}


@dataclass(frozen=True)
class CostReport:
    items: tuple[LineItem, ...]
    unpriced: tuple[Unpriced, ...]
    assumptions: Mapping[str, Any]
    prices_as_of: str
    unconfirmed: tuple[Price, ...]  # figures used that no public copy confirmed

    @property
    def monthly_usd(self) -> float:
        return round(sum(i.monthly_usd for i in self.items), 2)

    def as_json(self) -> dict[str, Any]:
        return {"monthlyUsd": self.monthly_usd,
                "items": [i.as_json() for i in self.items],
                "assumptions": dict(self.assumptions),
                "pricesAsOf": self.prices_as_of,
                "unpriced": [u.as_json() for u in self.unpriced]}


@dataclass(frozen=True)
class StackFacts:
    """The few settings the model reads besides `cost.*`."""

    role: str
    region: str
    primary_region: str
    usage: CostSettings

    @classmethod
    def of(cls, settings: Settings) -> StackFacts:
        return cls(role=settings.role, region=settings.region,
                   primary_region=settings.primary_region, usage=settings.cost)


class Context:
    """Everything a rule may look at: the usage assumptions, the table, the other resources."""

    def __init__(self, facts: StackFacts, table: PriceTable, resources: list[ResourceView]):
        self.facts = facts
        self.usage = facts.usage
        self.table = table
        self.resources = resources
        self.hours = table.hours_per_month
        self._seen: set[Any] = set()

    def of_type(self, type_: str) -> list[ResourceView]:
        return [r for r in self.resources if r.type == type_ and not r.read]

    def first_time(self, key: Any) -> bool:
        """True once per key: for charges shared by several resources (one custom metric)."""
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def referenced(self, value: Any) -> Optional[ResourceView]:
        """The declared resource a `⟨name.prop⟩` placeholder points at, if any."""
        match = _PLACEHOLDER.match(value) if isinstance(value, str) else None
        if not match:
            return None
        label = match["label"]
        return next((r for r in self.resources if label in (r.name, r.inputs.get("name"))), None)

    def charge(self, item: str, resource: ResourceView, key: str, quantity: float, how: str,
               region: Optional[str] = None, for_dr: bool = False) -> LineItem:
        """`quantity` units of price `key` (region: the resource's); `how` says where the
        quantity comes from. Raises MissingPriceError when the table has no such figure."""
        price = self.table.price(key, region or resource.region)
        usd = quantity * price.usd
        flag = "" if price.confirmed else " [price not confirmed]"
        basis = f"{how} × ${price.usd:g} per {price.unit} ({price.region}){flag}"
        return LineItem(item=item, resource=resource.label, region=price.region,
                        monthly_usd=usd, basis=basis, prices=(price,), for_dr=for_dr)

    @staticmethod
    def free(item: str, resource: ResourceView, why: str) -> LineItem:
        return LineItem(item=item, resource=resource.label, region=resource.region,
                        monthly_usd=0.0, basis=f"free: {why}")


def assumptions(usage: CostSettings, table: PriceTable) -> dict[str, Any]:
    """The usage settings in their config spelling (`cost.<key>`), plus the hours per month."""
    from stack_config import COST_KEYS

    values: dict[str, Any] = {key: getattr(usage, attr) for key, attr in COST_KEYS.items()}
    values["hoursPerMonth"] = table.hours_per_month
    return values


def estimate(resources: Iterable[ResourceView], settings: Settings | StackFacts,
             table: Optional[PriceTable] = None) -> CostReport:
    """Price every resource: line items, or an unpriced entry saying why not."""
    from cost.rules import rule_for

    facts = settings if isinstance(settings, StackFacts) else StackFacts.of(settings)
    table = table or load_table()
    views = list(resources)
    ctx = Context(facts, table, views)
    items: list[LineItem] = []
    unpriced: list[Unpriced] = []
    for resource in views:
        rule = rule_for(resource.type)
        if rule is None:
            unpriced.append(Unpriced(resource.type, resource.label,
                                     "the cost model has no rule for this resource type"))
            continue
        try:
            found = rule(resource, ctx)
        except MissingPriceError as missing:
            found = [Unpriced(resource.type, resource.label, str(missing))]
        found = _production(resource, found, facts)
        items += [f for f in found if isinstance(f, LineItem)]
        unpriced += [f for f in found if isinstance(f, Unpriced)]
    used = {p for i in items for p in i.prices}
    items.sort(key=lambda i: (i.resource, i.item))  # registration order varies with Outputs
    unpriced.sort(key=lambda u: (u.resource, u.type))
    return CostReport(items=tuple(items), unpriced=tuple(unpriced),
                      assumptions=assumptions(facts.usage, table), prices_as_of=table.as_of,
                      unconfirmed=tuple(sorted((p for p in used if not p.confirmed),
                                               key=lambda p: (p.key, p.region))))


def _production(resource: ResourceView, found: list[LineItem | Unpriced],
                facts: StackFacts) -> list[LineItem | Unpriced]:
    """In the primary stack, what serves the primary region's traffic is not a standby cost;
    only charges that exist for the DR copy (replicas, health checks, us-east-1 alarms) count."""
    if facts.role != PRIMARY or resource.region != facts.primary_region:
        return found
    if all(isinstance(f, LineItem) and f.basis.startswith("free:") for f in found):
        return found
    for_dr: list[LineItem | Unpriced] = [f for f in found if isinstance(f, LineItem)
              and (f.for_dr or f.region != facts.primary_region)]
    return for_dr or [LineItem(
        item=PRODUCTION_ITEM, resource=resource.label, region=resource.region, monthly_usd=0.0,
        basis=f"serves {facts.primary_region} traffic in the primary stack: a production cost, "
              "not a standby one")]

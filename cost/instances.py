"""What instances cost while they run (a drill's instance-minutes), from the one price table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from cost.table import MissingPriceError, PriceTable, load_table


@dataclass(frozen=True)
class TierCost:
    """What a drill scales one tier to and the instance type it pays for (from the stack settings)."""

    tier: str
    instance_type: str
    desired: int


def instance_hour_key(instance_type: str) -> str:
    """The prices.json key of one on-demand Linux instance-hour of `instance_type`."""
    return f"ec2.linuxOnDemand.{instance_type}.hour"


def instance_minutes_cost(instance_type: str, region: str, minutes: float,
                          table: Optional[PriceTable] = None) -> dict[str, Any]:
    """USD for `minutes` instance-minutes (per-second billing, as EC2 bills Linux on-demand);
    `usd` is None when the table has no figure for the type in the region (never a guess)."""
    table = table or load_table()
    key = instance_hour_key(instance_type)
    try:
        price = table.price(key, region)
    except MissingPriceError:
        return {"usd": None, "price_key": key, "region": region,
                "basis": f"no price for {key} in {region} in cost/prices.json"}
    return {"usd": round(price.usd * minutes / 60.0, 6), "price_key": key, "region": region,
            "usd_per_hour": price.usd, "confirmed": price.confirmed, "as_of": price.date,
            "basis": f"{minutes:g} instance-minutes x {price.usd} USD/hour ({price.source})"}

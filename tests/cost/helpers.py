"""Shared pieces of the cost tests: resources as the engine records them, and the real table."""

from __future__ import annotations

from typing import Any

from cost.model import StackFacts
from cost.table import load_table
from stack_config import DR, PRIMARY, CostSettings

TOKYO, SEOUL, VIRGINIA = "ap-northeast-1", "ap-northeast-2", "us-east-1"
TABLE = load_table()
HOURS = TABLE.hours_per_month


def price(key: str, region: str = TOKYO) -> float:
    return TABLE.price(key, region).usd


def facts(role: str = DR, **usage: Any) -> StackFacts:
    region = TOKYO if role == DR else SEOUL
    return StackFacts(role=role, region=region, primary_region=SEOUL,
                      usage=CostSettings(**usage))


__all__ = ["DR", "HOURS", "PRIMARY", "SEOUL", "TABLE", "TOKYO", "VIRGINIA", "facts", "price"]

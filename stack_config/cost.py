"""`cost.*`: usage assumptions of the standby cost model (cost/), read and checked like every setting."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Optional

from stack_config.errors import fail
from stack_config.reader import Section, as_int


@dataclass(frozen=True)
class CostSettings:
    """What the preview's standby cost model cannot read from the program: usage per month.

    Defaults describe an idle pilot light: no instances (so no endpoint or NAT traffic), the
    primary's writes replicated to Tokyo, one failover drill a month.
    """

    replicated_writes_per_month: int = 1_000_000  # writes to the primary tables, 1 rWRU each
    replica_gb: float = 1.0  # data held by the Tokyo replicas, all tables together
    log_gb_per_month: float = 0.5  # ingested by the stack's log groups, all together
    log_stored_gb: float = 1.0  # kept by the stack's log groups, all together
    endpoint_gb_per_month: float = 0.0  # through the interface endpoints (no instances at idle)
    nat_gb_per_month: float = 0.0  # through the NAT gateways (no instances at idle)
    load_balancer_lcu_per_hour: float = 0.0  # an idle load balancer serves nothing
    ami_snapshot_gb: float = 8.0  # EBS snapshot behind the copied Golden AMI
    failover_drills_per_month: int = 1  # one failover + failback run through the pipeline
    notifications_per_month: int = 10  # publishes to the approval topic
    lambda_seconds_per_invocation: float = 2.0


# Upper bounds only catch typos (a GB figure pasted as bytes); AWS sets no such limit.
_COST_LIMITS: dict[str, tuple[str, type, float]] = {
    "replicatedWritesPerMonth": ("replicated_writes_per_month", int, 1e12),
    "replicaGb": ("replica_gb", float, 1e7),
    "logGbPerMonth": ("log_gb_per_month", float, 1e7),
    "logStoredGb": ("log_stored_gb", float, 1e7),
    "endpointGbPerMonth": ("endpoint_gb_per_month", float, 1e7),
    "natGbPerMonth": ("nat_gb_per_month", float, 1e7),
    "loadBalancerLcuPerHour": ("load_balancer_lcu_per_hour", float, 1e5),
    "amiSnapshotGb": ("ami_snapshot_gb", float, 65536),
    "failoverDrillsPerMonth": ("failover_drills_per_month", int, 1000),
    "notificationsPerMonth": ("notifications_per_month", int, 1e9),
    "lambdaSecondsPerInvocation": ("lambda_seconds_per_invocation", float, 900),
}
COST_KEYS = {key: attr for key, (attr, _, _) in _COST_LIMITS.items()}  # config key -> field
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def _as_number(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and _NUMBER.fullmatch(value):
        number = float(value)
    else:
        return None
    return number if math.isfinite(number) else None


def read_cost(root: Section) -> CostSettings:
    """`cost.*`: non-negative numbers (whole numbers for counts), each with a default."""
    section = root.section("cost").only(*_COST_LIMITS)
    defaults = CostSettings()
    values: dict[str, Any] = {}
    for key, (attr, kind, high) in _COST_LIMITS.items():
        raw = section.raw(key)
        if raw is None:
            continue
        limit = f"{high:,.0f}"
        expected = f"a whole number from 0 to {limit}" if kind is int else f"a number from 0 to {limit}"
        number = as_int(raw) if kind is int else _as_number(raw)
        if number is None or not 0 <= number <= high:
            raise fail(section.key(key), expected, raw)
        values[attr] = kind(number)
    return CostSettings(**{**{f: getattr(defaults, f) for f in defaults.__dataclass_fields__}, **values})

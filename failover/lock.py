"""The failback lock (ARCHITECTURE.md "Failback lock"): metric MegaTicket/DR FailoverLock in us-east-1.

The one read/write rule, used by the Lambdas (step 3 sets it, step 4 re-asserts it, failback refuses
while it is held), by `drctl doctor` / the readiness Lambda (`checks.lock_state`) and by
`drctl release-lock`:

- write: put `FailoverLock` = 1 (locked) or 0 (released), unit Count, in the lock namespace;
- read: the latest datapoint of the last day decides (>= 1 locked); without one, the lock alarm does
  (it keeps its state through missing data, `treatMissingData = ignore`): ALARM means locked.

Locked keeps the PRIMARY record unhealthy (the calculated health check ANDs the lock in) until an
operator has checked the data and released it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from failover.errors import LockHeldError, translate_throttling

# Look back one day at one-minute resolution (1440 points, the GetMetricStatistics limit);
# older locks are still seen through the alarm, whose state persists (treatMissingData = ignore).
_WINDOW = timedelta(days=1)
_PERIOD_SECONDS = 60
LOCKED, RELEASED = 1, 0


class LockNames(Protocol):
    """Where the lock lives; both the Lambdas' settings and the checks' settings have these."""

    @property
    def lock_namespace(self) -> str: ...

    @property
    def lock_metric(self) -> str: ...

    @property
    def lock_alarm_name(self) -> str: ...


@translate_throttling
def set_lock(cloudwatch: Any, s: LockNames, value: int) -> dict[str, Any]:
    if value not in (LOCKED, RELEASED):
        raise ValueError(f"lock value must be {RELEASED} (released) or {LOCKED} (locked), got {value}")
    cloudwatch.put_metric_data(
        Namespace=s.lock_namespace,
        MetricData=[{"MetricName": s.lock_metric, "Value": float(value), "Unit": "Count"}],
    )
    return {"lock": value, "namespace": s.lock_namespace, "metric": s.lock_metric,
            "region": cloudwatch.meta.region_name}


def is_locked(latest_value: float | None, alarm_state: str | None) -> bool:
    """The rule: the latest datapoint decides; without one, the alarm (ALARM = locked)."""
    if latest_value is not None:
        return latest_value >= LOCKED
    return alarm_state == "ALARM"


@translate_throttling
def read_lock(cloudwatch: Any, s: LockNames, now: datetime | None = None) -> dict[str, Any]:
    """The lock's state: `latest_value` (None without a datapoint in the window) and when (`at`), the
    lock alarm's state (None when the alarm is missing), `locked` / `released`, and `known` (False
    with neither a datapoint nor an alarm in OK or ALARM)."""
    end = now or datetime.now(UTC)
    points = cloudwatch.get_metric_statistics(
        Namespace=s.lock_namespace,
        MetricName=s.lock_metric,
        StartTime=end - _WINDOW,
        EndTime=end + timedelta(minutes=1),
        Period=_PERIOD_SECONDS,
        Statistics=["Maximum"],
    ).get("Datapoints", [])
    latest = max(points, key=lambda p: p["Timestamp"]) if points else None
    value = None if latest is None else float(latest["Maximum"])
    alarms = cloudwatch.describe_alarms(AlarmNames=[s.lock_alarm_name]).get("MetricAlarms", [])
    alarm_state = alarms[0].get("StateValue") if alarms else None
    locked = is_locked(value, alarm_state)
    return {
        "latest_value": value,
        "known": value is not None or alarm_state in ("OK", "ALARM"),
        "at": latest["Timestamp"] if latest else None,
        "alarm": s.lock_alarm_name,
        "alarm_state": alarm_state,
        "locked": locked,
        "released": not locked,
    }


def require_lock_released(cloudwatch: Any, s: LockNames) -> dict[str, Any]:
    state = read_lock(cloudwatch, s)
    if state["locked"]:
        raise LockHeldError(
            f"failback lock {s.lock_namespace}/{s.lock_metric} is held (latest value "
            f"{state['latest_value']}, alarm {s.lock_alarm_name} {state['alarm_state']}); check the data, "
            "then run `drctl release-lock --yes` and start failback again"
        )
    return {k: v for k, v in state.items() if k != "at"}

"""The failback lock (ARCHITECTURE.md "Failback lock"): metric MegaTicket/DR FailoverLock in us-east-1.

Step 3 sets it to 1 before it scales the app tier (step 4 re-asserts it once Tokyo is verified),
which keeps the PRIMARY record unhealthy (the calculated health check ANDs it in) until an operator
has checked the data and released it (`drctl release-lock` puts 0). Failback refuses to run while
it is held.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from failover.errors import LockHeldError, translate_throttling
from failover.settings import Settings

# Look back one day at one-minute resolution (1440 points, the GetMetricStatistics limit);
# older locks are still seen through the alarm, whose state persists (treatMissingData = ignore).
_WINDOW = timedelta(days=1)
_PERIOD_SECONDS = 60


@translate_throttling
def set_lock(cloudwatch: Any, s: Settings, value: int) -> dict[str, Any]:
    if value not in (0, 1):
        raise ValueError(f"lock value must be 0 (released) or 1 (locked), got {value}")
    cloudwatch.put_metric_data(
        Namespace=s.lock_namespace,
        MetricData=[{"MetricName": s.lock_metric, "Value": float(value), "Unit": "Count"}],
    )
    return {"lock": value, "namespace": s.lock_namespace, "metric": s.lock_metric, "region": s.lock_region}


@translate_throttling
def read_lock(cloudwatch: Any, s: Settings, now: datetime | None = None) -> dict[str, Any]:
    """Latest lock value (None when no datapoint in the window) and the lock alarm's state."""
    end = now or datetime.now(UTC)
    points = cloudwatch.get_metric_statistics(
        Namespace=s.lock_namespace,
        MetricName=s.lock_metric,
        StartTime=end - _WINDOW,
        EndTime=end + timedelta(minutes=1),
        Period=_PERIOD_SECONDS,
        Statistics=["Maximum"],
    )["Datapoints"]
    latest = max(points, key=lambda p: p["Timestamp"])["Maximum"] if points else None
    alarms = cloudwatch.describe_alarms(AlarmNames=[s.lock_alarm_name])["MetricAlarms"]
    alarm_state = alarms[0]["StateValue"] if alarms else None
    if latest is not None:
        released = latest < 1
    else:
        released = alarm_state != "ALARM"
    return {"latest_value": latest, "alarm_state": alarm_state, "released": released}


def require_lock_released(cloudwatch: Any, s: Settings) -> dict[str, Any]:
    state = read_lock(cloudwatch, s)
    if not state["released"]:
        raise LockHeldError(
            f"failback lock {s.lock_namespace}/{s.lock_metric} is held (latest value "
            f"{state['latest_value']}, alarm {s.lock_alarm_name} {state['alarm_state']}); check the data, "
            "then run `drctl release-lock --yes` and start failback again"
        )
    return state

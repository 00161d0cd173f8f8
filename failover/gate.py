"""The approval gate (fast profile): metric MegaTicket/DR ApprovalGate in us-east-1, 1 = open.

The SECONDARY record's health check is a calculated check of Tokyo's web health AND the gate's
CLOUDWATCH_METRIC check on the gate alarm (ALARM while ApprovalGate < 1). The fast pipeline warms
Tokyo while the approval is pending, so Tokyo may be healthy before anyone has decided: the gate
keeps Route53 answering with Seoul until the approval opens it. A reject, a timeout and a failback
close it.

Route53 reads standard-resolution alarms only, so the alarm's period is 60 s and would follow a new
value up to a period (plus the metric's arrival) later. The writer therefore puts the value, which
decides every later evaluation, and then sets the alarm's state to match at once (SetAlarmState):
the next evaluation finds the same value and keeps that state. The alarm ignores missing data, so
the state persists between writes, and a gate that never had data counts as closed.
"""

from __future__ import annotations

from typing import Any, Protocol

from failover.errors import translate_throttling

OPEN, CLOSED = 1, 0


class GateNames(Protocol):
    @property
    def gate_namespace(self) -> str: ...

    @property
    def gate_metric(self) -> str: ...

    @property
    def gate_alarm_name(self) -> str: ...


@translate_throttling
def set_gate(cloudwatch: Any, s: GateNames, value: int) -> dict[str, Any]:
    if value not in (OPEN, CLOSED):
        raise ValueError(f"gate value must be {CLOSED} (closed) or {OPEN} (open), got {value}")
    cloudwatch.put_metric_data(
        Namespace=s.gate_namespace,
        MetricData=[{"MetricName": s.gate_metric, "Value": float(value), "Unit": "Count"}],
    )
    state = "OK" if value == OPEN else "ALARM"
    cloudwatch.set_alarm_state(
        AlarmName=s.gate_alarm_name, StateValue=state,
        StateReason=f"failover pipeline: approval gate {'opened' if value == OPEN else 'closed'} "
                    f"({s.gate_metric} = {value})")
    return {"gate": "open" if value == OPEN else "closed", "namespace": s.gate_namespace,
            "metric": s.gate_metric, "alarm": s.gate_alarm_name, "alarm_state": state,
            "region": cloudwatch.meta.region_name}

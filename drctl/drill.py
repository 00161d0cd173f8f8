"""`drctl drill --stack tokyo [--hold-minutes N] [--yes]`: start a drill, or say in one line why not.

A drill is refused (nothing is started) while Seoul's endpoint check is unhealthy (a real failover
may be about to need Tokyo), while a failover, drill or failback execution runs, and while the
failback lock is held (Tokyo is serving). The drill itself is an execution of the failover machine
(failover/drill.py says what it does and how it always cleans up).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from drctl.config import StackInfo
from failover import checks
from failover.check_detection import endpoint_check_id
from failover.contract import DRILL_EXECUTION_PREFIX, DRILL_INPUT_KEY


def refusal(clients: Any, info: StackInfo) -> str | None:
    """Why a drill must not start now, or None."""
    s = info.checks
    sfn = clients("stepfunctions", s.dr_region)
    for machine in (checks.state_machine_arn(clients, s), checks.state_machine_arn(
            clients, s, info.failback_state_machine_name)):
        running = sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING",
                                      maxResults=1)["executions"]
        if running:
            return (f"execution {running[0]['executionArn']} is RUNNING; a drill waits until it has "
                    "finished (`drctl status`)")
    alarm = clients("cloudwatch", s.alarm_region).describe_alarms(AlarmNames=[s.alarm_name])["MetricAlarms"]
    if alarm and alarm[0].get("StateValue") == "ALARM":
        return (f"Seoul's endpoint check is unhealthy (alarm {s.alarm_name} is in ALARM): a real failover "
                "may need Tokyo now")
    try:
        check_id = endpoint_check_id(clients, s)
    except checks.CheckFailedError as err:
        return f"cannot tell whether Seoul's endpoint check is healthy: {err}"
    try:
        observations = clients("route53", "us-east-1").get_health_check_status(
            HealthCheckId=check_id).get("HealthCheckObservations", [])
    except ClientError as err:
        if "NoSuchHealthCheck" not in str(err.response.get("Error", {}).get("Code")):
            raise
        return (f"cannot tell whether Seoul's endpoint check is healthy: health check {check_id} "
                "does not exist (`pulumi up` the primary stack)")
    passing = [o for o in observations
               if str(o.get("StatusReport", {}).get("Status", "")).startswith("Success")]
    if not observations or len(passing) * 2 <= len(observations):
        return (f"Seoul's endpoint check {check_id} is unhealthy ({len(passing)}/{len(observations)} "
                "checkers report Success): a real failover may need Tokyo now")
    lock = checks.lock_state(clients, s)
    if lock["locked"]:
        return (f"the failback lock is held ({s.lock_metric}={lock['value']}): Tokyo is serving; a drill "
                "would scale it down afterwards")
    return None


def drill_input(hold_minutes: int, reason: str, now: datetime | None = None) -> tuple[str, dict[str, Any]]:
    """The execution name and input of a drill (the machine's RunKind state reads `drill`)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{DRILL_EXECUTION_PREFIX}{stamp}", {
        DRILL_INPUT_KEY: True, "hold_seconds": hold_minutes * 60, "source": "drill", "reason": reason,
        "requested_at": stamp}


def start(clients: Any, info: StackInfo, hold_minutes: int, reason: str) -> str:
    sfn = clients("stepfunctions", info.checks.dr_region)
    name, payload = drill_input(hold_minutes, reason)
    return str(sfn.start_execution(stateMachineArn=checks.state_machine_arn(clients, info.checks),
                                   name=name, input=json.dumps(payload))["executionArn"])

"""Readiness of the rehearsal itself: the last successful drill's age and measured recovery time.

A drill is an execution of the failover machine named `drill-<UTC time>` (`drctl drill`). Both
checks warn (they pass, marked `warn`) rather than fail: an old drill or a slow one does not stop
a failover, but it means the recovery time nobody has measured lately is a guess.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from failover.check_core import (
    CheckResult,
    CheckSettings,
    ClientFactory,
    code,
    iso,
    stack_hint,
    state_machine_arn,
)
from failover.contract import DOCUMENT_RTO_SECONDS, DRILL_EXECUTION_PREFIX

VERIFY_STATE = "Step4_Verify"
SCAN_LIMIT = 200  # executions looked at, newest first (drills are monthly; real runs are rare)
_DRILL_NOW = "`drctl drill --stack {stack} --yes`"


def last_successful_drill(clients: ClientFactory, s: CheckSettings) -> dict[str, Any] | None:
    sfn = clients("stepfunctions", s.dr_region)
    seen = 0
    for page in sfn.get_paginator("list_executions").paginate(
            stateMachineArn=state_machine_arn(clients, s), statusFilter="SUCCEEDED"):
        for e in page["executions"]:
            seen += 1
            if str(e.get("name", "")).startswith(DRILL_EXECUTION_PREFIX):
                return dict(e)
            if seen >= SCAN_LIMIT:
                return None
    return None


def measured_recovery_seconds(clients: ClientFactory, s: CheckSettings,
                              execution: dict[str, Any]) -> float | None:
    """Execution start to Step4_Verify passing (a drill has no alarm and no approval)."""
    sfn = clients("stepfunctions", s.dr_region)
    started = execution["startDate"]
    for page in sfn.get_paginator("get_execution_history").paginate(
            executionArn=execution["executionArn"], includeExecutionData=False):
        for event in page["events"]:
            if (event.get("stateExitedEventDetails") or {}).get("name") == VERIFY_STATE:
                return float((event["timestamp"] - started).total_seconds())
    return None


def _find(clients: ClientFactory, s: CheckSettings, name: str) -> dict[str, Any] | CheckResult:
    try:
        found = last_successful_drill(clients, s)
    except ClientError as err:
        if code(err) != "StateMachineDoesNotExist":
            raise
        return CheckResult(name, False, f"state machine {s.state_machine_name} not found",
                           fix=f"`pulumi up --stack {stack_hint(s)}`")
    if found is None:
        return CheckResult(name, True, f"no successful drill of {s.state_machine_name} yet "
                           "(the recovery time is unmeasured)",
                           fix=_DRILL_NOW.format(stack=s.stack_name), warning=True)
    return found


def check_last_drill(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "last-drill"
    found = _find(clients, s, name)
    if isinstance(found, CheckResult):
        return found
    stopped: datetime = found.get("stopDate") or found["startDate"]
    age_days = (s.now() - stopped).total_seconds() / 86400
    detail = (f"{found['name']} SUCCEEDED {iso(stopped)} ({age_days:.1f} days ago; "
              f"drill.maxAgeDays {s.drill_max_age_days})")
    if age_days > s.drill_max_age_days:
        return CheckResult(name, True, f"older than drill.maxAgeDays: {detail}",
                           fix=_DRILL_NOW.format(stack=s.stack_name), warning=True)
    return CheckResult(name, True, detail)


def check_drill_recovery_time(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "drill-recovery-time"
    found = _find(clients, s, name)
    if isinstance(found, CheckResult):
        return found
    seconds = measured_recovery_seconds(clients, s, found)
    target = DOCUMENT_RTO_SECONDS[1]
    if seconds is None:
        return CheckResult(name, True, f"{found['name']} has no {VERIFY_STATE} exit in its history",
                           fix=f"`drctl report {found['name']}`", warning=True)
    detail = f"{found['name']}: start to {VERIFY_STATE} passed in {seconds:.0f} s (target {target} s)"
    if seconds > target:
        return CheckResult(name, True, f"slower than the runbook's target: {detail}",
                           fix=f"`drctl report {found['name']}` shows which phase is slow; `drctl rto` "
                           "models each one", warning=True)
    return CheckResult(name, True, detail)

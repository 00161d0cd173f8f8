"""Failback's first check, shared with `drctl failback`: no failover execution may be RUNNING.

A failover in flight is half applied (NLB made, template rewritten, tiers scaling, lock about to be
set); scaling Tokyo down under it would leave both regions in a state nobody planned.
"""

from __future__ import annotations

from typing import Any

from failover.errors import FailoverRunningError, translate_throttling


@translate_throttling
def require_failover_idle(sfn: Any, failover_state_machine_arn: str) -> dict[str, Any]:
    page = sfn.list_executions(
        stateMachineArn=failover_state_machine_arn, statusFilter="RUNNING", maxResults=1
    )
    running = page["executions"]
    if running:
        raise FailoverRunningError(
            f"failover execution {running[0]['executionArn']} is RUNNING; let it finish "
            "(approve/reject it) or stop it, then start failback again"
        )
    return {"failover_state_machine_arn": failover_state_machine_arn, "running": 0}

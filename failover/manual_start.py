"""Manual failover start (the notes' "retry after cleanup"), refusing while another execution runs."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from failover.errors import ExecutionAlreadyRunningError


def start_failover(sfn: Any, state_machine_arn: str, reason: str, now: datetime | None = None) -> str:
    """Start an execution with input {"source": "manual", "reason": ...}; return its ARN.

    The RUNNING check and the start are two calls, so two operators racing within the same second
    could both pass the check; the execution name (one per second) makes the second start an
    idempotent no-op in that case, and step 0 stops any other overlap before asking for approval.
    """
    if not reason.strip():
        raise ValueError("reason must not be empty: say why you are starting a failover by hand")
    running = sfn.list_executions(stateMachineArn=state_machine_arn, statusFilter="RUNNING")["executions"]
    if running:
        raise ExecutionAlreadyRunningError(
            f"execution {running[0]['executionArn']} is still RUNNING; approve/reject it or stop it first"
        )
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    name = f"manual-{stamp}-{re.sub(r'[^A-Za-z0-9_-]', '-', reason)[:40]}"
    payload = {"source": "manual", "reason": reason, "requested_at": stamp}
    return str(
        sfn.start_execution(stateMachineArn=state_machine_arn, name=name, input=json.dumps(payload))[
            "executionArn"
        ]
    )

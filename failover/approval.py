"""Step 0: ask a human before failing over, and let an IAM-authenticated operator answer.

How the token travels (no unauthenticated link ever carries it):
  - The state `Step0_WaitForApproval` invokes the step0 Lambda with `lambda:invoke.waitForTaskToken`;
    its Payload holds `taskToken` (from `$$.Task.Token`).
  - Step Functions records that Payload in the execution history, in the `TaskScheduled` event's
    `taskScheduledEventDetails.parameters` (a JSON string: `{"FunctionName": ..., "Payload": {...}}`).
    Reading it needs `states:GetExecutionHistory`, i.e. IAM credentials.
  - `find_pending_task_token` reads it back; `approve_execution` / `reject_execution` answer with
    `SendTaskSuccess` / `SendTaskFailure` (error `ManualReject`), again IAM-only calls.
The SNS message names the execution and the exact commands; it never contains the token.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from failover.contract import APPROVAL_STATE, REJECT_ERROR, TIMEOUT_PROCEED
from failover.errors import ApprovalNotPendingError, ExecutionAlreadyRunningError, translate_throttling
from failover.stamps import now_iso

__all__ = ["APPROVAL_STATE", "REJECT_ERROR", "approval_message", "approve_execution",
           "find_pending_task_token", "reject_execution", "region_of"]


def region_of(arn: str) -> str:
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        raise ValueError(f"not an ARN: {arn!r}")
    return parts[3]


def approval_message(
    execution_arn: str, reason: str, timeout_seconds: int, timeout_action: str
) -> tuple[str, str]:
    """Subject and body of the approval request (plain text, safe to forward: no token inside)."""
    region = region_of(execution_arn)
    arn = shlex.quote(execution_arn)
    if timeout_action == TIMEOUT_PROCEED:
        on_timeout = "the failover PROCEEDS unattended"
    else:
        on_timeout = "the failover is abandoned (nothing changes in Tokyo)"
    token_query = "events[?type=='TaskScheduled'] | [0].taskScheduledEventDetails.parameters"
    body = "\n".join(
        [
            "MegaTicket DR: approval needed to fail over to Tokyo.",
            "",
            f"Execution: {execution_arn}",
            f"Trigger:   {reason}",
            f"If nobody answers within {timeout_seconds} s, {on_timeout}.",
            "",
            "Approve (needs IAM credentials allowed states:SendTaskSuccess on this state machine):",
            f"  drctl approve --execution {arn}",
            "Reject:",
            f"  drctl reject --execution {arn} --reason '<why>'",
            "",
            "Without drctl (AWS CLI, same credentials):",
            f"  TOKEN=$(aws stepfunctions get-execution-history --region {region} --execution-arn {arn} "
            f"--reverse-order --query {shlex.quote(token_query)} --output text "
            '| python3 -c \'import json,sys; print(json.load(sys.stdin)["Payload"]["taskToken"])\')',
            f'  aws stepfunctions send-task-success --region {region} --task-token "$TOKEN" '
            "--task-output '{\"approved\": true}'",
            f'  aws stepfunctions send-task-failure --region {region} --task-token "$TOKEN" '
            f"--error {REJECT_ERROR} --cause '<why>'",
        ]
    )
    return "MegaTicket DR: approve failover to Tokyo?", body


def trigger_reason(execution_input: Any) -> str:
    if not isinstance(execution_input, dict):
        return "unknown"
    if execution_input.get("source") == "manual":
        return f"manual start: {execution_input.get('reason', 'no reason given')}"
    detail = execution_input.get("detail") or {}
    alarm = detail.get("alarmName")
    if alarm:
        state = (detail.get("state") or {}).get("value", "?")
        return f"alarm {alarm} is {state}"
    return str(execution_input.get("source", "unknown"))


@translate_throttling
def refuse_if_other_running(sfn: Any, state_machine_arn: str, execution_arn: str) -> None:
    """A flapping alarm may start a second execution; it stops here before asking anyone.

    A drill is no reason to stop: a real run stops running drills first (failover/drill.py)."""
    from failover.drill import stop_running_drills

    stopped = set(stop_running_drills(sfn, state_machine_arn, execution_arn))
    paginator = sfn.get_paginator("list_executions")
    for page in paginator.paginate(stateMachineArn=state_machine_arn, statusFilter="RUNNING"):
        others = [e["executionArn"] for e in page["executions"]
                  if e["executionArn"] != execution_arn and e["executionArn"] not in stopped]
        if others:
            raise ExecutionAlreadyRunningError(f"execution {others[0]} is already running; this one stops")


@translate_throttling
def request_approval(
    sns: Any,
    sfn: Any,
    topic_arn: str,
    *,
    execution_arn: str,
    state_machine_arn: str,
    execution_input: Any,
    timeout_seconds: int,
    timeout_action: str,
) -> dict[str, Any]:
    refuse_if_other_running(sfn, state_machine_arn, execution_arn)
    subject, body = approval_message(
        execution_arn, trigger_reason(execution_input), timeout_seconds, timeout_action
    )
    message_id = sns.publish(TopicArn=topic_arn, Subject=subject, Message=body)["MessageId"]
    return {"requested_at": now_iso(), "message_id": message_id}


def _history(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    paginator = sfn.get_paginator("get_execution_history")
    for page in paginator.paginate(executionArn=execution_arn, includeExecutionData=True):
        events.extend(page["events"])
    return events


@translate_throttling
def find_pending_task_token(sfn: Any, execution_arn: str) -> str:
    """The task token of the approval the execution is waiting on; ApprovalNotPendingError otherwise."""
    status = sfn.describe_execution(executionArn=execution_arn)["status"]
    if status != "RUNNING":
        raise ApprovalNotPendingError(f"execution {execution_arn} is {status}, not waiting for approval")
    waiting = False
    token: str | None = None
    for event in _history(sfn, execution_arn):
        kind = event["type"]
        if (
            kind == "TaskStateEntered"
            and event.get("stateEnteredEventDetails", {}).get("name") == APPROVAL_STATE
        ):
            waiting, token = True, None
        elif (
            kind == "TaskStateExited"
            and event.get("stateExitedEventDetails", {}).get("name") == APPROVAL_STATE
        ):
            waiting, token = False, None
        elif kind == "TaskScheduled" and waiting:
            params = json.loads(event["taskScheduledEventDetails"].get("parameters") or "{}")
            payload = params.get("Payload")
            if isinstance(payload, str):
                payload = json.loads(payload)
            if isinstance(payload, dict) and payload.get("taskToken"):
                token = payload["taskToken"]
        elif kind in ("TaskFailed", "TaskTimedOut", "TaskSucceeded") and waiting:
            # A retried approval schedules a fresh token; the old one is dead.
            token = None
    if not waiting or not token:
        raise ApprovalNotPendingError(f"execution {execution_arn} is not waiting in {APPROVAL_STATE}")
    return token


def approve_execution(sfn: Any, execution_arn: str, approver: str) -> dict[str, Any]:
    token = find_pending_task_token(sfn, execution_arn)
    output = {"approved": True, "by": approver, "at": now_iso()}
    sfn.send_task_success(taskToken=token, output=json.dumps(output))
    return output


def reject_execution(sfn: Any, execution_arn: str, approver: str, reason: str) -> dict[str, Any]:
    token = find_pending_task_token(sfn, execution_arn)
    cause = f"rejected by {approver}: {reason}"[:32768]
    sfn.send_task_failure(taskToken=token, error=REJECT_ERROR, cause=cause)
    return {"approved": False, "by": approver, "at": now_iso(), "reason": reason}

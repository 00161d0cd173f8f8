"""Manual start (the document's "retry after cleanup") and the approval request text."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from failover.approval import approval_message, find_pending_task_token, reject_execution
from failover.errors import ApprovalNotPendingError, ExecutionAlreadyRunningError
from failover.manual_start import start_failover
from tests.failover.machine import ONCALL, Run, failover_asl

ARN = "arn:aws:states:ap-northeast-1:123456789012:execution:stfc-stepfunction-dev-an1:alarm-1"


def test_approval_message_names_execution_and_exact_commands_without_secrets() -> None:
    subject, body = approval_message(ARN, "alarm MegaTicket-Primary-HealthCheck-Alarm is ALARM", 3600, "fail")
    assert subject == "MegaTicket DR: approve failover to Tokyo?"
    assert f"drctl approve --execution {ARN}" in body
    assert f"drctl reject --execution {ARN}" in body
    assert "aws stepfunctions send-task-success --region ap-northeast-1" in body
    assert "--error ManualReject" in body
    assert "abandoned" in body and "3600 s" in body
    assert "http://" not in body and "https://" not in body


def test_approval_message_says_when_the_pipeline_will_proceed_unattended() -> None:
    _, body = approval_message(ARN, "manual start: drill", 600, "proceed")
    assert "PROCEEDS unattended" in body


def test_manual_start_refuses_while_an_execution_runs(tokyo: Any, route_lambdas: Any) -> None:
    run = Run(tokyo.client("stepfunctions"), failover_asl())
    now = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)

    arn = run.track(lambda: start_failover(run.sfn, run.machine_arn, "retry after cleanup", now=now))
    assert route_lambdas.event("stfc-lambda-dev-step0").wait(10)
    described = run.sfn.describe_execution(executionArn=arn)
    assert json.loads(described["input"]) == {
        "source": "manual",
        "reason": "retry after cleanup",
        "requested_at": "20261123T140000Z",
    }
    assert "manual start: retry after cleanup" in tokyo.notifications()[0]["Message"]

    with pytest.raises(ExecutionAlreadyRunningError, match=arn):
        start_failover(run.sfn, run.machine_arn, "impatient second try", now=now)
    running = run.sfn.list_executions(stateMachineArn=run.machine_arn)["executions"]
    assert [e["executionArn"] for e in running] == [arn]

    reject_execution(run.sfn, arn, ONCALL, "drill over")
    run.finish()
    with pytest.raises(ApprovalNotPendingError):
        find_pending_task_token(run.sfn, arn)


def test_manual_start_needs_a_reason(tokyo: Any) -> None:
    with pytest.raises(ValueError, match="reason must not be empty"):
        start_failover(tokyo.client("stepfunctions"), "arn:aws:states:ap-northeast-1:1:stateMachine:x", "  ")

"""The whole failover machine: generated ASL, linted by statelint and run by moto's interpreter with
Lambda tasks routed to the real handlers in-process (see conftest.route_lambdas)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from failover.approval import approve_execution, find_pending_task_token, reject_execution
from failover.errors import ApprovalNotPendingError
from tests.failover.machine import ONCALL, nlbs, started_and_waiting


def test_approved_failover_ends_with_healthy_tokyo(
    tokyo: Any, route_lambdas: Any, healthy_tokyo_http: Any
) -> None:
    run = started_and_waiting(tokyo, route_lambdas)
    # the operator message names the execution and the commands, and carries no token and no link
    request = tokyo.notifications()[0]
    assert run.arn in request["Message"] and f"drctl approve --execution {run.arn}" in request["Message"]
    token = find_pending_task_token(run.sfn, run.arn)
    assert token not in request["Message"] and "https://" not in request["Message"]

    approve_execution(run.sfn, run.arn, ONCALL)
    result = run.finish()

    assert result["status"] == "SUCCEEDED"
    assert run.states_entered()[-1] == "FailoverSucceeded"
    out = run.output()["steps"]
    assert out["step1"]["state"] == "active" and out["step1"]["created_by_pipeline"] is True
    assert out["step1"]["nlb_dns"] in tokyo.latest_user_data()
    assert out["step3"]["app"]["healthy"] == 1 and out["step3"]["web"]["in_service"] == 1
    assert out["step4"]["health"]["region"] == "ap-northeast-1"
    assert healthy_tokyo_http == ["http://tokyo-alb.test.invalid/api/health"]
    # app scaled (and healthy) before web was touched
    order = [(name, e.get("action")) for name, e in route_lambdas.calls if name == "stfc-lambda-dev-step3"]
    assert [a for _, a in order] == ["scale_app", "scale_web"]
    # the lock is set (by step 3, re-asserted by step 4) and the success notice lists every step's times
    lock = tokyo.cloudwatch.get_metric_statistics(
        Namespace="MegaTicket/DR",
        MetricName="FailoverLock",
        StartTime="2020-01-01",
        EndTime="2100-01-01",
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]
    assert lock and {p["Maximum"] for p in lock} == {1.0}
    assert out["step3"]["app"]["lock"]["lock"] == 1 and out["step4"]["lock"]["lock"] == 1
    success = tokyo.notifications()[-1]
    assert success["Subject"] == "MegaTicket DR: failover to Tokyo succeeded"
    for step in ("step0", "step1", "step2", "step3", "step4"):
        assert f"{step}: " in success["Message"]
    # nothing is pending any more
    with pytest.raises(ApprovalNotPendingError):
        find_pending_task_token(run.sfn, run.arn)


def test_rejected_failover_ends_cleanly_and_changes_nothing(tokyo: Any, route_lambdas: Any) -> None:
    run = started_and_waiting(tokyo, route_lambdas)

    reject_execution(run.sfn, run.arn, ONCALL, "Seoul is back")
    result = run.finish()

    assert result["status"] == "SUCCEEDED"
    assert run.states_entered()[-3:] == ["Step0_Rejected", "Step0_NotifyRejected", "FailoverRejected"]
    assert nlbs(tokyo) == [] and "NLB_DNS_PLACEHOLDER" in tokyo.latest_user_data()
    assert tokyo.notifications()[-1]["Subject"] == "MegaTicket DR: failover rejected"


def test_approval_answer_without_approved_true_counts_as_rejection(tokyo: Any, route_lambdas: Any) -> None:
    run = started_and_waiting(tokyo, route_lambdas)
    run.sfn.send_task_success(
        taskToken=find_pending_task_token(run.sfn, run.arn), output=json.dumps({"ok": 1})
    )
    assert run.finish()["status"] == "SUCCEEDED"
    assert "Step0_Rejected" in run.states_entered() and nlbs(tokyo) == []


def test_approval_timeout_with_action_fail_notifies_and_fails(tokyo: Any, route_lambdas: Any) -> None:
    run = started_and_waiting(tokyo, route_lambdas, approval_timeout_seconds=1, timeout_action="fail")

    result = run.finish()

    assert result["status"] == "FAILED" and result["error"] == "FailoverFailed"
    # (RouteFailure sends only drills to their cleanup; a real run goes on to NotifyFailure)
    assert run.states_entered()[-4:] == ["Step0_ApprovalTimedOut", "RouteFailure", "NotifyFailure",
                                         "FailoverFailed"]
    notice = tokyo.notifications()[-1]
    assert notice["Subject"] == "MegaTicket DR: failover FAILED"
    assert "ApprovalTimedOut" in notice["Message"] and run.arn in notice["Message"]
    assert nlbs(tokyo) == []


def test_approval_timeout_with_action_proceed_recovers_unattended(
    tokyo: Any, route_lambdas: Any, healthy_tokyo_http: Any
) -> None:
    run = started_and_waiting(tokyo, route_lambdas, approval_timeout_seconds=1, timeout_action="proceed")

    result = run.finish()

    assert result["status"] == "SUCCEEDED"
    states = run.states_entered()
    assert states[states.index("Step0_ApprovalTimedOut") + 1] == "Step0_NotifyProceeding"
    assert states[-1] == "FailoverSucceeded"
    assert run.output()["steps"]["step0"]["decision"] == "timed-out: proceeding unattended"
    subjects = [n["Subject"] for n in tokyo.notifications()]
    assert "MegaTicket DR: no approval, failing over unattended" in subjects

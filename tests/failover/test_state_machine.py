"""The whole failover machine: generated ASL, linted by statelint and run by moto's interpreter with
Lambda tasks routed to the real handlers in-process (see conftest.route_lambdas)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from statelint.linter import Linter

from failover.approval import APPROVAL_STATE, approve_execution, find_pending_task_token, reject_execution
from failover.asl import failback_definition, failover_definition
from failover.errors import ApprovalNotPendingError
from tests.failover.machine import Run, failback_asl, failover_asl

ALARM_EVENT = {
    "source": "aws.cloudwatch",
    "detail-type": "CloudWatch Alarm State Change",
    "detail": {"alarmName": "MegaTicket-Primary-HealthCheck-Alarm", "state": {"value": "ALARM"}},
}
ONCALL = "arn:aws:iam::123456789012:user/oncall"


def _started_and_waiting(tokyo: Any, router: Any, **asl: Any) -> Run:
    run = Run(tokyo.client("stepfunctions"), failover_asl(**asl))
    run.start(ALARM_EVENT, name="alarm-1")
    assert router.event("stfc-lambda-dev-step0").wait(10), "step 0 never asked for approval"
    return run


def _nlbs(tokyo: Any) -> list[str]:
    return [lb["LoadBalancerName"] for lb in tokyo.elbv2.describe_load_balancers()["LoadBalancers"]]


@pytest.mark.parametrize("action", ["fail", "proceed"])
@pytest.mark.parametrize("heartbeat", [None, 60])
def test_generated_asl_passes_statelint(action: str, heartbeat: Any) -> None:
    definition = failover_asl(timeout_action=action, approval_heartbeat_seconds=heartbeat)
    assert Linter.validate(definition) == []
    assert Linter.validate(failback_asl()) == []


def test_statelint_would_catch_a_broken_transition() -> None:
    definition = failover_asl()
    definition["States"]["Step2_PointLaunchTemplate"]["Next"] = "Step3_Typo"
    assert any("Step3_Typo" in p for p in Linter.validate(definition))


def test_every_task_retries_throttling_with_backoff_and_catches_into_a_notification() -> None:
    for definition in (failover_asl(), failback_asl()):
        for name, state in definition["States"].items():
            if state["Type"] != "Task":
                continue
            assert state["Retry"] and all(r["BackoffRate"] >= 1 for r in state["Retry"]), name
            assert state["Catch"][-1]["ErrorEquals"] == ["States.ALL"], name
            if "sns:publish" not in state["Resource"]:
                assert "ThrottledError" in state["Retry"][0]["ErrorEquals"], name


def test_waiting_is_done_by_wait_states_with_the_configured_interval() -> None:
    waits = {n: s for n, s in failover_asl(poll_seconds=20)["States"].items() if s["Type"] == "Wait"}
    assert set(waits) == {"Step1_WaitForNlb", "Step3_WaitForApp", "Step3_WaitForWeb"}
    assert {s["Seconds"] for s in waits.values()} == {20}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"timeout_action": "retry"}, "timeout_action must be one of fail, proceed"),
        (
            {"approval_timeout_seconds": 60, "approval_heartbeat_seconds": 60},
            "heartbeat_seconds must be smaller",
        ),
        ({"poll_seconds": 0}, "poll_seconds must be an integer >= 1"),
        ({"step1_arn": "stfc-lambda-dev-step1"}, "step1_arn must be an arn:...:lambda:... ARN"),
    ],
)
def test_bad_definition_inputs_fail_with_a_clear_message(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("...", r"\.\.\.")):
        failover_asl(**change)


def test_approved_failover_ends_with_healthy_tokyo(
    tokyo: Any, route_lambdas: Any, healthy_tokyo_http: Any
) -> None:
    run = _started_and_waiting(tokyo, route_lambdas)
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
    # the lock is set and the success notice lists every step's timestamps
    lock = tokyo.cloudwatch.get_metric_statistics(
        Namespace="MegaTicket/DR",
        MetricName="FailoverLock",
        StartTime="2020-01-01",
        EndTime="2100-01-01",
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]
    assert [p["Maximum"] for p in lock] == [1.0]
    success = tokyo.notifications()[-1]
    assert success["Subject"] == "MegaTicket DR: failover to Tokyo succeeded"
    for step in ("step0", "step1", "step2", "step3", "step4"):
        assert f"{step}: " in success["Message"]
    # nothing is pending any more
    with pytest.raises(ApprovalNotPendingError):
        find_pending_task_token(run.sfn, run.arn)


def test_rejected_failover_ends_cleanly_and_changes_nothing(tokyo: Any, route_lambdas: Any) -> None:
    run = _started_and_waiting(tokyo, route_lambdas)

    reject_execution(run.sfn, run.arn, ONCALL, "Seoul is back")
    result = run.finish()

    assert result["status"] == "SUCCEEDED"
    assert run.states_entered()[-3:] == ["Step0_Rejected", "Step0_NotifyRejected", "FailoverRejected"]
    assert _nlbs(tokyo) == [] and "NLB_DNS_PLACEHOLDER" in tokyo.latest_user_data()
    assert tokyo.notifications()[-1]["Subject"] == "MegaTicket DR: failover rejected"


def test_approval_answer_without_approved_true_counts_as_rejection(tokyo: Any, route_lambdas: Any) -> None:
    run = _started_and_waiting(tokyo, route_lambdas)
    run.sfn.send_task_success(
        taskToken=find_pending_task_token(run.sfn, run.arn), output=json.dumps({"ok": 1})
    )
    assert run.finish()["status"] == "SUCCEEDED"
    assert "Step0_Rejected" in run.states_entered() and _nlbs(tokyo) == []


def test_approval_timeout_with_action_fail_notifies_and_fails(tokyo: Any, route_lambdas: Any) -> None:
    run = _started_and_waiting(tokyo, route_lambdas, approval_timeout_seconds=1, timeout_action="fail")

    result = run.finish()

    assert result["status"] == "FAILED" and result["error"] == "FailoverFailed"
    assert run.states_entered()[-3:] == ["Step0_ApprovalTimedOut", "NotifyFailure", "FailoverFailed"]
    notice = tokyo.notifications()[-1]
    assert notice["Subject"] == "MegaTicket DR: failover FAILED"
    assert "ApprovalTimedOut" in notice["Message"] and run.arn in notice["Message"]
    assert _nlbs(tokyo) == []


def test_approval_timeout_with_action_proceed_recovers_unattended(
    tokyo: Any, route_lambdas: Any, healthy_tokyo_http: Any
) -> None:
    run = _started_and_waiting(tokyo, route_lambdas, approval_timeout_seconds=1, timeout_action="proceed")

    result = run.finish()

    assert result["status"] == "SUCCEEDED"
    states = run.states_entered()
    assert states[states.index("Step0_ApprovalTimedOut") + 1] == "Step0_NotifyProceeding"
    assert states[-1] == "FailoverSucceeded"
    assert run.output()["steps"]["step0"]["decision"] == "timed-out: proceeding unattended"
    subjects = [n["Subject"] for n in tokyo.notifications()]
    assert "MegaTicket DR: no approval, failing over unattended" in subjects


def test_failing_step_is_caught_and_notified_with_its_cause(tokyo: Any, route_lambdas: Any) -> None:
    tokyo.add_template_version("#!/bin/bash\necho no api url here\n")  # step 2 cannot do its job
    run = _started_and_waiting(tokyo, route_lambdas)
    approve_execution(run.sfn, run.arn, ONCALL)

    result = run.finish()

    assert result["status"] == "FAILED"
    assert run.states_entered()[-3:] == ["Step2_Failed", "NotifyFailure", "FailoverFailed"]
    notice = tokyo.notifications()[-1]["Message"]
    assert "Step 2 (launch template)" in notice and "LaunchTemplateError" in notice
    assert "neither NLB_DNS_PLACEHOLDER nor INTERNAL_API_URL" in notice
    # nothing was scaled after the failure
    assert not any(name == "stfc-lambda-dev-step3" for name, _ in route_lambdas.calls)


def test_throttled_step_is_retried_by_the_state_machine(
    tokyo: Any, route_lambdas: Any, healthy_tokyo_http: Any
) -> None:
    route_lambdas.throttle_first["stfc-lambda-dev-step1"] = 1
    run = _started_and_waiting(tokyo, route_lambdas)
    approve_execution(run.sfn, run.arn, ONCALL)

    assert run.finish()["status"] == "SUCCEEDED"
    assert [n for n, _ in route_lambdas.calls].count("stfc-lambda-dev-step1") == 2
    assert _nlbs(tokyo) == ["MegaTicket-DR-NLB"]


def test_poll_loop_gives_up_after_max_polls_and_notifies(tokyo: Any, route_lambdas: Any) -> None:
    real = route_lambdas.functions["stfc-lambda-dev-step3"]

    def web_never_in_service(event: dict[str, Any], context: Any) -> Any:
        result = real(event, context)
        if "web" in result:
            result["web"]["ready"] = False
        return result

    route_lambdas.functions["stfc-lambda-dev-step3"] = web_never_in_service
    run = _started_and_waiting(tokyo, route_lambdas, max_polls=1)
    approve_execution(run.sfn, run.arn, ONCALL)

    assert run.finish()["status"] == "FAILED"
    assert "Step3Web_PollTimeout" in run.states_entered()
    assert "PollTimeout" in tokyo.notifications()[-1]["Message"]


def test_second_execution_while_one_runs_stops_before_asking(tokyo: Any, route_lambdas: Any) -> None:
    first = _started_and_waiting(tokyo, route_lambdas)
    route_lambdas.event("stfc-lambda-dev-step0").clear()
    second = Run.__new__(Run)
    second.sfn, second.machine_arn = first.sfn, first.machine_arn
    second.start(ALARM_EVENT, name="alarm-2")

    assert second.finish()["status"] == "SUCCEEDED"
    assert second.states_entered()[-3:] == [
        "Step0_DuplicateIgnored",
        "Step0_NotifyDuplicate",
        "FailoverSkipped",
    ]
    # the first one is still waiting for its approver
    assert find_pending_task_token(first.sfn, first.arn)
    reject_execution(first.sfn, first.arn, ONCALL, "test over")
    first.finish()


def test_token_lookup_reads_the_task_scheduled_event_of_the_approval_state(
    tokyo: Any, route_lambdas: Any
) -> None:
    run = _started_and_waiting(tokyo, route_lambdas)
    events = run.sfn.get_execution_history(executionArn=run.arn)["events"]
    scheduled = [e for e in events if e["type"] == "TaskScheduled"][0]
    payload = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["Payload"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if e["type"] == "TaskStateEntered"]

    assert entered == [APPROVAL_STATE]
    assert find_pending_task_token(run.sfn, run.arn) == payload["taskToken"]
    reject_execution(run.sfn, run.arn, ONCALL, "done")
    run.finish()


def test_definition_functions_are_pure_and_json_serialisable() -> None:
    a = failover_definition(
        step0_arn="arn:aws:lambda:r:1:function:a",
        step1_arn="arn:aws:lambda:r:1:function:b",
        step2_arn="arn:aws:lambda:r:1:function:c",
        step3_arn="arn:aws:lambda:r:1:function:d",
        step4_arn="arn:aws:lambda:r:1:function:e",
        topic_arn="arn:aws:sns:r:1:t",
        approval_timeout_seconds=3600,
    )
    assert json.loads(json.dumps(a)) == a
    assert failback_definition(failback_arn="arn:aws:lambda:r:1:function:f", topic_arn="arn:aws:sns:r:1:t")

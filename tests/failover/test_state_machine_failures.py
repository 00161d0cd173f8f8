"""The failover machine under moto when things go wrong: caught failures, throttling, poll
timeouts, duplicate triggers, and the approval token lookup."""

from __future__ import annotations

import json
from typing import Any

from failover.approval import APPROVAL_STATE, approve_execution, find_pending_task_token, reject_execution
from failover.lock import read_lock
from tests.failover.machine import ALARM_EVENT, ONCALL, Run, nlbs, started_and_waiting


def test_failing_step_is_caught_and_notified_with_its_cause(tokyo: Any, route_lambdas: Any) -> None:
    tokyo.add_template_version("#!/bin/bash\necho no api url here\n")  # step 2 cannot do its job
    run = started_and_waiting(tokyo, route_lambdas)
    approve_execution(run.sfn, run.arn, ONCALL)

    result = run.finish()

    assert result["status"] == "FAILED"
    assert run.states_entered()[-4:] == ["Step2_Failed", "RouteFailure", "NotifyFailure", "FailoverFailed"]
    notice = tokyo.notifications()[-1]["Message"]
    assert "Step 2 (launch template)" in notice and "LaunchTemplateError" in notice
    assert "neither NLB_DNS_PLACEHOLDER nor INTERNAL_API_URL" in notice
    # nothing was scaled after the failure, so Seoul stays free to take traffic back
    assert not any(name == "stfc-lambda-dev-step3" for name, _ in route_lambdas.calls)
    assert read_lock(tokyo.cloudwatch, tokyo.settings)["latest_value"] is None


def test_throttled_step_is_retried_by_the_state_machine(
    tokyo: Any, route_lambdas: Any, healthy_tokyo_http: Any
) -> None:
    route_lambdas.throttle_first["stfc-lambda-dev-step1"] = 1
    run = started_and_waiting(tokyo, route_lambdas)
    approve_execution(run.sfn, run.arn, ONCALL)

    assert run.finish()["status"] == "SUCCEEDED"
    assert [n for n, _ in route_lambdas.calls].count("stfc-lambda-dev-step1") == 2
    assert nlbs(tokyo) == ["MegaTicket-DR-NLB"]


def test_poll_loop_gives_up_after_max_polls_and_notifies(tokyo: Any, route_lambdas: Any) -> None:
    real = route_lambdas.functions["stfc-lambda-dev-step3"]

    def web_never_in_service(event: dict[str, Any], context: Any) -> Any:
        result = real(event, context)
        if "web" in result:
            result["web"]["ready"] = False
        return result

    route_lambdas.functions["stfc-lambda-dev-step3"] = web_never_in_service
    run = started_and_waiting(tokyo, route_lambdas, max_polls=1)
    approve_execution(run.sfn, run.arn, ONCALL)

    assert run.finish()["status"] == "FAILED"
    assert "Step3Web_PollTimeout" in run.states_entered()
    notice = tokyo.notifications()[-1]["Message"]
    assert "PollTimeout" in notice and "has set the failback lock" in notice
    # step 4 never ran, yet the lock step 3 put before scaling holds: the app already served
    assert "stfc-lambda-dev-step4" not in [name for name, _ in route_lambdas.calls]
    assert read_lock(tokyo.cloudwatch, tokyo.settings)["latest_value"] == 1.0


def test_second_execution_while_one_runs_stops_before_asking(tokyo: Any, route_lambdas: Any) -> None:
    first = started_and_waiting(tokyo, route_lambdas)
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
    run = started_and_waiting(tokyo, route_lambdas)
    events = run.sfn.get_execution_history(executionArn=run.arn)["events"]
    scheduled = [e for e in events if e["type"] == "TaskScheduled"][0]
    payload = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["Payload"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if e["type"] == "TaskStateEntered"]

    assert entered == [APPROVAL_STATE]
    assert find_pending_task_token(run.sfn, run.arn) == payload["taskToken"]
    reject_execution(run.sfn, run.arn, ONCALL, "done")
    run.finish()

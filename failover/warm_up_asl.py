"""The fast profile's failover machine: Tokyo warms up while the approval is pending.

Failover (`stfc-stepfunction-dev-an1`, recovery.profile fast)
  Init
  Warmup (Parallel, three branches side by side)
    approval:  Step0_WaitForApproval -> Step0_CheckDecision -> Step0_Approved (End)
               | Step0_Rejected (Fail ManualReject) | Step0_ApprovalTimedOut (Fail ApprovalTimedOut,
               or End when the timeout action is `proceed`)
    template:  Step1_EnsureNlb .. Step1_CheckNlb -> Step2_PointLaunchTemplate (End)
    scale:     Step3_WarmStart (both tiers from their stopped warm pools, no lock, gate closed)
               -> Step3_IsWarm / Step3_WaitForWarm / Step3_CheckWarm (End when ready)
  Warmup_Merge                  $.steps from the branches
  Gate_Open                     failback lock, then ApprovalGate = 1: Route53 may now answer Tokyo
  Step4_Verify -> Step4_NotifySuccess -> FailoverSucceeded
  on ManualReject:              Warmup_Rejected -> Warmup_ReturnToPool -> Step0_NotifyRejected
                                -> FailoverRejected (Succeed)
  on ExecutionAlreadyRunning:   Step0_DuplicateIgnored -> ... -> FailoverSkipped (the other run owns Tokyo)
  on anything else (timeout, a failed warm-up step):
                                Warmup_Failed -> Warmup_ReturnToPool -> NotifyFailure -> FailoverFailed

A failing branch stops the others (Parallel semantics); errors inside a branch propagate to the
Parallel's Catch, which always returns Tokyo to its warm pools with the gate closed.
"""

from __future__ import annotations

from typing import Any

from failover.asl import (
    _LOCK_NOTE,
    State,
    Task,
    _Builder,
    _check_arn,
    _check_positive,
    _failure_notice,
    _init_state,
    approval_task,
)
from failover.contract import APPROVAL_STATE, REJECT_ERROR, TIMEOUT_ACTIONS, TIMEOUT_PROCEED

APPROVAL_TIMED_OUT = "ApprovalTimedOut"
DUPLICATE_ERROR = "ExecutionAlreadyRunningError"


def _in_branch(states: dict[str, State], end_on: str) -> dict[str, State]:
    """A branch's states: catches dropped (errors reach the Parallel's Catch), poll timeouts as Fail
    states, and `end_on` (the state after the branch's last one) replaced by End."""
    out: dict[str, State] = {}
    for name, state in states.items():
        state = dict(state)
        state.pop("Catch", None)
        if name.endswith("_PollTimeout"):
            params = state["Parameters"]
            state = {"Type": "Fail", "Error": params["Error"],
                     "Cause": f"{params['step']}: {params['Cause']}"}
        elif name.endswith("_Failed"):
            continue
        if state.get("Next") == end_on:
            del state["Next"]
            state["End"] = True
        if state.get("Type") == "Choice":
            state["Choices"] = [c if c["Next"] != end_on else {**c, "Next": f"{name}_Done"}
                                for c in state["Choices"]]
            if any(c["Next"] == f"{name}_Done" for c in state["Choices"]):
                out[f"{name}_Done"] = {"Type": "Succeed"}
        out[name] = state
    return out


def warm_up_definition(
    *,
    step0_arn: str,
    step1_arn: str,
    step2_arn: str,
    step3_arn: str,
    step4_arn: str,
    topic_arn: str,
    approval_timeout_seconds: int,
    approval_heartbeat_seconds: int | None = None,
    timeout_action: str = "fail",
    poll_seconds: int = 5,
    max_polls: int = 60,
    retry_interval_seconds: int = 2,
    retry_max_attempts: int = 5,
    verify_interval_seconds: int = 15,
    verify_max_attempts: int = 8,
    task_timeout_seconds: int = 330,
) -> dict[str, Any]:
    for label, arn in (("step0", step0_arn), ("step1", step1_arn), ("step2", step2_arn),
                       ("step3", step3_arn), ("step4", step4_arn)):
        _check_arn(f"{label}_arn", arn, "lambda")
    _check_arn("topic_arn", topic_arn, "sns")
    if timeout_action not in TIMEOUT_ACTIONS:
        raise ValueError(f"timeout_action must be one of {', '.join(TIMEOUT_ACTIONS)}, "
                         f"got {timeout_action!r}")
    _check_positive("approval_timeout_seconds", approval_timeout_seconds)
    if approval_heartbeat_seconds is not None:
        _check_positive("approval_heartbeat_seconds", approval_heartbeat_seconds)
        if approval_heartbeat_seconds >= approval_timeout_seconds:
            raise ValueError("approval_heartbeat_seconds must be smaller than approval_timeout_seconds")
    for name, value in (("poll_seconds", poll_seconds), ("max_polls", max_polls),
                        ("retry_interval_seconds", retry_interval_seconds),
                        ("retry_max_attempts", retry_max_attempts),
                        ("verify_interval_seconds", verify_interval_seconds),
                        ("verify_max_attempts", verify_max_attempts),
                        ("task_timeout_seconds", task_timeout_seconds)):
        _check_positive(name, value)

    def builder() -> _Builder:
        return _Builder(topic_arn, retry_interval_seconds, retry_max_attempts, task_timeout_seconds,
                        poll_seconds, max_polls)

    b = builder()
    s = b.states
    s["Init"] = _init_state(["step0", "step1", "step2", "step3", "step4"], "Warmup")

    s["Warmup"] = {
        "Type": "Parallel",
        "Comment": "Tokyo warms up while the approver decides; traffic stays on Seoul (gate closed)",
        "Branches": [
            _approval_branch(step0_arn, approval_timeout_seconds, approval_heartbeat_seconds,
                             timeout_action, builder()),
            _template_branch(step1_arn, step2_arn, builder()),
            _scale_branch(step3_arn, builder()),
        ],
        "ResultSelector": {
            "execution_started_at.$": "$[0].steps.execution_started_at",
            "step0.$": "$[0].steps.step0",
            "step1.$": "$[1].steps.step1",
            "step2.$": "$[1].steps.step2",
            "step3.$": "$[2].steps.step3",
            "approval.$": "$[0].approval",
        },
        "ResultPath": "$.warmup",
        "Catch": [
            {"ErrorEquals": [REJECT_ERROR], "ResultPath": "$.error", "Next": "Warmup_Rejected"},
            {"ErrorEquals": [DUPLICATE_ERROR], "ResultPath": "$.error", "Next": "Step0_DuplicateIgnored"},
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Warmup_Failed"},
        ],
        "Next": "Warmup_Merge",
    }
    s["Warmup_Merge"] = {
        "Type": "Pass",
        "Parameters": {
            "execution_started_at.$": "$.warmup.execution_started_at",
            "step0.$": "$.warmup.step0",
            "step1.$": "$.warmup.step1",
            "step2.$": "$.warmup.step2",
            "step3.$": "$.warmup.step3",
            "step4": {},
        },
        "ResultPath": "$.steps",
        "Next": "Gate_Open",
    }
    b.lambda_task("Gate_Open", step3_arn, {"action": "open_gate", "previous.$": "$.steps.step3"},
                  "$.steps.step3", "Step4_Verify", "Step3", "Step 3 (open the approval gate)")
    s["Gate_Open"]["Comment"] = "Puts the failback lock, then opens the gate: Route53 may answer Tokyo"
    b.lambda_task("Step4_Verify", step4_arn,
                  {"steps.$": "$.steps", "execution_arn.$": "$$.Execution.Id",
                   "previous.$": "$.steps.step4"},
                  "$.steps.step4", "Step4_NotifySuccess", "Step4", "Step 4 (verify)")
    s["Step4_Verify"]["Retry"].append({"ErrorEquals": ["HealthCheckError"],
                                       "IntervalSeconds": verify_interval_seconds,
                                       "MaxAttempts": verify_max_attempts, "BackoffRate": 1.0})
    b.notify("Step4_NotifySuccess", "MegaTicket DR: failover to Tokyo succeeded",
             {"Message.$": "$.steps.step4.summary"}, "FailoverSucceeded", "FailoverSucceeded")
    s["FailoverSucceeded"] = {"Type": "Succeed"}

    # Reject: back to the warm pool, gate closed, and the usual notice.
    s["Warmup_Rejected"] = {
        "Type": "Pass",
        "Parameters": {"decision": "rejected", "started_at.$": "$.steps.execution_started_at",
                       "finished_at.$": "$$.State.EnteredTime"},
        "ResultPath": "$.steps.step0",
        "Next": "Warmup_ReturnToPool",
    }
    s["Warmup_Failed"] = {
        "Type": "Pass",
        "Parameters": {"step": "Warm-up (approval or preparing Tokyo)", "Error.$": "$.error.Error",
                       "Cause.$": "$.error.Cause"},
        "ResultPath": "$.failure",
        "Next": "Warmup_ReturnToPool",
    }
    s["Warmup_ReturnToPool"] = {
        "Type": "Task",
        "Resource": step3_arn,
        "Parameters": {"action": "return_to_pool", "previous.$": "$.steps.step3"},
        "ResultPath": "$.steps.step3",
        "TimeoutSeconds": task_timeout_seconds,
        "Retry": b.retry(),
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                   "Next": b.failed_state("Warmup_ReturnToPool", "Warm-up (return to the warm pool)")}],
        "Next": "Warmup_AfterReturn",
    }
    s["Warmup_AfterReturn"] = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.failure", "IsPresent": True, "Next": "NotifyFailure"}],
        "Default": "Step0_NotifyRejected",
    }
    b.notify("Step0_NotifyRejected", "MegaTicket DR: failover rejected",
             {"Message.$": "States.Format('Failover to Tokyo was rejected; Tokyo is back in its warm "
                           "pools and traffic stays on Seoul. Execution: {}', $$.Execution.Id)"},
             "FailoverRejected", "FailoverRejected")
    s["FailoverRejected"] = {"Type": "Succeed"}
    s["Step0_DuplicateIgnored"] = {
        "Type": "Pass",
        "Parameters": {"decision": "duplicate", "detail.$": "$.error.Cause"},
        "ResultPath": "$.steps.step0",
        "Next": "Step0_NotifyDuplicate",
    }
    b.notify("Step0_NotifyDuplicate", "MegaTicket DR: duplicate failover trigger ignored",
             {"Message.$": "States.Format('Another failover execution is running; this one stopped. "
                           "Execution: {}. {}', $$.Execution.Id, $.steps.step0.detail)"},
             "FailoverSkipped", "FailoverSkipped")
    s["FailoverSkipped"] = {"Type": "Succeed"}
    b.notify("NotifyFailure", "MegaTicket DR: failover FAILED", _failure_notice("failover", _LOCK_NOTE),
             "FailoverFailed", "FailoverFailed")
    s["FailoverFailed"] = {
        "Type": "Fail",
        "Error": "FailoverFailed",
        "Cause": "A failover step failed; the failure notification and $.failure name the step and cause.",
    }
    return {
        "Comment": ("MegaTicket DR failover, fast profile: warm-up beside the approval, then the gate "
                    "(failover/warm_up_asl.py)"),
        "StartAt": "Init",
        "States": s,
    }


def _approval_branch(step0_arn: str, timeout: int, heartbeat: int | None, timeout_action: str,
                     b: _Builder) -> dict[str, Any]:
    approval = approval_task(step0_arn, timeout, heartbeat, timeout_action, b.retry(), [
        {"ErrorEquals": ["States.Timeout", "States.HeartbeatTimeout"], "ResultPath": "$.error",
         "Next": "Step0_ApprovalTimedOut"}])
    states: dict[str, State] = {
        APPROVAL_STATE: approval,
        "Step0_CheckDecision": {
            "Type": "Choice",
            "Choices": [{"And": [{"Variable": "$.approval.approved", "IsPresent": True},
                                 {"Variable": "$.approval.approved", "IsBoolean": True},
                                 {"Variable": "$.approval.approved", "BooleanEquals": True}],
                         "Next": "Step0_Approved"}],
            "Default": "Step0_Rejected",
        },
        "Step0_Approved": {
            "Type": "Pass",
            "Parameters": {"decision": "approved", "started_at.$": "$.steps.execution_started_at",
                           "finished_at.$": "$$.State.EnteredTime", "answer.$": "$.approval"},
            "ResultPath": "$.steps.step0",
            "End": True,
        },
        "Step0_Rejected": {"Type": "Fail", "Error": REJECT_ERROR,
                           "Cause": "the approver rejected the failover"},
    }
    if timeout_action == TIMEOUT_PROCEED:
        states["Step0_ApprovalTimedOut"] = {
            "Type": "Pass",
            "Parameters": {"decision": "timed-out: proceeding unattended",
                           "started_at.$": "$.steps.execution_started_at",
                           "finished_at.$": "$$.State.EnteredTime"},
            "ResultPath": "$.steps.step0",
            "Next": "Step0_RecordTimeout",
        }
        # The branch output must carry $.approval for the Parallel's ResultSelector.
        states["Step0_RecordTimeout"] = {"Type": "Pass", "Result": {"approved": False, "timed_out": True},
                                         "ResultPath": "$.approval", "End": True}
    else:
        states["Step0_ApprovalTimedOut"] = {
            "Type": "Fail", "Error": APPROVAL_TIMED_OUT,
            "Cause": f"nobody approved within {timeout} s (timeout action: fail)"}
    return {"StartAt": APPROVAL_STATE, "States": states}


def _template_branch(step1_arn: str, step2_arn: str, b: _Builder) -> dict[str, Any]:
    step1 = {"previous.$": "$.steps.step1"}
    b.polled_task(
        function_arn=step1_arn,
        start=Task("Step1_EnsureNlb", {"action": "ensure", **step1}, "Step1", "Step 1 (NLB)"),
        check=Task("Step1_CheckNlb", {"action": "check", **step1}, "Step1", "Step 1 (NLB)"),
        choice="Step1_IsNlbActive", wait="Step1_WaitForNlb", prefix="Step1",
        result_path="$.steps.step1", progress_path="$.steps.step1",
        next_state="Step2_PointLaunchTemplate",
    )
    b.lambda_task("Step2_PointLaunchTemplate", step2_arn,
                  {"nlb_dns.$": "$.steps.step1.nlb_dns", "previous.$": "$.steps.step2"},
                  "$.steps.step2", "TemplateReady", "Step2", "Step 2 (launch template)")
    return {"StartAt": "Step1_EnsureNlb", "States": _in_branch(b.states, "TemplateReady")}


def _scale_branch(step3_arn: str, b: _Builder) -> dict[str, Any]:
    warm = {"previous.$": "$.steps.step3"}
    b.polled_task(
        function_arn=step3_arn,
        start=Task("Step3_WarmStart", {"action": "warm_start", **warm}, "Step3",
                   "Step 3 (start from the warm pools)"),
        check=Task("Step3_CheckWarm", {"action": "check_warm", **warm}, "Step3",
                   "Step 3 (targets healthy)"),
        choice="Step3_IsWarm", wait="Step3_WaitForWarm", prefix="Step3Warm",
        result_path="$.steps.step3", progress_path="$.steps.step3",
        next_state="WarmReady",
    )
    return {"StartAt": "Step3_WarmStart", "States": _in_branch(b.states, "WarmReady")}

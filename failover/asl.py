"""Amazon States Language for the failover and failback state machines, built as Python dicts.

The pipeline component deploys what these build, and the doctor (`failover/check_pipeline.py`, also
in the readiness Lambda) compares the deployed definitions with them, so the one builder ships in
the Lambda packages beside the checks. The component calls these inside `Output.all(...).apply(...)`
and `json.dumps` the result; tests lint the same dicts with statelint and run them under moto's
interpreter.

State names are a contract (drctl reads execution history by name):

Failover (`stfc-stepfunction-dev-an1`)
  Init                          $.steps = {execution_started_at, step0..step4: {}}
  Step0_WaitForApproval         step0 Lambda via lambda:invoke.waitForTaskToken; result -> $.approval
  Step0_CheckDecision           approved == true ? Step0_Approved : Step0_Rejected
  Step0_Approved                records $.steps.step0
  Step0_Rejected -> Step0_NotifyRejected -> FailoverRejected (Succeed)
  Step0_ApprovalTimedOut        timeout action `proceed`: -> Step0_NotifyProceeding -> Step1_EnsureNlb
                                timeout action `fail`:    -> NotifyFailure -> FailoverFailed
  Step0_DuplicateIgnored -> Step0_NotifyDuplicate -> FailoverSkipped (Succeed)
  Step1_EnsureNlb, Step1_IsNlbActive, Step1_WaitForNlb, Step1_CheckNlb          $.steps.step1
  Step2_PointLaunchTemplate                                                      $.steps.step2
  Step3_ScaleApp (sets the failback lock, then scales), Step3_IsAppHealthy,
  Step3_WaitForApp, Step3_CheckApp,
  Step3_ScaleWeb, Step3_IsWebInService, Step3_WaitForWeb, Step3_CheckWeb         $.steps.step3
  Step4_Verify (health through the ALB, re-asserts the failback lock)            $.steps.step4
  Step4_NotifySuccess -> FailoverSucceeded (Succeed)
  <Step>_Failed (Pass, records $.failure) -> NotifyFailure -> FailoverFailed (Fail)
  <Step>_PollTimeout (Pass) when a poll loop exceeds max_polls -> NotifyFailure

Failback (`stfc-stepfunction-dev-an1-failback`)
  Init, Failback_CheckFailoverIdle (FailoverRunningError -> Failback_FailoverRunning -> NotifyFailure),
  Failback_CheckLock (LockHeldError -> Failback_LockHeld -> NotifyFailure),
  Failback_ScaleDown, Failback_IsEmpty, Failback_WaitForEmpty, Failback_CheckEmpty,
  Failback_RemoveNlb, Failback_RestoreTemplate, Failback_NotifySuccess -> FailbackSucceeded,
  <Step>_Failed -> NotifyFailure -> FailbackFailed

Waiting is `Wait` + `Choice` loops; Lambdas never sleep.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from failover.contract import (
    APPROVAL_STATE,
    DRILL_MAX_HOLD_MINUTES,
    REJECT_ERROR,
    TIMEOUT_ACTIONS,
    TIMEOUT_FAIL,
    TIMEOUT_PROCEED,
)

__all__ = ["APPROVAL_STATE", "REJECT_ERROR", "RETRYABLE_ERRORS", "TIMEOUT_ACTIONS", "failback_definition",
           "failover_definition"]

# Errors worth retrying with backoff: Lambda service trouble and AWS throttling inside a step.
RETRYABLE_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "ThrottledError",
]

State = dict[str, Any]


def _check_positive(name: str, value: int, minimum: int = 1) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _check_arn(name: str, value: str, service: str) -> None:
    # The offline preview renders values that exist only after deploy as ⟨resource.property⟩.
    if isinstance(value, str) and value.startswith("⟨") and value.endswith("⟩"):
        return
    if not isinstance(value, str) or not value.startswith("arn:") or f":{service}:" not in value:
        raise ValueError(f"{name} must be an arn:...:{service}:... ARN, got {value!r}")


class Task(NamedTuple):
    """One Lambda Task state: its name, Parameters, the step its `_Failed` state names, and a label."""

    name: str
    parameters: dict[str, Any]
    step: str
    label: str


class _Builder:
    """Shared pieces: retries, catches that record which step failed, polled tasks."""

    def __init__(
        self,
        topic_arn: str,
        retry_interval: int,
        retry_attempts: int,
        task_timeout: int,
        poll_seconds: int,
        max_polls: int,
    ) -> None:
        self.topic_arn = topic_arn
        self.retry_interval = retry_interval
        self.retry_attempts = retry_attempts
        self.task_timeout = task_timeout
        self.poll_seconds = poll_seconds
        self.max_polls = max_polls
        self.states: dict[str, State] = {}

    def retry(self) -> list[dict[str, Any]]:
        return [
            {
                "ErrorEquals": list(RETRYABLE_ERRORS),
                "IntervalSeconds": self.retry_interval,
                "MaxAttempts": self.retry_attempts,
                "BackoffRate": 2.0,
            }
        ]

    def failed_state(self, step: str, label: str) -> str:
        """A Pass state that names the failing step in $.failure, then notifies."""
        name = f"{step}_Failed"
        self.states[name] = {
            "Type": "Pass",
            "Parameters": {"step": label, "Error.$": "$.error.Error", "Cause.$": "$.error.Cause"},
            "ResultPath": "$.failure",
            "Next": "NotifyFailure",
        }
        return name

    def catch_all(self, step: str, label: str) -> list[dict[str, Any]]:
        return [
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": self.failed_state(step, label)}
        ]

    def lambda_task(
        self,
        name: str,
        function_arn: str,
        parameters: dict[str, Any],
        result_path: str,
        next_state: str,
        step: str,
        label: str,
    ) -> None:
        self.states[name] = {
            "Type": "Task",
            "Resource": function_arn,
            "Parameters": parameters,
            "ResultPath": result_path,
            "TimeoutSeconds": self.task_timeout,
            "Retry": self.retry(),
            "Catch": self.catch_all(step, label),
            "Next": next_state,
        }

    def polled_task(
        self,
        *,
        function_arn: str,
        start: Task,
        check: Task,
        choice: str,
        wait: str,
        prefix: str,
        result_path: str,
        progress_path: str,
        next_state: str,
    ) -> None:
        """start -> Choice(ready?) -> next | Wait -> check -> Choice, giving up after max_polls checks.

        Both tasks write `result_path`; `progress_path` holds the `ready` flag and `polls` count the
        Lambda returns. Too many checks end in `<prefix>_PollTimeout` (a Pass naming the check's label).
        """
        self.lambda_task(
            start.name, function_arn, start.parameters, result_path, choice, start.step, start.label
        )
        ready_path, polls_path = f"{progress_path}.ready", f"{progress_path}.polls"
        timeout_state = f"{prefix}_PollTimeout"
        self.states[choice] = {
            "Type": "Choice",
            "Choices": [
                {"Variable": ready_path, "BooleanEquals": True, "Next": next_state},
                {
                    "And": [
                        {"Variable": polls_path, "IsPresent": True},
                        {"Variable": polls_path, "NumericGreaterThanEquals": self.max_polls},
                    ],
                    "Next": timeout_state,
                },
            ],
            "Default": wait,
        }
        self.states[wait] = {"Type": "Wait", "Seconds": self.poll_seconds, "Next": check.name}
        self.states[timeout_state] = {
            "Type": "Pass",
            "Parameters": {
                "step": check.label,
                "Error": "PollTimeout",
                "Cause": f"{check.label} not ready after {self.max_polls} checks {self.poll_seconds} s apart",
            },
            "ResultPath": "$.failure",
            "Next": "NotifyFailure",
        }
        self.lambda_task(
            check.name, function_arn, check.parameters, result_path, choice, check.step, check.label
        )

    def notify(
        self, name: str, subject: str, message: dict[str, str], next_state: str, on_error: str
    ) -> None:
        """SNS publish; a notification failure must not loop back into itself."""
        self.states[name] = {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": self.topic_arn, "Subject": subject, **message},
            "ResultPath": None,
            "TimeoutSeconds": 60,
            "Retry": [
                {
                    "ErrorEquals": ["States.TaskFailed"],
                    "IntervalSeconds": self.retry_interval,
                    "MaxAttempts": 3,
                    "BackoffRate": 2.0,
                }
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.notify_error", "Next": on_error}],
            "Next": next_state,
        }


def _init_state(step_keys: list[str], next_state: str) -> State:
    # Init is the first state, so its EnteredTime is the execution start (moto renders
    # $$.Execution.StartTime as a datetime object, which breaks DescribeExecution there).
    params: dict[str, Any] = {"execution_started_at.$": "$$.State.EnteredTime"}
    params.update({key: {} for key in step_keys})
    return {"Type": "Pass", "Parameters": params, "ResultPath": "$.steps", "Next": next_state}


def _failure_notice(kind: str, note: str = "") -> dict[str, str]:
    return {
        "Message.$": (
            f"States.Format('MegaTicket DR {kind} FAILED in {{}}. Execution: {{}}. Error: {{}}. Cause: {{}}. "
            f"Nothing further runs; inspect with: `drctl report {{}}`{note}', "
            "$.failure.step, $$.Execution.Id, $.failure.Error, $.failure.Cause, $$.Execution.Id)"
        )
    }


# Step 3 puts the lock before it scales, so a run that failed from there on leaves it held.
_LOCK_NOTE = (
    ". A run that reached Step 3 has set the failback lock, so Route53 keeps users off Seoul "
    "while Tokyo serves: `drctl status` shows it; release it only after checking the data "
    "(`drctl release-lock --yes`)"
)


def approval_task(step0_arn: str, timeout: int, heartbeat: int | None, timeout_action: str,
                  retry: list[dict[str, Any]], catch: list[dict[str, Any]]) -> State:
    """Step 0: invoke the step0 Lambda with a task token and wait for the decision (both machines).
    The Payload lands in the TaskScheduled history event: drctl reads the token there."""
    approval: State = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {
            "FunctionName": step0_arn,
            "Payload": {
                "taskToken.$": "$$.Task.Token",
                "execution_arn.$": "$$.Execution.Id",
                "state_machine_arn.$": "$$.StateMachine.Id",
                "input.$": "$$.Execution.Input",
                "timeout_seconds": timeout,
                "timeout_action": timeout_action,
            },
        },
        "TimeoutSeconds": timeout,
        "ResultPath": "$.approval",
        "Retry": retry,
        "Catch": catch,
        "Next": "Step0_CheckDecision",
    }
    if heartbeat is not None:
        approval["HeartbeatSeconds"] = heartbeat
    return approval


def failover_definition(
    *,
    step0_arn: str,
    step1_arn: str,
    step2_arn: str,
    step3_arn: str,
    step4_arn: str,
    topic_arn: str,
    approval_timeout_seconds: int,
    approval_heartbeat_seconds: int | None = None,
    timeout_action: str = TIMEOUT_FAIL,
    poll_seconds: int = 15,
    max_polls: int = 40,
    retry_interval_seconds: int = 2,
    retry_max_attempts: int = 5,
    verify_interval_seconds: int = 15,
    verify_max_attempts: int = 8,
    task_timeout_seconds: int = 330,
    drill_arn: str | None = None,
) -> dict[str, Any]:
    """`drill_arn` (the failback Lambda, which snapshots and restores Tokyo) adds the drill path."""
    if drill_arn is not None:
        _check_arn("drill_arn", drill_arn, "lambda")
    for label, arn in (("step0", step0_arn), ("step1", step1_arn), ("step2", step2_arn)):
        _check_arn(f"{label}_arn", arn, "lambda")
    _check_arn("step3_arn", step3_arn, "lambda")
    _check_arn("step4_arn", step4_arn, "lambda")
    _check_arn("topic_arn", topic_arn, "sns")
    if timeout_action not in TIMEOUT_ACTIONS:
        raise ValueError(
            f"timeout_action must be one of {', '.join(TIMEOUT_ACTIONS)}, got {timeout_action!r}"
        )
    _check_positive("approval_timeout_seconds", approval_timeout_seconds)
    if approval_heartbeat_seconds is not None:
        _check_positive("approval_heartbeat_seconds", approval_heartbeat_seconds)
        if approval_heartbeat_seconds >= approval_timeout_seconds:
            raise ValueError("approval_heartbeat_seconds must be smaller than approval_timeout_seconds")
    for name, value in (
        ("poll_seconds", poll_seconds),
        ("max_polls", max_polls),
        ("retry_interval_seconds", retry_interval_seconds),
        ("retry_max_attempts", retry_max_attempts),
        ("verify_interval_seconds", verify_interval_seconds),
        ("verify_max_attempts", verify_max_attempts),
        ("task_timeout_seconds", task_timeout_seconds),
    ):
        _check_positive(name, value)

    b = _Builder(
        topic_arn, retry_interval_seconds, retry_max_attempts, task_timeout_seconds, poll_seconds, max_polls
    )
    s = b.states
    if drill_arn is None:
        s["Init"] = _init_state(["step0", "step1", "step2", "step3", "step4"], APPROVAL_STATE)
    else:
        s["Init"] = _init_state(["step0", "step1", "step2", "step3", "step4", "drill"], "RunKind")

    s[APPROVAL_STATE] = approval_task(
        step0_arn, approval_timeout_seconds, approval_heartbeat_seconds, timeout_action, b.retry(), [
            {"ErrorEquals": [REJECT_ERROR], "ResultPath": "$.error", "Next": "Step0_Rejected"},
            {"ErrorEquals": ["ExecutionAlreadyRunningError"], "ResultPath": "$.error",
             "Next": "Step0_DuplicateIgnored"},
            {"ErrorEquals": ["States.Timeout", "States.HeartbeatTimeout"], "ResultPath": "$.error",
             "Next": "Step0_ApprovalTimedOut"},
            *b.catch_all("Step0", "Step 0 (approval)"),
        ])
    s["Step0_CheckDecision"] = {
        "Type": "Choice",
        "Choices": [
            {
                "And": [
                    {"Variable": "$.approval.approved", "IsPresent": True},
                    {"Variable": "$.approval.approved", "IsBoolean": True},
                    {"Variable": "$.approval.approved", "BooleanEquals": True},
                ],
                "Next": "Step0_Approved",
            }
        ],
        "Default": "Step0_Rejected",
    }
    s["Step0_Approved"] = {
        "Type": "Pass",
        "Parameters": {
            "decision": "approved",
            "started_at.$": "$.steps.execution_started_at",
            "finished_at.$": "$$.State.EnteredTime",
            "answer.$": "$.approval",
        },
        "ResultPath": "$.steps.step0",
        "Next": "Step1_EnsureNlb",
    }
    s["Step0_Rejected"] = {
        "Type": "Pass",
        "Parameters": {
            "decision": "rejected",
            "started_at.$": "$.steps.execution_started_at",
            "finished_at.$": "$$.State.EnteredTime",
        },
        "ResultPath": "$.steps.step0",
        "Next": "Step0_NotifyRejected",
    }
    b.notify(
        "Step0_NotifyRejected",
        "MegaTicket DR: failover rejected",
        {
            "Message.$": "States.Format('Failover to Tokyo was rejected; nothing changed. Execution: {}', "
            "$$.Execution.Id)"
        },
        "FailoverRejected",
        "FailoverRejected",
    )
    s["FailoverRejected"] = {"Type": "Succeed"}
    s["Step0_DuplicateIgnored"] = {
        "Type": "Pass",
        "Parameters": {"decision": "duplicate", "detail.$": "$.error.Cause"},
        "ResultPath": "$.steps.step0",
        "Next": "Step0_NotifyDuplicate",
    }
    b.notify(
        "Step0_NotifyDuplicate",
        "MegaTicket DR: duplicate failover trigger ignored",
        {
            "Message.$": "States.Format('Another failover execution is running; this one stopped. "
            "Execution: {}. {}', $$.Execution.Id, $.steps.step0.detail)"
        },
        "FailoverSkipped",
        "FailoverSkipped",
    )
    s["FailoverSkipped"] = {"Type": "Succeed"}
    if timeout_action == TIMEOUT_PROCEED:
        s["Step0_ApprovalTimedOut"] = {
            "Type": "Pass",
            "Parameters": {
                "decision": "timed-out: proceeding unattended",
                "started_at.$": "$.steps.execution_started_at",
                "finished_at.$": "$$.State.EnteredTime",
            },
            "ResultPath": "$.steps.step0",
            "Next": "Step0_NotifyProceeding",
        }
        b.notify(
            "Step0_NotifyProceeding",
            "MegaTicket DR: no approval, failing over unattended",
            {
                "Message.$": f"States.Format('Nobody answered within {approval_timeout_seconds} s; "
                "the failover proceeds (timeout action: proceed). Execution: {}', $$.Execution.Id)"
            },
            "Step1_EnsureNlb",
            "Step1_EnsureNlb",
        )
    else:
        s["Step0_ApprovalTimedOut"] = {
            "Type": "Pass",
            "Parameters": {
                "step": "Step 0 (approval)",
                "Error": "ApprovalTimedOut",
                "Cause": f"nobody approved within {approval_timeout_seconds} s (timeout action: fail)",
            },
            "ResultPath": "$.failure",
            "Next": "NotifyFailure",
        }

    # Step 1: NLB.
    step1 = {"previous.$": "$.steps.step1"}
    b.polled_task(
        function_arn=step1_arn,
        start=Task("Step1_EnsureNlb", {"action": "ensure", **step1}, "Step1", "Step 1 (NLB)"),
        check=Task("Step1_CheckNlb", {"action": "check", **step1}, "Step1", "Step 1 (NLB)"),
        choice="Step1_IsNlbActive",
        wait="Step1_WaitForNlb",
        prefix="Step1",
        result_path="$.steps.step1",
        progress_path="$.steps.step1",
        next_state="Step2_PointLaunchTemplate",
    )

    # Step 2: launch template.
    b.lambda_task(
        "Step2_PointLaunchTemplate",
        step2_arn,
        {"nlb_dns.$": "$.steps.step1.nlb_dns", "previous.$": "$.steps.step2"},
        "$.steps.step2",
        "Step3_ScaleApp",
        "Step2",
        "Step 2 (launch template)",
    )

    # Step 3: app first (until its NLB targets are healthy), then web.
    app = {"target_group_arn.$": "$.steps.step1.target_group_arn", "previous.$": "$.steps.step3"}
    if drill_arn is not None:  # step 3 sets the lock only when this is no drill
        app["drill.$"] = "$.steps.drill"
    b.polled_task(
        function_arn=step3_arn,
        start=Task("Step3_ScaleApp", {"action": "scale_app", **app}, "Step3", "Step 3 (scale app)"),
        check=Task("Step3_CheckApp", {"action": "check_app", **app}, "Step3", "Step 3 (app targets healthy)"),
        choice="Step3_IsAppHealthy",
        wait="Step3_WaitForApp",
        prefix="Step3App",
        result_path="$.steps.step3",
        progress_path="$.steps.step3.app",
        next_state="Step3_ScaleWeb",
    )
    s["Step3_ScaleApp"]["Comment"] = (
        "Puts the failback lock (FailoverLock=1) before scaling: Tokyo may serve from here on"
    )
    web = {"previous.$": "$.steps.step3"}
    b.polled_task(
        function_arn=step3_arn,
        start=Task("Step3_ScaleWeb", {"action": "scale_web", **web}, "Step3", "Step 3 (scale web)"),
        check=Task("Step3_CheckWeb", {"action": "check_web", **web}, "Step3", "Step 3 (web in service)"),
        choice="Step3_IsWebInService",
        wait="Step3_WaitForWeb",
        prefix="Step3Web",
        result_path="$.steps.step3",
        progress_path="$.steps.step3.web",
        next_state="Step4_Verify",
    )

    # Step 4: verify through the ALB (retrying while targets warm up), re-assert the lock, report.
    b.lambda_task(
        "Step4_Verify",
        step4_arn,
        {"steps.$": "$.steps", "execution_arn.$": "$$.Execution.Id", "previous.$": "$.steps.step4"},
        "$.steps.step4",
        "Step4_NotifySuccess",
        "Step4",
        "Step 4 (verify)",
    )
    s["Step4_Verify"]["Retry"].append(
        {
            "ErrorEquals": ["HealthCheckError"],
            "IntervalSeconds": verify_interval_seconds,
            "MaxAttempts": verify_max_attempts,
            "BackoffRate": 1.0,
        }
    )
    b.notify(
        "Step4_NotifySuccess",
        "MegaTicket DR: failover to Tokyo succeeded",
        {"Message.$": "$.steps.step4.summary"},
        "FailoverSucceeded",
        "FailoverSucceeded",
    )
    s["FailoverSucceeded"] = {"Type": "Succeed"}

    b.notify(
        "NotifyFailure",
        "MegaTicket DR: failover FAILED",
        _failure_notice("failover", _LOCK_NOTE),
        "FailoverFailed",
        "FailoverFailed",
    )
    s["FailoverFailed"] = {
        "Type": "Fail",
        "Error": "FailoverFailed",
        "Cause": "A failover step failed; the failure notification and $.failure name the step and cause.",
    }
    if drill_arn is not None:
        _drill_states(b, drill_arn)
    return {
        "Comment": (
            "MegaTicket DR failover: approval, NLB, launch template, scale, verify "
            "(failover/asl.py)"
        ),
        "StartAt": "Init",
        "States": s,
    }


def _drill_states(b: _Builder, drill_arn: str) -> None:
    """The drill path: no approval, no lock, a hold, and a cleanup every way out passes through.

    RunKind sends `{"drill": true, "hold_seconds": N}` inputs to Drill_Start; Drill_Snapshot records
    what the drill will change; steps 1-4 run as in a failover (step 3 and 4 read $.steps.drill and
    leave the lock alone); Step4_IsDrill sends a drill to Drill_Hold and Drill_Cleanup. Every failure
    state and poll timeout goes through RouteFailure, which sends a drill to Drill_Cleanup too.
    """
    s = b.states
    drill_present = [
        {"Variable": "$.drill", "IsPresent": True},
        {"Variable": "$.drill", "IsBoolean": True},
        {"Variable": "$.drill", "BooleanEquals": True},
    ]
    s["RunKind"] = {
        "Type": "Choice",
        "Choices": [
            {
                "And": [
                    *drill_present,
                    {"Variable": "$.hold_seconds", "IsPresent": True},
                    {"Variable": "$.hold_seconds", "IsNumeric": True},
                    {"Variable": "$.hold_seconds", "NumericGreaterThanEquals": 0},
                    {"Variable": "$.hold_seconds", "NumericLessThanEquals": DRILL_MAX_HOLD_MINUTES * 60},
                ],
                "Next": "Drill_Start",
            },
            {"And": drill_present, "Next": "Drill_BadInput"},
        ],
        "Default": APPROVAL_STATE,
    }
    s["Drill_BadInput"] = {
        "Type": "Fail",
        "Error": "DrillInputError",
        "Cause": f"a drill input needs hold_seconds, a number from 0 to {DRILL_MAX_HOLD_MINUTES * 60}; "
                 "nothing changed",
    }
    s["Drill_Start"] = {
        "Type": "Pass",
        "Parameters": {"kind": "drill", "hold_seconds.$": "$.hold_seconds",
                       "started_at.$": "$$.State.EnteredTime"},
        "ResultPath": "$.steps.drill",
        "Next": "Drill_Snapshot",
    }
    b.lambda_task(
        "Drill_Snapshot", drill_arn, {"action": "drill_snapshot", "previous.$": "$.steps.drill"},
        "$.steps.drill", "Step1_EnsureNlb", "Drill_Snapshot", "Drill (snapshot)",
    )
    s["Step4_Verify"]["Next"] = "Step4_IsDrill"
    is_drill = {"Variable": "$.steps.drill.kind", "IsPresent": True}
    s["Step4_IsDrill"] = {
        "Type": "Choice",
        "Choices": [{**is_drill, "Next": "Drill_Hold"}],
        "Default": "Step4_NotifySuccess",
    }
    s["Drill_Hold"] = {"Type": "Wait", "SecondsPath": "$.steps.drill.hold_seconds", "Next": "Drill_Cleanup"}
    s["RouteFailure"] = {
        "Type": "Choice",
        "Choices": [{**is_drill, "Next": "Drill_Cleanup"}],
        "Default": "NotifyFailure",
    }
    s["Drill_Cleanup"] = {
        "Type": "Task",
        "Resource": drill_arn,
        "Parameters": {
            "action": "drill_cleanup",
            "before.$": "$.steps.drill",
            "execution_arn.$": "$$.Execution.Id",
            "state_machine_arn.$": "$$.StateMachine.Id",
        },
        "ResultPath": "$.steps.drill_cleanup",
        "TimeoutSeconds": b.task_timeout,
        "Retry": b.retry(),
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Drill_CleanupFailed"}],
        "Next": "Drill_Outcome",
    }
    s["Drill_Outcome"] = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.failure", "IsPresent": True, "Next": "Drill_NotifyFailed"}],
        "Default": "Drill_NotifySuccess",
    }
    b.notify(
        "Drill_NotifySuccess",
        "MegaTicket DR: drill passed, Tokyo back to idle",
        {"Message.$": "States.Format('Drill {} verified Tokyo through its own ALB name and returned it to "
                      "idle (no lock, no DNS change). Measured phases: `drctl report {}`', "
                      "$$.Execution.Id, $$.Execution.Id)"},
        "DrillSucceeded",
        "DrillSucceeded",
    )
    s["DrillSucceeded"] = {"Type": "Succeed"}
    b.notify(
        "Drill_NotifyFailed",
        "MegaTicket DR: drill FAILED, Tokyo back to idle",
        {"Message.$": "States.Format('Drill {} failed in {}: {}: {}. Tokyo was returned to idle. "
                      "Inspect with: `drctl report {}`', $$.Execution.Id, $.failure.step, "
                      "$.failure.Error, $.failure.Cause, $$.Execution.Id)"},
        "DrillFailed",
        "DrillFailed",
    )
    s["DrillFailed"] = {"Type": "Fail", "Error": "DrillFailed",
                        "Cause": "A drill step failed; Tokyo was returned to idle ($.failure says where)."}
    s["Drill_CleanupFailed"] = {
        "Type": "Pass",
        "Parameters": {"step": "Drill (cleanup)", "Error.$": "$.error.Error", "Cause.$": "$.error.Cause"},
        "ResultPath": "$.cleanup_failure",
        "Next": "Drill_NotifyCleanupFailed",
    }
    b.notify(
        "Drill_NotifyCleanupFailed",
        "MegaTicket DR: drill cleanup FAILED, Tokyo is NOT idle",
        {"Message.$": "States.Format('Drill {} could not return Tokyo to idle: {}: {}. Tokyo may still "
                      "run instances (no lock is set, so Seoul keeps the traffic). Check with `drctl "
                      "doctor`; `drctl failback --reason ...` scales Tokyo to 0.', $$.Execution.Id, "
                      "$.cleanup_failure.Error, $.cleanup_failure.Cause)"},
        "DrillCleanupFailed",
        "DrillCleanupFailed",
    )
    s["DrillCleanupFailed"] = {"Type": "Fail", "Error": "DrillCleanupFailed",
                               "Cause": "The drill cleanup failed; Tokyo may not be idle."}
    for state in s.values():  # every way into NotifyFailure passes RouteFailure first
        if state.get("Next") == "NotifyFailure":
            state["Next"] = "RouteFailure"


def failback_definition(
    *,
    failback_arn: str,
    failover_state_machine_arn: str,
    topic_arn: str,
    poll_seconds: int = 15,
    max_polls: int = 40,
    retry_interval_seconds: int = 2,
    retry_max_attempts: int = 5,
    task_timeout_seconds: int = 330,
) -> dict[str, Any]:
    _check_arn("failback_arn", failback_arn, "lambda")
    _check_arn("failover_state_machine_arn", failover_state_machine_arn, "states")
    _check_arn("topic_arn", topic_arn, "sns")
    for name, value in (
        ("poll_seconds", poll_seconds),
        ("max_polls", max_polls),
        ("retry_interval_seconds", retry_interval_seconds),
        ("retry_max_attempts", retry_max_attempts),
        ("task_timeout_seconds", task_timeout_seconds),
    ):
        _check_positive(name, value)
    b = _Builder(
        topic_arn, retry_interval_seconds, retry_max_attempts, task_timeout_seconds, poll_seconds, max_polls
    )
    s = b.states
    s["Init"] = _init_state(
        ["check_failover_idle", "check_lock", "scale_down", "remove_nlb", "restore_template"],
        "Failback_CheckFailoverIdle",
    )

    def task(name: str, action: str, key: str, next_state: str, label: str, **extra: Any) -> None:
        b.lambda_task(
            name,
            failback_arn,
            {"action": action, **extra, "previous.$": f"$.steps.{key}"},
            f"$.steps.{key}",
            next_state,
            name,
            label,
        )

    def refusal(task_name: str, error: str, state: str, label: str) -> None:
        """A deliberate refusal gets its own state (drctl and the history name it), then notifies."""
        s[task_name]["Catch"].insert(0, {"ErrorEquals": [error], "ResultPath": "$.error", "Next": state})
        s[state] = {
            "Type": "Pass",
            "Parameters": {"step": label, "Error.$": "$.error.Error", "Cause.$": "$.error.Cause"},
            "ResultPath": "$.failure",
            "Next": "NotifyFailure",
        }

    # A failover in flight is half applied: failing back under it would race it.
    task(
        "Failback_CheckFailoverIdle",
        "check_failover_idle",
        "check_failover_idle",
        "Failback_CheckLock",
        "Failback (no failover running)",
        failover_state_machine_arn=failover_state_machine_arn,
    )
    refusal(
        "Failback_CheckFailoverIdle",
        "FailoverRunningError",
        "Failback_FailoverRunning",
        "Failback (no failover running)",
    )
    task("Failback_CheckLock", "check_lock", "check_lock", "Failback_ScaleDown", "Failback (lock check)")
    refusal("Failback_CheckLock", "LockHeldError", "Failback_LockHeld", "Failback (lock check)")
    scale_down = {"previous.$": "$.steps.scale_down"}
    b.polled_task(
        function_arn=failback_arn,
        start=Task(
            "Failback_ScaleDown",
            {"action": "scale_down", **scale_down},
            "Failback_ScaleDown",
            "Failback (scale Tokyo to 0)",
        ),
        check=Task(
            "Failback_CheckEmpty",
            {"action": "check_empty", **scale_down},
            "Failback_CheckEmpty",
            "Failback (instances terminated)",
        ),
        choice="Failback_IsEmpty",
        wait="Failback_WaitForEmpty",
        prefix="Failback",
        result_path="$.steps.scale_down",
        progress_path="$.steps.scale_down",
        next_state="Failback_RemoveNlb",
    )
    task(
        "Failback_RemoveNlb", "remove_nlb", "remove_nlb", "Failback_RestoreTemplate", "Failback (remove NLB)"
    )
    task(
        "Failback_RestoreTemplate",
        "restore_template",
        "restore_template",
        "Failback_NotifySuccess",
        "Failback (restore placeholder)",
    )
    b.notify(
        "Failback_NotifySuccess",
        "MegaTicket DR: failback done",
        {
            "Message.$": "States.Format('Tokyo is back to its pilot light (0 instances). Execution: {}', "
            "$$.Execution.Id)"
        },
        "FailbackSucceeded",
        "FailbackSucceeded",
    )
    s["FailbackSucceeded"] = {"Type": "Succeed"}
    b.notify(
        "NotifyFailure",
        "MegaTicket DR: failback FAILED",
        _failure_notice("failback"),
        "FailbackFailed",
        "FailbackFailed",
    )
    s["FailbackFailed"] = {
        "Type": "Fail",
        "Error": "FailbackFailed",
        "Cause": (
            "A failback step failed, a failover is running or the lock is held; "
            "the notification and $.failure say which."
        ),
    }
    return {
        "Comment": (
            "MegaTicket DR failback: no failover running, lock check, scale Tokyo to 0, remove NLB, "
            "restore placeholder"
        ),
        "StartAt": "Init",
        "States": s,
    }

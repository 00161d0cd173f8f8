"""Step Functions executions as operators see them: which run, its steps, and how long recovery took.

The timeline comes from the execution history (StateEntered/StateExited events), so it works for
any run, finished or not, without trusting the Lambdas' own stamps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from drctl.decision import approval_decision
from drctl.usage import UsageError

# Tokyo counts as recovered when the verify step (health through the Tokyo ALB) has passed.
VERIFY_MARKERS = ("verify", "healthy")
APPROVAL_MARKERS = ("approval",)
_FAILURE_EVENTS = {"TaskFailed", "TaskTimedOut", "LambdaFunctionFailed", "LambdaFunctionTimedOut",
                   "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}
_SCHEDULED_EVENTS = {"TaskScheduled", "LambdaFunctionScheduled"}


@dataclass
class Step:
    name: str
    entered: datetime
    exited: datetime | None = None
    attempts: int = 1
    status: str = "running"  # running | succeeded | failed
    # When each task attempt was scheduled (a Retry schedules again inside the same state).
    scheduled: list[datetime] = field(default_factory=list)

    @property
    def seconds(self) -> float | None:
        return (self.exited - self.entered).total_seconds() if self.exited else None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "entered": iso(self.entered),
                "exited": iso(self.exited), "seconds": self.seconds, "attempts": self.attempts}


@dataclass
class Timeline:
    execution_arn: str
    name: str
    status: str
    started: datetime
    stopped: datetime | None
    input: Any
    steps: list[Step] = field(default_factory=list)
    error: str | None = None
    cause: str | None = None
    # Who decided the approval (drctl/decision.py); "none" until the history is read.
    decision: dict[str, Any] = field(default_factory=lambda: approval_decision(()))


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def running_execution(sfn: Any, state_machine_arn: str) -> str:
    running = sfn.list_executions(stateMachineArn=state_machine_arn, statusFilter="RUNNING",
                                  maxResults=10)["executions"]
    if not running:
        raise UsageError("no RUNNING execution of " + state_machine_arn.rsplit(":", 1)[-1]
                         + "; pass --execution ARN")
    return str(running[0]["executionArn"])


def latest_execution(sfn: Any, state_machine_arn: str) -> str | None:
    found = sfn.list_executions(stateMachineArn=state_machine_arn, maxResults=1)["executions"]
    return str(found[0]["executionArn"]) if found else None


def timeline(sfn: Any, execution_arn: str) -> Timeline:
    described = sfn.describe_execution(executionArn=execution_arn)
    try:
        execution_input = json.loads(described.get("input") or "null")
    except json.JSONDecodeError:
        execution_input = described.get("input")
    result = Timeline(execution_arn=execution_arn, name=described.get("name", ""),
                      status=described["status"], started=_parse_time(described["startDate"]) or
                      datetime.now(UTC), stopped=_parse_time(described.get("stopDate")),
                      input=execution_input, error=described.get("error"), cause=described.get("cause"))
    open_steps: dict[str, Step] = {}
    by_name: dict[str, Step] = {}
    events: list[dict[str, Any]] = []
    for page in sfn.get_paginator("get_execution_history").paginate(
            executionArn=execution_arn, includeExecutionData=True):
        events.extend(page["events"])
    current: Step | None = None
    for event in events:
        kind = event["type"]
        at = _parse_time(event["timestamp"]) or result.started
        if kind.endswith("StateEntered"):
            name = event["stateEnteredEventDetails"]["name"]
            if name in by_name:  # a polling loop re-entering the same step
                step = by_name[name]
                step.attempts += 1
                step.status = "running"
            else:
                step = Step(name=name, entered=at)
                by_name[name] = step
                result.steps.append(step)
            open_steps[name] = step
            current = step
        elif kind.endswith("StateExited"):
            name = event["stateExitedEventDetails"]["name"]
            step = by_name.get(name) or Step(name=name, entered=at)
            step.exited = at
            step.status = "succeeded"
            open_steps.pop(name, None)
        elif kind in _FAILURE_EVENTS and current is not None and current.name in open_steps:
            current.status = "failed"
        elif kind in _SCHEDULED_EVENTS and current is not None and current.name in open_steps:
            current.scheduled.append(at)
    result.decision = approval_decision(events)
    return result


def _alarm_time(execution_input: Any) -> datetime | None:
    """When the alarm fired, from the EventBridge event that started the run."""
    if not isinstance(execution_input, dict) or execution_input.get("source") == "manual":
        return None
    detail = execution_input.get("detail") or {}
    state = detail.get("state") or {} if isinstance(detail, dict) else {}
    return _parse_time(state.get("timestamp")) or _parse_time(execution_input.get("time"))


def _matches(name: str, markers: tuple[str, ...]) -> bool:
    return any(m in name.lower() for m in markers)


def recovery(t: Timeline) -> dict[str, Any]:
    """Measured recovery: alarm (or manual start) -> the verify step passing."""
    alarm = _alarm_time(t.input)
    start, start_kind = (alarm, "alarm") if alarm else (t.started, "execution start (manual run)")
    verify = next((s for s in reversed(t.steps) if _matches(s.name, VERIFY_MARKERS)
                   and s.status == "succeeded"), None)
    end: datetime | None
    # Only the verify step proves Tokyo serves: a rejected run also ends SUCCEEDED.
    if verify is not None:
        end, end_kind = verify.exited, f"{verify.name} succeeded"
    else:
        last = t.steps[-1].name if t.steps else "no steps"
        end, end_kind = None, f"not recovered (execution {t.status}, last state {last})"
    approvals = [s for s in t.steps if _matches(s.name, APPROVAL_MARKERS)]
    approval = sum(s.seconds or 0.0 for s in approvals)
    total = (end - start).total_seconds() if end else None
    decided = max((s.exited for s in approvals if s.exited), default=None)
    return {
        "start": iso(start), "start_from": start_kind, "end": iso(end), "end_from": end_kind,
        "seconds": None if total is None else round(total, 3),
        "approval_wait_seconds": round(approval, 3),
        "seconds_excluding_approval": None if total is None else round(total - _idle_wait(t, approvals), 3),
        # the model's approval_to_serving (drctl rto): from the decision to the verify step passing
        "approval_to_serving_seconds": None if end is None or decided is None
        else round((end - decided).total_seconds(), 3),
    }


def _idle_wait(t: Timeline, approvals: list[Step]) -> float:
    """The part of the approval wait in which nothing else ran. In a serial run that is the whole
    wait; the fast profile prepares Tokyo beside the approval (a Parallel state), so only the time
    after the last of those steps finished counts as waiting."""
    idle = 0.0
    for wait in approvals:
        if wait.exited is None:
            continue
        beside = [s.exited for s in t.steps if s not in approvals and s.exited
                  and wait.entered <= s.entered < wait.exited]
        idle += max(0.0, (wait.exited - max([wait.entered, *beside])).total_seconds())
    return idle


def timeline_dict(t: Timeline) -> dict[str, Any]:
    return {
        "execution": t.execution_arn, "name": t.name, "status": t.status,
        "started": iso(t.started), "stopped": iso(t.stopped),
        "error": t.error, "cause": t.cause,
        "steps": [s.as_dict() for s in t.steps],
    }


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = int(round(seconds))
    minutes, secs = divmod(whole, 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def render_timeline(t: Timeline) -> list[str]:
    lines = [f"{t.name}  {t.status}  started {iso(t.started)}"
             + (f"  stopped {iso(t.stopped)}" if t.stopped else "")]
    width = max((len(s.name) for s in t.steps), default=10)
    for s in t.steps:
        mark = {"succeeded": "✓", "failed": "✗"}.get(s.status, "…")
        tries = f"  x{s.attempts}" if s.attempts > 1 else ""
        lines.append(f"  {mark} {s.name:<{width}}  {iso(s.entered)} -> {iso(s.exited) or 'running':<20}"
                     f"  {duration(s.seconds):>7}{tries}")
    if t.error:
        lines.append(f"  error: {t.error}: {t.cause or ''}".rstrip())
    return lines

"""Drills: rehearse the failover in Tokyo, then put Tokyo back exactly as it was.

A drill is an execution of the failover machine whose input is `{"drill": true, "hold_seconds": N}`
(`drctl drill` starts it). It runs the real steps 1-4 (NLB, template, scale, verify through the
Tokyo ALB's own name) but never sets the failback lock, never opens an approval gate and never
touches DNS; it needs no approval. `Drill_Snapshot` records what it will change before step 1 and
`Drill_Cleanup` restores it after the hold, and after any failure (every Catch routes there).

An execution that is stopped (StopExecution, or TIMED_OUT) runs no more states, so the same cleanup
is also the target of an EventBridge rule on the failover machine's ABORTED and TIMED_OUT
executions (`cleanup_after_stop`, reading the snapshot back from the execution history).

A real alarm during a drill: step 0 of the real run stops the drill (`stop_running_drills`, error
DrillPreempted) before it asks for approval. The cleanup then finds a real run in flight (or the
lock held) and leaves Tokyo alone: what the drill built is what the real failover needs, and undoing
it under the real run would race it.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from failover import lock, nlb, scale
from failover.contract import DRILL_INPUT_KEY, DRILL_PREEMPTED_ERROR, NLB_ON_FAILOVER, REPORT_FINAL_STATUSES
from failover.errors import FailoverError, error_code, translate_throttling
from failover.settings import Capacity, Settings
from failover.stamps import now_iso

SNAPSHOT_STATE = "Drill_Snapshot"
STOPPED_STATUSES = ("ABORTED", "TIMED_OUT")
STATUS_CHANGE = "Step Functions Execution Status Change"  # the EventBridge detail-type
DRILL_KIND = "drill"


class DrillCleanupError(FailoverError):
    """Tokyo could not be returned to idle; the message names what is left."""


def stopped_pattern(state_machine_arn: str) -> dict[str, Any]:
    """The EventBridge pattern of the failover machine's stopped executions (the cleanup rule's)."""
    return {"source": ["aws.states"], "detail-type": [STATUS_CHANGE],
            "detail": {"status": list(STOPPED_STATUSES), "stateMachineArn": [state_machine_arn]}}


def finished_pattern(state_machine_arn: str) -> dict[str, Any]:
    """The EventBridge pattern of the machine's finished executions (the `<machine>-report` rule)."""
    return {"source": ["aws.states"], "detail-type": [STATUS_CHANGE],
            "detail": {"status": list(REPORT_FINAL_STATUSES), "stateMachineArn": [state_machine_arn]}}


def is_drill_input(execution_input: Any) -> bool:
    if isinstance(execution_input, str):
        try:
            execution_input = json.loads(execution_input)
        except json.JSONDecodeError:
            return False
    return isinstance(execution_input, dict) and execution_input.get(DRILL_INPUT_KEY) is True


def is_drill_state(steps_drill: Any) -> bool:
    """`$.steps.drill` of a drill execution (set by Drill_Start); `{}` in a real run."""
    return isinstance(steps_drill, dict) and steps_drill.get("kind") == DRILL_KIND


# --- snapshot -------------------------------------------------------------------------------------


@translate_throttling
def snapshot(autoscaling: Any, ec2: Any, elbv2: Any, s: Settings) -> dict[str, Any]:
    """What the drill may change: both groups' sizes and target groups, the web template's default
    and latest versions, and whether the NLB and its target group exist already."""
    groups = {}
    for name in (s.app_asg_name, s.web_asg_name):
        found = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
        if not found:
            raise FailoverError(f"Auto Scaling group {name} not found; the drill changed nothing")
        g = found[0]
        groups[name] = {"min": g["MinSize"], "desired": g["DesiredCapacity"], "max": g["MaxSize"],
                        "target_groups": sorted(g.get("TargetGroupARNs", []))}
    template = ec2.describe_launch_templates(LaunchTemplateNames=[s.web_launch_template_name])[
        "LaunchTemplates"][0]
    return {
        "kind": DRILL_KIND,
        "taken_at": now_iso(),
        "groups": groups,
        "template": {"name": s.web_launch_template_name, "id": template["LaunchTemplateId"],
                     "default_version": int(template["DefaultVersionNumber"]),
                     "latest_version": int(template["LatestVersionNumber"])},
        "nlb_existed": nlb.find_load_balancer(elbv2, s.nlb_name) is not None,
        "target_group_existed": nlb.find_target_group(elbv2, s.target_group_name) is not None,
    }


# --- cleanup --------------------------------------------------------------------------------------


def real_run_in_flight(sfn: Any, state_machine_arn: str, own_arn: str) -> str | None:
    """The ARN of a RUNNING execution of the machine that is not a drill, if any."""
    for page in sfn.get_paginator("list_executions").paginate(
            stateMachineArn=state_machine_arn, statusFilter="RUNNING"):
        for e in page["executions"]:
            if e["executionArn"] == own_arn:
                continue
            described = sfn.describe_execution(executionArn=e["executionArn"])
            if not is_drill_input(described.get("input")):
                return str(e["executionArn"])
    return None


@translate_throttling
def cleanup(autoscaling: Any, ec2: Any, elbv2: Any, sfn: Any, cloudwatch: Any, s: Settings,
            before: Any, *, execution_arn: str, state_machine_arn: str) -> dict[str, Any]:
    """Return Tokyo to the snapshot, unless a real failover has taken over (safe to run twice)."""
    if not isinstance(before, dict) or "taken_at" not in before:
        return {"skipped": "no snapshot: the drill stopped before it changed anything"}
    real = real_run_in_flight(sfn, state_machine_arn, execution_arn)
    if real:
        return {"skipped": f"real failover {real} is running: Tokyo stays as it is for it"}
    lock_state = lock.read_lock(cloudwatch, s)
    if lock_state["locked"]:
        return {"skipped": "the failback lock is held (drills never set it): a real failover owns Tokyo"}
    restored: dict[str, Any] = {"groups": {}, "template": {}, "nlb": {}}
    problems: list[str] = []
    tg_arn = (nlb.find_target_group(elbv2, s.target_group_name) or {}).get("TargetGroupArn")
    for name, was in before["groups"].items():
        restored["groups"][name] = scale.scale_group(
            autoscaling, name, Capacity(was["min"], was["desired"], was["max"]))
        if tg_arn and tg_arn not in was["target_groups"]:
            restored["groups"][name]["detached"] = scale.detach_target_group(autoscaling, name, tg_arn)
    restored["template"] = restore_template_versions(ec2, before["template"], problems)
    if s.nlb_mode == NLB_ON_FAILOVER and not before["nlb_existed"] and not before["target_group_existed"]:
        restored["nlb"] = nlb.remove_pipeline_nlb(elbv2, s)
    else:
        restored["nlb"] = {"skipped": "the NLB was there before the drill"}
    if problems:
        raise DrillCleanupError("; ".join(problems))
    return {"restored": restored, "cleaned_at": now_iso()}


def restore_template_versions(ec2: Any, was: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """Default version back, then delete the versions the drill created (latest back as before)."""
    current = ec2.describe_launch_templates(LaunchTemplateIds=[was["id"]])["LaunchTemplates"][0]
    if int(current["DefaultVersionNumber"]) != was["default_version"]:
        ec2.modify_launch_template(LaunchTemplateId=was["id"], DefaultVersion=str(was["default_version"]))
    latest = int(current["LatestVersionNumber"])
    extra = [str(v) for v in range(was["latest_version"] + 1, latest + 1)]
    deleted: list[str] = []
    if extra:
        answer = ec2.delete_launch_template_versions(LaunchTemplateId=was["id"], Versions=extra)
        gone = answer.get("SuccessfullyDeletedLaunchTemplateVersions", [])
        deleted = [str(v["VersionNumber"]) for v in gone]
        for v in answer.get("UnsuccessfullyDeletedLaunchTemplateVersions", []):
            problems.append(f"launch template {was['name']} version {v.get('VersionNumber')} was not "
                            f"deleted: {v.get('ResponseError', {}).get('Message', 'unknown')}")
    return {"default_version": was["default_version"], "deleted_versions": deleted}


# --- a real alarm during a drill ----------------------------------------------------------------------


@translate_throttling
def stop_running_drills(sfn: Any, state_machine_arn: str, execution_arn: str) -> list[str]:
    """A real run stops every running drill of its machine before asking for approval."""
    stopped = []
    for page in sfn.get_paginator("list_executions").paginate(
            stateMachineArn=state_machine_arn, statusFilter="RUNNING"):
        for e in page["executions"]:
            if e["executionArn"] == execution_arn:
                continue
            if is_drill_input(sfn.describe_execution(executionArn=e["executionArn"]).get("input")):
                try:
                    sfn.stop_execution(executionArn=e["executionArn"], error=DRILL_PREEMPTED_ERROR,
                                       cause=f"real failover {execution_arn} takes over Tokyo")
                except ClientError as err:
                    if "ExecutionDoesNotExist" not in error_code(err):
                        raise
                stopped.append(str(e["executionArn"]))
    return stopped


# --- a stopped drill (EventBridge: Step Functions Execution Status Change) ------------------------------


def snapshot_from_history(sfn: Any, execution_arn: str) -> Any:
    """`$.steps.drill` as Drill_Snapshot left it, read back from the execution history."""
    for page in sfn.get_paginator("get_execution_history").paginate(
            executionArn=execution_arn, includeExecutionData=True):
        for event in page["events"]:
            details = event.get("stateExitedEventDetails") or {}
            if details.get("name") == SNAPSHOT_STATE and details.get("output"):
                return (json.loads(details["output"]).get("steps") or {}).get("drill")
    return None


def cleanup_after_stop(event: dict[str, Any], autoscaling: Any, ec2: Any, elbv2: Any, sfn: Any,
                       cloudwatch: Any, s: Settings) -> dict[str, Any]:
    detail = event.get("detail") or {}
    arn, status = str(detail.get("executionArn", "")), detail.get("status")
    if status not in STOPPED_STATUSES or not is_drill_input(detail.get("input")):
        return {"skipped": f"{arn or 'execution'} is {status}, not a stopped drill"}
    before = snapshot_from_history(sfn, arn)
    result = cleanup(autoscaling, ec2, elbv2, sfn, cloudwatch, s, before, execution_arn=arn,
                     state_machine_arn=str(detail.get("stateMachineArn", "")))
    return {"execution": arn, "status": status, **result}

"""failover / approve / reject / status / report against running executions.

moto executes the state machine (execute_state_machine); step 0 is a real `waitForTaskToken`
callback, so `drctl approve` must find the token in the history exactly as it would on AWS.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from drctl.report_markdown import RECOVERY_PHASE
from tests.drctl.conftest import drctl
from tests.drctl.pilot_light import APPROVAL_STATE
from tests.mermaid_check import mermaid_blocks, parse_gantt


def _sfn(endpoint: str) -> Any:
    return boto3.client("stepfunctions", region_name="ap-northeast-1", endpoint_url=endpoint)


def _until(predicate: Any, what: str) -> Any:
    """moto runs executions on a thread: wait (bounded) for the state the next command needs."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _waiting_for_approval(sfn: Any, arn: str) -> bool:
    events = sfn.get_execution_history(executionArn=arn)["events"]
    return any(e["type"] == "TaskScheduled" for e in events)


def _finished(sfn: Any, arn: str) -> str | None:
    status = sfn.describe_execution(executionArn=arn)["status"]
    return None if status == "RUNNING" else status


def _phases_add_up(report: dict[str, Any], reached: set[str]) -> None:
    """The measured phases of a run add up to its total; exactly `reached` were measured."""
    measured = {p["phase"] for p in report["phases"] if p["seconds"] is not None}
    assert measured == reached, measured
    assert sum(p["milliseconds"] or 0 for p in report["phases"]) == report["total_milliseconds"]
    assert abs(sum(p["seconds"] or 0 for p in report["phases"]) - report["total_seconds"]) < 1e-6
    assert all(p["seconds"] is None or p["seconds"] >= 0 for p in report["phases"])


def test_manual_failover_waits_for_approval_then_report_measures_recovery(moto, stack):
    sfn = _sfn(moto.endpoint)
    # GIVEN no run in progress, WHEN an operator starts a failover by hand
    started = drctl(moto.endpoint, "failover", "--reason", "game day drill")
    assert started.code == 0, started.stderr
    arn = started.stdout.split()[1]
    assert arn.startswith(stack["state_machine_arn"].replace(":stateMachine:", ":execution:"))
    _until(lambda: _waiting_for_approval(sfn, arn), "step 0 to ask for approval")

    # THEN a second start is refused while the first runs
    second = drctl(moto.endpoint, "failover", "--reason", "again")
    assert second.code == 1 and "is still RUNNING" in second.stderr and "Traceback" not in second.stderr

    # AND status shows step 0 waiting, with the lock state
    status = drctl(moto.endpoint, "status")
    assert status.code == 0
    assert f"  … {APPROVAL_STATE}" in status.stdout and "running" in status.stdout
    assert "failback lock: released" in status.stdout

    # WHEN the operator approves (drctl finds the task token itself)
    approved = drctl(moto.endpoint, "approve")
    assert approved.code == 0, approved.stderr
    assert approved.stdout.startswith("approved manual-")
    assert _until(lambda: _finished(sfn, arn), "the run to finish") == "SUCCEEDED"

    # THEN report lists every step with times and the measured recovery (manual: from start)
    name = arn.rsplit(":", 1)[-1]
    report = drctl(moto.endpoint, "report", name, "--json")
    assert report.code == 0, report.stderr
    data = report.json()
    assert [s["name"] for s in data["steps"]] == [
        "Init", APPROVAL_STATE, "Step0_CheckDecision", "Step0_Approved", "Step1_EnsureNlb",
        "Step2_PointLaunchTemplate", "Step3_ScaleApp", "Step4_Verify", "Step4_NotifySuccess",
        "FailoverSucceeded"]
    assert all(s["status"] == "succeeded" and s["exited"] >= s["entered"] for s in data["steps"])
    recovery = data["recovery"]
    assert recovery["start_from"] == "execution start (manual run)"
    assert recovery["end_from"] == "Step4_Verify succeeded"
    assert recovery["seconds"] >= recovery["approval_wait_seconds"] >= 0
    _phases_add_up(data, reached={"approval_wait", "nlb", "template", "boot_to_in_service",
                                  "targets_healthy", "verification"})
    text = drctl(moto.endpoint, "report", arn)
    assert "  ✓ Step4_Verify" in text.stdout and "\nrecovery: " in text.stdout
    assert "of which waiting for approval: " in text.stdout
    # AND the Markdown page draws the same steps as a gantt chart (tests/drctl/test_report_markdown.py)
    page = drctl(moto.endpoint, "report", name, "--markdown")
    assert page.code == 0, page.stderr
    tasks = parse_gantt(mermaid_blocks(page.stdout)[0])
    assert [t.name for t in tasks] == [RECOVERY_PHASE] + [s["name"] for s in data["steps"]]
    assert all(t.tag == "done" and t.end >= t.start for t in tasks)
    both = drctl(moto.endpoint, "report", name, "--markdown", "--json")
    assert both.code == 2 and both.stderr == "drctl: error: --json and --markdown are two outputs: choose one\n"

    # AND with nothing running, approve is a one-line usage error
    again = drctl(moto.endpoint, "approve")
    assert again.code == 2 and again.stderr.startswith("drctl: error: no RUNNING execution")


def test_alarm_triggered_run_is_measured_from_the_alarm(moto, stack):
    sfn = _sfn(moto.endpoint)
    # GIVEN a run started by the EventBridge alarm event, alarm fired 3 minutes before
    alarm_at = (datetime.now(UTC) - timedelta(minutes=3)).replace(microsecond=0)
    event = {"source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change",
             "time": alarm_at.isoformat().replace("+00:00", "Z"),
             "detail": {"alarmName": "MegaTicket-Primary-HealthCheck-Alarm",
                        "state": {"value": "ALARM", "timestamp": alarm_at.isoformat()}}}
    arn = sfn.start_execution(stateMachineArn=stack["state_machine_arn"], name="alarm-run",
                              input=json.dumps(event))["executionArn"]
    _until(lambda: _waiting_for_approval(sfn, arn), "step 0 to ask for approval")
    # WHEN approved by execution name and finished
    assert drctl(moto.endpoint, "approve", "--execution", "alarm-run").code == 0
    _until(lambda: _finished(sfn, arn), "the run to finish")
    # THEN recovery counts from the alarm, so it is at least the 3 minutes before the run
    data = drctl(moto.endpoint, "report", "latest", "--json").json()
    recovery = data["recovery"]
    # (moto implements no DescribeAlarmHistory: detection is unmeasured and the report says why)
    _phases_add_up(data, reached={"event_delivery", "approval_wait", "nlb", "template",
                                  "boot_to_in_service", "targets_healthy", "verification"})
    assert "detection not measured" in data["detection_source"]
    assert recovery["start_from"] == "alarm"
    assert recovery["start"] == alarm_at.isoformat().replace("+00:00", "Z")
    assert 180 <= recovery["seconds"] < 600


def test_rejected_run_stops_at_step0_and_is_not_a_recovery(moto, stack):
    sfn = _sfn(moto.endpoint)
    arn = drctl(moto.endpoint, "failover", "--reason", "flapping alarm").stdout.split()[1]
    _until(lambda: _waiting_for_approval(sfn, arn), "step 0 to ask for approval")
    # WHEN the operator rejects with a reason
    rejected = drctl(moto.endpoint, "reject", "--reason", "Seoul recovered")
    assert rejected.code == 0 and "Seoul recovered" in rejected.stdout
    _until(lambda: _finished(sfn, arn), "the run to finish")
    # THEN no step after approval ran and report says not recovered
    data = drctl(moto.endpoint, "report", "latest", "--json").json()
    names = [s["name"] for s in data["steps"]]
    assert "Step0_Rejected" in names and "Step1_EnsureNlb" not in names
    assert data["recovery"]["seconds"] is None
    assert data["recovery"]["end_from"].startswith("not recovered")
    _phases_add_up(data, reached=set())
    # AND the doctor's last-execution check still passes (a rejection is a decision, not a fault)
    doctor = drctl(moto.endpoint, "doctor", "--only", "last-execution")
    assert doctor.code == 0 and "SUCCEEDED" in doctor.stdout


def test_report_of_unknown_execution_is_a_usage_error(moto, stack):
    run = drctl(moto.endpoint, "report", "no-such-run")
    assert run.code == 2
    assert run.stderr.strip() == ("drctl: error: EXECUTION must be an execution of stfc-stepfunction-dev-an1 "
                                  "(got no-such-run: not found)")

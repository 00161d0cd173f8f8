"""Drills in moto's interpreter: the failover machine with a drill input runs steps 1-4 without the
lock or approval, holds, and always returns Tokyo exactly to what it was (acceptance of issue 13)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from failover import drill, handlers
from failover.approval import approve_execution
from failover.contract import DRILL_PREEMPTED_ERROR
from tests import moto_gaps
from tests.failover.conftest import REGION
from tests.failover.machine import ALARM_EVENT, ONCALL, Run, failover_asl, nlbs

DRILL = {"drill": True, "hold_seconds": 1, "source": "drill", "reason": "monthly drill"}


@pytest.fixture(autouse=True)
def _gaps() -> None:
    moto_gaps.install()  # DeleteLaunchTemplateVersions (gap 7)


def idle_state(tokyo: Any) -> dict[str, Any]:
    """Everything a drill may touch, as operators (and the doctor) read it."""
    groups = tokyo.autoscaling.describe_auto_scaling_groups(
        AutoScalingGroupNames=[tokyo.settings.app_asg_name, tokyo.settings.web_asg_name])["AutoScalingGroups"]
    template = tokyo.ec2.describe_launch_templates(LaunchTemplateIds=[tokyo.template_id])["LaunchTemplates"][0]
    lock = tokyo.cloudwatch.get_metric_statistics(
        Namespace="MegaTicket/DR", MetricName="FailoverLock", StartTime="2020-01-01", EndTime="2100-01-01",
        Period=60, Statistics=["Maximum"])["Datapoints"]
    gate = tokyo.cloudwatch.list_metrics(Namespace="MegaTicket/DR")["Metrics"]
    return {
        "groups": {g["AutoScalingGroupName"]: (g["MinSize"], g["DesiredCapacity"], g["MaxSize"],
                                               sorted(g.get("TargetGroupARNs", []))) for g in groups},
        "template": (template["DefaultVersionNumber"], template["LatestVersionNumber"]),
        "latest_user_data": tokyo.latest_user_data(),
        "lock": lock,
        "metrics": gate,  # neither the lock nor an approval gate metric is ever written
        "nlbs": nlbs(tokyo),
        "target_groups": [t["TargetGroupName"] for t in tokyo.elbv2.describe_target_groups()["TargetGroups"]],
    }


def test_drill_happy_path_verifies_tokyo_then_leaves_it_exactly_as_before(
    tokyo: Any, route_lambdas: Any, healthy_tokyo_http: Any
) -> None:
    tokyo.add_template_version("#!/bin/bash\nexport INTERNAL_API_URL=http://NLB_DNS_PLACEHOLDER:3001\n")
    tokyo.ec2.modify_launch_template(LaunchTemplateId=tokyo.template_id, DefaultVersion="1")
    before = idle_state(tokyo)
    run = Run(tokyo.client("stepfunctions"), failover_asl())
    run.start(DRILL, name="drill-1")
    result = run.finish()

    events = run.sfn.get_execution_history(executionArn=run.arn, maxResults=1000)["events"]
    assert result["status"] == "SUCCEEDED", [str(e)[:600] for e in events if "Failed" in e["type"]][0]
    states = run.states_entered()
    assert states[:4] == ["Init", "RunKind", "Drill_Start", "Drill_Snapshot"]
    assert "Step0_WaitForApproval" not in states  # no approval
    assert states[-4:] == ["Drill_Cleanup", "Drill_Outcome", "Drill_NotifySuccess", "DrillSucceeded"]
    out = run.output()["steps"]
    # the same steps ran: NLB created, template pointed at it, both tiers scaled and healthy, verified
    # through the Tokyo ALB's own name (not the public record)
    assert out["step1"]["created_by_pipeline"] is True and out["step2"]["changed"] is True
    assert out["step3"]["app"]["healthy"] == 1 and out["step3"]["web"]["in_service"] == 1
    assert healthy_tokyo_http == [f"http://{tokyo.settings.alb_dns_name}/api/health"]
    assert out["step3"]["app"]["lock"] == {"skipped": "drill: the failback lock is never set"}
    assert out["step4"]["lock"] == {"skipped": "drill: the failback lock is never set"}
    # nothing called the approval Lambda
    assert "stfc-lambda-dev-step0" not in [name for name, _ in route_lambdas.calls]
    # THEN Tokyo is exactly as before: sizes, template default/latest, lock, metrics, NLB
    assert idle_state(tokyo) == before
    assert out["drill_cleanup"]["restored"]["template"]["deleted_versions"] == ["3"]
    assert tokyo.notifications()[-1]["Subject"] == "MegaTicket DR: drill passed, Tokyo back to idle"


def test_drill_with_a_failing_step_still_cleans_up(tokyo: Any, route_lambdas: Any) -> None:
    before = idle_state(tokyo)
    # step 4 finds Tokyo's ALB answering as the wrong region: the drill fails after scaling
    handlers_http = {"calls": 0}

    def wrong_region(url: str, timeout: int) -> tuple[int, str]:
        handlers_http["calls"] += 1
        return 200, json.dumps({"status": "ok", "region": "ap-northeast-2"})

    original = handlers.http_get
    handlers.http_get = wrong_region
    try:
        run = Run(tokyo.client("stepfunctions"), failover_asl())
        run.start(DRILL, name="drill-fails")
        result = run.finish()
    finally:
        handlers.http_get = original

    assert result["status"] == "FAILED" and result["error"] == "DrillFailed"
    states = run.states_entered()
    assert states[-6:] == ["Step4_Failed", "RouteFailure", "Drill_Cleanup", "Drill_Outcome",
                           "Drill_NotifyFailed", "DrillFailed"]
    assert "NotifyFailure" not in states
    assert idle_state(tokyo) == before
    failed = tokyo.notifications()[-1]
    assert failed["Subject"] == "MegaTicket DR: drill FAILED, Tokyo back to idle"
    assert "Step 4 (verify)" in failed["Message"]


def test_drill_failing_before_anything_changed_cleans_up_nothing(tokyo: Any, route_lambdas: Any) -> None:
    before = idle_state(tokyo)
    tokyo.autoscaling.delete_auto_scaling_group(AutoScalingGroupName=tokyo.settings.web_asg_name,
                                                ForceDelete=True)
    run = Run(tokyo.client("stepfunctions"), failover_asl())
    run.start(DRILL, name="drill-no-group")
    assert run.finish()["status"] == "FAILED"
    assert run.states_entered()[-6:] == ["Drill_Snapshot_Failed", "RouteFailure", "Drill_Cleanup",
                                         "Drill_Outcome", "Drill_NotifyFailed", "DrillFailed"]
    assert _exited(run, "Drill_Cleanup")["steps"]["drill_cleanup"]["skipped"].startswith("no snapshot")
    assert nlbs(tokyo) == before["nlbs"]


def test_drill_input_without_a_valid_hold_is_refused_before_any_step(tokyo: Any, route_lambdas: Any) -> None:
    run = Run(tokyo.client("stepfunctions"), failover_asl())
    bad_inputs = ({"drill": True}, {"drill": True, "hold_seconds": -1}, {"drill": True, "hold_seconds": "600"},
                  {"drill": True, "hold_seconds": 10**9})
    for number, bad in enumerate(bad_inputs):
        run.start(bad, name=f"drill-bad-{number}")
        result = run.finish()
        assert result["status"] == "FAILED" and result["error"] == "DrillInputError", bad
    assert route_lambdas.calls == []


def test_real_alarm_during_a_drill_stops_it_and_the_real_failover_proceeds(
    tokyo: Any, route_lambdas: Any, healthy_tokyo_http: Any
) -> None:
    sfn = tokyo.client("stepfunctions")
    drill_run = Run(sfn, failover_asl(), name="stfc-stepfunction-dev-an1")
    drill_run.start({**DRILL, "hold_seconds": 600}, name="drill-held")
    # wait until the drill holds (after verify) without sleeping: step 4 has been invoked
    assert route_lambdas.event("stfc-lambda-dev-step4").wait(20)
    _until_state(sfn, drill_run.arn, "Drill_Hold")

    # WHEN the real alarm starts the same machine
    real = Run.__new__(Run)
    real.sfn, real.machine_arn = sfn, drill_run.machine_arn
    real.start(ALARM_EVENT, name="alarm-1")
    assert route_lambdas.event("stfc-lambda-dev-step0").wait(20)

    # THEN the drill is stopped (not cleaned up under the real run) and the real run asks for approval
    drill_run._thread.join(20)
    described = sfn.describe_execution(executionArn=drill_run.arn)
    assert described["status"] == "ABORTED"
    assert DRILL_PREEMPTED_ERROR in (described.get("error") or "") or described.get("error") is None
    assert "Drill_Cleanup" not in drill_run.states_entered()
    _until_state(sfn, real.arn, "Step0_WaitForApproval")

    # AND the stopped-drill cleanup (EventBridge on ABORTED) leaves Tokyo to the real failover
    event = {"detail-type": drill.STATUS_CHANGE, "source": "aws.states", "detail": {
        "executionArn": drill_run.arn, "stateMachineArn": drill_run.machine_arn, "status": "ABORTED",
        "input": json.dumps({**DRILL, "hold_seconds": 600})}}
    skipped = handlers.failback(event, None)
    assert skipped["skipped"].startswith(f"real failover {real.arn} is running")
    assert tokyo.autoscaling.describe_auto_scaling_groups(
        AutoScalingGroupNames=[tokyo.settings.web_asg_name])["AutoScalingGroups"][0]["DesiredCapacity"] == 1

    # WHEN approved, the real failover finishes and sets the lock (which the drill never did)
    approve_execution(sfn, real.arn, ONCALL)
    assert real.finish()["status"] == "SUCCEEDED"
    assert real.states_entered()[-1] == "FailoverSucceeded"
    assert real.output()["steps"]["step4"]["lock"]["lock"] == 1


def test_a_drill_stopped_by_hand_is_cleaned_up_from_its_history(
    tokyo: Any, route_lambdas: Any, healthy_tokyo_http: Any
) -> None:
    before = idle_state(tokyo)
    sfn = tokyo.client("stepfunctions")
    run = Run(sfn, failover_asl())
    run.start({**DRILL, "hold_seconds": 600}, name="drill-stopped")
    _until_state(sfn, run.arn, "Drill_Hold")
    sfn.stop_execution(executionArn=run.arn, error="Operator", cause="enough")
    run._thread.join(20)
    assert sfn.describe_execution(executionArn=run.arn)["status"] == "ABORTED"
    assert idle_state(tokyo) != before  # a stopped execution runs no more states

    # WHEN the EventBridge rule delivers the ABORTED status change to the failback Lambda
    event = {"detail-type": drill.STATUS_CHANGE, "source": "aws.states", "detail": {
        "executionArn": run.arn, "stateMachineArn": run.machine_arn, "status": "ABORTED",
        "input": json.dumps({**DRILL, "hold_seconds": 600})}}
    cleaned = handlers.failback(event, None)
    assert cleaned["status"] == "ABORTED" and "restored" in cleaned
    assert idle_state(tokyo) == before
    # AND delivering it twice is harmless; a stopped real run is never "cleaned up"
    handlers.failback(event, None)
    assert idle_state(tokyo) == before
    real = {**event, "detail": {**event["detail"], "input": json.dumps(ALARM_EVENT)}}
    assert handlers.failback(real, None)["skipped"].endswith("not a stopped drill")


def _exited(run: Run, state: str) -> dict[str, Any]:
    events = run.sfn.get_execution_history(executionArn=run.arn, maxResults=1000)["events"]
    [output] = [e["stateExitedEventDetails"]["output"] for e in events
                if e.get("stateExitedEventDetails", {}).get("name") == state]
    return dict(json.loads(output))


def _until_state(sfn: Any, arn: str, state: str, timeout: float = 20) -> None:
    import threading

    done = threading.Event()
    for _ in range(int(timeout * 20)):
        events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        if any(e.get("stateEnteredEventDetails", {}).get("name") == state for e in events):
            return
        done.wait(0.05)
    raise AssertionError(f"{arn} never entered {state}")


assert REGION


def test_doctor_reports_the_last_successful_drill_its_age_and_measured_recovery(
    tokyo: Any, route_lambdas: Any, healthy_tokyo_http: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime, timedelta

    from failover.checks import CheckSettings, check_drill_recovery_time, check_last_drill

    def clients(service: str, region: str) -> Any:
        return tokyo.client(service, region)

    s = CheckSettings(dr_region=REGION, drill_max_age_days=30)
    run = Run(tokyo.client("stepfunctions"), failover_asl())
    # GIVEN no drill yet: both checks warn (pass, marked warn) and say how to run one
    for check in (check_last_drill, check_drill_recovery_time):
        result = check(clients, s)
        assert result.ok and result.status == "warn", result
        assert "no successful drill" in result.detail and "drctl drill --stack tokyo --yes" in result.fix
    # WHEN a drill succeeds
    run.start(DRILL, name="drill-1")
    assert run.finish()["status"] == "SUCCEEDED"
    fresh = check_last_drill(clients, s)
    assert fresh.status == "ok" and fresh.detail.startswith("drill-1 SUCCEEDED") and "0.0 days ago" in fresh.detail
    measured = check_drill_recovery_time(clients, s)
    assert measured.status == "ok" and measured.detail.startswith("drill-1: start to Step4_Verify passed in ")
    assert "(target 600 s)" in measured.detail
    # THEN once it is older than drill.maxAgeDays, the check warns
    later = CheckSettings(dr_region=REGION, drill_max_age_days=30,
                          now=lambda: datetime.now(UTC) + timedelta(days=31))
    old = check_last_drill(clients, later)
    assert old.ok and old.status == "warn" and old.detail.startswith("older than drill.maxAgeDays")
    assert old.fix == "`drctl drill --stack tokyo --yes`"
    # AND a drill slower than the runbook's 10 minutes warns with the report to read
    import failover.check_drill as check_drill

    monkeypatch.setattr(check_drill, "DOCUMENT_RTO_SECONDS", (0, 0))
    result = check_drill_recovery_time(clients, CheckSettings(dr_region=REGION))
    assert result.status == "warn" and result.detail.startswith("slower than the runbook's target")
    assert result.fix.startswith("`drctl report drill-1`")

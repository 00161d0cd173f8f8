"""The failback lock from the operator's side: status/doctor show it, failback refuses while it is
held, and release-lock puts 0 in us-east-1 only with --yes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3

from tests.drctl.conftest import drctl


def test_failback_is_refused_while_locked_and_release_lock_needs_yes(moto, stack):
    cw = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=moto.endpoint)
    # GIVEN step 4 set the failback lock a few minutes ago (a lock and a release in the same minute
    # read as locked: the checks take the minute's Maximum, so the lock wins a tie)
    cw.put_metric_data(Namespace="MegaTicket/DR", MetricData=[
        {"MetricName": "FailoverLock", "Value": 1.0, "Unit": "Count",
         "Timestamp": datetime.now(UTC) - timedelta(minutes=5)}])
    assert "failback lock: LOCKED (FailoverLock=1.0" in drctl(moto.endpoint, "status").stdout
    doctor = drctl(moto.endpoint, "doctor", "--only", "failback-lock")
    assert doctor.code == 0 and "✓ failback-lock — LOCKED" in doctor.stdout
    # WHEN failback is asked for, THEN it is refused with the way out
    refused = drctl(moto.endpoint, "failback", "--reason", "Seoul is back")
    assert refused.code == 1 and "drctl release-lock --yes" in refused.stderr
    # AND release-lock without --yes changes nothing
    unconfirmed = drctl(moto.endpoint, "release-lock")
    assert unconfirmed.code == 2 and "needs --yes" in unconfirmed.stderr
    # WHEN released with --yes, the latest datapoint is 0 and failback starts
    released = drctl(moto.endpoint, "release-lock", "--yes")
    assert released.code == 0 and "FailoverLock=0 in us-east-1" in released.stdout
    assert "failback lock: released (FailoverLock=0.0" in drctl(moto.endpoint, "status").stdout
    failback = drctl(moto.endpoint, "failback", "--reason", "Seoul is back")
    assert failback.code == 0, failback.stderr
    assert ":execution:stfc-stepfunction-dev-an1-failback:manual-" in failback.stdout


def test_failback_is_refused_while_a_failover_runs_even_with_the_lock_held(moto, stack):
    sfn = boto3.client("stepfunctions", region_name="ap-northeast-1", endpoint_url=moto.endpoint)
    cw = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=moto.endpoint)
    # GIVEN a failover execution RUNNING (waiting at step 0) and the lock it would hold
    started = drctl(moto.endpoint, "failover", "--reason", "Seoul down")
    assert started.code == 0, started.stderr
    failover_arn = started.stdout.split()[1]
    cw.put_metric_data(Namespace="MegaTicket/DR", MetricData=[
        {"MetricName": "FailoverLock", "Value": 1.0, "Unit": "Count",
         "Timestamp": datetime.now(UTC) - timedelta(minutes=5)}])
    # WHEN failback is asked for
    refused = drctl(moto.endpoint, "failback", "--reason", "Seoul is back")
    # THEN one line names the running failover (not the lock: releasing it now would be wrong), exit 2
    assert refused.code == 2, refused.stderr
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert f"failover execution {failover_arn} is RUNNING" in refused.stderr
    assert "release-lock" not in refused.stderr
    # AND no failback execution was started
    failback_arn = stack["state_machine_arn"] + "-failback"
    assert sfn.list_executions(stateMachineArn=failback_arn)["executions"] == []
    sfn.stop_execution(executionArn=failover_arn)

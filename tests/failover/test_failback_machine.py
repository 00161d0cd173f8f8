"""The failback machine under moto: refuses while a failover runs or the lock is held; otherwise
returns Tokyo to its pilot light (0 instances), removes the NLB the pipeline created and restores
the placeholder."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from failover.approval import reject_execution
from failover.launch_template import point_template_at_nlb
from failover.lock import set_lock
from failover.nlb import ensure_nlb
from failover.scale import attach_target_group, scale_group
from tests.failover.machine import ONCALL, Run, failback_asl, failover_asl, nlbs, started_and_waiting

FAILBACK = "stfc-stepfunction-dev-an1-failback"


def _failed_over(tokyo: Any, failover_machine: bool = True) -> str:
    """Tokyo as the failover left it: NLB, rewritten template, both tiers running, lock set an hour ago,
    and (unless the test makes its own) the failover state machine with no execution running."""
    s = tokyo.settings
    if failover_machine:
        Run(tokyo.client("stepfunctions"), failover_asl())
    nlb = ensure_nlb(tokyo.elbv2, s)
    point_template_at_nlb(tokyo.ec2, s.web_launch_template_name, nlb["nlb_dns"])
    attach_target_group(tokyo.autoscaling, s.app_asg_name, nlb["target_group_arn"])
    scale_group(tokyo.autoscaling, s.app_asg_name, s.app_capacity)
    scale_group(tokyo.autoscaling, s.web_asg_name, s.web_capacity)
    # CloudWatch keeps one-minute buckets: a lock and its release in the same minute read as "held".
    tokyo.cloudwatch.put_metric_data(
        Namespace=s.lock_namespace,
        MetricData=[
            {"MetricName": s.lock_metric, "Value": 1.0, "Timestamp": datetime.now(UTC) - timedelta(hours=1)}
        ],
    )
    return str(nlb["nlb_dns"])


def _instances(tokyo: Any) -> int:
    groups = tokyo.autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"]
    return sum(len(g["Instances"]) for g in groups)


def test_failback_refuses_while_the_lock_is_held(tokyo: Any, route_lambdas: Any) -> None:
    _failed_over(tokyo)
    run = Run(tokyo.client("stepfunctions"), failback_asl(), name=FAILBACK)
    run.start({"source": "manual"}, name="failback-1")

    result = run.finish()

    assert result["status"] == "FAILED" and result["error"] == "FailbackFailed"
    assert run.states_entered()[-3:] == ["Failback_LockHeld", "NotifyFailure", "FailbackFailed"]
    assert "drctl release-lock" in tokyo.notifications()[-1]["Message"]
    assert _instances(tokyo) == 2 and nlbs(tokyo) == ["MegaTicket-DR-NLB"]


def test_failback_refuses_while_a_failover_runs(tokyo: Any, route_lambdas: Any) -> None:
    # GIVEN Tokyo failed over and the lock released, but a new failover execution waits for approval
    failover = started_and_waiting(tokyo, route_lambdas)
    _failed_over(tokyo, failover_machine=False)
    set_lock(tokyo.cloudwatch, tokyo.settings, 0)
    run = Run(tokyo.client("stepfunctions"), failback_asl(), name=FAILBACK)
    # WHEN failback starts
    run.start({"source": "manual"}, name="failback-running")
    result = run.finish()
    # THEN it stops in its first state, names the running failover, and touches nothing
    assert result["status"] == "FAILED" and result["error"] == "FailbackFailed"
    assert run.states_entered()[-3:] == ["Failback_FailoverRunning", "NotifyFailure", "FailbackFailed"]
    notice = tokyo.notifications()[-1]["Message"]
    assert "Failback (no failover running)" in notice and failover.arn in notice
    actions = [e.get("action") for name, e in route_lambdas.calls if name == "stfc-lambda-dev-failback"]
    assert actions == ["check_failover_idle"]
    assert _instances(tokyo) == 2 and nlbs(tokyo) == ["MegaTicket-DR-NLB"]
    reject_execution(failover.sfn, failover.arn, ONCALL, "test over")
    failover.finish()


def test_failback_after_release_returns_tokyo_to_the_pilot_light(tokyo: Any, route_lambdas: Any) -> None:
    dns = _failed_over(tokyo)
    set_lock(tokyo.cloudwatch, tokyo.settings, 0)  # what `drctl release-lock` does
    run = Run(tokyo.client("stepfunctions"), failback_asl(), name=FAILBACK)
    run.start({"source": "manual"}, name="failback-2")

    result = run.finish()

    assert result["status"] == "SUCCEEDED", run.states_entered()
    assert _instances(tokyo) == 0
    assert nlbs(tokyo) == [] and tokyo.elbv2.describe_target_groups()["TargetGroups"] == []
    text = tokyo.latest_user_data()
    assert "INTERNAL_API_URL=http://NLB_DNS_PLACEHOLDER:3001" in text and dns not in text
    assert tokyo.notifications()[-1]["Subject"] == "MegaTicket DR: failback done"


@pytest.mark.parametrize("mode", ["standby"])
def test_failback_in_standby_mode_keeps_the_nlb_and_template(
    tokyo: Any, route_lambdas: Any, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    dns = _failed_over(tokyo)
    set_lock(tokyo.cloudwatch, tokyo.settings, 0)
    for key, value in dataclasses.replace(tokyo.settings, nlb_mode=mode).to_env().items():
        monkeypatch.setenv(key, value)
    run = Run(tokyo.client("stepfunctions"), failback_asl(), name=FAILBACK)
    run.start({"source": "manual"}, name="failback-3")

    assert run.finish()["status"] == "SUCCEEDED"
    assert _instances(tokyo) == 0
    assert nlbs(tokyo) == ["MegaTicket-DR-NLB"] and dns in tokyo.latest_user_data()

"""The fast profile's failover machine under moto's interpreter: Tokyo warms up from its warm pools
while the approval is pending, the approval opens the gate (and sets the lock), and a reject or a
timeout returns Tokyo to the warm pools with the gate closed and the lock untouched."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from components.tier import warm_pool_configuration
from failover import facts
from failover.approval import approve_execution, reject_execution
from failover.contract import GATE_METRIC_NAME, METRIC_NAMESPACE_DEFAULT
from failover.warm_up import pool_state
from failover.warm_up_asl import warm_up_definition
from tests import moto_gaps
from tests.failover.conftest import REGION, function_arn
from tests.failover.machine import ALARM_EVENT, ONCALL, TOPIC, Run

moto_gaps.install()
ROOT = Path(__file__).resolve().parents[2]


def load_settings_for_profile(profile: str) -> Any:
    import stack_config

    return stack_config.settings_for_stack(ROOT, "tokyo", [f"recovery.profile={profile}"])


def fast_asl(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "step0_arn": function_arn("stfc-lambda-dev-step0"),
        "step1_arn": function_arn("stfc-lambda-dev-step1"),
        "step2_arn": function_arn("stfc-lambda-dev-step2"),
        "step3_arn": function_arn("stfc-lambda-dev-step3"),
        "step4_arn": function_arn("stfc-lambda-dev-step4"),
        "topic_arn": TOPIC,
        "approval_timeout_seconds": 600,
        "poll_seconds": 1,
        "max_polls": 3,
        "retry_interval_seconds": 1,
        "retry_max_attempts": 2,
        "verify_interval_seconds": 1,
        "verify_max_attempts": 1,
    }
    args.update(overrides)
    return warm_up_definition(**args)


@pytest.fixture
def fast_tokyo(tokyo: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Tokyo as the fast profile deploys it: the standby NLB, a final web template (the NLB's name,
    no placeholder), each ASG with the warm pool the tier component declares, the gate enabled."""
    from failover import nlb

    # The NLB, listener and target group AppNlb declares in mode standby (same names and shape).
    standby = nlb.ensure_nlb(tokyo.elbv2, tokyo.settings)
    gate = load_settings_for_profile("fast").recovery.gate
    s = replace(tokyo.settings, nlb_mode="standby", approval_gate=True, gate_namespace=gate.namespace,
                gate_metric=gate.metric_name, gate_alarm_name=gate.alarm_name)
    for key, value in s.to_env().items():
        monkeypatch.setenv(key, value)
    version = tokyo.add_template_version(
        f"#!/bin/bash\nexport INTERNAL_API_URL=http://{standby['nlb_dns']}:3001\n")
    tokyo.ec2.modify_launch_template(LaunchTemplateId=tokyo.template_id, DefaultVersion=str(version))
    for name, capacity in ((s.web_asg_name, s.web_capacity), (s.app_asg_name, s.app_capacity)):
        pool = warm_pool_configuration(capacity.maximum)
        tokyo.autoscaling.put_warm_pool(
            AutoScalingGroupName=name, PoolState=pool["pool_state"],
            MaxGroupPreparedCapacity=pool["max_group_prepared_capacity"],
            MinSize=pool["min_size"],
            InstanceReusePolicy={"ReuseOnScaleIn": pool["instance_reuse_policy"]["reuse_on_scale_in"]})
    # The gate alarm ApprovalGate declares (components/approval_gate.py), as AWS starts it: no data.
    shape = facts.gate_alarm_shape(s.gate_namespace, s.gate_metric)
    tokyo.cloudwatch.put_metric_alarm(
        AlarmName=s.gate_alarm_name, Namespace=shape.namespace, MetricName=shape.metric_name,
        Statistic=shape.statistic, Period=facts.GATE_ALARM_PERIOD_SECONDS, EvaluationPeriods=1,
        DatapointsToAlarm=1, Threshold=float(shape.threshold), ComparisonOperator=shape.comparison,
        TreatMissingData=shape.treat_missing_data)
    moto_gaps.start_without_data(tokyo.cloudwatch, s.gate_alarm_name)
    tokyo.settings = s
    yield tokyo


def gate_alarm_state(tokyo: Any) -> str:
    """The gate as Route53 reads it: OK is open; ALARM or no data is closed."""
    alarms = tokyo.cloudwatch.describe_alarms(AlarmNames=[tokyo.settings.gate_alarm_name])["MetricAlarms"]
    return str(alarms[0]["StateValue"])


def metric_values(tokyo: Any, metric: str) -> list[float]:
    points = tokyo.cloudwatch.get_metric_statistics(
        Namespace=METRIC_NAMESPACE_DEFAULT, MetricName=metric, StartTime="2020-01-01",
        EndTime="2100-01-01", Period=60, Statistics=["Maximum", "Minimum"])["Datapoints"]
    return sorted({p["Maximum"] for p in points} | {p["Minimum"] for p in points})


def desired(tokyo: Any, name: str) -> int:
    group = tokyo.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
    return int(group["DesiredCapacity"])


def started(tokyo: Any, router: Any, **asl: Any) -> Run:
    run = Run(tokyo.client("stepfunctions"), fast_asl(**asl))
    run.start(ALARM_EVENT, name="alarm-fast")
    assert router.event("stfc-lambda-dev-step0").wait(10), "step 0 never asked for approval"
    return run


def wait_until(predicate: Any, timeout: float = 10) -> bool:
    pause = threading.Event()
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return True
        pause.wait(0.05)
    return bool(predicate())


def warmed_before_decision(tokyo: Any, router: Any) -> None:
    """The warm-up ran while the approval was pending: both tiers out of the pool and ready, the
    gate still closed, the lock not set."""
    s = tokyo.settings

    def ready() -> bool:
        return any(n == "stfc-lambda-dev-step3" and e.get("action") == "check_warm" for n, e in router.calls) \
            or sum(n == "stfc-lambda-dev-step3" for n, _ in router.calls) >= 1 and \
            desired(tokyo, s.web_asg_name) == s.web_capacity.desired

    assert wait_until(ready), "the warm-up never scaled Tokyo out"
    assert desired(tokyo, s.app_asg_name) == s.app_capacity.desired
    assert desired(tokyo, s.web_asg_name) == s.web_capacity.desired
    assert 1.0 not in metric_values(tokyo, GATE_METRIC_NAME), "the gate opened before the approval"
    assert gate_alarm_state(tokyo) == "INSUFFICIENT_DATA", "the gate alarm moved before the approval"
    assert metric_values(tokyo, "FailoverLock") == [], "the lock was set before the approval"


def test_fast_approve_opens_the_gate_after_warming_tokyo_and_sets_the_lock(
        fast_tokyo: Any, route_lambdas: Any, healthy_tokyo_http: Any) -> None:
    s = fast_tokyo.settings
    run = started(fast_tokyo, route_lambdas)
    warmed_before_decision(fast_tokyo, route_lambdas)

    approve_execution(run.sfn, run.arn, ONCALL)
    result = run.finish()

    assert result["status"] == "SUCCEEDED", result
    entered = run.states_entered()
    assert entered[-1] == "FailoverSucceeded"
    assert entered.index("Gate_Open") > entered.index("Step0_Approved")
    assert "Warmup_ReturnToPool" not in entered
    assert metric_values(fast_tokyo, GATE_METRIC_NAME) == [1.0]
    assert gate_alarm_state(fast_tokyo) == "OK"  # open at once, not at the next 60 s evaluation
    assert metric_values(fast_tokyo, "FailoverLock") == [1.0]
    for name, capacity in ((s.app_asg_name, s.app_capacity), (s.web_asg_name, s.web_capacity)):
        assert desired(fast_tokyo, name) == capacity.desired
        pool = pool_state(fast_tokyo.autoscaling, name)
        assert pool["pool_state"] == "Stopped"
        assert pool["instances"] == {"Warmed:Stopped": capacity.maximum - capacity.desired}
    out = run.output()["steps"]
    assert out["step0"]["decision"] == "approved" and out["step4"]["health"]["region"] == REGION
    # drctl report measures what the model predicts: from the decision to Tokyo verified, and the
    # recovery without the approval counts only the wait in which nothing else ran
    from drctl import executions

    measured = executions.recovery(executions.timeline(run.sfn, run.arn))
    assert 0 < measured["approval_to_serving_seconds"] <= measured["seconds"]
    assert measured["seconds"] - measured["approval_wait_seconds"] < measured["seconds_excluding_approval"]
    assert measured["seconds_excluding_approval"] <= measured["seconds"]
    # the warm-up never set the lock or opened the gate: only the gate step did, after the approval
    actions = [e.get("action") for n, e in route_lambdas.calls if n == "stfc-lambda-dev-step3"]
    assert actions[0] == "warm_start" and actions[-1] == "open_gate"


@pytest.mark.parametrize("how", ["reject", "timeout"])
def test_fast_reject_or_timeout_returns_tokyo_to_the_warm_pool_with_the_gate_closed(
        fast_tokyo: Any, route_lambdas: Any, how: str) -> None:
    s = fast_tokyo.settings
    run = started(fast_tokyo, route_lambdas, approval_timeout_seconds=600 if how == "reject" else 3)
    warmed_before_decision(fast_tokyo, route_lambdas)

    if how == "reject":
        reject_execution(run.sfn, run.arn, ONCALL, "Seoul is only slow")
    result = run.finish()

    entered = run.states_entered()
    assert "Warmup_ReturnToPool" in entered and "Gate_Open" not in entered
    if how == "reject":
        assert result["status"] == "SUCCEEDED" and entered[-1] == "FailoverRejected"
        assert fast_tokyo.notifications()[-1]["Subject"] == "MegaTicket DR: failover rejected"
    else:
        assert result["status"] == "FAILED" and entered[-1] == "FailoverFailed"
        assert "ApprovalTimedOut" in fast_tokyo.notifications()[-1]["Message"]
    # the gate stays closed (0 written, never 1), the lock untouched, both tiers back in the pool
    assert metric_values(fast_tokyo, GATE_METRIC_NAME) == [0.0]
    assert gate_alarm_state(fast_tokyo) == "ALARM"
    assert metric_values(fast_tokyo, "FailoverLock") == []
    for name, capacity in ((s.app_asg_name, s.app_capacity), (s.web_asg_name, s.web_capacity)):
        assert desired(fast_tokyo, name) == 0
        assert pool_state(fast_tokyo.autoscaling, name)["instances"] == {"Warmed:Stopped": capacity.maximum}


def test_failback_scale_down_after_a_fast_failover_closes_the_gate_and_refills_the_warm_pools(
        fast_tokyo: Any, route_lambdas: Any, healthy_tokyo_http: Any) -> None:
    from tests.failover.machine import FAILOVER_MACHINE_ARN

    s = fast_tokyo.settings
    run = started(fast_tokyo, route_lambdas)
    warmed_before_decision(fast_tokyo, route_lambdas)
    approve_execution(run.sfn, run.arn, ONCALL)
    assert run.finish()["status"] == "SUCCEEDED"
    assert run.machine_arn == FAILOVER_MACHINE_ARN
    # WHEN failback's scale-down step runs (the failback machine's lock and idle checks are
    # covered in test_failback_machine.py)
    from failover import handlers

    handlers.failback({"action": "scale_down", "previous": {}}, None)
    # THEN the gate is closed again, both tiers are at 0 and their instances back in the pool
    assert metric_values(fast_tokyo, GATE_METRIC_NAME) == [0.0, 1.0]
    assert gate_alarm_state(fast_tokyo) == "ALARM"
    # the lock stays held: releasing it is an operator's decision after checking the data
    assert metric_values(fast_tokyo, "FailoverLock") == [1.0]
    for name, capacity in ((s.app_asg_name, s.app_capacity), (s.web_asg_name, s.web_capacity)):
        assert desired(fast_tokyo, name) == 0
        assert pool_state(fast_tokyo.autoscaling, name)["instances"] == {"Warmed:Stopped": capacity.maximum}

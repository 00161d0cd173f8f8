"""Doctor on the fast profile's deployment: the fixture generated from the program with
`recovery.profile=fast` (warm pools, approval gate, the warm-up machine) passes every check, and
each fault in what that profile adds fails exactly the check that owns it."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from failover import gate, lock
from tests.drctl.commands import check_fix
from tests.drctl.generated import Env, deployed

FAST = ("recovery.profile=fast",)
ALARM_REGION = "us-east-1"


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    with deployed(FAST) as fast:
        yield fast


def _failed_with(env: Env, fault: Callable[[], Callable[[], None]], settings: Any = None) -> dict[str, Any]:
    revert = fault()
    try:
        return env.failed(settings)
    finally:
        revert()


def _cloudwatch(env: Env) -> Any:
    return env.clients("cloudwatch", ALARM_REGION)


def _gate_alarm(env: Env) -> dict[str, Any]:
    return dict(_cloudwatch(env).describe_alarms(AlarmNames=[env.settings.gate_alarm_name])["MetricAlarms"][0])


def test_the_fast_fixture_passes_every_check_as_drctl_and_as_the_readiness_lambda(env: Env):
    for settings in (env.settings, env.lambda_settings):
        results = env.run(settings)
        assert {n: r.detail for n, r in results.items() if not r.ok} == {}
        assert not [r.name for r in results.values() if r.skipped]
    # the checks saw the profile's resources, not an absence of them
    assert "gate closed" in results["approval-gate"].detail
    web, app = env.settings.web_warm_pool_size, env.settings.app_warm_pool_size
    assert web >= 1 and app >= 1
    assert f"MegaTicket-DR-Web-ASG: {web} Stopped" in results["warm-pools"].detail
    assert f"MegaTicket-DR-App-ASG: {app} Stopped" in results["warm-pools"].detail


def test_a_high_resolution_gate_alarm_fails_the_gate_check(env: Env):
    def fault() -> Callable[[], None]:
        before = _gate_alarm(env)
        keys = ("AlarmName", "Namespace", "MetricName", "Statistic", "EvaluationPeriods", "Threshold",
                "ComparisonOperator", "TreatMissingData")
        _cloudwatch(env).put_metric_alarm(**{k: before[k] for k in keys}, Period=10)
        return lambda: _cloudwatch(env).put_metric_alarm(**{k: before[k] for k in keys},
                                                          Period=before["Period"])

    failed = _failed_with(env, fault)
    assert set(failed) == {"approval-gate"}
    assert "Period 10 (expected 60" in failed["approval-gate"].detail
    check_fix(failed["approval-gate"].fix, env.clients)


def test_a_secondary_record_without_the_calculated_check_fails_the_gate_check(env: Env):
    route53 = env.clients("route53", "us-east-1")
    zone = route53.list_hosted_zones_by_name(DNSName=env.settings.domain)["HostedZones"][0]["Id"]
    record = next(r for r in route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
                  if r.get("Failover") == "SECONDARY")

    def fault() -> Callable[[], None]:
        ungated = {k: v for k, v in record.items() if k != "HealthCheckId"}
        route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
            {"Action": "UPSERT", "ResourceRecordSet": ungated}]})
        return lambda: route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
            {"Action": "UPSERT", "ResourceRecordSet": record}]})

    failed = _failed_with(env, fault)
    assert set(failed) == {"approval-gate"}
    assert "health check is missing (expected CALCULATED" in failed["approval-gate"].detail


def test_an_open_gate_needs_the_failback_lock(env: Env):
    names = dataclasses.replace(env.settings)
    gate_names = type("G", (), {"gate_namespace": names.lock_namespace, "gate_metric": names.gate_metric,
                                "gate_alarm_name": names.gate_alarm_name})()
    lock_names = type("L", (), {"lock_namespace": names.lock_namespace, "lock_metric": names.lock_metric})()
    cloudwatch = _cloudwatch(env)

    def opened() -> Callable[[], None]:
        gate.set_gate(cloudwatch, gate_names, gate.OPEN)
        return lambda: gate.set_gate(cloudwatch, gate_names, gate.CLOSED)

    # WHEN the gate is open while the lock is released THEN the gate check fails with a fix
    failed = _failed_with(env, opened)
    assert set(failed) == {"approval-gate"}
    assert "gate open) but the failback lock is released" in failed["approval-gate"].detail
    assert "set-alarm-state" in failed["approval-gate"].fix
    check_fix(failed["approval-gate"].fix, env.clients)

    # WHEN the approval opened it (lock held, then gate) THEN that is a served failover, not a fault
    def approved() -> Callable[[], None]:
        lock.set_lock(cloudwatch, lock_names, lock.LOCKED)
        cloudwatch.set_alarm_state(AlarmName=names.lock_alarm_name, StateValue="ALARM", StateReason="test")
        close = opened()

        def revert() -> None:
            close()
            lock.set_lock(cloudwatch, lock_names, lock.RELEASED)
            cloudwatch.set_alarm_state(AlarmName=names.lock_alarm_name, StateValue="OK", StateReason="test")
        return revert

    revert = approved()
    try:
        results = env.run()
    finally:
        revert()
    assert results["approval-gate"].ok and "gate OPEN" in results["approval-gate"].detail
    assert env.run()["approval-gate"].detail.startswith("gate closed")


@pytest.mark.parametrize("change, says", [
    ({"delete": True}, "MegaTicket-DR-Web-ASG has no warm pool"),
    ({"PoolState": "Running"}, "warm pool state Running (expected Stopped"),
    ({"MaxGroupPreparedCapacity": 1}, "MaxGroupPreparedCapacity 1 (expected"),
    ({"InstanceReusePolicy": {"ReuseOnScaleIn": False}}, "ReuseOnScaleIn False (expected true"),
], ids=["deleted", "running", "smaller", "no-reuse"])
def test_each_warm_pool_fault_fails_the_warm_pool_check(env: Env, change: dict[str, Any], says: str):
    asg = env.clients("autoscaling", env.settings.dr_region)
    name = env.settings.web_asg
    before = asg.describe_warm_pool(AutoScalingGroupName=name)["WarmPoolConfiguration"]

    def put(config: dict[str, Any]) -> None:
        keys = ("PoolState", "MaxGroupPreparedCapacity", "MinSize", "InstanceReusePolicy")
        asg.put_warm_pool(AutoScalingGroupName=name, **{k: config[k] for k in keys if k in config})

    def fault() -> Callable[[], None]:
        if change.get("delete"):
            asg.delete_warm_pool(AutoScalingGroupName=name, ForceDelete=True)
        else:
            put({**before, **change})
        return lambda: put(before)

    failed = _failed_with(env, fault)
    assert set(failed) == {"warm-pools"}, {n: r.detail for n, r in failed.items()}
    assert says in failed["warm-pools"].detail
    check_fix(failed["warm-pools"].fix, env.clients)


def test_the_standard_profiles_expectations_see_the_fast_machine_and_pools_as_drift(env: Env):
    # GIVEN the fast deployment WHEN doctor expects the standard profile (gate, pools off)
    standard = dataclasses.replace(env.settings, recovery_profile="standard", approval_gate=False,
                                   web_warm_pool_size=0, app_warm_pool_size=0)
    failed = env.failed(standard)
    # THEN the machine and the undeclared pools are named, nothing else
    assert set(failed) == {"state-machines", "warm-pools"}, {n: r.detail for n, r in failed.items()}
    assert "a warm-up beside the approval (expected the serial machine" in failed["state-machines"].detail
    assert "keeps a warm pool the stack does not declare" in failed["warm-pools"].detail


def test_a_step3_role_that_may_not_set_the_gate_alarm_fails_the_step_roles_check(env: Env):
    iam = env.clients("iam", "us-east-1")
    role = "stfc-lambda-dev-step3-role"

    def document_of(policy: str) -> dict[str, Any]:
        text = iam.get_role_policy(RoleName=role, PolicyName=policy)["PolicyDocument"]
        return dict(json.loads(text) if isinstance(text, str) else text)

    # the role carries more than one inline policy, registered in no fixed order
    name = next(p for p in iam.list_role_policies(RoleName=role)["PolicyNames"]
                if "cloudwatch:SetAlarmState" in json.dumps(document_of(p)))
    document = document_of(name)

    def fault() -> Callable[[], None]:
        stripped = {**document, "Statement": [
            st for st in document["Statement"] if "cloudwatch:SetAlarmState" not in json.dumps(st)]}
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(stripped))
        return lambda: iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))

    failed = _failed_with(env, fault)
    assert set(failed) == {"step-roles"}
    assert "may not cloudwatch:SetAlarmState on arn:aws:cloudwatch:us-east-1:" in failed["step-roles"].detail

"""Both stacks in each recovery profile: the real program through the pack (clean), and what each
profile declares, read from the inputs the engine sees."""

from __future__ import annotations

import base64
import functools
import json

import pytest

from failover.contract import NLB_DNS_PLACEHOLDER, RECOVERY_PROFILE_TAG, RECOVERY_PROFILES
from offline_preview.policy_run import check
from tests.conftest import run_program

ASG = "aws:autoscaling/group:Group"
CHECK = "aws:route53/healthCheck:HealthCheck"
RECORD = "aws:route53/record:Record"


@functools.cache
def _run(stack: str, profile: str, preview: bool = False):  # noqa: ANN202 - ProgramRun
    return run_program(stack, preview=preview, overrides=[f"recovery.profile={profile}"])


@pytest.mark.parametrize("profile", RECOVERY_PROFILES)
@pytest.mark.parametrize("stack", ["seoul", "tokyo"])
def test_each_profile_previews_clean(stack, profile, pack):
    run = _run(stack, profile)
    report = check(pack, run)
    assert report.error is None
    assert [(f.policy, f.resource, f.message) for f in report.mandatory] == []
    assert run.outputs["recoveryProfile"] == profile


def test_fast_tokyo_keeps_a_stopped_warm_pool_per_tier_sized_to_failover_capacity():
    run = _run("tokyo", "fast")
    for group in run.by_type(ASG):
        pool = group.inputs["warmPool"]
        assert pool["poolState"] == "Stopped" and pool["maxGroupPreparedCapacity"] == 2.0
        assert pool["minSize"] == 0.0 and pool["instanceReusePolicy"] == {"reuseOnScaleIn": True}
        assert {"key": RECOVERY_PROFILE_TAG, "value": "fast", "propagateAtLaunch": False} in group.inputs["tags"]
    # the warm pool boots the template at deploy: it carries the standby NLB's name, no placeholder
    web = next(t for t in run.by_type("aws:ec2/launchTemplate:LaunchTemplate") if "Web" in t.inputs["name"])
    assert NLB_DNS_PLACEHOLDER not in base64.b64decode(web.inputs["userData"]).decode()


def test_fast_tokyo_gates_the_secondary_record_behind_the_approval():
    run = _run("tokyo", "fast")
    checks = {c.name: c.inputs for c in run.by_type(CHECK)}
    calculated = checks["approval-gate-calculated"]
    assert calculated["type"] == "CALCULATED" and calculated["childHealthThreshold"] == 2.0
    assert len(calculated["childHealthchecks"]) == 2
    gate = checks["approval-gate-gate"]
    assert gate["type"] == "CLOUDWATCH_METRIC" and gate["cloudwatchAlarmRegion"] == "us-east-1"
    assert gate["insufficientDataHealthStatus"] == "Unhealthy"  # no data yet = closed
    web = checks["approval-gate-tokyo-web"]
    assert web["requestInterval"] == 10.0 and web["resourcePath"] == "/api/health"
    alarm = run.one("aws:cloudwatch/metricAlarm:MetricAlarm", "approval-gate-alarm").inputs
    # Route53 reads standard-resolution alarms only: a period of 60 s (a 10 s one is refused)
    assert (alarm["metricName"], alarm["period"], alarm["comparisonOperator"], alarm["treatMissingData"]) == (
        "ApprovalGate", 60, "LessThanThreshold", "ignore")
    record = run.one(RECORD, "secondary-dns-record").inputs
    assert record["healthCheckId"] == "⟨approval-gate-calculated.id⟩"
    target_group = run.one("aws:lb/targetGroup:TargetGroup", "web-alb-tg").inputs
    assert target_group["healthCheck"]["interval"] == 10.0
    machine = run.one("aws:sfn/stateMachine:StateMachine", "failover-failover-state-machine").inputs
    definition = json.loads(machine["definition"])
    assert definition["States"]["Warmup"]["Type"] == "Parallel"
    assert len(definition["States"]["Warmup"]["Branches"]) == 3


@pytest.mark.parametrize("profile", ["lean", "standard"])
def test_serial_profiles_declare_no_warm_pool_and_no_gate(profile):
    run = _run("tokyo", profile)
    assert all("warmPool" not in g.inputs or g.inputs["warmPool"] is None for g in run.by_type(ASG))
    assert not [c for c in run.by_type(CHECK)]
    assert "healthCheckId" not in run.one(RECORD, "secondary-dns-record").inputs
    definition = json.loads(run.one("aws:sfn/stateMachine:StateMachine",
                                    "failover-failover-state-machine").inputs["definition"])
    assert "Warmup" not in definition["States"]


def test_lean_tokyo_bills_no_idle_nlb_and_no_interface_endpoints():
    run = _run("tokyo", "lean")
    assert not run.by_type("aws:lb/loadBalancer:LoadBalancer") or all(
        lb.inputs.get("loadBalancerType") != "network" for lb in run.by_type("aws:lb/loadBalancer:LoadBalancer"))
    endpoints = [e for e in run.by_type("aws:ec2/vpcEndpoint:VpcEndpoint")
                 if e.inputs.get("vpcEndpointType") == "Interface"]
    assert endpoints == [] and run.by_type("aws:ec2/natGateway:NatGateway")


def test_fast_warm_pools_are_sized_to_each_tiers_failover_capacity():
    # other capacities than the stack file's: each pool follows its own tier's failoverCapacity.max
    run = run_program("tokyo", overrides=["recovery.profile=fast", "web.failoverCapacity.max=5",
                                          "app.failoverCapacity.max=3"])
    pools = {g.inputs["name"]: g.inputs["warmPool"]["maxGroupPreparedCapacity"] for g in run.by_type(ASG)}
    assert pools == {"MegaTicket-DR-Web-ASG": 5.0, "MegaTicket-DR-App-ASG": 3.0}
    # an explicit recovery.warmPool=false wins over the profile: no pool at all
    bare = run_program("tokyo", overrides=["recovery.profile=fast", "recovery.warmPool=false"])
    assert all(g.inputs.get("warmPool") is None for g in bare.by_type(ASG))

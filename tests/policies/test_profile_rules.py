"""Recovery-profile rules through the protocol: a warm pool boots a final template; the fast profile
keeps the SECONDARY record behind the approval gate."""

from __future__ import annotations

from typing import Any, Optional

from failover.contract import RECOVERY_PROFILE_TAG
from policies.analyzer_harness import UNKNOWN
from tests.policies.resources import (
    ASG,
    RECORD,
    launch_template,
    resource,
    stack_violations_of,
    urn,
    web_user_data,
)

WARM_POOL = "warm-pool-boots-final-template"
GATE = "fast-profile-has-approval-gate"
CHECK = "aws:route53/healthCheck:HealthCheck"
LT_URN = urn("tokyo", "aws:ec2/launchTemplate:LaunchTemplate", "MegaTicket-DR-Web-LT")
POOL = {"poolState": "Stopped", "maxGroupPreparedCapacity": 2, "minSize": 0,
        "instanceReusePolicy": {"reuseOnScaleIn": True}}


def group(pool: Any = POOL, *, profile: Optional[str] = "fast", linked: bool = True) -> Any:
    props: dict[str, Any] = {"name": "MegaTicket-DR-Web-ASG", "minSize": 0, "maxSize": 2,
                             "desiredCapacity": 0,
                             "launchTemplate": {"id": "lt-0123", "version": "$Latest"}}
    if pool is not None:
        props["warmPool"] = pool
    if profile is not None:
        props["tags"] = [{"key": RECOVERY_PROFILE_TAG, "value": profile, "propagateAtLaunch": False}]
    return resource(ASG, "web-tier-asg", props, options={"ignoreChanges": ["desiredCapacity"]},
                    property_dependencies={"launchTemplate": [LT_URN]} if linked else None)


def template(internal_api_url: str) -> Any:
    return launch_template(web_user_data(internal_api_url=internal_api_url))


FINAL = "http://MegaTicket-DR-NLB-0a1b.elb.ap-northeast-1.amazonaws.com:3001"
PLACEHOLDER = "http://NLB_DNS_PLACEHOLDER:3001"


def test_warm_pool_with_a_final_template_passes(any_pack):
    assert stack_violations_of(any_pack, WARM_POOL, [template(FINAL), group()]) == []


def test_warm_pool_booting_a_placeholder_template_is_a_violation(any_pack):
    found = stack_violations_of(any_pack, WARM_POOL, [template(PLACEHOLDER), group()])
    assert len(found) == 1
    assert "NLB_DNS_PLACEHOLDER" in found[0].message and "nlb.mode standby" in found[0].message


def test_placeholder_template_without_a_warm_pool_is_not_this_rules_business(any_pack):
    assert stack_violations_of(any_pack, WARM_POOL, [template(PLACEHOLDER), group(pool=None)]) == []


def test_warm_pool_template_found_by_id_when_no_dependency_is_recorded(pack):
    lt = template(PLACEHOLDER)
    lt.properties["id"] = "lt-0123"
    assert len(stack_violations_of(pack, WARM_POOL, [lt, group(linked=False)])) == 1


def test_warm_pool_with_unknown_user_data_is_not_judged(preview_pack):
    lt = launch_template(None)
    lt.properties["userData"] = UNKNOWN
    assert stack_violations_of(preview_pack, WARM_POOL, [lt, group()]) == []


# ---------------------------------------------------------------- fast profile: the gate

WEB_CHECK_URN = urn("tokyo", CHECK, "approval-gate-tokyo-web")
GATE_CHECK_URN = urn("tokyo", CHECK, "approval-gate-gate")
CALC_URN = urn("tokyo", CHECK, "approval-gate-calculated")


def checks(gate_type: str = "CLOUDWATCH_METRIC", threshold: Any = 2) -> list[Any]:
    return [
        resource(CHECK, "approval-gate-tokyo-web", {"type": "HTTP", "fqdn": "tokyo-alb", "port": 80}),
        resource(CHECK, "approval-gate-gate", {"type": gate_type, "cloudwatchAlarmName": "gate"}),
        resource(CHECK, "approval-gate-calculated",
                 {"type": "CALCULATED", "childHealthThreshold": threshold,
                  "childHealthchecks": ["⟨web.id⟩", "⟨gate.id⟩"]},
                 property_dependencies={"childHealthchecks": [WEB_CHECK_URN, GATE_CHECK_URN]}),
    ]


def secondary(gated: bool = True) -> Any:
    props: dict[str, Any] = {"name": "pilotlight-test.click", "type": "A", "setIdentifier": "secondary",
                             "failoverRoutingPolicies": [{"type": "SECONDARY"}],
                             "aliases": [{"name": "tokyo-alb", "zoneId": "Z1", "evaluateTargetHealth": True}]}
    deps: dict[str, list[str]] = {}
    if gated:
        props["healthCheckId"] = "⟨calculated.id⟩"
        deps["healthCheckId"] = [CALC_URN]
    return resource(RECORD, "secondary-dns-record", props, property_dependencies=deps)


def test_fast_profile_behind_the_gate_passes(any_pack):
    resources = [template(FINAL), group(), *checks(), secondary()]
    assert stack_violations_of(any_pack, GATE, resources) == []


def test_fast_profile_without_the_gate_is_a_violation(any_pack):
    found = stack_violations_of(any_pack, GATE, [template(FINAL), group(), secondary(gated=False)])
    assert len(found) == 1 and "approval gate" in found[0].message


def test_fast_profile_with_a_calculated_check_that_lets_one_child_suffice_is_a_violation(pack):
    resources = [template(FINAL), group(), *checks(threshold=1), secondary()]
    assert len(stack_violations_of(pack, GATE, resources)) == 1


def test_fast_profile_whose_calculated_check_has_no_alarm_child_is_a_violation(pack):
    resources = [template(FINAL), group(), *checks(gate_type="HTTP"), secondary()]
    assert len(stack_violations_of(pack, GATE, resources)) == 1


def test_standard_profile_needs_no_gate(any_pack):
    resources = [template(FINAL), group(pool=None, profile="standard"), secondary(gated=False)]
    assert stack_violations_of(any_pack, GATE, resources) == []

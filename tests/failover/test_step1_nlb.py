"""Step 1 against moto: create or reuse the NLB, target group and listener; standby only checks."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from failover.errors import NlbConflictError, NlbMissingError, ThrottledError
from failover.nlb import check_nlb, ensure_nlb, remove_pipeline_nlb
from tests.failover.fakes import ThrottleOnce


def _inventory(elbv2: Any) -> tuple[int, int, int]:
    lbs = elbv2.describe_load_balancers()["LoadBalancers"]
    tgs = elbv2.describe_target_groups()["TargetGroups"]
    listeners = sum(
        len(elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]) for lb in lbs
    )
    return len(lbs), len(tgs), listeners


def test_step1_creates_internal_nlb_with_tcp_listener_on_app_port(tokyo: Any) -> None:
    result = ensure_nlb(tokyo.elbv2, tokyo.settings)

    assert result["state"] == "active" and result["created_by_pipeline"] is True
    lb = tokyo.elbv2.describe_load_balancers(Names=["MegaTicket-DR-NLB"])["LoadBalancers"][0]
    assert (lb["Type"], lb["Scheme"], lb["DNSName"]) == ("network", "internal", result["nlb_dns"])
    tg = tokyo.elbv2.describe_target_groups(Names=["MegaTicket-DR-NLB-TG"])["TargetGroups"][0]
    assert (tg["Protocol"], tg["Port"], tg["HealthCheckPath"]) == ("TCP", 3001, "/api/health")
    listener = tokyo.elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"][0]
    assert listener["Port"] == 3001
    assert listener["DefaultActions"][0]["TargetGroupArn"] == result["target_group_arn"]


def test_step1_twice_leaves_one_nlb_one_target_group_one_listener(tokyo: Any) -> None:
    first = ensure_nlb(tokyo.elbv2, tokyo.settings)
    second = ensure_nlb(tokyo.elbv2, tokyo.settings)

    assert first == second
    assert _inventory(tokyo.elbv2) == (1, 1, 1)


def test_step1_reuses_an_nlb_of_the_same_name_left_by_an_earlier_run(tokyo: Any) -> None:
    # GIVEN the document's re-run case: the NLB exists (name conflict) but the run died before the listener
    s = tokyo.settings
    existing = tokyo.elbv2.create_load_balancer(
        Name=s.nlb_name, Type="network", Scheme="internal", Subnets=list(s.app_subnet_ids)
    )["LoadBalancers"][0]
    # WHEN step 1 runs again
    result = ensure_nlb(tokyo.elbv2, s)
    # THEN it adopts the NLB instead of failing on the name, and completes the missing pieces
    assert result["nlb_arn"] == existing["LoadBalancerArn"]
    assert _inventory(tokyo.elbv2) == (1, 1, 1)
    # AND it does not claim ownership of what it did not create (failback will leave it alone)
    assert result["created_by_pipeline"] is False


def test_step1_refuses_an_application_lb_holding_the_nlb_name(tokyo: Any) -> None:
    s = tokyo.settings
    tokyo.elbv2.create_load_balancer(Name=s.nlb_name, Type="application", Subnets=list(s.app_subnet_ids))

    with pytest.raises(NlbConflictError, match="expected a network load balancer"):
        ensure_nlb(tokyo.elbv2, s)


def test_step1_refuses_a_target_group_with_the_wrong_port(tokyo: Any) -> None:
    s = tokyo.settings
    tokyo.elbv2.create_target_group(Name=s.target_group_name, Protocol="TCP", Port=80, VpcId=s.vpc_id)

    with pytest.raises(NlbConflictError, match="expected TCP:3001"):
        ensure_nlb(tokyo.elbv2, s)


def test_step1_standby_verifies_the_nlb_and_creates_nothing(tokyo: Any) -> None:
    standby = dataclasses.replace(tokyo.settings, nlb_mode="standby")

    with pytest.raises(NlbMissingError, match="deploy it with the tokyo stack"):
        ensure_nlb(tokyo.elbv2, standby)
    assert _inventory(tokyo.elbv2) == (0, 0, 0)

    ensure_nlb(tokyo.elbv2, tokyo.settings)  # as if Pulumi had deployed it
    assert ensure_nlb(tokyo.elbv2, standby)["state"] == "active"
    assert _inventory(tokyo.elbv2) == (1, 1, 1)


def test_step1_throttled_call_raises_retryable_error_then_succeeds(tokyo: Any) -> None:
    flaky = ThrottleOnce(tokyo.elbv2, "create_load_balancer")

    with pytest.raises(ThrottledError, match="ThrottlingException"):
        ensure_nlb(flaky, tokyo.settings)
    result = ensure_nlb(flaky, tokyo.settings)

    assert result["state"] == "active"
    assert _inventory(tokyo.elbv2) == (1, 1, 1)


def test_failback_removes_only_the_nlb_the_pipeline_created(tokyo: Any) -> None:
    ensure_nlb(tokyo.elbv2, tokyo.settings)
    removed = remove_pipeline_nlb(tokyo.elbv2, tokyo.settings)
    assert len(removed["removed"]) == 2 and _inventory(tokyo.elbv2) == (0, 0, 0)
    # twice: nothing left to remove, no error
    assert remove_pipeline_nlb(tokyo.elbv2, tokyo.settings) == {"removed": [], "kept_foreign_nlb": False}


def test_failback_keeps_an_nlb_someone_else_created(tokyo: Any) -> None:
    s = tokyo.settings
    tokyo.elbv2.create_load_balancer(Name=s.nlb_name, Type="network", Subnets=list(s.app_subnet_ids))
    assert remove_pipeline_nlb(tokyo.elbv2, s)["kept_foreign_nlb"] is True
    assert check_nlb(tokyo.elbv2, s)["state"] == "active"


def test_step1_nlb_has_the_standby_shape_cross_zone_and_health_check_expecting_200(tokyo: Any) -> None:
    """GIVEN mode on-failover WHEN step 1 creates the NLB THEN it matches components/app_nlb.py:
    cross-zone on (one app instance serves both NLB nodes) and a health check that accepts exactly
    200 (the API default 200-399 would count a redirecting app as healthy)."""
    ensure_nlb(tokyo.elbv2, tokyo.settings)

    lb = tokyo.elbv2.describe_load_balancers(Names=["MegaTicket-DR-NLB"])["LoadBalancers"][0]
    attributes = tokyo.elbv2.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])
    values = {a["Key"]: a["Value"] for a in attributes["Attributes"]}
    assert values["load_balancing.cross_zone.enabled"] == "true"
    tg = tokyo.elbv2.describe_target_groups(Names=["MegaTicket-DR-NLB-TG"])["TargetGroups"][0]
    assert (tg["HealthCheckProtocol"], tg["Matcher"]["HttpCode"], tg["HealthCheckIntervalSeconds"]) == (
        "HTTP", "200", 10)
    assert (tg["HealthyThresholdCount"], tg["UnhealthyThresholdCount"]) == (2, 2)


def test_step1_rerun_sets_cross_zone_on_its_own_nlb_but_never_touches_a_foreign_one(tokyo: Any) -> None:
    """GIVEN an NLB the pipeline created whose cross-zone setting was lost (a crash between create
    and modify) WHEN step 1 runs again THEN cross-zone is on; GIVEN an NLB someone else made under
    the name THEN its attributes are left alone."""
    ensure_nlb(tokyo.elbv2, tokyo.settings)
    arn = tokyo.elbv2.describe_load_balancers(Names=["MegaTicket-DR-NLB"])["LoadBalancers"][0]["LoadBalancerArn"]
    off = [{"Key": "load_balancing.cross_zone.enabled", "Value": "false"}]
    tokyo.elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=off)
    ensure_nlb(tokyo.elbv2, tokyo.settings)
    values = {a["Key"]: a["Value"] for a in
              tokyo.elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
    assert values["load_balancing.cross_zone.enabled"] == "true"

    tokyo.elbv2.remove_tags(ResourceArns=[arn], TagKeys=["megaticket-dr:created-by"])
    tokyo.elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=off)
    ensure_nlb(tokyo.elbv2, tokyo.settings)
    values = {a["Key"]: a["Value"] for a in
              tokyo.elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
    assert values["load_balancing.cross_zone.enabled"] == "false"

"""AppNlb: the internal NLB (TCP 3001) the web tier reaches the app tier through."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.app_nlb import AppNlb, AppNlbArgs
from failover.settings import Capacity as FailoverCapacity
from failover.settings import Settings as FailoverSettings
from offline_preview.engine import UNKNOWN, ProgramRun
from tests.conftest import run_component

LB = "aws:lb/loadBalancer:LoadBalancer"
TG = "aws:lb/targetGroup:TargetGroup"


def _run(preview: bool, **overrides: Any) -> ProgramRun:
    def body() -> None:
        tokyo = aws.Provider("ap-northeast-1", region="ap-northeast-1")
        args = AppNlbArgs(**{"nlb_name": "MegaTicket-DR-NLB", "vpc_id": "vpc-0abc1234",
                             "subnet_ids": ["subnet-0000000c", "subnet-0000000d"], **overrides})
        nlb = AppNlb("app-nlb", args, pulumi.ResourceOptions(provider=tokyo))
        pulumi.export("dns_name", nlb.dns_name)
        pulumi.export("target_group_arn", nlb.target_group_arn)
        pulumi.export("target_group_name", nlb.target_group_name)
    return run_component(body, preview)


def test_nlb_is_internal_network_in_private_subnets_cross_zone(preview: bool) -> None:
    run = _run(preview)
    nlb = run.one(LB, "app-nlb-nlb")
    assert nlb.parent == run.one("megaticket-dr:traffic:AppNlb", "app-nlb").urn
    assert run.region_of(nlb) == "ap-northeast-1"
    assert (nlb.inputs["name"], nlb.inputs["loadBalancerType"], nlb.inputs["internal"]) == (
        "MegaTicket-DR-NLB", "network", True)
    assert nlb.inputs["subnets"] == ["subnet-0000000c", "subnet-0000000d"]
    assert nlb.inputs["enableCrossZoneLoadBalancing"] is True


def test_tcp_3001_listener_forwards_to_target_group_with_api_health_check(preview: bool) -> None:
    run = _run(preview)
    tg = run.one(TG, "app-nlb-tg")
    assert (tg.inputs["port"], tg.inputs["protocol"], tg.inputs["targetType"]) == (3001, "TCP", "instance")
    assert tg.inputs["healthCheck"]["protocol"] == "HTTP"
    assert tg.inputs["healthCheck"]["path"] == "/api/health"
    listener = run.one("aws:lb/listener:Listener", "app-nlb-tcp")
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (3001, "TCP")
    assert listener.inputs["defaultActions"][0]["type"] == "forward"
    assert tg.urn in listener.options["dependencies"]


def _failover_target_group(nlb_name: str) -> str:
    capacity = FailoverCapacity(1, 1, 2)
    return FailoverSettings(
        nlb_name=nlb_name, nlb_mode="standby", vpc_id="vpc-0abc1234", app_subnet_ids=("subnet-0000000c",),
        app_port=3001, health_path="/api/health", web_launch_template_name="MegaTicket-DR-Web-LT",
        app_asg_name="MegaTicket-DR-App-ASG", web_asg_name="MegaTicket-DR-Web-ASG",
        app_capacity=capacity, web_capacity=capacity, alb_dns_name="alb.example",
        expected_region="ap-northeast-1", approval_topic_arn="arn:aws:sns:ap-northeast-1:1:t",
        lock_namespace="MegaTicket/DR", lock_metric="FailoverLock", lock_region="us-east-1",
        lock_alarm_name="MegaTicket-Failback-Lock").target_group_name


@pytest.mark.parametrize("nlb_name", ["MegaTicket-DR-NLB", "A" * 29 + "-x", "N" * 32])
def test_target_group_is_named_from_a_prefix_and_tagged_with_the_pipelines_name(preview: bool,
                                                                                nlb_name: str) -> None:
    # A new app port or VPC replaces the group create-first: a fixed name would collide. People
    # still see the documented `<nlb>-TG` (the name step 1 gives the group it creates on failover).
    run = _run(preview, nlb_name=nlb_name)
    tg = run.one(TG, "app-nlb-tg")
    assert "name" not in tg.inputs
    assert tg.inputs["namePrefix"] == "mtapp-" and len(tg.inputs["namePrefix"]) <= 6
    assert tg.inputs["tags"]["Name"] == _failover_target_group(nlb_name)
    assert run.outputs["target_group_name"] == (UNKNOWN if preview else "⟨app-nlb-tg.name⟩")


def test_nlb_keeps_its_name_and_is_replaced_delete_first(preview: bool) -> None:
    # New subnets (another VPC) replace an NLB, and its documented name must not collide.
    assert _run(preview).one(LB, "app-nlb-nlb").options["deleteBeforeReplace"] is True


def test_dns_name_output(preview: bool) -> None:
    assert _run(preview).outputs["dns_name"] == (UNKNOWN if preview else "⟨MegaTicket-DR-NLB.dnsName⟩")

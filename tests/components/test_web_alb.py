"""WebAlb: the public ALB (80, redirect to 443 with a certificate) and the web target group."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.web_alb import WebAlb, WebAlbArgs, target_group_name
from offline_preview.engine import UNKNOWN, ProgramRun
from tests.conftest import run_component

LB = "aws:lb/loadBalancer:LoadBalancer"
TG = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
CERT = "arn:aws:acm:ap-northeast-1:111122223333:certificate/12345678-1234-1234-1234-123456789012"


def _run(preview: bool, **overrides: Any) -> ProgramRun:
    def body() -> None:
        tokyo = aws.Provider("ap-northeast-1", region="ap-northeast-1")
        args = WebAlbArgs(**{"alb_name": "MegaTicket-DR-ALB", "vpc_id": "vpc-0abc1234",
                             "subnet_ids": ["subnet-0000000a", "subnet-0000000b"], **overrides})
        alb = WebAlb("web-alb", args, pulumi.ResourceOptions(provider=tokyo))
        for key in ("dns_name", "zone_id", "arn", "arn_suffix", "target_group_arn", "security_group_id"):
            pulumi.export(key, getattr(alb, key))
    return run_component(body, preview)


def test_alb_is_public_drops_invalid_headers_and_protects_deletion(preview: bool) -> None:
    run = _run(preview)
    alb = run.one(LB, "web-alb-alb")
    assert alb.parent == run.one("megaticket-dr:traffic:WebAlb", "web-alb").urn
    assert run.region_of(alb) == "ap-northeast-1"
    assert alb.inputs["name"] == "MegaTicket-DR-ALB"
    assert alb.inputs["loadBalancerType"] == "application"
    assert alb.inputs["internal"] is False
    assert alb.inputs["dropInvalidHeaderFields"] is True
    assert alb.inputs["enableDeletionProtection"] is True
    assert alb.inputs["subnets"] == ["subnet-0000000a", "subnet-0000000b"]


def test_deletion_protection_is_configurable(preview: bool) -> None:
    run = _run(preview, deletion_protection=False)
    assert run.one(LB, "web-alb-alb").inputs["enableDeletionProtection"] is False


def test_target_group_on_3000_with_api_health_check(preview: bool) -> None:
    tg = _run(preview).one(TG, "web-alb-tg").inputs
    # Named by AWS from a prefix (a replacement for a new port or VPC must not collide); the
    # documented name is the Name tag.
    assert (tg["namePrefix"], tg["tags"]["Name"], tg["port"], tg["protocol"], tg["targetType"]) == (
        "mtweb-", "MegaTicket-DR-ALB-TG", 3000, "HTTP", "instance")
    assert "name" not in tg
    assert tg["healthCheck"]["path"] == "/api/health"
    assert tg["healthCheck"]["matcher"] == "200"  # a 307 from middleware is unhealthy (001 6.1)
    assert tg["vpcId"] == "vpc-0abc1234"


def test_without_certificate_port_80_forwards_to_the_web_targets(preview: bool) -> None:
    run = _run(preview)
    (listener,) = run.by_type(LISTENER)
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (80, "HTTP")
    assert listener.inputs["defaultActions"][0]["type"] == "forward"
    assert run.one(TG, "web-alb-tg").urn in listener.options["dependencies"]


def test_with_certificate_port_80_redirects_to_https(preview: bool) -> None:
    run = _run(preview, certificate_arn=CERT)
    http = run.one(LISTENER, "web-alb-http").inputs
    assert http["defaultActions"] == [{"type": "redirect", "redirect": {
        "port": "443", "protocol": "HTTPS", "statusCode": "HTTP_301"}}]
    https = run.one(LISTENER, "web-alb-https").inputs
    assert (https["port"], https["protocol"], https["certificateArn"]) == (443, "HTTPS", CERT)
    assert https["sslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    assert https["defaultActions"][0]["type"] == "forward"


def test_security_group_admits_80_and_443_from_anywhere_with_a_certificate(preview: bool) -> None:
    run = _run(preview, certificate_arn=CERT)
    rules = {(r.inputs["fromPort"], r.inputs["toPort"], r.inputs["cidrIpv4"]) for r in run.by_type(INGRESS)}
    assert rules == {(80, 80, "0.0.0.0/0"), (443, 443, "0.0.0.0/0")}


def test_without_certificate_443_stays_closed_as_nothing_listens_there(preview: bool) -> None:
    run = _run(preview)
    rules = {(r.inputs["fromPort"], r.inputs["toPort"], r.inputs["cidrIpv4"]) for r in run.by_type(INGRESS)}
    assert rules == {(80, 80, "0.0.0.0/0")}
    assert {r.inputs["port"] for r in run.by_type(LISTENER)} == {80}
    egress = run.one("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").inputs
    assert (egress["ipProtocol"], egress["fromPort"], egress["toPort"]) == ("tcp", 3000, 3000)


def test_outputs(preview: bool) -> None:
    outputs = _run(preview).outputs
    if preview:
        assert outputs["dns_name"] == UNKNOWN and outputs["target_group_arn"] == UNKNOWN
    else:
        assert outputs["dns_name"] == "⟨MegaTicket-DR-ALB.dnsName⟩"
        assert outputs["zone_id"] == "⟨MegaTicket-DR-ALB.zoneId⟩"
        assert outputs["arn_suffix"] == "⟨MegaTicket-DR-ALB.arnSuffix⟩"
        assert outputs["target_group_arn"] == "⟨web-alb-tg.arn⟩"


@pytest.mark.parametrize(("lb_name", "expected"), [
    ("MegaTicket-DR-ALB", "MegaTicket-DR-ALB-TG"),
    ("A" * 31, "A" * 31),  # "-TG" cut to the limit leaves a trailing "-", which is dropped
    ("A" * 30, "A" * 30 + "-T"),
    ("A" * 29, "A" * 29 + "-TG"),
    ("A" * 32, "A" * 32),
])
def test_target_group_name_fits_32_characters_without_trailing_hyphen(lb_name: str, expected: str) -> None:
    assert target_group_name(lb_name) == expected



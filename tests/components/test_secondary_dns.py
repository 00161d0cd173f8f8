"""SecondaryDns: the SECONDARY alias record (tokyo stack) pointing at the Tokyo ALB."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.secondary_dns import SecondaryDns, SecondaryDnsArgs
from offline_preview.engine import UNKNOWN, ProgramRun
from tests.conftest import run_component

RECORD = "aws:route53/record:Record"
ALB = "MegaTicket-DR-ALB-1.ap-northeast-1.elb.amazonaws.com"


def _run(preview: bool, **overrides: Any) -> ProgramRun:
    def body() -> None:
        tokyo = aws.Provider("ap-northeast-1", region="ap-northeast-1")
        args = SecondaryDnsArgs(**{"record_name": "pilotlight-test.click", "hosted_zone_id": "ZHOSTEDZONE",
                                   "alb_dns_name": ALB, "alb_zone_id": "ZTOKYOALB", **overrides})
        dns = SecondaryDns("secondary-dns", args, pulumi.ResourceOptions(provider=tokyo))
        pulumi.export("fqdn", dns.fqdn)
    return run_component(body, preview)


def test_secondary_record_is_a_failover_alias_to_the_tokyo_alb_without_ttl(preview: bool) -> None:
    run = _run(preview)
    record = run.one(RECORD, "secondary-dns-record")
    assert record.parent == run.one("megaticket-dr:dns:SecondaryDns", "secondary-dns").urn
    assert run.region_of(record) == "ap-northeast-1"
    inputs = record.inputs
    assert (inputs["name"], inputs["type"], inputs["zoneId"]) == ("pilotlight-test.click", "A", "ZHOSTEDZONE")
    assert inputs["setIdentifier"] == "secondary"
    assert inputs["failoverRoutingPolicies"] == [{"type": "SECONDARY"}]
    assert inputs["aliases"] == [{"name": ALB, "zoneId": "ZTOKYOALB", "evaluateTargetHealth": True}]
    # Alias records carry no TTL, and the secondary needs no health check of its own:
    # evaluateTargetHealth follows the Tokyo ALB's targets.
    assert "ttl" not in inputs and "records" not in inputs and "healthCheckId" not in inputs


def test_secondary_fqdn_output(preview: bool) -> None:
    run = _run(preview)
    assert run.outputs["fqdn"] == (UNKNOWN if preview else "⟨pilotlight-test.click.fqdn⟩")


def test_secondary_record_takes_a_subdomain_and_an_unknown_alb(preview: bool) -> None:
    # The ALB name is an Output of the ALB in the real program.
    run = _run(preview, record_name="www.pilotlight-test.click",
               alb_dns_name=pulumi.Output.from_input(ALB))
    record = run.one(RECORD, "secondary-dns-record")
    assert record.inputs["name"] == "www.pilotlight-test.click"
    assert record.inputs["aliases"][0]["name"] == ALB


@pytest.mark.parametrize(("overrides", "message"), [
    ({"set_identifier": ""}, "set_identifier must be 1-128"),
    ({"hosted_zone_id": None}, "hosted_zone_id must be the Route53 hosted zone id"),
    ({"alb_dns_name": ""}, "alb_dns_name must be the Tokyo ALB DNS name"),
    ({"alb_zone_id": None}, "alb_zone_id must be"),
])
def test_bad_arguments_fail_with_one_line_naming_the_field(overrides: dict, message: str) -> None:
    args = {"record_name": "pilotlight-test.click", "hosted_zone_id": "Z1", "alb_dns_name": ALB,
            "alb_zone_id": "Z2", **overrides}
    with pytest.raises(ValueError, match=message) as error:
        SecondaryDnsArgs(**args)
    assert "\n" not in str(error.value)

"""hosted_zone_id: a configured zone id wins; otherwise the public zone is looked up by domain."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.hosted_zone import hosted_zone_id
from tests.conftest import run_component

GET_ZONE = "aws:route53/getZone:getZone"


def test_configured_zone_id_is_used_without_a_lookup(preview: bool) -> None:
    run = run_component(lambda: pulumi.export(
        "zone", hosted_zone_id("pilotlight-test.click", "Z0123456789ABC")), preview)
    assert run.outputs["zone"] == "Z0123456789ABC"
    assert not [token for token, _ in run.invokes if token == GET_ZONE]


def test_without_an_id_the_public_zone_of_the_domain_is_looked_up(preview: bool) -> None:
    def body() -> None:
        tokyo = aws.Provider("ap-northeast-1", region="ap-northeast-1")
        pulumi.export("zone", hosted_zone_id("pilotlight-test.click", None, tokyo))
    run = run_component(body, preview)
    lookups = [args for token, args in run.invokes if token == GET_ZONE]
    assert lookups == [{"name": "pilotlight-test.click", "privateZone": False}]
    assert run.outputs["zone"] == "⟨zone pilotlight-test.click.zoneId⟩"

"""`drctl doctor` against one fault at a time: each broken fixture fails the right check, right fix."""

from __future__ import annotations

import pytest

from tests.drctl import pilot_light
from tests.drctl.conftest import drctl, site_url
from tests.drctl.pilot_light import Broken

BROKEN_CASES = [
    pytest.param(Broken(placeholder_in_latest=True), {"launch-template-placeholder", "internal-api-url"},
                 "launch-template-placeholder", "Versions=['$Latest']",
                 "MegaTicket-DR-Web-LT $Latest v3 still holds PLACEHOLDER", id="placeholder-left-in-latest"),
    pytest.param(Broken(pinned_asg=True), {"asg-launch-template-version"}, "asg-launch-template-version",
                 "--launch-template LaunchTemplateName=MegaTicket-DR-Web-LT,Version='$Latest'",
                 "MegaTicket-DR-Web-ASG -> MegaTicket-DR-Web-LT 2", id="asg-pinned-to-version-2"),
    pytest.param(Broken(pending_subscription=True), {"approval-subscriptions"}, "approval-subscriptions",
                 "aws sns subscribe --topic-arn arn:aws:sns:ap-northeast-1:123456789012:"
                 "stfc-topic-dev-an1-approval --protocol email",
                 "2 confirmed, 1 pending on stfc-topic-dev-an1-approval "
                 "(pending: email:new-oncall@example.com)",
                 id="unconfirmed-subscription"),
    pytest.param(Broken(disabled_rule=True), {"observation-rule"}, "observation-rule",
                 "aws events enable-rule --name ssw-dr-failover-observation-alarm-rule --region us-east-1",
                 "ssw-dr-failover-observation-alarm-rule is DISABLED", id="observation-rule-disabled"),
    pytest.param(Broken(missing_replica=True), {"dynamodb-replica"}, "dynamodb-replica",
                 "update-table --table-name KDT-Msp4-PLDR-reservations --replica-updates "
                 "'Create={RegionName=ap-northeast-1}'",
                 "not ACTIVE in ap-northeast-1: KDT-Msp4-PLDR-reservations (no replica)",
                 id="reservations-replica-missing"),
    pytest.param(Broken(wrong_internal_api_url=True), {"internal-api-url"}, "internal-api-url",
                 "INTERNAL_API_URL=http://MegaTicket-DR-NLB-1.ap-northeast-1.elb.amazonaws.com:3001",
                 "INTERNAL_API_URL=http://MegaTicket-NLB-0123456789abcdef.elb.ap-northeast-2.amazonaws.com:3001",
                 id="internal-api-url-points-at-seoul"),
]


@pytest.mark.parametrize("broken, expected_failures, check, fix, detail", BROKEN_CASES)
def test_each_broken_fixture_fails_its_check_with_the_documents_fix(
        moto, site, names, broken, expected_failures, check, fix, detail):
    # GIVEN a pilot light with exactly one fault
    site.status = 200
    # WHEN doctor runs
    pilot_light.seed(moto.endpoint, names.checks, broken)
    run = drctl(moto.endpoint, "doctor", "--url", site_url(site))
    # THEN exactly the checks that see that fault fail (✗ lines), exit code 1, and the line under the
    # failing check is the document's fix
    assert run.code == 1, run.stdout + run.stderr
    failed = {line.split(" ")[1] for line in run.stdout.splitlines() if line.startswith("✗ ")}
    assert failed == expected_failures
    lines = run.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"✗ {check} — "))
    assert lines[at + 1].startswith("    fix: ") and fix in lines[at + 1], lines[at:at + 2]
    if detail:
        assert detail in lines[at]



"""Faults that delete something, each on its own freshly generated deployment; Seoul unreachable;
nlb.mode on-failover."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import EndpointConnectionError

from failover.check_core import CheckResult
from tests import moto_gaps
from tests.drctl.commands import check_fix
from tests.drctl.generated import Env, deployed

TOKYO = "ap-northeast-1"


def _lb_arn(env: Env, name: str) -> str:
    return str(env.clients("elbv2", TOKYO).describe_load_balancers(Names=[name])["LoadBalancers"][0][
        "LoadBalancerArn"])


def _fixes(results: dict[str, CheckResult]) -> str:
    return " | ".join(r.fix for r in results.values())


def test_deleted_alb_fails_alb_targets_and_secondary_instead_of_being_swallowed():
    with deployed() as env:
        env.clients("elbv2", TOKYO).delete_load_balancer(LoadBalancerArn=_lb_arn(env, "MegaTicket-DR-ALB"))
        failed = env.failed()
    assert set(failed) == {"alb-listeners", "target-health", "secondary-record"}
    assert failed["alb-listeners"].detail == "ALB MegaTicket-DR-ALB not found in ap-northeast-1"
    assert failed["target-health"].detail.startswith("MegaTicket-DR-ALB not found in ap-northeast-1")
    assert "the Tokyo ALB MegaTicket-DR-ALB does not exist" in failed["secondary-record"].detail
    assert all("`pulumi up --stack tokyo`" in r.fix and check_fix(r.fix) for r in failed.values())


def test_deleted_standby_nlb_is_reported_with_pulumi_up_never_a_failover():
    with deployed() as env:
        env.clients("elbv2", TOKYO).delete_load_balancer(LoadBalancerArn=_lb_arn(env, "MegaTicket-DR-NLB"))
        failed = env.failed()
    # THEN the NLB's own check and the checks that need it fail; the placeholder scan does not
    # (in standby the template holds the NLB's name, not the placeholder)
    assert set(failed) == {"nlb-listener", "internal-api-url", "target-health"}
    assert failed["nlb-listener"].detail == "NLB MegaTicket-DR-NLB not found in ap-northeast-1 (nlb.mode standby)"
    assert "failover" not in _fixes(failed)
    assert all("`pulumi up --stack tokyo`" in r.fix and check_fix(r.fix) for r in failed.values())


def test_deleted_tokyo_replica_fails_replica_and_pitr_read_in_tokyo():
    with deployed() as env:
        env.clients("dynamodb", TOKYO).delete_table(TableName="KDT-Msp4-PLDR-schedules")
        failed = env.failed()
    assert set(failed) == {"dynamodb-replica", "dynamodb-pitr"}
    assert "KDT-Msp4-PLDR-schedules (no replica in ap-northeast-1)" in failed["dynamodb-replica"].detail
    assert "--replica-updates 'Create={RegionName=ap-northeast-1}' --region ap-northeast-2" in \
        failed["dynamodb-replica"].fix


def test_pending_subscription_fails_approval_subscriptions():
    with deployed() as env:
        sns = env.clients("sns", TOKYO)
        topic = f"arn:aws:sns:{TOKYO}:123456789012:stfc-topic-dev-an1-approval"
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="new-oncall@example.com")
        moto_gaps.mark_pending(TOKYO, topic, "new-oncall@example.com")
        failed = env.failed()
    assert set(failed) == {"approval-subscriptions"}
    assert failed["approval-subscriptions"].detail == (
        "2 confirmed (email, sms), 1 pending on stfc-topic-dev-an1-approval (pending: "
        "email:new-oncall@example.com): pending confirmation")


def _seoul_down(env: Env) -> Any:
    def clients(service: str, region: str) -> Any:
        if region == "ap-northeast-2":
            raise EndpointConnectionError(endpoint_url=f"https://{service}.ap-northeast-2.amazonaws.com")
        return env.clients(service, region)
    return clients


def test_with_seoul_unreachable_seoul_checks_are_skipped_and_tokyo_checks_pass():
    with deployed() as env:
        seoul_down = Env(env.deployed, env.lambda_settings, clients=_seoul_down(env))
        results = seoul_down.run()
    skipped = {n for n, r in results.items() if r.skipped}
    assert skipped == {"replication-latency", "golden-ami-source"}
    assert all(results[n].detail == "skipped (Seoul unreachable)" for n in skipped)
    assert {n: r.detail for n, r in results.items() if not r.ok} == {}
    assert "replicated with ap-northeast-2" in results["dynamodb-replica"].detail


def test_seoul_failing_mid_check_is_a_skip_not_a_failure():
    with deployed() as env:
        answered: set[str] = set()

        def clients(service: str, region: str) -> Any:
            if region == "ap-northeast-2" and service != "sts":
                answered.add(service)
                raise EndpointConnectionError(endpoint_url="https://ec2.ap-northeast-2.amazonaws.com")
            return env.clients(service, region)
        results = Env(env.deployed, env.lambda_settings, clients=clients).run()
    assert results["replication-latency"].skipped and results["golden-ami-source"].skipped
    assert answered  # the probe said yes, the checks then found Seoul gone


def test_on_failover_mode_before_a_failover_is_ready_and_the_3_4_incident_is_caught():
    with deployed(("nlb.mode=on-failover",)) as env:
        results = env.run()
        assert {n: r.detail for n, r in results.items() if not r.ok} == {}
        assert "waits for the NLB (NLB_DNS_PLACEHOLDER; nlb.mode on-failover)" in results["internal-api-url"].detail
        assert "step 1 creates it" in results["nlb-listener"].detail
        # WHEN a newer version with a hard-coded DNS becomes $Latest (the 3.4 incident)
        ec2 = env.clients("ec2", TOKYO)
        data = ec2.describe_launch_template_versions(LaunchTemplateName="MegaTicket-DR-Web-LT", Versions=[
            "$Latest"])["LaunchTemplateVersions"][0]["LaunchTemplateData"]
        import base64

        script = base64.b64decode(data["UserData"]).decode().replace(
            "NLB_DNS_PLACEHOLDER", "seoul-nlb.example.internal")
        ec2.create_launch_template_version(LaunchTemplateName="MegaTicket-DR-Web-LT", LaunchTemplateData={
            **data, "UserData": base64.b64encode(script.encode()).decode()})
        failed = env.failed()
    assert set(failed) == {"launch-template-placeholder", "internal-api-url"}
    assert "has no NLB_DNS_PLACEHOLDER but the NLB does not exist yet" in failed["launch-template-placeholder"].detail
    assert "`pulumi up --stack tokyo --refresh`" in failed["launch-template-placeholder"].fix
    assert json.dumps(failed["internal-api-url"].detail).count("seoul-nlb.example.internal") >= 1

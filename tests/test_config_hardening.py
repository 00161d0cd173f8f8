"""Issue 10's categories of wrong configuration, one table per category: each case is refused by
stack_config with one line naming the key (exit 2 in the preview, a RunError under the CLI), before
anything is declared; nothing here is silently accepted or left to AWS at deploy time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from failover import contract
from stack_config import ConfigError, apply_overrides, load_settings, stack_file_values

ROOT = Path(__file__).resolve().parent.parent
CERT = "arn:aws:acm:{region}:000000000000:certificate/00000000-0000-0000-0000-000000000000"


def refused(stack: str, *assignments: str, raw: dict[str, object] | None = None) -> str:
    """The one-line error for the stack file plus `--set` assignments (and raw CLI values)."""
    values = apply_overrides(stack_file_values(ROOT, stack), list(assignments))
    values.update({f"megaticket-dr:{k}": v if isinstance(v, str) else json.dumps(v)
                   for k, v in (raw or {}).items()})
    with pytest.raises(ConfigError) as caught:
        load_settings(values, stack)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(("megaticket-dr:", "aws:region")), message
    return message


def accepted(stack: str, *assignments: str) -> None:
    load_settings(apply_overrides(stack_file_values(ROOT, stack), list(assignments)), stack)


def case(*assignments: str, key: str, says: str, stack: str = "tokyo", raw: dict | None = None):
    return pytest.param(stack, assignments, raw, key, says, id=f"{key}: {says}")


def check(stack, assignments, raw, key, says) -> None:
    message = refused(stack, *assignments, raw=raw)
    assert message.startswith(f"megaticket-dr:{key} must be"), message
    assert says in message, message


# --- values AWS would reject at deploy time ----------------------------------------------------------

DEPLOY_TIME = [
    case("nlb.name=" + "N" * 33, key="nlb.name", says="1-32"),
    case("alb.name=MegaTicket-DR-ALB-", key="alb.name", says="not starting or ending with '-'"),
    case("nlb.name=internal-nlb", key="nlb.name", says="'internal-'"),
    case("ami.name=" + "A" * 110, key="ami.name", says="3-106"),  # the copy appends -<ami id>
    case("ami.name=" + "A" * 129, key="ami.name", says="3-106", stack="tokyo"),
    case("ami.name=" + "A" * 129, key="ami.name", says="3-128", stack="seoul"),
    case("failover.stateMachineName=" + "s" * 75, key="failover.stateMachineName", says="<stateMachineName>-failback"),
    case("failover.failbackStateMachineName=" + "s" * 81, key="failover.failbackStateMachineName", says="1-80"),
    case("failover.stateMachineName=has.dot", key="failover.stateMachineName", says="letters, digits, _ or -"),
    case("failover.alarmName=" + "a" * 256, key="failover.alarmName", says="1-255"),
    case("lock.alarmName=" + "a" * 256, key="lock.alarmName", says="1-255"),
    case("failover.observationRuleName=" + "r" * 65, key="failover.observationRuleName", says="1-64"),
    case("failover.eventBusName=a/b", key="failover.eventBusName", says="custom event bus"),
    case("failover.approvalTopicName=" + "t" * 251, key="failover.approvalTopicName", says="alias/<name>"),
    case("failover.lambdaPrefix=" + "p" * 55, key="failover.lambdaPrefix", says="<prefix>-readiness"),
    case("failover.lambdaPrefix=stfc.lambda", key="failover.lambdaPrefix", says="Lambda function name"),
    case("web.launchTemplateName=LT", key="web.launchTemplateName", says="3-128"),
    case("app.asgName=" + "g" * 256, key="app.asgName", says="1-255"),
    case("tablePrefix=" + "t" * 243, key="tablePrefix", says="<prefix>-<suffix>"),
    # reserved names and prefixes
    case("lock.namespace=AWS/Route53", key="lock.namespace", says="'AWS/'"),
    case("lock.namespace=aws/route53", key="lock.namespace", says="'AWS/'"),
    case(raw={"tags": {"aws:owner": "ops"}}, key="tags", says="'aws:'"),
    case(raw={"tags": {"AWS:Owner": "ops"}}, key="tags", says="'aws:'"),
    case("failover.eventBusName=default", key="failover.eventBusName", says="'default'"),
    # EventBridge schedule expressions
    case("readiness.schedule=rate(0 minutes)", key="readiness.schedule", says="rate above zero"),
    case("readiness.schedule=rate(1 minutes)", key="readiness.schedule", says='"minute" only for 1'),
    case("readiness.schedule=rate(5 minute)", key="readiness.schedule", says="EventBridge schedule"),
    case("readiness.schedule=cron(0 12 * * ?)", key="readiness.schedule", says="six fields"),
    case("readiness.schedule=cron(0 12 * * * *)", key="readiness.schedule", says='"?"'),
    # interface endpoint short names
    case('network.interfaceEndpoints=["com.amazonaws.ap-northeast-1.ssm"]', key="network.interfaceEndpoints",
         says="interface endpoint short name"),
    case('network.interfaceEndpoints=["ap-northeast-1.ssm"]', key="network.interfaceEndpoints",
         says="without a region"),
    case('network.interfaceEndpoints=["SSM"]', key="network.interfaceEndpoints", says="lower-case"),
    case('network.interfaceEndpoints=["dynamodb"]', key="network.interfaceEndpoints", says="gateway endpoint"),
    # CIDR with host bits, key schema, certificate region, unknown regions
    case("network.cidr=10.20.0.1/16", key="network.cidr", says="no host bits set"),
    case("network.cidr=10.20.5.0/16", key="network.cidr", says="no host bits set"),
    case("tables.venues.rangeKey=id", key="tables.venues.rangeKey", says="other than hashKey"),
    case("alb.certificateArn=" + CERT.format(region="us-east-1"), "healthCheck.protocol=HTTPS",
         key="alb.certificateArn", says="a certificate in ap-northeast-1"),
    case("drRegion=ap-northeast-9", key="drRegion", says="AWS region"),
    case("primaryRegion=eu-fake-1", key="primaryRegion", says="AWS region"),
    case("ami.sourceRegion=xx-east-1", key="ami.sourceRegion", says="AWS region"),
]


@pytest.mark.parametrize("stack, assignments, raw, key, says", DEPLOY_TIME)
def test_values_aws_would_reject_at_deploy_time_are_refused(stack, assignments, raw, key, says):
    check(stack, assignments, raw, key, says)


# --- text that only looks valid -----------------------------------------------------------------------

LOOKS_VALID = [
    case(raw={"domain": "pilotlight-test.click\n"}, key="domain", says="DNS name"),
    case(raw={"ami": {"id": "ami-0abc1234def567890\n"}}, key="ami.id", says="AMI id"),
    case(raw={"nlb": {"name": "MegaTicket-DR-NLB "}}, key="nlb.name", says="load balancer name"),
    case(raw={"web": {"asgName": " MegaTicket-DR-Web-ASG"}}, key="web.asgName", says="Auto Scaling"),
    case(raw={"healthCheck": {"path": "/api/health\n"}}, key="healthCheck.path", says="URL path"),
    case(raw={"healthCheck": {"interval": "30\n"}}, key="healthCheck.interval", says="10 or 30"),
    case(raw={"web": {"port": " 3000"}}, key="web.port", says="integer"),
    case(raw={"approvers": {"emails": ["ops@example.com\n"], "sms": ["+821012345678"]}},
         key="approvers.emails", says="email"),
    case(raw={"approvers": {"emails": ["ops@example.com"], "sms": ["+821012345678 "]}},
         key="approvers.sms", says="E.164"),
    case(raw={"failover": {"stateMachineName": "stfc\n"}}, key="failover.stateMachineName", says="state machine"),
    case(raw={"readiness": {"schedule": "rate(30 minutes)\n"}}, key="readiness.schedule", says="schedule"),
    case(raw={"network": {"cidr": "10.20.0.0/16\n"}}, key="network.cidr", says="IPv4"),
    case(raw={"primaryStack": "organization/megaticket-dr/seoul\n"}, key="primaryStack", says="stack name"),
    case(raw={"web": {"port": "٣٠٠٠"}}, key="web.port", says="integer"),  # Arabic-Indic digits
]


@pytest.mark.parametrize("stack, assignments, raw, key, says", LOOKS_VALID)
def test_text_that_only_looks_valid_is_refused(stack, assignments, raw, key, says):
    check(stack, assignments, raw, key, says)


# --- contradictions between settings ------------------------------------------------------------------

CONTRADICTIONS = [
    case("app.asgName=MegaTicket-DR-Web-ASG", key="app.asgName", says="web.asgName"),
    case("app.launchTemplateName=MegaTicket-DR-Web-LT", key="app.launchTemplateName", says="web.launchTemplateName"),
    case("nlb.name=MegaTicket-DR-ALB", key="nlb.name", says="alb.name"),
    case("failover.alarmName=MegaTicket-Failback-Lock", key="failover.alarmName", says="lock.alarmName"),
    case("failover.failbackStateMachineName=stfc-stepfunction-dev-an1", key="failover.failbackStateMachineName",
         says="failover.stateMachineName"),
    case("failover.observationRuleName=stfc-stepfunction-dev-an1", key="failover.observationRuleName",
         says="IAM role"),
    case("primaryStack=organization/megaticket-dr/tokyo", key="primaryStack", says="not this stack"),
    case("primaryStack=tokyo", key="primaryStack", says="not this stack"),
    case("healthCheck.port=8080", key="healthCheck.port", says="the port the ALB listens on"),
    case("healthCheck.protocol=HTTPS", key="healthCheck.protocol", says="certificateArn"),
    case("alb.certificateArn=" + CERT.format(region="ap-northeast-1"), "healthCheck.protocol=HTTP",
         key="healthCheck.protocol", says="redirects"),
    case("alb.certificateArn=" + CERT.format(region="ap-northeast-1"), "healthCheck.port=80",
         key="healthCheck.port", says="443"),
    case("web.capacity.max=1", key="web.failoverCapacity.max", says="web.capacity.max"),
    case("app.failoverCapacity.max=5", "app.capacity.max=3", key="app.failoverCapacity.max", says="(3)"),
    case("failover.approvalTimeoutSeconds=60", "failover.lambdaTimeouts.approval=90",
         key="failover.approvalTimeoutSeconds", says="lambdaTimeouts.approval"),
    case("failover.lambdaTimeouts.nlb=60", key="failover.lambdaTimeouts.nlb", says="from 120"),
    case("failover.lambdaTimeouts.approval=5", key="failover.lambdaTimeouts.approval", says="from 10"),
    case("failover.lambdaTimeouts.failback=30", key="failover.lambdaTimeouts.failback", says="from 60"),
    case("web.envFile=/home/ec2-user/megaticket/apps/web/.env", key="web.envFile", says="outside web.appDir"),
    case("app.envFile=/home/ec2-user/megaticket/apps/app", key="app.envFile", says="not a directory"),
    case("app.envFile=/home/ec2-user", key="app.envFile", says="not a directory"),
    case("web.envFile=/tmp", key="web.envFile", says="not a directory"),
    case("web.envFile=/home/ec2-user/env/", key="web.envFile", says="file path"),
    case("web.envFile=/home/ec2-user/../etc/env.sh", key="web.envFile", says="file path"),
    case("drRegion=ap-northeast-2", key="drRegion", says="other than primaryRegion"),
]


@pytest.mark.parametrize("stack, assignments, raw, key, says", CONTRADICTIONS)
def test_settings_that_contradict_each_other_are_refused(stack, assignments, raw, key, says):
    check(stack, assignments, raw, key, says)


def test_the_config_refuses_exactly_below_the_packs_step_minimums():
    for key, suffix in contract.TIMEOUT_KEYS.items():
        minimum = contract.step_timeout_minimum(suffix)
        accepted("tokyo", f"failover.lambdaTimeouts.{key}={minimum}", "failover.approvalTimeoutSeconds=3600")
        refused("tokyo", f"failover.lambdaTimeouts.{key}={minimum - 1}")


# --- the primary.* fallback values ----------------------------------------------------------------------

NO_STACK = "primaryStack="  # drop the StackReference: tokyo then reads every value from primary.*
HC = "29577b86-1c33-4f9e-8d3c-0123456789ab"
FALLBACK = [
    case(raw={"primary": {"healthCheckId": 42}}, key="primary.healthCheckId", says="health check id"),
    case(raw={"primary": {"healthCheckId": "hc-1"}}, key="primary.healthCheckId", says="UUID"),
    case(raw={"primary": {"calculatedHealthCheckId": True}}, key="primary.calculatedHealthCheckId", says="UUID"),
    case(raw={"primary": {"goldenAmiId": "ami-1"}}, key="primary.goldenAmiId", says="AMI id"),
    case(raw={"primary": {"goldenAmiId": ["ami-0abc1234"]}}, key="primary.goldenAmiId", says="AMI id"),
    case(raw={"primary": {"goldenAmiBuild": "2026 11"}}, key="primary.goldenAmiBuild", says="build label"),
    case(raw={"primary": {"hostedZoneId": "z123"}}, key="primary.hostedZoneId", says="hosted zone id"),
    case(raw={"primary": {"albZoneId": 7}}, key="primary.albZoneId", says="hosted zone id"),
    case(raw={"primary": {"albDnsName": "not a host"}}, key="primary.albDnsName", says="DNS name"),
    case(raw={"primary": {"nlbDnsName": {"dns": "x"}}}, key="primary.nlbDnsName", says="DNS name"),
    case(raw={"primary": {"primaryRegion": "ap-northeast-3"}}, key="primary.primaryRegion", says="primaryRegion"),
    case(raw={"primary": {"tableNames": ["KDT-Msp4-PLDR-venues"]}}, key="primary.tableNames", says="exactly the keys"),
    case(raw={"primary": {"tableNames": {"venues": "KDT-Msp4-PLDR-venues"}}}, key="primary.tableNames",
         says="exactly the keys"),
    case(raw={"primary": {"tableNames": {s: "x y" for s in contract.TABLE_SUFFIXES}}},
         key="primary.tableNames.performances", says="table name"),
    case(raw={"primary": {"tableArns": {s: "arn:aws:s3:::b" for s in contract.TABLE_SUFFIXES}}},
         key="primary.tableArns.performances", says="DynamoDB table ARN"),
    case(raw={"primary": {"healthCheckID": HC}}, key="primary.healthCheckID", says="known keys"),
    case(raw={"primary": "seoul"}, key="primary", says="an object"),
]


@pytest.mark.parametrize("stack, assignments, raw, key, says", FALLBACK)
def test_primary_fallback_values_have_their_types_and_shapes(stack, assignments, raw, key, says):
    check(stack, assignments, raw, key, says)


def test_without_a_primary_stack_the_values_tokyo_needs_are_required_before_anything_is_declared():
    values = {k: v for k, v in stack_file_values(ROOT, "tokyo").items() if k != "megaticket-dr:primaryStack"}
    with pytest.raises(ConfigError, match=r"^megaticket-dr:primary.healthCheckId must be set when"):
        load_settings(values, "tokyo")
    values["megaticket-dr:primary"] = json.dumps({"healthCheckId": HC})
    with pytest.raises(ConfigError, match=r"^megaticket-dr:primary.goldenAmiId must be set when"):
        load_settings(values, "tokyo")
    values["megaticket-dr:primary"] = json.dumps({"healthCheckId": HC, "goldenAmiId": "ami-0abc1234"})
    settings = load_settings(values, "tokyo")
    assert settings.primary.fallback == {"healthCheckId": HC, "goldenAmiId": "ami-0abc1234"}


# --- values that must still pass ---------------------------------------------------------------------------

VALID = [
    ("tokyo", ["nlb.name=" + "N" * 32]),
    ("tokyo", ["ami.name=" + "A" * 106]),
    ("seoul", ["ami.name=" + "A" * 128]),
    ("tokyo", ["failover.stateMachineName=" + "s" * 71]),
    ("tokyo", ["failover.stateMachineName=" + "s" * 80, "failover.failbackStateMachineName=fb"]),
    ("tokyo", ["failover.lambdaPrefix=" + "p" * 54]),
    ("tokyo", ["readiness.schedule=rate(1 minute)"]),
    ("tokyo", ["readiness.schedule=rate(2 days)"]),
    ("tokyo", ["readiness.schedule=cron(0/30 * * * ? *)"]),
    ("tokyo", ['network.interfaceEndpoints=["logs", "kms", "bedrock-runtime"]']),
    ("tokyo", ["network.cidr=10.20.1.0/24"]),
    ("tokyo", ["tables.venues.rangeKey=date"]),
    ("tokyo", ["alb.certificateArn=" + CERT.format(region="ap-northeast-1")]),
    ("tokyo", ["alb.certificateArn=" + CERT.format(region="ap-northeast-1"), "healthCheck.port=443"]),
    ("tokyo", ["web.envFile=/home/ec2-user/env/web.sh"]),
    ("tokyo", ['tags={"CostCenter": "dr", "owner": "ops team"}']),
    ("tokyo", ["failover.approvalTimeoutSeconds=61", "failover.lambdaTimeouts.approval=60"]),
    ("seoul", ["primaryStack=organization/megaticket-dr/tokyo"]),  # meaningless but not itself
]


@pytest.mark.parametrize("stack, assignments", VALID, ids=[" ".join(a)[:60] for _, a in VALID])
def test_values_at_the_edge_of_every_rule_still_pass(stack, assignments):
    accepted(stack, *assignments)

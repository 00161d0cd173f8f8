"""Each resource type's line items, priced from the real table: quantity × figure, per region."""

from __future__ import annotations

import json

import pytest

from cost.model import PRODUCTION_ITEM, LineItem, ResourceView, Unpriced, estimate
from tests.cost.helpers import HOURS, PRIMARY, SEOUL, TOKYO, VIRGINIA, facts, price

ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
LB = "aws:lb/loadBalancer:LoadBalancer"
HEALTH = "aws:route53/healthCheck:HealthCheck"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LAMBDA = "aws:lambda/function:Function"
MACHINE = "aws:sfn/stateMachine:StateMachine"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
TABLE_TYPE = "aws:dynamodb/table:Table"


def view(type_: str, pulumi_name: str, /, region: str = TOKYO, **inputs) -> ResourceView:
    return ResourceView(type=type_, name=pulumi_name, region=region, inputs=inputs)


def items(*resources: ResourceView, role_facts=None) -> dict[tuple[str, str], LineItem]:
    report = estimate(list(resources), role_facts or facts())
    return {(i.resource, i.item): i for i in report.items}


def unpriced(*resources: ResourceView, role_facts=None) -> list[Unpriced]:
    return list(estimate(list(resources), role_facts or facts()).unpriced)


def usd(found: dict, resource: str, item: str) -> float:
    return found[(resource, item)].monthly_usd


# --- network ---------------------------------------------------------------------------------

def test_interface_endpoint_is_billed_per_az_hour_and_per_gb_shared_between_endpoints():
    a = view(ENDPOINT, "ssm", vpcEndpointType="Interface", subnetIds=["s-a", "s-b"])
    b = view(ENDPOINT, "ssmmessages", vpcEndpointType="Interface", subnetIds=["s-a", "s-b", "s-c"])
    found = estimate([a, b], facts(endpoint_gb_per_month=10)).items
    by = {(i.resource, i.item): i.monthly_usd for i in found}
    assert by[("ssm", "interface endpoint hours")] == pytest.approx(
        2 * HOURS * price("vpc.interfaceEndpoint.azHour"))
    assert by[("ssmmessages", "interface endpoint hours")] == pytest.approx(
        3 * HOURS * price("vpc.interfaceEndpoint.azHour"))
    assert by[("ssm", "interface endpoint data")] == pytest.approx(5 * price("vpc.interfaceEndpoint.gb"))


def test_interface_endpoint_with_subnets_unknown_until_deploy_assumes_two_azs_and_says_so():
    found = items(view(ENDPOINT, "ssm", vpcEndpointType="Interface", subnetIds=None))
    item = found[("ssm", "interface endpoint hours")]
    assert item.monthly_usd == pytest.approx(2 * HOURS * price("vpc.interfaceEndpoint.azHour"))
    assert "2 assumed" in item.basis


def test_gateway_endpoint_is_free_and_gateway_load_balancer_endpoint_is_unpriced():
    found = items(view(ENDPOINT, "dynamodb", vpcEndpointType="Gateway"))
    assert found[("dynamodb", "gateway endpoint")].monthly_usd == 0
    assert found[("dynamodb", "gateway endpoint")].basis.startswith("free:")
    [entry] = unpriced(view(ENDPOINT, "gwlbe", vpcEndpointType="GatewayLoadBalancer"))
    assert entry.resource == "gwlbe" and "GatewayLoadBalancer" in entry.reason


def test_nat_gateway_hours_data_and_its_public_ip():
    found = estimate([view("aws:ec2/natGateway:NatGateway", "nat"), view("aws:ec2/eip:Eip", "nat-eip")],
                     facts(nat_gb_per_month=100)).items
    by = {(i.resource, i.item): i.monthly_usd for i in found}
    assert by[("nat", "NAT gateway hours")] == pytest.approx(HOURS * price("vpc.natGateway.hour"))
    assert by[("nat", "NAT gateway data")] == pytest.approx(100 * price("vpc.natGateway.gb"))
    assert by[("nat-eip", "public IPv4 address")] == pytest.approx(HOURS * price("vpc.publicIpv4.hour"))


@pytest.mark.parametrize("kind, short", [("application", "ALB"), ("network", "NLB")])
def test_load_balancer_hours_and_capacity_units_at_the_assumed_idle_load(kind, short):
    lb = view(LB, "lb", name="MegaTicket-DR-X", loadBalancerType=kind)
    found = {(i.resource, i.item): i.monthly_usd
             for i in estimate([lb], facts(load_balancer_lcu_per_hour=0.5)).items}
    assert found[("MegaTicket-DR-X", f"{short} hours")] == pytest.approx(HOURS * price(f"elb.{kind}.hour"))
    assert found[("MegaTicket-DR-X", f"{short} capacity units")] == pytest.approx(
        0.5 * HOURS * price(f"elb.{kind}.lcuHour"))


def test_load_balancer_type_defaults_to_application_and_gateway_is_unpriced():
    assert ("lb", "ALB hours") in items(view(LB, "lb"))
    [entry] = unpriced(view(LB, "gwlb", loadBalancerType="gateway"))
    assert "gateway" in entry.reason


# --- compute, keys -----------------------------------------------------------------------------

def test_asg_at_zero_is_free_and_a_running_asg_is_unpriced_not_ignored():
    found = items(view("aws:autoscaling/group:Group", "asg", desiredCapacity=0))
    assert found[("asg", "instances")].basis.startswith("free: desired capacity 0")
    [entry] = unpriced(view("aws:autoscaling/group:Group", "asg", desiredCapacity=2))
    assert "instance-hours" in entry.reason


def test_ami_copy_is_its_snapshot_storage():
    found = estimate([view("aws:ec2/amiCopy:AmiCopy", "ami")], facts(ami_snapshot_gb=30)).items
    assert found[0].monthly_usd == pytest.approx(30 * price("ebs.snapshot.gbMonth"))


def test_kms_key_is_one_key_month_and_rotation_is_explained():
    found = items(view("aws:kms/key:Key", "key", enableKeyRotation=True))
    assert usd(found, "key", "KMS key") == pytest.approx(price("kms.key.month"))
    assert "rotation" in found[("key", "KMS key")].basis


# --- health checks -------------------------------------------------------------------------------

def test_health_check_of_this_stacks_load_balancer_is_an_aws_endpoint_check():
    alb = view(LB, "alb", region=SEOUL, name="MegaTicket-ALB")
    check = view(HEALTH, "endpoint", region=SEOUL, type="HTTP", fqdn="⟨MegaTicket-ALB.dnsName⟩",
                 requestInterval=30)
    found = items(alb, check)
    assert usd(found, "endpoint", "health check") == pytest.approx(
        price("route53.healthCheck.awsEndpoint", "global"))
    assert not [k for k in found if k[0] == "endpoint" and k[1].startswith("health check option")]


def test_health_check_options_each_cost_extra_at_the_non_aws_price_for_an_outside_endpoint():
    check = view(HEALTH, "outside", type="HTTPS_STR_MATCH", ipAddress="203.0.113.10",
                 requestInterval=10, measureLatency=True)
    found = items(check)
    options = {k[1] for k in found if k[1].startswith("health check option")}
    assert options == {"health check option: HTTPS", "health check option: string matching",
                       "health check option: fast interval (10 s)",
                       "health check option: latency measurement"}
    assert usd(found, "outside", "health check") == pytest.approx(
        price("route53.healthCheck.nonAwsEndpoint", "global"))
    assert sum(found[("outside", o)].monthly_usd for o in options) == pytest.approx(
        4 * price("route53.healthCheck.optionNonAwsEndpoint", "global"))


def test_health_check_of_an_elb_name_is_an_aws_endpoint_with_aws_option_prices():
    check = view(HEALTH, "https", type="HTTPS", fqdn="x-1.ap-northeast-2.elb.amazonaws.com",
                 requestInterval=10)
    found = items(check)
    assert usd(found, "https", "health check option: HTTPS") == pytest.approx(
        price("route53.healthCheck.optionAwsEndpoint", "global"))
    assert found[("https", "health check option: fast interval (10 s)")].region == "global"


def test_health_check_endpoint_unknown_until_deploy_is_priced_as_non_aws_and_says_so():
    found = items(view(HEALTH, "hc", type="HTTP", fqdn=None))
    assert "non-AWS price assumed" in found[("hc", "health check")].basis


@pytest.mark.parametrize("kind", ["CALCULATED", "CLOUDWATCH_METRIC"])
def test_calculated_and_alarm_health_checks_are_basic_checks(kind):
    found = items(view(HEALTH, "hc", type=kind))
    assert usd(found, "hc", "health check") == pytest.approx(
        price("route53.healthCheck.calculatedOrMetric", "global"))


def test_alias_record_queries_are_free_and_plain_record_queries_are_unpriced():
    assert items(view("aws:route53/record:Record", "r", aliases=[{"name": "x"}]))[
        ("r", "DNS queries")].basis.startswith("free:")
    assert unpriced(view("aws:route53/record:Record", "r", records=["1.2.3.4"], ttl=60))


# --- monitoring ------------------------------------------------------------------------------------

def test_alarm_resolution_and_metric_math_decide_the_alarm_price():
    standard = view(ALARM, "std", region=VIRGINIA, namespace="AWS/Route53", period=60)
    fast = view(ALARM, "fast", namespace="AWS/SQS", period=10)
    math = view(ALARM, "math", namespace=None, metricQueries=[
        {"id": "a", "metric": {"metricName": "A"}}, {"id": "b", "metric": {"metricName": "B"}},
        {"id": "e", "expression": "a+b"}])
    found = items(standard, fast, math)
    assert usd(found, "std", "alarm") == pytest.approx(price("cloudwatch.alarm.standard", VIRGINIA))
    assert usd(found, "fast", "alarm") == pytest.approx(price("cloudwatch.alarm.highResolution"))
    assert usd(found, "math", "alarm") == pytest.approx(2 * price("cloudwatch.alarm.standard"))


def test_custom_namespace_metric_is_charged_once_however_many_alarms_watch_it():
    one = view(ALARM, "a1", region=VIRGINIA, namespace="MegaTicket/DR", metricName="FailoverLock")
    two = view(ALARM, "a2", region=VIRGINIA, namespace="MegaTicket/DR", metricName="FailoverLock")
    found = items(one, two)
    metrics = [i for k, i in found.items() if k[1] == "custom metrics"]
    assert len(metrics) == 1
    assert metrics[0].monthly_usd == pytest.approx(price("cloudwatch.customMetric.month", VIRGINIA))


def test_readiness_namespace_counts_every_metric_the_readiness_lambda_publishes():
    from components.readiness import DEFAULT_NAMESPACE
    from failover.checks import CHECK_NAMES
    from failover.readiness import CheckResult, metric_data

    published = {m["MetricName"] for m in metric_data(
        [CheckResult(name=n, ok=True, detail="") for n in CHECK_NAMES])}
    found = items(view(ALARM, "ready", namespace=DEFAULT_NAMESPACE, metricName="Ready"))
    assert usd(found, "ready", "custom metrics") == pytest.approx(
        len(published) * price("cloudwatch.customMetric.month"))


def test_log_groups_share_the_log_volume_settings():
    groups = [view("aws:cloudwatch/logGroup:LogGroup", f"g{n}", name=f"/aws/lambda/f{n}") for n in range(4)]
    found = {(i.resource, i.item): i.monthly_usd
             for i in estimate(groups, facts(log_gb_per_month=2, log_stored_gb=8)).items}
    assert found[("/aws/lambda/f0", "log ingestion")] == pytest.approx(0.5 * price("logs.ingest.gb"))
    assert found[("/aws/lambda/f3", "log storage")] == pytest.approx(2 * price("logs.storage.gbMonth"))


# --- pipeline ------------------------------------------------------------------------------------------

def _machine(name: str, *lambdas: str) -> ResourceView:
    states = {f"S{n}": {"Type": "Task", "Resource": f"⟨{fn}.arn⟩", "Next": "Done"}
              for n, fn in enumerate(lambdas)}
    states["Done"] = {"Type": "Succeed"}
    return view(MACHINE, name, name=name, definition=json.dumps({"StartAt": "S0", "States": states}))


def test_state_machine_transitions_per_drill_are_bounded_by_its_states():
    machine = _machine("sm", "f1", "f1", "f2")
    found = {(i.resource, i.item): i.monthly_usd
             for i in estimate([machine], facts(failover_drills_per_month=4)).items}
    assert found[("sm", "state transitions")] == pytest.approx(
        4 * 4 / 1000 * price("sfn.standard.thousandTransitions"))


def test_state_machine_definition_unknown_until_deploy_is_unpriced():
    [entry] = unpriced(view(MACHINE, "sm", definition=None))
    assert "unknown until deploy" in entry.reason


def test_lambda_invocations_come_from_its_schedule_and_the_tasks_naming_it():
    scheduled = view(LAMBDA, "ready", name="ready", memorySize=512)
    rule = view(RULE, "schedule", name="ready-schedule", scheduleExpression="rate(30 minutes)")
    target = view(TARGET, "t", rule="ready-schedule", arn="⟨ready.arn⟩")
    step = view(LAMBDA, "step", name="step", memorySize=256)
    found = {(i.resource, i.item): i.monthly_usd for i in estimate(
        [scheduled, rule, target, step, _machine("sm", "step", "step")],
        facts(failover_drills_per_month=3, lambda_seconds_per_invocation=2)).items}
    per_month = HOURS * 60 / 30
    assert found[("ready", "Lambda requests")] == pytest.approx(per_month / 1e6 * price("lambda.requests.million"))
    assert found[("ready", "Lambda compute")] == pytest.approx(
        per_month * 2 * 0.5 * price("lambda.compute.gbSecond"))
    assert found[("step", "Lambda requests")] == pytest.approx(6 / 1e6 * price("lambda.requests.million"))


def test_lambda_on_a_cron_schedule_is_unpriced_not_guessed():
    fn = view(LAMBDA, "f", name="f")
    rule = view(RULE, "r", name="r", scheduleExpression="cron(0 * * * ? *)")
    [entry] = unpriced(fn, rule, view(TARGET, "t", rule="r", arn="⟨f.arn⟩"))
    assert "cron" in entry.reason


def test_lambda_is_unpriced_when_a_schedules_target_is_unknown_until_deploy():
    fn = view(LAMBDA, "f", name="f")
    rule = view(RULE, "r", name="r", scheduleExpression="rate(1 hour)")
    found = unpriced(fn, rule, view(TARGET, "t", rule="r", arn="04da6b54-80e4-46f7-96ec-b56ff0331ba9"))
    assert {(u.resource, u.type) for u in found} == {("f", LAMBDA), ("t", TARGET)}
    assert all("unknown until deploy" in u.reason for u in found)


def test_cross_region_event_target_is_priced_per_event_and_same_region_is_included():
    bus = view("aws:cloudwatch/eventBus:EventBus", "bus", name="dr-bus")
    across = view(TARGET, "across", region=VIRGINIA, arn="⟨dr-bus.arn⟩", rule="observe")
    local = view(TARGET, "local", arn="⟨dr-bus.arn⟩", rule="x")
    found = {(i.resource, i.item): i for i in estimate(
        [bus, across, local], facts(failover_drills_per_month=5)).items}
    assert found[("across", "cross-region events")].monthly_usd == pytest.approx(
        10 / 1e6 * price("events.crossRegion.million", VIRGINIA))
    assert found[("local", "event delivery")].basis.startswith("free:")
    assert unpriced(view(TARGET, "t", arn=None))


def test_topic_publishes_email_deliveries_and_sms_is_listed_unpriced():
    resources = [view("aws:sns/topic:Topic", "topic"),
                 view("aws:sns/topicSubscription:TopicSubscription", "mail", protocol="email"),
                 view("aws:sns/topicSubscription:TopicSubscription", "sms", protocol="sms"),
                 view("aws:sns/topicSubscription:TopicSubscription", "fn", protocol="lambda")]
    report = estimate(resources, facts(notifications_per_month=1000))
    found = {(i.resource, i.item): i.monthly_usd for i in report.items}
    assert found[("topic", "SNS publishes")] == pytest.approx(1000 / 1e6 * price("sns.publish.million"))
    assert found[("mail", "email deliveries")] == pytest.approx(1000 / 1e5 * price("sns.email.hundredThousand"))
    assert found[("fn", "deliveries")] == 0
    assert [(u.resource, u.reason) for u in report.unpriced] == [
        ("sms", "SMS prices depend on the destination country")]


# --- data ------------------------------------------------------------------------------------------------

def test_table_replica_writes_storage_pitr_and_transfer_are_priced_in_their_regions():
    tables = [view(TABLE_TYPE, f"t{n}", region=SEOUL, name=f"T{n}", replicas=[
        {"regionName": TOKYO, "pointInTimeRecovery": n == 0}]) for n in range(2)]
    report = estimate(tables, facts(PRIMARY, replicated_writes_per_month=2_000_000, replica_gb=10))
    found = {(i.resource, i.item): i for i in report.items}
    writes = found[("T0", f"replicated writes to {TOKYO}")]
    assert writes.region == TOKYO
    assert writes.monthly_usd == pytest.approx(1.0 * price("dynamodb.replicatedWrite.million"))
    assert found[("T0", f"replica storage in {TOKYO}")].monthly_usd == pytest.approx(
        5 * price("dynamodb.storage.gbMonth"))
    assert found[("T0", f"replica PITR in {TOKYO}")].monthly_usd == pytest.approx(
        5 * price("dynamodb.pitr.gbMonth"))
    assert ("T1", f"replica PITR in {TOKYO}") not in found
    transfer = found[("T1", f"replication transfer to {TOKYO}")]
    assert transfer.region == SEOUL  # the sending region pays
    assert transfer.monthly_usd == pytest.approx(1_000_000 / 1024 ** 2 * price("dataTransfer.interRegion.gb", SEOUL))


def test_table_without_replicas_is_unpriced_with_the_reason():
    [entry] = unpriced(view(TABLE_TYPE, "t", name="T", replicas=[]))
    assert "without replicas" in entry.reason


# --- the model's own rules ------------------------------------------------------------------------------

def test_unknown_type_is_listed_unpriced_never_dropped():
    [entry] = unpriced(view("aws:rds/cluster:Cluster", "db", name="orders"))
    assert (entry.type, entry.resource) == ("aws:rds/cluster:Cluster", "orders")


def test_components_and_providers_are_explicitly_free():
    found = items(view("megaticket-dr:network:Network", "network"),
                  view("pulumi:providers:aws", "us-east-1"))
    assert all(i.monthly_usd == 0 and i.basis.startswith("free:") for i in found.values())
    assert len(found) == 2


def test_a_region_the_table_lacks_makes_the_resource_unpriced_naming_the_figure():
    [entry] = unpriced(view("aws:kms/key:Key", "key", region="eu-west-1"))
    assert entry.reason == "no price for kms.key.month in eu-west-1"


def test_primary_stack_counts_only_what_exists_for_the_dr_copy():
    alb = view(LB, "alb", region=SEOUL, name="MegaTicket-ALB")
    check = view(HEALTH, "hc", region=SEOUL, type="CALCULATED")
    role = view("aws:iam/role:Role", "role", region=SEOUL)
    asg = view("aws:autoscaling/group:Group", "asg", region=SEOUL, desiredCapacity=2)
    report = estimate([alb, check, role, asg], facts(PRIMARY))
    found = {(i.resource, i.item): i for i in report.items}
    assert found[("MegaTicket-ALB", PRODUCTION_ITEM)].monthly_usd == 0
    assert found[("asg", PRODUCTION_ITEM)].monthly_usd == 0
    assert ("MegaTicket-ALB", "ALB hours") not in found
    assert found[("hc", "health check")].monthly_usd > 0
    assert found[("role", "free")].basis.startswith("free:")
    assert report.unpriced == ()


def test_total_is_the_sum_of_the_items_and_json_has_exactly_the_contract_keys():
    report = estimate([view(LB, "lb", loadBalancerType="network"), view("aws:kms/key:Key", "k")], facts())
    document = report.as_json()
    assert set(document) == {"monthlyUsd", "items", "assumptions", "pricesAsOf", "unpriced"}
    assert all(set(i) == {"item", "resource", "monthlyUsd", "basis"} for i in document["items"])
    assert document["monthlyUsd"] == round(HOURS * price("elb.network.hour") + price("kms.key.month"), 2)
    assert document["assumptions"]["replicatedWritesPerMonth"] == 1_000_000
    assert document["pricesAsOf"] == "2026-11-28"

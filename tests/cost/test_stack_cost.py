"""The model over what the real program declares: every type is covered, and tokyo's total
traces back to the price table."""

from __future__ import annotations

import pytest

from cost import estimate, from_recording, rules
from cost.model import ResourceView
from cost.rules import FREE, RULES, rule_for
from stack_config import DEFAULT_INTERFACE_ENDPOINTS, apply_overrides, load_settings, stack_file_values
from tests.conftest import ROOT, run_program
from tests.cost.helpers import HOURS, SEOUL, TABLE, TOKYO, VIRGINIA, price

CERT = "arn:aws:acm:ap-northeast-2:000000000000:certificate/00000000-0000-0000-0000-000000000000"
# Every stack and config variant the test suite runs the program with.
VARIANTS = {
    "tokyo": ("tokyo", []),
    "tokyo nlb on-failover": ("tokyo", ["nlb.mode=on-failover"]),
    "tokyo with NAT": ("tokyo", ["network.natGateway=true"]),
    "tokyo with NAT, nlb on-failover": ("tokyo", ["network.natGateway=true", "nlb.mode=on-failover"]),
    "tokyo without readiness": ("tokyo", ["readiness.enabled=false"]),
    "tokyo one endpoint": ("tokyo", ['network.interfaceEndpoints=["bedrock-runtime"]']),
    "tokyo existing VPC": ("tokyo", ["network.vpcId=vpc-0abc1234",
                                     'network.publicSubnetIds=["subnet-0abc1234","subnet-0abc5678"]',
                                     'network.privateSubnetIds=["subnet-0def1234","subnet-0def5678"]']),
    "seoul": ("seoul", []),
    "seoul HTTPS fast check": ("seoul", [f"alb.certificateArn={CERT}", "healthCheck.interval=10"]),
}
# What the model may not price, and why: said in the section, never silently dropped.
ALLOWED_UNPRICED = {("aws:sns/topicSubscription:TopicSubscription", "SMS prices depend on the destination country"),
                    # The approval page: usage-priced, idle at zero (said explicitly in the report).
                    ("aws:apigatewayv2/api:Api", rules.HTTP_API_USAGE),
                    ("aws:dynamodb/table:Table", rules.APPROVAL_TABLE_USAGE)}


def cost_of(stack: str, overrides: list[str], preview: bool = False):
    run = run_program(stack, preview, overrides=overrides)
    settings = load_settings(apply_overrides(stack_file_values(ROOT, stack), overrides), stack)
    return run, estimate(from_recording(run, settings), settings)


@pytest.fixture(scope="module")
def reports():
    return {label: cost_of(stack, overrides) for label, (stack, overrides) in VARIANTS.items()}


@pytest.mark.parametrize("label", sorted(VARIANTS))
def test_every_declared_type_is_priced_free_or_listed_unpriced(reports, label):
    run, report = reports[label]
    for resource in run.resources:
        assert rule_for(resource.type) is not None, f"{resource.type} has no rule in {label}"
    assert _labels(run) == _covered(report)
    assert {(u.type, u.reason) for u in report.unpriced} <= ALLOWED_UNPRICED


def _labels(run) -> set[str]:
    return {ResourceView(r.type, r.name, "", r.inputs).label for r in run.resources}


def _covered(report) -> set[str]:
    return {i.resource for i in report.items} | {u.resource for u in report.unpriced}


def test_unknowns_mode_lists_what_only_deploy_can_tell_as_unpriced():
    run, report = cost_of("tokyo", [], preview=True)
    assert _labels(run) == _covered(report)
    reasons = {(u.type, u.reason) for u in report.unpriced} - ALLOWED_UNPRICED
    assert {t for t, _ in reasons} <= {"aws:sfn/stateMachine:StateMachine", "aws:lambda/function:Function",
                                       "aws:cloudwatch/eventTarget:EventTarget"}
    assert not [i for i in report.items if "nothing schedules or runs it" in i.basis]
    assert all("unknown until deploy" in reason for _, reason in reasons)


def test_rules_and_free_types_do_not_overlap():
    assert not set(RULES) & set(FREE)


def _usd(report, item: str) -> list[float]:
    return [i.monthly_usd for i in report.items if i.item == item]


def test_tokyo_total_traces_to_the_price_table(reports):
    run, report = reports["tokyo"]
    endpoint_hours = len(DEFAULT_INTERFACE_ENDPOINTS) * 2 * HOURS * price("vpc.interfaceEndpoint.azHour")
    assert sum(_usd(report, "interface endpoint hours")) == pytest.approx(endpoint_hours)
    assert _usd(report, "ALB hours") == [pytest.approx(HOURS * price("elb.application.hour"))]
    assert _usd(report, "NLB hours") == [pytest.approx(HOURS * price("elb.network.hour"))]
    assert _usd(report, "KMS key") == [pytest.approx(price("kms.key.month"))]
    assert _usd(report, "Golden AMI snapshot") == [pytest.approx(8 * price("ebs.snapshot.gbMonth"))]
    alarms = {i.resource: i.monthly_usd for i in report.items if i.item == "alarm"}
    assert alarms["MegaTicket-Primary-HealthCheck-Alarm"] == pytest.approx(
        price("cloudwatch.alarm.standard", VIRGINIA))
    assert sum(_usd(report, "log ingestion")) == pytest.approx(0.5 * price("logs.ingest.gb"))
    assert report.monthly_usd == round(sum(i.monthly_usd for i in report.items), 2)
    # the endpoints are the largest item (issue 14: "around $80 a month" for four; the STS endpoint
    # that `aws sts get-caller-identity` needs without NAT (issue 18) makes five)
    assert len(DEFAULT_INTERFACE_ENDPOINTS) == 5 and 95 < endpoint_hours < 110
    assert endpoint_hours > max(i.monthly_usd for i in report.items if i.item != "interface endpoint hours")
    for item in report.items:  # each figure quoted is the table's, for the item's region
        for figure in item.prices:
            assert TABLE.price(figure.key, figure.region) == figure
            assert f"${figure.usd:g} per {figure.unit} ({figure.region})" in item.basis


def test_on_failover_nlb_saves_exactly_the_idle_nlb(reports):
    _, standby = reports["tokyo"]
    _, on_failover = reports["tokyo nlb on-failover"]
    assert _usd(on_failover, "NLB hours") == []
    assert standby.monthly_usd - on_failover.monthly_usd == pytest.approx(
        HOURS * price("elb.network.hour"), abs=0.01)


def test_nat_replaces_the_endpoints_with_a_nat_gateway_and_its_address(reports):
    _, nat = reports["tokyo with NAT"]
    assert _usd(nat, "interface endpoint hours") == []
    assert _usd(nat, "NAT gateway hours") == [pytest.approx(HOURS * price("vpc.natGateway.hour"))]
    assert _usd(nat, "public IPv4 address") == [pytest.approx(HOURS * price("vpc.publicIpv4.hour"))]


def test_seoul_counts_the_replicas_and_health_checks_not_its_production_tier(reports):
    _, report = reports["seoul"]
    writes = [i for i in report.items if i.item == f"replicated writes to {TOKYO}"]
    assert len(writes) == 4 and all(i.region == TOKYO for i in writes)
    assert sum(i.monthly_usd for i in writes) == pytest.approx(
        1.0 * price("dynamodb.replicatedWrite.million"))
    assert not _usd(report, "ALB hours") and not _usd(report, "interface endpoint hours")
    assert {i.resource for i in report.items if i.item == "production (not standby)"} >= {
        "MegaTicket-ALB", "MegaTicket-NLB"}
    # endpoint, detection (the stable id tokyo watches), lock and calculated checks
    assert len(_usd(report, "health check")) == 4
    assert all(i.region != SEOUL or i.monthly_usd == 0 or i.item.startswith("replication transfer")
               for i in report.items)


def test_seoul_https_fast_check_pays_for_both_options(reports):
    _, report = reports["seoul HTTPS fast check"]
    options = sorted(i.item for i in report.items if i.item.startswith("health check option"))
    assert options == ["health check option: HTTPS", "health check option: fast interval (10 s)"]
    assert sum(i.monthly_usd for i in report.items if i.item.startswith("health check option")) == \
        pytest.approx(2 * price("route53.healthCheck.optionAwsEndpoint", "global"))


# The README's Tokyo variant table, row by row: the figures an operator chooses by must be today's.
README_ROWS = {
    "endpoints, standby NLB (default)": "tokyo",
    "endpoints, `--set nlb.mode=on-failover`": "tokyo nlb on-failover",
    "NAT, standby NLB (`--set network.natGateway=true`)": "tokyo with NAT",
    "NAT, on-failover NLB": "tokyo with NAT, nlb on-failover",
}


def test_readme_standby_cost_figures_are_what_the_model_computes(reports):
    readme = (ROOT / "README.md").read_text()
    rows = {cells[1].strip(): cells[2].strip() for line in readme.splitlines()
            if line.startswith("| ") and len(cells := line.split("|")) > 3}
    for row, label in README_ROWS.items():
        assert rows.get(row) == f"{reports[label][1].monthly_usd:.2f}", row
    assert f"Seoul adds {reports['seoul'][1].monthly_usd:.2f}" in readme

"""Route 53 failover records and the detection alarm through the protocol."""

from __future__ import annotations

import pytest

from policies.analyzer_harness import UNKNOWN
from tests.policies.resources import ALARM, RECORD, SEOUL, TOKYO, VIRGINIA, resource, violations_of

HEALTH = "primary-failover-record-has-health-check"
TTL = "failover-record-ttl"
ALARM_REGION = "route53-health-check-alarm-in-us-east-1"
ALIAS = [
    {"name": "MegaTicket-ALB-987654321.ap-northeast-2.elb.amazonaws.com", "zoneId": "ZWKZPGTI48KDX",
     "evaluateTargetHealth": True}
]


def record(
    role: str,
    *,
    health_check: object = "5f2c1b7e-3a4d-4e8f-9b6a-1c2d3e4f5a6b",
    ttl: object = None,
    aliases: object = ALIAS,
    records: object = None,
    region: str = SEOUL,
) -> object:
    props: dict = {
        "zoneId": "Z0123456789ABC",
        "name": "pilotlight-test.click",
        "type": "A",
        "setIdentifier": role.lower(),
        "failoverRoutingPolicies": [{"type": role}],
    }
    for key, value in (
        ("healthCheckId", health_check),
        ("ttl", ttl),
        ("aliases", aliases),
        ("records", records),
    ):
        if value is not None:
            props[key] = value
    return resource(RECORD, f"{role.lower()}-record", props, region=region)


def test_primary_record_with_health_check_passes(any_pack):
    assert violations_of(any_pack, HEALTH, record("PRIMARY")) == []
    assert violations_of(any_pack, HEALTH, record("PRIMARY", health_check=UNKNOWN)) == []


@pytest.mark.parametrize("health_check", [None, ""], ids=["missing", "empty"])
def test_primary_record_without_health_check_is_mandatory_violation(pack, health_check):
    violations = violations_of(pack, HEALTH, record("PRIMARY", health_check=health_check))
    assert len(violations) == 1 and "never answers with the SECONDARY" in violations[0].message


def test_secondary_record_needs_no_health_check(any_pack):
    assert violations_of(any_pack, HEALTH, record("SECONDARY", health_check=None, region=TOKYO)) == []


def test_alias_record_without_ttl_and_plain_record_at_60_pass(any_pack):
    plain = record("SECONDARY", aliases=None, ttl=60, records=["203.0.113.10"], region=TOKYO)
    assert violations_of(any_pack, TTL, record("PRIMARY"), plain) == []


def test_alias_record_with_ttl_is_mandatory_violation(pack):
    violations = violations_of(pack, TTL, record("PRIMARY", ttl=60))
    assert len(violations) == 1 and "Remove ttl" in violations[0].message


def test_plain_failover_record_with_long_ttl_is_mandatory_violation(pack):
    violations = violations_of(pack, TTL, record("PRIMARY", aliases=None, ttl=300, records=["203.0.113.10"]))
    assert len(violations) == 1 and "ttl=300 > 60" in violations[0].message


def test_non_failover_and_unknown_records_are_not_judged(any_pack):
    simple = resource(RECORD, "www", {"name": "www", "type": "A", "ttl": 300, "records": ["203.0.113.10"]})
    unknown_ttl = record("PRIMARY", aliases=None, ttl=UNKNOWN, records=["203.0.113.10"])
    missing_ttl = record("PRIMARY", aliases=None, records=["203.0.113.10"])
    assert violations_of(any_pack, TTL, simple, unknown_ttl, missing_ttl) == []


def alarm(region: str, *, namespace: str | None = "AWS/Route53", queries: bool = False) -> object:
    props: dict = {
        "name": "MegaTicket-Primary-HealthCheck-Alarm",
        "comparisonOperator": "LessThanThreshold",
        "evaluationPeriods": 1,
        "threshold": 1,
    }
    if queries:
        props["metricQueries"] = [
            {
                "id": "m1",
                "metric": {
                    "namespace": "AWS/Route53",
                    "metricName": "HealthCheckStatus",
                    "period": 60,
                    "stat": "Minimum",
                },
                "returnData": True,
            }
        ]
    elif namespace is not None:
        props.update(namespace=namespace, metricName="HealthCheckStatus")
    return resource(ALARM, "detection-alarm", props, region=region, stack="tokyo")


def test_health_check_alarm_in_us_east_1_passes(any_pack):
    assert violations_of(any_pack, ALARM_REGION, alarm(VIRGINIA), alarm(VIRGINIA, queries=True)) == []


@pytest.mark.parametrize("queries", [False, True], ids=["metric", "metric-query"])
def test_health_check_alarm_in_tokyo_is_mandatory_violation(pack, queries):
    violations = violations_of(pack, ALARM_REGION, alarm(TOKYO, queries=queries))
    assert len(violations) == 1 and "only in us-east-1" in violations[0].message


def test_other_alarms_and_missing_namespace_may_live_anywhere(any_pack):
    assert (
        violations_of(any_pack, ALARM_REGION, alarm(TOKYO, namespace="AWS/EC2"), alarm(TOKYO, namespace=None))
        == []
    )
